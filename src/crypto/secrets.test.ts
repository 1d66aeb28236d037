import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { openStore } from '../store/index.js';
import {
  constantTimeEqual, createSecretBox, loadMasterKey, MasterKeyError, masterKeyCheckValue, SecretBoxError, verifyMasterKey,
} from './secrets.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'warden-crypto-'));
  dirs.push(d);
  return d;
}
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('SecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  const roundTrips = [
    { name: 'an access key secret', plaintext: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    { name: 'the empty string', plaintext: '' },
    { name: 'non-ASCII text', plaintext: 'ünïcødé ✓ 𝄞' },
    { name: 'a long text', plaintext: 'x'.repeat(100_000) },
  ];
  for (const c of roundTrips) {
    it(`round-trips ${c.name}`, () => {
      const ct = box.encrypt(c.plaintext);
      assert.match(ct, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      assert.equal(box.decrypt(ct), c.plaintext);
    });
  }

  it('uses a fresh nonce each time', () => {
    assert.notEqual(box.encrypt('same'), box.encrypt('same'));
  });

  it('binds associated data', () => {
    const ct = box.encrypt('secret', 'AKIAEXAMPLE');
    assert.equal(box.decrypt(ct, 'AKIAEXAMPLE'), 'secret');
    assert.throws(() => box.decrypt(ct, 'AKIAOTHER'), SecretBoxError);
    assert.throws(() => box.decrypt(ct), SecretBoxError);
  });

  it('separates purposes', () => {
    const sts = box.forPurpose('sts-session-token');
    const ct = sts.encrypt('claims');
    assert.equal(sts.decrypt(ct), 'claims');
    assert.equal(box.tryDecrypt(ct), undefined);
    assert.equal(box.forPurpose('other').tryDecrypt(ct), undefined);
  });

  it('rejects a ciphertext of another key', () => {
    const other = createSecretBox(randomBytes(32));
    assert.throws(() => other.decrypt(box.encrypt('x')), SecretBoxError);
  });

  const tampered: Array<{ name: string; mutate: (ct: string) => string }> = [
    { name: 'a flipped ciphertext character', mutate: (ct) => ct.slice(0, -3) + (ct.at(-3) === 'A' ? 'B' : 'A') + ct.slice(-2) },
    { name: 'another version', mutate: (ct) => 'v2' + ct.slice(2) },
    { name: 'a missing part', mutate: (ct) => ct.split('.').slice(0, 2).join('.') },
    { name: 'an extra part', mutate: (ct) => ct + '.AAAA' },
    { name: 'a short nonce', mutate: (ct) => { const p = ct.split('.'); return `v1.${p[1].slice(4)}.${p[2]}`; } },
    { name: 'a truncated tag', mutate: (ct) => { const p = ct.split('.'); return `v1.${p[1]}.${p[2].slice(0, 8)}`; } },
    { name: 'non-base64url characters', mutate: (ct) => ct.replace(/.$/, '+') },
    { name: 'garbage', mutate: () => 'not a ciphertext' },
    { name: 'the empty string', mutate: () => '' },
  ];
  for (const c of tampered) {
    it(`rejects ${c.name}`, () => {
      const ct = c.mutate(box.encrypt('secret value'));
      assert.equal(box.tryDecrypt(ct), undefined);
      assert.throws(() => box.decrypt(ct), SecretBoxError);
    });
  }

  it('refuses a key of the wrong size', () => {
    assert.throws(() => createSecretBox(randomBytes(16)), MasterKeyError);
  });
});

