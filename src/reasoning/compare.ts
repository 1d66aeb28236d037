// The decision procedure: emptiness of a box minus a union of boxes, by splitting the box
// along the literals of each subtracted box (S − T = ∪ᵢ S ∧ T₁ … Tᵢ₋₁ ∧ ¬Tᵢ, disjoint), with a
// concrete witness request for a non-empty answer; and on top of it "does B grant something A
// does not" — (Allow_B − Allow_A) ∪ (Allow_B ∩ Deny_A), each term less Deny_B — and "does P
// grant any of these accesses".
import { authorize, type CompiledPolicy, type Principal, type RequestContext, type StatementRef } from '../policy/index.js';
import { compileFor, makeUniverse, modelPolicy, negate, type Lit, type ModelPolicy, type ModelStatement, type PolicyKind, type Universe } from './model.js';
import { ARN_DOMAIN, findString, quickDisjoint, globElements, makeNfa, resourceElements, type StringLit } from './strings.js';
import { formatIp, ipIntersect, ipPick, realIntersect, realPick, IP_ALL, REAL_ALL, type IpSet, type RealSet } from './intervals.js';

/** A concrete request: what the engine is asked to confirm. */
export interface Witness {
  action: string;
  resource: string;
  /** For resource policies: who asks. */
  principal?: Principal;
  /** Condition keys (lower-case) present in the request; every other key is absent. */
  context: Record<string, string>;
}

const ARN_NFA = makeNfa([ARN_DOMAIN]);

// ---------------------------------------------------------------------------
// Satisfiability of a conjunction, with a witness.

type Partial = Map<string, string | undefined | Principal>;

function groupKey(lits: readonly Lit[]): string {
  return lits.map((l) => l.id).sort((a, b) => a - b).join(',');
}

export class Solver {
  private readonly cache = new Map<string, { ok: boolean; value?: unknown }>();
  constructor(readonly universe: Universe) {}

  /** Solves one dimension's literals: ok and a value for the witness. */
  private dim(name: string, lits: Lit[]): { ok: boolean; value?: unknown } {
    const key = name + '#' + groupKey(lits);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const r = this.solveDim(name, lits);
    this.cache.set(key, r);
    return r;
  }

  private solveDim(name: string, lits: Lit[]): { ok: boolean; value?: unknown } {
    const first = lits[0];
    if (first.dim === 'action') {
      if (quickDisjoint(lits.map((l) => (l as Extract<Lit, { dim: 'action' }>).s))) return { ok: false };
      const v = findString(lits.map((l) => (l as Extract<Lit, { dim: 'action' }>).s));
      return v === undefined ? { ok: false } : { ok: true, value: v };
    }
    if (first.dim === 'resource') {
      const rl = lits as Extract<Lit, { dim: 'resource' }>[];
      if (rl.every((l) => l.star)) return { ok: true, value: '*' };
      if (quickDisjoint(rl.map((l) => l.s))) return { ok: false };
      const v = findString([{ nfa: ARN_NFA, pos: true }, ...rl.map((l) => l.s)]);
      return v === undefined ? { ok: false } : { ok: true, value: v };
    }
    if (first.dim === 'atom') {
      const v = (first as Extract<Lit, { dim: 'atom' }>).value;
      return lits.every((l) => (l as Extract<Lit, { dim: 'atom' }>).value === v) ? { ok: true } : { ok: false };
    }
    if (first.dim === 'principal') {
      const n = this.universe.principals.length;
      for (let i = 0; i < n; i++) {
        if (lits.every((l) => (l as Extract<Lit, { dim: 'principal' }>).set[i] === true)) return { ok: true, value: this.universe.principals[i] };
      }
      return { ok: false };
    }
    // A condition key.
    const kl = lits as Extract<Lit, { dim: 'key' }>[];
    if (kl.every((l) => l.absent)) return { ok: true, value: undefined };
    if (kl.some((l) => l.val.kind === 'none')) return { ok: false };
    const vals = kl.map((l) => l.val).filter((v) => v.kind !== 'all');
    if (vals.length === 0) return { ok: true, value: 'warden' };
    const kind = vals[0].kind;
    if (kind === 'string') {
      const v = findString(vals.map((x) => (x as { s: StringLit }).s));
      return v === undefined ? { ok: false } : { ok: true, value: v };
    }
    if (kind === 'real' || kind === 'date') {
      let r: RealSet = REAL_ALL;
      for (const x of vals) r = realIntersect(r, (x as { r: RealSet }).r);
      const p = realPick(r);
      if (p === undefined) return { ok: false };
      return { ok: true, value: p === 'NaN' ? 'not-a-value' : kind === 'date' ? formatDate(p) : formatNumber(p) };
    }
    if (kind === 'ip') {
      let s: IpSet = IP_ALL;
      for (const x of vals) s = ipIntersect(s, (x as { ip: IpSet }).ip);
      const p = ipPick(s);
      if (p === undefined) return { ok: false };
      return { ok: true, value: p === 'NaN' ? 'not-an-address' : formatIp(p) };
    }
    if (kind === 'bool') {
      for (const rep of ['true', 'false', 'other'] as const) {
        if (vals.every((x) => (x as { b: ReadonlySet<string> }).b.has(rep))) return { ok: true, value: rep === 'other' ? 'maybe' : rep };
      }
      return { ok: false };
    }
    throw new Error(`unreachable: ${name}`);
  }

