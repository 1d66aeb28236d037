import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller, OperationTable } from '../types.js';
import { KIND, iamArn, isoNow, newId, type ManagedPolicyDoc, type RoleDoc } from './entities.js';
import { groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { loadAwsManagedPolicies } from './managed-policies/index.js';
import { MAX_POLICIES, policyOperations } from './policies.js';
import { MAX_ATTACHED_POLICIES } from './policy-attachments.js';
import { MAX_POLICY_VERSIONS } from './policy-versions.js';
import { userOperations } from './users.js';
import { openIamFixture, policyDoc as doc, rejects, type IamFixture } from './iam-fixture.js';

const ops: OperationTable = { ...userOperations, ...groupOperations, ...policyOperations, ...inlinePolicyOperations };

let f: IamFixture;
before(async () => { f = await openIamFixture(ops); });
after(async () => { await f.close(); });

const call = (caller: Caller, op: string, input: Record<string, unknown> = {}) => f.call(caller, op, input);
const asRoot = (op: string, input: Record<string, unknown> = {}) => f.asRoot(op, input);

const ALLOW_S3 = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });

/** Roles belong to roles.ts; these tests write the entity as that family does. */
async function insertRole(name: string, extra: Partial<RoleDoc> = {}): Promise<RoleDoc> {
  const d: RoleDoc = {
    RoleName: name, RoleId: newId('AROA'), Arn: iamArn(f.accountId, 'role', extra.Path ?? '/', name), Path: '/', CreateDate: isoNow(),
    AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}', MaxSessionDuration: 3600, Tags: [], ...extra,
  };
  await f.store.transaction((tx) => tx.insert({ kind: KIND.role, account: f.accountId, key: name, id: d.RoleId, data: d }));
  await f.runtime.afterWrite();
  return d;
}

async function dump(): Promise<string> {
  return f.store.read(async (tx) => {
    const out: unknown[] = [];
    for (const k of [KIND.policy, KIND.policyVersion, KIND.attachment, KIND.policyAttachment]) out.push(await tx.list(k, f.accountId));
    return JSON.stringify(out);
  });
}

const arnOf = (name: string, path = '/') => `arn:aws:iam::${f.accountId}:policy${path}${name}`;
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

