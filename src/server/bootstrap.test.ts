import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createSecretBox } from '../crypto/secrets.js';
import { KIND, ROOT_OWNER, type AccessKeyDoc, type AccountDoc } from '../services/iam/entities.js';
import { openStore, type Store } from '../store/index.js';
import { bootstrap, BootstrapError, formatCredentialsProfile, newAccountId } from './bootstrap.js';
import { TEST_POSTGRES_URL, dropSchemas, testSchema } from '../store/postgres-fixture.js';

const dirs: string[] = [];
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function fresh(): Promise<{ dir: string; store: Store }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-boot-'));
  dirs.push(dir);
  const store = await openStore(dir);
  stores.push(store);
  return { dir, store };
}

const secrets = createSecretBox(randomBytes(32));
const ENDPOINT = 'http://127.0.0.1:8411';
const ENV_KEY = { WARDEN_ROOT_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', WARDEN_ROOT_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('bootstrap', () => {
  it('creates the account and a generated root key on first start, once', async () => {
    const { dir, store } = await fresh();
    const first = await bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: {} });
    assert.equal(first.created, true);
    assert.match(first.accountId, /^[1-9]\d{11}$/);
    assert.ok(first.generated);
    assert.match(first.generated.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.generated.secretAccessKey.length, 40);

    const [account, key, meta] = await store.read(async (tx) => [
      await tx.get<AccountDoc>(KIND.account, first.accountId, first.accountId),
      await tx.getById<AccessKeyDoc>(KIND.accessKey, first.generated!.accessKeyId),
      await tx.getMeta('managementAccountId'),
    ] as const);
    assert.deepEqual(account?.data, { AccountId: first.accountId, CreateDate: account?.data.CreateDate, RootArn: `arn:aws:iam::${first.accountId}:root` });
    assert.equal(meta, first.accountId);
    assert.ok(key);
    assert.equal(key.account, first.accountId);
    assert.equal(key.parent, ROOT_OWNER);
    assert.equal(key.data.UserName, '');
    assert.equal(key.data.Status, 'Active');
    assert.ok(!JSON.stringify(key.data).includes(first.generated.secretAccessKey), 'the secret is stored encrypted');
    assert.equal(secrets.decrypt(key.data.SecretEncrypted), first.generated.secretAccessKey);

    const file = join(dir, 'root-credentials');
    assert.equal(first.generated.file, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), formatCredentialsProfile(first.generated, ENDPOINT));

    const second = await bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: {} });
    assert.deepEqual(second, { accountId: first.accountId, created: false, warnings: [] });
    assert.equal(await store.read((tx) => tx.count(KIND.accessKey, first.accountId)), 1);
  });

  it('takes the account id and root key from the environment, and writes no file', async () => {
    const { dir, store } = await fresh();
    const result = await bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: { WARDEN_ACCOUNT_ID: '012345678901', ...ENV_KEY } });
    assert.deepEqual(result, { accountId: '012345678901', created: true, warnings: [] });
    const key = await store.read((tx) => tx.getById<AccessKeyDoc>(KIND.accessKey, ENV_KEY.WARDEN_ROOT_ACCESS_KEY_ID));
    assert.equal(secrets.decrypt(key!.data.SecretEncrypted), ENV_KEY.WARDEN_ROOT_SECRET_ACCESS_KEY);
    assert.equal(existsSync(join(dir, 'root-credentials')), false);
  });

  it('on restart checks the environment key against the store', async () => {
    const { dir, store } = await fresh();
    await bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: ENV_KEY });
    const same = await bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: ENV_KEY });
    assert.deepEqual(same.warnings, []);
    await assert.rejects(
      bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: { ...ENV_KEY, WARDEN_ROOT_SECRET_ACCESS_KEY: 'another-secret-value-1234' } }),
      (e: unknown) => e instanceof BootstrapError && /does not match the stored secret/.test(e.message) && !e.message.includes('another-secret'),
    );
    const other = await bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: { WARDEN_ROOT_ACCESS_KEY_ID: 'AKIAOTHERKEY0000000X', WARDEN_ROOT_SECRET_ACCESS_KEY: 'x'.repeat(40), WARDEN_ACCOUNT_ID: '999999999999' } });
    assert.equal(other.created, false);
    assert.equal(other.warnings.length, 2);
    assert.equal(await store.read((tx) => tx.getById(KIND.accessKey, 'AKIAOTHERKEY0000000X')), undefined, 'a key not in the store is never added later');
  });

  it('creates one account when two nodes start at once on one store', async () => {
    const { dir } = await fresh();
    const a = await openStore(dir);
    const b = await openStore(dir);
    stores.push(a, b);
    const results = await Promise.all([
      bootstrap({ store: a, secrets, dataDir: join(dir, 'a'), endpoint: ENDPOINT, env: {} }),
      bootstrap({ store: b, secrets, dataDir: join(dir, 'b'), endpoint: ENDPOINT, env: {} }),
    ]);
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(results[0].accountId, results[1].accountId);
    assert.equal(await a.read((tx) => tx.count(KIND.account, results[0].accountId)), 1);
    assert.equal(await a.read((tx) => tx.count(KIND.accessKey, results[0].accountId)), 1);
  });

  const badEnv = [
    { name: 'an account id that is not 12 digits', env: { WARDEN_ACCOUNT_ID: '12345' }, message: /WARDEN_ACCOUNT_ID must be 12 digits/ },
    { name: 'a key id without its secret', env: { WARDEN_ROOT_ACCESS_KEY_ID: ENV_KEY.WARDEN_ROOT_ACCESS_KEY_ID }, message: /set both/ },
    { name: 'a secret without its key id', env: { WARDEN_ROOT_SECRET_ACCESS_KEY: ENV_KEY.WARDEN_ROOT_SECRET_ACCESS_KEY }, message: /set both/ },
    { name: 'a lower-case key id', env: { ...ENV_KEY, WARDEN_ROOT_ACCESS_KEY_ID: 'akiaiosfodnn7example' }, message: /16 to 128 upper-case letters and digits/ },
    { name: 'a short key id', env: { ...ENV_KEY, WARDEN_ROOT_ACCESS_KEY_ID: 'AKIA123' }, message: /16 to 128/ },
    { name: 'a short secret', env: { ...ENV_KEY, WARDEN_ROOT_SECRET_ACCESS_KEY: 'short' }, message: /16 to 128 characters/ },
    { name: 'a secret with spaces', env: { ...ENV_KEY, WARDEN_ROOT_SECRET_ACCESS_KEY: 'with spaces in the secret' }, message: /without spaces/ },
  ];
  for (const c of badEnv) {
    it(`refuses ${c.name}, creating nothing`, async () => {
      const { dir, store } = await fresh();
      await assert.rejects(bootstrap({ store, secrets, dataDir: dir, endpoint: ENDPOINT, env: c.env }), c.message);
      assert.equal(await store.read((tx) => tx.getMeta('managementAccountId')), undefined);
    });
  }

  it('makes 12-digit account ids that do not start with 0', () => {
    for (let i = 0; i < 200; i++) assert.match(newAccountId(), /^[1-9]\d{11}$/);
  });

  it('formats the AWS CLI profile', () => {
    assert.equal(
      formatCredentialsProfile({ accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'secret' }, 'http://127.0.0.1:9'),
      '[warden]\naws_access_key_id = AKIAEXAMPLE000000000\naws_secret_access_key = secret\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n',
    );
  });
});

