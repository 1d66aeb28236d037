// GetFederationToken: temporary credentials for a federated user named by the caller (an IAM
// user, or the root user), acting as `arn:aws:sts::ACCT:federated-user/NAME`. The session's
// permissions are the intersection of the calling user's policies and the session policies
// passed here; with no session policy the session can do nothing (STS API reference,
// GetFederationToken). Requires `sts:GetFederationToken` on the federated-user ARN, and
// `sts:TagSession` to pass tags.
import type { OperationTable } from '../types.js';
import { issueSessionCredentials } from './credentials.js';
import { secretsOf } from '../iam/credential-owner.js';
import {
  accessDenied, checkPackedSize, checkSessionPolicies, optInt, optStr, packedPolicySize, policyArnsOf, sessionTagMap, str,
  tagSessionKeys, tagsOf,
} from './common.js';
import { federatedUserArn } from './session.js';
import { DEFAULT_SESSION_TOKEN_SECONDS, ROOT_SESSION_MAX_SECONDS } from './session-token.js';
import type { SessionClaimsInput } from './token.js';

export const federationTokenOperations: OperationTable = {
  async GetFederationToken(ctx, input) {
    const caller = ctx.caller;
    const p = caller.principal;
    if (caller.session || (p.kind !== 'user' && p.kind !== 'root')) {
      throw accessDenied('Cannot call GetFederationToken with session credentials');
    }
    const name = str(input, 'Name');
    const account = caller.accountId;
    const arn = federatedUserArn(account, name);
    const policy = optStr(input, 'Policy');
    const policyArns = policyArnsOf(input);
    checkSessionPolicies(policy, policyArns);
    const tags = sessionTagMap(tagsOf(input));
    const tagKeys = tagSessionKeys(tags, []);
    ctx.authorize('sts:GetFederationToken', arn, tagKeys);
    if (Object.keys(tags).length > 0) ctx.authorize('sts:TagSession', arn, tagKeys);

    const isRoot = p.kind === 'root';
    let duration = optInt(input, 'DurationSeconds') ?? DEFAULT_SESSION_TOKEN_SECONDS;
    if (isRoot && duration > ROOT_SESSION_MAX_SECONDS) duration = ROOT_SESSION_MAX_SECONDS;
    const packed = packedPolicySize(policy, policyArns, tags, []);
    checkPackedSize(packed);

    const claims: SessionClaimsInput = {
      type: 'federated-user',
      accountId: account,
      principal: isRoot
        ? { kind: 'federatedUser', federatedUserName: name }
        : { kind: 'federatedUser', federatedUserName: name, userName: caller.userName, userId: caller.userId, userArn: p.arn },
    };
    if (policy !== undefined) claims.policy = policy;
    if (policyArns.length > 0) claims.policyArns = policyArns;
    if (Object.keys(tags).length > 0) claims.tags = tags;
    const out: Record<string, unknown> = {
      Credentials: issueSessionCredentials(secretsOf(ctx), claims, ctx.now, duration),
      FederatedUser: { FederatedUserId: `${account}:${name}`, Arn: arn },
    };
    if (policy !== undefined || policyArns.length > 0 || Object.keys(tags).length > 0) out.PackedPolicySize = packed;
    return out;
  },
};
