// npm run bench:analyzer [-- --json] [-- --no-cvc5]
// CheckNoNewAccess decided by the reasoner (src/reasoning) on pairs built from ../shared/bench:
// - scenario: each identity policy of scenario-20.json against a copy with one statement
//   widened (Action → `service:*`, Resource → `*`, or its Condition dropped), both directions
//   (new ⊋ old: FAIL with a witness the engine confirms; old vs widened: a PASS proof);
// - scale: the statements of scale-{100,1000,10000}-identity-policies.json as one document,
//   against a copy with one statement widened.
// Reports p50/p90 per set (target: p50 < 5 ms on scenario-sized policies), and the same
// scenario queries through cvc5 (SMT-LIB from src/reasoning/testing/smt.ts, one process per
// Allow statement of the new policy, as in the differential test) timed beside it.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNoNewAccess } from '../src/reasoning/index.js';
import { smtScriptsByStatement } from '../src/reasoning/testing/smt.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHARED = resolve(HERE, '../../shared/bench');
const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const NO_CVC5 = args.includes('--no-cvc5');

type Statement = Record<string, unknown>;
interface Doc { Version: string; Statement: Statement[] }

function widen(st: Statement, how: number): Statement | undefined {
  const out = { ...st };
  if (how === 0) {
    const acts = ([] as string[]).concat((st.Action as string | string[] | undefined) ?? []);
    if (acts.length === 0) return undefined;
    const svc = acts[0].split(':')[0];
    out.Action = `${svc}:*`;
  } else if (how === 1) {
    if (st.Resource === undefined || st.Resource === '*') return undefined;
    out.Resource = '*';
  } else {
    if (st.Condition === undefined) return undefined;
    delete out.Condition;
  }
  return out;
}

function widenedCopies(doc: Doc): Doc[] {
  const out: Doc[] = [];
  doc.Statement.forEach((st, i) => {
    if (st.Effect !== 'Allow') return;
    for (const how of [0, 1, 2]) {
      const w = widen(st, how);
      if (w) out.push({ ...doc, Statement: doc.Statement.map((s, j) => (j === i ? w : s)) });
    }
  });
  return out;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function time<T>(fn: () => T): [number, T] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, r];
}

const results: Record<string, unknown>[] = [];
/** The reasoner's verdicts per scenario query, for the agreement count with cvc5. */
const mine = new Map<string, string>();
function report(name: string, ms: number[], verdicts: Record<string, number>, extra: Record<string, unknown> = {}): void {
  const row = { set: name, queries: ms.length, p50_ms: +quantile(ms, 0.5).toFixed(3), p90_ms: +quantile(ms, 0.9).toFixed(3), max_ms: +Math.max(...ms).toFixed(3), verdicts, ...extra };
  results.push(row);
  if (!JSON_OUT) console.log(`${name.padEnd(34)} n=${String(ms.length).padStart(4)}  p50 ${row.p50_ms.toFixed(3)} ms  p90 ${row.p90_ms.toFixed(3)} ms  max ${row.max_ms.toFixed(1)} ms  ${JSON.stringify(verdicts)}${Object.keys(extra).length ? '  ' + JSON.stringify(extra) : ''}`);
}

// ---------------------------------------------------------------------------
const scenario = JSON.parse(readFileSync(join(SHARED, 'scenario-20.json'), 'utf8')) as { identityPolicies: { name: string; policy: Doc }[] };
const pairs: [string, string][] = [];
for (const { policy } of scenario.identityPolicies) for (const w of widenedCopies(policy)) pairs.push([JSON.stringify(policy), JSON.stringify(w)]);

// Warm up (JIT), then measure each query several times.
for (const [a, b] of pairs) { checkNoNewAccess(a, b, 'identity'); checkNoNewAccess(b, a, 'identity'); }
for (const [label, dir] of [['scenario: widened vs original', 0], ['scenario: original vs widened', 1]] as const) {
  const ms: number[] = [];
  const verdicts: Record<string, number> = {};
  for (let rep = 0; rep < 20; rep++) {
    for (const [a, b] of pairs) {
      const [t, o] = dir === 0 ? time(() => checkNoNewAccess(a, b, 'identity')) : time(() => checkNoNewAccess(b, a, 'identity'));
      ms.push(t);
      if (rep === 0) { verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1; mine.set(dir === 0 ? a + b : b + a, o.verdict); }
    }
  }
  report(label, ms, verdicts);
}

// cvc5 beside it, on the same scenario pairs.
const haveCvc5 = !NO_CVC5 && spawnSync('cvc5', ['--version']).status === 0;
if (haveCvc5) {
  for (const [label, dir] of [['cvc5 scenario: widened vs original', 0], ['cvc5 scenario: original vs widened', 1]] as const) {
    const ms: number[] = [];
    const verdicts: Record<string, number> = {};
    let agree = 0;
    for (const [a0, b0] of pairs) {
      const [a, b] = dir === 0 ? [a0, b0] : [b0, a0];
      const [t, v] = time(() => {
        let out = 'unsat';
        for (const s of smtScriptsByStatement(a, b)) {
          const r = spawnSync('cvc5', ['--strings-exp', '--strings-fmf', '--tlimit=20000'], { input: s, encoding: 'utf8' }).stdout.trim();
          if (r === 'sat') return 'sat';
          if (r !== 'unsat') out = r || 'error';
        }
        return out;
      });
      ms.push(t);
      verdicts[v] = (verdicts[v] ?? 0) + 1;
      if ((v === 'sat') === (mine.get(a + b) === 'FAIL') && (v === 'sat' || v === 'unsat')) agree++;
    }
    report(label, ms, verdicts, { agreesWithReasoner: `${agree}/${pairs.length}` });
  }
} else if (!JSON_OUT) console.log(NO_CVC5 ? 'cvc5: skipped (--no-cvc5)' : 'cvc5: not installed, skipped (apt-get install -y cvc5)');

// ---------------------------------------------------------------------------
for (const n of [100, 1000, 10000]) {
  const file = join(SHARED, `scale-${n}-identity-policies.json`);
  const policies = JSON.parse(readFileSync(file, 'utf8')) as { policy: Doc }[];
  const all: Statement[] = policies.flatMap((p) => p.policy.Statement).map((st, i) => ({ ...st, Sid: `S${i}` }));
  const doc: Doc = { Version: '2012-10-17', Statement: all };
  const allowIdx = all.map((s, i) => (s.Effect === 'Allow' ? i : -1)).filter((i) => i >= 0);
  const picks = [allowIdx[0], allowIdx[Math.floor(allowIdx.length / 2)], allowIdx[allowIdx.length - 1]];
  const ms: number[] = [];
  const verdicts: Record<string, number> = {};
  const a = JSON.stringify(doc);
  for (const i of picks) {
    const w = widen(all[i], 0) ?? widen(all[i], 1)!;
    const b = JSON.stringify({ ...doc, Statement: all.map((s, j) => (j === i ? w : s)) });
    for (const [x, y] of [[a, b], [b, a]]) {
      const [t, o] = time(() => checkNoNewAccess(x, y, 'identity'));
      ms.push(t);
      verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
    }
  }
  report(`scale-${n}: one statement widened`, ms, verdicts, { statements: all.length });
}

if (JSON_OUT) console.log(JSON.stringify({ bench: 'analyzer', results }, null, 2));
