// GetUser and GetRole answer from the runtime's in-memory principals (the authorization
// snapshot): current after the node's own writes, and falling back to the store for a name the
// snapshot does not hold yet (a write another node or process made a moment ago).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import { bootstrap } from '../../server/bootstrap.js';
import { openSqliteStore, openStore, type Store } from '../../store/index.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import type { Caller } from '../types.js';
import { KIND, iamArn, isoNow, newId } from './entities.js';
import { iamOperations as ops } from './index.js';

let dir: string;
let store: Store;
let runtime: ServiceRuntime;
let root: Caller;
let account: string;
const secrets = createSecretBox(randomBytes(32));

async function asRoot(op: string, input: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const ctx = runtime.createContext(root, { requestId: randomUUID(), sourceIp: '192.0.2.1', region: 'us-east-1', secureTransport: true, now: new Date() });
  const out = await ops[op](ctx, input);
  await runtime.afterWrite();
  return out ?? {};
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-replica-'));
  // Other writers' commits are looked for once a minute: the test below writes through a second
  // instance (as another process would) and must get in before this one has seen it.
  store = await openSqliteStore({ dataDir: dir, pollMs: 60_000 });
  const boot = await bootstrap({ store, secrets, dataDir: dir, endpoint: 'http://127.0.0.1:0', env: {} });
  account = boot.accountId;
  runtime = await createServiceRuntime({ store, secrets, audit: false });
  const r = await runtime.resolveCredentials(boot.generated!.accessKeyId, undefined, new Date());
  assert.ok(r.ok);
  root = r.caller;
});

after(async () => {
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GetUser / GetRole from the in-memory principals', () => {
  it('reflect the node’s own writes at once (tags added, then removed)', async () => {
    await asRoot('CreateUser', { UserName: 'replica-alice' });
    await asRoot('TagUser', { UserName: 'replica-alice', Tags: [{ Key: 'team', Value: 'blue' }] });
    assert.deepEqual((await asRoot('GetUser', { UserName: 'REPLICA-ALICE' })).User.Tags, [{ Key: 'team', Value: 'blue' }]);
    await asRoot('UntagUser', { UserName: 'replica-alice', TagKeys: ['team'] });
    assert.equal((await asRoot('GetUser', { UserName: 'replica-alice' })).User.Tags, undefined);
    await asRoot('DeleteUser', { UserName: 'replica-alice' });
    await assert.rejects(asRoot('GetUser', { UserName: 'replica-alice' }), (e: unknown) => e instanceof AwsError && e.code === 'NoSuchEntity');
  });

  it('read the store for a name the snapshot does not hold yet', async () => {
    // Written through another store instance on the same file, as another process would; the
    // runtime's snapshot has not synced.
    const userId = newId('AIDA');
    const roleId = newId('AROA');
    const other = await openStore(dir);
    await other.transaction(async (tx) => {
      await tx.insert({ kind: KIND.user, account, key: 'elsewhere', id: userId, data: { UserName: 'elsewhere', UserId: userId, Arn: iamArn(account, 'user', '/', 'elsewhere'), Path: '/', CreateDate: isoNow(), Tags: [] } });
      await tx.insert({ kind: KIND.role, account, key: 'elsewhere-role', id: roleId, data: {
        RoleName: 'elsewhere-role', RoleId: roleId, Arn: iamArn(account, 'role', '/', 'elsewhere-role'), Path: '/', CreateDate: isoNow(), MaxSessionDuration: 3600, Tags: [],
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      } });
    });
    await other.close();
    assert.equal(runtime.snapshot.user(account, 'elsewhere'), undefined, 'the snapshot has not seen it (the test needs that)');
    assert.equal((await asRoot('GetUser', { UserName: 'elsewhere' })).User.UserId, userId);
    assert.equal((await asRoot('GetRole', { RoleName: 'elsewhere-role' })).Role.RoleId, roleId);
  });
});
