import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { iamOperations as iam } from '../iam/index.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from '../iam/credentials-fixture.js';
import { openOrgFixture, type OrgFixture } from '../organizations/org-fixture.js';
import type { AuditCall } from '../audit/record.js';
import type { CallContext, Caller } from '../types.js';
import { KIND, type RoleDoc } from '../iam/entities.js';
import { analyzerAdminOperations as aa } from './admin-operations.js';
import { analyzeTrustPolicy } from './external-access.js';
import { matchesFilter } from './archive-rules.js';
import { buildPolicy } from './policy-generation.js';

type Obj = Record<string, any>;
const OTHER = '111122223333';
const trust = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allowAccount = (principal: unknown, extra: Obj = {}) => ({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });

describe('external-access analysis of a trust policy (engine-confirmed)', () => {
  const zone = new Set(['123456789012']);
  const analyze = (...st: unknown[]) => analyzeTrustPolicy({ arn: 'arn:aws:iam::123456789012:role/r', account: '123456789012', document: trust(...st) }, zone);
  const cases: Array<{ name: string; statements: unknown[]; expect: Array<Pick<Obj, 'principal' | 'condition' | 'isPublic' | 'action'>> }> = [
    { name: 'another account, with its condition', statements: [allowAccount({ AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'x1' } } })],
      expect: [{ principal: { AWS: OTHER }, action: ['sts:AssumeRole'], condition: { 'sts:ExternalId': 'x1' }, isPublic: false }] },
    { name: 'own account root: no finding', statements: [allowAccount({ AWS: 'arn:aws:iam::123456789012:root' })], expect: [] },
    { name: 'own account id: no finding', statements: [allowAccount({ AWS: '123456789012' })], expect: [] },
    { name: 'Principal * is public', statements: [allowAccount('*')], expect: [{ principal: { AWS: '*' }, action: ['sts:AssumeRole'], condition: {}, isPublic: true }] },
    { name: '* confined to the own account by aws:PrincipalAccount: no finding',
      statements: [allowAccount('*', { Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } } })], expect: [] },
    { name: '* limited to an outside account is external, not public',
      statements: [allowAccount({ AWS: '*' }, { Condition: { StringEquals: { 'aws:PrincipalAccount': '444455556666' } } })],
      expect: [{ principal: { AWS: '*' }, action: ['sts:AssumeRole'], condition: { 'aws:PrincipalAccount': '444455556666' }, isPublic: false }] },
    { name: 'a role of another account, several actions', statements: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:role/x' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
      expect: [{ principal: { AWS: 'arn:aws:iam::444455556666:role/x' }, action: ['sts:AssumeRole', 'sts:TagSession'], condition: {}, isPublic: false }] },
    { name: 'an explicit Deny for that account: no finding', statements: [allowAccount({ AWS: OTHER }), { Effect: 'Deny', Principal: { AWS: OTHER }, Action: 'sts:AssumeRole' }], expect: [] },
    { name: 'web identity provider', statements: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:abc' } } }],
      expect: [{ principal: { Federated: 'cognito-identity.amazonaws.com' }, action: ['sts:AssumeRoleWithWebIdentity'], condition: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:abc' }, isPublic: false }] },
    { name: 'SAML provider', statements: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/idp' }, Action: 'sts:AssumeRoleWithSAML' }],
      expect: [{ principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/idp' }, action: ['sts:AssumeRoleWithSAML'], condition: {}, isPublic: false }] },
    { name: 'service principal: no finding', statements: [allowAccount({ Service: 'ec2.amazonaws.com' })], expect: [] },
    { name: 'statement granting no STS role action: no finding', statements: [{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sts:GetCallerIdentity' }], expect: [] },
  ];
  it('* limited to an organization: external for an account zone, inside for that organization zone', () => {
    const st = allowAccount('*', { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123defg' } } });
    const doc = { arn: 'arn:aws:iam::123456789012:role/r', account: '123456789012', document: trust(st) };
    assert.deepEqual(analyzeTrustPolicy(doc, zone).map((f) => [f.principal, f.condition, f.isPublic]), [[{ AWS: '*' }, { 'aws:PrincipalOrgID': 'o-abc123defg' }, false]]);
    assert.deepEqual(analyzeTrustPolicy(doc, zone, 'o-abc123defg'), []);
  });
  for (const c of cases) {
    it(c.name, () => {
      const got = analyze(...c.statements).map((f) => ({ principal: f.principal, action: f.action, condition: f.condition, isPublic: f.isPublic }));
      assert.deepEqual(got, c.expect);
    });
  }
});

describe('filters (archive rules, ListFindings)', () => {
  const fields = { status: 'ACTIVE', resourceType: 'AWS::IAM::Role', 'principal.AWS': OTHER, isPublic: 'false', action: ['sts:AssumeRole'] };
  const cases: Array<[string, Obj, boolean]> = [
    ['eq on status', { status: { eq: ['ACTIVE'] } }, true],
    ['eq on another status', { status: { eq: ['ARCHIVED'] } }, false],
    ['neq', { 'principal.AWS': { neq: [OTHER] } }, false],
    ['contains', { 'principal.AWS': { contains: ['1111'] } }, true],
    ['exists true', { 'condition.sts:ExternalId': { exists: true } }, false],
    ['exists false', { 'condition.sts:ExternalId': { exists: false } }, true],
    ['list attribute', { action: { eq: ['sts:AssumeRole'] } }, true],
    ['all criteria must hold', { status: { eq: ['ACTIVE'] }, isPublic: { eq: ['true'] } }, false],
  ];
  for (const [name, filter, want] of cases) it(name, () => assert.equal(matchesFilter(fields, filter), want));
});

describe('policy generation builds least privilege by service', () => {
  it('groups actions per service, resources or *', () => {
    const p = JSON.parse(buildPolicy(new Map([
      ['iam:GetUser', new Set(['*'])], ['iam:ListRoles', new Set(['*'])], ['sts:GetCallerIdentity', new Set(['*'])],
      ['iam:GetRole', new Set(['arn:aws:iam::123456789012:role/a'])],
    ])));
    assert.deepEqual(p, {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListRoles'], Resource: '*' },
        { Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::123456789012:role/a' },
        { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      ],
    });
  });
});

describe('Access Analyzer analyzers, findings, archive rules (account zone)', () => {
  let f: CredentialFixture;
  let A: string;
  let root: CallContext;
  let analyzerArn: string;

  before(async () => {
    f = await openCredentialFixture();
    A = f.accountId;
    root = f.root();
  });
  after(async () => { await f.close(); });

  it('CreateAnalyzer returns the ARN; duplicates conflict (case-insensitive); a second ACCOUNT analyzer exceeds the quota', async () => {
    const out = await aa.CreateAnalyzer(root, { analyzerName: 'main', type: 'ACCOUNT', tags: { team: 'sec' } }) as Obj;
    analyzerArn = out.arn;
    assert.equal(analyzerArn, `arn:aws:access-analyzer:us-east-1:${A}:analyzer/main`);
    const dup = await awsErrorOf(() => aa.CreateAnalyzer(root, { analyzerName: 'MAIN', type: 'ACCOUNT' }));
    assert.equal(dup.code, 'ConflictException');
    assert.equal(dup.status, 409);
    const quota = await awsErrorOf(() => aa.CreateAnalyzer(root, { analyzerName: 'second', type: 'ACCOUNT' }));
    assert.equal(quota.code, 'ServiceQuotaExceededException');
  });

  it('ORGANIZATION analyzers need an organization', async () => {
    const e = await awsErrorOf(() => aa.CreateAnalyzer(root, { analyzerName: 'org', type: 'ORGANIZATION' }));
    assert.equal(e.code, 'ValidationException');
    const list = await aa.ListAnalyzers(root, {}) as Obj;
    assert.deepEqual(list.analyzers.map((a: Obj) => a.name), ['main'], 'the failed create wrote nothing');
  });

  it('GetAnalyzer / ListAnalyzers (type filter, pagination) / tags', async () => {
    const got = (await aa.GetAnalyzer(root, { analyzerName: 'main' }) as Obj).analyzer;
    assert.equal(got.status, 'ACTIVE');
    assert.equal(got.type, 'ACCOUNT');
    assert.deepEqual(got.tags, { team: 'sec' });
    await aa.CreateAnalyzer(root, { analyzerName: 'unused', type: 'ACCOUNT_UNUSED_ACCESS', configuration: { unusedAccess: { unusedAccessAge: 30 } } });
    const p1 = await aa.ListAnalyzers(root, { maxResults: 1 }) as Obj;
    assert.equal(p1.analyzers.length, 1);
    const p2 = await aa.ListAnalyzers(root, { maxResults: 1, nextToken: p1.nextToken }) as Obj;
    assert.equal(p2.analyzers.length, 1);
    assert.equal(p2.nextToken, undefined);
    assert.deepEqual((await aa.ListAnalyzers(root, { type: 'ACCOUNT_UNUSED_ACCESS' }) as Obj).analyzers.map((a: Obj) => a.configuration), [{ unusedAccess: { unusedAccessAge: 30 } }]);
    await aa.TagResource(root, { resourceArn: analyzerArn, tags: { env: 'prod' } });
    await aa.UntagResource(root, { resourceArn: analyzerArn, tagKeys: ['team'] });
    assert.deepEqual((await aa.ListTagsForResource(root, { resourceArn: analyzerArn }) as Obj).tags, { env: 'prod' });
    assert.equal((await awsErrorOf(() => aa.GetAnalyzer(root, { analyzerName: 'nope' }))).code, 'ResourceNotFoundException');
    assert.equal((await awsErrorOf(() => aa.ListTagsForResource(root, { resourceArn: `arn:aws:access-analyzer:us-east-1:${A}:analyzer/nope` }))).code, 'ResourceNotFoundException');
    const upd = await aa.UpdateAnalyzer(root, { analyzerName: 'unused', configuration: { unusedAccess: { unusedAccessAge: 60 } } }) as Obj;
    assert.deepEqual(upd.configuration, { unusedAccess: { unusedAccessAge: 60 } });
    assert.equal((await awsErrorOf(() => aa.UpdateAnalyzer(root, { analyzerName: 'unused', configuration: { unusedAccess: { unusedAccessAge: 500 } } }))).code, 'ValidationException');
  });

  it('an IAM user without access-analyzer permissions gets AccessDeniedException; with them, it may list', async () => {
    await f.addUser('reader', ['access-analyzer:ListAnalyzers']);
    await f.addUser('nobody', ['iam:GetUser']);
    const nobody = await f.user('nobody');
    const e = await awsErrorOf(() => aa.ListAnalyzers(nobody, {}));
    assert.equal(e.code, 'AccessDeniedException');
    assert.match(e.message, /is not authorized to perform: access-analyzer:ListAnalyzers/);
    const reader = await f.user('reader');
    assert.equal(((await aa.ListAnalyzers(reader, {})) as Obj).analyzers.length, 2);
    assert.equal((await awsErrorOf(() => aa.CreateAnalyzer(reader, { analyzerName: 'x', type: 'ACCOUNT_UNUSED_ACCESS' }))).code, 'AccessDeniedException');
  });

  it('a role trusting another account is an ACTIVE finding naming it; trusting the own account resolves it', async () => {
    await iam.CreateRole(root, { RoleName: 'cross', AssumeRolePolicyDocument: trust(allowAccount({ AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } } })) });
    await iam.CreateRole(root, { RoleName: 'local', AssumeRolePolicyDocument: trust(allowAccount({ AWS: A })) });
    const list = await aa.ListFindings(root, { analyzerArn }) as Obj;
    assert.equal(list.findings.length, 1);
    const fd = list.findings[0];
    assert.equal(fd.status, 'ACTIVE');
    assert.deepEqual(fd.principal, { AWS: OTHER });
    assert.deepEqual(fd.action, ['sts:AssumeRole']);
    assert.deepEqual(fd.condition, { 'sts:ExternalId': 'ext-1' });
    assert.equal(fd.resource, `arn:aws:iam::${A}:role/cross`);
    assert.equal(fd.resourceType, 'AWS::IAM::Role');
    assert.equal(fd.resourceOwnerAccount, A);
    assert.equal(fd.isPublic, false);
    const one = (await aa.GetFinding(root, { analyzerArn, id: fd.id }) as Obj).finding;
    assert.deepEqual(one, fd);
    const v2 = await aa.GetFindingV2(root, { analyzerArn, id: fd.id }) as Obj;
    assert.equal(v2.findingType, 'ExternalAccess');
    assert.deepEqual(v2.findingDetails[0].externalAccessDetails.principal, { AWS: OTHER });
    assert.equal(((await aa.ListFindingsV2(root, { analyzerArn }) as Obj).findings[0]).findingType, 'ExternalAccess');

    await iam.UpdateAssumeRolePolicy(root, { RoleName: 'cross', PolicyDocument: trust(allowAccount({ AWS: A })) });
    const after = (await aa.ListFindings(root, { analyzerArn }) as Obj).findings;
    assert.equal(after.length, 1);
    assert.equal(after[0].id, fd.id);
    assert.equal(after[0].status, 'RESOLVED');
    assert.deepEqual((await aa.ListFindings(root, { analyzerArn, filter: { status: { eq: ['ACTIVE'] } } }) as Obj).findings, []);
  });

  it('UpdateFindings archives and reactivates by id and by resource; unknown ids are ResourceNotFound', async () => {
    await iam.CreateRole(root, { RoleName: 'public', AssumeRolePolicyDocument: trust(allowAccount('*')) });
    const active = (await aa.ListFindings(root, { analyzerArn, filter: { status: { eq: ['ACTIVE'] } } }) as Obj).findings;
    assert.equal(active.length, 1);
    assert.equal(active[0].isPublic, true);
    await aa.UpdateFindings(root, { analyzerArn, status: 'ARCHIVED', ids: [active[0].id] });
    assert.equal((await aa.GetFinding(root, { analyzerArn, id: active[0].id }) as Obj).finding.status, 'ARCHIVED');
    await aa.UpdateFindings(root, { analyzerArn, status: 'ACTIVE', resourceArn: `arn:aws:iam::${A}:role/public` });
    assert.equal((await aa.GetFinding(root, { analyzerArn, id: active[0].id }) as Obj).finding.status, 'ACTIVE');
    assert.equal((await awsErrorOf(() => aa.UpdateFindings(root, { analyzerArn, status: 'ARCHIVED', ids: ['nope'] }))).code, 'ResourceNotFoundException');
    assert.equal((await awsErrorOf(() => aa.UpdateFindings(root, { analyzerArn, status: 'ARCHIVED' }))).code, 'ValidationException');
  });

  it('archive rules: CRUD, ApplyArchiveRule archives matching findings, new matching findings start ARCHIVED', async () => {
    await aa.CreateArchiveRule(root, { analyzerName: 'main', ruleName: 'public', filter: { isPublic: { eq: ['true'] } } });
    assert.equal((await awsErrorOf(() => aa.CreateArchiveRule(root, { analyzerName: 'main', ruleName: 'public', filter: { isPublic: { eq: ['true'] } } }))).code, 'ConflictException');
    assert.equal((await awsErrorOf(() => aa.CreateArchiveRule(root, { analyzerName: 'nope', ruleName: 'r', filter: { isPublic: { eq: ['true'] } } }))).code, 'ResourceNotFoundException');
    const rule = (await aa.GetArchiveRule(root, { analyzerName: 'main', ruleName: 'public' }) as Obj).archiveRule;
    assert.deepEqual(rule.filter, { isPublic: { eq: ['true'] } });
    await aa.ApplyArchiveRule(root, { analyzerArn, ruleName: 'public' });
    const pub = (await aa.ListFindings(root, { analyzerArn, filter: { isPublic: { eq: ['true'] } } }) as Obj).findings;
    assert.deepEqual(pub.map((x: Obj) => x.status), ['ARCHIVED']);

    await aa.CreateArchiveRule(root, { analyzerName: 'main', ruleName: 'partner', filter: { 'principal.AWS': { eq: ['444455556666'] } } });
    await iam.CreateRole(root, { RoleName: 'partner', AssumeRolePolicyDocument: trust(allowAccount({ AWS: '444455556666' })) });
    const partner = (await aa.ListFindings(root, { analyzerArn, filter: { resource: { contains: ['role/partner'] } } }) as Obj).findings;
    assert.deepEqual(partner.map((x: Obj) => x.status), ['ARCHIVED']);

    await aa.UpdateArchiveRule(root, { analyzerName: 'main', ruleName: 'partner', filter: { 'principal.AWS': { eq: ['999988887777'] } } });
    const rules = (await aa.ListArchiveRules(root, { analyzerName: 'main' }) as Obj).archiveRules;
    assert.deepEqual(rules.map((r: Obj) => r.ruleName), ['partner', 'public']);
    await aa.DeleteArchiveRule(root, { analyzerName: 'main', ruleName: 'partner' });
    assert.equal((await awsErrorOf(() => aa.GetArchiveRule(root, { analyzerName: 'main', ruleName: 'partner' }))).code, 'ResourceNotFoundException');
  });

  it('ListFindings sorts and paginates', async () => {
    const all = (await aa.ListFindings(root, { analyzerArn, sort: { attributeName: 'resource', orderBy: 'DESC' } }) as Obj).findings;
    assert.deepEqual(all.map((x: Obj) => x.resource.split('/').pop()), ['public', 'partner', 'cross']);
    const p1 = await aa.ListFindings(root, { analyzerArn, maxResults: 2, sort: { attributeName: 'resource' } }) as Obj;
    const p2 = await aa.ListFindings(root, { analyzerArn, maxResults: 2, sort: { attributeName: 'resource' }, nextToken: p1.nextToken }) as Obj;
    assert.deepEqual([...p1.findings, ...p2.findings].map((x: Obj) => x.resource.split('/').pop()), ['cross', 'partner', 'public']);
    assert.equal(p2.nextToken, undefined);
    assert.equal((await awsErrorOf(() => aa.ListFindings(root, { analyzerArn: `arn:aws:access-analyzer:us-east-1:${A}:analyzer/nope` }))).code, 'ResourceNotFoundException');
  });

  it('ListAnalyzedResources / GetAnalyzedResource / StartResourceScan / GetFindingsStatistics', async () => {
    const res = (await aa.ListAnalyzedResources(root, { analyzerArn }) as Obj).analyzedResources as Obj[];
    assert.deepEqual(res.map((r) => r.resourceArn.split('/').pop()), ['cross', 'local', 'partner', 'public']);
    assert.ok(res.every((r) => r.resourceType === 'AWS::IAM::Role' && r.resourceOwnerAccount === A));
    assert.deepEqual((await aa.ListAnalyzedResources(root, { analyzerArn, resourceType: 'AWS::S3::Bucket' }) as Obj).analyzedResources, []);
    const pub = (await aa.GetAnalyzedResource(root, { analyzerArn, resourceArn: `arn:aws:iam::${A}:role/public` }) as Obj).resource;
    assert.equal(pub.isPublic, true);
    assert.equal(pub.status, 'ARCHIVED');
    assert.deepEqual(pub.actions, ['sts:AssumeRole']);
    const local = (await aa.GetAnalyzedResource(root, { analyzerArn, resourceArn: `arn:aws:iam::${A}:role/local` }) as Obj).resource;
    assert.equal(local.isPublic, false);
    assert.equal(local.status, undefined);
    assert.equal((await awsErrorOf(() => aa.GetAnalyzedResource(root, { analyzerArn, resourceArn: `arn:aws:iam::${A}:role/ghost` }))).code, 'ResourceNotFoundException');
    await aa.StartResourceScan(root, { analyzerArn, resourceArn: `arn:aws:iam::${A}:role/local` });
    const stats = (await aa.GetFindingsStatistics(root, { analyzerArn }) as Obj).findingsStatistics[0].externalAccessFindingsStatistics;
    assert.deepEqual({ a: stats.totalActiveFindings, ar: stats.totalArchivedFindings, r: stats.totalResolvedFindings }, { a: 0, ar: 2, r: 1 });
  });

  it('access previews: a proposed trust policy gives NEW, UNCHANGED and CHANGED (resolved) findings', async () => {
    const roleArn = `arn:aws:iam::${A}:role/partner`;
    const proposed = trust(allowAccount({ AWS: '444455556666' }), allowAccount({ AWS: '777788889999' }));
    const { id } = await aa.CreateAccessPreview(root, { analyzerArn, configurations: { [roleArn]: { iamRole: { trustPolicy: proposed } } } }) as Obj;
    const got = (await aa.GetAccessPreview(root, { analyzerArn, accessPreviewId: id }) as Obj).accessPreview;
    assert.equal(got.status, 'COMPLETED');
    const fs = (await aa.ListAccessPreviewFindings(root, { analyzerArn, accessPreviewId: id }) as Obj).findings as Obj[];
    assert.deepEqual(fs.map((x) => [x.principal.AWS, x.changeType, x.status]).sort(), [['444455556666', 'UNCHANGED', 'ARCHIVED'], ['777788889999', 'NEW', 'ACTIVE']]);
    const closing = await aa.CreateAccessPreview(root, { analyzerArn, configurations: { [roleArn]: { iamRole: { trustPolicy: trust(allowAccount({ AWS: A })) } } } }) as Obj;
    const closed = (await aa.ListAccessPreviewFindings(root, { analyzerArn, accessPreviewId: closing.id, filter: { changeType: { eq: ['CHANGED'] } } }) as Obj).findings as Obj[];
    assert.deepEqual(closed.map((x) => [x.principal.AWS, x.status, x.existingFindingStatus]), [['444455556666', 'RESOLVED', 'ARCHIVED']]);
    const bad = await aa.CreateAccessPreview(root, { analyzerArn, configurations: { [roleArn]: { iamRole: { trustPolicy: '{not json' } } } }) as Obj;
    assert.deepEqual((await aa.GetAccessPreview(root, { analyzerArn, accessPreviewId: bad.id }) as Obj).accessPreview.statusReason, { code: 'INVALID_CONFIGURATION' });
    assert.equal(((await aa.ListAccessPreviews(root, { analyzerArn })) as Obj).accessPreviews.length, 3);
    assert.equal((await awsErrorOf(() => aa.GetAccessPreview(root, { analyzerArn, accessPreviewId: '00000000-0000-4000-8000-000000000000' }))).code, 'ResourceNotFoundException');
    assert.equal((await awsErrorOf(() => aa.CreateAccessPreview(root, { analyzerArn, configurations: { [`arn:aws:s3:::bucket`]: { s3Bucket: {} } } }))).code, 'ValidationException');
    // The previews changed nothing.
    const partner = (await aa.ListFindings(root, { analyzerArn, filter: { resource: { eq: [roleArn] } } }) as Obj).findings as Obj[];
    assert.deepEqual(partner.map((x) => x.status), ['ARCHIVED']);
  });

  it('DeleteAnalyzer removes it with its findings and rules', async () => {
    await aa.CreateAnalyzer(root, { analyzerName: 'temp', type: 'ACCOUNT_UNUSED_ACCESS' }).catch(() => undefined);
    await aa.DeleteAnalyzer(root, { analyzerName: 'main' });
    assert.equal((await awsErrorOf(() => aa.GetAnalyzer(root, { analyzerName: 'main' }))).code, 'ResourceNotFoundException');
    const left = await f.store.read((tx) => tx.count('aa-finding', A, {}));
    assert.equal(left, 0);
    assert.equal((await awsErrorOf(() => aa.DeleteAnalyzer(root, { analyzerName: 'main' }))).code, 'ResourceNotFoundException');
  });

  it('CreateAnalyzer with inline archive rules: new findings matching them start ARCHIVED; a bad rule writes nothing', async () => {
    const bad = await awsErrorOf(() => aa.CreateAnalyzer(root, { analyzerName: 'again', type: 'ACCOUNT', archiveRules: [{ ruleName: 'r', filter: { isPublic: {} } }] }));
    assert.equal(bad.code, 'ValidationException');
    assert.equal((await awsErrorOf(() => aa.GetAnalyzer(root, { analyzerName: 'again' }))).code, 'ResourceNotFoundException');
    const { arn } = await aa.CreateAnalyzer(root, { analyzerName: 'again', type: 'ACCOUNT', archiveRules: [{ ruleName: 'public', filter: { isPublic: { eq: ['true'] } } }] }) as Obj;
    assert.deepEqual(((await aa.ListArchiveRules(root, { analyzerName: 'again' })) as Obj).archiveRules.map((r: Obj) => r.ruleName), ['public']);
    const fs = (await aa.ListFindings(root, { analyzerArn: arn, sort: { attributeName: 'resource' } }) as Obj).findings as Obj[];
    assert.deepEqual(fs.map((x) => [x.resource.split('/').pop(), x.status]), [['partner', 'ACTIVE'], ['public', 'ARCHIVED']]);
  });
});

describe('unused access findings and policy generation from the audit trail', () => {
  let f: CredentialFixture;
  let A: string;
  const DAY = 86_400_000;
  const start = Date.now();
  const later = new Date(start + 200 * DAY);
  let roleCaller: Caller;
  let aliceCaller: Caller;
  let aliceKey: string;
  let bobKey: string;

  async function record(caller: Caller, service: string, operation: string, time: Date, errorCode?: string, input?: Obj): Promise<void> {
    const call: AuditCall = { requestId: `r-${Math.random()}`, time, service, operation, region: 'us-east-1', sourceIp: '192.0.2.1', caller, accessKeyId: caller.accessKeyId, status: errorCode ? 403 : 200, errorCode, input };
    await f.runtime.audit.record(call);
  }

  before(async () => {
    f = await openCredentialFixture();
    A = f.accountId;
    const root = f.root();
    await f.addUser('alice', ['iam:Get*', 'sts:GetCallerIdentity']);
    await f.addUser('bob', ['iam:ListUsers']);
    aliceKey = ((await iam.CreateAccessKey(root, { UserName: 'alice' })) as Obj).AccessKey.AccessKeyId;
    bobKey = ((await iam.CreateAccessKey(root, { UserName: 'bob' })) as Obj).AccessKey.AccessKeyId;
    await iam.CreateLoginProfile(root, { UserName: 'bob', Password: 'Correct-Horse-9-battery' });
    await iam.CreateRole(root, { RoleName: 'used', AssumeRolePolicyDocument: trust(allowAccount({ AWS: A })) });
    await iam.PutRolePolicy(root, { RoleName: 'used', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListRoles', 'organizations:Describe*'], Resource: '*' }] }) });
    await iam.CreateRole(root, { RoleName: 'idle', AssumeRolePolicyDocument: trust(allowAccount({ AWS: A })) });
    const role = await f.store.read((tx) => tx.get<RoleDoc>(KIND.role, A, 'used'));
    roleCaller = {
      principal: { kind: 'assumedRole', accountId: A, arn: `arn:aws:sts::${A}:assumed-role/used/s1`, roleArn: role!.data.Arn },
      accountId: A, accessKeyId: 'ASIAEXAMPLEEXAMPLE12', userId: `${role!.data.RoleId}:s1`, roleName: 'used',
      session: { type: 'assumed-role', issuedAt: new Date(start).toISOString(), expiresAt: new Date(start + 3600_000).toISOString() },
    };
    aliceCaller = { principal: { kind: 'user', accountId: A, arn: `arn:aws:iam::${A}:user/alice` }, accountId: A, accessKeyId: aliceKey, userId: 'AIDAALICE', userName: 'alice' };
    // Within the window (window = 90 days before `later`): alice uses her key for IAM, the role lists roles.
    const recent = new Date(start + 150 * DAY);
    await record(aliceCaller, 'iam', 'GetUser', recent);
    await record(aliceCaller, 'iam', 'GetRole', recent);
    await record(aliceCaller, 'iam', 'GetUser', recent);
    await record(aliceCaller, 'iam', 'DeleteUser', recent, 'AccessDenied');
    await record(roleCaller, 'iam', 'ListRoles', recent);
    // Long ago, bob's key was used once.
    const bobCaller: Caller = { principal: { kind: 'user', accountId: A, arn: `arn:aws:iam::${A}:user/bob` }, accountId: A, accessKeyId: bobKey, userId: 'AIDABOB', userName: 'bob' };
    await record(bobCaller, 'iam', 'ListUsers', new Date(start + 10 * DAY));
  });
  after(async () => { await f.close(); });

  it('ListFindingsV2 / GetFindingV2 report unused roles, keys, passwords and permissions', async () => {
    const root = f.root(later);
    const { arn } = await aa.CreateAnalyzer(root, { analyzerName: 'unused', type: 'ACCOUNT_UNUSED_ACCESS', configuration: { unusedAccess: { unusedAccessAge: 90 } } }) as Obj;
    const list = (await aa.ListFindingsV2(root, { analyzerArn: arn }) as Obj).findings as Obj[];
    const seen = list.map((x) => `${x.findingType} ${x.resource.split(':').pop()}`).sort();
    assert.deepEqual(seen, [
      'UnusedIAMRole role/idle',
      'UnusedIAMUserAccessKey user/bob',
      'UnusedIAMUserPassword user/bob',
      'UnusedPermission role/used',
      'UnusedPermission user/alice',
      'UnusedPermission user/bob',
    ]);
    assert.ok(list.every((x) => x.status === 'ACTIVE'));
    const byKey = (t: string, r: string) => list.find((x) => x.findingType === t && x.resource.endsWith(r))!;
    const key = await aa.GetFindingV2(root, { analyzerArn: arn, id: byKey('UnusedIAMUserAccessKey', 'user/bob').id }) as Obj;
    assert.equal(key.findingDetails[0].unusedIamUserAccessKeyDetails.accessKeyId, bobKey);
    assert.equal(key.findingDetails[0].unusedIamUserAccessKeyDetails.lastAccessed, new Date(start + 10 * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const perm = await aa.GetFindingV2(root, { analyzerArn: arn, id: byKey('UnusedPermission', 'role/used').id }) as Obj;
    assert.deepEqual(perm.findingDetails.map((d: Obj) => d.unusedPermissionDetails.serviceNamespace), ['organizations']);
    const alice = await aa.GetFindingV2(root, { analyzerArn: arn, id: byKey('UnusedPermission', 'user/alice').id }) as Obj;
    assert.deepEqual(alice.findingDetails.map((d: Obj) => d.unusedPermissionDetails.serviceNamespace), ['sts']);
    const e = await awsErrorOf(() => aa.ListFindings(root, { analyzerArn: arn }));
    assert.equal(e.code, 'ValidationException');
  });

  it('a use of the idle role resolves its finding', async () => {
    const root = f.root(later);
    const arn = `arn:aws:access-analyzer:us-east-1:${A}:analyzer/unused`;
    const role = await f.store.read((tx) => tx.get<RoleDoc>(KIND.role, A, 'idle'));
    const idle: Caller = { ...roleCaller, principal: { kind: 'assumedRole', accountId: A, arn: `arn:aws:sts::${A}:assumed-role/idle/s`, roleArn: role!.data.Arn }, roleName: 'idle' };
    await record(idle, 'sts', 'GetCallerIdentity', new Date(start + 190 * DAY));
    const list = (await aa.ListFindingsV2(root, { analyzerArn: arn, filter: { findingType: { eq: ['UnusedIAMRole'] } } }) as Obj).findings as Obj[];
    assert.deepEqual(list.map((x) => x.status), ['RESOLVED']);
  });

  it('an analysisRule exclusion by resource tags resolves the excluded user’s findings', async () => {
    const root = f.root(later);
    const arn = `arn:aws:access-analyzer:us-east-1:${A}:analyzer/unused`;
    await iam.TagUser(f.root(), { UserName: 'bob', Tags: [{ Key: 'keep', Value: 'yes' }] });
    await aa.UpdateAnalyzer(root, { analyzerName: 'unused', configuration: { unusedAccess: { unusedAccessAge: 90, analysisRule: { exclusions: [{ resourceTags: [{ keep: 'yes' }] }] } } } });
    const bob = (await aa.ListFindingsV2(root, { analyzerArn: arn, filter: { resource: { eq: [`arn:aws:iam::${A}:user/bob`] } } }) as Obj).findings as Obj[];
    assert.equal(bob.length, 3);
    assert.ok(bob.every((x) => x.status === 'RESOLVED'));
    const alice = (await aa.ListFindingsV2(root, { analyzerArn: arn, filter: { resource: { eq: [`arn:aws:iam::${A}:user/alice`] } } }) as Obj).findings as Obj[];
    assert.deepEqual(alice.map((x) => x.status), ['ACTIVE']);
  });

  it("StartPolicyGeneration → GetGeneratedPolicy: alice's allowed calls, by service; ListPolicyGenerations; CancelPolicyGeneration", async () => {
    const root = f.root(later);
    const principalArn = `arn:aws:iam::${A}:user/alice`;
    const { jobId } = await aa.StartPolicyGeneration(root, { policyGenerationDetails: { principalArn } }) as Obj;
    const out = await aa.GetGeneratedPolicy(root, { jobId }) as Obj;
    assert.equal(out.jobDetails.status, 'SUCCEEDED');
    assert.equal(out.generatedPolicyResult.properties.principalArn, principalArn);
    assert.deepEqual(JSON.parse(out.generatedPolicyResult.generatedPolicies[0].policy), {
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetUser'], Resource: '*' }],
    });
    const missing = await aa.StartPolicyGeneration(root, { policyGenerationDetails: { principalArn: `arn:aws:iam::${A}:role/ghost` } }) as Obj;
    const failed = await aa.GetGeneratedPolicy(root, { jobId: missing.jobId }) as Obj;
    assert.equal(failed.jobDetails.status, 'FAILED');
    assert.equal(failed.jobDetails.jobError.code, 'RESOURCE_NOT_FOUND_ERROR');
    const listed = (await aa.ListPolicyGenerations(root, { principalArn }) as Obj).policyGenerations;
    assert.deepEqual(listed.map((j: Obj) => j.jobId), [jobId]);
    assert.equal(((await aa.ListPolicyGenerations(root, {})) as Obj).policyGenerations.length, 2);
    await aa.CancelPolicyGeneration(root, { jobId });
    assert.equal(((await aa.GetGeneratedPolicy(root, { jobId })) as Obj).jobDetails.status, 'SUCCEEDED');
    assert.equal((await awsErrorOf(() => aa.GetGeneratedPolicy(root, { jobId: 'nope' }))).code, 'ValidationException');
  });
});

describe('organization zone of trust', () => {
  let f: OrgFixture;
  before(async () => { f = await openOrgFixture(); });
  after(async () => { await f.close(); });

  it('only the management account (or a delegated admin) creates ORGANIZATION analyzers; member accounts are inside the zone', async () => {
    await f.org('CreateOrganization', f.root());
    const s = (await f.org('CreateAccount', f.root(), { Email: 'dev@example.com', AccountName: 'dev' })).CreateAccountStatus as Obj;
    const dev = ((await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj).AccountId as string;
    const denied = await awsErrorOf(() => aa.CreateAnalyzer(f.root(dev), { analyzerName: 'org', type: 'ORGANIZATION' }));
    assert.equal(denied.code, 'AccessDeniedException');
    const { arn } = await aa.CreateAnalyzer(f.root(), { analyzerName: 'org', type: 'ORGANIZATION' }) as Obj;
    const mgmt = f.root().caller.accountId;
    await iam.CreateRole(f.root(), { RoleName: 'to-dev', AssumeRolePolicyDocument: trust(allowAccount({ AWS: dev })) });
    await iam.CreateRole(f.root(), { RoleName: 'to-outside', AssumeRolePolicyDocument: trust(allowAccount({ AWS: OTHER })) });
    await iam.CreateRole(f.root(dev), { RoleName: 'dev-outside', AssumeRolePolicyDocument: trust(allowAccount({ AWS: OTHER })) });
    const findings = (await aa.ListFindings(f.root(), { analyzerArn: arn }) as Obj).findings as Obj[];
    assert.deepEqual(findings.map((x) => [x.resource.split(':').pop(), x.resourceOwnerAccount]).sort(), [
      ['role/dev-outside', dev],
      ['role/to-outside', mgmt],
    ]);

    // A delegated administrator for Access Analyzer may create organization analyzers too;
    // ORGANIZATION_UNUSED_ACCESS covers every account of the organization.
    await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'access-analyzer.amazonaws.com' });
    await f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: dev, ServicePrincipal: 'access-analyzer.amazonaws.com' });
    const later = new Date(Date.now() + 200 * 86_400_000);
    const devRoot = f.ctx(f.root(dev).caller, 'us-east-1');
    const { arn: unusedArn } = await aa.CreateAnalyzer(devRoot, { analyzerName: 'org-unused', type: 'ORGANIZATION_UNUSED_ACCESS' }) as Obj;
    const ctxLater = { ...devRoot, now: later } as CallContext;
    const unused = (await aa.ListFindingsV2(ctxLater, { analyzerArn: unusedArn, filter: { findingType: { eq: ['UnusedIAMRole'] } } }) as Obj).findings as Obj[];
    assert.deepEqual(unused.map((x) => [x.resource.split(':').pop(), x.resourceOwnerAccount]).sort(), [
      ['role/OrganizationAccountAccessRole', dev], ['role/dev-outside', dev], ['role/to-dev', mgmt], ['role/to-outside', mgmt],
    ]);
    const stats = (await aa.GetFindingsStatistics(ctxLater, { analyzerArn: unusedArn }) as Obj).findingsStatistics[0].unusedAccessFindingsStatistics;
    assert.deepEqual(stats.topAccounts.map((a: Obj) => [a.account, a.details.UnusedIAMRole]), [[dev, 2], [mgmt, 2]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  });
});

describe('every analyzer-administration operation answers odd input with an AWS error, never a crash', () => {
  let f: CredentialFixture;
  before(async () => { f = await openCredentialFixture(); });
  after(async () => { await f.close(); });
  const inputs: Obj[] = [
    {},
    { analyzerName: 'x', analyzerArn: 'arn:aws:access-analyzer:us-east-1:000000000000:analyzer/x', id: 'x', ruleName: 'r', jobId: 'j', resourceArn: 'arn:aws:iam::000000000000:role/x', accessPreviewId: 'p' },
    { analyzerArn: 'not-an-arn', filter: { status: 'ACTIVE' }, sort: 7, nextToken: '!!', maxResults: 0, configurations: { a: null }, policyGenerationDetails: {} },
  ];
  for (const name of Object.keys(aa).sort()) {
    it(name, async () => {
      for (const input of inputs) {
        try {
          await aa[name](f.root(), input);
        } catch (e) {
          const status = (e as { status?: unknown }).status;
          assert.ok(e instanceof Error && 'code' in e && typeof status === 'number' && status < 500, `${name}: ${String(e)}`);
        }
      }
    });
  }
});
