import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  KIND, iamArn, isoNow, newId, ownerKey, type AttachmentDoc, type InlinePolicyDoc, type ManagedPolicyDoc, type RoleDoc, type UserDoc,
} from './entities.js';
import { roleOperations as ops, MAX_ROLES } from './roles.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

const trust = (principal: unknown = { Service: 'ec2.amazonaws.com' }) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

type Out = Record<string, unknown>;
type RoleOut = { Role: Record<string, unknown> };

/** A user whose inline policy has exactly these statements. */
async function addUserWithStatements(f: CredentialFixture, name: string, statements: unknown[]): Promise<void> {
  await f.store.transaction(async (tx) => {
    const doc: UserDoc = { UserName: name, UserId: newId('AIDA'), Arn: iamArn(f.accountId, 'user', '/', name), Path: '/', CreateDate: isoNow(), Tags: [] };
    await tx.insert({ kind: KIND.user, account: f.accountId, key: name, id: doc.UserId, data: doc });
    const parent = ownerKey('user', name);
    const policy: InlinePolicyDoc = { OwnerType: 'user', OwnerName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) };
    await tx.insert({ kind: KIND.inlinePolicy, account: f.accountId, key: `${parent}|p`, parent, data: policy });
  });
}

async function addCustomerPolicy(f: CredentialFixture, name: string): Promise<string> {
  const arn = `arn:aws:iam::${f.accountId}:policy/${name}`;
  const now = isoNow();
  const doc: ManagedPolicyDoc = {
    PolicyName: name, PolicyId: newId('ANPA'), Arn: arn, Path: '/', DefaultVersionId: 'v1', AttachmentCount: 0, PermissionsBoundaryUsageCount: 0,
    IsAttachable: true, CreateDate: now, UpdateDate: now, Tags: [], NextVersion: 2,
  };
  await f.store.transaction(async (tx) => {
    await tx.insert({ kind: KIND.policy, account: f.accountId, key: name, id: doc.PolicyId, data: doc });
    await tx.insert({
      kind: KIND.policyVersion, account: f.accountId, key: `${name}|v1`, parent: name,
      data: { PolicyArn: arn, VersionId: 'v1', Document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), IsDefaultVersion: true, CreateDate: now },
    });
  });
  return arn;
}

async function storedRole(f: CredentialFixture, name: string) {
  return f.store.read((tx) => tx.get<RoleDoc>(KIND.role, f.accountId, name));
}

