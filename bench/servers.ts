// Shared by bench:http and bench:audit: Warden and a bare node:http server, each in a process of
// its own, a user `bench` allowed to read and tag itself, and a presigned GetUser path (the server
// verifies its signature on every request; AWS accepts a presigned URL until it expires).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { presignUrl, signRequest } from '../src/sigv4/index.js';

export interface Creds { accessKeyId: string; secretAccessKey: string }

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const root: Creds = { accessKeyId: 'AKIABENCHROOT' + randomBytes(4).toString('hex').toUpperCase().slice(0, 7), secretAccessKey: randomBytes(30).toString('base64') };
const children: ChildProcess[] = [];
const dirs: string[] = [];
const setupAgent = new Agent({ keepAlive: true, maxSockets: 4 });

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

/** `warden serve` (compiled dist/ when built, else the sources through tsx) on a fresh SQLite data directory. */
export async function startWarden(env: Record<string, string>): Promise<{ port: number; dataDir: string; pid: number }> {
  const port = freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
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
  if (child.pid !== undefined) serverPids.set(port, child.pid);
  await waitFor(port, '/_warden/health');
  return { port, dataDir, pid: child.pid ?? 0 };
}

/** `warden audit verify` on a server's data directory (read-only, beside the running server): its first line. */
export function verifyAudit(dataDir: string): Promise<string> {
  const built = join(REPO, 'dist', 'cli', 'main.js');
  const args = existsSync(built) ? [built, 'audit', 'verify', '--data-dir', dataDir] : ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'audit', 'verify', '--data-dir', dataDir];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    child.on('close', (code) => resolve(`${out.trim().split('\n')[0]} (exit ${code})`));
  });
}

/** CPU seconds (user + system, all threads) a process has used so far; undefined off Linux. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/**
 * The whole machine's busy CPU seconds so far (every state but idle and iowait), from /proc/stat's
 * first line (all CPUs); undefined off Linux.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) / 100; // idle, iowait; USER_HZ 100
  } catch {
    return undefined;
  }
}

/** Process ids of the servers started here, by port. */
export const serverPids = new Map<number, number>();

/** A bare node:http hello world. */
export async function startBare(): Promise<number> {
  const port = freePort();
  const code = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('hello world'); }).listen(${port}, '127.0.0.1')`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(child);
  if (child.pid !== undefined) serverPids.set(port, child.pid);
  await waitFor(port, '/');
  return port;
}

/** A Query call signed as `creds` (header auth); resolves with status and body. */
export function iamCall(port: number, creds: Creds, params: Record<string, string>, agent: Agent = setupAgent): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' };
  Object.assign(headers, signRequest({ method: 'POST', path: '/', query: '', headers, body }, { ...creds, region: 'us-east-1', service: 'iam' }));
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sets up user `bench` with a key and a policy allowing GetUser and TagUser, and user
 * `bench-tagged` for the writes to tag (so that `bench`'s GetUser answer is the same on every
 * server, written to or not); returns `bench`'s key.
 */
export async function setUpUser(port: number): Promise<Creds> {
  for (const name of ['bench', 'bench-tagged']) {
    if ((await iamCall(port, root, { Action: 'CreateUser', UserName: name })).status !== 200) throw new Error('CreateUser failed');
  }
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:TagUser'], Resource: '*' }] });
  if ((await iamCall(port, root, { Action: 'PutUserPolicy', UserName: 'bench', PolicyName: 'bench', PolicyDocument: policy })).status !== 200) throw new Error('PutUserPolicy failed');
  const { body } = await iamCall(port, root, { Action: 'CreateAccessKey', UserName: 'bench' });
  const id = /<AccessKeyId>([^<]+)</.exec(body)?.[1];
  const secret = /<SecretAccessKey>([^<]+)</.exec(body)?.[1];
  if (!id || !secret) throw new Error(`CreateAccessKey failed: ${body}`);
  return { accessKeyId: id, secretAccessKey: secret };
}

/** The path of a GetUser call presigned for 15 minutes with `creds`. */
export function presignedGetUser(port: number, creds: Creds): string {
  const query = presignUrl({ method: 'GET', path: '/', query: 'Action=GetUser&Version=2010-05-08', headers: { host: `127.0.0.1:${port}` }, body: '' },
    { ...creds, region: 'us-east-1', service: 'iam', expiresSeconds: 900 });
  return `/?${query}`;
}

/** Stops every server started here and removes their data. */
export async function stopAll(): Promise<void> {
  setupAgent.destroy();
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
