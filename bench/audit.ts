// npm run bench:audit [-- --json] [-- --requests N] [-- --concurrency C] [-- --rounds R]
// What the durable, hash-chained audit trail costs: requests per second of the whole HTTP path
// (signed IAM ListUsers as root, real services runtime, SQLite store whose commits are acknowledged after an fsync of the WAL) with
// the trail on, against the same server, store and load with the trail off (WARDEN_AUDIT=off's
// switch, `createServiceRuntime({ audit: false })`). Off and on alternate for R rounds so that
// machine noise hits both; the best and the median rounds of each are compared. Target: cost < 30 %.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createSecretBox, verifyMasterKey } from '../src/crypto/secrets.js';
import { bootstrap } from '../src/server/bootstrap.js';
import { createWardenServer } from '../src/server/http.js';
import { silentLogger } from '../src/server/log.js';
import { createServiceRuntime, type ServiceRuntime } from '../src/services/runtime.js';
import { verifyStoreChain } from '../src/services/audit/verify.js';
import { signRequest } from '../src/sigv4/index.js';
import { openStore } from '../src/store/index.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const json = process.argv.includes('--json');
const total = option('requests', 3000);
const concurrency = option('concurrency', 64);
const rounds = option('rounds', 5);

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-audit-'));
const store = await openStore(dataDir);
const masterKey = randomBytes(32);
await verifyMasterKey(store, masterKey);
const secrets = createSecretBox(masterKey);
const root = { accessKeyId: 'AKIABENCHAUDIT000000', secretAccessKey: randomBytes(30).toString('base64') };
const server = createWardenServer({ logger: silentLogger() });
const address = await server.listen(0, '127.0.0.1');
const endpoint = `127.0.0.1:${address.port}`;
const boot = await bootstrap({
  store, secrets, dataDir, endpoint: `http://${endpoint}`,
  env: { WARDEN_ROOT_ACCESS_KEY_ID: root.accessKeyId, WARDEN_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey },
});
// As served: the trail appends on a writer thread with its own connection to the store.
const on = await createServiceRuntime({ store, secrets, accountId: boot.accountId, audit: true, storeOptions: { dataDir } });
const off = await createServiceRuntime({ store, secrets, accountId: boot.accountId, audit: false });

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const body = 'Action=ListUsers&Version=2010-05-08';

function send(): Promise<number> {
  const headers: Record<string, string> = { host: endpoint, 'content-type': 'application/x-www-form-urlencoded' };
  Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body }, { ...root, region: 'us-east-1', service: 'iam' }));
  headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port: address.port, method: 'POST', path: '/', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(runtime: ServiceRuntime, n: number): Promise<{ rps: number; p50: number; p99: number }> {
  server.setRuntime(runtime);
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const start = performance.now();
      const status = await send();
      latencies.push(performance.now() - start);
      if (status !== 200) throw new Error(`status ${status}, expected 200`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: n / seconds, p50: latencies[Math.floor(n * 0.5)], p99: latencies[Math.floor(n * 0.99)] };
}

type Result = { rps: number; p50: number; p99: number };
const results: { off: Result[]; on: Result[] } = { off: [], on: [] };
let batches = 0;
let appended = 0;
let chain = '';
try {
  await run(off, Math.min(500, total)); // warm-up
  await run(on, Math.min(500, total));
  // The writer thread's counters are its own; the in-process writer's are read here when present.
  const writer = (on.audit as unknown as { writer: { batches?: number; appended?: number } }).writer;
  const b0 = writer.batches ?? 0;
  const a0 = writer.appended ?? 0;
  for (let r = 0; r < rounds; r++) {
    results.off.push(await run(off, total));
    results.on.push(await run(on, total));
  }
  batches = (writer.batches ?? 0) - b0;
  appended = (writer.appended ?? 0) - a0;
  const verdict = await verifyStoreChain(store);
  chain = verdict.ok ? `intact (${verdict.count} events)` : `BROKEN: ${verdict.break.message}`;
} finally {
  agent.destroy();
  await server.close(1000);
  await on.close();
  await off.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const best = (rs: Result[]): Result => rs.reduce((a, b) => (b.rps > a.rps ? b : a));
const bOff = best(results.off);
const bOn = best(results.on);
const cost = 1 - bOn.rps / bOff.rps;
const median = (rs: Result[]): number => {
  const v = rs.map((r) => r.rps).sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const mOff = median(results.off);
const mOn = median(results.on);
const medianCost = 1 - mOn / mOff;
if (json) {
  console.log(JSON.stringify({ concurrency, requests: total, rounds, off: results.off, on: results.on, cost, medianCost, batches, appended, chain }));
} else {
  console.log(`audit trail cost: iam ListUsers (root, signed), ${total} requests x ${rounds} rounds, concurrency ${concurrency}, SQLite with an fsync of the WAL per commit group`);
  for (let r = 0; r < rounds; r++) {
    const f = (x: Result): string => `${x.rps.toFixed(0).padStart(6)} req/s (p50 ${x.p50.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms)`;
    console.log(`  round ${r + 1}: audit off ${f(results.off[r])}   audit on ${f(results.on[r])}`);
  }
  console.log(`  best:   off ${bOff.rps.toFixed(0)} req/s, on ${bOn.rps.toFixed(0)} req/s → cost ${(cost * 100).toFixed(1)} % (target < 30 %)`);
  console.log(`  median: off ${mOff.toFixed(0)} req/s, on ${mOn.toFixed(0)} req/s → cost ${(medianCost * 100).toFixed(1)} %`);
  console.log(batches > 0
    ? `  group commit: ${appended} events in ${batches} transactions (${(appended / batches).toFixed(1)} per fsync); chain ${chain}`
    : `  group commit on the writer thread; chain ${chain}`);
}
