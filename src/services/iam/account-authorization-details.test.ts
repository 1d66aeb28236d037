import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountOperations } from './account.js';
import { encodePolicyDocument } from './common.js';
import { iamOperations as iam } from './index.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

type Out = Record<string, unknown>;
interface Details {
  UserDetailList: Out[];
  GroupDetailList: Out[];
  RoleDetailList: Out[];
  Policies: Out[];
  IsTruncated: boolean;
  Marker?: string;
}

const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

describe('GetAccountAuthorizationDetails', () => {
  let f: CredentialFixture;
  let policyArn: string;
  const details = async (input: Out = {}) => (await accountOperations.GetAccountAuthorizationDetails(f.root(), input)) as unknown as Details;

  before(async () => {
    f = await openCredentialFixture();
    const root = () => f.root();
    const created = await iam.CreatePolicy(root(), { PolicyName: 'Local', PolicyDocument: doc('s3:GetObject') }) as { Policy: { Arn: string } };
    policyArn = created.Policy.Arn;
    await iam.CreatePolicyVersion(root(), { PolicyArn: policyArn, PolicyDocument: doc('s3:*'), SetAsDefault: true });
    await iam.CreateUser(root(), { UserName: 'alice', Tags: [{ Key: 'team', Value: 'blue' }], PermissionsBoundary: READ_ONLY });
    await iam.PutUserPolicy(root(), { UserName: 'alice', PolicyName: 'own', PolicyDocument: doc('sqs:*') });
    await iam.AttachUserPolicy(root(), { UserName: 'alice', PolicyArn: policyArn });
    await iam.CreateGroup(root(), { GroupName: 'devs' });
    await iam.AddUserToGroup(root(), { GroupName: 'devs', UserName: 'alice' });
    await iam.PutGroupPolicy(root(), { GroupName: 'devs', PolicyName: 'gp', PolicyDocument: doc('sns:*') });
    await iam.AttachGroupPolicy(root(), { GroupName: 'devs', PolicyArn: READ_ONLY });
    await iam.CreateRole(root(), { RoleName: 'app', AssumeRolePolicyDocument: trust });
    await iam.PutRolePolicy(root(), { RoleName: 'app', PolicyName: 'rp', PolicyDocument: doc('dynamodb:*') });
    await iam.AttachRolePolicy(root(), { RoleName: 'app', PolicyArn: READ_ONLY });
    await iam.CreateInstanceProfile(root(), { InstanceProfileName: 'app-profile' });
    await iam.AddRoleToInstanceProfile(root(), { InstanceProfileName: 'app-profile', RoleName: 'app' });
    await f.addUser('nobody');
  });
  after(async () => { await f.close(); });

  it('describes users with inline policies, groups, attachments, tags and boundary', async () => {
    const d = await details({ Filter: ['User'] });
    assert.deepEqual([d.GroupDetailList, d.RoleDetailList, d.Policies], [[], [], []]);
    const alice = d.UserDetailList.find((u) => u.UserName === 'alice')!;
    assert.deepEqual(alice.UserPolicyList, [{ PolicyName: 'own', PolicyDocument: encodePolicyDocument(doc('sqs:*')) }]);
    assert.deepEqual(alice.GroupList, ['devs']);
    assert.deepEqual(alice.AttachedManagedPolicies, [{ PolicyName: 'Local', PolicyArn: policyArn }]);
    assert.deepEqual(alice.Tags, [{ Key: 'team', Value: 'blue' }]);
    assert.deepEqual(alice.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: READ_ONLY });
  });

  it('describes groups and roles', async () => {
    const d = await details({ Filter: ['Group', 'Role'] });
    assert.deepEqual(d.GroupDetailList.map((g) => [g.GroupName, g.GroupPolicyList, g.AttachedManagedPolicies]), [
      ['devs', [{ PolicyName: 'gp', PolicyDocument: encodePolicyDocument(doc('sns:*')) }], [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY }]],
    ]);
    assert.equal(d.RoleDetailList.length, 1);
    const role = d.RoleDetailList[0];
    assert.equal(role.AssumeRolePolicyDocument, encodePolicyDocument(trust));
    assert.deepEqual(role.RolePolicyList, [{ PolicyName: 'rp', PolicyDocument: encodePolicyDocument(doc('dynamodb:*')) }]);
    assert.deepEqual(role.AttachedManagedPolicies, [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY }]);
    assert.deepEqual((role.InstanceProfileList as Out[]).map((p) => [p.InstanceProfileName, (p.Roles as Out[]).map((r) => r.RoleName)]), [['app-profile', ['app']]]);
    assert.deepEqual(role.RoleLastUsed, {});
  });

  it('describes local managed policies with every version', async () => {
    const d = await details({ Filter: ['LocalManagedPolicy'] });
    assert.equal(d.Policies.length, 1);
    const p = d.Policies[0];
    assert.equal(p.Arn, policyArn);
    assert.equal(p.DefaultVersionId, 'v2');
    assert.equal(p.AttachmentCount, 1);
    assert.deepEqual((p.PolicyVersionList as Out[]).map((v) => [v.VersionId, v.IsDefaultVersion, v.Document]), [
      ['v2', true, encodePolicyDocument(doc('s3:*'))],
      ['v1', false, encodePolicyDocument(doc('s3:GetObject'))],
    ]);
  });

  it('lists only the AWS managed policies attached in the account', async () => {
    const d = await details({ Filter: ['AWSManagedPolicy'] });
    assert.deepEqual(d.Policies.map((p) => [p.Arn, p.AttachmentCount, p.PermissionsBoundaryUsageCount]), [[READ_ONLY, 2, 1]]);
    const versions = d.Policies[0].PolicyVersionList as Out[];
    assert.equal(versions.length, 1);
    assert.equal(versions[0].IsDefaultVersion, true);
    assert.ok(String(versions[0].Document).startsWith('%7B'));
  });

  it('without Filter answers everything, paged by Marker', async () => {
    const all = await details();
    const count = (d: Details) => d.UserDetailList.length + d.GroupDetailList.length + d.RoleDetailList.length + d.Policies.length;
    assert.equal(all.IsTruncated, false);
    assert.equal(count(all), 2 + 1 + 1 + 2, 'alice and nobody, devs, app, Local and ReadOnlyAccess');
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await details({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) });
      pages++;
      assert.ok(count(page) <= 2);
      for (const u of page.UserDetailList) seen.push(`user/${u.UserName}`);
      for (const g of page.GroupDetailList) seen.push(`group/${g.GroupName}`);
      for (const r of page.RoleDetailList) seen.push(`role/${r.RoleName}`);
      for (const p of page.Policies) seen.push(`policy/${p.PolicyName}`);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['user/alice', 'user/nobody', 'group/devs', 'role/app', 'policy/Local', 'policy/ReadOnlyAccess']);
  });

  it('is authorized on *', async () => {
    const e = await awsErrorOf(async () => accountOperations.GetAccountAuthorizationDetails(await f.user('nobody'), {}));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /iam:GetAccountAuthorizationDetails on resource: \* because no identity-based policy allows/);
  });
});
