// Policy AST → compiled matchers, indexed by service prefix, with a per-action cache so that a
// decision touches only the statements whose Action/NotAction can match the request's action.
import type { CompiledPolicyRef, Issue, Policy, PolicyType, Statement, StatementRef } from './types.js';
import type { CompiledCondition } from './conditions/types.js';
import { compileCondition } from './conditions/registry.js';
import { compileWildcard } from './match/wildcard.js';
import { compilePrincipal, type CompiledPrincipal } from './evaluate/principal.js';
import { compileResourcePattern, type ResourceMatcher } from './evaluate/resource.js';
import { INDEX_THRESHOLD, ResourceIndex } from './resource-index.js';

export interface PolicyMeta {
  id: string;
  type: PolicyType;
  name?: string;
  /** The policy's ARN, when it has one (named in AccessDenied messages for explicit denies). */
  arn?: string;
}

interface ActionMatcher {
  /** Lower-case service prefix, or '' when the prefix itself holds wildcards (or the action is `*`). */
  service: string;
  test(actionLower: string): boolean;
}

/** One compiled statement. Exposed for the explainer and the simulator; treat as read-only. */
export interface CompiledStatement {
  readonly ref: StatementRef;
  readonly source: Statement;
  readonly actions: readonly ActionMatcher[];
  readonly notAction: boolean;
  /** Undefined when the statement has no Resource/NotResource (trust policies): matches any resource. */
  readonly resources: readonly ResourceMatcher[] | undefined;
  readonly notResource: boolean;
  readonly principal: CompiledPrincipal | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** Whether `${…}` in this statement's values are policy variables (Version 2012-10-17). */
  readonly variables: boolean;
}

const MAX_CACHED_ACTIONS = 4096;
const EMPTY: readonly CompiledStatement[] = Object.freeze([]);

export class CompiledPolicy implements CompiledPolicyRef {
  readonly id: string;
  readonly type: PolicyType;
  readonly name?: string;
  readonly arn?: string;
  readonly statements: readonly CompiledStatement[];
  /** Issues found while compiling (e.g. a condition value of the wrong type). */
  readonly issues: readonly Issue[];
  private readonly byService = new Map<string, CompiledStatement[]>();
  private readonly anyService: CompiledStatement[] = [];
  private readonly byAction = new Map<string, readonly CompiledStatement[]>();

  constructor(meta: PolicyMeta, statements: CompiledStatement[], issues: Issue[]) {
    this.id = meta.id;
    this.type = meta.type;
    if (meta.name !== undefined) this.name = meta.name;
    if (meta.arn !== undefined) this.arn = meta.arn;
    this.statements = statements;
    this.issues = issues;
    for (const st of statements) {
      // NotAction statements and statements with a wildcard service can match any service.
      const services = st.notAction ? [''] : st.actions.map((a) => a.service);
      if (services.includes('')) { this.anyService.push(st); continue; }
      for (const s of new Set(services)) {
        let list = this.byService.get(s);
        if (!list) this.byService.set(s, (list = []));
        list.push(st);
      }
    }
  }

  private readonly indexes = new Map<readonly CompiledStatement[], ResourceIndex>();

  /** The statements that can match `action` on `resource` (resource-prefix index for long lists). */
  candidatesFor(action: string, resource: string): readonly CompiledStatement[] {
    return candidates(this.statementsFor(action), resource, this.indexes);
  }

  /** The statements whose Action/NotAction matches `action`, in policy order. Cached per action. */
  statementsFor(action: string): readonly CompiledStatement[] {
    const hit = this.byAction.get(action);
    if (hit !== undefined) return hit;
    const lower = action.toLowerCase();
    const colon = lower.indexOf(':');
    const service = colon < 0 ? lower : lower.slice(0, colon);
    const indexed = this.byService.get(service);
    let out: CompiledStatement[] | undefined;
    const consider = (st: CompiledStatement) => {
      if (matchesAction(st, lower)) (out ??= []).push(st);
    };
    if (indexed) for (const st of indexed) consider(st);
    for (const st of this.anyService) consider(st);
    let result: readonly CompiledStatement[] = EMPTY;
    if (out) {
      // Keep policy order when statements came from both buckets.
      if (indexed && this.anyService.length > 0) out.sort((a, b) => a.ref.statementIndex - b.ref.statementIndex);
      result = out;
    }
    if (this.byAction.size >= MAX_CACHED_ACTIONS) this.byAction.clear();
    this.byAction.set(action, result);
    return result;
  }
}

function candidates(
  list: readonly CompiledStatement[], resource: string, indexes: Map<readonly CompiledStatement[], ResourceIndex>,
): readonly CompiledStatement[] {
  if (list.length < INDEX_THRESHOLD) return list;
  let index = indexes.get(list);
  if (index === undefined) {
    index = new ResourceIndex(list, (st) => st.variables);
    if (indexes.size >= MAX_CACHED_ACTIONS) indexes.clear();
    indexes.set(list, index);
  }
  return index.candidates(resource);
}

