// npm run bench:engine [-- --json]
// Checks the 20 expected decisions of ../shared/bench/scenario-20.json, then measures decisions
// per second and per-decision p50/p99 latency on it and with the identity policies swapped for
// the scale-100/1000/10000 sets. Contexts are built once per request (as the server does per
// call); the measured work is authorize(), explanation included.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { authorize } from '../src/policy/index.js';
import { checkScenario, loadScenario } from './scenario.js';

const json = process.argv.includes('--json');
const SETS: [string, string | undefined][] = [
  ['scenario-20', undefined],
  ['scale-100', 'scale-100-identity-policies.json'],
  ['scale-1000', 'scale-1000-identity-policies.json'],
  ['scale-10000', 'scale-10000-identity-policies.json'],
];

function measure(name: string, file: string | undefined) {
  const { requests, expected, statements } = loadScenario(file);
  const { correct, wrong } = checkScenario(requests, expected);
  for (const w of wrong) console.error(`  wrong: ${w}`);
  const n = requests.length;
  // Warm up (JIT, per-action caches).
  for (let i = 0; i < 20_000; i++) authorize(requests[i % n]);
  // Throughput: median of 5 runs of ~0.4 s.
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    let count = 0;
    const t0 = process.hrtime.bigint();
    let t1 = t0;
    while (t1 - t0 < 400_000_000n) {
      for (let i = 0; i < 2_000; i++) authorize(requests[i % n]);
      count += 2_000;
      t1 = process.hrtime.bigint();
    }
    rates.push(count / (Number(t1 - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  // Latency: each decision timed on its own.
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const r = requests[i % n];
    const t0 = process.hrtime.bigint();
    authorize(r);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  return {
    set: name, statements, decisionsPerSecond: Math.round(rates[2]),
    p50us: +samples[Math.floor(samples.length * 0.5)].toFixed(2),
    p99us: +samples[Math.floor(samples.length * 0.99)].toFixed(2),
    correct, total: n,
  };
}

function firstDecisionMs(): number {
  // A fresh process: import the engine, load and compile the scenario, decide once.
  const script = `
    const t0 = performance.now();
    const { loadScenario } = await import(${JSON.stringify(new URL('./scenario.ts', import.meta.url).href)});
    const { authorize } = await import(${JSON.stringify(new URL('../src/policy/index.ts', import.meta.url).href)});
    const t1 = performance.now();
    const { requests } = loadScenario();
    authorize(requests[0]);
    const t2 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, firstDecisionMs: t2 - t1 }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  try { return JSON.parse(line).firstDecisionMs; } catch { return NaN; }
}

const results = SETS.map(([name, file]) => measure(name, file));
const first = firstDecisionMs();
if (json) {
  for (const r of results) console.log(JSON.stringify(r));
  console.log(JSON.stringify({ firstDecisionMsAfterImport: +first.toFixed(2) }));
} else {
  console.log('set          statements  decisions/s   p50 µs  p99 µs  correct');
  for (const r of results) {
    console.log(`${r.set.padEnd(12)} ${String(r.statements).padStart(10)}  ${String(r.decisionsPerSecond).padStart(11)}  ${String(r.p50us).padStart(7)} ${String(r.p99us).padStart(7)}  ${r.correct}/${r.total}`);
  }
  const base = results[0].decisionsPerSecond;
  const last = results[results.length - 1];
  console.log(`\n${last.set} runs at ${(100 * last.decisionsPerSecond / base).toFixed(0)}% of scenario-20's rate`);
  console.log(`first decision after import (load + compile + decide, fresh process): ${first.toFixed(2)} ms`);
}
if (results.some((r) => r.correct !== r.total)) process.exitCode = 1;
