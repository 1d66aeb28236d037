import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND, iamArn, isoNow, newId } from './entities.js';
import { roleOperations as ops } from './roles.js';
import { MAX_INSTANCE_PROFILES } from './instance-profiles.js';
import type { InstanceProfileDoc } from './role-shapes.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

type Out = Record<string, unknown>;
type ProfileOut = { InstanceProfile: Out & { Roles: Out[] } };

describe('instance profiles', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openCredentialFixture();
    await ops.CreateRole(f.root(), { RoleName: 'app', AssumeRolePolicyDocument: trust });
    await ops.CreateRole(f.root(), { RoleName: 'other', AssumeRolePolicyDocument: trust });
    // May manage instance profiles but not pass roles.
    await f.addUser('ops', ['iam:*InstanceProfile*']);
    await f.addUser('passer', ['iam:*InstanceProfile*', 'iam:PassRole']);
  });
  after(async () => { await f.close(); });

  it('creates, gets and lists a profile with its tags', async () => {
    const out = await ops.CreateInstanceProfile(f.root(), { InstanceProfileName: 'Web', Path: '/tier/', Tags: [{ Key: 'env', Value: 'prod' }] }) as ProfileOut;
    const p = out.InstanceProfile;
    assert.equal(p.InstanceProfileName, 'Web');
    assert.equal(p.Arn, `arn:aws:iam::${f.accountId}:instance-profile/tier/Web`);
    assert.match(String(p.InstanceProfileId), /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(p.Roles, []);
    assert.deepEqual(p.Tags, [{ Key: 'env', Value: 'prod' }]);
    const got = await ops.GetInstanceProfile(f.root(), { InstanceProfileName: 'WEB' }) as ProfileOut;
    assert.equal(got.InstanceProfile.InstanceProfileId, p.InstanceProfileId);
  });

  const failures: { name: string; op: string; input: Out; code: string; message: string }[] = [
    { name: 'a name taken in another case', op: 'CreateInstanceProfile', input: { InstanceProfileName: 'web' }, code: 'EntityAlreadyExists', message: 'Instance Profile web already exists.' },
    { name: 'an unknown profile', op: 'GetInstanceProfile', input: { InstanceProfileName: 'ghost' }, code: 'NoSuchEntity', message: 'Instance Profile ghost cannot be found.' },
    { name: 'adding an unknown role', op: 'AddRoleToInstanceProfile', input: { InstanceProfileName: 'web', RoleName: 'ghost' }, code: 'NoSuchEntity', message: 'The role with name ghost cannot be found.' },
    { name: 'adding to an unknown profile', op: 'AddRoleToInstanceProfile', input: { InstanceProfileName: 'ghost', RoleName: 'app' }, code: 'NoSuchEntity', message: 'Instance Profile ghost cannot be found.' },
    { name: 'removing a role that is not in it', op: 'RemoveRoleFromInstanceProfile', input: { InstanceProfileName: 'web', RoleName: 'other' }, code: 'NoSuchEntity', message: 'The role with name other cannot be found in instance profile Web.' },
    { name: 'listing profiles of an unknown role', op: 'ListInstanceProfilesForRole', input: { RoleName: 'ghost' }, code: 'NoSuchEntity', message: 'The role with name ghost cannot be found.' },
  ];
  for (const c of failures) {
    it(`refuses ${c.name} and writes nothing`, async () => {
      const before = await f.dump();
      const e = await awsErrorOf(() => ops[c.op](f.root(), c.input));
      assert.equal(e.code, c.code);
      assert.equal(e.message, c.message);
      assert.equal(await f.dump(), before);
    });
  }

  it('holds one role at most', async () => {
    await ops.AddRoleToInstanceProfile(f.root(), { InstanceProfileName: 'web', RoleName: 'APP' });
    const got = await ops.GetInstanceProfile(f.root(), { InstanceProfileName: 'web' }) as ProfileOut;
    assert.deepEqual(got.InstanceProfile.Roles.map((r) => r.RoleName), ['app']);
    assert.equal(got.InstanceProfile.Roles[0].Tags, undefined);
    for (const role of ['other', 'app']) {
      const e = await awsErrorOf(() => ops.AddRoleToInstanceProfile(f.root(), { InstanceProfileName: 'web', RoleName: role }));
      assert.equal(e.code, 'LimitExceeded');
      assert.equal(e.message, 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    }
  });

  it('ListInstanceProfilesForRole finds the profiles of a role', async () => {
    await ops.CreateInstanceProfile(f.root(), { InstanceProfileName: 'second' });
    await ops.AddRoleToInstanceProfile(f.root(), { InstanceProfileName: 'second', RoleName: 'app' });
    const out = await ops.ListInstanceProfilesForRole(f.root(), { RoleName: 'app' }) as { InstanceProfiles: Out[]; IsTruncated: boolean };
    assert.deepEqual(out.InstanceProfiles.map((p) => p.InstanceProfileName), ['second', 'Web']);
    const page = await ops.ListInstanceProfilesForRole(f.root(), { RoleName: 'app', MaxItems: 1 }) as { InstanceProfiles: Out[]; IsTruncated: boolean; Marker: string };
    assert.equal(page.IsTruncated, true);
    const rest = await ops.ListInstanceProfilesForRole(f.root(), { RoleName: 'app', Marker: page.Marker }) as { InstanceProfiles: Out[] };
    assert.deepEqual(rest.InstanceProfiles.map((p) => p.InstanceProfileName), ['Web']);
    const none = await ops.ListInstanceProfilesForRole(f.root(), { RoleName: 'other' }) as { InstanceProfiles: Out[] };
    assert.deepEqual(none.InstanceProfiles, []);
  });

  it('ListInstanceProfiles filters by PathPrefix and pages', async () => {
    const all = await ops.ListInstanceProfiles(f.root(), {}) as { InstanceProfiles: Out[] };
    assert.deepEqual(all.InstanceProfiles.map((p) => p.InstanceProfileName), ['second', 'Web']);
    assert.equal(all.InstanceProfiles[1].Tags, undefined, 'lists omit tags');
    const tier = await ops.ListInstanceProfiles(f.root(), { PathPrefix: '/tier/' }) as { InstanceProfiles: Out[] };
    assert.deepEqual(tier.InstanceProfiles.map((p) => p.InstanceProfileName), ['Web']);
    const first = await ops.ListInstanceProfiles(f.root(), { MaxItems: 1 }) as { InstanceProfiles: Out[]; IsTruncated: boolean; Marker: string };
    assert.deepEqual([first.InstanceProfiles.length, first.IsTruncated], [1, true]);
    const second = await ops.ListInstanceProfiles(f.root(), { MaxItems: 1, Marker: first.Marker }) as { InstanceProfiles: Out[]; IsTruncated: boolean };
    assert.deepEqual([second.InstanceProfiles[0].InstanceProfileName, second.IsTruncated], ['Web', false]);
  });

  it('DeleteInstanceProfile refuses while a role is in it', async () => {
    const e = await awsErrorOf(() => ops.DeleteInstanceProfile(f.root(), { InstanceProfileName: 'second' }));
    assert.equal(e.code, 'DeleteConflict');
    assert.equal(e.message, 'Cannot delete entity, must remove roles from instance profile first.');
    await ops.RemoveRoleFromInstanceProfile(f.root(), { InstanceProfileName: 'second', RoleName: 'App' });
    await ops.DeleteInstanceProfile(f.root(), { InstanceProfileName: 'second' });
    assert.equal((await awsErrorOf(() => ops.GetInstanceProfile(f.root(), { InstanceProfileName: 'second' }))).code, 'NoSuchEntity');
  });

  it('tags: add, list, remove', async () => {
    await ops.TagInstanceProfile(f.root(), { InstanceProfileName: 'web', Tags: [{ Key: 'ENV', Value: 'dev' }, { Key: 'a', Value: '1' }] });
    const tags = await ops.ListInstanceProfileTags(f.root(), { InstanceProfileName: 'web' }) as { Tags: Out[] };
    assert.deepEqual(tags.Tags, [{ Key: 'a', Value: '1' }, { Key: 'ENV', Value: 'dev' }]);
    await ops.UntagInstanceProfile(f.root(), { InstanceProfileName: 'web', TagKeys: ['env'] });
    const after = await ops.ListInstanceProfileTags(f.root(), { InstanceProfileName: 'web' }) as { Tags: Out[] };
    assert.deepEqual(after.Tags, [{ Key: 'a', Value: '1' }]);
  });

  it('adding a role needs iam:PassRole on it', async () => {
    await ops.CreateInstanceProfile(f.root(), { InstanceProfileName: 'pass' });
    const opsUser = await f.user('ops');
    const e = await awsErrorOf(() => ops.AddRoleToInstanceProfile(opsUser, { InstanceProfileName: 'pass', RoleName: 'other' }));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /iam:PassRole on resource: arn:aws:iam::\d{12}:role\/other because no identity-based policy allows the iam:PassRole action$/);
    const stored = await f.store.read((tx) => tx.get<InstanceProfileDoc>(KIND.instanceProfile, f.accountId, 'pass'));
    assert.deepEqual(stored?.data.Roles, []);
    await ops.AddRoleToInstanceProfile(await f.user('passer'), { InstanceProfileName: 'pass', RoleName: 'other' });
    const got = await ops.GetInstanceProfile(f.root(), { InstanceProfileName: 'pass' }) as ProfileOut;
    assert.deepEqual(got.InstanceProfile.Roles.map((r) => r.RoleName), ['other']);
  });

  it('a user without permission cannot create one', async () => {
    await f.addUser('nobody');
    const e = await awsErrorOf(async () => ops.CreateInstanceProfile(await f.user('nobody'), { InstanceProfileName: 'x' }));
    assert.equal(e.code, 'AccessDenied');
    assert.equal(e.message, `User: arn:aws:iam::${f.accountId}:user/nobody is not authorized to perform: iam:CreateInstanceProfile on resource: arn:aws:iam::${f.accountId}:instance-profile/x because no identity-based policy allows the iam:CreateInstanceProfile action`);
  });

  it('service-linked roles cannot be added', async () => {
    await ops.CreateServiceLinkedRole(f.root(), { AWSServiceName: 'ecs.amazonaws.com' });
    await ops.CreateInstanceProfile(f.root(), { InstanceProfileName: 'slr' });
    const e = await awsErrorOf(() => ops.AddRoleToInstanceProfile(f.root(), { InstanceProfileName: 'slr', RoleName: 'AWSServiceRoleForECS' }));
    assert.equal(e.code, 'UnmodifiableEntity');
  });
});

describe('instance profiles quota', () => {
  let f: CredentialFixture;
  before(async () => { f = await openCredentialFixture(); });
  after(async () => { await f.close(); });

  it(`refuses profile number ${MAX_INSTANCE_PROFILES + 1}`, async () => {
    await f.store.transaction(async (tx) => {
      for (let i = 0; i < MAX_INSTANCE_PROFILES; i++) {
        const name = `p${i}`;
        const doc: InstanceProfileDoc = {
          InstanceProfileName: name, InstanceProfileId: newId('AIPA'), Arn: iamArn(f.accountId, 'instance-profile', '/', name), Path: '/',
          CreateDate: isoNow(), Roles: [], Tags: [],
        };
        await tx.insert({ kind: KIND.instanceProfile, account: f.accountId, key: name, id: doc.InstanceProfileId, data: doc });
      }
    });
    const e = await awsErrorOf(() => ops.CreateInstanceProfile(f.root(), { InstanceProfileName: 'one-too-many' }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for InstanceProfilesPerAccount: 1000');
  });
});
