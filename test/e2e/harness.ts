// End-to-end harness: a real `warden serve` child process on a free port of 127.0.0.1 with a
// temporary data directory and fixed root credentials, plus a SigV4-signing HTTP client.
// Also an in-process server with a small real runtime (SQLite store, bootstrap, root key
// lookup) for server tests that need to plug in their own operations.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { signRequest } from '../../src/sigv4/index.js';
import { createSecretBox, verifyMasterKey } from '../../src/crypto/secrets.js';
import { bootstrap } from '../../src/server/bootstrap.js';
import { createWardenServer } from '../../src/server/http.js';
import { createLogger, silentLogger, type Logger } from '../../src/server/log.js';
import type { ResolvedCredentials, RequestInfo, ServiceRuntime } from '../../src/server/service-runtime.js';
import { KIND, rootArn, type AccessKeyDoc } from '../../src/services/iam/entities.js';
import type { CallContext, Caller, OperationTable } from '../../src/services/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createServiceRuntime } from '../../src/services/runtime.js';
import { INVALID_CLIENT_TOKEN_ID_MESSAGE } from '../../src/sigv4/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Fixed root credentials the harness hands to Warden through the environment. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A running Warden. */
export interface Warden {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  rootCredentials: Credentials;
  accountId: string;
  /** Stops Warden (SIGTERM, then waits) and removes its data directory. */
  stop(): Promise<void>;
}

/** A running `warden serve` child: also its exit code after stop and its captured output. */
export interface WardenProcess extends Warden {
  dataDir: string;
  /** stderr (JSON log lines) so far. */
  logs(): string;
  /** stdout so far. */
  output(): string;
  /** The exit code once stopped (null for a signal). */
  exitCode(): number | null | undefined;
}

/** Fresh random root credentials in AWS's formats. */
export function randomCredentials(): Credentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const b of bytes) id += alphabet[b & 31];
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64') };
}

function randomAccountId(): string {
  return '1' + String(Math.floor(Math.random() * 1e11)).padStart(11, '0');
}

export interface StartOptions {
  /** Extra environment for the child (e.g. WARDEN_STORE). */
  env?: Record<string, string>;
  /** Extra `serve` arguments. */
  args?: string[];
  /** Give up waiting for health after this long (default 60 s: tsx compiles on start, slow under a loaded test run). */
  timeoutMs?: number;
  /** Use these instead of random root credentials. */
  rootCredentials?: Credentials;
  /** Data directory to use (kept on stop); default a new temporary one (removed on stop). */
  dataDir?: string;
}

