// What the credential tests share: a real SQLite store in a temp directory, the bootstrap's
// account, the service runtime, and call contexts for the root user and for IAM users whose
// permissions come from inline policies (so calls go through real authorization).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../../store/index.js';
import type { SecretBox } from '../../crypto/secrets.js';
import type { ServiceRuntime } from '../runtime.js';
import type { CallContext, Caller } from '../types.js';
import { awsErrorOf, fixtureRequest as request, openRuntimeFixture } from '../runtime-fixture.js';
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
  const { store, secrets, boot, runtime, close } = await openRuntimeFixture('warden-cred-');
  const accountId = boot.accountId;
  const rootAccessKeyId = boot.generated?.accessKeyId ?? 'AKIAROOT';

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
    close,
  };
}

export { awsErrorOf };

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
