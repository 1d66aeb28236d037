import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { iamOperations as iam } from './index.js';
import { grantsNamespace } from './last-accessed.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

const doc = (statements: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (Action: string | string[]) => doc([{ Effect: 'Allow', Action, Resource: '*' }]);

type Entry = { ServiceNamespace: string; Policies: Record<string, string>[] };
type Answer = { PoliciesGrantingServiceAccess: Entry[]; IsTruncated: boolean; Marker?: string };

describe('ListPoliciesGrantingServiceAccess', () => {
  let f: CredentialFixture;
  let A: string;
  let shared: string;
  const list = async (Arn: string, ServiceNamespaces: string[], extra: Record<string, unknown> = {}) =>
    await iam.ListPoliciesGrantingServiceAccess(f.root(), { Arn, ServiceNamespaces, ...extra }) as Answer;
  const byNs = (a: Answer) => Object.fromEntries(a.PoliciesGrantingServiceAccess.map((e) => [e.ServiceNamespace, e.Policies]));

  before(async () => {
    f = await openCredentialFixture();
    A = f.accountId;
    const root = f.root();
    await iam.CreateUser(root, { UserName: 'dana' });
    await iam.PutUserPolicy(root, { UserName: 'dana', PolicyName: 'own-s3', PolicyDocument: allow('s3:GetObject') });
    // Deny statements grant nothing; NotAction grants what it leaves.
    await iam.PutUserPolicy(root, { UserName: 'dana', PolicyName: 'deny-iam', PolicyDocument: doc([{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }]) });
    await iam.PutUserPolicy(root, { UserName: 'dana', PolicyName: 'not-iam', PolicyDocument: doc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]) });
    const p = await iam.CreatePolicy(root, { PolicyName: 'shared', Path: '/team/', PolicyDocument: allow(['iam:Get*', 'sts:GetCallerIdentity']) }) as { Policy: { Arn: string } };
    shared = p.Policy.Arn;
    await iam.AttachUserPolicy(root, { UserName: 'dana', PolicyArn: shared });
    await iam.AttachUserPolicy(root, { UserName: 'dana', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await iam.CreateGroup(root, { GroupName: 'ops' });
    await iam.PutGroupPolicy(root, { GroupName: 'ops', PolicyName: 'ops-iam', PolicyDocument: allow('iam:List*') });
    await iam.AttachGroupPolicy(root, { GroupName: 'ops', PolicyArn: shared });
    await iam.AddUserToGroup(root, { GroupName: 'ops', UserName: 'dana' });
    await iam.CreateRole(root, { RoleName: 'worker', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }]) });
    await iam.PutRolePolicy(root, { RoleName: 'worker', PolicyName: 'glacier', PolicyDocument: allow('glacier:*') });
    // A permissions boundary is not a permissions policy.
    await iam.PutRolePermissionsBoundary(root, { RoleName: 'worker', PermissionsBoundary: shared });
    await f.addUser('viewer', ['iam:ListPoliciesGrantingServiceAccess'], `arn:aws:iam::${A}:role/*`);
  });
  after(async () => { await f.close(); });

  it("a user: its own inline and managed policies and its groups', per namespace, managed ones once", async () => {
    const got = byNs(await list(`arn:aws:iam::${A}:user/dana`, ['iam', 's3', 'glacier']));
    assert.deepEqual(got.iam, [
      { PolicyName: 'shared', PolicyType: 'MANAGED', PolicyArn: shared },
      { PolicyName: 'ReadOnlyAccess', PolicyType: 'MANAGED', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      { PolicyName: 'ops-iam', PolicyType: 'INLINE', EntityType: 'GROUP', EntityName: 'ops' },
    ]);
    assert.deepEqual(got.s3, [
      { PolicyName: 'not-iam', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'dana' },
      { PolicyName: 'own-s3', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'dana' },
      { PolicyName: 'ReadOnlyAccess', PolicyType: 'MANAGED', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ]);
    // A service Warden does not serve still matches wildcards and NotAction.
    assert.deepEqual(got.glacier.map((p) => p.PolicyName), ['not-iam', 'ReadOnlyAccess']);
  });

  it('a group: only its own policies; a role: its own, not its permissions boundary', async () => {
    const g = byNs(await list(`arn:aws:iam::${A}:group/ops`, ['iam', 's3']));
    assert.deepEqual(g.iam.map((p) => p.PolicyName), ['ops-iam', 'shared']);
    assert.deepEqual(g.s3, []);
    const r = byNs(await list(`arn:aws:iam::${A}:role/worker`, ['glacier', 'iam']));
    assert.deepEqual(r.glacier, [{ PolicyName: 'glacier', PolicyType: 'INLINE', EntityType: 'ROLE', EntityName: 'worker' }]);
    assert.deepEqual(r.iam, []);
  });

  it('pages by namespace with Marker (100 a page)', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `svc${i}`);
    const p1 = await list(`arn:aws:iam::${A}:role/worker`, many);
    assert.equal(p1.PoliciesGrantingServiceAccess.length, 100);
    assert.equal(p1.IsTruncated, true);
    const p2 = await list(`arn:aws:iam::${A}:role/worker`, many, { Marker: p1.Marker });
    assert.equal(p2.IsTruncated, false);
    assert.deepEqual([...p1.PoliciesGrantingServiceAccess, ...p2.PoliciesGrantingServiceAccess].map((e) => e.ServiceNamespace), many);
    assert.equal((await awsErrorOf(() => list(`arn:aws:iam::${A}:role/worker`, many, { Marker: 'not a marker!' }))).code, 'InvalidInput');
  });

  it("errors: unknown entity, a policy's or another account's ARN, no permission", async () => {
    const missing = await awsErrorOf(() => list(`arn:aws:iam::${A}:user/ghost`, ['iam']));
    assert.equal(missing.code, 'NoSuchEntity');
    assert.equal(missing.status, 404);
    assert.equal((await awsErrorOf(() => list(shared, ['iam']))).code, 'InvalidInput');
    assert.equal((await awsErrorOf(() => list('arn:aws:iam::111122223333:user/dana', ['iam']))).code, 'InvalidInput');
    const viewer = await f.user('viewer');
    const ok = await iam.ListPoliciesGrantingServiceAccess(viewer, { Arn: `arn:aws:iam::${A}:role/worker`, ServiceNamespaces: ['glacier'] }) as Answer;
    assert.equal(ok.PoliciesGrantingServiceAccess[0].Policies.length, 1);
    const denied = await awsErrorOf(() => iam.ListPoliciesGrantingServiceAccess(viewer, { Arn: `arn:aws:iam::${A}:user/dana`, ServiceNamespaces: ['iam'] }));
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, /iam:ListPoliciesGrantingServiceAccess on resource: arn:aws:iam::\d{12}:user\/dana/);
  });

  it('grantsNamespace: action globs, NotAction, case', () => {
    assert.ok(grantsNamespace({ actions: ['s*:Get*'], notActions: [] }, 'sqs'));
    assert.ok(grantsNamespace({ actions: ['S3:GetObject'], notActions: [] }, 's3'));
    assert.ok(!grantsNamespace({ actions: ['s3:GetObject'], notActions: [] }, 's3control'));
    assert.ok(!grantsNamespace({ actions: [], notActions: [['*']] }, 'iam'));
    assert.ok(grantsNamespace({ actions: [], notActions: [['iam:Delete*']] }, 'iam'));
  });
});
