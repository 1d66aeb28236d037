import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller, OperationTable } from '../types.js';
import { policySize } from './common.js';
import { KIND, iamArn, isoNow, newId, ownerKey, type InlinePolicyDoc, type RoleDoc } from './entities.js';
import { groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { userOperations } from './users.js';
import { openIamFixture, policyDoc as doc, rejects, type IamFixture } from './iam-fixture.js';

const ops: OperationTable = { ...userOperations, ...groupOperations, ...inlinePolicyOperations };

let f: IamFixture;
before(async () => { f = await openIamFixture(ops); });
after(async () => { await f.close(); });

const call = (caller: Caller, op: string, input: Record<string, unknown> = {}) => f.call(caller, op, input);
const asRoot = (op: string, input: Record<string, unknown> = {}) => f.asRoot(op, input);

/** A valid identity policy of exactly `size` non-whitespace characters (size ≥ 120). */
function docOfSize(size: number): string {
  const base = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/' });
  const padded = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/' + 'x'.repeat(size - policySize(base)) });
  assert.equal(policySize(padded), size);
  return padded;
}

async function dump(): Promise<string> {
  return f.store.read(async (tx) => JSON.stringify(await tx.list(KIND.inlinePolicy, f.accountId)));
}

async function insertRole(name: string, extra: Partial<RoleDoc> = {}): Promise<void> {
  const d: RoleDoc = {
    RoleName: name, RoleId: newId('AROA'), Arn: iamArn(f.accountId, 'role', '/', name), Path: '/', CreateDate: isoNow(),
    AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}', MaxSessionDuration: 3600, Tags: [], ...extra,
  };
  await f.store.transaction((tx) => tx.insert({ kind: KIND.role, account: f.accountId, key: name, id: d.RoleId, data: d }));
  await f.runtime.afterWrite();
}

const OWNERS = [
  { type: 'user', title: 'User', member: 'UserName', name: 'alice', limit: 2048 },
  { type: 'group', title: 'Group', member: 'GroupName', name: 'devs', limit: 5120 },
  { type: 'role', title: 'Role', member: 'RoleName', name: 'worker', limit: 10240 },
] as const;

