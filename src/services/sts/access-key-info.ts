// GetAccessKeyInfo: the account an access key id belongs to. Long-term keys Warden holds are
// looked up; any other AKIA/ASIA id is read the way AWS encodes the account in its key ids
// (Warden's session key ids use the same encoding, see credentials.ts), so, as in AWS, the
// answer does not say whether the key exists. Authorized by `sts:GetAccessKeyInfo` on `*`.
import type { AuthzSnapshot } from '../authz/snapshot.js';
import type { OperationTable } from '../types.js';
import { accountOfAccessKeyId } from './credentials.js';
import { refuseLimitedSession, str, validationError } from './common.js';

export function accessKeyInfoOperations(deps: { snapshot: AuthzSnapshot }): OperationTable {
  return {
    async GetAccessKeyInfo(ctx, input) {
      const id = str(input, 'AccessKeyId');
      refuseLimitedSession(ctx.caller, 'GetAccessKeyInfo');
      ctx.authorize('sts:GetAccessKeyInfo', '*');
      const known = deps.snapshot.accessKey(id);
      const account = known?.accountId ?? accountOfAccessKeyId(id);
      if (account === undefined) throw validationError(`The access key ID ${id} is not valid.`);
      return { Account: account };
    },
  };
}