describe('loadMasterKey', () => {
  it('creates a 0600 key file in a 0700 directory on first start, then reads it back', () => {
    const dir = join(tempDir(), 'data');
    const first = loadMasterKey({ dataDir: dir, env: {} });
    assert.equal(first.source, 'file-created');
    assert.equal(first.key.length, 32);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
    const second = loadMasterKey({ dataDir: dir, env: {} });
    assert.equal(second.source, 'file');
    assert.deepEqual(second.key, first.key);
  });

  it('takes WARDEN_MASTER_KEY without touching the directory', () => {
    const key = randomBytes(32);
    const dir = join(tempDir(), 'unused');
    const got = loadMasterKey({ dataDir: dir, env: { WARDEN_MASTER_KEY: key.toString('base64') } });
    assert.equal(got.source, 'env');
    assert.deepEqual(got.key, key);
    assert.throws(() => statSync(dir));
  });

  const badKeys = [
    { name: 'too short', value: randomBytes(16).toString('base64'), message: /must hold 32 bytes/ },
    { name: 'not base64', value: 'not base64!', message: /is not base64/ },
  ];
  for (const c of badKeys) {
    it(`refuses a WARDEN_MASTER_KEY that is ${c.name}`, () => {
      assert.throws(() => loadMasterKey({ dataDir: tempDir(), env: { WARDEN_MASTER_KEY: c.value } }), c.message);
    });
  }

  it('refuses a key file readable by others', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'master.key'), randomBytes(32).toString('base64'));
    chmodSync(join(dir, 'master.key'), 0o644);
    assert.throws(() => loadMasterKey({ dataDir: dir, env: {} }), /readable by other users/);
  });

  it('refuses a corrupt key file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'master.key'), 'short', { mode: 0o600 });
    assert.throws(() => loadMasterKey({ dataDir: dir, env: {} }), MasterKeyError);
    assert.equal(readFileSync(join(dir, 'master.key'), 'utf8'), 'short');
  });
});

describe('verifyMasterKey', () => {
  it('records the check value, accepts the same key and refuses another', async () => {
    const store = await openStore(tempDir());
    try {
      const key = randomBytes(32);
      assert.equal(await verifyMasterKey(store, key), 'recorded');
      assert.equal(await store.read((tx) => tx.getMeta('masterKeyCheck')), masterKeyCheckValue(key));
      assert.equal(await verifyMasterKey(store, Buffer.from(key)), 'verified');
      await assert.rejects(verifyMasterKey(store, randomBytes(32)), /does not match the one this store was created with/);
    } finally {
      await store.close();
    }
  });

  it('does not reveal the key in the check value', () => {
    const key = randomBytes(32);
    const check = masterKeyCheckValue(key);
    assert.ok(!check.includes(key.toString('base64url')));
    assert.ok(!check.includes(key.toString('hex')));
  });
});

describe('constantTimeEqual', () => {
  const cases = [
    { name: 'equal strings', a: 'abc', b: 'abc', equal: true },
    { name: 'different strings', a: 'abc', b: 'abd', equal: false },
    { name: 'a prefix', a: 'abc', b: 'abcd', equal: false },
    { name: 'empty strings', a: '', b: '', equal: true },
    { name: 'empty and non-empty', a: '', b: 'a', equal: false },
    { name: 'a string and its bytes', a: 'é', b: Buffer.from('é'), equal: true },
  ];
  for (const c of cases) {
    it(`compares ${c.name}`, () => assert.equal(constantTimeEqual(c.a, c.b), c.equal));
  }
});

describe('loadMasterKey from several processes at once', () => {
  it('gives every process the same, whole key', async () => {
    const { spawn } = await import('node:child_process');
    const dir = join(tempDir(), 'shared');
    const script = `import { loadMasterKey } from ${JSON.stringify(new URL('./secrets.ts', import.meta.url).pathname)};
      process.stdout.write(loadMasterKey({ dataDir: ${JSON.stringify(dir)}, env: {} }).key.toString('hex'));`;
    const run = () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => { out += d; });
      child.stderr.on('data', (d: Buffer) => { err += d; });
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
    });
    const keys = await Promise.all([run(), run(), run(), run()]);
    assert.equal(new Set(keys).size, 1);
    assert.equal(keys[0].length, 64);
    assert.deepEqual(readdirSync(dir), ['master.key']);
  });
});