describe('inline policies', () => {
  before(async () => {
    await asRoot('CreateUser', { UserName: 'alice' });
    await asRoot('CreateGroup', { GroupName: 'devs' });
    await insertRole('worker');
    await insertRole('AWSServiceRoleForThing', { ServiceLinked: 'thing.amazonaws.com' });
  });

  for (const o of OWNERS) {
    describe(`of a ${o.type}`, () => {
      const put = (input: Record<string, unknown>) => asRoot(`Put${o.title}Policy`, { [o.member]: o.name, ...input });

      it('puts, gets (URL-encoded), replaces, lists and deletes', async () => {
        const text = doc({ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::bucket/*' });
        await put({ PolicyName: 'read', PolicyDocument: text });
        const got = await asRoot(`Get${o.title}Policy`, { [o.member]: o.name.toUpperCase(), PolicyName: 'read' });
        assert.deepEqual(got, { [o.member]: o.name, PolicyName: 'read', PolicyDocument: encodeURIComponent(text).replace(/\*/g, '%2A') });
        const replaced = doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' });
        await put({ PolicyName: 'read', PolicyDocument: replaced });
        assert.equal(decodeURIComponent(String((await asRoot(`Get${o.title}Policy`, { [o.member]: o.name, PolicyName: 'read' })).PolicyDocument)), replaced);
        await put({ PolicyName: 'write', PolicyDocument: text });
        await put({ PolicyName: 'admin', PolicyDocument: text });
        const p1 = await asRoot(`List${o.title}Policies`, { [o.member]: o.name, MaxItems: 2 });
        assert.deepEqual(p1.PolicyNames, ['admin', 'read']);
        assert.equal(p1.IsTruncated, true);
        const p2 = await asRoot(`List${o.title}Policies`, { [o.member]: o.name, MaxItems: 2, Marker: p1.Marker });
        assert.deepEqual(p2.PolicyNames, ['write']);
        assert.equal(p2.IsTruncated, false);
        for (const n of ['admin', 'read', 'write']) await asRoot(`Delete${o.title}Policy`, { [o.member]: o.name, PolicyName: n });
        assert.deepEqual((await asRoot(`List${o.title}Policies`, { [o.member]: o.name })).PolicyNames, []);
      });

      it('is NoSuchEntity for a missing owner or policy', async () => {
        const text = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
        const missingOwner = `The ${o.type} with name ghost cannot be found.`;
        await rejects(asRoot(`Put${o.title}Policy`, { [o.member]: 'ghost', PolicyName: 'p', PolicyDocument: text }), 'NoSuchEntity', missingOwner);
        await rejects(asRoot(`Get${o.title}Policy`, { [o.member]: 'ghost', PolicyName: 'p' }), 'NoSuchEntity', missingOwner);
        await rejects(asRoot(`List${o.title}Policies`, { [o.member]: 'ghost' }), 'NoSuchEntity', missingOwner);
        const missingPolicy = `The ${o.type} policy with name nope cannot be found.`;
        await rejects(asRoot(`Get${o.title}Policy`, { [o.member]: o.name, PolicyName: 'nope' }), 'NoSuchEntity', missingPolicy);
        await rejects(asRoot(`Delete${o.title}Policy`, { [o.member]: o.name, PolicyName: 'nope' }), 'NoSuchEntity', missingPolicy);
      });

      it(`limits the aggregate size to ${o.limit} characters, whitespace not counted, and writes nothing when over`, async () => {
        const half = Math.floor(o.limit / 2);
        await put({ PolicyName: 'a', PolicyDocument: docOfSize(half) });
        // Pretty-printed: far more characters than the limit allows, but not without whitespace.
        const spaced = JSON.stringify(JSON.parse(docOfSize(o.limit - half)), null, 40);
        assert.ok(spaced.length + half > o.limit);
        await put({ PolicyName: 'b', PolicyDocument: spaced });
        // Replacing a policy counts its new size, not old + new.
        await put({ PolicyName: 'b', PolicyDocument: docOfSize(o.limit - half) });
        const before = await dump();
        await rejects(put({ PolicyName: 'c', PolicyDocument: docOfSize(120) }), 'LimitExceeded', `Maximum policy size of ${o.limit} bytes exceeded for ${o.type} ${o.name}`);
        await rejects(put({ PolicyName: 'b', PolicyDocument: docOfSize(o.limit - half + 1) }), 'LimitExceeded');
        assert.equal(await dump(), before);
        await asRoot(`Delete${o.title}Policy`, { [o.member]: o.name, PolicyName: 'a' });
        await asRoot(`Delete${o.title}Policy`, { [o.member]: o.name, PolicyName: 'b' });
      });

      const malformed = [
        { name: 'not JSON', text: '{"Version":', message: 'Syntax errors in policy.' },
        { name: 'a bad Version', text: JSON.stringify({ Version: '2020-01-01', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }), message: 'The policy must contain a valid version string' },
        { name: 'a Principal', text: doc({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }), message: 'Policy document should not specify a principal.' },
        { name: 'no Effect', text: doc({ Action: 's3:*', Resource: '*' }), message: 'Missing required field Effect' },
      ];
      for (const m of malformed) {
        it(`refuses a document with ${m.name} as MalformedPolicyDocument`, async () => {
          const before = await dump();
          await rejects(put({ PolicyName: 'bad', PolicyDocument: m.text }), 'MalformedPolicyDocument', m.message);
          assert.equal(await dump(), before);
        });
      }
    });
  }

  it('the exact AWS message for a user over 2,048', async () => {
    await rejects(
      asRoot('PutUserPolicy', { UserName: 'alice', PolicyName: 'big', PolicyDocument: docOfSize(2049) }),
      'LimitExceeded', 'Maximum policy size of 2048 bytes exceeded for user alice',
    );
  });

  it('refuses changes to service-linked roles', async () => {
    await rejects(
      asRoot('PutRolePolicy', { RoleName: 'AWSServiceRoleForThing', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }),
      'UnmodifiableEntity',
    );
  });

  it('a group inline policy applies to its members; deleting it takes it away', async () => {
    await asRoot('CreateUser', { UserName: 'member' });
    await asRoot('AddUserToGroup', { GroupName: 'devs', UserName: 'member' });
    const member = await f.keyCaller('member');
    await rejects(call(member, 'ListGroups'), 'AccessDenied');
    await asRoot('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'list', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListGroups', Resource: '*' }) });
    await call(member, 'ListGroups');
    await asRoot('DeleteGroupPolicy', { GroupName: 'devs', PolicyName: 'list' });
    await rejects(call(member, 'ListGroups'), 'AccessDenied');
  });

  it('stores the document as submitted with the owner named in the entity', async () => {
    const text = '{ "Version": "2012-10-17", "Statement": { "Effect": "Allow", "Action": "s3:*", "Resource": "*" } }';
    await asRoot('PutUserPolicy', { UserName: 'ALICE', PolicyName: 'Stored', PolicyDocument: text });
    const e = await f.store.read((tx) => tx.get<InlinePolicyDoc>(KIND.inlinePolicy, f.accountId, `${ownerKey('user', 'alice')}|stored`));
    assert.deepEqual(e?.data, { OwnerType: 'user', OwnerName: 'alice', PolicyName: 'Stored', PolicyDocument: text });
    assert.equal(e?.parent, 'user:alice');
    await asRoot('DeleteUserPolicy', { UserName: 'alice', PolicyName: 'stored' });
  });

  describe('authorization', () => {
    let bob: Caller;
    before(async () => {
      await asRoot('CreateUser', { UserName: 'bob' });
      await asRoot('PutUserPolicy', {
        UserName: 'bob', PolicyName: 'self',
        PolicyDocument: doc(
          { Effect: 'Allow', Action: ['iam:GetUserPolicy', 'iam:ListUserPolicies'], Resource: `arn:aws:iam::*:user/\${aws:username}` },
          { Effect: 'Allow', Action: 'iam:PutGroupPolicy', Resource: '*' },
          { Effect: 'Deny', Action: 'iam:PutGroupPolicy', Resource: 'arn:aws:iam::*:group/devs' },
        ),
      });
      bob = await f.keyCaller('bob');
      await asRoot('CreateGroup', { GroupName: 'others' });
    });

    const text = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    const cases = [
      { name: 'reading his own policies', op: 'GetUserPolicy', input: { UserName: 'bob', PolicyName: 'self' }, allowed: true },
      { name: 'listing his own policies', op: 'ListUserPolicies', input: { UserName: 'bob' }, allowed: true },
      { name: 'reading another user\'s policies', op: 'ListUserPolicies', input: { UserName: 'alice' }, allowed: false, action: 'iam:ListUserPolicies', resource: 'user/alice' },
      { name: 'putting a policy on another group', op: 'PutGroupPolicy', input: { GroupName: 'others', PolicyName: 'p', PolicyDocument: text }, allowed: true },
      { name: 'putting a policy on a denied group', op: 'PutGroupPolicy', input: { GroupName: 'devs', PolicyName: 'p', PolicyDocument: text }, allowed: false, action: 'iam:PutGroupPolicy', resource: 'group/devs' },
      { name: 'putting a policy on himself', op: 'PutUserPolicy', input: { UserName: 'bob', PolicyName: 'escalate', PolicyDocument: text }, allowed: false, action: 'iam:PutUserPolicy', resource: 'user/bob' },
    ];
    for (const c of cases) {
      it(`${c.allowed ? 'allows' : 'denies'} ${c.name}`, async () => {
        const before = await dump();
        const p = call(bob, c.op, c.input);
        if (c.allowed) { await p; return; }
        await rejects(p, 'AccessDenied', new RegExp(`^User: arn:aws:iam::${f.accountId}:user/bob is not authorized to perform: ${c.action} on resource: arn:aws:iam::${f.accountId}:${c.resource}`));
        assert.equal(await dump(), before);
      });
    }
  });
});
