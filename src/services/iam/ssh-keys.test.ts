import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sshKeyOperations as ops, parseSshPublicKey, sshFingerprint } from './ssh-keys.js';
import { awsErrorOf, itFailsWithoutWriting, openAliceAndBob, type CredentialFixture } from './credentials-fixture.js';

// Made with ssh-keygen (OpenSSH); the fingerprint is `ssh-keygen -l -E md5`'s, the PEM `ssh-keygen -e -m PKCS8`'s.
const RSA_2048 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCTqBThJUmPIxygXkwdooBA2+qkpg/sY8VxfaRD1JoceG4A+uvK6KhaXRzv450GGHtxWf+X6CycSgzqmBXO9xFbcydJWM6E2jD2trvX12JQ8E83rcORPkemww83zPB2uEIFQbJDNNH2mRuI3szEA3xblF1pUgqIsYGc/6vEetuUtQ4ZeSlPn5kvj5Xa3kYAktO0LDk2HTHiZpoPZrs5sjMpp68ny/bvRIYm+30/mJEbDvGfd4KQhI1HbU7P59VRKmliMJ/xi3aUObl/ArExWwuilPILKqPC5G6T/Shz8PxUIyGBTE31g94eduvDQijoWGB8fGtV/WHNmxo3WD+0/A9L alice@example';
const RSA_2048_MD5 = '37:48:84:74:31:21:5b:68:0d:b9:ec:67:52:1f:07:20';
const RSA_2048_PEM = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAk6gU4SVJjyMcoF5MHaKA\nQNvqpKYP7GPFcX2kQ9SaHHhuAPrryuioWl0c7+OdBhh7cVn/l+gsnEoM6pgVzvcR\nW3MnSVjOhNow9ra719diUPBPN63DkT5HpsMPN8zwdrhCBUGyQzTR9pkbiN7MxAN8\nW5RdaVIKiLGBnP+rxHrblLUOGXkpT5+ZL4+V2t5GAJLTtCw5Nh0x4maaD2a7ObIz\nKaevJ8v270SGJvt9P5iRGw7xn3eCkISNR21Oz+fVUSppYjCf8Yt2lDm5fwKxMVsL\nopTyCyqjwuRuk/0oc/D8VCMhgUxN9YPeHnbrw0Io6FhgfHxrVf1hzZsaN1g/tPwP\nSwIDAQAB\n-----END PUBLIC KEY-----\n'.trim();
const RSA_1024 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDPRJbNLcQ8A4tjzVNHe2EpJNXrsJ+BpyFjlsdSoTmYBSjobuaUfEnRSNwrY8s5SQlCGHjun4relFaTRKu0CM6zt6kM58/O0odErciPj1OkPmhOBBcTuIjiykx+nVWjn3TH7AW7kGYskEaLAi8IxZxX7Mryv15Sp77+36V+mbbxsQ==';
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPbjzD4gP/M7vyGvLX5nO9IZUDTeF8/C4D0KdJXo700h';

/** A fresh 2048-bit key as an ssh-rsa line (through the PEM path, which the parser converts). */
function freshKey(): string {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return 'ssh-rsa ' + parseSshPublicKey(pem).blob.toString('base64');
}

describe('SSH public key parsing', () => {
  it('computes the fingerprint OpenSSH computes', () => {
    assert.equal(sshFingerprint(parseSshPublicKey(RSA_2048).blob), RSA_2048_MD5);
  });
  it('reads the same key from PEM', () => {
    assert.equal(sshFingerprint(parseSshPublicKey(RSA_2048_PEM).blob), RSA_2048_MD5);
  });
  const bad = [
    { name: 'an ed25519 key', body: ED25519, code: 'UnrecognizedPublicKeyEncoding' },
    { name: 'a 1024-bit RSA key', body: RSA_1024, code: 'InvalidPublicKey' },
    { name: 'data that is not base64', body: 'ssh-rsa AAAA*B3Nz', code: 'InvalidPublicKey' },
    { name: 'a blob of another type', body: 'ssh-rsa ' + ED25519.split(' ')[1], code: 'InvalidPublicKey' },
    { name: 'a truncated blob', body: RSA_2048.split(' ')[0] + ' ' + RSA_2048.split(' ')[1].slice(0, 40), code: 'InvalidPublicKey' },
    { name: 'garbage', body: 'hello', code: 'UnrecognizedPublicKeyEncoding' },
    { name: 'a PEM that is not a key', body: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', code: 'UnrecognizedPublicKeyEncoding' },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with ${c.code}`, () => {
      assert.throws(() => parseSshPublicKey(c.body), (e: { code?: string }) => e.code === c.code);
    });
  }
});

