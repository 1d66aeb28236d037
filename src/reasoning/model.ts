// Policies as unions of boxes: each statement is a conjunction of literals, one per
// constrained dimension of the request — action, resource, principal and each condition key —
// and a literal is a set of that dimension's values (or, after a difference, its complement).
//
// Dimensions and their value sets:
// - action: lower-cased strings; Action/NotAction is a glob language (engine: compile.ts).
// - resource: ARNs (`arn:` and at least five colons) plus the literal `*`; Resource/NotResource
//   is the segment-wise language of evaluate/resource.ts, and whether it holds `*`.
// - principal (resource policies): a finite set of representative principals — each named
//   principal, the root and an unnamed user of each named account, one unnamed principal of
//   each kind; Principal blocks are decided on them with the engine's own matcher.
// - each condition key: "absent" as a value of its own, plus the values of the key's operator
//   family: strings (StringEquals/StringLike/ArnLike languages), reals with an "unparseable"
//   point (Numeric, Date), IPv4 ∪ IPv6 addresses with an "unparseable" point (IpAddress),
//   {true, false, other} (Bool). Null only asks whether the key is present.
//
// Outside this fragment — set operators (ForAllValues/ForAnyValue), policy variables in
// resources or condition values, IgnoreCase, Binary, one key under two families, NotPrincipal
// — the element becomes an atom: a free Boolean, the same for identical elements (same text)
// in every policy compared. That over-approximates the requests (every real request gives the
// atoms a value), so "no witness" stays a proof; a witness found through an atom is only
// reported once the engine confirms it, and otherwise the answer is "could not be proven",
// with the statement marked approximate and the reason.
import { compilePolicy, parsePolicy, type CompiledPolicy, type CompiledStatement, type Principal, type StatementRef } from '../policy/index.js';
import { compileResourcePattern } from '../policy/evaluate/resource.js';
import { matchPrincipal } from '../policy/evaluate/principal.js';
import { parseCidr } from '../policy/conditions/ip-address.js';
import { parseDecimal, policyNumber } from '../policy/conditions/numeric.js';
import { policyDate } from '../policy/conditions/date.js';
import {
  arnConditionElements, globElements, literalElements, makeNfa, resourceElements, type Element, type StringLit,
} from './strings.js';
import {
  IP_ALL, REAL_ALL, V6_BASE, ipComplement, ipUnion, realComplement, realCompare, realUnion, type IpSet, type RealSet,
} from './intervals.js';

export type KeyKind = 'string' | 'real' | 'date' | 'ip' | 'bool';

/** A key's value constraint (present values only). */
export type ValueSet =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'string'; s: StringLit }
  | { kind: 'real' | 'date'; r: RealSet }
  | { kind: 'ip'; ip: IpSet }
  | { kind: 'bool'; b: ReadonlySet<BoolRep> };

export type BoolRep = 'true' | 'false' | 'other';
const BOOL_ALL: readonly BoolRep[] = ['true', 'false', 'other'];

export type Lit =
  | { id: number; dim: 'action'; s: StringLit }
  | { id: number; dim: 'resource'; s: StringLit; star: boolean }
  | { id: number; dim: 'principal'; set: readonly boolean[] }
  | { id: number; dim: 'key'; key: string; absent: boolean; val: ValueSet }
  /** An element outside the fragment, abstracted as a free Boolean shared by identical elements. */
  | { id: number; dim: 'atom'; name: string; value: boolean; resources?: readonly string[] };

let litIds = 1;
const negations = new WeakMap<Lit, Lit>();

export function negate(l: Lit): Lit {
  const hit = negations.get(l);
  if (hit) return hit;
  const id = litIds++;
  let n: Lit;
  switch (l.dim) {
    case 'action': n = { id, dim: 'action', s: { nfa: l.s.nfa, pos: !l.s.pos } }; break;
    case 'resource': n = { id, dim: 'resource', s: { nfa: l.s.nfa, pos: !l.s.pos }, star: !l.star }; break;
    case 'principal': n = { id, dim: 'principal', set: l.set.map((b) => !b) }; break;
    case 'key': n = { id, dim: 'key', key: l.key, absent: !l.absent, val: complementValue(l.val) }; break;
    case 'atom': n = { id, dim: 'atom', name: l.name, value: !l.value }; if (l.resources) n.resources = l.resources; break;
  }
  negations.set(l, n);
  negations.set(n, l);
  return n;
}

