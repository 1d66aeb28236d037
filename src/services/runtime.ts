// Wires the services to the store and the engine: resolves credentials to callers, builds each
// call's context (with its authorize function) and holds the operation tables.
import { timingSafeEqual } from 'node:crypto';
import type { OpenOptions, Store } from '../store/index.js';
import type { SecretBox } from '../crypto/secrets.js';
import { AwsError } from '../protocol/index.js';
import {
  authorize as decide, accountOfArn, buildRequestContext, compilePolicy, lazyRequestContext, parsePolicy,
  type CompiledPolicy, type ContextValue, type Explanation, type PolicySet, type Principal,
} from '../policy/index.js';
import { AuthzSnapshot } from './authz/snapshot.js';
import type { AuthorizeCallOptions, CallContext, Caller, OperationTable, PrincipalReplica } from './types.js';
import { rootArn } from './iam/entities.js';
import { iamOperations } from './iam/index.js';
import { organizationsOperations } from './organizations/index.js';
import { createSessionResolver, type SessionAuthorization } from './sts/session.js';
import { createStsOperations } from './sts/index.js';
import { encodedAccessDenied, type EncodeOption } from './sts/authorization-message.js';
// AUDIT HOOK (issue 6): the audit trail the server records every call into, and CloudTrail's LookupEvents.
import { auditEnabledByEnv, createAuditTrail, type AuditTrail } from './audit/trail.js';
import { cloudtrailOperations } from './audit/lookup.js';
import { analyzerOperations } from './analyzer/index.js';

// The shapes the server depends on (server/service-runtime.ts), implemented here.
export type { RequestInfo, ResolvedCredentials as CredentialResult } from '../server/service-runtime.js';
import type { RequestInfo, ResolvedCredentials as CredentialResult } from '../server/service-runtime.js';