describe('SSH public keys', () => {
  let f: CredentialFixture;
  let id = '';
  before(async () => {
    f = await openAliceAndBob(['iam:*SSHPublicKey*']);
  });
  after(async () => { await f.close(); });

  it('uploads a key: id APKA…, fingerprint, Active', async () => {
    const out = await ops.UploadSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyBody: RSA_2048 + '\n' }) as { SSHPublicKey: Record<string, string> };
    const k = out.SSHPublicKey;
    assert.match(k.SSHPublicKeyId, /^APKA[A-Z2-7]{17}$/);
    assert.equal(k.Fingerprint, RSA_2048_MD5);
    assert.equal(k.Status, 'Active');
    assert.equal(k.UserName, 'alice');
    assert.equal(k.SSHPublicKeyBody, RSA_2048);
    id = k.SSHPublicKeyId;
  });

  it('returns the key in SSH and PEM encodings', async () => {
    const ssh = await ops.GetSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyId: id, Encoding: 'SSH' }) as { SSHPublicKey: Record<string, string> };
    assert.equal(ssh.SSHPublicKey.SSHPublicKeyBody, RSA_2048.split(' ').slice(0, 2).join(' '));
    const pem = await ops.GetSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyId: id, Encoding: 'PEM' }) as { SSHPublicKey: Record<string, string> };
    assert.equal(pem.SSHPublicKey.SSHPublicKeyBody, RSA_2048_PEM);
  });

  it('lists (own keys without UserName), deactivates, deletes', async () => {
    const alice = await f.user('alice');
    const list = await ops.ListSSHPublicKeys(alice, {}) as { SSHPublicKeys: Record<string, string>[] };
    assert.deepEqual(list.SSHPublicKeys.map((k) => [k.UserName, k.SSHPublicKeyId, k.Status]), [['alice', id, 'Active']]);
    assert.ok(!('SSHPublicKeyBody' in list.SSHPublicKeys[0]));
    await ops.UpdateSSHPublicKey(alice, { UserName: 'alice', SSHPublicKeyId: id, Status: 'Inactive' });
    const after = await ops.ListSSHPublicKeys(f.root(), { UserName: 'alice' }) as { SSHPublicKeys: Record<string, string>[] };
    assert.equal(after.SSHPublicKeys[0].Status, 'Inactive');
    const rootList = await ops.ListSSHPublicKeys(f.root(), {}) as { SSHPublicKeys: unknown[] };
    assert.deepEqual(rootList.SSHPublicKeys, []);
  });

  const errors = [
    { name: 'the same key twice for one user', call: () => ops.UploadSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyBody: RSA_2048 }), code: 'DuplicateSSHPublicKey' },
    { name: 'a key of another user', call: () => ops.DeleteSSHPublicKey(f.root(), { UserName: 'bob', SSHPublicKeyId: id }), code: 'NoSuchEntity' },
    { name: 'a missing key', call: () => ops.GetSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyId: 'APKAAAAAAAAAAAAAAAAAA', Encoding: 'SSH' }), code: 'NoSuchEntity' },
    { name: 'a missing user', call: () => ops.UploadSSHPublicKey(f.root(), { UserName: 'nobody', SSHPublicKeyBody: RSA_2048 }), code: 'NoSuchEntity' },
    { name: 'an unsupported key type', call: () => ops.UploadSSHPublicKey(f.root(), { UserName: 'bob', SSHPublicKeyBody: ED25519 }), code: 'UnrecognizedPublicKeyEncoding' },
    { name: 'a caller without permission', call: async () => ops.UploadSSHPublicKey(await f.user('bob'), { UserName: 'bob', SSHPublicKeyBody: RSA_2048 }), code: 'AccessDenied' },
  ];
  itFailsWithoutWriting(() => f, errors);

  it('allows the same key for two users', async () => {
    await ops.UploadSSHPublicKey(f.root(), { UserName: 'bob', SSHPublicKeyBody: RSA_2048 });
  });

  it('refuses a sixth key (SSHPublicKeysPerUser: 5) and pages', async () => {
    for (let i = 0; i < 4; i++) await ops.UploadSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyBody: freshKey() });
    const e = await awsErrorOf(() => ops.UploadSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyBody: freshKey() }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for SSHPublicKeysPerUser: 5');
    const p1 = await ops.ListSSHPublicKeys(f.root(), { UserName: 'alice', MaxItems: 3 }) as { SSHPublicKeys: unknown[]; IsTruncated: boolean; Marker: string };
    const p2 = await ops.ListSSHPublicKeys(f.root(), { UserName: 'alice', MaxItems: 3, Marker: p1.Marker }) as { SSHPublicKeys: unknown[]; IsTruncated: boolean };
    assert.deepEqual([p1.SSHPublicKeys.length, p1.IsTruncated, p2.SSHPublicKeys.length, p2.IsTruncated], [3, true, 2, false]);
    await ops.DeleteSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyId: id });
    const left = await ops.ListSSHPublicKeys(f.root(), { UserName: 'alice' }) as { SSHPublicKeys: unknown[] };
    assert.equal(left.SSHPublicKeys.length, 4);
  });
});
