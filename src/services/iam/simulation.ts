// The policy simulation itself: pure, shared by the API operations (simulator.ts) and
// `warden simulate` (src/cli/simulate.ts). The choices it makes, following AWS's documentation of
// the simulator, are listed at the top of simulator.ts.
import {
  accountOfArn, authorize, loadPolicy, normalizeContext, parsePolicy, type CompiledPolicy, type ContextValue, type Explanation,
  type PolicyLevel, type PolicyType, type Principal, type Statement, type StatementRef,
} from '../../policy/index.js';
import { parseTemplateParts } from '../../policy/variables.js';
import { invalidInput } from './common.js';
import { lineColumn, statementSpans } from './json-positions.js';

/** A policy taking part in a simulation, with its text (for positions) and how IAM names it. */
export interface SimPolicy {
  /** SourcePolicyId: `PolicyInputList.1`, an inline policy's name, a managed policy's name. */
  sourceId: string;
  /** SourcePolicyType. */
  sourceType: string;
  text: string;
  compiled: CompiledPolicy;
}

export interface SimulationSpec {
  principal: Principal;
  identity: SimPolicy[];
  boundary?: SimPolicy;
  resourcePolicy?: SimPolicy;
  /** SCP levels (root → account); undefined when SCPs do not apply. */
  scp?: readonly PolicyLevel[];
  managementAccountId?: string;
  actions: readonly string[];
  /** Empty: the actions are simulated on `*`. */
  resources: readonly string[];
  /** The account owning resources whose ARN does not say (ResourceOwner), else the caller's. */
  resourceOwner?: string;
  /** As given (keys as written); lower-cased for the engine. */
  context: Readonly<Record<string, ContextValue>>;
}

export interface SimulationResult {
  action: string;
  resource: string;
  explanation: Explanation;
  /** The statements behind MatchedStatements, in the same order. */
  matched: StatementRef[];
  /** The EvaluationResult in AWS's shape. */
  output: Record<string, unknown>;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export function awsDecision(e: Explanation): Decision {
  return e.decision === 'Allow' ? 'allowed' : e.decision === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';
}

/** Compiles one submitted policy; InvalidInput naming the list entry when it is not valid. */
export function simPolicy(text: string, type: PolicyType, sourceId: string, sourceType: string): SimPolicy {
  const r = loadPolicy(text, { id: sourceId, type, name: sourceId });
  if (!r.ok) {
    const first = r.issues[0];
    throw invalidInput(`${sourceId} is not a valid ${type === 'resource' ? 'resource-based ' : ''}policy: ${first?.message ?? 'syntax errors in policy'}.`.replace('..', '.'));
  }
  return { sourceId, sourceType, text, compiled: r.policy };
}

function matchedStatements(spec: SimulationSpec, reasons: readonly StatementRef[], refs: StatementRef[]): Record<string, unknown>[] {
  const byId = new Map<string, SimPolicy>();
  for (const p of spec.identity) byId.set(p.compiled.id, p);
  if (spec.boundary) byId.set(spec.boundary.compiled.id, spec.boundary);
  if (spec.resourcePolicy) byId.set(spec.resourcePolicy.compiled.id, spec.resourcePolicy);
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const r of reasons) {
    if (r.policyType === 'scp' || r.policyType === 'rcp') continue;
    const p = byId.get(r.policyId);
    if (!p) continue;
    const k = `${r.policyId}\u0000${r.statementIndex}`;
    if (seen.has(k)) continue;
    seen.add(k);
    refs.push(r);
    const m: Record<string, unknown> = { SourcePolicyId: p.sourceId, SourcePolicyType: p.sourceType };
    const span = statementSpans(p.text)[r.statementIndex];
    if (span) {
      // The column just after `{` and just after `}` (see the header).
      m.StartPosition = lineColumn(p.text, span.start + 1);
      m.EndPosition = lineColumn(p.text, span.end + 1);
    }
    out.push(m);
  }
  return out;
}

/** The condition keys (as written) of a parsed statement, and the policy variables it uses. */
function statementKeys(st: Statement, variables: boolean): string[] {
  const keys: string[] = [];
  for (const c of st.conditions) {
    keys.push(c.key);
    if (variables) for (const v of c.values) if (typeof v === 'string') keys.push(...variablesOf(v));
  }
  if (variables) for (const r of [...(st.resource ?? []), ...(st.notResource ?? [])]) keys.push(...variablesOf(r));
  return keys;
}

function variablesOf(text: string): string[] {
  const out: string[] = [];
  for (const p of parseTemplateParts(text, true)) if (p.kind === 'variable') out.push(p.name);
  return out;
}

function dedupe(keys: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of keys) {
    const l = k.toLowerCase();
    if (!seen.has(l)) { seen.add(l); out.push(k); }
  }
  return out;
}

/** Keys used by the statements whose Action and Resource match, but absent from the context. */
function missingContextValues(spec: SimulationSpec, action: string, resource: string): string[] {
  const ctx = normalizeContext(spec.context);
  const keys: string[] = [];
  const probe = authorizeProbe(action, resource, spec);
  for (const pol of allCompiled(spec)) {
    for (const st of pol.statements) {
      const nm = probe.get(st);
      // A statement is relevant unless it fails on Action/Resource/Principal.
      if (nm !== undefined && nm !== 'Condition') continue;
      keys.push(...statementKeys(st.source, st.variables));
    }
  }
  return dedupe(keys).filter((k) => ctx[k.toLowerCase()] === undefined);
}