async function waitForHealth(endpoint: string, child: ChildProcess, deadline: number, logs: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`warden serve exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${logs()}`);
    }
    try {
      const res = await fetch(`${endpoint}/_warden/health`);
      if (res.status === 200) return;
      await res.body?.cancel();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`warden serve was not healthy in time:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts `node --import tsx src/cli/main.ts serve` on 127.0.0.1 with port 0 (the OS picks a
 * free one; the harness reads it from the `listening` log line), a temporary data directory
 * and fixed root credentials; resolves once `/_warden/health` answers 200.
 */
export async function startWarden(options: StartOptions = {}): Promise<WardenProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'warden-e2e-'));
  const rootCredentials = options.rootCredentials ?? randomCredentials();
  const accountId = options.env?.WARDEN_ACCOUNT_ID ?? randomAccountId();
  const child = spawn(process.execPath, [
    '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'serve',
    '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(options.args ?? []),
  ], {
    cwd: REPO,
    env: {
      ...process.env,
      WARDEN_ACCOUNT_ID: accountId,
      WARDEN_ROOT_ACCESS_KEY_ID: rootCredentials.accessKeyId,
      WARDEN_ROOT_SECRET_ACCESS_KEY: rootCredentials.secretAccessKey,
      WARDEN_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let endpoint: string | undefined;
  try {
    while (endpoint === undefined) {
      const m = /"msg":"listening","endpoint":"(http:\/\/[^"]+)"/.exec(stderr);
      if (m) endpoint = m[1];
      else {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`warden serve exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`warden serve did not listen in time:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await waitForHealth(endpoint, child, deadline, () => stderr);
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  const url = endpoint;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: url,
    rootCredentials,
    accountId,
    dataDir,
    logs: () => stderr,
    output: () => stdout,
    exitCode: () => child.exitCode,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

// ---------------------------------------------------------------------------
// A SigV4-signing client.

export interface SignedRequestOptions {
  method?: string;
  /** Path and query, e.g. `/` or `/?Action=GetUser&Version=2010-05-08`. */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Credentials to sign with; omit to send the request unsigned. */
  credentials?: Credentials;
  service?: string;
  region?: string;
  now?: Date;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one request (signed when `credentials` are given) and reads the whole answer. */
export function sendRequest(endpoint: string, options: SignedRequestOptions = {}): Promise<HttpResult> {
  const url = new URL(endpoint);
  const method = options.method ?? 'POST';
  const pathAndQuery = options.path ?? '/';
  const q = pathAndQuery.indexOf('?');
  const body = options.body ?? '';
  const headers: Record<string, string> = { host: url.host, ...options.headers };
  if (options.credentials) {
    Object.assign(headers, signRequest(
      { method, path: q === -1 ? pathAndQuery : pathAndQuery.slice(0, q), query: q === -1 ? '' : pathAndQuery.slice(q + 1), headers, body },
      {
        accessKeyId: options.credentials.accessKeyId,
        secretAccessKey: options.credentials.secretAccessKey,
        sessionToken: options.credentials.sessionToken,
        region: options.region ?? 'us-east-1',
        service: options.service ?? 'iam',
        now: options.now,
      },
    ));
  }
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  headers['content-length'] = String(payload.length);
  return new Promise((resolveResult, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveResult({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A Query-protocol call: form-encodes `params` (with Action and Version) and signs it. */
export function queryRequest(endpoint: string, params: Record<string, string>, options: Omit<SignedRequestOptions, 'body'> = {}): Promise<HttpResult> {
  return sendRequest(endpoint, {
    ...options,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...options.headers },
    body: new URLSearchParams(params).toString(),
  });
}

/** The `<Code>` and `<Message>` of a Query error body. */
export function queryErrorOf(body: string): { code?: string; message?: string; requestId?: string } {
  const unescape = (text: string): string => text.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
  const pick = (tag: string): string | undefined => {
    const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body);
    return m ? unescape(m[1]) : undefined;
  };
  return { code: pick('Code'), message: pick('Message'), requestId: pick('RequestId') };
}

// ---------------------------------------------------------------------------
// In-process server with a small real runtime, for server tests.

export interface InProcessOptions {
  /** Operation tables to serve (default: none, so every operation is "not implemented"). */
  operations?: Partial<ServiceRuntime['operations']>;
  /** Serve with the real services runtime (services/runtime.ts) instead; `operations` is then ignored. */
  realRuntime?: boolean;
  maxBodyBytes?: number;
  logger?: Logger;
  /** Log lines go here when given (otherwise silent). */
  logSink?: string[];
}

export interface InProcessWarden extends Warden {
  store: Store;
  /** How many times `afterWrite` ran. */
  afterWrites(): number;
  /** The caller and request info of each call that reached createContext. */
  contexts: Array<{ caller: Caller; request: RequestInfo }>;
}

/**
 * An in-process server whose runtime resolves long-term access keys from a real SQLite store
 * (bootstrapped with fixed root credentials) and serves `operations`. `ctx.authorize` is not
 * available in it: operations under test must not call it. With `realRuntime`, the services'
 * own runtime serves instead (contexts and afterWrites are then not recorded).
 */
export async function startInProcessWarden(options: InProcessOptions = {}): Promise<InProcessWarden> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-server-'));
  const store = await openStore(dataDir);
  const masterKey = randomBytes(32);
  await verifyMasterKey(store, masterKey);
  const secrets = createSecretBox(masterKey);
  const rootCredentials = randomCredentials();
  const accountId = randomAccountId();
  const logger = options.logger ?? (options.logSink
    ? createLogger({ level: 'debug', sink: { write: (t: string) => options.logSink?.push(t) } })
    : silentLogger());
  const server = createWardenServer({ logger, maxBodyBytes: options.maxBodyBytes });
  const address = await server.listen(0, '127.0.0.1');
  const endpoint = `http://127.0.0.1:${address.port}`;
  await bootstrap({
    store, secrets, dataDir, endpoint,
    env: { WARDEN_ACCOUNT_ID: accountId, WARDEN_ROOT_ACCESS_KEY_ID: rootCredentials.accessKeyId, WARDEN_ROOT_SECRET_ACCESS_KEY: rootCredentials.secretAccessKey },
  });

  let afterWrites = 0;
  const contexts: InProcessWarden['contexts'] = [];
  const runtime: ServiceRuntime = {
    store,
    secrets,
    async resolveCredentials(accessKeyId): Promise<ResolvedCredentials> {
      const key = await store.read((tx) => tx.getById<AccessKeyDoc>(KIND.accessKey, accessKeyId));
      if (!key || key.data.Status !== 'Active') return { ok: false, code: 'InvalidClientTokenId', message: INVALID_CLIENT_TOKEN_ID_MESSAGE };
      const caller: Caller = {
        principal: { kind: 'root', accountId: key.account, arn: rootArn(key.account) },
        accountId: key.account,
        accessKeyId,
        userId: key.account,
      };
      return { ok: true, secretAccessKey: secrets.decrypt(key.data.SecretEncrypted), caller };
    },
    createContext(caller, request): CallContext {
      contexts.push({ caller, request });
      return {
        ...request,
        caller,
        store,
        authorize() {
          throw new Error('authorize is not available in the in-process test runtime');
        },
      };
    },
    operations: { iam: {}, ...options.operations } as ServiceRuntime['operations'],
    async afterWrite() {
      afterWrites++;
    },
    async close() {
      // the store is closed by stop()
    },
  };
  const real = options.realRuntime ? await createServiceRuntime({ store, secrets, accountId }) : undefined;
  server.setRuntime(real ?? runtime);

  return {
    endpoint,
    rootCredentials,
    accountId,
    store,
    contexts,
    afterWrites: () => afterWrites,
    async stop() {
      await server.close(1000);
      await real?.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An operation table from plain functions (typed for tests). */
export function operationTable(ops: OperationTable): OperationTable {
  return ops;
}
