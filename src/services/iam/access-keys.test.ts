import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND, ROOT_OWNER, type AccessKeyDoc } from './entities.js';
import { accessKeyOperations as ops, recordAccessKeyUse, resetAccessKeyUseDebounce } from './access-keys.js';
import { awsErrorOf, itFailsWithoutWriting, openAliceAndBob, type CredentialFixture } from './credentials-fixture.js';

describe('access keys', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openAliceAndBob(['iam:*AccessKey*']);
    await f.addUser('carol', ['iam:CreateAccessKey'], 'arn:aws:iam::*:user/${aws:username}');
  });
  after(async () => { await f.close(); });

  it('creates a key for a user: returned once, stored encrypted, authenticates', async () => {
    const out = await ops.CreateAccessKey(f.root(), { UserName: 'Bob' }) as { AccessKey: Record<string, string> };
    const k = out.AccessKey;
    assert.equal(k.UserName, 'bob');
    assert.match(k.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(k.SecretAccessKey.length, 40);
    assert.equal(k.Status, 'Active');
    const stored = await f.store.read((tx) => tx.getById<AccessKeyDoc>(KIND.accessKey, k.AccessKeyId));
    assert.ok(stored);
    assert.ok(!JSON.stringify(stored.data).includes(k.SecretAccessKey), 'the secret is not stored in clear');
    assert.equal(f.secrets.decrypt(stored.data.SecretEncrypted), k.SecretAccessKey);
    assert.equal(stored.parent, 'user:bob');
    await f.runtime.afterWrite();
    const auth = await f.runtime.resolveCredentials(k.AccessKeyId, undefined, new Date());
    assert.ok(auth.ok);
    if (auth.ok) {
      assert.equal(auth.secretAccessKey, k.SecretAccessKey);
      assert.equal(auth.caller.userName, 'bob');
    }
  });

  it('lists, deactivates and deletes keys; an inactive key no longer authenticates', async () => {
    const { AccessKey } = await ops.CreateAccessKey(f.root(), { UserName: 'alice' }) as { AccessKey: Record<string, string> };
    const list = await ops.ListAccessKeys(f.root(), { UserName: 'alice' }) as { AccessKeyMetadata: Record<string, string>[] };
    assert.deepEqual(list.AccessKeyMetadata.map((m) => [m.UserName, m.AccessKeyId, m.Status]), [['alice', AccessKey.AccessKeyId, 'Active']]);
    assert.ok(!('SecretAccessKey' in list.AccessKeyMetadata[0]));
    await ops.UpdateAccessKey(f.root(), { UserName: 'alice', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' });
    await f.runtime.afterWrite();
    const auth = await f.runtime.resolveCredentials(AccessKey.AccessKeyId, undefined, new Date());
    assert.equal(auth.ok, false);
    await ops.DeleteAccessKey(f.root(), { UserName: 'alice', AccessKeyId: AccessKey.AccessKeyId });
    const after = await ops.ListAccessKeys(f.root(), { UserName: 'alice' }) as { AccessKeyMetadata: unknown[] };
    assert.equal(after.AccessKeyMetadata.length, 0);
  });

  it('without UserName, a user acts on its own keys', async () => {
    const alice = await f.user('alice');
    const { AccessKey } = await ops.CreateAccessKey(alice, {}) as { AccessKey: Record<string, string> };
    assert.equal(AccessKey.UserName, 'alice');
    const list = await ops.ListAccessKeys(alice, {}) as { AccessKeyMetadata: Record<string, string>[] };
    assert.deepEqual(list.AccessKeyMetadata.map((m) => m.AccessKeyId), [AccessKey.AccessKeyId]);
    await ops.DeleteAccessKey(alice, { AccessKeyId: AccessKey.AccessKeyId });
  });

  it('without UserName, the root user acts on the root keys (parent ROOT_OWNER, no UserName)', async () => {
    const before = await ops.ListAccessKeys(f.root(), {}) as { AccessKeyMetadata: Record<string, string>[] };
    assert.equal(before.AccessKeyMetadata.length, 1, 'the bootstrap root key');
    assert.ok(!('UserName' in before.AccessKeyMetadata[0]));
    const { AccessKey } = await ops.CreateAccessKey(f.root(), {}) as { AccessKey: Record<string, string> };
    assert.ok(!('UserName' in AccessKey));
    const stored = await f.store.read((tx) => tx.getById<AccessKeyDoc>(KIND.accessKey, AccessKey.AccessKeyId));
    assert.equal(stored?.parent, ROOT_OWNER.toLowerCase());
    assert.equal(stored?.data.UserName, '');
    const e = await awsErrorOf(() => ops.CreateAccessKey(f.root(), {}));
    assert.equal(e.code, 'LimitExceeded');
    await f.runtime.afterWrite();
    const auth = await f.runtime.resolveCredentials(AccessKey.AccessKeyId, undefined, new Date());
    assert.ok(auth.ok && auth.caller.principal.kind === 'root');
    await ops.DeleteAccessKey(f.root(), { AccessKeyId: AccessKey.AccessKeyId });
  });

  const errors = [
    { name: 'a missing user', call: () => ops.CreateAccessKey(f.root(), { UserName: 'nobody' }), code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' },
    { name: 'a missing key', call: () => ops.DeleteAccessKey(f.root(), { UserName: 'bob', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }), code: 'NoSuchEntity', message: 'The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.' },
    { name: 'an Expired status', call: () => ops.UpdateAccessKey(f.root(), { UserName: 'bob', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA', Status: 'Expired' }), code: 'InvalidInput', message: undefined },
    { name: 'a user without permission', call: async () => ops.CreateAccessKey(await f.user('bob'), {}), code: 'AccessDenied', message: /User: arn:aws:iam::\d{12}:user\/bob is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::\d{12}:user\/bob because no identity-based policy allows the iam:CreateAccessKey action/ },
    { name: 'a user acting on another user, allowed only for itself', call: async () => ops.CreateAccessKey(await f.user('carol'), { UserName: 'bob' }), code: 'AccessDenied', message: undefined },
    { name: 'a denied caller asking about a missing user (authorization before existence)', call: async () => ops.ListAccessKeys(await f.user('bob'), { UserName: 'nobody' }), code: 'AccessDenied', message: undefined },
  ];
  itFailsWithoutWriting(() => f, errors);

  it('a user may create its own key when its policy allows only ${aws:username}', async () => {
    const carol = await f.user('carol');
    const { AccessKey } = await ops.CreateAccessKey(carol, {}) as { AccessKey: Record<string, string> };
    assert.equal(AccessKey.UserName, 'carol');
  });

  it('refuses a third key (AccessKeysPerUser: 2) and writes nothing', async () => {
    await f.addUser('dave');
    await ops.CreateAccessKey(f.root(), { UserName: 'dave' });
    await ops.CreateAccessKey(f.root(), { UserName: 'dave' });
    const before = await f.dump();
    const e = await awsErrorOf(() => ops.CreateAccessKey(f.root(), { UserName: 'dave' }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for AccessKeysPerUser: 2');
    assert.equal(await f.dump(), before);
  });

  it('pages with Marker and MaxItems', async () => {
    const p1 = await ops.ListAccessKeys(f.root(), { UserName: 'dave', MaxItems: 1 }) as { AccessKeyMetadata: Record<string, string>[]; IsTruncated: boolean; Marker?: string };
    assert.equal(p1.AccessKeyMetadata.length, 1);
    assert.equal(p1.IsTruncated, true);
    const p2 = await ops.ListAccessKeys(f.root(), { UserName: 'dave', MaxItems: 1, Marker: p1.Marker }) as { AccessKeyMetadata: Record<string, string>[]; IsTruncated: boolean };
    assert.equal(p2.AccessKeyMetadata.length, 1);
    assert.equal(p2.IsTruncated, false);
    assert.notEqual(p1.AccessKeyMetadata[0].AccessKeyId, p2.AccessKeyMetadata[0].AccessKeyId);
  });

  it('does not find a key through another user', async () => {
    const dave = await ops.ListAccessKeys(f.root(), { UserName: 'dave' }) as { AccessKeyMetadata: Record<string, string>[] };
    const e = await awsErrorOf(() => ops.UpdateAccessKey(f.root(), { UserName: 'bob', AccessKeyId: dave.AccessKeyMetadata[0].AccessKeyId, Status: 'Inactive' }));
    assert.equal(e.code, 'NoSuchEntity');
  });

  it('GetAccessKeyLastUsed: N/A before any use, then the recorded use, debounced to once a minute', async () => {
    resetAccessKeyUseDebounce();
    const { AccessKey } = await ops.CreateAccessKey(f.root(), { UserName: 'alice' }) as { AccessKey: Record<string, string> };
    const never = await ops.GetAccessKeyLastUsed(f.root(), { AccessKeyId: AccessKey.AccessKeyId });
    assert.deepEqual(never, { UserName: 'alice', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
    const t0 = new Date('2030-01-01T00:00:00Z');
    assert.equal(await recordAccessKeyUse(f.store, AccessKey.AccessKeyId, 'iam', 'us-east-1', t0), true);
    assert.equal(await recordAccessKeyUse(f.store, AccessKey.AccessKeyId, 'sts', 'eu-west-1', new Date(t0.getTime() + 30_000)), false, 'within a minute');
    const used = await ops.GetAccessKeyLastUsed(f.root(), { AccessKeyId: AccessKey.AccessKeyId });
    assert.deepEqual(used, { UserName: 'alice', AccessKeyLastUsed: { LastUsedDate: '2030-01-01T00:00:00Z', ServiceName: 'iam', Region: 'us-east-1' } });
    assert.equal(await recordAccessKeyUse(f.store, AccessKey.AccessKeyId, 'sts', 'eu-west-1', new Date(t0.getTime() + 61_000)), true);
    const later = await ops.GetAccessKeyLastUsed(f.root(), { AccessKeyId: AccessKey.AccessKeyId }) as { AccessKeyLastUsed: Record<string, string> };
    assert.equal(later.AccessKeyLastUsed.ServiceName, 'sts');
    assert.equal(await recordAccessKeyUse(f.store, 'ASIAUNKNOWNUNKNOWN00', 'sts', 'eu-west-1', t0), false, 'unknown keys are ignored');
    await ops.DeleteAccessKey(f.root(), { UserName: 'alice', AccessKeyId: AccessKey.AccessKeyId });
    const e = await awsErrorOf(() => ops.GetAccessKeyLastUsed(f.root(), { AccessKeyId: AccessKey.AccessKeyId }));
    assert.equal(e.code, 'NoSuchEntity');
  });
});
