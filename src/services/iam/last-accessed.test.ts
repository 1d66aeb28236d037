import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { iamOperations as iam } from './index.js';
import { allowedNamespaces, recordRoleUse, resetRoleUseDebounce } from './last-accessed.js';
import { KIND, type RoleDoc } from './entities.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';
import type { Caller } from '../types.js';
import type { AuditCall } from '../audit/record.js';

const doc = (Action: string | string[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*', ...extra }] });

type Services = { ServicesLastAccessed: Record<string, unknown>[]; JobStatus: string; JobType: string; IsTruncated: boolean; Marker?: string };

describe('Access Advisor (service last accessed)', () => {
  let f: CredentialFixture;
  let A: string;
  const t1 = new Date('2030-01-01T10:00:00Z');
  const t2 = new Date('2030-01-02T10:00:00Z');
  const t3 = new Date('2030-01-03T10:00:00Z');
  const userArn = (n: string) => `arn:aws:iam::${A}:user/${n}`;

  async function record(caller: Caller, service: string, operation: string, time: Date, region = 'us-east-1', errorCode?: string): Promise<void> {
    const call: AuditCall = { requestId: `r-${Math.random()}`, time, service, operation, region, sourceIp: '192.0.2.1', caller, accessKeyId: caller.accessKeyId, status: errorCode ? 403 : 200, errorCode };
    await f.runtime.audit.record(call);
  }
  const userCaller = (name: string): Caller => ({ principal: { kind: 'user', accountId: A, arn: userArn(name) }, accountId: A, accessKeyId: 'AKIAEXAMPLEEXAMPLE12', userId: `AIDA${name}`, userName: name });
  let roleCaller: Caller;

  before(async () => {
    f = await openCredentialFixture();
    A = f.accountId;
    const root = f.root();
    await f.addUser('alice', ['iam:Get*', 's3:GetObject']);
    await f.addUser('bob', ['sts:GetCallerIdentity']);
    await f.addUser('carol');
    await iam.CreateGroup(root, { GroupName: 'devs' });
    await iam.PutGroupPolicy(root, { GroupName: 'devs', PolicyName: 'p', PolicyDocument: doc('organizations:Describe*') });
    await iam.AddUserToGroup(root, { GroupName: 'devs', UserName: 'alice' });
    await iam.AddUserToGroup(root, { GroupName: 'devs', UserName: 'bob' });
    await iam.CreateRole(root, { RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }] }) });
    await iam.PutRolePolicy(root, { RoleName: 'app', PolicyName: 'p', PolicyDocument: doc(['iam:ListUsers', 'iam:ListRoles']) });
    const pol = await iam.CreatePolicy(root, { PolicyName: 'shared', PolicyDocument: doc('iam:ListUsers') }) as { Policy: { Arn: string } };
    await iam.AttachRolePolicy(root, { RoleName: 'app', PolicyArn: pol.Policy.Arn });
    await iam.AttachUserPolicy(root, { UserName: 'carol', PolicyArn: pol.Policy.Arn });
    const role = await f.store.read((tx) => tx.get<RoleDoc>(KIND.role, A, 'app'));
    roleCaller = {
      principal: { kind: 'assumedRole', accountId: A, arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: role!.data.Arn },
      accountId: A, accessKeyId: 'ASIAEXAMPLEEXAMPLE12', userId: `${role!.data.RoleId}:s1`, roleName: 'app',
      session: { type: 'assumed-role', issuedAt: t1.toISOString(), expiresAt: t3.toISOString() },
    };
    await record(userCaller('alice'), 'iam', 'GetUser', t1);
    await record(userCaller('alice'), 'iam', 'GetRole', t2, 'eu-west-1');
    await record(userCaller('bob'), 'sts', 'GetCallerIdentity', t1);
    await record(userCaller('bob'), 'organizations', 'DescribeOrganization', t3, 'us-east-1', 'AccessDenied');
    await record(userCaller('alice'), 'organizations', 'DescribeOrganization', t2);
    await record(roleCaller, 'iam', 'ListUsers', t3, 'us-west-2');
    await record(userCaller('carol'), 'iam', 'ListUsers', t2);
  });
  after(async () => { await f.close(); });

  async function job(arn: string, granularity?: string): Promise<{ id: string; out: Services }> {
    const { JobId } = await iam.GenerateServiceLastAccessedDetails(f.root(), granularity ? { Arn: arn, Granularity: granularity } : { Arn: arn }) as { JobId: string };
    assert.match(JobId, /^[0-9a-f-]{36}$/);
    return { id: JobId, out: await iam.GetServiceLastAccessedDetails(f.root(), { JobId }) as Services };
  }

  it("a user's services come from its own and its groups' policies, last access from the trail", async () => {
    const { out } = await job(userArn('alice'));
    assert.equal(out.JobStatus, 'COMPLETED');
    assert.equal(out.JobType, 'SERVICE_LEVEL');
    assert.deepEqual(out.ServicesLastAccessed, [
      { ServiceName: 'AWS Identity and Access Management', ServiceNamespace: 'iam', LastAuthenticated: '2030-01-02T10:00:00Z', LastAuthenticatedEntity: userArn('alice'), LastAuthenticatedRegion: 'eu-west-1', TotalAuthenticatedEntities: 1 },
      { ServiceName: 'AWS Organizations', ServiceNamespace: 'organizations', LastAuthenticated: '2030-01-02T10:00:00Z', LastAuthenticatedEntity: userArn('alice'), LastAuthenticatedRegion: 'us-east-1', TotalAuthenticatedEntities: 1 },
      { ServiceName: 'Amazon S3', ServiceNamespace: 's3' },
    ]);
  });

  it('a group: its members, the newest access (denied attempts count) and how many members used it; with entities', async () => {
    const { id, out } = await job(`arn:aws:iam::${A}:group/devs`);
    assert.deepEqual(out.ServicesLastAccessed, [
      { ServiceName: 'AWS Organizations', ServiceNamespace: 'organizations', LastAuthenticated: '2030-01-03T10:00:00Z', LastAuthenticatedEntity: userArn('bob'), LastAuthenticatedRegion: 'us-east-1', TotalAuthenticatedEntities: 2 },
    ]);
    const ent = await iam.GetServiceLastAccessedDetailsWithEntities(f.root(), { JobId: id, ServiceNamespace: 'organizations' }) as { EntityDetailsList: { EntityInfo: Record<string, string>; LastAuthenticated?: string }[] };
    assert.deepEqual(ent.EntityDetailsList.map((e) => [e.EntityInfo.Name, e.EntityInfo.Type, e.LastAuthenticated]), [['alice', 'USER', '2030-01-02T10:00:00Z'], ['bob', 'USER', '2030-01-03T10:00:00Z']]);
  });

  it('a role: its sessions count; ACTION_LEVEL lists the allowed IAM actions with their last use', async () => {
    const { out } = await job(`arn:aws:iam::${A}:role/app`, 'ACTION_LEVEL');
    assert.equal(out.JobType, 'ACTION_LEVEL');
    const s = out.ServicesLastAccessed[0] as { ServiceNamespace: string; LastAuthenticatedEntity: string; TrackedActionsLastAccessed: Record<string, string>[] };
    assert.equal(s.ServiceNamespace, 'iam');
    assert.equal(s.LastAuthenticatedEntity, `arn:aws:iam::${A}:role/app`);
    assert.deepEqual(s.TrackedActionsLastAccessed, [
      { ActionName: 'ListRoles' },
      { ActionName: 'ListUsers', LastAccessedEntity: `arn:aws:iam::${A}:role/app`, LastAccessedTime: '2030-01-03T10:00:00Z', LastAccessedRegion: 'us-west-2' },
    ]);
  });

  it('a managed policy: every principal it is attached to', async () => {
    const { id, out } = await job(`arn:aws:iam::${A}:policy/shared`);
    assert.deepEqual(out.ServicesLastAccessed.map((s) => [s.ServiceNamespace, s.LastAuthenticatedEntity, s.TotalAuthenticatedEntities]), [['iam', `arn:aws:iam::${A}:role/app`, 2]]);
    const ent = await iam.GetServiceLastAccessedDetailsWithEntities(f.root(), { JobId: id, ServiceNamespace: 'iam' }) as { EntityDetailsList: { EntityInfo: Record<string, string> }[] };
    assert.deepEqual(ent.EntityDetailsList.map((e) => e.EntityInfo.Type).sort(), ['ROLE', 'USER']);
  });

  it('pages ServicesLastAccessed with Marker/MaxItems', async () => {
    const { id } = await job(userArn('alice'));
    const p1 = await iam.GetServiceLastAccessedDetails(f.root(), { JobId: id, MaxItems: 2 }) as Services;
    assert.equal(p1.IsTruncated, true);
    const p2 = await iam.GetServiceLastAccessedDetails(f.root(), { JobId: id, MaxItems: 2, Marker: p1.Marker }) as Services;
    assert.deepEqual([...p1.ServicesLastAccessed, ...p2.ServicesLastAccessed].map((s) => s.ServiceNamespace), ['iam', 'organizations', 's3']);
    assert.equal(p2.IsTruncated, false);
  });

  it('errors: unknown entity, malformed ARN, unknown job, no permission', async () => {
    assert.equal((await awsErrorOf(() => iam.GenerateServiceLastAccessedDetails(f.root(), { Arn: userArn('ghost') }))).code, 'NoSuchEntity');
    assert.equal((await awsErrorOf(() => iam.GenerateServiceLastAccessedDetails(f.root(), { Arn: `arn:aws:s3:::bucket/key-name` }))).code, 'InvalidInput');
    assert.equal((await awsErrorOf(() => iam.GetServiceLastAccessedDetails(f.root(), { JobId: '00000000-0000-0000-0000-000000000000' }))).code, 'NoSuchEntity');
    const e = await awsErrorOf(async () => iam.GenerateServiceLastAccessedDetails(await f.user('carol'), { Arn: userArn('alice') }));
    assert.equal(e.code, 'AccessDenied');
  });

  it('allowedNamespaces: wildcards and NotAction', () => {
    assert.deepEqual([...allowedNamespaces({ actions: ['iam:Get*', 'S3:*'], notActions: [] })].sort(), ['iam', 's3']);
    assert.ok(allowedNamespaces({ actions: ['*'], notActions: [] }).has('sts'));
    const not = allowedNamespaces({ actions: [], notActions: [['iam:*']] });
    assert.ok(!not.has('iam') && not.has('s3'));
  });

  it('recordRoleUse writes RoleLastUsed, debounced', async () => {
    resetRoleUseDebounce();
    assert.equal(await recordRoleUse(f.store, A, 'app', 'eu-west-2', t1), true);
    assert.equal(await recordRoleUse(f.store, A, 'app', 'eu-west-2', new Date(t1.getTime() + 1000)), false);
    assert.equal(await recordRoleUse(f.store, A, 'ghost', 'eu-west-2', t1), false);
    const got = await iam.GetRole(f.root(), { RoleName: 'app' }) as { Role: { RoleLastUsed: Record<string, string> } };
    assert.deepEqual(got.Role.RoleLastUsed, { LastUsedDate: '2030-01-01T10:00:00Z', Region: 'eu-west-2' });
  });
});
