// Differential test: the reasoner against the cvc5 SMT solver on random policy pairs in the
// decided fragment. cvc5 decides "some request is allowed by B and not by A" from an encoding
// written straight from the policy JSON (testing/smt.ts: regular-expression membership for
// globs and ARN segments, reals for numbers and dates, integers for IPv4, case variants for
// Bool); the reasoner must answer FAIL exactly when cvc5 answers sat. Skipped, with the reason
// printed, when cvc5 is not installed (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { checkNoNewAccess } from './index.js';
import { randomPair, randomResourcePolicy, rng } from './testing/gen.js';
import { smtScriptsByStatement } from './testing/smt.js';

// Finite model finding answers sat fast; the rare query it cannot finish in 3 s is retried
// without it (sat or unsat within 10 s) before it counts as unknown.
const CVC5_ARGS = ['--strings-exp', '--strings-fmf', '--tlimit=3000'];
const CVC5_RETRY = ['--strings-exp', '--tlimit=10000'];
const haveCvc5 = spawnSync('cvc5', ['--version'], { encoding: 'utf8' }).status === 0;

async function cvc5(script: string): Promise<string> {
  const first = await cvc5With(CVC5_ARGS, script);
  return first === 'sat' || first === 'unsat' ? first : cvc5With(CVC5_RETRY, script);
}

function cvc5With(args: string[], script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('cvc5', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', () => resolve(out.trim()));
    p.stdin.end(script);
  });
}

/** sat when some statement's script is sat; unknown when none is sat and some is unknown. */
async function solve(a: string, b: string): Promise<'sat' | 'unsat' | 'unknown'> {
  let unknown = false;
  for (const s of smtScriptsByStatement(a, b)) {
    const r = await cvc5(s);
    if (r === 'sat') return 'sat';
    if (r !== 'unsat') unknown = true;
  }
  return unknown ? 'unknown' : 'unsat';
}

test('reasoner agrees with cvc5 on 1,000 random policy pairs', { skip: haveCvc5 ? false : 'cvc5 is not installed (apt-get install -y cvc5)', timeout: 240_000 }, async () => {
  const r = rng(20261122);
  const target = 1000;
  let agreed = 0;
  let sat = 0;
  let unknown = 0;
  const disagreements: string[] = [];
  let issued = 0;
  const workers = Math.max(2, Math.min(8, availableParallelism()));
  const next = async (): Promise<void> => {
    while (agreed + disagreements.length < target && issued < target + 200) {
      issued++;
      const [a, b] = randomPair(r);
      const mine = checkNoNewAccess(a, b, 'identity').verdict;
      const theirs = await solve(a, b);
      if (theirs === 'unknown') { unknown++; continue; }
      if ((theirs === 'sat') === (mine === 'FAIL') && mine !== 'UNKNOWN') { agreed++; if (theirs === 'sat') sat++; }
      else disagreements.push(`reasoner ${mine}, cvc5 ${theirs}:\nA=${a}\nB=${b}`);
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: workers }, next));
  console.log(`cvc5 differential: ${agreed} agreements (${sat} sat, ${agreed - sat} unsat), ${unknown} cvc5 unknown, ${disagreements.length} disagreements, ${Date.now() - t0} ms`);
  assert.deepEqual(disagreements, []);
  assert.ok(agreed >= target, `${agreed} decided pairs`);
});

test('reasoner agrees with cvc5 on 200 random resource-policy pairs (principals)', { skip: haveCvc5 ? false : 'cvc5 is not installed (apt-get install -y cvc5)', timeout: 120_000 }, async () => {
  const r = rng(424242);
  const pairs: [string, string][] = [];
  for (let i = 0; i < 200; i++) {
    const a = randomResourcePolicy(r);
    pairs.push([a, r() < 0.5 ? randomResourcePolicy(r) : a.replace(/"Principal":\{"AWS":"111122223333"\}/, '"Principal":"*"')]);
  }
  let agreed = 0;
  let sat = 0;
  let unknown = 0;
  const disagreements: string[] = [];
  let k = 0;
  const next = async (): Promise<void> => {
    while (k < pairs.length) {
      const [a, b] = pairs[k++];
      const mine = checkNoNewAccess(a, b, 'resource').verdict;
      const theirs = await solve(a, b);
      if (theirs === 'unknown') { unknown++; continue; }
      if ((theirs === 'sat') === (mine === 'FAIL') && mine !== 'UNKNOWN') { agreed++; if (theirs === 'sat') sat++; }
      else disagreements.push(`reasoner ${mine}, cvc5 ${theirs}:\nA=${a}\nB=${b}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, Math.min(8, availableParallelism())) }, next));
  console.log(`cvc5 differential (resource policies): ${agreed} agreements (${sat} sat), ${unknown} unknown, ${disagreements.length} disagreements`);
  assert.deepEqual(disagreements, []);
  assert.ok(agreed >= 190, `${agreed} decided pairs`);
});
