import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller, OperationTable } from '../types.js';
import { KIND, iamArn, isoNow, newId, type GroupDoc, type MembershipDoc } from './entities.js';
import { groupOperations, MAX_GROUPS, MAX_GROUPS_PER_USER } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { policyOperations } from './policies.js';
import { userOperations } from './users.js';
import { openIamFixture, rejects, type IamFixture } from './iam-fixture.js';

const ops: OperationTable = { ...userOperations, ...groupOperations, ...policyOperations, ...inlinePolicyOperations };

let f: IamFixture;
before(async () => { f = await openIamFixture(ops); });
after(async () => { await f.close(); });

const call = (caller: Caller, op: string, input: Record<string, unknown> = {}) => f.call(caller, op, input);
const asRoot = (op: string, input: Record<string, unknown> = {}) => f.asRoot(op, input);

async function snapshotOf(kinds: string[]): Promise<string> {
  return f.store.read(async (tx) => {
    const out: unknown[] = [];
    for (const k of kinds) out.push(await tx.list(k, f.accountId));
    return JSON.stringify(out);
  });
}

const ALL_KINDS = [KIND.group, KIND.groupMember, KIND.userGroup, KIND.inlinePolicy, KIND.attachment, KIND.policyAttachment, KIND.policy];

describe('groups', () => {
  it('creates, gets and lists a group', async () => {
    const out = await asRoot('CreateGroup', { GroupName: 'Admins', Path: '/ops/' });
    const g = out.Group as Record<string, unknown>;
    assert.equal(g.GroupName, 'Admins');
    assert.equal(g.Path, '/ops/');
    assert.equal(g.Arn, `arn:aws:iam::${f.accountId}:group/ops/Admins`);
    assert.match(String(g.GroupId), /^AGPA[A-Z2-7]{17}$/);
    const got = await asRoot('GetGroup', { GroupName: 'admins' });
    assert.deepEqual(got.Group, g);
    assert.deepEqual(got.Users, []);
    assert.equal(got.IsTruncated, false);
  });

  const createErrors = [
    { name: 'same name', input: { GroupName: 'Admins' }, code: 'EntityAlreadyExists', message: 'Group with name Admins already exists.' },
    { name: 'same name in another case', input: { GroupName: 'ADMINS' }, code: 'EntityAlreadyExists', message: 'Group with name ADMINS already exists.' },
  ];
  for (const c of createErrors) {
    it(`CreateGroup refuses ${c.name}`, async () => {
      await rejects(asRoot('CreateGroup', c.input), c.code, c.message);
    });
  }

  const notFound = [
    { op: 'GetGroup', input: { GroupName: 'nope' } },
    { op: 'UpdateGroup', input: { GroupName: 'nope', NewPath: '/x/' } },
    { op: 'DeleteGroup', input: { GroupName: 'nope' } },
    { op: 'AddUserToGroup', input: { GroupName: 'nope', UserName: 'x' } },
    { op: 'RemoveUserFromGroup', input: { GroupName: 'nope', UserName: 'x' } },
  ];
  for (const c of notFound) {
    it(`${c.op} of a missing group is NoSuchEntity`, async () => {
      await rejects(asRoot(c.op, c.input), 'NoSuchEntity', 'The group with name nope cannot be found.');
    });
  }

  it('ListGroupsForUser of a missing user is NoSuchEntity', async () => {
    await rejects(asRoot('ListGroupsForUser', { UserName: 'ghost' }), 'NoSuchEntity', 'The user with name ghost cannot be found.');
  });

  it('ListGroups filters by PathPrefix and paginates', async () => {
    for (const n of ['g1', 'g2', 'g3']) await asRoot('CreateGroup', { GroupName: n, Path: '/paged/' });
    const byPrefix = await asRoot('ListGroups', { PathPrefix: '/paged/' });
    assert.deepEqual((byPrefix.Groups as { GroupName: string }[]).map((g) => g.GroupName), ['g1', 'g2', 'g3']);
    const p1 = await asRoot('ListGroups', { PathPrefix: '/paged/', MaxItems: 2 });
    assert.equal(p1.IsTruncated, true);
    assert.deepEqual((p1.Groups as { GroupName: string }[]).map((g) => g.GroupName), ['g1', 'g2']);
    const p2 = await asRoot('ListGroups', { PathPrefix: '/paged/', MaxItems: 2, Marker: p1.Marker });
    assert.equal(p2.IsTruncated, false);
    assert.equal(p2.Marker, undefined);
    assert.deepEqual((p2.Groups as { GroupName: string }[]).map((g) => g.GroupName), ['g3']);
    const all = await asRoot('ListGroups');
    assert.ok((all.Groups as { GroupName: string }[]).some((g) => g.GroupName === 'Admins'));
  });

  it('adds and removes members; GetGroup and ListGroupsForUser paginate them', async () => {
    await asRoot('CreateGroup', { GroupName: 'Team' });
    for (const u of ['ann', 'bob', 'cat']) {
      await asRoot('CreateUser', { UserName: u });
      await asRoot('AddUserToGroup', { GroupName: 'Team', UserName: u });
    }
    await asRoot('AddUserToGroup', { GroupName: 'team', UserName: 'ANN' }); // again: no change
    const p1 = await asRoot('GetGroup', { GroupName: 'Team', MaxItems: 2 });
    assert.deepEqual((p1.Users as { UserName: string }[]).map((u) => u.UserName), ['ann', 'bob']);
    assert.equal(p1.IsTruncated, true);
    const p2 = await asRoot('GetGroup', { GroupName: 'Team', MaxItems: 2, Marker: p1.Marker });
    assert.deepEqual((p2.Users as { UserName: string }[]).map((u) => u.UserName), ['cat']);
    await asRoot('AddUserToGroup', { GroupName: 'Admins', UserName: 'ann' });
    const forUser = await asRoot('ListGroupsForUser', { UserName: 'ann' });
    assert.deepEqual((forUser.Groups as { GroupName: string }[]).map((g) => g.GroupName), ['Admins', 'Team']);

    await asRoot('RemoveUserFromGroup', { GroupName: 'Team', UserName: 'bob' });
    const after = await asRoot('GetGroup', { GroupName: 'Team' });
    assert.deepEqual((after.Users as { UserName: string }[]).map((u) => u.UserName), ['ann', 'cat']);
    await rejects(asRoot('RemoveUserFromGroup', { GroupName: 'Team', UserName: 'bob' }), 'NoSuchEntity', 'The user with name bob cannot be found.');
    await rejects(asRoot('AddUserToGroup', { GroupName: 'Team', UserName: 'nobody' }), 'NoSuchEntity', 'The user with name nobody cannot be found.');
  });

  it(`refuses an 11th group for a user (GroupsPerUser ${MAX_GROUPS_PER_USER}) and writes nothing`, async () => {
    await asRoot('CreateUser', { UserName: 'joiner' });
    for (let i = 0; i < MAX_GROUPS_PER_USER + 1; i++) await asRoot('CreateGroup', { GroupName: `q${i}` });
    for (let i = 0; i < MAX_GROUPS_PER_USER; i++) await asRoot('AddUserToGroup', { GroupName: `q${i}`, UserName: 'joiner' });
    const before = await snapshotOf(ALL_KINDS);
    await rejects(asRoot('AddUserToGroup', { GroupName: `q${MAX_GROUPS_PER_USER}`, UserName: 'joiner' }), 'LimitExceeded', 'Cannot exceed quota for GroupsPerUser: 10');
    assert.equal(await snapshotOf(ALL_KINDS), before);
  });

  it('DeleteGroup refuses while the group has members, inline or attached policies', async () => {
    await asRoot('CreateGroup', { GroupName: 'Busy' });
    await asRoot('CreateUser', { UserName: 'member' });
    await asRoot('AddUserToGroup', { GroupName: 'Busy', UserName: 'member' });
    await rejects(asRoot('DeleteGroup', { GroupName: 'Busy' }), 'DeleteConflict', 'Cannot delete entity, must remove users from group first.');
    await asRoot('RemoveUserFromGroup', { GroupName: 'Busy', UserName: 'member' });
    await asRoot('PutGroupPolicy', { GroupName: 'Busy', PolicyName: 'inline', PolicyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}' });
    await rejects(asRoot('DeleteGroup', { GroupName: 'Busy' }), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await asRoot('DeleteGroupPolicy', { GroupName: 'Busy', PolicyName: 'inline' });
    await asRoot('AttachGroupPolicy', { GroupName: 'Busy', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await rejects(asRoot('DeleteGroup', { GroupName: 'Busy' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await asRoot('DetachGroupPolicy', { GroupName: 'Busy', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await asRoot('DeleteGroup', { GroupName: 'Busy' });
    await rejects(asRoot('GetGroup', { GroupName: 'Busy' }), 'NoSuchEntity');
  });

  it('UpdateGroup renames, moving memberships, inline policies and attachments', async () => {
    await asRoot('CreateGroup', { GroupName: 'Old', Path: '/a/' });
    await asRoot('CreateUser', { UserName: 'mover' });
    await asRoot('AddUserToGroup', { GroupName: 'Old', UserName: 'mover' });
    await asRoot('PutGroupPolicy', { GroupName: 'Old', PolicyName: 'inline', PolicyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}' });
    await asRoot('AttachGroupPolicy', { GroupName: 'Old', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await asRoot('UpdateGroup', { GroupName: 'Old', NewGroupName: 'New', NewPath: '/b/' });

    await rejects(asRoot('GetGroup', { GroupName: 'Old' }), 'NoSuchEntity');
    const got = await asRoot('GetGroup', { GroupName: 'New' });
    assert.equal((got.Group as { Arn: string }).Arn, `arn:aws:iam::${f.accountId}:group/b/New`);
    assert.deepEqual((got.Users as { UserName: string }[]).map((u) => u.UserName), ['mover']);
    const forUser = await asRoot('ListGroupsForUser', { UserName: 'mover' });
    assert.deepEqual((forUser.Groups as { GroupName: string }[]).map((g) => g.GroupName), ['New']);
    assert.deepEqual((await asRoot('ListGroupPolicies', { GroupName: 'New' })).PolicyNames, ['inline']);
    const attached = await asRoot('ListAttachedGroupPolicies', { GroupName: 'New' });
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }]);
    const entities = await asRoot('ListEntitiesForPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', EntityFilter: 'Group' });
    assert.deepEqual((entities.PolicyGroups as { GroupName: string }[]).map((g) => g.GroupName), ['New']);
    const membership = await f.store.read((tx) => tx.get<MembershipDoc>(KIND.userGroup, f.accountId, 'mover|new'));
    assert.deepEqual(membership?.data, { UserName: 'mover', GroupName: 'New' });
    // The authorization snapshot sees the member's policies through the renamed group.
    assert.equal(f.runtime.snapshot.user(f.accountId, 'mover')?.policies.identity.length, 2);
  });

  it('UpdateGroup refuses a name taken by another group and writes nothing', async () => {
    await asRoot('CreateGroup', { GroupName: 'Taken1' });
    await asRoot('CreateGroup', { GroupName: 'Taken2' });
    const before = await snapshotOf(ALL_KINDS);
    await rejects(asRoot('UpdateGroup', { GroupName: 'Taken1', NewGroupName: 'TAKEN2' }), 'EntityAlreadyExists', 'Group with name TAKEN2 already exists.');
    assert.equal(await snapshotOf(ALL_KINDS), before);
  });

  it('UpdateGroup changes only the case of the name in place', async () => {
    await asRoot('CreateGroup', { GroupName: 'casey' });
    await asRoot('UpdateGroup', { GroupName: 'casey', NewGroupName: 'Casey' });
    assert.equal(((await asRoot('GetGroup', { GroupName: 'casey' })).Group as { GroupName: string }).GroupName, 'Casey');
  });

  describe('authorization', () => {
    let alice: Caller;
    before(async () => {
      alice = await f.userCaller('alice', [
        { Effect: 'Allow', Action: ['iam:GetGroup', 'iam:ListGroups', 'iam:AddUserToGroup'], Resource: '*' },
        { Effect: 'Allow', Action: 'iam:CreateGroup', Resource: `arn:aws:iam::*:group/dev/*` },
        { Effect: 'Allow', Action: 'iam:UpdateGroup', Resource: `arn:aws:iam::*:group/dev/*` },
      ]);
    });

    const cases = [
      { name: 'CreateGroup on an allowed path', op: 'CreateGroup', input: { GroupName: 'devs', Path: '/dev/' }, allowed: true },
      { name: 'CreateGroup elsewhere', op: 'CreateGroup', input: { GroupName: 'prod', Path: '/prod/' }, allowed: false, action: 'iam:CreateGroup', resource: 'group/prod/prod' },
      { name: 'GetGroup', op: 'GetGroup', input: { GroupName: 'Admins' }, allowed: true },
      { name: 'DeleteGroup', op: 'DeleteGroup', input: { GroupName: 'Admins' }, allowed: false, action: 'iam:DeleteGroup', resource: 'group/ops/Admins' },
      { name: 'RemoveUserFromGroup', op: 'RemoveUserFromGroup', input: { GroupName: 'Team', UserName: 'ann' }, allowed: false, action: 'iam:RemoveUserFromGroup', resource: 'group/Team' },
      { name: 'UpdateGroup to a path outside the grant', op: 'UpdateGroup', input: { GroupName: 'devs', NewPath: '/prod/' }, allowed: false, action: 'iam:UpdateGroup', resource: 'group/prod/devs' },
      { name: 'DeleteGroup of a missing group (no existence leak)', op: 'DeleteGroup', input: { GroupName: 'ghost' }, allowed: false, action: 'iam:DeleteGroup', resource: 'group/ghost' },
    ];
    for (const c of cases) {
      it(`${c.allowed ? 'allows' : 'denies'} ${c.name}`, async () => {
        const p = call(alice, c.op, c.input);
        if (c.allowed) { await p; return; }
        const arn = `arn:aws:iam::${f.accountId}:${c.resource}`;
        await rejects(p, 'AccessDenied', new RegExp(`^User: arn:aws:iam::${f.accountId}:user/alice is not authorized to perform: ${c.action} on resource: ${arn.replace(/[/.*]/g, '\\$&')}`));
      });
    }
  });

  it(`refuses a group beyond GroupsPerAccount ${MAX_GROUPS} and writes nothing`, async () => {
    const existing = await f.store.read((tx) => tx.count(KIND.group, f.accountId));
    const names = Array.from({ length: MAX_GROUPS - existing }, (_, i) => `filler${i}`);
    await f.store.transaction(async (tx) => {
      for (const n of names) {
        const d: GroupDoc = { GroupName: n, GroupId: newId('AGPA'), Arn: iamArn(f.accountId, 'group', '/', n), Path: '/', CreateDate: isoNow() };
        await tx.insert({ kind: KIND.group, account: f.accountId, key: n, id: d.GroupId, data: d });
      }
    });
    const before = await snapshotOf(ALL_KINDS);
    await rejects(asRoot('CreateGroup', { GroupName: 'one-too-many' }), 'LimitExceeded', `Cannot exceed quota for GroupsPerAccount: ${MAX_GROUPS}`);
    assert.equal(await snapshotOf(ALL_KINDS), before);
    await f.store.transaction(async (tx) => { for (const n of names) await tx.delete(KIND.group, f.accountId, n); });
  });
});
