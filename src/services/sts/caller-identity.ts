// GetCallerIdentity: who the credentials belong to. Never authorized — AWS answers it even
// when every action is denied ("No permissions are required to perform this operation").
import type { OperationTable } from '../types.js';
import { rootArn } from '../iam/entities.js';

export const callerIdentityOperations: OperationTable = {
  async GetCallerIdentity(ctx) {
    const c = ctx.caller;
    const p = c.principal;
    return {
      UserId: c.userId,
      Account: c.accountId,
      Arn: p.arn ?? (p.kind === 'root' ? rootArn(c.accountId) : ''),
    };
  },
};