  /** A witness of the conjunction, or undefined when it is empty. */
  solve(box: readonly Lit[]): Witness | undefined {
    const groups = new Map<string, Lit[]>();
    for (const l of box) {
      const name = l.dim === 'key' ? 'key:' + l.key : l.dim === 'atom' ? 'atom:' + l.name : l.dim;
      let g = groups.get(name);
      if (!g) groups.set(name, (g = []));
      g.push(l);
    }
    const values: Partial = new Map();
    for (const [name, lits] of groups) {
      const r = this.dim(name, lits);
      if (!r.ok) return undefined;
      values.set(name, r.value as string | undefined | Principal);
    }
    const context: Record<string, string> = {};
    for (const [name, v] of values) if (name.startsWith('key:') && typeof v === 'string') context[name.slice(4)] = v;
    const w: Witness = {
      action: (values.get('action') as string | undefined) ?? 'warden:anyaction',
      resource: (values.get('resource') as string | undefined) ?? '*',
      context,
    };
    const p = values.get('principal') as Principal | undefined;
    if (p !== undefined) w.principal = p;
    return w;
  }

  /** A witness of `s − ∪ ts`, or undefined when it is empty. */
  difference(s: readonly Lit[], ts: readonly (readonly Lit[])[], from = 0): Witness | undefined {
    if (from === 0 && this.solve(s) === undefined) return undefined;
    // Boxes disjoint from s remove nothing: skip them (a loop, not recursion — thousands of them).
    let i = from;
    while (i < ts.length && this.solve([...s, ...ts[i]]) === undefined) i++;
    if (i >= ts.length) return this.solve(s);
    const t = ts[i];
    const prefix: Lit[] = [...s];
    for (const lit of t) {
      const piece = [...prefix, negate(lit)];
      if (this.solve(piece) !== undefined) {
        const w = this.difference(piece, ts, i + 1);
        if (w) return w;
      }
      prefix.push(lit);
    }
    return undefined;
  }
}

function formatNumber(n: number): string {
  const s = String(n);
  if (!s.includes('e')) return s;
  return Number.isInteger(n) ? BigInt(n).toString() : n.toFixed(20);
}

function formatDate(ms: number): string {
  if (Number.isInteger(ms) && Math.abs(ms) < 8.64e15) {
    const d = new Date(ms);
    const y = d.getUTCFullYear();
    if (y >= 0 && y <= 9999) return d.toISOString();
  }
  return formatNumber(ms / 1000);
}

// ---------------------------------------------------------------------------
// Concrete confirmation through the engine.

const OWN_ACCOUNT = '111122223333';
const ALLOW_ALL = compileFor('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity', 'warden-allow-all');

/**
 * Whether the engine allows the witness under the policy alone. Identity policies: a user of
 * the resource's account. Resource policies: the witness principal in another account than
 * the resource's, with an identity policy allowing everything — so the decision is the
 * resource policy's.
 */