function complementValue(v: ValueSet): ValueSet {
  switch (v.kind) {
    case 'all': return { kind: 'none' };
    case 'none': return { kind: 'all' };
    case 'string': return { kind: 'string', s: { nfa: v.s.nfa, pos: !v.s.pos } };
    case 'real': case 'date': return { kind: v.kind, r: realComplement(v.r) };
    case 'ip': return { kind: 'ip', ip: ipComplement(v.ip) };
    case 'bool': return { kind: 'bool', b: new Set(BOOL_ALL.filter((x) => !v.b.has(x))) };
  }
}

export interface ModelStatement {
  ref: StatementRef;
  /** The statement as parsed. */
  source: CompiledStatement['source'];
  /** Whether `${…}` are policy variables in it (Version 2012-10-17). */
  variables: boolean;
  effect: 'Allow' | 'Deny';
  /** The conjunction; undefined when the statement can match nothing. */
  box: Lit[] | undefined;
  /** Why the box is not exactly the statement (empty when exact). */
  approx: string[];
}

export interface ModelPolicy {
  compiled: CompiledPolicy;
  statements: ModelStatement[];
}

/** The representatives of the principal dimension, shared by the policies being compared. */
export interface Universe {
  principals: Principal[];
  keyKinds: Map<string, KeyKind | 'conflict'>;
}

export type PolicyKind = 'identity' | 'resource' | 'trust';

/** Parses and compiles; throws an Error with the issues' messages when the policy is refused. */
export function compileFor(text: string, type: PolicyKind, id: string): CompiledPolicy {
  const parsed = parsePolicy(text, { type });
  if (!parsed.ok) throw new PolicyError(parsed.issues.map((i) => i.message).join('; '));
  const compiled = compilePolicy(parsed.policy, { id, type });
  if (compiled.issues.length > 0) throw new PolicyError(compiled.issues.map((i) => i.message).join('; '));
  return compiled;
}

export class PolicyError extends Error {}

const FAMILY_KIND: Record<string, KeyKind | undefined> = {
  String: 'string', Arn: 'string', Numeric: 'real', Date: 'date', IpAddress: 'ip', Bool: 'bool',
};

/** Builds the universe (principal representatives, key families) of a set of policies. */
export function makeUniverse(policies: readonly CompiledPolicy[]): Universe {
  const keyKinds = new Map<string, KeyKind | 'conflict'>();
  const arns = new Set<string>();
  const accounts = new Set<string>();
  const services = new Set<string>();
  const federated = new Set<string>();
  const canonical = new Set<string>();
  for (const p of policies) {
    for (const st of p.statements) {
      for (const c of st.conditions) {
        const kind = FAMILY_KIND[c.operator.family];
        if (kind === undefined) continue;
        const prev = keyKinds.get(c.key);
        if (prev === undefined) keyKinds.set(c.key, kind);
        else if (prev !== kind) keyKinds.set(c.key, 'conflict');
      }
      const cp = st.principal;
      if (cp) {
        for (const a of cp.arns) arns.add(a);
        for (const a of cp.accounts) accounts.add(a);
        for (const s of cp.services) services.add(s);
        for (const f of cp.federated) federated.add(f);
        for (const c of cp.canonical) canonical.add(c);
      }
    }
  }
  const principals: Principal[] = [];
  for (const arn of arns) {
    const parts = arn.split(':');
    const accountId = parts[4] ?? '';
    const res = parts.slice(5).join(':');
    if (res.startsWith('role/')) {
      const name = res.slice(res.lastIndexOf('/') + 1);
      principals.push({ kind: 'assumedRole', accountId, roleArn: arn, arn: `arn:aws:sts::${accountId}:assumed-role/${name}/warden-session` });
    } else if (res.startsWith('assumed-role/')) {
      const name = res.split('/')[1] ?? '';
      principals.push({ kind: 'assumedRole', accountId, arn, roleArn: `arn:aws:iam::${accountId}:role/${name}` });
    } else principals.push({ kind: 'user', accountId, arn });
  }
  for (const a of accounts) {
    principals.push({ kind: 'root', accountId: a, arn: `arn:aws:iam::${a}:root` });
    principals.push({ kind: 'user', accountId: a, arn: `arn:aws:iam::${a}:user/warden-unnamed` });
  }
  for (const s of services) principals.push({ kind: 'service', service: s });
  for (const f of federated) principals.push({ kind: 'webIdentity', federatedProvider: f });
  for (const c of canonical) principals.push({ kind: 'anonymous', canonicalUser: c });
  let other = 100000000000;
  while (accounts.has(String(other))) other++;
  principals.push({ kind: 'user', accountId: String(other), arn: `arn:aws:iam::${other}:user/warden-outsider` });
  principals.push({ kind: 'service', service: 'warden-unnamed.amazonaws.com' });
  principals.push({ kind: 'anonymous' });
  return { principals, keyKinds };
}

