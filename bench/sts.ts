// npm run bench:sts [-- --json] [-- --requests N] [-- --concurrency C] [-- --clients W] [-- --no-audit]
//                   [-- --only TEXT]   (only the rows whose name contains TEXT)
// STS throughput over loopback HTTP with keep-alive connections: AssumeRole calls per second
// (an IAM user's signed call: SigV4, trust policy + identity policy decision, token sealing)
// and authenticated calls per second with the session credentials it hands out (session token
// verification, role session resolution, decision). The server runs in this process with the
// real services runtime and a SQLite store in a temporary directory; the clients (signing and
// sending) run in W child processes, so the server's own CPU per request is measured too
// ("req per CPU-second": what one core sustains, independent of the machine's other load).
// Target: ≥ 6,000 AssumeRole/s (ten times AWS's 600/s per-account quota).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../src/sigv4/index.js';
import { answerReader } from './load.js';

interface Creds { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
interface Scenario { name: string; expect: number; credentials: Creds; body: string; service: string }
interface Job { port: number; scenario: Scenario; requests: number; concurrency: number; light?: boolean }
interface Result { latencies: number[]; failures: string[] }
interface Stat { rps: number; p50: number; p99: number; perCore: number }

async function clientRun(job: Job): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const host = `127.0.0.1:${job.port}`;
  const s = job.scenario;
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const send = (): Promise<{ status: number; body: string }> => {
    const headers: Record<string, string> = { host, 'content-type': 'application/x-www-form-urlencoded' };
    Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body: s.body }, { ...s.credentials, region: 'us-east-1', service: s.service }));
    headers['content-length'] = String(Buffer.byteLength(s.body));
    return new Promise((resolve, reject) => {
      const req = request({ agent, host: '127.0.0.1', port: job.port, method: 'POST', path: '/', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(s.body);
    });
  };
  const worker = async (): Promise<void> => {
    while (next < job.requests) {
      next++;
      const start = performance.now();
      const r = await send();
      latencies.push(performance.now() - start);
      if (r.status !== s.expect && failures.length < 3) failures.push(`${r.status}: ${r.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  agent.destroy();
  return { latencies, failures };
}

/**
 * The same requests, each signed afresh, from a light raw-socket HTTP/1.1 client (keep-alive,
 * one request in flight per connection, answers framed by bench/load.ts's answerReader): what
 * wrk would do if it could sign. node:http's client costs about as much CPU per request as a bare
 * server, which on a 2-core machine takes from the server what a client on another machine
 * would not.
 */
async function lightClientRun(job: Job): Promise<Result> {
  const s = job.scenario;
  const latencies: number[] = [];
  const failures: string[] = [];
  const bodyBytes = Buffer.byteLength(s.body);
  const requestBytes = (): Buffer => {
    const headers: Record<string, string> = { host: `127.0.0.1:${job.port}`, 'content-type': 'application/x-www-form-urlencoded' };
    Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body: s.body }, { ...s.credentials, region: 'us-east-1', service: s.service }));
    let head = 'POST / HTTP/1.1\r\n';
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    return Buffer.from(`${head}content-length: ${bodyBytes}\r\nconnection: keep-alive\r\n\r\n${s.body}`, 'latin1');
  };
  let sent = 0;
  await Promise.all(Array.from({ length: job.concurrency }, () => new Promise<void>((resolve, reject) => {
    const socket = connect({ port: job.port, host: '127.0.0.1', noDelay: true });
    let start = 0;
    const next = (): void => {
      if (sent >= job.requests) { socket.end(); return; }
      sent++;
      start = performance.now();
      socket.write(requestBytes());
    };
    socket.on('connect', next);
    socket.on('data', answerReader((statusLine, body) => {
      const status = Number(statusLine.slice(9, 12));
      if (status !== s.expect && failures.length < 3) failures.push(`${status}: ${body.toString('utf8', 0, 300)}`);
      latencies.push(performance.now() - start);
      next();
      return true;
    }, (e) => { reject(e); socket.destroy(); }));
    socket.on('error', reject);
    socket.on('close', () => resolve());
  })));
  return { latencies, failures };
}

if (process.argv.includes('--client')) {
  process.on('message', (job: Job) => {
    void (job.light ? lightClientRun(job) : clientRun(job)).then((r) => process.send!(r), (e: Error) => process.send!({ latencies: [], failures: [e.message] } satisfies Result));
  });
} else {
  await main();
}

async function main(): Promise<void> {
  // The server as `npm start` runs it: the compiled dist/ when built (tsx's transform adds a
  // little to every call), else the sources.
  const dist = existsSync(fileURLToPath(new URL('../dist/server/http.js', import.meta.url)));
  const load = <T>(path: string): Promise<T> => import(new URL(`../${dist ? 'dist' : 'src'}/${path}`, import.meta.url).href) as Promise<T>;
  const { createSecretBox, verifyMasterKey } = await load<typeof import('../src/crypto/secrets.js')>('crypto/secrets.js');
  const { bootstrap } = await load<typeof import('../src/server/bootstrap.js')>('server/bootstrap.js');
  const { createWardenServer } = await load<typeof import('../src/server/http.js')>('server/http.js');
  const { silentLogger } = await load<typeof import('../src/server/log.js')>('server/log.js');
  const { createServiceRuntime } = await load<typeof import('../src/services/runtime.js')>('services/runtime.js');
  const { openStore } = await load<typeof import('../src/store/index.js')>('store/index.js');
  const { KIND, iamArn, isoNow, newAccessKeyId, newId, newSecretAccessKey, ownerKey } = await load<typeof import('../src/services/iam/entities.js')>('services/iam/entities.js');

  const option = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const json = process.argv.includes('--json');
  const total = option('requests', 20_000);
  const concurrency = option('concurrency', 64);
  const clients = option('clients', 1);
  // The audit trail records every call durably before answering (on by default, as served);
  // `--no-audit` measures STS alone.
  const audit = !process.argv.includes('--no-audit');

  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-sts-'));
  const store = await openStore(dataDir);
  const masterKey = randomBytes(32);
  await verifyMasterKey(store, masterKey);
  const secrets = createSecretBox(masterKey);
  const server = createWardenServer({ logger: silentLogger() });
  const address = await server.listen(0, '127.0.0.1');
  const boot = await bootstrap({ store, secrets, dataDir, endpoint: `http://127.0.0.1:${address.port}`, env: {} });
  const account = boot.accountId;

  // A user allowed to assume a role whose trust policy names the account (so both sides decide).
  const user: Creds = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey() };
  const doc = (st: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: st });
  await store.transaction(async (tx) => {
    const userId = newId('AIDA');
    await tx.insert({ kind: KIND.user, account, key: 'bench', id: userId, data: { UserName: 'bench', UserId: userId, Arn: iamArn(account, 'user', '/', 'bench'), Path: '/', CreateDate: isoNow(), Tags: [] } });
    await tx.insert({ kind: KIND.inlinePolicy, account, key: `${ownerKey('user', 'bench')}|p`, parent: ownerKey('user', 'bench'), data: { OwnerType: 'user', OwnerName: 'bench', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]) } });
    await tx.insert({ kind: KIND.accessKey, account, key: user.accessKeyId, id: user.accessKeyId, parent: ownerKey('user', 'bench'), data: { UserName: 'bench', AccessKeyId: user.accessKeyId, Status: 'Active', CreateDate: isoNow(), SecretEncrypted: secrets.encrypt(user.secretAccessKey) } });
    const roleId = newId('AROA');
    await tx.insert({ kind: KIND.role, account, key: 'bench-role', id: roleId, data: {
      RoleName: 'bench-role', RoleId: roleId, Arn: iamArn(account, 'role', '/', 'bench-role'), Path: '/', CreateDate: isoNow(), MaxSessionDuration: 3600, Tags: [],
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'bench-external-id' } } }]),
    } });
    await tx.insert({ kind: KIND.inlinePolicy, account, key: `${ownerKey('role', 'bench-role')}|p`, parent: ownerKey('role', 'bench-role'), data: { OwnerType: 'role', OwnerName: 'bench-role', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' }]) } });
  });
  // As served: audit events are appended on a writer thread with its own store connection.
  const runtime = await createServiceRuntime({ store, secrets, accountId: account, audit, storeOptions: { dataDir } });
  server.setRuntime(runtime);

  const assumeBody = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(iamArn(account, 'role', '/', 'bench-role'))}&RoleSessionName=bench&ExternalId=bench-external-id`;
  // One session for the authenticated-call scenarios.
  const one = await clientRun({ port: address.port, scenario: { name: 'setup', expect: 200, credentials: user, body: assumeBody, service: 'sts' }, requests: 1, concurrency: 1 });
  if (one.failures.length) throw new Error(one.failures[0]);
  // One AssumeRole answer: its session for the authenticated-call scenarios, and its bytes for
  // the ceiling's bare server.
  const assumeAnswer = await (async (): Promise<string> => {
    const headers: Record<string, string> = { host: `127.0.0.1:${address.port}`, 'content-type': 'application/x-www-form-urlencoded' };
    Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body: assumeBody }, { ...user, region: 'us-east-1', service: 'sts' }));
    return (await fetch(`http://127.0.0.1:${address.port}/`, { method: 'POST', headers, body: assumeBody })).text();
  })();
  const pick = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(assumeAnswer)?.[1] ?? '';
  const session: Creds = { accessKeyId: pick('AccessKeyId'), secretAccessKey: pick('SecretAccessKey'), sessionToken: pick('SessionToken') };

  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const scenarios: Scenario[] = [
    { name: 'sts AssumeRole (IAM user)', expect: 200, credentials: user, body: assumeBody, service: 'sts' },
    { name: 'sts GetCallerIdentity (session)', expect: 200, credentials: session, body: 'Action=GetCallerIdentity&Version=2011-06-15', service: 'sts' },
    { name: 'iam GetRole (session, authorized)', expect: 200, credentials: session, body: 'Action=GetRole&RoleName=bench-role&Version=2010-05-08', service: 'iam' },
  ];

  const workers: ChildProcess[] = Array.from({ length: clients }, () => fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] }));
  const runAll = async (s: Scenario, n: number, light: boolean, port = address.port): Promise<Stat> => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const per = Math.ceil(n / clients);
    const results = await Promise.all(workers.map((wk) => new Promise<Result>((resolve) => {
      wk.once('message', (m) => resolve(m as Result));
      wk.send({ port, scenario: s, requests: per, concurrency: Math.max(1, Math.ceil(concurrency / clients)), light } satisfies Job);
    })));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const failures = results.flatMap((r) => r.failures);
    if (failures.length) throw new Error(`${s.name}: ${failures[0]}`);
    const lat = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    // Server CPU per request (this process only: the clients are other processes): what one
    // core sustains, whatever else the machine is running.
    const perCore = lat.length / ((cpu.user + cpu.system) / 1e6);
    return { rps: lat.length / seconds, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)], perCore };
  };

  const results: Record<string, Stat> = {};
  // The ceiling this machine puts on the same client: its signed AssumeRole requests answered by a
  // bare node:http server (no verification, no work) with a real AssumeRole answer's bytes
  // (`assumeAnswer`). No
  // server can answer these clients faster than this on this machine.
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(assumeAnswer) }); res.end(assumeAnswer); });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as { port: number }).port;
  try {
    const ceiling: Scenario = { ...scenarios[0], name: 'ceiling: same client, bare node:http' };
    for (const light of [true, false]) {
      for (const s of scenarios) {
        if (only && !s.name.includes(only)) continue;
        await runAll(s, Math.min(2000, total), light); // warm-up
        results[`${s.name}${light ? '' : ' [node:http]'}`] = await runAll(s, total, light);
      }
      if (!only || ceiling.name.includes(only)) {
        await runAll(ceiling, Math.min(2000, total), light, barePort);
        results[`${ceiling.name}${light ? '' : ' [node:http]'}`] = await runAll(ceiling, total, light, barePort);
      }
    }
    // The same work without HTTP, SigV4 or XML: credential resolution, the call context and the
    // operation (AssumeRole), or session-token resolution and one authorization decision.
    const info = () => ({ requestId: 'bench', sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: false, now: new Date() });
    const inProcess = async (name: string, n: number, once: () => Promise<void>) => {
      if (only && !name.includes(only)) return;
      for (let i = 0; i < Math.min(2000, n); i++) await once();
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await once();
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - t0) / 1000;
      results[name] = { rps: n / seconds, p50: (seconds * 1000) / n, p99: Number.NaN, perCore: n / ((cpu.user + cpu.system) / 1e6) };
    };
    const assumeInput = { RoleArn: iamArn(account, 'role', '/', 'bench-role'), RoleSessionName: 'bench', ExternalId: 'bench-external-id' };
    await inProcess('in-process AssumeRole', total, async () => {
      const r = await runtime.resolveCredentials(user.accessKeyId, undefined, new Date());
      if (!r.ok) throw new Error(r.message);
      await runtime.operations.sts!.AssumeRole(runtime.createContext(r.caller, info()), assumeInput);
    });
    const roleArn = iamArn(account, 'role', '/', 'bench-role');
    await inProcess('in-process session call (iam:GetRole)', total, async () => {
      const r = await runtime.resolveCredentials(session.accessKeyId, session.sessionToken, new Date());
      if (!r.ok) throw new Error(r.message);
      runtime.createContext(r.caller, info()).authorize('iam:GetRole', roleArn);
    });
  } finally {
    for (const wk of workers) wk.kill();
    bare.close();
    await server.close(1000);
    await runtime.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (json) console.log(JSON.stringify({ concurrency, clients, audit, requests: total, server: dist ? 'dist' : 'src', results }));
  else {
    console.log(`STS over loopback HTTP, ${total} requests per scenario, ${concurrency} connections from ${clients} client thread(s), audit trail ${audit ? 'on' : 'off'}, server from ${dist ? 'dist/' : 'src/ (tsx)'}`);
    for (const [name, r] of Object.entries(results)) {
      const lat = Number.isNaN(r.p99) ? `mean ${r.p50.toFixed(3)} ms` : `p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms`;
      console.log(`  ${name.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} req/s   ${lat}   server CPU: ${r.perCore.toFixed(0)} req per CPU-second`);
    }
  }
}