export function engineAllows(policy: CompiledPolicy, kind: PolicyKind, w: Witness): boolean {
  if (kind === 'identity') {
    const e = authorize({
      principal: { kind: 'user', accountId: OWN_ACCOUNT, arn: `arn:aws:iam::${OWN_ACCOUNT}:user/warden-witness` },
      action: w.action, resource: w.resource, resourceAccount: OWN_ACCOUNT, context: w.context as RequestContext,
      policies: { identity: [policy] },
    });
    return e.decision === 'Allow';
  }
  const principal = w.principal ?? { kind: 'user', accountId: '100000000000', arn: 'arn:aws:iam::100000000000:user/warden-outsider' };
  const resourceAccount = principal.accountId === '999999999999' ? '999999999998' : '999999999999';
  const e = authorize({
    principal, action: w.action, resource: w.resource, resourceAccount, context: w.context as RequestContext,
    policies: { identity: [ALLOW_ALL], resource: policy, resourcePolicyKind: kind === 'trust' ? 'trust' : 'standard' },
  });
  return e.decision === 'Allow';
}

// ---------------------------------------------------------------------------
// The checks.

export interface Reason { description: string; statementIndex?: number; statementId?: string }

export interface CheckOutcome {
  /** PROVEN_PASS: no request; FAIL: a witness (confirmed by the engine); UNKNOWN: not decided. */
  verdict: 'PASS' | 'FAIL' | 'UNKNOWN';
  witness?: Witness;
  /** The statements that grant the witness (or that could not be decided). */
  reasons: Reason[];
}

/** A reason naming statement `st` (its index and Sid). */
export function reasonOf(st: ModelStatement, description: string): Reason {
  const r: Reason = { description, statementIndex: st.ref.statementIndex };
  if (st.ref.sid !== undefined) r.statementId = st.ref.sid;
  return r;
}

function boxes(sts: readonly ModelStatement[], effect: 'Allow' | 'Deny'): Lit[][] {
  return sts.filter((s) => s.effect === effect && s.box !== undefined).map((s) => s.box!);
}

function describe(w: Witness): string {
  const ctx = Object.entries(w.context).map(([k, v]) => `${k}=${v}`).join(', ');
  const who = w.principal ? ` by ${w.principal.arn ?? w.principal.service ?? w.principal.canonicalUser ?? w.principal.federatedProvider ?? w.principal.kind}` : '';
  return `${w.action} on ${w.resource}${who}${ctx ? ` with ${ctx}` : ''}`;
}

/** Compiles two policies into a shared universe. */
export function prepare(texts: readonly string[], kind: PolicyKind): { solver: Solver; models: ModelPolicy[] } {
  const compiled = texts.map((t, i) => compileFor(t, kind, `policy-${i}`));
  const u = makeUniverse(compiled);
  return { solver: new Solver(u), models: compiled.map((c) => modelPolicy(c, u)) };
}

/**
 * Does `next` grant a request that `existing` does not? Exact when both policies are in the
 * fragment; a witness is always confirmed by the engine before it is reported.
 */
export function checkNoNewAccess(existingText: string, newText: string, kind: PolicyKind): CheckOutcome {
  const { solver, models } = prepare([existingText, newText], kind);
  const [a, b] = models;
  return compareModels(solver, a, b, kind);
}

/**
 * Candidate realisations of a witness found through Resource atoms: the resource written from
 * the pattern, each policy variable `${key}` set to a value in the context, `*` left empty and
 * `?` one character.
 */
function repairs(w: Witness, box: readonly Lit[]): Witness[] {
  const out: Witness[] = [];
  for (const l of box) {
    if (l.dim !== 'atom' || !l.value || !l.resources) continue;
    for (const p of l.resources) {
      const context = { ...w.context };
      const resource = p.replace(/\$\{([^}]*)\}/g, (_m, key: string) => {
        if (key === '*' || key === '?' || key === '$') return `\u0000${key}`;
        const k = key.split(',')[0].trim().toLowerCase();
        context[k] ??= 'warden';
        return context[k];
      }).replace(/\*/g, '').replace(/\?/g, 'x').replace(/\u0000(.)/g, '$1');
      out.push({ ...w, resource, context });
    }
  }
  return out;
}

const texts = new WeakMap<ModelStatement, string>();

/** The statement's meaning as text (everything but Sid and position). */
function textOf(s: ModelStatement): string {
  let t = texts.get(s);
  if (t === undefined) {
    const { index: _i, sid: _s, ...rest } = s.source;
    t = JSON.stringify([s.variables, rest]);
    texts.set(s, t);
  }
  return t;
}

