import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND } from './entities.js';
import { serviceSpecificCredentialOperations as ops, type ServiceSpecificCredentialDoc } from './service-specific-credentials.js';
import { awsErrorOf, itFailsWithoutWriting, openAliceAndBob, type CredentialFixture } from './credentials-fixture.js';

type Cred = Record<string, string>;

describe('service-specific credentials', () => {
  let f: CredentialFixture;
  let git: Cred;
  before(async () => {
    f = await openAliceAndBob(['iam:*ServiceSpecificCredential*']);
    await f.addUser('gitonly', ['iam:CreateServiceSpecificCredential']);
  });
  after(async () => { await f.close(); });

  it('creates CodeCommit credentials: user-at-account, a password returned once and kept encrypted', async () => {
    const out = await ops.CreateServiceSpecificCredential(f.root(), { UserName: 'alice', ServiceName: 'codecommit.amazonaws.com' }) as { ServiceSpecificCredential: Cred };
    git = out.ServiceSpecificCredential;
    assert.equal(git.ServiceUserName, `alice-at-${f.accountId}`);
    assert.match(git.ServiceSpecificCredentialId, /^ACCA[A-Z2-7]{17}$/);
    assert.equal(git.ServicePassword.length, 44);
    assert.equal(git.Status, 'Active');
    const stored = await f.store.read((tx) => tx.get<ServiceSpecificCredentialDoc>(KIND.serviceSpecificCredential, f.accountId, git.ServiceSpecificCredentialId));
    assert.ok(stored && !JSON.stringify(stored.data).includes(git.ServicePassword));
    assert.equal(f.secrets.forPurpose('service-specific-credential').decrypt(stored.data.SecretEncrypted, git.ServiceSpecificCredentialId), git.ServicePassword);
    const list = await ops.ListServiceSpecificCredentials(f.root(), { UserName: 'alice' }) as { ServiceSpecificCredentials: Cred[] };
    assert.equal(list.ServiceSpecificCredentials.length, 1);
    assert.ok(!('ServicePassword' in list.ServiceSpecificCredentials[0]));
  });

  it('creates a Bedrock API key with an expiration; it lists as Expired once past it', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const out = await ops.CreateServiceSpecificCredential(f.root(t0), { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 1 }) as { ServiceSpecificCredential: Cred };
    const key = out.ServiceSpecificCredential;
    assert.equal(key.ExpirationDate, '2030-01-02T00:00:00Z');
    assert.match(key.ServiceCredentialAlias, /^alice\+\w+-at-\d{12}$/);
    assert.match(key.ServiceCredentialSecret, /^ABSK/);
    assert.ok(!('ServicePassword' in key) && !('ServiceUserName' in key));
    const later = await ops.ListServiceSpecificCredentials(f.root(new Date('2030-01-03T00:00:00Z')), { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com' }) as { ServiceSpecificCredentials: Cred[] };
    assert.deepEqual(later.ServiceSpecificCredentials.map((c) => c.Status), ['Expired']);
    await ops.DeleteServiceSpecificCredential(f.root(), { UserName: 'alice', ServiceSpecificCredentialId: key.ServiceSpecificCredentialId });
  });

  it('resets the password (a new one, returned once) and updates the status', async () => {
    const alice = await f.user('alice');
    const out = await ops.ResetServiceSpecificCredential(alice, { ServiceSpecificCredentialId: git.ServiceSpecificCredentialId }) as { ServiceSpecificCredential: Cred };
    assert.notEqual(out.ServiceSpecificCredential.ServicePassword, git.ServicePassword);
    assert.equal(out.ServiceSpecificCredential.ServiceUserName, git.ServiceUserName);
    await ops.UpdateServiceSpecificCredential(alice, { ServiceSpecificCredentialId: git.ServiceSpecificCredentialId, Status: 'Inactive' });
    const list = await ops.ListServiceSpecificCredentials(alice, {}) as { ServiceSpecificCredentials: Cred[] };
    assert.deepEqual(list.ServiceSpecificCredentials.map((c) => c.Status), ['Inactive']);
  });

  const errors = [
    { name: 'an unsupported service', call: () => ops.CreateServiceSpecificCredential(f.root(), { UserName: 'bob', ServiceName: 's3.amazonaws.com' }), code: 'NotSupportedService' },
    { name: 'CredentialAgeDays for a password service', call: () => ops.CreateServiceSpecificCredential(f.root(), { UserName: 'bob', ServiceName: 'codecommit.amazonaws.com', CredentialAgeDays: 3 }), code: 'InvalidInput' },
    { name: 'a missing user', call: () => ops.CreateServiceSpecificCredential(f.root(), { UserName: 'nobody', ServiceName: 'codecommit.amazonaws.com' }), code: 'NoSuchEntity' },
    { name: 'a credential of another user', call: () => ops.DeleteServiceSpecificCredential(f.root(), { UserName: 'bob', ServiceSpecificCredentialId: git.ServiceSpecificCredentialId }), code: 'NoSuchEntity' },
    { name: 'a caller without permission', call: async () => ops.CreateServiceSpecificCredential(await f.user('bob'), { UserName: 'bob', ServiceName: 'codecommit.amazonaws.com' }), code: 'AccessDenied' },
    { name: 'the root user without UserName', call: () => ops.ResetServiceSpecificCredential(f.root(), { ServiceSpecificCredentialId: git.ServiceSpecificCredentialId }), code: 'InvalidInput' },
  ];
  itFailsWithoutWriting(() => f, errors);

  it('authorizes with iam:ServiceSpecificCredentialServiceName', async () => {
    await f.store.transaction(async (tx) => {
      const parent = 'user:gitonly';
      await tx.update({
        kind: KIND.inlinePolicy, account: f.accountId, key: `${parent}|test`,
        data: {
          OwnerType: 'user', OwnerName: 'gitonly', PolicyName: 'test',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateServiceSpecificCredential', Resource: '*', Condition: { StringEquals: { 'iam:ServiceSpecificCredentialServiceName': 'codecommit.amazonaws.com' } } }] }),
        },
      });
    });
    const me = await f.user('gitonly');
    const denied = await awsErrorOf(() => ops.CreateServiceSpecificCredential(me, { UserName: 'gitonly', ServiceName: 'cassandra.amazonaws.com' }));
    assert.equal(denied.code, 'AccessDenied');
    await ops.CreateServiceSpecificCredential(me, { UserName: 'gitonly', ServiceName: 'codecommit.amazonaws.com' });
  });

  it('refuses a third credential for one service (2 per service per user), not for another service', async () => {
    await ops.CreateServiceSpecificCredential(f.root(), { UserName: 'alice', ServiceName: 'codecommit.amazonaws.com' });
    const before = await f.dump();
    const e = await awsErrorOf(() => ops.CreateServiceSpecificCredential(f.root(), { UserName: 'alice', ServiceName: 'codecommit.amazonaws.com' }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2');
    assert.equal(await f.dump(), before);
    await ops.CreateServiceSpecificCredential(f.root(), { UserName: 'alice', ServiceName: 'cassandra.amazonaws.com' });
  });

  it('lists all users, filters by service, pages', async () => {
    const all = await ops.ListServiceSpecificCredentials(f.root(), { AllUsers: true }) as { ServiceSpecificCredentials: Cred[] };
    assert.deepEqual(all.ServiceSpecificCredentials.map((c) => c.UserName).sort(), ['alice', 'alice', 'alice', 'gitonly']);
    const cassandra = await ops.ListServiceSpecificCredentials(f.root(), { UserName: 'alice', ServiceName: 'cassandra.amazonaws.com' }) as { ServiceSpecificCredentials: Cred[] };
    assert.equal(cassandra.ServiceSpecificCredentials.length, 1);
    const p1 = await ops.ListServiceSpecificCredentials(f.root(), { AllUsers: true, MaxItems: 3 }) as { ServiceSpecificCredentials: Cred[]; IsTruncated: boolean; Marker: string };
    const p2 = await ops.ListServiceSpecificCredentials(f.root(), { AllUsers: true, MaxItems: 3, Marker: p1.Marker }) as { ServiceSpecificCredentials: Cred[]; IsTruncated: boolean };
    assert.deepEqual([p1.ServiceSpecificCredentials.length, p1.IsTruncated, p2.ServiceSpecificCredentials.length, p2.IsTruncated], [3, true, 1, false]);
  });
});
