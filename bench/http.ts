// npm run bench:http [-- --json] [-- --requests N] [-- --concurrency C]
// Requests per second and per-request p50/p99 latency of the whole HTTP path — body read, SigV4
// parse and verify, credential lookup, Query decode, operation, XML encode — on an in-process
// server with the real services runtime and a SQLite store in a temporary directory.
// Scenarios: a signed IAM read as root (GetAccountSummary-like ListUsers), a signed STS-scoped
// unknown key (the InvalidClientTokenId path) and a wrong signature (SignatureDoesNotMatch).
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createSecretBox, verifyMasterKey } from '../src/crypto/secrets.js';
import { bootstrap } from '../src/server/bootstrap.js';
import { createWardenServer } from '../src/server/http.js';
import { silentLogger } from '../src/server/log.js';
import { createServiceRuntime } from '../src/services/runtime.js';
import { signRequest } from '../src/sigv4/index.js';
import { openStore } from '../src/store/index.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const json = process.argv.includes('--json');
const total = option('requests', 5000);
const concurrency = option('concurrency', 16);

const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
const store = await openStore(dataDir);
const masterKey = randomBytes(32);
await verifyMasterKey(store, masterKey);
const secrets = createSecretBox(masterKey);
const root = { accessKeyId: 'AKIABENCHROOT0000000', secretAccessKey: randomBytes(30).toString('base64') };
const server = createWardenServer({ logger: silentLogger() });
const address = await server.listen(0, '127.0.0.1');
const endpoint = `127.0.0.1:${address.port}`;
const boot = await bootstrap({
  store, secrets, dataDir, endpoint: `http://${endpoint}`,
  env: { WARDEN_ROOT_ACCESS_KEY_ID: root.accessKeyId, WARDEN_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey },
});
const runtime = await createServiceRuntime({ store, secrets, accountId: boot.accountId });
server.setRuntime(runtime);

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

interface Scenario { name: string; expect: number; credentials: { accessKeyId: string; secretAccessKey: string }; body: string }
const scenarios: Scenario[] = [
  { name: 'iam ListUsers (root, signed)', expect: 200, credentials: root, body: 'Action=ListUsers&Version=2010-05-08' },
  { name: 'unknown access key', expect: 403, credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: root.secretAccessKey }, body: 'Action=ListUsers&Version=2010-05-08' },
  { name: 'wrong signature', expect: 403, credentials: { accessKeyId: root.accessKeyId, secretAccessKey: 'wrong-secret-value-0000' }, body: 'Action=ListUsers&Version=2010-05-08' },
];

function send(s: Scenario): Promise<number> {
  const headers: Record<string, string> = { host: endpoint, 'content-type': 'application/x-www-form-urlencoded' };
  Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body: s.body }, { ...s.credentials, region: 'us-east-1', service: 'iam' }));
  headers['content-length'] = String(Buffer.byteLength(s.body));
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port: address.port, method: 'POST', path: '/', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(s.body);
  });
}

async function run(s: Scenario, n: number): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const start = performance.now();
      const status = await send(s);
      latencies.push(performance.now() - start);
      if (status !== s.expect) throw new Error(`${s.name}: status ${status}, expected ${s.expect}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: n / seconds, p50: latencies[Math.floor(n * 0.5)], p99: latencies[Math.floor(n * 0.99)] };
}

const results: Record<string, { rps: number; p50: number; p99: number }> = {};
try {
  for (const s of scenarios) {
    await run(s, Math.min(500, total)); // warm-up
    results[s.name] = await run(s, total);
  }
} finally {
  agent.destroy();
  await server.close(1000);
  await runtime.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}

if (json) console.log(JSON.stringify({ concurrency, requests: total, results }));
else {
  console.log(`HTTP path, ${total} requests per scenario, concurrency ${concurrency}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(32)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms`);
  }
}