export function compareModels(solver: Solver, a: ModelPolicy, b: ModelPolicy, kind: PolicyKind): CheckOutcome {
  const denyB = boxes(b.statements, 'Deny');
  const allowA = boxes(a.statements, 'Allow');
  const approx = [...a.statements, ...b.statements].filter((s) => s.approx.length > 0);
  // Syntactic shortcuts (same text ⇒ same box): an Allow of B written identically in A is
  // covered by Allow_A; a Deny of A written identically in B removes nothing B allows.
  const allowAText = new Set(a.statements.filter((s) => s.effect === 'Allow').map(textOf));
  const denyBText = new Set(b.statements.filter((s) => s.effect === 'Deny').map(textOf));
  const denyAOnly = a.statements.filter((s) => s.effect === 'Deny' && s.box !== undefined && !denyBText.has(textOf(s))).map((s) => s.box!);
  let unresolved = false;
  for (const s of b.statements) {
    if (s.effect !== 'Allow' || s.box === undefined) continue;
    let w = allowAText.has(textOf(s)) ? undefined : solver.difference(s.box, [...denyB, ...allowA]);
    if (!w) {
      for (const d of denyAOnly) {
        w = solver.difference([...s.box, ...d], denyB);
        if (w) break;
      }
    }
    if (w && !(engineAllows(b.compiled, kind, w) && !engineAllows(a.compiled, kind, w))) {
      // A witness through an atom: try to realise the atoms (resources with policy variables).
      w = repairs(w, s.box).find((r) => engineAllows(b.compiled, kind, r) && !engineAllows(a.compiled, kind, r)) ?? w;
    }
    if (w && engineAllows(b.compiled, kind, w) && !engineAllows(a.compiled, kind, w)) {
      return { verdict: 'FAIL', witness: w, reasons: [reasonOf(s, `The new policy grants access the existing one does not, e.g. ${describe(w)}.`)] };
    }
    if (w && approx.length === 0) throw new Error(`reasoner: witness not confirmed by the engine: ${JSON.stringify(w)}`);
    if (w) unresolved = true;
  }
  if (unresolved) {
    return {
      verdict: 'UNKNOWN',
      reasons: [
        ...a.statements.filter((s) => s.approx.length > 0).map((s) => reasonOf(s, `Could not be proven (existing policy, statement ${s.ref.statementIndex}): ${s.approx.join('; ')}.`)),
        ...b.statements.filter((s) => s.approx.length > 0).map((s) => reasonOf(s, `Could not be proven (new policy, statement ${s.ref.statementIndex}): ${s.approx.join('; ')}.`)),
      ],
    };
  }
  return { verdict: 'PASS', reasons: [] };
}

export interface AccessQuery { actions?: readonly string[]; resources?: readonly string[] }

/**
 * Does the policy allow some request for one of the actions (or any action) on one of the
 * resources (or any resource)? Reasons name every Allow statement that grants such a request.
 */
export function checkAccessNotGranted(text: string, access: AccessQuery, kind: PolicyKind): CheckOutcome {
  const { solver, models } = prepare([text], kind);
  const [p] = models;
  const query: Lit[] = [];
  if (access.actions && access.actions.length > 0) {
    query.push({ id: -1, dim: 'action', s: { nfa: makeNfa(access.actions.map((x) => globElements(x.toLowerCase()))), pos: true } });
  }
  if (access.resources && access.resources.length > 0) {
    const els = access.resources.map(resourceElements).filter((e) => e !== undefined);
    query.push({ id: -2, dim: 'resource', s: { nfa: makeNfa(els), pos: true }, star: access.resources.includes('*') });
  }
  const denies = boxes(p.statements, 'Deny');
  const reasons: Reason[] = [];
  let witness: Witness | undefined;
  let unresolved = false;
  for (const s of p.statements) {
    if (s.effect !== 'Allow' || s.box === undefined) continue;
    const w = solver.difference([...s.box, ...query], denies);
    if (w && engineAllows(p.compiled, kind, w)) {
      witness ??= w;
      reasons.push(reasonOf(s, `The policy grants ${describe(w)}.`));
    } else if (w) unresolved = true;
  }
  if (witness) return { verdict: 'FAIL', witness, reasons };
  const approx = p.statements.filter((s) => s.approx.length > 0);
  if (unresolved) return { verdict: 'UNKNOWN', reasons: approx.map((s) => reasonOf(s, `Could not be proven: ${s.approx.join('; ')}.`)) };
  return { verdict: 'PASS', reasons: [] };
}

export type { StatementRef };
