// AssumeRole, as AWS does it (STS API reference, AssumeRole; IAM User Guide, "Policy
// evaluation logic", "Session tags", "Role chaining", "Confused deputy").
//
// - The role's trust policy is the resource policy of `sts:AssumeRole` on the role: within one
//   account a trust policy naming the caller decides alone, one naming the account needs the
//   caller's identity policies too; across accounts both sides must allow (the engine's rules).
// - `sts:TagSession` is authorized the same way when Tags / TransitiveTagKeys are passed, and
//   `sts:SetSourceIdentity` when SourceIdentity is; the trust policy sees `sts:ExternalId`,
//   `sts:RoleSessionName`, `sts:SourceIdentity`, `aws:RequestTag/…`, `aws:TagKeys`,
//   `sts:TransitiveTagKeys`, and `aws:MultiFactorAuthPresent` / `Age` when a code was given.
// - A role session assuming a role is role chaining: at most one hour; the calling session's
//   transitive tags and source identity pass to the new session.
import type { AuthzSnapshot } from '../authz/snapshot.js';
import type { CallContext, OperationTable } from '../types.js';
import { KIND, isoNow, type RoleDoc } from '../iam/entities.js';
import { issueSessionCredentials } from './credentials.js';
import { secretsOf } from '../iam/credential-owner.js';
import {
  accessDenied, checkPackedSize, checkSessionPolicies, optInt, optStr, packedPolicySize, policyArnsOf, sessionTagMap, str,
  stringList, tagSessionKeys, tagsOf, validationError,
} from './common.js';
import { verifyMfa } from './mfa.js';
import { assumedRoleArn, type CallerSession } from './session.js';
import type { SessionClaimsInput } from './token.js';

export const DEFAULT_ROLE_SESSION_SECONDS = 3600;
/** Role chaining caps the session at one hour (IAM User Guide, "Role chaining"). */
export const ROLE_CHAINING_MAX_SECONDS = 3600;
/** How often (per account, per node) AssumeRole writes the RoleLastUsed it noted. */
export const ROLE_LAST_USED_DEBOUNCE_MS = 60_000;

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;

export const MSG_MAX_SESSION = 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
export const MSG_CHAINING = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
export const MSG_ROOT = 'Roles may not be assumed by root accounts.';

export interface StsDeps {
  snapshot: AuthzSnapshot;
}

/** The role an ARN names, from the snapshot (no database read), or undefined. */
export function roleOfArn(snapshot: AuthzSnapshot, roleArn: string): { account: string; doc: RoleDoc } | undefined {
  const m = ROLE_ARN.exec(roleArn);
  if (!m) return undefined;
  const r = snapshot.role(m[1], m[2]);
  if (!r) return undefined;
  // A path in the ARN must be the role's own.
  if (roleArn.includes(':role/') && roleArn.slice(roleArn.indexOf(':role/') + 6).includes('/') && r.doc.Arn !== roleArn) return undefined;
  return { account: m[1], doc: r.doc };
}