function actionLit(patterns: readonly string[], not: boolean): Lit | undefined {
  const lower = patterns.map((p) => p.toLowerCase());
  if (lower.includes('*')) return not ? NEVER_LIT : undefined;
  return { id: litIds++, dim: 'action', s: { nfa: makeNfa(lower.map(globElements)), pos: !not } };
}

/** A sentinel literal that no request satisfies. */
const NEVER_LIT: Lit = { id: 0, dim: 'principal', set: [] };

function resourceLit(patterns: readonly string[], not: boolean): Lit | undefined {
  if (patterns.includes('*')) return not ? NEVER_LIT : undefined;
  const els = patterns.map(resourceElements).filter((e): e is Element[] => e !== undefined);
  const star = patterns.some((p) => compileResourcePattern(p, false).test('*', {}));
  return { id: litIds++, dim: 'resource', s: { nfa: makeNfa(els), pos: !not }, star: star !== not };
}

const COMPARE_OP: Record<string, 'eq' | 'lt' | 'le' | 'gt' | 'ge'> = {
  Equals: 'eq', NotEquals: 'eq', LessThan: 'lt', LessThanEquals: 'le', GreaterThan: 'gt', GreaterThanEquals: 'ge',
};

function cidrSet(text: string): IpSet | undefined {
  const r = parseCidr(text);
  if (r === undefined) return undefined;
  if (r.family === 4) {
    const lo = BigInt(r.net[0]);
    const hi = lo | BigInt((~r.mask[0]) >>> 0);
    return { ivs: [{ lo, hi }], nan: false };
  }
  let lo = 0n;
  let hi = 0n;
  for (let w = 0; w < 4; w++) {
    lo = (lo << 32n) | BigInt(r.net[w]);
    hi = (hi << 32n) | BigInt((r.net[w] | ~r.mask[w]) >>> 0);
  }
  return { ivs: [{ lo: lo + V6_BASE, hi: hi + V6_BASE }], nan: false };
}

