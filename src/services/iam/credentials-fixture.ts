// What the credential tests share: a real SQLite store in a temp directory, the bootstrap's
// account, the service runtime, and call contexts for the root user and for IAM users whose
// permissions come from inline policies (so calls go through real authorization).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { openStore, type Store } from '../../store/index.js';
import { createSecretBox, type SecretBox } from '../../crypto/secrets.js';
import { bootstrap } from '../../server/bootstrap.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import type { CallContext, Caller } from '../types.js';
import { AwsError } from '../../protocol/index.js';
import { KIND, iamArn, isoNow, newId, ownerKey, rootArn, type InlinePolicyDoc, type UserDoc } from './entities.js';

export interface CredentialFixture {
  store: Store;
  secrets: SecretBox;
  runtime: ServiceRuntime;
  accountId: string;
  /** The root access key the bootstrap generated (for tests that resolve it as the server does). */
  rootAccessKeyId: string;
  /** A context for the root user of the account. */
  root(now?: Date): CallContext;
  /** Creates user `name` (path `/`) with an inline policy allowing `actions` on `resource` (none: no policy). */
  addUser(name: string, actions?: string[], resource?: string): Promise<void>;
  /** A context for IAM user `name` (after the snapshot caught up). */
  user(name: string, now?: Date): Promise<CallContext>;
  /** Every entity of the account, to check that a failed call wrote nothing. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

export async function openCredentialFixture(): Promise<CredentialFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-cred-'));
  const store = await openStore({ dataDir });
  const secrets = createSecretBox(randomBytes(32));
  const boot = await bootstrap({ store, secrets, dataDir, endpoint: 'http://127.0.0.1:1', env: {} });
  const runtime = await createServiceRuntime({ store, secrets });
  const accountId = boot.accountId;
  const rootAccessKeyId = boot.generated?.accessKeyId ?? 'AKIAROOT';
  const request = (now: Date) => ({ requestId: 'req', sourceIp: '192.0.2.1', region: 'us-east-1', secureTransport: true, now });

  return {
    store, secrets, runtime, accountId, rootAccessKeyId,
    root(now = new Date()) {
      const caller: Caller = {
        principal: { kind: 'root', accountId, arn: rootArn(accountId) }, accountId,
        accessKeyId: rootAccessKeyId, userId: accountId,
      };
      return runtime.createContext(caller, request(now));
    },
    async addUser(name, actions, resource = '*') {
      await store.transaction(async (tx) => {
        const doc: UserDoc = { UserName: name, UserId: newId('AIDA'), Arn: iamArn(accountId, 'user', '/', name), Path: '/', CreateDate: isoNow(), Tags: [] };
        await tx.insert({ kind: KIND.user, account: accountId, key: name, id: doc.UserId, data: doc });
        if (actions && actions.length > 0) {
          const parent = ownerKey('user', name);
          const policy: InlinePolicyDoc = {
            OwnerType: 'user', OwnerName: name, PolicyName: 'test',
            PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] }),
          };
          await tx.insert({ kind: KIND.inlinePolicy, account: accountId, key: `${parent}|test`, parent, data: policy });
        }
      });
    },
    async user(name, now = new Date()) {
      await runtime.afterWrite();
      const u = runtime.snapshot.user(accountId, name);
      if (!u) throw new Error(`no user \`${name}\` in the snapshot`);
      const caller: Caller = {
        principal: { kind: 'user', accountId, arn: u.doc.Arn }, accountId,
        accessKeyId: 'AKIATESTTESTTESTTEST', userId: u.doc.UserId, userName: u.doc.UserName,
      };
      return runtime.createContext(caller, request(now));
    },
    async dump() {
      const rows = await store.read(async (tx) => {
        const out: unknown[] = [];
        for (const kind of Object.values(KIND)) {
          out.push(...(await tx.list(kind, accountId)).map((e) => [e.kind, e.key, e.version, e.data]));
        }
        return out;
      });
      return JSON.stringify(rows);
    },
    async close() {
      await runtime.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` and returns the AwsError it throws (fails when it does not throw one). */
export async function awsErrorOf(fn: () => Promise<unknown>): Promise<AwsError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError, the call succeeded');
}

/** A fixture with IAM users alice (allowed `aliceActions`) and bob (no policy), as most credential suites begin. */
export async function openAliceAndBob(aliceActions: string[]): Promise<CredentialFixture> {
  const f = await openCredentialFixture();
  await f.addUser('alice', aliceActions);
  await f.addUser('bob');
  return f;
}

/** A call that must fail with AWS's `code` (and `message`, exact or a pattern, when given). */
export interface FailingCall { name: string; call: () => Promise<unknown>; code: string; message?: string | RegExp }

/** One test per case: the call fails as it must and the account's entities are unchanged. */
export function itFailsWithoutWriting(fixture: () => CredentialFixture, cases: readonly FailingCall[]): void {
  for (const c of cases) {
    it(`answers ${c.code} for ${c.name}, writing nothing`, async () => {
      const f = fixture();
      const before = await f.dump();
      const e = await awsErrorOf(c.call);
      assert.equal(e.code, c.code, e.message);
      if (typeof c.message === 'string') assert.equal(e.message, c.message);
      else if (c.message) assert.match(e.message, c.message);
      assert.equal(await f.dump(), before);
    });
  }
}
