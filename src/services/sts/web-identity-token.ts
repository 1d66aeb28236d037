// GetWebIdentityToken (STS API reference): a JWT, signed by the account's outbound issuer
// (iam/outbound-issuer.ts), that represents the calling identity to an external service.
//
// - Authorized as `sts:GetWebIdentityToken` on `*` with `sts:IdentityTokenAudience` (every
//   audience), `sts:DurationSeconds`, `sts:SigningAlgorithm`, and with Tags also
//   `aws:RequestTag/…` and `aws:TagKeys`; passing Tags also needs `sts:TagGetWebIdentityToken`
//   (IAM User Guide, "Controlling access with IAM policies" of outbound identity federation).
// - The account must have enabled outbound federation (OutboundWebIdentityFederationDisabledException).
// - Temporary credentials cannot get a token that outlives them (SessionDurationEscalationException).
// - Claims as the IAM User Guide's "Understanding token claims" lists them: iss, aud (a string
//   for one audience, else the list), sub = the ARN of the IAM principal (for a role session the
//   role's ARN, as in AWS's sample), iat, exp, jti; under `https://sts.amazonaws.com/`:
//   aws_account, source_region, org_id and ou_path (in an organization), principal_tags (the
//   `aws:PrincipalTag` set: the principal's tags overridden by session tags), and of the session
//   original_session_exp (role sessions), federated_provider, source_identity; request_tags = Tags.
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { AuthzSnapshot } from '../authz/snapshot.js';
import { isoNow, rootArn } from '../iam/entities.js';
import { secretsOf } from '../iam/credential-owner.js';
import {
  currentKey, isSigningAlgorithm, issuerUrl, readOutboundFederation, signingKeyObject,
} from '../iam/outbound-issuer.js';
import type { Caller, OperationTable } from '../types.js';
import { optInt, sessionTagMap, str, stringList, stsError, tagSessionKeys, tagsOf, validationError } from './common.js';
import type { CallerSession } from './session.js';

/** Default lifetime of a token (STS API reference, GetWebIdentityToken `DurationSeconds`). */
export const DEFAULT_TOKEN_SECONDS = 300;
/** The namespace of AWS's own claims. */
export const AWS_CLAIMS_NAMESPACE = 'https://sts.amazonaws.com/';
/**
 * Largest JWT payload Warden signs, in bytes of its JSON. AWS does not publish its limit
 * (JWTPayloadSizeExceededException: "Reduce the number of request tags"); 8 KiB holds the
 * identity claims and a few dozen short tags, not 50 long ones.
 */
export const MAX_PAYLOAD_BYTES = 8192;

/** The ARN the token's `sub` names: the IAM principal behind the credentials. */
export function subjectOf(caller: Caller): string {
  const p = caller.principal;
  if (p.kind === 'assumedRole' && p.roleArn !== undefined) return p.roleArn;
  if (p.kind === 'root') return rootArn(caller.accountId);
  return p.arn ?? rootArn(caller.accountId);
}

/** `aws:PrincipalTag`'s set: the user's or role's tags, overridden by session tags. */
export function principalTagsOf(snapshot: AuthzSnapshot, caller: Caller): Record<string, string> {
  const s = caller.session as CallerSession | undefined;
  let own: Readonly<Record<string, string>> = {};
  if (caller.principal.kind === 'assumedRole' && caller.roleName !== undefined) {
    own = snapshot.role(caller.accountId, caller.roleName)?.policies.tags ?? {};
  } else {
    const userName = caller.userName ?? s?.principal?.userName;
    if (userName !== undefined) own = snapshot.user(caller.accountId, userName)?.policies.tags ?? {};
  }
  return { ...own, ...s?.tags };
}

export function webIdentityTokenOperations(deps: { snapshot: AuthzSnapshot }): OperationTable {
  return {
    async GetWebIdentityToken(ctx, input) {
      const caller = ctx.caller;
      const audiences = stringList(input, 'Audience');
      const algorithm = str(input, 'SigningAlgorithm');
      if (!isSigningAlgorithm(algorithm)) {
        throw validationError(`1 validation error detected: Value '${algorithm}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]`);
      }
      const duration = optInt(input, 'DurationSeconds') ?? DEFAULT_TOKEN_SECONDS;
      const requestTags = sessionTagMap(tagsOf(input));
      const keys = {
        'sts:IdentityTokenAudience': audiences,
        'sts:DurationSeconds': String(duration),
        'sts:SigningAlgorithm': algorithm,
        ...tagSessionKeys(requestTags, []),
      };
      ctx.authorize('sts:GetWebIdentityToken', '*', keys);
      if (Object.keys(requestTags).length > 0) ctx.authorize('sts:TagGetWebIdentityToken', '*', keys);

      const account = caller.accountId;
      const doc = await ctx.store.read((tx) => readOutboundFederation(tx, account));
      if (!doc || !doc.Enabled) {
        throw stsError('OutboundWebIdentityFederationDisabledException', 'Outbound web identity federation is not enabled for this account.');
      }
      if (ctx.publicUrl === undefined) throw new Error('the service runtime gave no public URL');
      const key = currentKey(doc, algorithm);
      if (!key) throw new Error(`the outbound issuer of account ${account} has no ${algorithm} key`);

      const iat = Math.floor(ctx.now.getTime() / 1000);
      const exp = iat + duration;
      const session = caller.session as CallerSession | undefined;
      if (session && exp * 1000 > Date.parse(session.expiresAt)) {
        throw stsError('SessionDurationEscalationException', 'The requested token duration would extend the session beyond its original expiration time.');
      }

      const aws: Record<string, unknown> = { aws_account: account, source_region: ctx.region };
      const org = deps.snapshot.organization();
      const orgId = org.orgId(account);
      if (orgId !== undefined) aws.org_id = orgId;
      const paths = org.orgPaths(account);
      if (paths !== undefined && paths.length > 0) aws.ou_path = paths.length === 1 ? paths[0] : [...paths];
      const principalTags = principalTagsOf(deps.snapshot, caller);
      if (Object.keys(principalTags).length > 0) aws.principal_tags = principalTags;
      if (session?.type === 'assumed-role') aws.original_session_exp = isoNow(new Date(session.expiresAt));
      if (session?.principal?.federatedProvider !== undefined) aws.federated_provider = session.principal.federatedProvider;
      if (session?.sourceIdentity !== undefined) aws.source_identity = session.sourceIdentity;
      if (Object.keys(requestTags).length > 0) aws.request_tags = requestTags;

      const payload: JWTPayload = {
        iss: issuerUrl(ctx.publicUrl, doc.IssuerId),
        aud: audiences.length === 1 ? audiences[0] : audiences,
        sub: subjectOf(caller),
        iat,
        exp,
        jti: randomUUID(),
        [AWS_CLAIMS_NAMESPACE]: aws,
      };
      if (Buffer.byteLength(JSON.stringify(payload), 'utf8') > MAX_PAYLOAD_BYTES) {
        throw stsError('JWTPayloadSizeExceededException', 'The requested token payload size exceeds the maximum allowed size.');
      }
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: algorithm, kid: key.kid, typ: 'JWT' })
        .sign(signingKeyObject(secretsOf(ctx), account, key));
      return { WebIdentityToken: token, Expiration: isoNow(new Date(exp * 1000)) };
    },
  };
}
