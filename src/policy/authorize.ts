// The decision: AWS's policy evaluation logic for one request, with its explanation.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// 1. an explicit Deny in any applicable policy → Deny;
// 2. RCPs of the resource's account: every level must allow (not the management account; only
//    the services RCPs cover; not service-linked roles);
// 3. SCPs of the principal's account: every level must allow (not the management account; not
//    service-linked roles; not service principals or anonymous callers, which have no account);
// 4. resource-based policy: within one account an Allow naming the user, role session or
//    federated user session decides alone; naming the role ARN still needs the boundary and
//    session policies; naming the account delegates to the identity-based policies. Role trust
//    policies and KMS key policies must allow in every case;
// 5. identity-based policies, 6. permissions boundary, 7. session policies;
// 8. cross-account: the identity side and the resource side must both allow.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
import type {
  AuthorizationRequest,
  CompiledPolicyRef,
  Decision,
  Explanation,
  Layer,
  LayerResult,
  NonMatch,
  PolicyLevel,
  StatementRef,
} from './types.js';
import { groupOf, type CompiledPolicy } from './compile.js';
import { evaluatePolicy, newVerdict, type EvalRequest, type PolicyVerdict } from './evaluate/statement.js';
import { accessDeniedMessage } from './explain.js';
import { explainNonMatches } from './explain-verbose.js';

export interface AuthorizeOptions {
  /** Say why each statement that could have mattered did not match. */
  verbose?: boolean;
}

// Services whose resources RCPs govern.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
// ("List of AWS services that support RCPs").
export const RCP_SERVICES: ReadonlySet<string> = new Set([
  's3', 'sts', 'kms', 'sqs', 'secretsmanager', 'cognito-identity', 'logs', 'dynamodb', 'ecr', 'aoss',
]);

/** The account id in an ARN's fifth segment, if any. */
export function accountOfArn(arn: string): string | undefined {
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const c = arn.indexOf(':', start);
    if (c < 0) return undefined;
    start = c + 1;
  }
  const end = arn.indexOf(':', start);
  // Only a 12-character segment can be an account id (S3 ARNs have none): no slice otherwise.
  if (end - start !== 12) return undefined;
  return arn.slice(start, end);
}

function serviceOf(action: string): string {
  const c = action.indexOf(':');
  return (c < 0 ? action : action.slice(0, c)).toLowerCase();
}

const EMPTY_LIST: readonly CompiledPolicyRef[] = Object.freeze([]);

function verdictOf(policies: readonly CompiledPolicyRef[] | undefined, req: EvalRequest): PolicyVerdict {
  const v = newVerdict();
  if (policies !== undefined && policies.length > 0) {
    evaluatePolicy(policies.length === 1 ? (policies[0] as CompiledPolicy) : groupOf(policies), req, v);
  }
  return v;
}

function single(policy: CompiledPolicyRef, req: EvalRequest): PolicyVerdict {
  const v = newVerdict();
  evaluatePolicy(policy as CompiledPolicy, req, v);
  return v;
}

interface LevelVerdict {
  level: PolicyLevel;
  verdict: PolicyVerdict;
}

function levelsOf(levels: readonly PolicyLevel[], req: EvalRequest): LevelVerdict[] {
  const out: LevelVerdict[] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = { level: levels[i], verdict: verdictOf(levels[i].policies, req) };
  return out;
}

function layerResult(layer: Layer, v: PolicyVerdict | undefined, target?: string): LayerResult {
  if (v === undefined) return { layer, outcome: 'not-applicable', statements: [] };
  const lr: LayerResult = {
    layer,
    outcome: v.denies ? 'deny' : v.allows ? 'allow' : 'none',
    statements: v.denies ?? v.allows ?? [],
  };
  if (target !== undefined) lr.target = target;
  return lr;
}

