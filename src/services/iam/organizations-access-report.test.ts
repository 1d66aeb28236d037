import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { iamOperations as iam } from './index.js';
import { SERVICE_NAMES } from './last-accessed.js';
import { sortRows } from './organizations-access-report.js';
import { awsErrorOf, openOrgFixture, policyText, type OrgFixture } from '../organizations/org-fixture.js';
import type { CallContext, Caller } from '../types.js';
import type { AuditCall } from '../audit/record.js';

type Obj = Record<string, any>;
type Report = {
  JobStatus: string; JobCreationDate: string; JobCompletionDate: string; NumberOfServicesAccessible: number; NumberOfServicesNotAccessed: number;
  AccessDetails: Obj[]; IsTruncated: boolean; Marker?: string; ErrorDetails?: { Code: string; Message: string };
};

const ALL = Object.keys(SERVICE_NAMES).sort();

describe('Organizations access report (GenerateOrganizationsAccessReport, GetOrganizationsAccessReport)', () => {
  let f: OrgFixture;
  let M: string;
  let orgId: string;
  let rootId: string;
  let ouW: string;
  let ouT: string;
  let dev: string;
  let prod: string;
  let other: string;
  let iamSts: string;
  let noS3: string;
  const t1 = new Date('2030-01-01T10:00:00Z');
  const t2 = new Date('2030-01-02T10:00:00Z');
  const t3 = new Date('2030-01-03T10:00:00Z');
  const t4 = new Date('2030-01-04T10:00:00Z');
  const path = (...ids: string[]) => [orgId, rootId, ...ids].join('/');

  async function createAccount(name: string): Promise<string> {
    const s = (await f.org('CreateAccount', f.root(), { Email: `${name}@example.com`, AccountName: name })).CreateAccountStatus as Obj;
    return ((await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj).AccountId;
  }
  async function createScp(name: string, statements: Parameters<typeof policyText>[0]): Promise<string> {
    const p = await f.org('CreatePolicy', f.root(), { Name: name, Description: name, Type: 'SERVICE_CONTROL_POLICY', Content: policyText(statements) });
    return (p.Policy as Obj).PolicySummary.Id;
  }
  async function use(account: string, service: string, operation: string, time: Date, region = 'us-east-1'): Promise<void> {
    const caller: Caller = { principal: { kind: 'user', accountId: account, arn: `arn:aws:iam::${account}:user/u` }, accountId: account, accessKeyId: 'AKIAEXAMPLEEXAMPLE12', userId: 'AIDAU', userName: 'u' };
    const call: AuditCall = { requestId: `r-${Math.random()}`, time, service, operation, region, sourceIp: '192.0.2.1', caller, accessKeyId: caller.accessKeyId, status: 200 };
    await f.runtime.audit.record(call);
  }
  async function report(input: Obj, ctx: CallContext = f.root(), get: Obj = {}): Promise<Report> {
    const { JobId } = await iam.GenerateOrganizationsAccessReport(ctx, input) as { JobId: string };
    assert.match(JobId, /^[0-9a-f-]{36}$/);
    return await iam.GetOrganizationsAccessReport(ctx, { JobId, ...get }) as Report;
  }
  const detail = (r: Report, ns: string) => r.AccessDetails.find((d) => d.ServiceNamespace === ns);

  before(async () => {
    f = await openOrgFixture();
    M = f.mgmt;
    orgId = ((await f.org('CreateOrganization', f.root())).Organization as Obj).Id;
    rootId = ((await f.org('ListRoots', f.root())).Roots as Obj[])[0].Id;
    await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
    ouW = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Workloads' })).OrganizationalUnit as Obj).Id;
    ouT = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: ouW, Name: 'Team' })).OrganizationalUnit as Obj).Id;
    dev = await createAccount('dev');
    prod = await createAccount('prod');
    other = await createAccount('other');
    await f.org('MoveAccount', f.root(), { AccountId: dev, SourceParentId: rootId, DestinationParentId: ouT });
    await f.org('MoveAccount', f.root(), { AccountId: prod, SourceParentId: rootId, DestinationParentId: ouW });
    // Workloads: no S3 at all. dev: only IAM and STS.
    noS3 = await createScp('NoS3', [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]);
    await f.org('AttachPolicy', f.root(), { PolicyId: noS3, TargetId: ouW });
    iamSts = await createScp('IamSts', [{ Effect: 'Allow', Action: ['iam:*', 'sts:Get*'], Resource: '*' }]);
    await f.org('AttachPolicy', f.root(), { PolicyId: iamSts, TargetId: dev });
    await f.org('DetachPolicy', f.root(), { PolicyId: 'p-FullAWSAccess', TargetId: dev });

    await use(dev, 'iam', 'ListUsers', t2, 'us-west-2');
    await use(dev, 's3', 'GetObject', t1);
    await use(prod, 'iam', 'GetUser', t3, 'eu-west-1');
    await use(other, 'sts', 'GetCallerIdentity', t1);
    await use(M, 'iam', 'ListRoles', t4);
    // An unauthenticated call is not reported.
    await f.runtime.audit.record({ requestId: 'r-anon', time: t4, service: 'lambda', operation: 'ListFunctions', region: 'us-east-1', sourceIp: '192.0.2.1', account: dev, status: 403, errorCode: 'InvalidClientTokenId' });
  });
  after(async () => { await f.close(); });

  it('the root: every service the root SCPs allow, the newest use in the member accounts (not the management account)', async () => {
    const r = await report({ EntityPath: path() });
    assert.equal(r.JobStatus, 'COMPLETED');
    assert.equal(r.NumberOfServicesAccessible, ALL.length);
    assert.equal(r.NumberOfServicesNotAccessed, ALL.length - 3);
    assert.deepEqual(r.AccessDetails.map((d) => d.ServiceNamespace), ALL);
    assert.deepEqual(detail(r, 'iam'), {
      ServiceName: 'AWS Identity and Access Management', ServiceNamespace: 'iam', LastAuthenticatedTime: '2030-01-03T10:00:00Z', Region: 'eu-west-1',
      EntityPath: path(ouW, prod), TotalAuthenticatedEntities: 2,
    });
    assert.deepEqual(detail(r, 's3'), {
      ServiceName: 'Amazon S3', ServiceNamespace: 's3', LastAuthenticatedTime: '2030-01-01T10:00:00Z', Region: 'us-east-1', EntityPath: path(ouW, ouT, dev), TotalAuthenticatedEntities: 1,
    });
    assert.equal(detail(r, 'sts')!.EntityPath, path(other));
    assert.deepEqual(detail(r, 'lambda'), { ServiceName: 'AWS Lambda', ServiceNamespace: 'lambda' });
  });

  it("an OU: the services allowed at every level down to it (a whole-service Deny removes it), its subtree's accounts", async () => {
    const r = await report({ EntityPath: path(ouW) });
    const ns = r.AccessDetails.map((d) => d.ServiceNamespace);
    assert.deepEqual(ns, ALL.filter((n) => n !== 's3'));
    assert.equal(detail(r, 'iam')!.TotalAuthenticatedEntities, 2);
    assert.equal(detail(r, 'sts')!.LastAuthenticatedTime, undefined);
  });

  it('an account: the SCPs of its chain and itself; only its own use', async () => {
    const r = await report({ EntityPath: path(ouW, ouT, dev) });
    assert.deepEqual(r.AccessDetails, [
      { ServiceName: 'AWS Identity and Access Management', ServiceNamespace: 'iam', LastAuthenticatedTime: '2030-01-02T10:00:00Z', Region: 'us-west-2', EntityPath: path(ouW, ouT, dev), TotalAuthenticatedEntities: 1 },
      { ServiceName: 'AWS Security Token Service', ServiceNamespace: 'sts' },
    ]);
    assert.deepEqual([r.NumberOfServicesAccessible, r.NumberOfServicesNotAccessed], [2, 1]);
  });

  it('the management account: every service, its own use; a policy id is ignored', async () => {
    for (const input of [{ EntityPath: path(M) }, { EntityPath: path(M), OrganizationsPolicyId: noS3 }]) {
      const r = await report(input);
      assert.equal(r.NumberOfServicesAccessible, ALL.length);
      assert.deepEqual(detail(r, 'iam'), {
        ServiceName: 'AWS Identity and Access Management', ServiceNamespace: 'iam', LastAuthenticatedTime: '2030-01-04T10:00:00Z', Region: 'us-east-1', EntityPath: path(M), TotalAuthenticatedEntities: 1,
      });
    }
  });

  it('with a policy id: the services that SCP allows, the use of the accounts it applies to', async () => {
    const r = await report({ EntityPath: path(), OrganizationsPolicyId: iamSts });
    assert.deepEqual(r.AccessDetails.map((d) => [d.ServiceNamespace, d.EntityPath, d.TotalAuthenticatedEntities]), [['iam', path(ouW, ouT, dev), 1], ['sts', undefined, undefined]]);
    // Attached nowhere below the entity: the services without data.
    const none = await report({ EntityPath: path(other), OrganizationsPolicyId: iamSts });
    assert.deepEqual(none.AccessDetails.map((d) => [d.ServiceNamespace, d.LastAuthenticatedTime]), [['iam', undefined], ['sts', undefined]]);
    // FullAWSAccess (attached to the root) applies to every member account.
    const full = await report({ EntityPath: path(ouW), OrganizationsPolicyId: 'p-FullAWSAccess' });
    assert.equal(full.NumberOfServicesAccessible, ALL.length);
    assert.equal(detail(full, 's3')!.EntityPath, path(ouW, ouT, dev));
  });

  it('sorts by SortKey and pages with MaxItems/Marker', async () => {
    const { JobId } = await iam.GenerateOrganizationsAccessReport(f.root(), { EntityPath: path() }) as { JobId: string };
    const get = async (input: Obj) => await iam.GetOrganizationsAccessReport(f.root(), { JobId, ...input }) as Report;
    const desc = await get({ SortKey: 'LAST_AUTHENTICATED_TIME_DESCENDING' });
    assert.deepEqual(desc.AccessDetails.slice(0, 4).map((d) => d.ServiceNamespace), ['iam', 's3', 'sts', ALL.find((n) => !['iam', 's3', 'sts'].includes(n))]);
    const asc = await get({ SortKey: 'LAST_AUTHENTICATED_TIME_ASCENDING' });
    assert.deepEqual(asc.AccessDetails.slice(-3).map((d) => d.ServiceNamespace), ['s3', 'sts', 'iam']);
    const nsDesc = await get({ SortKey: 'SERVICE_NAMESPACE_DESCENDING' });
    assert.deepEqual(nsDesc.AccessDetails.map((d) => d.ServiceNamespace), ALL.slice().reverse());
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const p = await get({ SortKey: 'LAST_AUTHENTICATED_TIME_DESCENDING', MaxItems: 5, ...(marker ? { Marker: marker } : {}) });
      seen.push(...p.AccessDetails.map((d) => d.ServiceNamespace));
      assert.equal(p.NumberOfServicesAccessible, ALL.length);
      if (!p.IsTruncated) break;
      marker = p.Marker;
    }
    assert.deepEqual(seen, desc.AccessDetails.map((d) => d.ServiceNamespace));
  });

  it('fails the job with the Organizations error: unknown path, not an SCP, a member account, no organization', async () => {
    const failed = async (input: Obj, ctx?: CallContext) => {
      const r = await report(input, ctx);
      assert.equal(r.JobStatus, 'FAILED');
      assert.equal(r.AccessDetails, undefined);
      assert.ok(r.JobCompletionDate);
      return r.ErrorDetails!.Code;
    };
    assert.equal(await failed({ EntityPath: path(ouT) }), 'TargetNotFoundException'); // ouT is not directly under the root
    assert.equal(await failed({ EntityPath: path(ouW, prod, dev) }), 'TargetNotFoundException');
    assert.equal(await failed({ EntityPath: `o-aaaaaaaaaa/${rootId}` }), 'TargetNotFoundException');
    assert.equal(await failed({ EntityPath: path(), OrganizationsPolicyId: 'p-12345678' }), 'PolicyNotFoundException');
    assert.equal(await failed({ EntityPath: path() }, f.root(dev)), 'AccessDeniedException');
    await f.addAccount('444455556666');
    assert.equal(await failed({ EntityPath: path() }, f.root('444455556666')), 'AWSOrganizationsNotInUseException');
  });

  it('errors: unknown job, a second generation while one runs, permissions and iam:OrganizationsPolicyId', async () => {
    const missing = await awsErrorOf(() => iam.GetOrganizationsAccessReport(f.root(), { JobId: '00000000-0000-0000-0000-000000000000' }));
    assert.deepEqual([missing.code, missing.status], ['NoSuchEntity', 404]);
    const running = iam.GenerateOrganizationsAccessReport(f.root(), { EntityPath: path() });
    const limited = await awsErrorOf(() => iam.GenerateOrganizationsAccessReport(f.root(), { EntityPath: path() }));
    assert.deepEqual([limited.code, limited.status], ['ReportGenerationLimitExceeded', 409]);
    await running;
    await iam.GenerateOrganizationsAccessReport(f.root(), { EntityPath: path() });

    // AWS's example policy: reports only for one SCP.
    await f.addUser('auditor', [
      { Effect: 'Allow', Action: 'iam:GetOrganizationsAccessReport', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:GenerateOrganizationsAccessReport', Resource: '*', Condition: { StringEquals: { 'iam:OrganizationsPolicyId': iamSts } } },
    ]);
    const auditor = await f.user('auditor');
    const r = await report({ EntityPath: path(), OrganizationsPolicyId: iamSts }, auditor);
    assert.equal(r.JobStatus, 'COMPLETED');
    const denied = await awsErrorOf(() => iam.GenerateOrganizationsAccessReport(auditor, { EntityPath: path() }));
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, new RegExp(`iam:GenerateOrganizationsAccessReport on resource: arn:aws:iam::${M}:access-report/${path()}`));
    await f.addUser('nobody', []);
    assert.equal((await awsErrorOf(async () => iam.GetOrganizationsAccessReport(await f.user('nobody'), { JobId: '00000000-0000-0000-0000-000000000000' }))).code, 'AccessDenied');
  });

  it('SCPs disabled: the job fails with PolicyTypeNotEnabledException', async () => {
    await f.org('DisablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
    const r = await report({ EntityPath: path() });
    assert.deepEqual([r.JobStatus, r.ErrorDetails?.Code], ['FAILED', 'PolicyTypeNotEnabledException']);
  });

  it('sortRows: never-accessed services count as the oldest', () => {
    const rows = [{ ServiceNamespace: 'b' }, { ServiceNamespace: 'a', LastAuthenticatedTime: '2030-01-01T00:00:00Z' }, { ServiceNamespace: 'c' }];
    assert.deepEqual(sortRows(rows, 'LAST_AUTHENTICATED_TIME_ASCENDING').map((r) => r.ServiceNamespace), ['b', 'c', 'a']);
    assert.deepEqual(sortRows(rows, 'LAST_AUTHENTICATED_TIME_DESCENDING').map((r) => r.ServiceNamespace), ['a', 'b', 'c']);
  });
});
