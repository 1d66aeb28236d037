// GetSessionToken: temporary credentials for an IAM user (or the root user) with the caller's
// own identity and permissions, optionally MFA-authenticated (STS API reference,
// GetSessionToken; IAM User Guide, "Permissions for GetSessionToken": no permission is needed to
// call it — "You cannot use policies to control authentication operations").
import type { OperationTable } from '../types.js';
import { isoNow } from '../iam/entities.js';
import { issueSessionCredentials } from './credentials.js';
import { secretsOf } from '../iam/credential-owner.js';
import { accessDenied, optInt, optStr } from './common.js';
import { verifyMfa } from './mfa.js';
import type { SessionClaimsInput } from './token.js';

export const DEFAULT_SESSION_TOKEN_SECONDS = 43_200;
/** Sessions of the root user last at most one hour; longer requests get one hour. */
export const ROOT_SESSION_MAX_SECONDS = 3600;

export const sessionTokenOperations: OperationTable = {
  async GetSessionToken(ctx, input) {
    const caller = ctx.caller;
    const p = caller.principal;
    if (caller.session) throw accessDenied('Cannot call GetSessionToken with session credentials');
    if (p.kind !== 'user' && p.kind !== 'root') throw accessDenied('Cannot call GetSessionToken with session credentials');
    const isRoot = p.kind === 'root';
    let duration = optInt(input, 'DurationSeconds') ?? (isRoot ? ROOT_SESSION_MAX_SECONDS : DEFAULT_SESSION_TOKEN_SECONDS);
    if (isRoot && duration > ROOT_SESSION_MAX_SECONDS) duration = ROOT_SESSION_MAX_SECONDS;

    const serial = optStr(input, 'SerialNumber');
    const code = optStr(input, 'TokenCode');
    const claims: SessionClaimsInput = {
      type: 'session-token',
      accountId: caller.accountId,
      principal: isRoot
        ? { kind: 'root' }
        : { kind: 'user', userName: caller.userName, userId: caller.userId, userArn: p.arn },
    };
    if (serial !== undefined || code !== undefined) {
      await verifyMfa(ctx.store, ctx.secrets, caller.accountId, isRoot ? '' : caller.userName ?? '', serial, code, ctx.now);
      claims.mfaAuthenticated = true;
      claims.mfaAuthTime = isoNow(ctx.now);
    }
    return { Credentials: issueSessionCredentials(secretsOf(ctx), claims, ctx.now, duration) };
  },
};