/** Everything one decision computed, for building its explanation. */
interface Evaluation {
  request: AuthorizationRequest;
  opts: AuthorizeOptions;
  rcps: LevelVerdict[] | undefined;
  scps: LevelVerdict[] | undefined;
  resource: PolicyVerdict | undefined;
  identity: PolicyVerdict | undefined;
  boundary: PolicyVerdict | undefined;
  session: PolicyVerdict | undefined;
}

function layersOf(ev: Evaluation): LayerResult[] {
  const layers: LayerResult[] = [];
  if (ev.rcps) for (const l of ev.rcps) layers.push(layerResult('rcp', l.verdict, l.level.target));
  else layers.push(layerResult('rcp', undefined));
  if (ev.scps) for (const l of ev.scps) layers.push(layerResult('scp', l.verdict, l.level.target));
  else layers.push(layerResult('scp', undefined));
  layers.push(layerResult('resource', ev.resource));
  layers.push(layerResult('identity', ev.identity));
  layers.push(layerResult('boundary', ev.boundary));
  layers.push(layerResult('session', ev.session));
  return layers;
}

/**
 * An explanation whose per-layer detail is built only when read: most callers need the
 * decision, the reasons and the message; `layers` costs a dozen objects per decision.
 */
class LazyExplanation implements Explanation {
  decision: Decision;
  reasons: StatementRef[];
  message = '';
  declare deniedBy?: Layer;
  declare deniedAt?: string;
  declare nonMatches?: NonMatch[];
  #ev: Evaluation;
  #layers: LayerResult[] | undefined;
  constructor(ev: Evaluation, decision: Decision, reasons: StatementRef[]) {
    this.#ev = ev;
    this.decision = decision;
    this.reasons = reasons;
  }
  get layers(): LayerResult[] {
    return (this.#layers ??= layersOf(this.#ev));
  }
  set layers(v: LayerResult[]) {
    this.#layers = v;
  }
  toJSON(): Explanation {
    const out: Explanation = { decision: this.decision, reasons: this.reasons, layers: this.layers, message: this.message };
    if (this.deniedBy !== undefined) out.deniedBy = this.deniedBy;
    if (this.deniedAt !== undefined) out.deniedAt = this.deniedAt;
    if (this.nonMatches !== undefined) out.nonMatches = this.nonMatches;
    return out;
  }
}

function finish(ev: Evaluation, decision: Decision, reasons: StatementRef[], deniedBy?: Layer, deniedAt?: string): Explanation {
  const e = new LazyExplanation(ev, decision, reasons);
  if (deniedBy !== undefined) {
    e.deniedBy = deniedBy;
    if (deniedAt !== undefined) e.deniedAt = deniedAt;
    const arn = decision === 'ExplicitDeny' ? policyArnOf(ev.request, reasons) : undefined;
    e.message = accessDeniedMessage(ev.request, decision, deniedBy, reasons, arn);
  }
  if (ev.opts.verbose) e.nonMatches = explainNonMatches(ev.request);
  return e;
}

function roleGrantBlocked(kinds: readonly string[] | undefined): boolean {
  if (kinds === undefined) return false;
  for (const k of kinds) if (k === 'role') return true;
  return false;
}

function concat(a: readonly StatementRef[] | undefined, b: readonly StatementRef[] | undefined): StatementRef[] {
  const out: StatementRef[] = [];
  if (a) for (const x of a) out.push(x);
  if (b) for (const x of b) out.push(x);
  return out;
}

const NO_OPTIONS: AuthorizeOptions = {};

/** Decides one request and explains the decision. Never throws on well-formed compiled input. */
export function authorize(request: AuthorizationRequest, opts: AuthorizeOptions = NO_OPTIONS): Explanation {
  const p = request.principal;
  const ps = request.policies;
  const req: EvalRequest = {
    principal: p, action: request.action, resource: request.resource, context: request.context,
    hasBoundary: ps.boundary !== undefined && p.kind !== 'root',
  };
  const principalAccount = p.accountId;
  const resourceAccount = request.resourceAccount ?? accountOfArn(request.resource) ?? principalAccount;
  const mgmt = request.organization?.managementAccountId;
  const kindOf = p.kind;
  const hasAccount = kindOf === 'root' || kindOf === 'user' || kindOf === 'assumedRole' || kindOf === 'federatedUser';
  const crossAccount = hasAccount && resourceAccount !== undefined && principalAccount !== resourceAccount;

  const scpApplies = ps.scp !== undefined && ps.scp.length > 0 && hasAccount && !p.serviceLinkedRole
    && principalAccount !== mgmt;
  const rcpApplies = ps.rcp !== undefined && ps.rcp.length > 0 && !p.serviceLinkedRole
    && resourceAccount !== mgmt && RCP_SERVICES.has(serviceOf(request.action));

  // Identity side: the root user has full access to its own account and no identity policies.
  const identityApplies = hasAccount && kindOf !== 'root';
  // A privileged root session (STS AssumeRoot) carries its task policy as a session policy. AWS's
  // task policies (arn:aws:iam::aws:policy/root-task/*) hold only Deny statements ("Deny
  // NotAction <the task's actions>", "Deny <those actions> NotResource arn:aws:iam::*:root"):
  // they filter the root user's full access, so their denies apply and nothing else is asked of
  // them (STS API reference, AssumeRoot `TaskPolicyArn`; IAM User Guide, "Perform a privileged
  // task on an AWS Organizations member account").
  const rootSession = kindOf === 'root' && ps.session !== undefined && ps.session.length > 0;
  const ev: Evaluation = {
    request,
    opts,
    rcps: rcpApplies ? levelsOf(ps.rcp!, req) : undefined,
    scps: scpApplies ? levelsOf(ps.scp!, req) : undefined,
    resource: ps.resource ? single(ps.resource, req) : undefined,
    identity: identityApplies ? verdictOf(ps.identity ?? EMPTY_LIST, req) : undefined,
    boundary: identityApplies && ps.boundary ? single(ps.boundary, req) : undefined,
    session: (identityApplies || rootSession) && ps.session && ps.session.length > 0 ? verdictOf(ps.session, req) : undefined,
  };
  const { rcps, scps, resource, identity, boundary, session } = ev;

  // 1. Explicit deny anywhere.
  let denies: StatementRef[] | undefined;
  let denyLayer: Layer | undefined;
  let denyAt: string | undefined;
  if (rcps) for (const l of rcps) if (l.verdict.denies) {
    denies = concat(denies, l.verdict.denies);
    if (denyLayer === undefined) { denyLayer = 'rcp'; denyAt = l.level.target; }
  }
  if (scps) for (const l of scps) if (l.verdict.denies) {
    denies = concat(denies, l.verdict.denies);
    if (denyLayer === undefined) { denyLayer = 'scp'; denyAt = l.level.target; }
  }
  if (resource?.denies) { denies = concat(denies, resource.denies); denyLayer ??= 'resource'; }
  if (identity?.denies) { denies = concat(denies, identity.denies); denyLayer ??= 'identity'; }
  if (boundary?.denies) { denies = concat(denies, boundary.denies); denyLayer ??= 'boundary'; }
  if (session?.denies) { denies = concat(denies, session.denies); denyLayer ??= 'session'; }
  if (denies !== undefined) return finish(ev, 'ExplicitDeny', denies, denyLayer, denyAt);

  // 2–3. Every RCP level, then every SCP level, must allow.
  if (rcps) for (const l of rcps) if (!l.verdict.allows) return finish(ev, 'ImplicitDeny', [], 'rcp', l.level.target);
  if (scps) for (const l of scps) if (!l.verdict.allows) return finish(ev, 'ImplicitDeny', [], 'scp', l.level.target);

  // The identity side: identity policies ∩ boundary ∩ session policies. The root user's
  // identity side allows everything in its own account (and is the caller's side cross-account).
  const boundaryOk = boundary === undefined || boundary.allows !== undefined;
  // A federated user session (GetFederationToken) without a session policy has no permissions:
  // "if you do not pass any session policies, then the resulting federated user session has no
  // permissions" (STS API reference, GetFederationToken).
  const sessionOk = rootSession || (session !== undefined ? session.allows !== undefined : kindOf !== 'federatedUser');
  const identityAllows = kindOf === 'root' ? true : identity?.allows !== undefined;
  const identityGrant = hasAccount && identityAllows && boundaryOk && sessionOk;
  const identityFailure: Layer = !identityAllows ? 'identity' : !boundaryOk ? 'boundary' : 'session';
  const sideFailure: Layer = !boundaryOk ? 'boundary' : 'session';
  const identityReasons = kindOf === 'root' ? undefined : identity?.allows;

  // The resource side: which of the resource policy's Allows grant, and how.
  const kind = ps.resourcePolicyKind ?? 'standard';
  const rAllows = resource?.allows;
  const rKinds = resource?.allowKinds;

  if (!hasAccount) {
    // Services, anonymous and federated (web identity / SAML) callers have no identity side:
    // only the resource-based policy can allow them.
    if (rAllows) return finish(ev, 'Allow', rAllows);
    return finish(ev, 'ImplicitDeny', [], 'resource');
  }

  if (crossAccount) {
    // Both sides must allow; an Allow naming the caller's account counts for the resource side.
    if (!rAllows) return finish(ev, 'ImplicitDeny', [], 'resource');
    if (!identityGrant) return finish(ev, 'ImplicitDeny', [], identityFailure);
    return finish(ev, 'Allow', concat(identityReasons, rAllows));
  }

  // Same account.
  let granting: StatementRef[] | undefined;
  let delegating: StatementRef[] | undefined;
  if (rAllows && rKinds) {
    for (let i = 0; i < rAllows.length; i++) {
      const k = rKinds[i];
      if (k === 'direct' || (k === 'role' && boundaryOk && sessionOk)) (granting ??= []).push(rAllows[i]);
      else (delegating ??= []).push(rAllows[i]);
    }
  }
  if (kind === 'trust' || kind === 'kms') {
    // The trust / key policy must allow: directly, or by naming the account (then the identity
    // side must allow as well).
    if (!rAllows) return finish(ev, 'ImplicitDeny', [], 'resource');
    if (granting) return finish(ev, 'Allow', identityGrant ? concat(identityReasons, granting) : granting);
    if (identityGrant) return finish(ev, 'Allow', concat(identityReasons, delegating));
    return finish(ev, 'ImplicitDeny', [], roleGrantBlocked(rKinds) ? sideFailure : identityFailure);
  }
  if (identityGrant) return finish(ev, 'Allow', granting ? concat(identityReasons, granting) : (identityReasons ?? []) as StatementRef[]);
  if (granting) return finish(ev, 'Allow', granting);
  // A resource policy that names the role ARN did allow; the boundary or session policy stopped it.
  return finish(ev, 'ImplicitDeny', [], roleGrantBlocked(rKinds) ? sideFailure : identityFailure);
}

function policyArnOf(request: AuthorizationRequest, reasons: StatementRef[]): string | undefined {
  if (reasons.length === 0) return undefined;
  const { policyId, policyType } = reasons[0];
  const ps = request.policies;
  const find = (list: readonly CompiledPolicyRef[] | undefined): string | undefined => {
    if (list) for (const p of list) if (p.id === policyId && p.type === policyType) return (p as CompiledPolicy).arn;
    return undefined;
  };
  switch (policyType) {
    case 'identity': return find(ps.identity);
    case 'session': return find(ps.session);
    case 'boundary': return ps.boundary?.id === policyId ? (ps.boundary as CompiledPolicy).arn : undefined;
    case 'resource': case 'trust': return ps.resource?.id === policyId ? (ps.resource as CompiledPolicy).arn : undefined;
    case 'scp': for (const l of ps.scp ?? []) { const a = find(l.policies); if (a) return a; } return undefined;
    case 'rcp': for (const l of ps.rcp ?? []) { const a = find(l.policies); if (a) return a; } return undefined;
  }
}
