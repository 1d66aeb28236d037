// npm run bench:engine [-- --json]
// Checks the 20 expected decisions of ../shared/bench/scenario-20.json, then measures decisions
// per second and per-decision p50/p99 latency on it and with the identity policies swapped for
// the scale-100/1000/10000 sets. Contexts are built once per request (as the server does per
// call); the measured work is authorize(), explanation included.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkScenario, currentEngine, loadScenario, useBuiltEngine } from './scenario.js';

// The compiled package when built (`npm run build`; `npm ci` builds it), else the sources.
const measured = await useBuiltEngine();
const { authorize } = currentEngine();

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
  // Throughput: median of 5 runs of ~0.4 s, by wall clock and by this process's CPU time
  // (the CPU figure is what a quiet machine would show; on a shared, loaded box the wall
  // clock also counts time the process spent waiting for a core).
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let run = 0; run < 5; run++) {
    let count = 0;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let t1 = t0;
    while (t1 - t0 < 400_000_000n) {
      for (let i = 0; i < 2_000; i++) authorize(requests[i % n]);
      count += 2_000;
      t1 = process.hrtime.bigint();
    }
    const c = process.cpuUsage(c0);
    rates.push(count / (Number(t1 - t0) / 1e9));
    cpuRates.push(count / ((c.user + c.system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  cpuRates.sort((a, b) => a - b);
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
    set: name, statements, decisionsPerSecond: Math.round(rates[2]), decisionsPerCpuSecond: Math.round(cpuRates[2]),
    p50us: +samples[Math.floor(samples.length * 0.5)].toFixed(2),
    p99us: +samples[Math.floor(samples.length * 0.99)].toFixed(2),
    correct, total: n,
  };
}

function firstDecisionMs(): { wall: number; cpu: number; authorize: number } {
  // A fresh process: import the engine, load and compile the scenario, decide once.
  const script = `
    const t0 = performance.now();
    const { loadScenario } = await import(${JSON.stringify(new URL('./scenario.ts', import.meta.url).href)});
    const { useBuiltEngine, currentEngine } = await import(${JSON.stringify(new URL('./scenario.ts', import.meta.url).href)});
    await useBuiltEngine();
    const { authorize } = currentEngine();
    // Touch the benchmark file once (disk and fs warm-up are not the engine's cost).
    const { readFileSync } = await import('node:fs');
    const { benchFile } = await import(${JSON.stringify(new URL('./scenario.ts', import.meta.url).href)});
    readFileSync(benchFile('scenario-20.json'));
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const { requests } = loadScenario();
    const t15 = performance.now();
    authorize(requests[0]);
    const t2 = performance.now();
    const c2 = process.cpuUsage(c1);
    console.log(JSON.stringify({ importMs: t1 - t0, firstDecisionMs: t2 - t1, firstDecisionCpuMs: (c2.user + c2.system) / 1000, firstAuthorizeMs: t2 - t15 }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  try {
    const j = JSON.parse(line);
    return { wall: j.firstDecisionMs, cpu: j.firstDecisionCpuMs, authorize: j.firstAuthorizeMs };
  } catch {
    return { wall: NaN, cpu: NaN, authorize: NaN };
  }
}

const results = SETS.map(([name, file]) => measure(name, file));
const first = firstDecisionMs();
if (json) {
  for (const r of results) console.log(JSON.stringify(r));
  console.log(JSON.stringify({ engine: measured, firstDecisionMsAfterImport: +first.wall.toFixed(2), firstDecisionCpuMsAfterImport: +first.cpu.toFixed(2), firstAuthorizeCallMs: +first.authorize.toFixed(2) }));
} else {
  console.log(`engine measured: ${measured === 'dist' ? 'dist/policy (compiled, as shipped)' : 'src/policy (through tsx; run npm run build to measure the compiled package)'}\n`);
  console.log('set          statements  decisions/s  per CPU-s   p50 µs  p99 µs  correct');
  for (const r of results) {
    console.log(`${r.set.padEnd(12)} ${String(r.statements).padStart(10)}  ${String(r.decisionsPerSecond).padStart(11)}  ${String(r.decisionsPerCpuSecond).padStart(9)}  ${String(r.p50us).padStart(7)} ${String(r.p99us).padStart(7)}  ${r.correct}/${r.total}`);
  }
  const base = results[0].decisionsPerSecond;
  const last = results[results.length - 1];
  console.log(`\n${last.set} runs at ${(100 * last.decisionsPerSecond / base).toFixed(0)}% of scenario-20's rate (${(100 * last.decisionsPerCpuSecond / results[0].decisionsPerCpuSecond).toFixed(0)}% per CPU-second)`);
  console.log(`first decision after import (load + compile + decide, fresh process): ${first.wall.toFixed(2)} ms wall, ${first.cpu.toFixed(2)} ms CPU; of which the first authorize() call: ${first.authorize.toFixed(2)} ms`);
}
if (results.some((r) => r.correct !== r.total)) process.exitCode = 1;