export function matchesAction(st: CompiledStatement, actionLower: string): boolean {
  let any = false;
  for (const a of st.actions) if (a.test(actionLower)) { any = true; break; }
  return st.notAction ? !any : any;
}

function compileAction(pattern: string): ActionMatcher {
  const lower = pattern.toLowerCase();
  if (lower === '*') return { service: '', test: () => true };
  const colon = lower.indexOf(':');
  const service = lower.slice(0, colon);
  const wildService = service.includes('*') || service.includes('?');
  const test = compileWildcard(lower, { ignoreCase: false });
  return { service: wildService ? '' : service, test };
}

/** Compiles a parsed policy. Never throws: problems land in `issues` and make the statement inert. */
export function compilePolicy(policy: Policy, meta: PolicyMeta): CompiledPolicy {
  const issues: Issue[] = [];
  const allowVariables = policy.version === '2012-10-17';
  const statements: CompiledStatement[] = [];
  for (const st of policy.statements) {
    const path: (string | number)[] = ['Statement', st.index];
    const conditions: CompiledCondition[] = [];
    let broken = false;
    for (const clause of st.conditions) {
      const r = compileCondition(clause, policy.version, [...path, 'Condition', clause.operator, clause.key]);
      if (r.ok) conditions.push(r.condition);
      else { issues.push(...r.issues); broken = true; }
    }
    // A statement whose condition could not be compiled can never match (fail closed for
    // Allow). For Deny that would fail open, so a broken Deny matches whenever its action and
    // resource do. Parsed policies from parsePolicy are already validated; this is defence.
    const ref: StatementRef = {
      policyType: meta.type,
      policyId: meta.id,
      statementIndex: st.index,
      effect: st.effect,
    };
    if (meta.name !== undefined) ref.policyName = meta.name;
    if (st.sid !== undefined) ref.sid = st.sid;
    const resList = st.resource ?? st.notResource;
    const compiled: CompiledStatement = {
      ref,
      source: st,
      actions: (st.action ?? st.notAction ?? []).map(compileAction),
      notAction: st.notAction !== undefined,
      resources: resList?.map((r) => compileResourcePattern(r, allowVariables)),
      notResource: st.notResource !== undefined,
      principal: st.principal ? compilePrincipal(st.principal) : st.notPrincipal ? compilePrincipal(st.notPrincipal) : undefined,
      notPrincipal: st.notPrincipal !== undefined,
      conditions: broken && st.effect === 'Allow' ? [NEVER] : conditions,
      variables: allowVariables,
    };
    statements.push(compiled);
  }
  return new CompiledPolicy(meta, statements, issues);
}

const NEVER: CompiledCondition = {
  operator: { name: 'Never', base: 'Never', family: 'Null', negated: false, ifExists: false, set: undefined },
  key: '',
  keyAsWritten: '',
  test: () => false,
};

/**
 * Several policies of one layer (a principal's identity policies, one SCP level) seen as one:
 * the per-action statement lists of all of them, concatenated and cached, so a decision does
 * one lookup per layer however many policies are attached.
 */
export class PolicyGroup {
  private readonly byAction = new Map<string, readonly CompiledStatement[]>();
  private readonly indexes = new Map<readonly CompiledStatement[], ResourceIndex>();
  constructor(readonly policies: readonly CompiledPolicy[]) {}

  /** The statements that can match `action` on `resource` (resource-prefix index for long lists). */
  candidatesFor(action: string, resource: string): readonly CompiledStatement[] {
    return candidates(this.statementsFor(action), resource, this.indexes);
  }

  statementsFor(action: string): readonly CompiledStatement[] {
    const hit = this.byAction.get(action);
    if (hit !== undefined) return hit;
    let out: CompiledStatement[] | undefined;
    for (const p of this.policies) {
      const sts = p.statementsFor(action);
      if (sts.length > 0) {
        if (out === undefined) out = [];
        for (const st of sts) out.push(st);
      }
    }
    const result = out ?? EMPTY;
    if (this.byAction.size >= MAX_CACHED_ACTIONS) this.byAction.clear();
    this.byAction.set(action, result);
    return result;
  }
}

const groups = new WeakMap<readonly CompiledPolicyRef[], PolicyGroup>();

/**
 * The group for a list of compiled policies, cached by the list's identity: callers that keep
 * the same array for a principal (the server's snapshot does) get the cached index back.
 * INVARIANT: a list passed here is never mutated afterwards.
 */
export function groupOf(list: readonly CompiledPolicyRef[]): PolicyGroup {
  let g = groups.get(list);
  if (g === undefined) {
    g = new PolicyGroup(list as readonly CompiledPolicy[]);
    groups.set(list, g);
  }
  return g;
}
