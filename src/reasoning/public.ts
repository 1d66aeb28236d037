// Public access: does a resource policy allow a request from a principal outside every
// account it names — an unnamed account's user or an anonymous caller — with the keys that
// identify the caller or its source (aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceArn …)
// absent or holding a value the policy never names? Decided with the same boxes as the other
// checks; a public answer comes with a witness confirmed by the engine.
import { Solver, engineAllows, prepare, reasonOf, type CheckOutcome, type Reason, type Witness } from './compare.js';
import { arnConditionElements, globElements, literalElements, makeNfa, type Element } from './strings.js';
import type { Lit, ModelStatement } from './model.js';

/** Condition keys that tie a request to an account, organization or network of the zone of trust. */
export const ZONE_KEYS: readonly string[] = [
  'aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalarn', 'aws:userid', 'aws:username',
  'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths', 'aws:sourceowner', 'aws:sourcevpc',
  'aws:sourcevpce', 'aws:vpcsourceip', 'aws:resourceaccount', 'aws:resourceorgid', 'kms:calleraccount',
  'lambda:eventsourcetoken', 'sns:endpoint', 's3:dataaccesspointaccount', 'aws:principalservicename', 'cognito-identity.amazonaws.com:aud',
];

/** The outcome of CheckNoPublicAccess: the same shape as the other checks'. */
export type PublicOutcome = CheckOutcome;

export function checkNoPublicAccess(text: string, kind: 'resource' | 'trust' = 'resource'): PublicOutcome {
  const { solver, models } = prepare([text], kind);
  const [p] = models;
  const u = solver.universe;
  // Outsiders: the unnamed account's user and the anonymous caller (the last representatives).
  const outsiders = u.principals.map((q) => (q.kind === 'user' && q.arn?.endsWith(':user/warden-outsider')) || (q.kind === 'anonymous' && q.canonicalUser === undefined));
  const extra: Lit[] = [{ id: -10, dim: 'principal', set: outsiders }];
  // Each zone key: absent, or a value the policy does not name.
  const named = new Map<string, Element[][]>();
  for (const st of p.compiled.statements) {
    for (const c of st.source.conditions) {
      const key = c.key.toLowerCase();
      if (!ZONE_KEYS.includes(key)) continue;
      let list = named.get(key);
      if (!list) named.set(key, (list = []));
      const op = c.operator.replace(/^For(All|Any)Values:/, '');
      const els = op.startsWith('Arn') ? arnConditionElements : op.includes('Like') ? globElements : literalElements;
      for (const v of c.values) list.push(els(String(v)));
    }
  }
  let id = -11;
  for (const [key, values] of named) {
    extra.push({ id: id--, dim: 'key', key, absent: true, val: { kind: 'string', s: { nfa: makeNfa(values), pos: false } } });
  }
  return decide(solver, p.statements, extra, (w) => engineAllows(p.compiled, kind, w));
}

function decide(solver: Solver, sts: readonly ModelStatement[], extra: Lit[], confirm: (w: Witness) => boolean): PublicOutcome {
  const denies = sts.filter((s) => s.effect === 'Deny' && s.box).map((s) => s.box!);
  const reasons: Reason[] = [];
  let witness: Witness | undefined;
  let unresolved = false;
  for (const s of sts) {
    if (s.effect !== 'Allow' || !s.box) continue;
    let w: Witness | undefined;
    try { w = solver.difference([...s.box, ...extra], denies); } catch { unresolved = true; w = undefined; }
    if (w && confirm(w)) {
      witness ??= w;
      reasons.push(reasonOf(s, `The statement grants public access, e.g. ${w.action} on ${w.resource} to ${w.principal?.arn ?? 'an anonymous caller'}.`));
    } else if (w) unresolved = true;
  }
  if (witness) return { verdict: 'FAIL', witness, reasons };
  const approx = sts.filter((s) => s.approx.length > 0);
  if (unresolved) return { verdict: 'UNKNOWN', reasons: approx.map((s) => reasonOf(s, `Could not be proven: ${s.approx.join('; ')}.`)) };
  return { verdict: 'PASS', reasons: [] };
}