export interface ServiceRuntime {
  store: Store;
  secrets: SecretBox;
  /** The public base URL outbound federation issuers live under. */
  publicUrl?: string;
  snapshot: AuthzSnapshot;
  resolveCredentials(accessKeyId: string, sessionToken: string | undefined, now: Date): Promise<CredentialResult>;
  createContext(caller: Caller, request: RequestInfo): CallContext;
  operations: { iam: OperationTable; sts?: OperationTable; organizations?: OperationTable; cloudtrail?: OperationTable; accessanalyzer?: OperationTable };
  /** AUDIT HOOK: where the server records each call (durably, before answering). */
  audit: AuditTrail;
  /** Waits until this node's snapshot reflects every committed write (read-your-writes). */
  afterWrite(): Promise<void>;
  close(): Promise<void>;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export async function createServiceRuntime(opts: {
  store: Store; secrets: SecretBox; accountId?: string;
  /** Default: on unless WARDEN_AUDIT=off (benchmarks only). */
  audit?: boolean;
  /** Where `store` was opened from: audit events are then appended on a writer thread of their own (the served setup). */
  storeOptions?: OpenOptions;
  /** The server's public base URL (outbound identity federation issuers live under it). */
  publicUrl?: string;
}): Promise<ServiceRuntime> {
  const { store, secrets } = opts;
  const snapshot = await AuthzSnapshot.open(store);
  const secretCache = new Map<string, { encrypted: string; secret: string }>();
  const sessions = createSessionResolver({ snapshot, secrets });

  async function resolveCredentials(accessKeyId: string, sessionToken: string | undefined, now: Date): Promise<CredentialResult> {
    // Temporary credentials: a stateless session token bound to its ASIA key id (sts/session.ts).
    if (sessionToken !== undefined) return sessions.resolve(accessKeyId, sessionToken, now);
    let key = snapshot.accessKey(accessKeyId);
    if (!key) {
      // A key created on another node a moment ago: catch up once before refusing.
      await snapshot.sync();
      key = snapshot.accessKey(accessKeyId);
    }
    if (!key || key.status !== 'Active') return { ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN };
    let cached = secretCache.get(accessKeyId);
    if (!cached || cached.encrypted !== key.secretEncrypted) {
      cached = { encrypted: key.secretEncrypted, secret: secrets.decrypt(key.secretEncrypted) };
      secretCache.set(accessKeyId, cached);
    }
    const account = key.accountId;
    if (key.userName === '') {
      const principal: Principal = { kind: 'root', accountId: account, arn: rootArn(account) };
      return { ok: true, secretAccessKey: cached.secret, caller: { principal, accountId: account, accessKeyId, userId: account } };
    }
    const user = snapshot.user(account, key.userName);
    if (!user) return { ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN };
    const principal: Principal = { kind: 'user', accountId: account, arn: user.doc.Arn };
    return {
      ok: true, secretAccessKey: cached.secret,
      caller: { principal, accountId: account, accessKeyId, userId: user.doc.UserId, userName: user.doc.UserName },
    };
  }

  const resourcePolicyCache = new Map<string, CompiledPolicy>();
  function compiledResourcePolicy(p: NonNullable<AuthorizeCallOptions['resourcePolicy']>): CompiledPolicy | undefined {
    const cacheKey = `${p.kind}\u0000${p.id}\u0000${p.document}`;
    let c = resourcePolicyCache.get(cacheKey);
    if (!c) {
      const parsed = parsePolicy(p.document, { type: p.kind === 'trust' ? 'trust' : 'resource' });
      if (!parsed.ok) return undefined;
      c = compilePolicy(parsed.policy, { id: p.id, type: p.kind === 'trust' ? 'trust' : 'resource', name: p.id });
      if (resourcePolicyCache.size > 10_000) resourcePolicyCache.clear();
      resourcePolicyCache.set(cacheKey, c);
    }
    return c;
  }

  const principals: PrincipalReplica = {
    user: (accountId, name) => snapshot.user(accountId, name)?.doc,
    role: (accountId, name) => snapshot.role(accountId, name)?.doc,
  };

  function createContext(caller: Caller, request: RequestInfo): CallContext {
    const ctx: CallContext = {
      principals,
      requestId: request.requestId,
      caller,
      now: request.now,
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
      region: request.region,
      secureTransport: request.secureTransport,
      store,
      secrets,
      publicUrl: opts.publicUrl,
      authorize(action: string, resource: string, extra?: Record<string, ContextValue | undefined>, o?: AuthorizeCallOptions & EncodeOption): Explanation {
        const p = caller.principal;
        let policies: PolicySet = {};
        let tags: Readonly<Record<string, string>> | undefined;
        // Temporary credentials: the session's policies, tags and MFA/issue-time keys.
        let sa: SessionAuthorization | undefined;
        if (caller.session) {
          sessions.restrict(caller, action);
          sa = sessions.authorization(caller, request.now);
          if (sa) { policies = { ...sa.policies }; tags = sa.tags; }
        } else if (p.kind === 'user' && caller.userName !== undefined) {
          const u = snapshot.user(caller.accountId, caller.userName);
          if (u) {
            policies.identity = u.policies.identity;
            if (u.policies.boundary) policies.boundary = u.policies.boundary;
            tags = u.policies.tags;
          }
        } else if (p.kind === 'assumedRole' && caller.roleName !== undefined) {
          const r = snapshot.role(caller.accountId, caller.roleName);
          if (r) {
            policies.identity = r.policies.identity;
            if (r.policies.boundary) policies.boundary = r.policies.boundary;
            tags = r.policies.tags;
          }
        }
        if (o?.resourcePolicy) {
          const rp = compiledResourcePolicy(o.resourcePolicy);
          if (rp) { policies.resource = rp; policies.resourcePolicyKind = o.resourcePolicy.kind; }
        }
        // Organizations (authz/organization.ts): SCPs of the caller's account, RCPs of the resource's
        // account, the management account, and the org condition keys.
        const org = snapshot.organization().inputs(caller.accountId, o?.resourceAccount ?? accountOfArn(resource) ?? caller.accountId);
        if (org.scp) policies.scp = org.scp;
        if (org.rcp) policies.rcp = org.rcp;
        // Built on first read: a decision whose statements have no conditions or variables reads none.
        const context = lazyRequestContext(() => buildRequestContext({
          principal: p,
          orgId: org.orgId,
          orgPaths: org.orgPaths,
          userName: caller.userName,
          userId: caller.userId,
          tags,
          sourceIp: request.sourceIp,
          region: request.region,
          secureTransport: request.secureTransport,
          now: request.now,
          userAgent: request.userAgent,
          tokenIssueTime: caller.session?.issuedAt,
          mfaPresent: caller.session ? caller.session.mfaAuthenticated === true : undefined,
          mfaAuthAge: sa?.mfaAuthAge,
          sourceIdentity: sa?.sourceIdentity,
          extra: { ...sa?.keys, ...org.resourceKeys, ...extra },
        }));
        const explanation = decide({
          principal: p, action, resource, context, policies,
          organization: { managementAccountId: org.managementAccountId },
          resourceAccount: o?.resourceAccount ?? caller.accountId,
        });
        if (explanation.decision !== 'Allow') {
          if (o?.encodeMessage) throw encodedAccessDenied(secrets, explanation, { action, resource, context, principal: p, userId: caller.userId });
          throw new AwsError('AccessDenied', explanation.message, { status: 403, type: 'Sender' });
        }
        return explanation;
      },
    };
    return ctx;
  }

  // AUDIT HOOK: events of unknown callers go to the management account; a failed signature's
  // event names the owner of the (long-term) key it was made with.
  const audit = createAuditTrail({
    store,
    fallbackAccount: opts.accountId ?? '',
    enabled: opts.audit ?? auditEnabledByEnv(),
    writerThread: opts.storeOptions,
    keyOwner(accessKeyId) {
      const key = snapshot.accessKey(accessKeyId);
      if (!key) return undefined;
      if (key.userName === '') return { accountId: key.accountId, principalId: key.accountId, arn: rootArn(key.accountId) };
      const user = snapshot.user(key.accountId, key.userName);
      return user ? { accountId: key.accountId, userName: user.doc.UserName, principalId: user.doc.UserId, arn: user.doc.Arn } : undefined;
    },
  });
  // A writer thread that cannot open the store stops the start, not the first request.
  await audit.whenReady();

  return {
    store,
    secrets,
    publicUrl: opts.publicUrl,
    snapshot,
    resolveCredentials,
    createContext,
    operations: {
      iam: iamOperations, organizations: organizationsOperations, sts: createStsOperations({ snapshot }), cloudtrail: cloudtrailOperations, accessanalyzer: analyzerOperations,
    },
    audit,
    afterWrite: () => snapshot.sync(),
    async close() {
      await audit.close();
      snapshot.close();
    },
  };
}

/** Constant-time string equality (for secrets compared outside SigV4). */
export function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
