// Property tests of the decision (authorize) over random policy sets and requests.
//
//   node --import tsx --test test/properties/authorize.test.ts
//
// Scenarios (test/properties/scenario.ts) draw identity policies, a permissions boundary,
// session policies, a resource policy (standard, role trust or KMS key policy, with
// principals), SCP and RCP levels, over a small vocabulary of actions, resources and
// condition keys, and a request from one of several principals. Each property runs at least
// 1,000 times; set WARDEN_PROPERTY_RUNS to run more, WARDEN_PROPERTY_SEED to replay a seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { authorize } from '../../src/policy/index.js';
import type { Explanation, PolicySet, StatementRef } from '../../src/policy/types.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import {
  buildRequest, decide, docAt, inertStatement, scenarioArb, shapeFor, slotsOf, statementArb, typeOfSlot, withDoc,
  type Scenario,
} from './scenario.js';

const RUNS = Math.max(1000, Number(process.env.WARDEN_PROPERTY_RUNS ?? 1000));
const SEED = process.env.WARDEN_PROPERTY_SEED !== undefined ? Number(process.env.WARDEN_PROPERTY_SEED) : undefined;
const params = (): fc.Parameters<unknown> => ({ numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) });

/** The decision without the parts that are allowed to differ between equal decisions (none). */
function summary(e: Explanation): string {
  return `${e.decision}${e.deniedBy ? ` by ${e.deniedBy}${e.deniedAt ? `@${e.deniedAt}` : ''}` : ''}`;
}

/**
 * An explanation as plain data (through its JSON form): an Explanation may compute parts lazily
 * (`layers` is a getter), which a structural comparison of the object itself would skip.
 */
function plain(e: Explanation): Explanation {
  return JSON.parse(JSON.stringify(e)) as Explanation;
}

/** Every policy of a set, compiled, with its statements. */
function allPolicies(ps: PolicySet): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const p of ps.identity ?? []) out.push(p as CompiledPolicy);
  if (ps.boundary) out.push(ps.boundary as CompiledPolicy);
  for (const p of ps.session ?? []) out.push(p as CompiledPolicy);
  if (ps.resource) out.push(ps.resource as CompiledPolicy);
  for (const l of ps.scp ?? []) for (const p of l.policies) out.push(p as CompiledPolicy);
  for (const l of ps.rcp ?? []) for (const p of l.policies) out.push(p as CompiledPolicy);
  return out;
}

function sameRef(a: StatementRef, b: StatementRef): boolean {
  return a.policyId === b.policyId && a.policyType === b.policyType && a.statementIndex === b.statementIndex
    && a.effect === b.effect && a.sid === b.sid;
}

// (a) Deterministic: the same input twice gives the same decision and reasons — with the same
// compiled policies (whose per-action caches are warm the second time) and with policies
// compiled afresh from the same documents.
test('property: decisions are deterministic', () => {
  fc.assert(fc.property(scenarioArb, fc.boolean(), (s, verbose) => {
    const req = buildRequest(s);
    const first = authorize(req, { verbose });
    const again = authorize(req, { verbose });
    const fresh = authorize(buildRequest(s), { verbose });
    assert.ok(first.layers.length >= 6, 'every layer is reported');
    assert.deepEqual(plain(again), plain(first));
    assert.deepEqual(plain(fresh), plain(first));
  }), params());
});

// (d) authorize never throws, in plain or verbose mode, for any well-formed compiled input;
// and verbose mode only adds nonMatches — it never changes the decision.
test('property: authorize never throws', () => {
  fc.assert(fc.property(scenarioArb, (s) => {
    const req = buildRequest(s);
    const quiet = plain(authorize(req));
    const { nonMatches, ...verbose } = plain(authorize(req, { verbose: true }));
    assert.ok(Array.isArray(nonMatches));
    assert.deepEqual(verbose, quiet);
  }), params());
});

const denyEdit = (s: Scenario) =>
  fc.tuple(fc.nat(), statementArb('Deny'), fc.nat()).map(([slotPick, raw, posPick]) => {
    const slots = slotsOf(s.policies);
    if (slots.length === 0) return undefined;
    const slot = slots[slotPick % slots.length];
    const type = typeOfSlot(s.policies, slot);
    const doc = structuredClone(docAt(s.policies, slot));
    const st = shapeFor(type, raw);
    st.Effect = 'Deny';
    // Insert anywhere in the policy: statement order must not matter either.
    doc.Statement.splice(posPick % (doc.Statement.length + 1), 0, st);
    return { slot, doc };
  });