describe('managed policies', () => {
  it('creates a policy and gets it with description and tags', async () => {
    const out = await asRoot('CreatePolicy', {
      PolicyName: 'S3Read', Path: '/team/', PolicyDocument: ALLOW_S3, Description: 'read objects', Tags: [{ Key: 'env', Value: 'dev' }],
    });
    const p = out.Policy as Record<string, unknown>;
    assert.equal(p.Arn, arnOf('S3Read', '/team/'));
    assert.match(String(p.PolicyId), /^ANPA[A-Z2-7]{17}$/);
    assert.equal(p.DefaultVersionId, 'v1');
    assert.equal(p.AttachmentCount, 0);
    assert.equal(p.PermissionsBoundaryUsageCount, 0);
    assert.equal(p.IsAttachable, true);
    assert.deepEqual(p.Tags, [{ Key: 'env', Value: 'dev' }]);
    const got = (await asRoot('GetPolicy', { PolicyArn: p.Arn })).Policy as Record<string, unknown>;
    assert.equal(got.Description, 'read objects');
    assert.deepEqual(got.Tags, [{ Key: 'env', Value: 'dev' }]);
    const v = (await asRoot('GetPolicyVersion', { PolicyArn: p.Arn, VersionId: 'v1' })).PolicyVersion as Record<string, unknown>;
    assert.equal(decodeURIComponent(String(v.Document)), ALLOW_S3);
    assert.ok(!String(v.Document).includes('"'));
    assert.equal(v.IsDefaultVersion, true);
  });

  const createErrors = [
    { name: 'a taken name in another case and path', input: { PolicyName: 's3read', PolicyDocument: ALLOW_S3 }, code: 'EntityAlreadyExists', message: 'A policy called s3read already exists. Duplicate names are not allowed.' },
    { name: 'a document that is not JSON', input: { PolicyName: 'Bad1', PolicyDocument: '{' }, code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' },
    { name: 'a document with a Principal', input: { PolicyName: 'Bad2', PolicyDocument: doc({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }) }, code: 'MalformedPolicyDocument' },
    { name: 'a document over 6,144 characters', input: { PolicyName: 'Big', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }) }, code: 'LimitExceeded', message: 'Cannot exceed quota for PolicySize: 6144' },
  ];
  for (const c of createErrors) {
    it(`CreatePolicy refuses ${c.name} and writes nothing`, async () => {
      const before = await dump();
      await rejects(asRoot('CreatePolicy', c.input), c.code, c.message);
      assert.equal(await dump(), before);
    });
  }

  it('does not count whitespace toward the 6,144 limit', async () => {
    const resources = Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::b${i}/*`);
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] }, null, 8);
    assert.ok(text.length > 6144);
    await asRoot('CreatePolicy', { PolicyName: 'Spacious', PolicyDocument: text });
  });

  it('gets AWS managed policies and their default version', async () => {
    const p = (await asRoot('GetPolicy', { PolicyArn: READ_ONLY })).Policy as Record<string, unknown>;
    assert.equal(p.PolicyName, 'ReadOnlyAccess');
    assert.equal(p.Arn, READ_ONLY);
    assert.match(String(p.CreateDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const v = (await asRoot('GetPolicyVersion', { PolicyArn: READ_ONLY, VersionId: p.DefaultVersionId })).PolicyVersion as Record<string, unknown>;
    assert.equal(v.IsDefaultVersion, true);
    assert.ok(JSON.parse(decodeURIComponent(String(v.Document))).Statement);
    await rejects(asRoot('GetPolicyVersion', { PolicyArn: READ_ONLY, VersionId: 'v1' }), 'NoSuchEntity', `Policy ${READ_ONLY} version v1 does not exist or is not attachable.`);
    const versions = await asRoot('ListPolicyVersions', { PolicyArn: READ_ONLY });
    assert.deepEqual((versions.Versions as { VersionId: string }[]).map((x) => x.VersionId), [p.DefaultVersionId]);
  });

  const lookupErrors = [
    { name: 'a missing customer policy', op: 'GetPolicy', arn: () => arnOf('Nope'), code: 'NoSuchEntity', message: () => `Policy ${arnOf('Nope')} was not found.` },
    { name: 'a customer policy under the wrong path', op: 'GetPolicy', arn: () => arnOf('S3Read'), code: 'NoSuchEntity', message: () => `Policy ${arnOf('S3Read')} was not found.` },
    { name: 'a missing AWS managed policy', op: 'GetPolicy', arn: () => 'arn:aws:iam::aws:policy/NoSuchThing', code: 'NoSuchEntity', message: () => 'Policy arn:aws:iam::aws:policy/NoSuchThing was not found.' },
    { name: 'another account\'s policy', op: 'GetPolicy', arn: () => 'arn:aws:iam::111122223333:policy/S3Read', code: 'NoSuchEntity' },
    { name: 'an ARN that is not a policy ARN', op: 'GetPolicy', arn: () => 'arn:aws:iam::aws:role/x', code: 'InvalidInput', message: () => 'ARN arn:aws:iam::aws:role/x is not valid.' },
    { name: 'deleting an AWS managed policy', op: 'DeletePolicy', arn: () => READ_ONLY, code: 'NoSuchEntity' },
    { name: 'tagging an AWS managed policy', op: 'ListPolicyTags', arn: () => READ_ONLY, code: 'NoSuchEntity' },
  ];
  for (const c of lookupErrors) {
    it(`${c.op} of ${c.name} is ${c.code}`, async () => {
      await rejects(asRoot(c.op, { PolicyArn: c.arn() }), c.code, c.message?.());
    });
  }

  it('creates versions up to 5, sets the default, and lists them newest first with pagination', async () => {
    const arn = (await asRoot('CreatePolicy', { PolicyName: 'Versioned', PolicyDocument: ALLOW_S3 })).Policy as { Arn: string };
    for (let i = 2; i <= MAX_POLICY_VERSIONS; i++) {
      const v = (await asRoot('CreatePolicyVersion', { PolicyArn: arn.Arn, PolicyDocument: doc({ Effect: 'Allow', Action: `s3:List${i}`, Resource: '*' }), SetAsDefault: i === 3 })).PolicyVersion as Record<string, unknown>;
      assert.equal(v.VersionId, `v${i}`);
      assert.equal(v.IsDefaultVersion, i === 3);
      assert.equal(v.Document, undefined);
    }
    const before = await dump();
    await rejects(
      asRoot('CreatePolicyVersion', { PolicyArn: arn.Arn, PolicyDocument: ALLOW_S3 }),
      'LimitExceeded', 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
    assert.equal(await dump(), before);
    assert.equal(((await asRoot('GetPolicy', { PolicyArn: arn.Arn })).Policy as { DefaultVersionId: string }).DefaultVersionId, 'v3');

    const p1 = await asRoot('ListPolicyVersions', { PolicyArn: arn.Arn, MaxItems: 3 });
    assert.deepEqual((p1.Versions as { VersionId: string }[]).map((v) => v.VersionId), ['v5', 'v4', 'v3']);
    assert.equal(p1.IsTruncated, true);
    const p2 = await asRoot('ListPolicyVersions', { PolicyArn: arn.Arn, MaxItems: 3, Marker: p1.Marker });
    assert.deepEqual((p2.Versions as { VersionId: string; IsDefaultVersion: boolean }[]).map((v) => [v.VersionId, v.IsDefaultVersion]), [['v2', false], ['v1', false]]);
    assert.equal(p2.IsTruncated, false);

    await rejects(asRoot('DeletePolicyVersion', { PolicyArn: arn.Arn, VersionId: 'v3' }), 'DeleteConflict', 'Cannot delete the default version of a policy.');
    await rejects(asRoot('DeletePolicyVersion', { PolicyArn: arn.Arn, VersionId: 'v9' }), 'NoSuchEntity', `Policy ${arn.Arn} version v9 does not exist or is not attachable.`);
    await rejects(asRoot('SetDefaultPolicyVersion', { PolicyArn: arn.Arn, VersionId: 'v9' }), 'NoSuchEntity');
    await asRoot('DeletePolicyVersion', { PolicyArn: arn.Arn, VersionId: 'v1' });
    // Version ids are never reused.
    const v6 = (await asRoot('CreatePolicyVersion', { PolicyArn: arn.Arn, PolicyDocument: ALLOW_S3 })).PolicyVersion as { VersionId: string };
    assert.equal(v6.VersionId, 'v6');
    await asRoot('SetDefaultPolicyVersion', { PolicyArn: arn.Arn, VersionId: 'v6' });
    const all = (await asRoot('ListPolicyVersions', { PolicyArn: arn.Arn })).Versions as { VersionId: string; IsDefaultVersion: boolean }[];
    assert.deepEqual(all.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId), ['v6']);

    await rejects(
      asRoot('DeletePolicy', { PolicyArn: arn.Arn }), 'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    for (const v of ['v2', 'v3', 'v4', 'v5']) await asRoot('DeletePolicyVersion', { PolicyArn: arn.Arn, VersionId: v });
    await asRoot('DeletePolicy', { PolicyArn: arn.Arn });
    await rejects(asRoot('GetPolicy', { PolicyArn: arn.Arn }), 'NoSuchEntity');
    assert.equal(await f.store.read((tx) => tx.count(KIND.policyVersion, f.accountId, { parent: 'versioned' })), 0);
  });

  it('tags, lists and untags a customer managed policy', async () => {
    const arn = arnOf('S3Read', '/team/');
    await asRoot('TagPolicy', { PolicyArn: arn, Tags: [{ Key: 'owner', Value: 'ops' }, { Key: 'ENV', Value: 'prod' }] });
    const tags = await asRoot('ListPolicyTags', { PolicyArn: arn, MaxItems: 1 });
    assert.equal(tags.IsTruncated, true);
    assert.equal((tags.Tags as unknown[]).length, 1);
    await asRoot('UntagPolicy', { PolicyArn: arn, TagKeys: ['owner'] });
    assert.deepEqual((await asRoot('ListPolicyTags', { PolicyArn: arn })).Tags, [{ Key: 'ENV', Value: 'prod' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(asRoot('TagPolicy', { PolicyArn: arn, Tags: many }), 'LimitExceeded');
  });

  describe('attachments', () => {
    before(async () => {
      await asRoot('CreateUser', { UserName: 'carol' });
      await asRoot('CreateGroup', { GroupName: 'crew' });
      await insertRole('runner');
      await insertRole('AWSServiceRoleForThing', { ServiceLinked: 'thing.amazonaws.com', Path: '/aws-service-role/thing.amazonaws.com/' });
    });

    const owners = [
      { type: 'User', member: 'UserName', name: 'carol' },
      { type: 'Group', member: 'GroupName', name: 'crew' },
      { type: 'Role', member: 'RoleName', name: 'runner' },
    ];
    for (const o of owners) {
      it(`attaches to and detaches from a ${o.type.toLowerCase()}, counting attachments`, async () => {
        const arn = arnOf('S3Read', '/team/');
        await asRoot(`Attach${o.type}Policy`, { [o.member]: o.name, PolicyArn: arn });
        await asRoot(`Attach${o.type}Policy`, { [o.member]: o.name.toUpperCase(), PolicyArn: arn }); // again: no change
        await asRoot(`Attach${o.type}Policy`, { [o.member]: o.name, PolicyArn: READ_ONLY });
        const listed = await asRoot(`ListAttached${o.type}Policies`, { [o.member]: o.name });
        assert.deepEqual(listed.AttachedPolicies, [
          { PolicyName: 'S3Read', PolicyArn: arn },
          { PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY },
        ].sort((a, b) => (`${a.PolicyArn}`.toLowerCase() < `${b.PolicyArn}`.toLowerCase() ? -1 : 1)));
        const byPath = await asRoot(`ListAttached${o.type}Policies`, { [o.member]: o.name, PathPrefix: '/team/' });
        assert.deepEqual(byPath.AttachedPolicies, [{ PolicyName: 'S3Read', PolicyArn: arn }]);
        const page = await asRoot(`ListAttached${o.type}Policies`, { [o.member]: o.name, MaxItems: 1 });
        assert.equal(page.IsTruncated, true);
        assert.equal(((await asRoot('GetPolicy', { PolicyArn: arn })).Policy as { AttachmentCount: number }).AttachmentCount, 1);
        assert.equal(((await asRoot('GetPolicy', { PolicyArn: READ_ONLY })).Policy as { AttachmentCount: number }).AttachmentCount, 1);
        await rejects(asRoot('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');

        await asRoot(`Detach${o.type}Policy`, { [o.member]: o.name, PolicyArn: arn });
        await asRoot(`Detach${o.type}Policy`, { [o.member]: o.name, PolicyArn: READ_ONLY });
        await rejects(asRoot(`Detach${o.type}Policy`, { [o.member]: o.name, PolicyArn: arn }), 'NoSuchEntity', `Policy ${arn} was not found.`);
        assert.equal(((await asRoot('GetPolicy', { PolicyArn: arn })).Policy as { AttachmentCount: number }).AttachmentCount, 0);
        assert.deepEqual((await asRoot(`ListAttached${o.type}Policies`, { [o.member]: o.name })).AttachedPolicies, []);
      });

      it(`refuses an 11th managed policy on a ${o.type.toLowerCase()} and writes nothing`, async () => {
        const arns: string[] = [];
        for (let i = 0; i <= MAX_ATTACHED_POLICIES; i++) {
          const name = `Q${o.type}${i}`;
          await asRoot('CreatePolicy', { PolicyName: name, PolicyDocument: ALLOW_S3 });
          arns.push(arnOf(name));
        }
        for (const arn of arns.slice(0, MAX_ATTACHED_POLICIES)) await asRoot(`Attach${o.type}Policy`, { [o.member]: o.name, PolicyArn: arn });
        const before = await dump();
        await rejects(
          asRoot(`Attach${o.type}Policy`, { [o.member]: o.name, PolicyArn: arns[MAX_ATTACHED_POLICIES] }),
          'LimitExceeded', `Cannot exceed quota for PoliciesPer${o.type}: 10`,
        );
        assert.equal(await dump(), before);
        for (const arn of arns.slice(0, MAX_ATTACHED_POLICIES)) await asRoot(`Detach${o.type}Policy`, { [o.member]: o.name, PolicyArn: arn });
      });

      it(`attaching to a missing ${o.type.toLowerCase()} or a missing policy is NoSuchEntity`, async () => {
        await rejects(asRoot(`Attach${o.type}Policy`, { [o.member]: 'ghost', PolicyArn: READ_ONLY }), 'NoSuchEntity', `The ${o.type.toLowerCase()} with name ghost cannot be found.`);
        const missing = arnOf('Missing');
        await rejects(asRoot(`Attach${o.type}Policy`, { [o.member]: o.name, PolicyArn: missing }), 'NoSuchEntity', `Policy ${missing} does not exist or is not attachable.`);
        await rejects(asRoot(`ListAttached${o.type}Policies`, { [o.member]: 'ghost' }), 'NoSuchEntity');
      });
    }

    it('refuses service role policies on customer roles, and changes to service-linked roles', async () => {
      const serviceRolePolicy = 'arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy';
      await rejects(asRoot('AttachRolePolicy', { RoleName: 'runner', PolicyArn: serviceRolePolicy }), 'PolicyNotAttachable');
      await rejects(asRoot('AttachRolePolicy', { RoleName: 'AWSServiceRoleForThing', PolicyArn: READ_ONLY }), 'UnmodifiableEntity');
    });

    it('an attached policy grants its permissions; detaching takes them away', async () => {
      const dave = await f.userCaller('dave', []);
      await rejects(call(dave, 'ListGroups'), 'AccessDenied');
      await asRoot('AttachUserPolicy', { UserName: 'dave', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });
      await call(dave, 'ListGroups');
      await asRoot('DetachUserPolicy', { UserName: 'dave', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });
      await rejects(call(dave, 'ListGroups'), 'AccessDenied');
    });

    it('the default version is what grants: SetDefaultPolicyVersion switches permissions', async () => {
      const erin = await f.userCaller('erin', []);
      const arn = ((await asRoot('CreatePolicy', { PolicyName: 'Switch', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListGroups', Resource: '*' }) })).Policy as { Arn: string }).Arn;
      await asRoot('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) });
      await asRoot('AttachUserPolicy', { UserName: 'erin', PolicyArn: arn });
      await call(erin, 'ListGroups');
      await asRoot('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v2' });
      await rejects(call(erin, 'ListGroups'), 'AccessDenied');
      await call(erin, 'ListUsers');
    });

    it('authorizes attachments with iam:PolicyARN', async () => {
      const frank = await f.userCaller('frank', [{
        Effect: 'Allow', Action: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'], Resource: '*',
        Condition: { ArnEquals: { 'iam:PolicyARN': READ_ONLY } },
      }]);
      await call(frank, 'AttachUserPolicy', { UserName: 'carol', PolicyArn: READ_ONLY });
      await call(frank, 'DetachUserPolicy', { UserName: 'carol', PolicyArn: READ_ONLY });
      await rejects(
        call(frank, 'AttachUserPolicy', { UserName: 'carol', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
        'AccessDenied', `User: arn:aws:iam::${f.accountId}:user/frank is not authorized to perform: iam:AttachUserPolicy on resource: arn:aws:iam::${f.accountId}:user/carol because no identity-based policy allows the iam:AttachUserPolicy action`,
      );
    });
  });

  describe('listing', () => {
    before(async () => {
      await asRoot('CreatePolicy', { PolicyName: 'Boundary', Path: '/limits/', PolicyDocument: ALLOW_S3 });
      await asRoot('CreatePolicy', { PolicyName: 'Attached', Path: '/limits/', PolicyDocument: ALLOW_S3 });
      await asRoot('CreatePolicy', { PolicyName: 'Idle', Path: '/limits/', PolicyDocument: ALLOW_S3 });
      await asRoot('CreateUser', { UserName: 'bounded', Path: '/staff/' });
      await asRoot('PutUserPermissionsBoundary', { UserName: 'bounded', PermissionsBoundary: arnOf('Boundary', '/limits/') });
      await insertRole('bounded-role', { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arnOf('Boundary', '/limits/') } });
      await asRoot('AttachUserPolicy', { UserName: 'bounded', PolicyArn: arnOf('Attached', '/limits/') });
      await asRoot('CreateGroup', { GroupName: 'listers', Path: '/staff/' });
      await asRoot('AttachGroupPolicy', { GroupName: 'listers', PolicyArn: arnOf('Attached', '/limits/') });
      await asRoot('AttachGroupPolicy', { GroupName: 'listers', PolicyArn: READ_ONLY });
    });

    const names = (out: Record<string, unknown>) => (out.Policies as { PolicyName: string }[]).map((p) => p.PolicyName);

    it('counts boundary use on read and refuses to delete a boundary in use', async () => {
      const p = (await asRoot('GetPolicy', { PolicyArn: arnOf('Boundary', '/limits/') })).Policy as Record<string, unknown>;
      assert.equal(p.PermissionsBoundaryUsageCount, 2);
      assert.equal(p.AttachmentCount, 0);
      await rejects(asRoot('DeletePolicy', { PolicyArn: arnOf('Boundary', '/limits/') }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
    });

    const cases = [
      { name: 'Local with PathPrefix', input: { Scope: 'Local', PathPrefix: '/limits/' }, expect: ['Attached', 'Boundary', 'Idle'] },
      { name: 'OnlyAttached', input: { Scope: 'Local', PathPrefix: '/limits/', OnlyAttached: true }, expect: ['Attached', 'Boundary'] },
      { name: 'OnlyAttached permissions policies', input: { Scope: 'Local', PathPrefix: '/limits/', OnlyAttached: true, PolicyUsageFilter: 'PermissionsPolicy' }, expect: ['Attached'] },
      { name: 'boundaries', input: { Scope: 'Local', PathPrefix: '/limits/', PolicyUsageFilter: 'PermissionsBoundary' }, expect: ['Boundary'] },
      { name: 'AWS, OnlyAttached', input: { Scope: 'AWS', OnlyAttached: true }, expect: ['ReadOnlyAccess'] },
      {
        name: 'AWS under /job-function/', input: { Scope: 'AWS', PathPrefix: '/job-function/', MaxItems: 2 },
        expect: loadAwsManagedPolicies().list.filter((p) => p.Path === '/job-function/')
          .sort((a, b) => (a.Arn.toLowerCase() < b.Arn.toLowerCase() ? -1 : 1)).slice(0, 2).map((p) => p.PolicyName),
      },
    ];
    for (const c of cases) {
      it(`ListPolicies: ${c.name}`, async () => {
        assert.deepEqual(names(await asRoot('ListPolicies', c.input)), c.expect);
      });
    }

    it('ListPolicies (All) lists customer then AWS managed policies, page by page, with counts and without tags', async () => {
      const seen: Record<string, unknown>[] = [];
      let marker: unknown;
      let pages = 0;
      do {
        const out = await asRoot('ListPolicies', { MaxItems: 1000, ...(marker ? { Marker: marker } : {}) });
        seen.push(...(out.Policies as Record<string, unknown>[]));
        marker = out.Marker;
        assert.equal(out.IsTruncated, marker !== undefined);
        pages++;
      } while (marker);
      assert.equal(pages, 2);
      assert.equal(new Set(seen.map((p) => p.Arn)).size, seen.length);
      assert.ok(String(seen[0].Arn).includes(`::${f.accountId}:`));
      assert.ok(String(seen[seen.length - 1].Arn).startsWith('arn:aws:iam::aws:policy/'));
      const s3read = seen.find((p) => p.PolicyName === 'S3Read')!;
      assert.equal(s3read.Tags, undefined);
      assert.equal(s3read.Description, undefined);
      assert.equal(seen.find((p) => p.PolicyName === 'ReadOnlyAccess')!.AttachmentCount, 1);
      assert.equal(seen.find((p) => p.PolicyName === 'Boundary')!.PermissionsBoundaryUsageCount, 2);
    });

    const entityCases = [
      { name: 'attachments of Attached', policy: 'Attached', input: {}, users: ['bounded'], groups: ['listers'], roles: [] },
      { name: 'users only', policy: 'Attached', input: { EntityFilter: 'User' }, users: ['bounded'], groups: [], roles: [] },
      { name: 'boundary use', policy: 'Boundary', input: { PolicyUsageFilter: 'PermissionsBoundary' }, users: ['bounded'], groups: [], roles: ['bounded-role'] },
      { name: 'boundary use filtered to roles', policy: 'Boundary', input: { EntityFilter: 'Role' }, users: [], groups: [], roles: ['bounded-role'] },
      { name: 'permissions use of a boundary', policy: 'Boundary', input: { PolicyUsageFilter: 'PermissionsPolicy' }, users: [], groups: [], roles: [] },
      { name: 'PathPrefix', policy: 'Boundary', input: { PathPrefix: '/staff/' }, users: ['bounded'], groups: [], roles: [] },
    ];
    for (const c of entityCases) {
      it(`ListEntitiesForPolicy: ${c.name}`, async () => {
        const out = await asRoot('ListEntitiesForPolicy', { PolicyArn: arnOf(c.policy, '/limits/'), ...c.input });
        assert.deepEqual((out.PolicyUsers as { UserName: string }[]).map((x) => x.UserName), c.users);
        assert.deepEqual((out.PolicyGroups as { GroupName: string }[]).map((x) => x.GroupName), c.groups);
        assert.deepEqual((out.PolicyRoles as { RoleName: string }[]).map((x) => x.RoleName), c.roles);
        for (const u of out.PolicyUsers as { UserId: string }[]) assert.match(u.UserId, /^AIDA/);
      });
    }

    it('ListEntitiesForPolicy paginates and knows AWS managed policies', async () => {
      const p1 = await asRoot('ListEntitiesForPolicy', { PolicyArn: arnOf('Attached', '/limits/'), MaxItems: 1 });
      assert.equal(p1.IsTruncated, true);
      assert.deepEqual((p1.PolicyGroups as { GroupName: string }[]).map((x) => x.GroupName), ['listers']);
      assert.deepEqual(p1.PolicyUsers, []);
      const p2 = await asRoot('ListEntitiesForPolicy', { PolicyArn: arnOf('Attached', '/limits/'), MaxItems: 1, Marker: p1.Marker });
      assert.equal(p2.IsTruncated, false);
      assert.deepEqual((p2.PolicyUsers as { UserName: string }[]).map((x) => x.UserName), ['bounded']);
      const aws = await asRoot('ListEntitiesForPolicy', { PolicyArn: READ_ONLY });
      assert.deepEqual((aws.PolicyGroups as { GroupName: string }[]).map((x) => x.GroupName), ['listers']);
      await rejects(asRoot('ListEntitiesForPolicy', { PolicyArn: arnOf('Nope') }), 'NoSuchEntity');
    });
  });

  describe('authorization', () => {
    let gina: Caller;
    before(async () => {
      gina = await f.userCaller('gina', [
        { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: '*' },
        { Effect: 'Allow', Action: 'iam:CreatePolicy', Resource: 'arn:aws:iam::*:policy/sandbox/*' },
        { Effect: 'Allow', Action: 'iam:DeletePolicy', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } },
      ]);
    });

    const cases = [
      { name: 'GetPolicy of an AWS managed policy', op: 'GetPolicy', input: () => ({ PolicyArn: READ_ONLY }), allowed: true },
      { name: 'CreatePolicy under /sandbox/', op: 'CreatePolicy', input: () => ({ PolicyName: 'Mine', Path: '/sandbox/', PolicyDocument: ALLOW_S3 }), allowed: true },
      { name: 'CreatePolicy with tags (needs iam:TagPolicy)', op: 'CreatePolicy', input: () => ({ PolicyName: 'Tagged', Path: '/sandbox/', PolicyDocument: ALLOW_S3, Tags: [{ Key: 'a', Value: 'b' }] }), allowed: false, action: 'iam:TagPolicy' },
      { name: 'CreatePolicy elsewhere', op: 'CreatePolicy', input: () => ({ PolicyName: 'Theirs', PolicyDocument: ALLOW_S3 }), allowed: false, action: 'iam:CreatePolicy' },
      { name: 'DeletePolicy without the tag', op: 'DeletePolicy', input: () => ({ PolicyArn: arnOf('Mine', '/sandbox/') }), allowed: false, action: 'iam:DeletePolicy' },
      { name: 'ListPolicies', op: 'ListPolicies', input: () => ({}), allowed: false, action: 'iam:ListPolicies' },
    ];
    for (const c of cases) {
      it(`${c.allowed ? 'allows' : 'denies'} ${c.name}`, async () => {
        const before = await dump();
        const p = call(gina, c.op, c.input());
        if (c.allowed) { await p; return; }
        await rejects(p, 'AccessDenied', new RegExp(`^User: arn:aws:iam::${f.accountId}:user/gina is not authorized to perform: ${c.action} `));
        assert.equal(await dump(), before);
      });
    }

    it('allows DeletePolicy of a policy tagged env=dev', async () => {
      await asRoot('TagPolicy', { PolicyArn: arnOf('Mine', '/sandbox/'), Tags: [{ Key: 'env', Value: 'dev' }] });
      await call(gina, 'DeletePolicy', { PolicyArn: arnOf('Mine', '/sandbox/') });
      const left = await f.store.read((tx) => tx.get<ManagedPolicyDoc>(KIND.policy, f.accountId, 'Mine'));
      assert.equal(left, undefined);
    });
  });

  it(`refuses a policy beyond PoliciesPerAccount ${MAX_POLICIES} and writes nothing`, async () => {
    const existing = await f.store.read((tx) => tx.count(KIND.policy, f.accountId));
    const names = Array.from({ length: MAX_POLICIES - existing }, (_, i) => `Filler${i}`);
    await f.store.transaction(async (tx) => {
      for (const n of names) {
        const now = isoNow();
        const d: ManagedPolicyDoc = {
          PolicyName: n, PolicyId: newId('ANPA'), Arn: arnOf(n), Path: '/', DefaultVersionId: 'v1', AttachmentCount: 0,
          PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: now, UpdateDate: now, Tags: [], NextVersion: 2,
        };
        await tx.insert({ kind: KIND.policy, account: f.accountId, key: n, id: d.PolicyId, data: d });
      }
    });
    const before = await dump();
    await rejects(asRoot('CreatePolicy', { PolicyName: 'OneTooMany', PolicyDocument: ALLOW_S3 }), 'LimitExceeded', `Cannot exceed quota for PoliciesPerAccount: ${MAX_POLICIES}`);
    assert.equal(await dump(), before);
    await f.store.transaction(async (tx) => { for (const n of names) await tx.delete(KIND.policy, f.accountId, n); });
  });
});
