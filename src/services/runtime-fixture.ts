// What the service test fixtures (credentials, STS, Organizations) share: a real SQLite store in
// a fresh temp directory, a secret box, the bootstrap's account, the service runtime over them,
// the request part of a call context, and the AwsError a call throws.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/index.js';
import { createSecretBox, type SecretBox } from '../crypto/secrets.js';
import { bootstrap, type BootstrapResult } from '../server/bootstrap.js';
import { AwsError } from '../protocol/index.js';
import { createServiceRuntime, type ServiceRuntime } from './runtime.js';
import type { Caller } from './types.js';
import { rootArn } from './iam/entities.js';

export interface RuntimeFixture {
  dataDir: string;
  store: Store;
  secrets: SecretBox;
  boot: BootstrapResult;
  runtime: ServiceRuntime;
  /** Closes the runtime and the store and removes the data directory. */
  close(): Promise<void>;
}

/**
 * Opens a store under a new temp directory named `prefix…`, bootstraps it (`env` as the
 * server's environment, e.g. WARDEN_ACCOUNT_ID) and starts the runtime (`publicUrl` for
 * outbound federation issuers).
 */
export async function openRuntimeFixture(prefix: string, opts: { env?: Record<string, string>; publicUrl?: string } = {}): Promise<RuntimeFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const store = await openStore({ dataDir });
  const secrets = createSecretBox(randomBytes(32));
  const boot = await bootstrap({ store, secrets, dataDir, endpoint: 'http://127.0.0.1:1', env: opts.env ?? {} });
  const runtime = await createServiceRuntime({ store, secrets, publicUrl: opts.publicUrl });
  return {
    dataDir, store, secrets, boot, runtime,
    async close() {
      await runtime.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The request part of a fixture's call context. */
export function fixtureRequest(now: Date, region = 'us-east-1') {
  return { requestId: 'req', sourceIp: '192.0.2.1', region, secureTransport: true, now };
}

/** The root user of `account` as the authenticator builds its caller (a root access key). */
export function rootCaller(account: string): Caller {
  return { principal: { kind: 'root', accountId: account, arn: rootArn(account) }, accountId: account, accessKeyId: 'AKIAROOTROOTROOTROOT', userId: account };
}

/** IAM user `name` of `account` as the authenticator builds its caller, once `runtime`'s snapshot has caught up. */
export async function userCaller(runtime: ServiceRuntime, account: string, name: string): Promise<Caller> {
  await runtime.afterWrite();
  const u = runtime.snapshot.user(account, name);
  if (!u) throw new Error(`no user \`${name}\` in the snapshot`);
  return {
    principal: { kind: 'user', accountId: account, arn: u.doc.Arn }, accountId: account,
    accessKeyId: 'AKIATESTTESTTESTTEST', userId: u.doc.UserId, userName: u.doc.UserName,
  };
}

/** Runs `fn` and returns the AwsError it throws (fails when it does not throw one). */
export async function awsErrorOf(fn: () => Promise<unknown> | unknown): Promise<AwsError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError, the call succeeded');
}