describe('roles', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openCredentialFixture();
    await f.addUser('reader', ['iam:GetRole', 'iam:ListRoles'], 'arn:aws:iam::*:role/app/*');
    await f.addUser('nobody');
    await addUserWithStatements(f, 'tagger', [
      { Effect: 'Allow', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
    ]);
    await addUserWithStatements(f, 'bounded', [
      { Effect: 'Allow', Action: 'iam:CreateRole', Resource: '*', Condition: { StringEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } },
    ]);
  });
  after(async () => { await f.close(); });

  describe('CreateRole and GetRole', () => {
    it('creates a role with AWS defaults and shows it in full', async () => {
      const doc = trust();
      const out = await ops.CreateRole(f.root(), { RoleName: 'Web', Path: '/app/', AssumeRolePolicyDocument: doc, Description: 'web tier', Tags: [{ Key: 'team', Value: 'blue' }] }) as RoleOut;
      const r = out.Role;
      assert.equal(r.RoleName, 'Web');
      assert.equal(r.Path, '/app/');
      assert.equal(r.Arn, `arn:aws:iam::${f.accountId}:role/app/Web`);
      assert.match(String(r.RoleId), /^AROA[A-Z2-7]{17}$/);
      assert.equal(r.AssumeRolePolicyDocument, encodeURIComponent(doc));
      assert.equal(r.MaxSessionDuration, 3600);
      assert.equal(r.Description, 'web tier');
      assert.deepEqual(r.Tags, [{ Key: 'team', Value: 'blue' }]);
      const stored = await storedRole(f, 'web');
      assert.equal(stored?.data.AssumeRolePolicyDocument, doc, 'stored decoded, as submitted');
      const got = await ops.GetRole(f.root(), { RoleName: 'WEB' }) as RoleOut;
      assert.equal(got.Role.RoleId, r.RoleId);
      assert.deepEqual(got.Role.RoleLastUsed, {});
      assert.deepEqual(got.Role.Tags, [{ Key: 'team', Value: 'blue' }]);
    });

    it('takes MaxSessionDuration and a permissions boundary, counting its use', async () => {
      const arn = await addCustomerPolicy(f, 'Bound');
      await ops.CreateRole(f.root(), { RoleName: 'long', AssumeRolePolicyDocument: trust(), MaxSessionDuration: 43200, PermissionsBoundary: arn });
      const got = await ops.GetRole(f.root(), { RoleName: 'long' }) as RoleOut;
      assert.equal(got.Role.MaxSessionDuration, 43200);
      assert.deepEqual(got.Role.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn });
      const p = await f.store.read((tx) => tx.get<ManagedPolicyDoc>(KIND.policy, f.accountId, 'Bound'));
      assert.equal(p?.data.PermissionsBoundaryUsageCount, 1);
      await ops.DeleteRolePermissionsBoundary(f.root(), { RoleName: 'long' });
      const p2 = await f.store.read((tx) => tx.get<ManagedPolicyDoc>(KIND.policy, f.accountId, 'Bound'));
      assert.equal(p2?.data.PermissionsBoundaryUsageCount, 0);
      const again = await ops.GetRole(f.root(), { RoleName: 'long' }) as RoleOut;
      assert.equal(again.Role.PermissionsBoundary, undefined);
      await ops.PutRolePermissionsBoundary(f.root(), { RoleName: 'long', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      const third = await ops.GetRole(f.root(), { RoleName: 'long' }) as RoleOut;
      assert.equal((third.Role.PermissionsBoundary as Out).PermissionsBoundaryArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    });

    const failures: { name: string; input: Out; code: string; message: string }[] = [
      { name: 'a name taken in another case', input: { RoleName: 'WEB', AssumeRolePolicyDocument: trust() }, code: 'EntityAlreadyExists', message: 'Role with name WEB already exists.' },
      {
        name: 'a trust policy without Principal',
        input: { RoleName: 'x1', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }) },
        code: 'MalformedPolicyDocument', message: 'Missing required field Principal',
      },
      {
        name: 'a trust policy with Resource',
        input: { RoleName: 'x2', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Resource: '*' }] }) },
        code: 'MalformedPolicyDocument', message: 'Has prohibited field Resource',
      },
      { name: 'a trust policy that is not JSON', input: { RoleName: 'x3', AssumeRolePolicyDocument: '{"Version":' }, code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' },
      {
        name: 'a trust policy over 2,048 characters',
        input: { RoleName: 'x4', AssumeRolePolicyDocument: trust({ AWS: Array.from({ length: 60 }, (_, i) => `arn:aws:iam::1111222233${String(i).padStart(2, '0')}:root`) }) },
        code: 'LimitExceeded', message: 'Cannot exceed quota for ACLSizePerRole: 2048',
      },
      {
        name: 'a boundary policy that does not exist',
        input: { RoleName: 'x5', AssumeRolePolicyDocument: trust(), PermissionsBoundary: 'arn:aws:iam::aws:policy/NoSuchPolicy' },
        code: 'NoSuchEntity', message: 'Scope ARN: arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.',
      },
    ];
    for (const c of failures) {
      it(`refuses ${c.name} and writes nothing`, async () => {
        const before = await f.dump();
        const e = await awsErrorOf(() => ops.CreateRole(f.root(), c.input));
        assert.equal(e.code, c.code);
        assert.equal(e.message, c.message);
        assert.equal(await f.dump(), before);
      });
    }

    it('refuses a trust policy naming a user or role of this account that does not exist', async () => {
      for (const arn of [`arn:aws:iam::${f.accountId}:role/ghost`, `arn:aws:iam::${f.accountId}:user/ghost`, `arn:aws:iam::${f.accountId}:role/other-path/Web`]) {
        const before = await f.dump();
        const e = await awsErrorOf(() => ops.CreateRole(f.root(), { RoleName: 'trusting', AssumeRolePolicyDocument: trust({ AWS: [`arn:aws:iam::${f.accountId}:root`, arn] }) }));
        assert.equal(e.code, 'MalformedPolicyDocument');
        assert.equal(e.message, `Invalid principal in policy: "AWS":"${arn}"`);
        assert.equal(await f.dump(), before);
      }
      await ops.CreateRole(f.root(), { RoleName: 'trusting', AssumeRolePolicyDocument: trust({ AWS: [`arn:aws:iam::${f.accountId}:role/app/Web`, `arn:aws:iam::${f.accountId}:user/reader`, 'arn:aws:iam::111122223333:role/elsewhere'] }) });
      const e = await awsErrorOf(() => ops.UpdateAssumeRolePolicy(f.root(), { RoleName: 'trusting', PolicyDocument: trust({ AWS: `arn:aws:iam::${f.accountId}:user/ghost` }) }));
      assert.equal(e.code, 'MalformedPolicyDocument');
    });

    it('NoSuchEntity for an unknown role', async () => {
      const e = await awsErrorOf(() => ops.GetRole(f.root(), { RoleName: 'ghost' }));
      assert.equal(e.code, 'NoSuchEntity');
      assert.equal(e.message, 'The role with name ghost cannot be found.');
    });
  });

  describe('authorization', () => {
    it('a user may read roles its policy names, and no others', async () => {
      const reader = await f.user('reader');
      const got = await ops.GetRole(reader, { RoleName: 'web' }) as RoleOut;
      assert.equal(got.Role.RoleName, 'Web');
      const e = await awsErrorOf(() => ops.GetRole(reader, { RoleName: 'long' }));
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.message, `User: arn:aws:iam::${f.accountId}:user/reader is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${f.accountId}:role/long because no identity-based policy allows the iam:GetRole action`);
    });

    it('a user without a policy cannot create a role, and nothing is written', async () => {
      const nobody = await f.user('nobody');
      const before = await f.dump();
      const e = await awsErrorOf(() => ops.CreateRole(nobody, { RoleName: 'nope', AssumeRolePolicyDocument: trust() }));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::\d{12}:role\/nope because no identity-based policy allows the iam:CreateRole action$/);
      assert.equal(await f.dump(), before);
    });

    const conditioned: { name: string; user: string; input: Out; allowed: boolean }[] = [
      { name: 'aws:RequestTag matches', user: 'tagger', input: { RoleName: 'tagged-ok', Tags: [{ Key: 'team', Value: 'blue' }] }, allowed: true },
      { name: 'aws:RequestTag differs', user: 'tagger', input: { RoleName: 'tagged-no', Tags: [{ Key: 'team', Value: 'red' }] }, allowed: false },
      { name: 'aws:RequestTag absent', user: 'tagger', input: { RoleName: 'tagged-none' }, allowed: false },
      { name: 'iam:PermissionsBoundary is the allowed one', user: 'bounded', input: { RoleName: 'b-ok', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, allowed: true },
      { name: 'iam:PermissionsBoundary is missing', user: 'bounded', input: { RoleName: 'b-no' }, allowed: false },
    ];
    for (const c of conditioned) {
      it(`CreateRole condition keys: ${c.name}`, async () => {
        const ctx = await f.user(c.user);
        const call = () => ops.CreateRole(ctx, { AssumeRolePolicyDocument: trust(), ...c.input });
        if (c.allowed) await call();
        else assert.equal((await awsErrorOf(call)).code, 'AccessDenied');
        assert.equal((await storedRole(f, String(c.input.RoleName))) !== undefined, c.allowed);
      });
    }
  });

  describe('updates', () => {
    it('UpdateRole changes description and session duration', async () => {
      await ops.UpdateRole(f.root(), { RoleName: 'web', Description: 'new', MaxSessionDuration: 7200 });
      const got = await ops.GetRole(f.root(), { RoleName: 'web' }) as RoleOut;
      assert.equal(got.Role.Description, 'new');
      assert.equal(got.Role.MaxSessionDuration, 7200);
    });

    it('UpdateRoleDescription returns the role', async () => {
      const out = await ops.UpdateRoleDescription(f.root(), { RoleName: 'web', Description: 'described' }) as RoleOut;
      assert.equal(out.Role.Description, 'described');
      assert.equal(out.Role.RoleName, 'Web');
    });

    it('UpdateAssumeRolePolicy replaces the trust policy, and refuses a bad one', async () => {
      const doc = trust({ AWS: `arn:aws:iam::${f.accountId}:root` });
      await ops.UpdateAssumeRolePolicy(f.root(), { RoleName: 'web', PolicyDocument: doc });
      assert.equal((await storedRole(f, 'web'))?.data.AssumeRolePolicyDocument, doc);
      const e = await awsErrorOf(() => ops.UpdateAssumeRolePolicy(f.root(), { RoleName: 'web', PolicyDocument: '{}' }));
      assert.equal(e.code, 'MalformedPolicyDocument');
      assert.equal((await storedRole(f, 'web'))?.data.AssumeRolePolicyDocument, doc);
    });

    it('tags: add, replace case-insensitively, list with pages (by key), remove', async () => {
      await ops.TagRole(f.root(), { RoleName: 'web', Tags: [{ Key: 'TEAM', Value: 'red' }, { Key: 'env', Value: 'prod' }, { Key: 'cost', Value: '1' }] });
      const p1 = await ops.ListRoleTags(f.root(), { RoleName: 'web', MaxItems: 2 }) as { Tags: Out[]; IsTruncated: boolean; Marker?: string };
      assert.deepEqual(p1.Tags, [{ Key: 'cost', Value: '1' }, { Key: 'env', Value: 'prod' }]);
      assert.equal(p1.IsTruncated, true);
      const p2 = await ops.ListRoleTags(f.root(), { RoleName: 'web', MaxItems: 2, Marker: p1.Marker }) as { Tags: Out[]; IsTruncated: boolean };
      assert.deepEqual(p2.Tags, [{ Key: 'TEAM', Value: 'red' }]);
      assert.equal(p2.IsTruncated, false);
      await ops.UntagRole(f.root(), { RoleName: 'web', TagKeys: ['team', 'cost'] });
      const all = await ops.ListRoleTags(f.root(), { RoleName: 'web' }) as { Tags: Out[] };
      assert.deepEqual(all.Tags, [{ Key: 'env', Value: 'prod' }]);
    });

    it('tags: at most 50', async () => {
      const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      const e = await awsErrorOf(() => ops.TagRole(f.root(), { RoleName: 'web', Tags: tags }));
      assert.equal(e.code, 'LimitExceeded');
      assert.equal(e.message, 'The number of tags has reached the maximum limit of 50.');
    });
  });

  describe('ListRoles', () => {
    it('filters by PathPrefix, pages, and omits tags, boundary and last use', async () => {
      for (const n of ['p1', 'p2', 'p3']) await ops.CreateRole(f.root(), { RoleName: n, Path: '/paged/', AssumeRolePolicyDocument: trust(), Tags: [{ Key: 'a', Value: 'b' }] });
      const first = await ops.ListRoles(f.root(), { PathPrefix: '/paged/', MaxItems: 2 }) as { Roles: Out[]; IsTruncated: boolean; Marker: string };
      assert.deepEqual(first.Roles.map((r) => r.RoleName), ['p1', 'p2']);
      assert.equal(first.IsTruncated, true);
      const second = await ops.ListRoles(f.root(), { PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }) as { Roles: Out[]; IsTruncated: boolean };
      assert.deepEqual(second.Roles.map((r) => r.RoleName), ['p3']);
      assert.equal(second.IsTruncated, false);
      for (const r of [...first.Roles, ...second.Roles]) {
        assert.equal(r.Tags, undefined);
        assert.equal(r.RoleLastUsed, undefined);
        assert.equal(r.PermissionsBoundary, undefined);
        assert.equal(r.MaxSessionDuration, 3600);
        assert.ok(r.AssumeRolePolicyDocument);
      }
      const app = await ops.ListRoles(f.root(), { PathPrefix: '/app/' }) as { Roles: Out[] };
      assert.deepEqual(app.Roles.map((r) => r.RoleName), ['Web']);
    });

    it('a user allowed on role/app/* cannot list the whole account', async () => {
      const reader = await f.user('reader');
      const e = await awsErrorOf(() => ops.ListRoles(reader, {}));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /iam:ListRoles on resource: arn:aws:iam::\d{12}:role\/ /);
      const ok = await ops.ListRoles(reader, { PathPrefix: '/app/' }) as { Roles: Out[] };
      assert.equal(ok.Roles.length, 1);
    });
  });

  describe('DeleteRole', () => {
    it('refuses while the role has inline policies, attached policies or an instance profile', async () => {
      await ops.CreateRole(f.root(), { RoleName: 'busy', AssumeRolePolicyDocument: trust() });
      const owner = ownerKey('role', 'busy');
      const inline: InlinePolicyDoc = { OwnerType: 'role', OwnerName: 'busy', PolicyName: 'i', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) };
      const policyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
      const att: AttachmentDoc = { OwnerType: 'role', OwnerName: 'busy', PolicyArn: policyArn, PolicyName: 'ReadOnlyAccess' };
      await f.store.transaction(async (tx) => {
        await tx.insert({ kind: KIND.inlinePolicy, account: f.accountId, key: `${owner}|i`, parent: owner, data: inline });
        await tx.insert({ kind: KIND.attachment, account: f.accountId, key: `${owner}|${policyArn}`, parent: owner, data: att });
        await tx.insert({ kind: KIND.policyAttachment, account: f.accountId, key: `${policyArn}|${owner}`, parent: policyArn, data: att });
      });
      await ops.CreateInstanceProfile(f.root(), { InstanceProfileName: 'busy-profile' });
      await ops.AddRoleToInstanceProfile(f.root(), { InstanceProfileName: 'busy-profile', RoleName: 'busy' });

      const steps: { message: string; undo: () => Promise<unknown> }[] = [
        { message: 'Cannot delete entity, must remove roles from instance profile first.', undo: () => ops.RemoveRoleFromInstanceProfile(f.root(), { InstanceProfileName: 'busy-profile', RoleName: 'busy' }) },
        {
          message: 'Cannot delete entity, must detach all policies first.',
          undo: () => f.store.transaction(async (tx) => { await tx.deleteChildren(KIND.attachment, f.accountId, owner); await tx.delete(KIND.policyAttachment, f.accountId, `${policyArn}|${owner}`); }),
        },
        { message: 'Cannot delete entity, must delete policies first.', undo: () => f.store.transaction((tx) => tx.deleteChildren(KIND.inlinePolicy, f.accountId, owner)) },
      ];
      for (const s of steps) {
        const e = await awsErrorOf(() => ops.DeleteRole(f.root(), { RoleName: 'busy' }));
        assert.equal(e.code, 'DeleteConflict');
        assert.equal(e.message, s.message);
        await s.undo();
      }
      await ops.DeleteRole(f.root(), { RoleName: 'BUSY' });
      assert.equal(await storedRole(f, 'busy'), undefined);
      assert.equal((await awsErrorOf(() => ops.DeleteRole(f.root(), { RoleName: 'busy' }))).code, 'NoSuchEntity');
    });

    it('gives back the boundary use of a customer managed policy', async () => {
      const arn = await addCustomerPolicy(f, 'Bound2');
      await ops.CreateRole(f.root(), { RoleName: 'bounded-role', AssumeRolePolicyDocument: trust(), PermissionsBoundary: arn });
      await ops.DeleteRole(f.root(), { RoleName: 'bounded-role' });
      const p = await f.store.read((tx) => tx.get<ManagedPolicyDoc>(KIND.policy, f.accountId, 'Bound2'));
      assert.equal(p?.data.PermissionsBoundaryUsageCount, 0);
    });
  });

  describe('service-linked roles', () => {
    it('creates AWSServiceRoleFor<Service> at /aws-service-role/<service>/, trusted by it, with its policy', async () => {
      const out = await ops.CreateServiceLinkedRole(f.root(), { AWSServiceName: 'elasticbeanstalk.amazonaws.com' }) as RoleOut;
      const r = out.Role;
      assert.equal(r.RoleName, 'AWSServiceRoleForElasticBeanstalk');
      assert.equal(r.Path, '/aws-service-role/elasticbeanstalk.amazonaws.com/');
      assert.equal(r.Arn, `arn:aws:iam::${f.accountId}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`);
      const stored = await storedRole(f, 'AWSServiceRoleForElasticBeanstalk');
      assert.equal(stored?.data.ServiceLinked, 'elasticbeanstalk.amazonaws.com');
      assert.deepEqual(JSON.parse(stored!.data.AssumeRolePolicyDocument).Statement[0].Principal, { Service: 'elasticbeanstalk.amazonaws.com' });
      const att = await f.store.read((tx) => tx.list<AttachmentDoc>(KIND.attachment, f.accountId, { parent: ownerKey('role', 'AWSServiceRoleForElasticBeanstalk') }));
      assert.deepEqual(att.map((a) => a.data.PolicyArn), ['arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy']);
    });

    const refusals: { name: string; input: Out; code: string; message: string }[] = [
      { name: 'a second role of the same service', input: { AWSServiceName: 'elasticbeanstalk.amazonaws.com' }, code: 'InvalidInput', message: 'Service role name AWSServiceRoleForElasticBeanstalk has been taken in this account, please try a different suffix.' },
      { name: 'a custom suffix where the service takes none', input: { AWSServiceName: 'elasticbeanstalk.amazonaws.com', CustomSuffix: 'x' }, code: 'InvalidInput', message: 'Custom suffix is not allowed for elasticbeanstalk.amazonaws.com' },
    ];
    for (const c of refusals) {
      it(`refuses ${c.name}`, async () => {
        const before = await f.dump();
        const e = await awsErrorOf(() => ops.CreateServiceLinkedRole(f.root(), c.input));
        assert.equal(e.code, c.code);
        assert.equal(e.message, c.message);
        assert.equal(await f.dump(), before);
      });
    }

    it('takes a custom suffix where the service allows one', async () => {
      const out = await ops.CreateServiceLinkedRole(f.root(), { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'web' }) as RoleOut;
      assert.equal(out.Role.RoleName, 'AWSServiceRoleForAutoScaling_web');
    });

    const protectedOps: { op: string; input: Out; message?: string }[] = [
      { op: 'DeleteRole', input: {} },
      { op: 'UpdateAssumeRolePolicy', input: { PolicyDocument: trust() } },
      { op: 'PutRolePermissionsBoundary', input: { PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
      { op: 'UpdateRole', input: { MaxSessionDuration: 7200 }, message: 'AWSServiceRoleForElasticBeanstalk is an AWS service linked role, max session duration cannot be changed.' },
    ];
    for (const c of protectedOps) {
      it(`${c.op} of a service-linked role is UnmodifiableEntity`, async () => {
        const e = await awsErrorOf(() => ops[c.op](f.root(), { RoleName: 'AWSServiceRoleForElasticBeanstalk', ...c.input }));
        assert.equal(e.code, 'UnmodifiableEntity');
        assert.equal(e.message, c.message ?? "Cannot perform the operation on the protected role 'AWSServiceRoleForElasticBeanstalk' - this role is only modifiable by AWS");
      });
    }

    it('its description can still be changed', async () => {
      const out = await ops.UpdateRoleDescription(f.root(), { RoleName: 'AWSServiceRoleForElasticBeanstalk', Description: 'd' }) as RoleOut;
      assert.equal(out.Role.Description, 'd');
    });

    it('DeleteServiceLinkedRole deletes it with its policies and reports the task', async () => {
      const { DeletionTaskId } = await ops.DeleteServiceLinkedRole(f.root(), { RoleName: 'AWSServiceRoleForElasticBeanstalk' }) as { DeletionTaskId: string };
      assert.match(DeletionTaskId, /^task\/aws-service-role\/elasticbeanstalk\.amazonaws\.com\/AWSServiceRoleForElasticBeanstalk\/[0-9a-f-]{36}$/);
      assert.equal(await storedRole(f, 'AWSServiceRoleForElasticBeanstalk'), undefined);
      const left = await f.store.read((tx) => tx.count(KIND.policyAttachment, f.accountId, { parent: 'arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy' }));
      assert.equal(left, 0);
      const status = await ops.GetServiceLinkedRoleDeletionStatus(f.root(), { DeletionTaskId });
      assert.deepEqual(status, { Status: 'SUCCEEDED' });
    });

    const statusErrors: { name: string; id: string; code: string }[] = [
      { name: 'an unknown task', id: 'task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-0000-0000-000000000000', code: 'NoSuchEntity' },
      { name: 'a malformed task id', id: 'not-a-task', code: 'InvalidInput' },
    ];
    for (const c of statusErrors) {
      it(`GetServiceLinkedRoleDeletionStatus of ${c.name}`, async () => {
        assert.equal((await awsErrorOf(() => ops.GetServiceLinkedRoleDeletionStatus(f.root(), { DeletionTaskId: c.id }))).code, c.code);
      });
    }

    it('DeleteServiceLinkedRole refuses an ordinary role', async () => {
      const e = await awsErrorOf(() => ops.DeleteServiceLinkedRole(f.root(), { RoleName: 'web' }));
      assert.equal(e.code, 'InvalidInput');
      assert.ok(await storedRole(f, 'web'));
    });
  });
});

describe('roles quota', () => {
  let f: CredentialFixture;
  before(async () => { f = await openCredentialFixture(); });
  after(async () => { await f.close(); });

  it(`refuses role number ${MAX_ROLES + 1}`, async () => {
    await f.store.transaction(async (tx) => {
      for (let i = 0; i < MAX_ROLES; i++) {
        const name = `r${i}`;
        const doc: RoleDoc = {
          RoleName: name, RoleId: newId('AROA'), Arn: iamArn(f.accountId, 'role', '/', name), Path: '/', CreateDate: isoNow(),
          AssumeRolePolicyDocument: trust(), MaxSessionDuration: 3600, Tags: [],
        };
        await tx.insert({ kind: KIND.role, account: f.accountId, key: name, id: doc.RoleId, data: doc });
      }
    });
    const e = await awsErrorOf(() => ops.CreateRole(f.root(), { RoleName: 'one-too-many', AssumeRolePolicyDocument: trust() }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for RolesPerAccount: 1000');
    const slr = await awsErrorOf(() => ops.CreateServiceLinkedRole(f.root(), { AWSServiceName: 'ecs.amazonaws.com' }));
    assert.equal(slr.code, 'LimitExceeded');
  });
});
