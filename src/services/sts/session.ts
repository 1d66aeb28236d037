// Using temporary credentials: a session token presented with its `ASIA…` key id becomes a
// Caller (who the session acts as), and at each call the session's policies, tags and
// condition keys join the principal's own (service runtime, `createContext`).
//
// - Role sessions (AssumeRole*) act as `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, with the
//   role's policies and boundary, `aws:userid` = `AROA…:SESSION`. A role deleted since (or
//   deleted and re-created: its unique id differs) no longer resolves: the credentials are
//   refused as invalid, like the access key of a deleted user.
// - GetSessionToken sessions keep the user's (or root's) own identity.
// - AssumeRoot sessions act as the member account's root user, `arn:aws:iam::MEMBER:root`, with
//   the task policy as session policy (its denies filter the root's access).
// - GetFederationToken sessions act as `arn:aws:sts::ACCT:federated-user/NAME`
//   (`aws:userid` = `ACCT:NAME`), allowed by the intersection of the calling user's policies
//   (and boundary) and the session policies; without a session policy they can do nothing.
import type { SecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import { compilePolicy, parsePolicy, type CompiledPolicy, type PolicySet, type Principal } from '../../policy/index.js';
import type { AuthzSnapshot } from '../authz/snapshot.js';
import type { Caller, SessionClaims } from '../types.js';
import { rootArn } from '../iam/entities.js';
import { sessionTokenBox } from './credentials.js';
import { INVALID_TOKEN_MESSAGE, verifySessionToken, type SessionTokenClaims } from './token.js';

/** `caller.session` of a Warden session: the token's claims without the secret. */
export type CallerSession = SessionClaims & Omit<SessionTokenClaims, 'secretAccessKey'>;

export type SessionResolution =
  | { ok: true; secretAccessKey: string; caller: Caller }
  | { ok: false; code: 'InvalidClientTokenId' | 'ExpiredToken'; message: string };

export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

export function federatedUserArn(accountId: string, name: string): string {
  return `arn:aws:sts::${accountId}:federated-user/${name}`;
}

function compileText(text: string, type: 'session' | 'identity', id: string): CompiledPolicy | undefined {
  const parsed = parsePolicy(text, { type });
  return parsed.ok ? compilePolicy(parsed.policy, { id, type, name: id }) : undefined;
}

// Grants everything: the identity side of a federated user whose session came from the root
// user (the root user has every permission in its account; the session policy then decides).
const ROOT_IDENTITY: readonly CompiledPolicy[] = Object.freeze([
  compileText('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity', 'root')!,
]);
// Matches no action: stands in for session policies that no longer resolve (a managed policy
// deleted since), so that the session layer still applies and allows nothing.
const NOTHING = compileText('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","Resource":"*"}]}', 'session', 'none')!;
// Denies every action: stands in for the task policy of a root session (AssumeRoot) that no longer
// resolves. A root session's task policy only filters by its denies (policy/authorize.ts), so
// NOTHING would leave the root's full access: a root session fails closed instead.
const DENY_ALL = compileText('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', 'session', 'none')!;

const MAX_CACHE = 50_000;
/** Bound of the verified-token cache in characters of token text (tokens hold policies and tags). */
const MAX_CACHE_CHARS = 32 * 1024 * 1024;

/** What a session adds to one call's authorization. */
export interface SessionAuthorization {
  /** Identity policies, boundary and session policies to use (replace the principal's own). */
  policies: PolicySet;
  /** Principal tags: the principal's, overridden by the session tags. */
  tags: Readonly<Record<string, string>>;
  mfaPresent: boolean;
  mfaAuthAge?: number;
  tokenIssueTime: string;
  sourceIdentity?: string;
  /** Other keys of the session: `aws:FederatedProvider` for role sessions from OIDC/SAML federation. */
  keys?: Record<string, string>;
}

export interface SessionResolver {
  /** Verifies a session token and resolves its caller. */
  resolve(accessKeyId: string, token: string, now: Date): Promise<SessionResolution>;
  /** The policies, tags and keys of a session caller at `now`; undefined when the principal is gone. */
  authorization(caller: Caller, now: Date): SessionAuthorization | undefined;
  /** Throws AWS's error when the session's kind may not call `action` at all (see below). */
  restrict(caller: Caller, action: string): void;
}

export function createSessionResolver(opts: { snapshot: AuthzSnapshot; secrets: SecretBox }): SessionResolver {
  const { snapshot } = opts;
  const box = sessionTokenBox(opts.secrets);
  // Verified tokens (tampered ones are never cached); expiry is checked on every use.
  const verified = new Map<string, SessionTokenClaims>();
  let verifiedChars = 0;
  const inlineCache = new Map<string, CompiledPolicy | null>();
  // Per session: the session policy list (a stable array, so the engine's index is reused).
  const sessionLists = new Map<string, { key: string; list: readonly CompiledPolicy[] }>();

  function verify(accessKeyId: string, token: string, now: Date) {
    const cacheKey = `${accessKeyId}\u0000${token}`;
    const hit = verified.get(cacheKey);
    if (hit) {
      if (now.getTime() >= Date.parse(hit.expiresAt)) {
        verified.delete(cacheKey);
        return verifySessionToken(box, accessKeyId, token, now);
      }
      return { ok: true as const, claims: hit };
    }
    const r = verifySessionToken(box, accessKeyId, token, now);
    if (r.ok) {
      if (verified.size >= MAX_CACHE || verifiedChars + cacheKey.length > MAX_CACHE_CHARS) { verified.clear(); verifiedChars = 0; }
      verified.set(cacheKey, r.claims);
      verifiedChars += cacheKey.length;
    }
    return r;
  }

  function callerOf(c: SessionTokenClaims): Caller | undefined {
    const { secretAccessKey: _s, ...rest } = c;
    const session: CallerSession = rest;
    const account = c.accountId;
    const p = c.principal;
    switch (p.kind) {
      case 'assumedRole': {
        if (p.roleName === undefined || c.sessionName === undefined) return undefined;
        const role = snapshot.role(account, p.roleName);
        if (!role || (p.roleId !== undefined && role.doc.RoleId !== p.roleId)) return undefined;
        const principal: Principal = {
          kind: 'assumedRole', accountId: account, arn: assumedRoleArn(account, role.doc.RoleName, c.sessionName), roleArn: role.doc.Arn,
        };
        if (role.doc.ServiceLinked !== undefined) principal.serviceLinkedRole = true;
        if (p.federatedProvider !== undefined) principal.federatedProvider = p.federatedProvider;
        return { principal, accountId: account, accessKeyId: c.accessKeyId, userId: `${role.doc.RoleId}:${c.sessionName}`, roleName: role.doc.RoleName, session };
      }
      case 'user': {
        const user = p.userName !== undefined ? snapshot.user(account, p.userName) : undefined;
        if (!user || (p.userId !== undefined && user.doc.UserId !== p.userId)) return undefined;
        const principal: Principal = { kind: 'user', accountId: account, arn: user.doc.Arn };
        return { principal, accountId: account, accessKeyId: c.accessKeyId, userId: user.doc.UserId, userName: user.doc.UserName, session };
      }
      case 'root': {
        if (!snapshot.account(account)) return undefined;
        const principal: Principal = { kind: 'root', accountId: account, arn: rootArn(account) };
        return { principal, accountId: account, accessKeyId: c.accessKeyId, userId: account, session };
      }
      case 'federatedUser': {
        if (p.federatedUserName === undefined) return undefined;
        if (p.userName !== undefined) {
          const user = snapshot.user(account, p.userName);
          if (!user || (p.userId !== undefined && user.doc.UserId !== p.userId)) return undefined;
        } else if (!snapshot.account(account)) return undefined;
        const principal: Principal = { kind: 'federatedUser', accountId: account, arn: federatedUserArn(account, p.federatedUserName) };
        return { principal, accountId: account, accessKeyId: c.accessKeyId, userId: `${account}:${p.federatedUserName}`, session };
      }
    }
    return undefined;
  }

  function inlinePolicy(text: string): CompiledPolicy | undefined {
    let c = inlineCache.get(text);
    if (c === undefined) {
      c = compileText(text, 'session', 'session policy') ?? null;
      if (inlineCache.size >= 10_000) inlineCache.clear();
      inlineCache.set(text, c);
    }
    return c ?? undefined;
  }

  /** The session policies of a session, as a stable array while they do not change. */
  function sessionPolicies(s: CallerSession): readonly CompiledPolicy[] | undefined {
    if (s.policy === undefined && (s.policyArns === undefined || s.policyArns.length === 0)) return undefined;
    const list: CompiledPolicy[] = [];
    if (s.policy !== undefined) {
      const c = inlinePolicy(s.policy);
      if (c) list.push(c);
    }
    for (const arn of s.policyArns ?? []) {
      const c = snapshot.managedPolicy(s.accountId, arn);
      if (c) list.push(c);
    }
    if (list.length === 0) list.push(s.type === 'assumed-root' ? DENY_ALL : NOTHING);
    const key = list.map((p) => `${p.id}\u0001${p.arn ?? ''}`).join('\u0000');
    const cached = sessionLists.get(s.accessKeyId);
    if (cached && cached.key === key && cached.list.length === list.length && cached.list.every((p, i) => p === list[i])) return cached.list;
    if (sessionLists.size >= MAX_CACHE) sessionLists.clear();
    sessionLists.set(s.accessKeyId, { key, list });
    return list;
  }

  return {
    async resolve(accessKeyId, token, now) {
      const r = verify(accessKeyId, token, now);
      if (!r.ok) return r;
      let caller = callerOf(r.claims);
      if (!caller) {
        // Issued a moment ago on another node for a principal this node has not seen yet.
        await snapshot.sync();
        caller = callerOf(r.claims);
      }
      if (!caller) return { ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN_MESSAGE };
      return { ok: true, secretAccessKey: r.claims.secretAccessKey, caller };
    },

    authorization(caller, now) {
      const s = caller.session as CallerSession | undefined;
      if (!s || typeof s.accountId !== 'string') return undefined;
      const p = s.principal;
      const policies: PolicySet = {};
      let own: Readonly<Record<string, string>> = {};
      if (p.kind === 'assumedRole' && caller.roleName !== undefined) {
        const r = snapshot.role(caller.accountId, caller.roleName);
        if (!r) return undefined;
        policies.identity = r.policies.identity;
        if (r.policies.boundary) policies.boundary = r.policies.boundary;
        own = r.policies.tags;
      } else if ((p.kind === 'user' || p.kind === 'federatedUser') && p.userName !== undefined) {
        const u = snapshot.user(caller.accountId, p.userName);
        if (!u) return undefined;
        policies.identity = u.policies.identity;
        if (u.policies.boundary) policies.boundary = u.policies.boundary;
        own = u.policies.tags;
      } else if (p.kind === 'federatedUser') {
        policies.identity = ROOT_IDENTITY;
      }
      const session = sessionPolicies(s);
      if (session) policies.session = session;
      const out: SessionAuthorization = {
        policies,
        tags: s.tags && Object.keys(s.tags).length > 0 ? { ...own, ...s.tags } : own,
        mfaPresent: s.mfaAuthenticated === true,
        tokenIssueTime: s.issuedAt,
      };
      if (s.mfaAuthenticated === true && s.mfaAuthTime !== undefined) {
        const t = Date.parse(s.mfaAuthTime);
        if (Number.isFinite(t)) out.mfaAuthAge = Math.max(0, Math.floor((now.getTime() - t) / 1000));
      }
      if (s.sourceIdentity !== undefined) out.sourceIdentity = s.sourceIdentity;
      if (p.federatedProvider !== undefined) out.keys = { 'aws:FederatedProvider': p.federatedProvider };
      return out;
    },

    restrict(caller, action) {
      const s = caller.session;
      if (!s) return;
      const a = action.toLowerCase();
      // GetSessionToken credentials "cannot call any IAM API operations unless MFA authentication
      // information is included in the request"; GetFederationToken credentials cannot call IAM
      // at all (IAM User Guide, "Comparing the AWS STS credentials"). AWS refuses the token.
      if (a.startsWith('iam:')) {
        if (s.type === 'federated-user' || (s.type === 'session-token' && s.mfaAuthenticated !== true)) {
          throw new AwsError('InvalidClientTokenId', INVALID_TOKEN_MESSAGE, { status: 403, type: 'Sender' });
        }
      }
    },
  };
}