// Two nodes on one PostgreSQL store (WARDEN_TEST_POSTGRES, as the store's own tests use), in a
// fresh schema dropped afterwards.
describe('bootstrap on PostgreSQL', () => {
  const url = TEST_POSTGRES_URL;
  const schema = testSchema('warden_boot');
  after(() => dropSchemas(schema));

  it('creates one account and one root key when two nodes start at once, and refuses another master key', async () => {
    const { verifyMasterKey } = await import('../crypto/secrets.js');
    const key = randomBytes(32);
    const nodeSecrets = createSecretBox(key);
    const a = await openStore({ url, schema });
    const b = await openStore({ url, schema });
    stores.push(a, b);
    const [ka, kb] = await Promise.all([verifyMasterKey(a, key), verifyMasterKey(b, key)]);
    assert.deepEqual([ka, kb].sort(), ['recorded', 'verified']);
    const dir = mkdtempSync(join(tmpdir(), 'warden-boot-pg-'));
    dirs.push(dir);
    const results = await Promise.all([
      bootstrap({ store: a, secrets: nodeSecrets, dataDir: join(dir, 'a'), endpoint: ENDPOINT, env: {} }),
      bootstrap({ store: b, secrets: nodeSecrets, dataDir: join(dir, 'b'), endpoint: ENDPOINT, env: {} }),
    ]);
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(results.filter((r) => r.generated).length, 1);
    assert.equal(results[0].accountId, results[1].accountId);
    assert.equal(await b.read((tx) => tx.count(KIND.accessKey, results[0].accountId)), 1);
    await assert.rejects(verifyMasterKey(b, randomBytes(32)), /does not match/);
  });
});
