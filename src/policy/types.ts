// The public data types of the policy engine: the AST a policy parses to, the issues a
// parse reports, the request an authorization decides, and the explanation it returns.

/** The kinds of policy AWS distinguishes; each has its own grammar restrictions. */
export type PolicyType =
  | 'identity'
  | 'resource'
  | 'trust'
  | 'boundary'
  | 'scp'
  | 'rcp'
  | 'session';

/** A grammar or validation problem, reported as data — never thrown. */
export interface Issue {
  code: string;
  path: (string | number)[];
  message: string;
}

export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

/** A value as written in a policy's Condition block, normalised to its JSON scalar. */
export type ConditionScalar = string | number | boolean;

/** `Principal` / `NotPrincipal` as written: `"*"` or a map of principal kinds to lists. */
export type PrincipalBlock =
  | { kind: 'any' }
  | {
      kind: 'map';
      AWS?: string[];
      Service?: string[];
      Federated?: string[];
      CanonicalUser?: string[];
    };

/** One condition: operator (as written) → key (as written) → values. */
export interface ConditionClause {
  /** The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  /** The condition key as written (key names are case-insensitive). */
  key: string;
  values: ConditionScalar[];
}

export interface Statement {
  /** Position of the statement in the policy's Statement array (0 when Statement was an object). */
  index: number;
  sid?: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  conditions: ConditionClause[];
}

export interface Policy {
  /** Missing Version behaves as 2008-10-17 (no policy variables), as in AWS. */
  version: PolicyVersion;
  versionGiven: boolean;
  id?: string;
  statements: Statement[];
}

export type ParseResult =
  | { ok: true; policy: Policy; issues: Issue[] }
  | { ok: false; issues: Issue[] };

// ---------------------------------------------------------------------------
// Requests

/** A condition-key value in a request: single-valued keys hold a string, multi-valued keys a list. */
export type ContextValue = string | readonly string[];

/**
 * The request context: condition keys, **lower-cased**, to values. Build it with
 * `buildRequestContext` (or `normalizeContext`) rather than by hand.
 */
export type RequestContext = Readonly<Record<string, ContextValue | undefined>>;

export type PrincipalKind =
  | 'root'
  | 'user'
  | 'assumedRole'
  | 'federatedUser'
  /** A web-identity (OIDC) or SAML federated caller, before it becomes a role session. */
  | 'webIdentity'
  | 'saml'
  | 'service'
  | 'anonymous';

/** Who is asking. `arn` is the principal's ARN as AWS writes it in `aws:PrincipalArn`'s source. */
export interface Principal {
  kind: PrincipalKind;
  /** The account the principal belongs to (absent for services and anonymous callers). */
  accountId?: string;
  /**
   * The caller's ARN as it appears in AccessDenied messages and as a session ARN:
   * `arn:aws:iam::111122223333:user/alice`, `arn:aws:sts::111122223333:assumed-role/R/s`,
   * `arn:aws:sts::111122223333:federated-user/bob`, `arn:aws:iam::111122223333:root`.
   */
  arn?: string;
  /** For role sessions: the role's ARN (`arn:aws:iam::111122223333:role/path/R`). */
  roleArn?: string;
  /** For AWS services: the service principal, e.g. `ec2.amazonaws.com`. */
  service?: string;
  /** The canonical user id, for S3-style `CanonicalUser` principals. */
  canonicalUser?: string;
  /** For federated principals (web identity / SAML): the provider ARN or name. */
  federatedProvider?: string;
  /** True for service-linked roles (SCPs do not apply to them). */
  serviceLinkedRole?: boolean;
}

/** The applicable policies of one request, compiled. */
export interface PolicySet {
  /** Identity-based policies: the user's (and its groups'), the role's, or a federated user's. */
  identity?: readonly CompiledPolicyRef[];
  /** The permissions boundary of the user or role, if any. */
  boundary?: CompiledPolicyRef;
  /** Session policies (inline and managed), if the session was created with any. */
  session?: readonly CompiledPolicyRef[];
  /** The resource-based policy of the resource (a role's trust policy for sts:AssumeRole*). */
  resource?: CompiledPolicyRef;
  /** How the resource policy behaves: 'trust' for role trust policies, 'kms' for key policies. */
  resourcePolicyKind?: 'standard' | 'trust' | 'kms';
  /** SCPs of the principal's account, one entry per level from the root down to the account. */
  scp?: readonly PolicyLevel[];
  /** RCPs of the resource's account, one entry per level from the root down to the account. */
  rcp?: readonly PolicyLevel[];
}

/** One level (root, OU or account) of an SCP or RCP hierarchy, with the policies attached there. */
export interface PolicyLevel {
  /** `r-xxxx`, `ou-xxxx-yyyyyyyy` or the 12-digit account id. */
  target: string;
  policies: readonly CompiledPolicyRef[];
}

/** Any compiled policy (see compile.ts); opaque to callers. */
export interface CompiledPolicyRef {
  readonly id: string;
  readonly type: PolicyType;
  readonly name?: string;
}

export interface AuthorizationRequest {
  principal: Principal;
  /** `service:Action`, matched case-insensitively. */
  action: string;
  /** The resource ARN, or `*` for actions without a resource. */
  resource: string;
  /** The account that owns the resource; derived from the ARN when absent. */
  resourceAccount?: string;
  context: RequestContext;
  policies: PolicySet;
  /** Organization facts that change which steps apply. */
  organization?: {
    /** The organization's management account: SCPs and RCPs never apply to it. */
    managementAccountId?: string;
  };
}

// ---------------------------------------------------------------------------
// Decisions and explanations

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The evaluation layers, in AWS's order. */
export type Layer =
  | 'resource'
  | 'rcp'
  | 'scp'
  | 'identity'
  | 'boundary'
  | 'session';

/** A statement that took part in the decision. */
export interface StatementRef {
  policyType: PolicyType;
  policyId: string;
  policyName?: string;
  sid?: string;
  statementIndex: number;
  effect: Effect;
}

/** Why a layer did what it did. */
export interface LayerResult {
  layer: Layer;
  /** 'allow': some statement allowed; 'deny': an explicit Deny; 'none': nothing matched. */
  outcome: 'allow' | 'deny' | 'none' | 'not-applicable';
  /** For SCP/RCP, the level (target) that failed to allow or denied. */
  target?: string;
  statements: StatementRef[];
}

/** Why one statement did not match, in verbose mode. */
export interface NonMatch {
  statement: StatementRef;
  element: 'Action' | 'NotAction' | 'Resource' | 'NotResource' | 'Principal' | 'NotPrincipal' | 'Condition';
  /** For conditions: the operator, key and the request's value(s) (undefined when absent). */
  operator?: string;
  key?: string;
  requestValue?: ContextValue;
  message: string;
}

export interface Explanation {
  decision: Decision;
  /** The statements that decided: the Deny(s) for ExplicitDeny, the Allow(s) for Allow. */
  reasons: StatementRef[];
  /** For a denial, the layer that denied (or failed to allow). */
  deniedBy?: Layer;
  /** For SCP/RCP denials, the level that denied or failed to allow. */
  deniedAt?: string;
  layers: LayerResult[];
  /** AWS's AccessDenied message for a denial (empty for Allow). */
  message: string;
  /** In verbose mode: why each statement that could have mattered did not match. */
  nonMatches?: NonMatch[];
}
