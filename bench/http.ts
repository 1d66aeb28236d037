// npm run bench:http [-- --json] [-- --seconds S] [-- --concurrency C] [-- --rounds R]
//
// Requests per second of the whole HTTP path — SigV4 parse and verify, credential lookup, Query
// decode, authorization through the engine, the operation, XML encode, and (by default) the
// durable, hash-chained audit event — side by side, in the same run, with a bare `node:http`
// hello-world server. Both servers run as their own processes (the compiled `dist/` Warden when
// built, else the sources through tsx); this process only generates load, alternating rounds
// between the servers so the shared machine's noise falls on both alike. Reported: median
// requests/s per scenario and the ratio to the bare server.
//
// Scenarios: a signed read (IAM GetUser as an IAM user with a policy, over a presigned GET that
// the server verifies on every request), the same read with WARDEN_AUDIT=off (the cost of the
// audit trail), and signed writes (IAM TagUser, signed per request).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { presignUrl, signRequest } from '../src/sigv4/index.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const json = process.argv.includes('--json');
const seconds = option('seconds', 3);
const concurrency = option('concurrency', 32);
const rounds = option('rounds', 3);
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = { accessKeyId: 'AKIABENCHROOT' + randomBytes(4).toString('hex').toUpperCase().slice(0, 7), secretAccessKey: randomBytes(30).toString('base64') };

const children: ChildProcess[] = [];
const dirs: string[] = [];

async function waitFor(port: number, path: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const r = request({ host: '127.0.0.1', port, path }, (res) => { res.resume(); resolve(res.statusCode === 200); });
      r.on('error', () => resolve(false));
      r.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on ${port} did not come up`);
}

function freePort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

async function startWarden(env: Record<string, string>): Promise<number> {
  const port = freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-http-'));
  dirs.push(dataDir);
  const built = join(REPO, 'dist', 'cli', 'main.js');
  const args = existsSync(built)
    ? [built, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'error']
    : ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'error'];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, WARDEN_ROOT_ACCESS_KEY_ID: root.accessKeyId, WARDEN_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await waitFor(port, '/_warden/health');
  return port;
}

async function startBare(): Promise<number> {
  const port = freePort();
  const code = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('hello world'); }).listen(${port}, '127.0.0.1')`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(child);
  await waitFor(port, '/');
  return port;
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function httpCall(port: number, method: string, path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A Query call signed as `creds` (header auth), for setup and writes. */
function iamCall(port: number, creds: { accessKeyId: string; secretAccessKey: string }, params: Record<string, string>): Promise<number> {
  const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' };
  Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body }, { ...creds, region: 'us-east-1', service: 'iam' }));
  return httpCall(port, 'POST', '/', headers, body);
}

/** Sets up user `bench` with a key and a policy; returns the key. */
async function setUp(port: number): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  if (await iamCall(port, root, { Action: 'CreateUser', UserName: 'bench' }) !== 200) throw new Error('CreateUser failed');
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:TagUser'], Resource: '*' }] });
  if (await iamCall(port, root, { Action: 'PutUserPolicy', UserName: 'bench', PolicyName: 'bench', PolicyDocument: policy }) !== 200) throw new Error('PutUserPolicy failed');
  // CreateAccessKey's secret comes back in the XML body.
  const keyBody = new URLSearchParams({ Version: '2010-05-08', Action: 'CreateAccessKey', UserName: 'bench' }).toString();
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' };
  Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body: keyBody }, { ...root, region: 'us-east-1', service: 'iam' }));
  const xml = await new Promise<string>((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(keyBody);
  });
  const id = /<AccessKeyId>([^<]+)</.exec(xml)?.[1];
  const secret = /<SecretAccessKey>([^<]+)</.exec(xml)?.[1];
  if (!id || !secret) throw new Error(`CreateAccessKey failed: ${xml}`);
  return { accessKeyId: id, secretAccessKey: secret };
}

type Call = () => Promise<number>;

/** Requests per second for `seconds`, `concurrency` in flight; every answer must be 200. */
async function measure(call: Call): Promise<number> {
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const status = await call();
      if (status !== 200) throw new Error(`status ${status}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const bare = await startBare();
  const audited = await startWarden({});
  const unaudited = await startWarden({ WARDEN_AUDIT: 'off' });
  const keys = new Map<number, { accessKeyId: string; secretAccessKey: string }>();
  for (const port of [audited, unaudited]) keys.set(port, await setUp(port));

  const presigned = (port: number): Call => {
    const query = presignUrl({ method: 'GET', path: '/', query: 'Action=GetUser&Version=2010-05-08', headers: { host: `127.0.0.1:${port}` }, body: '' },
      { ...keys.get(port)!, region: 'us-east-1', service: 'iam', expiresSeconds: 900 });
    const path = `/?${query}`;
    const headers = { host: `127.0.0.1:${port}` };
    return () => httpCall(port, 'GET', path, headers, '');
  };
  let tag = 0;
  const write = (port: number): Call => () => iamCall(port, keys.get(port)!, {
    Action: 'TagUser', UserName: 'bench', 'Tags.member.1.Key': `k${tag++ % 40}`, 'Tags.member.1.Value': 'v',
  });
  const scenarios: [string, Call][] = [
    ['bare node:http hello world', () => httpCall(bare, 'GET', '/', { host: `127.0.0.1:${bare}` }, '')],
    ['signed read, audit on (GetUser)', presigned(audited)],
    ['signed read, audit off', presigned(unaudited)],
    ['signed write, audit on (TagUser)', write(audited)],
  ];
  const rates = new Map<string, number[]>(scenarios.map(([n]) => [n, []]));
  for (const [, call] of scenarios) await measure(call).catch(() => 0); // warm-up
  for (let r = 0; r < rounds; r++) for (const [name, call] of scenarios) rates.get(name)!.push(await measure(call));

  const base = median(rates.get(scenarios[0][0])!);
  const results = scenarios.map(([name]) => ({ scenario: name, rps: Math.round(median(rates.get(name)!)), ratioToBare: +(median(rates.get(name)!) / base).toFixed(3) }));
  if (json) for (const r of results) console.log(JSON.stringify({ ...r, concurrency, seconds, rounds }));
  else {
    console.log(`HTTP path, concurrency ${concurrency}, ${rounds} rounds of ${seconds} s per scenario (medians), servers in their own processes`);
    for (const r of results) console.log(`  ${r.scenario.padEnd(36)} ${String(r.rps).padStart(7)} req/s   ${(100 * r.ratioToBare).toFixed(1).padStart(5)}% of bare`);
  }
} finally {
  agent.destroy();
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