function notAuthorized(ctx: CallContext, roleArn: string): Error {
  return accessDenied(`User: ${ctx.caller.principal.arn ?? 'anonymous'} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
}

export function assumeRoleOperations(deps: StsDeps): OperationTable {
  // RoleLastUsed, batched per account: every use is noted, and at most once a minute per
  // account (per node) the noted uses are written in one transaction. Each write makes the
  // authorization snapshot reload the account, so the bound is per account, not per role.
  const pending = new Map<string, Map<string, { date: string; region: string }>>();
  const lastFlush = new Map<string, number>();

  async function recordRoleLastUsed(ctx: CallContext, account: string, roleName: string): Promise<void> {
    let uses = pending.get(account);
    if (!uses) { uses = new Map(); pending.set(account, uses); }
    uses.set(roleName.toLowerCase(), { date: isoNow(ctx.now), region: ctx.region });
    const t = ctx.now.getTime();
    const last = lastFlush.get(account);
    if (last !== undefined && t - last < ROLE_LAST_USED_DEBOUNCE_MS) return;
    lastFlush.set(account, t);
    pending.delete(account);
    try {
      await ctx.store.transaction(async (tx) => {
        for (const [name, use] of uses) {
          const r = await tx.get<RoleDoc>(KIND.role, account, name);
          if (!r) continue;
          await tx.update({ kind: KIND.role, account, key: r.key, data: { ...r.data, RoleLastUsed: { LastUsedDate: use.date, Region: use.region } } });
        }
      });
    } catch {
      // Best effort, as AWS's own tracking ("may take up to 4 hours"): never fail the call for it.
    }
  }

  return {
    async AssumeRole(ctx, input) {
      const caller = ctx.caller;
      const p = caller.principal;
      const roleArn = str(input, 'RoleArn');
      const sessionName = str(input, 'RoleSessionName');
      if (p.kind === 'root') throw accessDenied(MSG_ROOT);
      if (caller.session?.type === 'federated-user') throw accessDenied('Cannot call AssumeRole with session credentials');
      if (p.kind !== 'user' && p.kind !== 'assumedRole') throw notAuthorized(ctx, roleArn);
      const callerSession = caller.session as CallerSession | undefined;
      const chained = p.kind === 'assumedRole';

      // Inputs that need no role.
      const policy = optStr(input, 'Policy');
      const policyArns = policyArnsOf(input);
      checkSessionPolicies(policy, policyArns);
      const requestTags = sessionTagMap(tagsOf(input));
      const requestTransitive = stringList(input, 'TransitiveTagKeys');
      const lowerRequestTags = new Set(Object.keys(requestTags).map((k) => k.toLowerCase()));
      for (const k of requestTransitive) {
        if (!lowerRequestTags.has(k.toLowerCase())) throw validationError(`The transitive tag key ${k} is not one of the session tags passed in the request.`);
      }
      // Transitive tags of the calling session pass on; the request may not override them.
      const inherited: Record<string, string> = {};
      const inheritedKeys: string[] = [];
      if (chained && callerSession?.transitiveTagKeys && callerSession.tags) {
        for (const k of callerSession.transitiveTagKeys) {
          const v = callerSession.tags[k];
          if (v === undefined) continue;
          if (lowerRequestTags.has(k.toLowerCase())) {
            throw validationError(`The session tag ${k} is a transitive tag inherited from the calling session and cannot be overridden.`);
          }
          inherited[k] = v;
          inheritedKeys.push(k);
        }
      }
      const sourceIdentityIn = optStr(input, 'SourceIdentity');
      const inheritedSource = callerSession?.sourceIdentity;
      if (sourceIdentityIn !== undefined && inheritedSource !== undefined && sourceIdentityIn !== inheritedSource) {
        throw validationError('The source identity of a role chain cannot be changed once it is set.');
      }
      if (sourceIdentityIn !== undefined && /^aws:/i.test(sourceIdentityIn)) {
        throw validationError('SourceIdentity cannot start with the reserved prefix aws:');
      }
      const sourceIdentity = sourceIdentityIn ?? inheritedSource;

      // MFA given in this request: checked first, so that the trust policy sees it.
      const serial = optStr(input, 'SerialNumber');
      const code = optStr(input, 'TokenCode');
      let mfaAuthenticated = callerSession?.mfaAuthenticated === true;
      let mfaAuthTime = callerSession?.mfaAuthTime;
      const mfaKeys: Record<string, string> = {};
      if (serial !== undefined || code !== undefined) {
        await verifyMfa(ctx.store, ctx.secrets, caller.accountId, p.kind === 'user' ? caller.userName ?? '' : '\u0000role', serial, code, ctx.now);
        mfaAuthenticated = true;
        mfaAuthTime = isoNow(ctx.now);
        mfaKeys['aws:MultiFactorAuthPresent'] = 'true';
        mfaKeys['aws:MultiFactorAuthAge'] = '0';
      }

      const role = roleOfArn(deps.snapshot, roleArn);
      if (!role) throw notAuthorized(ctx, roleArn);
      const trust = { id: role.doc.Arn, document: role.doc.AssumeRolePolicyDocument, kind: 'trust' as const };
      const tagKeys = tagSessionKeys(requestTags, requestTransitive);
      ctx.authorize('sts:AssumeRole', role.doc.Arn, {
        'sts:ExternalId': optStr(input, 'ExternalId'),
        'sts:RoleSessionName': sessionName,
        'sts:SourceIdentity': sourceIdentity,
        ...tagKeys,
        ...mfaKeys,
      }, { resourcePolicy: trust, resourceAccount: role.account });
      if (Object.keys(requestTags).length > 0 || requestTransitive.length > 0) {
        ctx.authorize('sts:TagSession', role.doc.Arn, { ...tagKeys, ...mfaKeys }, { resourcePolicy: trust, resourceAccount: role.account });
      }
      if (sourceIdentityIn !== undefined) {
        ctx.authorize('sts:SetSourceIdentity', role.doc.Arn, { 'sts:SourceIdentity': sourceIdentityIn, ...mfaKeys }, { resourcePolicy: trust, resourceAccount: role.account });
      }

      const duration = optInt(input, 'DurationSeconds') ?? DEFAULT_ROLE_SESSION_SECONDS;
      if (duration > role.doc.MaxSessionDuration) throw validationError(MSG_MAX_SESSION);
      if (chained && duration > ROLE_CHAINING_MAX_SECONDS) throw validationError(MSG_CHAINING);

      const tags = { ...inherited, ...requestTags };
      const transitive = [...inheritedKeys, ...requestTransitive];
      const packed = packedPolicySize(policy, policyArns, tags, transitive);
      checkPackedSize(packed);

      const claims: SessionClaimsInput = {
        type: 'assumed-role',
        accountId: role.account,
        principal: { kind: 'assumedRole', roleArn: role.doc.Arn, roleName: role.doc.RoleName, roleId: role.doc.RoleId },
        sessionName,
        chained,
      };
      if (policy !== undefined) claims.policy = policy;
      if (policyArns.length > 0) claims.policyArns = policyArns;
      if (Object.keys(tags).length > 0) claims.tags = tags;
      if (transitive.length > 0) claims.transitiveTagKeys = transitive;
      if (sourceIdentity !== undefined) claims.sourceIdentity = sourceIdentity;
      if (mfaAuthenticated) { claims.mfaAuthenticated = true; if (mfaAuthTime) claims.mfaAuthTime = mfaAuthTime; }
      const credentials = issueSessionCredentials(secretsOf(ctx), claims, ctx.now, duration);
      await recordRoleLastUsed(ctx, role.account, role.doc.RoleName);

      const out: Record<string, unknown> = {
        Credentials: credentials,
        AssumedRoleUser: { AssumedRoleId: `${role.doc.RoleId}:${sessionName}`, Arn: assumedRoleArn(role.account, role.doc.RoleName, sessionName) },
      };
      if (policy !== undefined || policyArns.length > 0 || Object.keys(tags).length > 0) out.PackedPolicySize = packed;
      if (sourceIdentity !== undefined) out.SourceIdentity = sourceIdentity;
      return out;
    },
  };
}