/**
 * Every policy of the simulation, SCPs included: a condition key an SCP needs is reported as
 * missing too (AWS's simulator leaves SCP keys out of MissingContextValues, aws/aws-cli#10525 —
 * reported as a bug; here the decision never depends on a key the answer does not name).
 */
function allCompiled(spec: SimulationSpec): CompiledPolicy[] {
  const out: CompiledPolicy[] = spec.identity.map((p) => p.compiled);
  if (spec.boundary) out.push(spec.boundary.compiled);
  if (spec.resourcePolicy) out.push(spec.resourcePolicy.compiled);
  for (const l of spec.scp ?? []) for (const p of l.policies) out.push(p as CompiledPolicy);
  return out;
}

/** For every statement, the element that made it not match (from the engine's verbose explanation). */
function authorizeProbe(action: string, resource: string, spec: SimulationSpec): Map<unknown, string> {
  const e = decide(spec, action, resource, true);
  const out = new Map<unknown, string>();
  const index = new Map<string, unknown>();
  for (const pol of allCompiled(spec)) {
    for (const st of pol.statements) index.set(`${pol.id}\u0000${st.ref.statementIndex}`, st);
  }
  for (const nm of e.nonMatches ?? []) {
    const st = index.get(`${nm.statement.policyId}\u0000${nm.statement.statementIndex}`);
    if (st) out.set(st, nm.element);
  }
  return out;
}

function resourceAccountOf(spec: SimulationSpec, resource: string): string | undefined {
  return accountOfArn(resource) ?? spec.resourceOwner ?? spec.principal.accountId;
}

function decide(spec: SimulationSpec, action: string, resource: string, verbose = false): Explanation {
  const identity = spec.identity.map((p) => p.compiled);
  return authorize({
    principal: spec.principal,
    action,
    resource,
    resourceAccount: resourceAccountOf(spec, resource),
    context: normalizeContext(spec.context),
    policies: {
      identity,
      ...(spec.boundary ? { boundary: spec.boundary.compiled } : {}),
      ...(spec.resourcePolicy ? { resource: spec.resourcePolicy.compiled, resourcePolicyKind: 'standard' as const } : {}),
      ...(spec.scp ? { scp: spec.scp } : {}),
    },
    organization: { managementAccountId: spec.managementAccountId },
  }, { verbose });
}

function layerDecision(e: Explanation, layer: 'identity' | 'resource'): Decision {
  const l = e.layers.find((x) => x.layer === layer);
  return l?.outcome === 'allow' ? 'allowed' : l?.outcome === 'deny' ? 'explicitDeny' : 'implicitDeny';
}

/** Decides one action on one resource and builds AWS's EvaluationResult. */
export function simulateOne(spec: SimulationSpec, action: string, resource: string): SimulationResult {
  const explanation = decide(spec, action, resource);
  const decision = awsDecision(explanation);
  const refs: StatementRef[] = [];
  const matched = decision === 'implicitDeny' ? [] : matchedStatements(spec, explanation.reasons, refs);
  const missing = missingContextValues(spec, action, resource);
  const out: Record<string, unknown> = {
    EvalActionName: action, EvalResourceName: resource, EvalDecision: decision,
    MatchedStatements: matched, MissingContextValues: missing,
  };
  const scpLayers = explanation.layers.filter((l) => l.layer === 'scp' && l.outcome !== 'not-applicable');
  if (scpLayers.length > 0) out.OrganizationsDecisionDetail = { AllowedByOrganizations: scpLayers.every((l) => l.outcome === 'allow') };
  let boundaryDetail: Record<string, unknown> | undefined;
  if (spec.boundary) {
    const b = explanation.layers.find((l) => l.layer === 'boundary');
    boundaryDetail = { AllowedByPermissionsBoundary: b?.outcome === 'allow' };
    out.PermissionsBoundaryDecisionDetail = boundaryDetail;
  }
  if (spec.resources.length > 0) {
    const cross = resourceAccountOf(spec, resource) !== spec.principal.accountId;
    const details: Record<string, string> = {};
    if (cross) {
      details['IAM Policy'] = layerDecision(explanation, 'identity');
      details['Resource Policy'] = spec.resourcePolicy ? layerDecision(explanation, 'resource') : 'implicitDeny';
    }
    out.EvalDecisionDetails = details;
    const rs: Record<string, unknown> = {
      EvalResourceName: resource, EvalResourceDecision: decision, MatchedStatements: matched, MissingContextValues: missing,
      EvalDecisionDetails: details,
    };
    if (boundaryDetail) rs.PermissionsBoundaryDecisionDetail = boundaryDetail;
    out.ResourceSpecificResults = [rs];
  }
  return { action, resource, explanation, matched: refs, output: out };
}

/** Every (action, resource) pair, actions first. */
export function simulate(spec: SimulationSpec): SimulationResult[] {
  const resources = spec.resources.length > 0 ? spec.resources : ['*'];
  const out: SimulationResult[] = [];
  for (const a of spec.actions) for (const r of resources) out.push(simulateOne(spec, a, r));
  return out;
}

/** The condition keys and policy variables used by policies (as written, deduplicated case-insensitively). */
export function contextKeysOf(texts: readonly string[]): string[] {
  const keys: string[] = [];
  for (const text of texts) {
    const parsed = parsePolicy(text, { type: 'identity' });
    if (!parsed.ok) continue;
    const variables = parsed.policy.version === '2012-10-17';
    for (const st of parsed.policy.statements) keys.push(...statementKeys(st, variables));
  }
  return dedupe(keys);
}
