// The request-context builder: from who is asking and how, the global condition keys AWS
// populates, so callers never assemble them by hand.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
import type { ContextValue, Principal, RequestContext } from './types.js';

export interface RequestContextInput {
  principal: Principal;
  /** The IAM user's name (for `aws:username`; IAM users only). */
  userName?: string;
  /** `aws:userid`: the user's unique id, `ROLEID:session` for role sessions, `account:name` for federated users. */
  userId?: string;
  /** Tags of the principal (user or role, plus session tags). */
  tags?: Readonly<Record<string, string>>;
  orgId?: string;
  orgPaths?: readonly string[];
  mfaPresent?: boolean;
  /** Seconds since MFA authentication. */
  mfaAuthAge?: number;
  /** ISO 8601 issue time of temporary credentials. */
  tokenIssueTime?: string;
  sourceIp?: string;
  region?: string;
  secureTransport?: boolean;
  /** ISO 8601; defaults to `now`, else the clock. */
  currentTime?: string;
  /** The request's time as a Date (saves a parse when the caller has one). */
  now?: Date;
  userAgent?: string;
  sourceIdentity?: string;
  /** True when the caller used a role session obtained by chaining, a federated user, etc. — for aws:ViaAWSService. */
  viaAwsService?: boolean;
  /** Request-specific keys (`aws:RequestTag/…`, `s3:prefix`, `iam:PassedToService`, …); these override. */
  extra?: Readonly<Record<string, ContextValue | undefined>>;
}

/** Lower-cases keys of a context given as AWS writes them. */
export function normalizeContext(input: Readonly<Record<string, ContextValue | undefined>>): RequestContext {
  const out: Record<string, ContextValue> = Object.create(null);
  for (const k of Object.keys(input)) {
    const v = input[k];
    if (v !== undefined) out[k.toLowerCase()] = v;
  }
  return out;
}

// aws:PrincipalType values: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
const PRINCIPAL_TYPE: Record<Principal['kind'], string | undefined> = {
  root: 'Account',
  user: 'User',
  assumedRole: 'AssumedRole',
  federatedUser: 'FederatedUser',
  webIdentity: 'WebIdentityUser',
  saml: 'SAMLUser',
  service: undefined,
  anonymous: 'Anonymous',
};

/** Builds the request context with AWS's global condition keys for this principal and request. */
export function buildRequestContext(input: RequestContextInput): RequestContext {
  const ctx: Record<string, ContextValue> = Object.create(null);
  const p = input.principal;
  const set = (k: string, v: ContextValue | undefined) => {
    if (v !== undefined) ctx[k] = v;
  };

  // aws:PrincipalArn is the role ARN (not the session ARN) for role sessions, the user ARN for
  // users, the root ARN for the root user, the federated-user ARN for federated users.
  if (p.kind === 'assumedRole') set('aws:principalarn', p.roleArn ?? p.arn);
  else if (p.kind !== 'service' && p.kind !== 'anonymous') set('aws:principalarn', p.arn);
  if (p.kind !== 'service' && p.kind !== 'anonymous') set('aws:principalaccount', p.accountId);
  set('aws:principaltype', PRINCIPAL_TYPE[p.kind]);
  if (p.kind === 'service') {
    set('aws:principalservicename', p.service);
    set('aws:principalisawsservice', 'true');
  } else {
    set('aws:principalisawsservice', 'false');
  }
  if (p.kind === 'user') set('aws:username', input.userName ?? p.arn?.slice(p.arn.lastIndexOf('/') + 1));
  if (input.userId !== undefined) set('aws:userid', input.userId);
  else if (p.kind === 'root') set('aws:userid', p.accountId);
  if (input.tags) {
    const keys = Object.keys(input.tags);
    for (const k of keys) set(`aws:principaltag/${k.toLowerCase()}`, input.tags[k]);
  }
  if (p.kind !== 'service' && p.kind !== 'anonymous') {
    set('aws:principalorgid', input.orgId);
    if (input.orgPaths) set('aws:principalorgpaths', input.orgPaths);
  }
  if (input.mfaPresent !== undefined && p.kind !== 'service' && p.kind !== 'anonymous') {
    set('aws:multifactorauthpresent', input.mfaPresent ? 'true' : 'false');
  }
  if (input.mfaAuthAge !== undefined) set('aws:multifactorauthage', String(input.mfaAuthAge));
  set('aws:tokenissuetime', input.tokenIssueTime);
  set('aws:sourceip', input.sourceIp);
  set('aws:requestedregion', input.region);
  if (input.secureTransport !== undefined) set('aws:securetransport', input.secureTransport ? 'true' : 'false');
  set('aws:useragent', input.userAgent);
  set('aws:sourceidentity', input.sourceIdentity);
  if (input.viaAwsService !== undefined) set('aws:viaawsservice', input.viaAwsService ? 'true' : 'false');

  const now = input.currentTime !== undefined ? new Date(input.currentTime) : input.now ?? new Date();
  const ms = now.getTime();
  if (!Number.isNaN(ms)) {
    const iso = now.toISOString();
    // 'YYYY-MM-DDTHH:mm:ss.sssZ' without the milliseconds (years past 9999 carry a sign and keep the general form).
    set('aws:currenttime', iso.length === 24 ? iso.slice(0, 19) + 'Z' : iso.replace(/\.\d{3}Z$/, 'Z'));
    set('aws:epochtime', String(Math.floor(ms / 1000)));
  }

  if (input.extra) {
    for (const k of Object.keys(input.extra)) {
      const v = input.extra[k];
      if (v !== undefined) ctx[k.toLowerCase()] = v;
    }
  }
  return ctx;
}

/**
 * A request context built only when the decision first reads it. Most decisions read no
 * context at all — no statement that applies has a condition or a policy variable — and
 * building the global keys is the larger part of a simple decision's cost. Reads, `in`,
 * `Object.keys` and JSON see exactly the context `build` returns.
 */
export function lazyRequestContext(build: () => RequestContext): RequestContext {
  let real: RequestContext | undefined;
  const ctx = (): RequestContext => (real ??= build());
  return new Proxy(Object.create(null) as RequestContext, {
    get: (_target, key) => (typeof key === 'string' ? ctx()[key] : undefined),
    has: (_target, key) => typeof key === 'string' && key in ctx(),
    ownKeys: () => Reflect.ownKeys(ctx()),
    getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(ctx(), key),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