/** The literal of one condition clause, or a reason it is outside the fragment. */
function conditionLit(
  cc: CompiledStatement['conditions'][number], values: readonly unknown[], variables: boolean, u: Universe,
): Lit | string {
  const op = cc.operator;
  if (op.set !== undefined) return `${op.name} on ${cc.keyAsWritten}: set operators over multi-valued keys are outside the decided fragment`;
  const absentOk = op.ifExists || op.negated;
  if (op.family === 'Null') {
    const whenAbsent = cc.test({});
    const whenPresent = cc.test({ [cc.key]: 'x' });
    return { id: litIds++, dim: 'key', key: cc.key, absent: whenAbsent, val: { kind: whenPresent ? 'all' : 'none' } };
  }
  const kind = FAMILY_KIND[op.family];
  if (kind === undefined) return `${op.name} on ${cc.keyAsWritten}: the ${op.family} family is outside the decided fragment`;
  if (u.keyKinds.get(cc.key) === 'conflict') return `${cc.keyAsWritten} is compared under several operator families`;
  const texts = values.map((v) => String(v));
  if (variables && texts.some((t) => t.includes('${')) && op.family !== 'Numeric' && op.family !== 'Date' && op.family !== 'IpAddress') {
    return `${op.name} on ${cc.keyAsWritten}: policy variables tie keys together, outside the decided fragment`;
  }
  let val: ValueSet;
  switch (op.family) {
    case 'String': {
      if (op.base.includes('IgnoreCase')) return `${op.name} on ${cc.keyAsWritten}: case-insensitive comparison is outside the decided fragment`;
      const like = op.base.includes('Like');
      const nfa = makeNfa(texts.map((t) => (like ? globElements(t) : literalElements(t))));
      val = { kind: 'string', s: { nfa, pos: true } };
      break;
    }
    case 'Arn':
      val = { kind: 'string', s: { nfa: makeNfa(texts.map(arnConditionElements)), pos: true } };
      break;
    case 'Numeric': case 'Date': {
      const cmp = COMPARE_OP[op.base.slice(op.family.length)];
      if (cmp === undefined) return `${op.name}: unknown comparison`;
      const parse = op.family === 'Numeric' ? policyNumber : policyDate;
      val = { kind: op.family === 'Numeric' ? 'real' : 'date', r: realUnion(values.map((v) => realCompare(cmp, parse(v)))) };
      break;
    }
    case 'IpAddress': {
      const sets = texts.map(cidrSet);
      if (sets.some((s) => s === undefined)) return `${op.name}: a value is not an address range`;
      val = { kind: 'ip', ip: ipUnion(sets as IpSet[]) };
      break;
    }
    case 'Bool': {
      const pos = cc.operator.negated;
      // The compiled clause decides each representative; undo its negation for the positive set.
      const b = new Set(BOOL_ALL.filter((r) => cc.test({ [cc.key]: r === 'other' ? 'maybe' : r }) !== pos));
      val = { kind: 'bool', b };
      break;
    }
    default:
      return `${op.name}: outside the decided fragment`;
  }
  if (op.negated) val = complementValue(val);
  return { id: litIds++, dim: 'key', key: cc.key, absent: absentOk, val };
}

const atoms = new Map<string, Lit>();

/** The atom of an element outside the fragment (one literal per distinct text). */
function atom(name: string, resources?: readonly string[]): Lit {
  let a = atoms.get(name);
  if (!a) {
    a = { id: litIds++, dim: 'atom', name, value: true };
    if (resources) a.resources = resources;
    if (atoms.size > 10_000) atoms.clear();
    atoms.set(name, a);
  }
  return a;
}

/** The boxes of a compiled policy's statements. */
export function modelPolicy(compiled: CompiledPolicy, u: Universe): ModelPolicy {
  const statements: ModelStatement[] = [];
  for (const st of compiled.statements) {
    const approx: string[] = [];
    const box: Lit[] = [];
    const src = st.source;
    const a = actionLit(src.action ?? src.notAction ?? [], src.notAction !== undefined);
    if (a) box.push(a);
    const resources = src.resource ?? src.notResource;
    if (resources) {
      if (st.variables && resources.some((r) => r.includes('${'))) {
        approx.push('a resource holds policy variables, outside the decided fragment');
        box.push(atom(`${src.notResource ? 'NotResource' : 'Resource'}:${JSON.stringify(resources)}`, src.notResource ? undefined : resources));
      }
      else { const r = resourceLit(resources, src.notResource !== undefined); if (r) box.push(r); }
    }
    if (st.principal) {
      if (st.notPrincipal) {
        approx.push('NotPrincipal is outside the decided fragment');
        box.push(atom(`NotPrincipal:${JSON.stringify(src.notPrincipal)}`));
      }
      else if (!st.principal.any) {
        box.push({ id: litIds++, dim: 'principal', set: u.principals.map((p) => matchPrincipal(st.principal!, p) !== undefined) });
      }
    }
    st.conditions.forEach((cc, i) => {
      const clause = src.conditions[i];
      const lit = conditionLit(cc, clause?.values ?? [], st.variables, u);
      if (typeof lit === 'string') {
        approx.push(lit);
        box.push(atom(`Condition:${clause?.operator}:${cc.key}:${JSON.stringify(clause?.values ?? [])}`));
      } else box.push(lit);
    });
    const never = box.includes(NEVER_LIT);
    statements.push({ ref: st.ref, source: src, variables: st.variables, effect: st.ref.effect, box: never ? undefined : box, approx });
  }
  return { compiled, statements };
}

export { parseDecimal, REAL_ALL, IP_ALL };