// (b) Adding a Deny statement to any applicable policy never turns a non-Allow into an Allow,
// and never turns an ExplicitDeny into anything else.
test('property: adding a Deny statement never grants and never lifts an explicit deny', () => {
  fc.assert(fc.property(scenarioArb.chain((s) => fc.tuple(fc.constant(s), denyEdit(s))), ([s, edit]) => {
    fc.pre(edit !== undefined);
    const before = decide(s);
    const after = decide({ ...s, policies: withDoc(s.policies, edit!.slot, edit!.doc) });
    if (before.decision !== 'Allow') {
      assert.notEqual(after.decision, 'Allow', `a Deny added to ${JSON.stringify(edit!.slot)} turned ${summary(before)} into Allow`);
    }
    if (before.decision === 'ExplicitDeny') {
      assert.equal(after.decision, 'ExplicitDeny', `a Deny added to ${JSON.stringify(edit!.slot)} turned ExplicitDeny into ${summary(after)}`);
      // The Denies that matched before still match (statement indices after the insertion shift).
      assert.ok(after.reasons.length >= before.reasons.length);
    }
  }), params());
});

const allowRemoval = (s: Scenario) =>
  fc.nat().map((pick) => {
    const spots: { slot: ReturnType<typeof slotsOf>[number]; index: number }[] = [];
    for (const slot of slotsOf(s.policies)) {
      docAt(s.policies, slot).Statement.forEach((st, index) => { if (st.Effect === 'Allow') spots.push({ slot, index }); });
    }
    if (spots.length === 0) return undefined;
    const { slot, index } = spots[pick % spots.length];
    const doc = structuredClone(docAt(s.policies, slot));
    doc.Statement.splice(index, 1);
    // AWS refuses an empty Statement; a statement that never applies means the same as none.
    if (doc.Statement.length === 0) doc.Statement.push(inertStatement(typeOfSlot(s.policies, slot)));
    return { slot, doc };
  });

// (c) Removing an Allow statement never turns a Deny (explicit or implicit) into an Allow.
test('property: removing an Allow statement never grants', () => {
  fc.assert(fc.property(scenarioArb.chain((s) => fc.tuple(fc.constant(s), allowRemoval(s))), ([s, edit]) => {
    fc.pre(edit !== undefined);
    const before = decide(s);
    const after = decide({ ...s, policies: withDoc(s.policies, edit!.slot, edit!.doc) });
    if (before.decision !== 'Allow') {
      assert.notEqual(after.decision, 'Allow', `removing an Allow from ${JSON.stringify(edit!.slot)} turned ${summary(before)} into Allow`);
    }
    if (before.decision === 'ExplicitDeny') assert.equal(after.decision, 'ExplicitDeny');
  }), params());
});

// (e) An Allow's reasons are all Allow statements, an ExplicitDeny's all Deny statements (at
// least one), an ImplicitDeny has none; every reason is a statement of the given policies,
// and no reason is one that the verbose explanation says did not match.
test('property: reasons are real statements of the right effect', () => {
  fc.assert(fc.property(scenarioArb, (s) => {
    const req = buildRequest(s);
    const e = authorize(req, { verbose: true });
    const policies = allPolicies(req.policies);
    const want = e.decision === 'Allow' ? 'Allow' : 'Deny';
    if (e.decision === 'ExplicitDeny') assert.ok(e.reasons.length > 0, 'an ExplicitDeny names its Deny statements');
    if (e.decision === 'ImplicitDeny') assert.deepEqual(e.reasons, []);
    const seen = new Set<string>();
    for (const r of e.reasons) {
      assert.equal(r.effect, want, `${e.decision} has a ${r.effect} reason ${r.policyId}#${r.statementIndex}`);
      const owner = policies.find((p) => p.id === r.policyId && p.type === r.policyType);
      assert.ok(owner, `reason names policy ${r.policyId} (${r.policyType}), which is not in the request`);
      const st = owner.statements.find((x) => sameRef(x.ref, r));
      assert.ok(st, `reason ${r.policyId}#${r.statementIndex} is not a statement of that policy`);
      assert.equal(st.source.effect, want);
      const key = `${r.policyType}/${r.policyId}#${r.statementIndex}`;
      assert.ok(!seen.has(key), `reason ${key} is listed twice`);
      seen.add(key);
      const nm = e.nonMatches!.find((n) => sameRef(n.statement, r));
      assert.equal(nm, undefined, `reason ${key} is also explained as not matching: ${nm?.message}`);
    }
    if (e.decision === 'Allow') {
      assert.equal(e.deniedBy, undefined);
      assert.equal(e.message, '');
    } else {
      assert.ok(e.deniedBy !== undefined, 'a denial says which layer denied');
      assert.match(e.message, / is not authorized to perform: /);
    }
  }), params());
});
