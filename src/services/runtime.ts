// Wires the services to the store and the engine: resolves credentials to callers, builds each
// call's context (with its authorize function) and holds the operation tables.
import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { SecretBox } from '../crypto/secrets.js';
import { AwsError } from '../protocol/index.js';
import {
  authorize as decide, buildRequestContext, compilePolicy, parsePolicy,
  type CompiledPolicy, type ContextValue, type Explanation, type PolicySet, type Principal,
} from '../policy/index.js';
import { AuthzSnapshot } from './authz/snapshot.js';
import type { AuthorizeCallOptions, CallContext, Caller, OperationTable } from './types.js';
import { rootArn } from './iam/entities.js';
import { iamOperations } from './iam/index.js';

export type CredentialResult =
  | { ok: true; secretAccessKey: string; caller: Caller }
  | { ok: false; code: 'InvalidClientTokenId' | 'ExpiredToken' | 'AccessDenied'; message: string };

export interface RequestInfo {
  requestId: string;
  sourceIp: string;
  userAgent?: string;
  region: string;
  secureTransport: boolean;
  now: Date;
}

export interface ServiceRuntime {
  store: Store;
  secrets: SecretBox;
  snapshot: AuthzSnapshot;
  resolveCredentials(accessKeyId: string, sessionToken: string | undefined, now: Date): Promise<CredentialResult>;
  createContext(caller: Caller, request: RequestInfo): CallContext;
  operations: { iam: OperationTable; sts?: OperationTable; organizations?: OperationTable };
  /** Waits until this node's snapshot reflects every committed write (read-your-writes). */
  afterWrite(): Promise<void>;
  close(): Promise<void>;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export async function createServiceRuntime(opts: { store: Store; secrets: SecretBox; accountId?: string }): Promise<ServiceRuntime> {
  const { store, secrets } = opts;
  const snapshot = await AuthzSnapshot.open(store);
  const secretCache = new Map<string, { encrypted: string; secret: string }>();

  async function resolveCredentials(accessKeyId: string, sessionToken: string | undefined, _now: Date): Promise<CredentialResult> {
    if (sessionToken !== undefined) {
      // Temporary credentials are the STS issue; until then no session token is valid.
      return { ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN };
    }
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

  function createContext(caller: Caller, request: RequestInfo): CallContext {
    const ctx: CallContext = {
      requestId: request.requestId,
      caller,
      now: request.now,
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
      region: request.region,
      secureTransport: request.secureTransport,
      store,
      secrets,
      authorize(action: string, resource: string, extra?: Record<string, ContextValue | undefined>, o?: AuthorizeCallOptions): Explanation {
        const p = caller.principal;
        const policies: PolicySet = {};
        let tags: Readonly<Record<string, string>> | undefined;
        if (p.kind === 'user' && caller.userName !== undefined) {
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
            tags = { ...r.policies.tags, ...(caller.session?.tags ?? {}) };
          }
        }
        if (o?.resourcePolicy) {
          const rp = compiledResourcePolicy(o.resourcePolicy);
          if (rp) { policies.resource = rp; policies.resourcePolicyKind = o.resourcePolicy.kind; }
        }
        const context = buildRequestContext({
          principal: p,
          userName: caller.userName,
          userId: caller.userId,
          tags,
          sourceIp: request.sourceIp,
          region: request.region,
          secureTransport: request.secureTransport,
          currentTime: request.now.toISOString(),
          userAgent: request.userAgent,
          tokenIssueTime: caller.session?.issuedAt,
          mfaPresent: caller.session ? caller.session.mfaAuthenticated === true : undefined,
          extra,
        });
        const explanation = decide({
          principal: p, action, resource, context, policies,
          resourceAccount: o?.resourceAccount ?? caller.accountId,
        });
        if (explanation.decision !== 'Allow') {
          throw new AwsError('AccessDenied', explanation.message, { status: 403, type: 'Sender' });
        }
        return explanation;
      },
    };
    return ctx;
  }

  return {
    store,
    secrets,
    snapshot,
    resolveCredentials,
    createContext,
    operations: { iam: iamOperations },
    afterWrite: () => snapshot.sync(),
    async close() {
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
