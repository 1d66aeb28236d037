import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsErrorOf, openOrgFixture, policyText, type OrgFixture } from './org-fixture.js';

type Obj = Record<string, any>;

describe('Organizations handshakes and resource policy', () => {
  let f: OrgFixture;
  let orgId: string;
  let rootId: string;
  const S = '300000000001';
  const T = '300000000002';
  const U = '300000000003';

  before(async () => {
    f = await openOrgFixture();
    for (const a of [S, T, U]) await f.addAccount(a);
    orgId = ((await f.org('CreateOrganization', f.root())).Organization as Obj).Id;
    rootId = ((await f.org('ListRoots', f.root())).Roots as Obj[])[0].Id;
    await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  });
  after(async () => { await f.close(); });

  it('an invited standalone account sees, describes and accepts the invitation and joins as INVITED', async () => {
    const h = (await f.org('InviteAccountToOrganization', f.root(), { Target: { Id: S, Type: 'ACCOUNT' }, Notes: 'welcome' })).Handshake as Obj;
    assert.match(h.Id, /^h-[a-z0-9]{10}$/);
    assert.equal(h.Arn, `arn:aws:organizations::${f.mgmt}:handshake/${orgId}/invite/${h.Id}`);
    assert.equal(h.State, 'OPEN');
    assert.equal(h.Action, 'INVITE');
    assert.deepEqual(h.Parties, [{ Id: orgId.slice(2), Type: 'ORGANIZATION' }, { Id: S, Type: 'ACCOUNT' }]);
    const dup = await awsErrorOf(() => f.org('InviteAccountToOrganization', f.root(), { Target: { Id: S, Type: 'ACCOUNT' } }));
    assert.equal(dup.code, 'DuplicateHandshakeException');
    const mine = (await f.org('ListHandshakesForAccount', f.root(S))).Handshakes as Obj[];
    assert.deepEqual(mine.map((x) => x.Id), [h.Id]);
    assert.equal(((await f.org('DescribeHandshake', f.root(S), { HandshakeId: h.Id })).Handshake as Obj).State, 'OPEN');
    const other = await awsErrorOf(() => f.org('DescribeHandshake', f.root(T), { HandshakeId: h.Id }));
    assert.equal(other.code, 'HandshakeNotFoundException');
    const accepted = (await f.org('AcceptHandshake', f.root(S), { HandshakeId: h.Id })).Handshake as Obj;
    assert.equal(accepted.State, 'ACCEPTED');
    const d = (await f.org('DescribeAccount', f.root(), { AccountId: S })).Account as Obj;
    assert.equal(d.JoinedMethod, 'INVITED');
    assert.deepEqual(d.Paths, [`${orgId}/${rootId}/${S}/`]);
    const ps = (await f.org('ListPoliciesForTarget', f.root(), { TargetId: S, Filter: 'SERVICE_CONTROL_POLICY' })).Policies as Obj[];
    assert.deepEqual(ps.map((p) => p.Id), ['p-FullAWSAccess']);
    assert.equal(f.runtime.snapshot.organization().orgId(S), orgId);
    assert.equal(f.runtime.snapshot.organization().scpLevels(S)?.length, 2);
    const again = await awsErrorOf(() => f.org('AcceptHandshake', f.root(S), { HandshakeId: h.Id }));
    assert.equal(again.code, 'HandshakeAlreadyInStateException');
    const member = await awsErrorOf(() => f.org('InviteAccountToOrganization', f.root(), { Target: { Id: S, Type: 'ACCOUNT' } }));
    assert.equal(member.code, 'HandshakeConstraintViolationException');
    assert.equal(member.fields.Reason, 'ALREADY_IN_AN_ORGANIZATION');
  });

  it('SCPs apply to the invited account once it joined', async () => {
    const p = (await f.org('CreatePolicy', f.root(), {
      Content: policyText([{ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }]), Name: 'NoUsers', Description: '', Type: 'SERVICE_CONTROL_POLICY',
    })).Policy as Obj;
    await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: S });
    const e = await awsErrorOf(() => f.runtime.operations.iam.CreateUser(f.root(S), { UserName: 'x' }));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /with an explicit deny in a service control policy: arn:aws:organizations::\d{12}:policy\/o-[a-z0-9]+\/service_control_policy\/p-/);
  });

  it('a declined invitation cannot be canceled any more; a canceled one cannot be accepted', async () => {
    const h1 = (await f.org('InviteAccountToOrganization', f.root(), { Target: { Id: T, Type: 'ACCOUNT' } })).Handshake as Obj;
    assert.equal(((await f.org('DeclineHandshake', f.root(T), { HandshakeId: h1.Id })).Handshake as Obj).State, 'DECLINED');
    const e1 = await awsErrorOf(() => f.org('CancelHandshake', f.root(), { HandshakeId: h1.Id }));
    assert.equal(e1.code, 'InvalidHandshakeTransitionException');
    const h2 = (await f.org('InviteAccountToOrganization', f.root(), { Target: { Id: U, Type: 'ACCOUNT' } })).Handshake as Obj;
    assert.equal(((await f.org('CancelHandshake', f.root(), { HandshakeId: h2.Id })).Handshake as Obj).State, 'CANCELED');
    const e2 = await awsErrorOf(() => f.org('AcceptHandshake', f.root(U), { HandshakeId: h2.Id }));
    assert.equal(e2.code, 'InvalidHandshakeTransitionException');
    const all = (await f.org('ListHandshakesForOrganization', f.root(), { Filter: { ActionType: 'INVITE' } })).Handshakes as Obj[];
    assert.deepEqual(all.map((x) => x.State).sort(), ['ACCEPTED', 'CANCELED', 'DECLINED']);
    const e3 = await awsErrorOf(() => f.org('DescribeHandshake', f.root(), { HandshakeId: 'h-0000000000' }));
    assert.equal(e3.code, 'HandshakeNotFoundException');
  });

  it('EnableAllFeatures: a consolidated-billing organization migrates once invited members approve', async () => {
    // T (declined above) creates its own organization with consolidated billing only, and invites U.
    const o2 = ((await f.org('CreateOrganization', f.root(T), { FeatureSet: 'CONSOLIDATED_BILLING' })).Organization as Obj);
    assert.equal(o2.FeatureSet, 'CONSOLIDATED_BILLING');
    const r2 = ((await f.org('ListRoots', f.root(T))).Roots as Obj[])[0].Id;
    const e0 = await awsErrorOf(() => f.org('EnablePolicyType', f.root(T), { RootId: r2, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    assert.equal(e0.fields.Reason, 'ORGANIZATION_NOT_IN_ALL_FEATURES_MODE');
    const inv = (await f.org('InviteAccountToOrganization', f.root(T), { Target: { Id: U, Type: 'ACCOUNT' } })).Handshake as Obj;
    await f.org('AcceptHandshake', f.root(U), { HandshakeId: inv.Id });
    const parent = (await f.org('EnableAllFeatures', f.root(T))).Handshake as Obj;
    assert.equal(parent.Action, 'ENABLE_ALL_FEATURES');
    const approve = ((await f.org('ListHandshakesForAccount', f.root(U), { Filter: { ActionType: 'APPROVE_ALL_FEATURES' } })).Handshakes as Obj[]);
    assert.equal(approve.length, 1);
    const early = await awsErrorOf(() => f.org('AcceptHandshake', f.root(T), { HandshakeId: parent.Id }));
    assert.equal(early.code, 'HandshakeConstraintViolationException');
    await f.org('AcceptHandshake', f.root(U), { HandshakeId: approve[0].Id });
    await f.org('AcceptHandshake', f.root(T), { HandshakeId: parent.Id });
    assert.equal(((await f.org('DescribeOrganization', f.root(T))).Organization as Obj).FeatureSet, 'ALL');
    const e = await awsErrorOf(() => f.org('EnableAllFeatures', f.root(T)));
    assert.equal(e.fields.Reason, 'ORGANIZATION_ALREADY_HAS_ALL_FEATURES');
    // The two organizations stay apart.
    assert.equal(f.runtime.snapshot.organization().orgId(U), o2.Id);
    assert.equal(f.runtime.snapshot.organization().managementAccountId(U), T);
  });

  it('the delegation policy opens policy management to a member account, within its own IAM policies', async () => {
    const tagPolicy = JSON.stringify({ tags: { team: { tag_key: { '@@assign': 'Team' } } } });
    const create = (ctx: ReturnType<OrgFixture['root']>, type: string, name: string) =>
      f.org('CreatePolicy', ctx, { Content: type === 'TAG_POLICY' ? tagPolicy : policyText([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]), Name: name, Description: '', Type: type });
    const before = await awsErrorOf(() => create(f.root(S), 'TAG_POLICY', 'ByS0'));
    assert.equal(before.code, 'AccessDeniedException');
    await f.org('PutResourcePolicy', f.root(), {
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Read', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:root` }, Action: ['organizations:Describe*', 'organizations:List*'], Resource: '*' },
          {
            Sid: 'TagPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:root` },
            Action: ['organizations:CreatePolicy', 'organizations:UpdatePolicy', 'organizations:DeletePolicy'], Resource: '*',
            Condition: { StringEquals: { 'organizations:PolicyType': 'TAG_POLICY' } },
          },
        ],
      }),
    });
    const p = (await create(f.root(S), 'TAG_POLICY', 'ByS')).Policy as Obj;
    assert.equal(p.PolicySummary.Type, 'TAG_POLICY');
    const scp = await awsErrorOf(() => create(f.root(S), 'SERVICE_CONTROL_POLICY', 'ScpByS'));
    assert.equal(scp.code, 'AccessDeniedException');
    const listed = (await f.org('ListPolicies', f.root(S), { Filter: 'TAG_POLICY' })).Policies as Obj[];
    assert.ok(listed.some((x) => x.Name === 'ByS'));
    const accounts = (await f.org('ListAccounts', f.root(S))).Accounts as Obj[];
    assert.ok(accounts.some((x) => x.Id === f.mgmt));
    // The member's own IAM policies still apply: a user without any is refused.
    await f.addUser('noperms', [], S);
    const user = await awsErrorOf(async () => f.org('ListPolicies', await f.user('noperms', S), { Filter: 'TAG_POLICY' }));
    assert.equal(user.code, 'AccessDeniedException');
    await f.org('DeletePolicy', f.root(S), { PolicyId: p.PolicySummary.Id });
    await f.org('DeleteResourcePolicy', f.root());
    const after = await awsErrorOf(() => f.org('ListPolicies', f.root(S), { Filter: 'TAG_POLICY' }));
    assert.equal(after.code, 'AccessDeniedException');
  });

  it('stores, describes and deletes the resource-based delegation policy', async () => {
    const e = await awsErrorOf(() => f.org('DescribeResourcePolicy', f.root()));
    assert.equal(e.code, 'ResourcePolicyNotFoundException');
    const content = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:root` }, Action: ['organizations:Describe*', 'organizations:List*'], Resource: '*' }],
    });
    const put = (await f.org('PutResourcePolicy', f.root(), { Content: content })).ResourcePolicy as Obj;
    assert.match(put.ResourcePolicySummary.Arn, new RegExp(`^arn:aws:organizations::${f.mgmt}:resourcepolicy/${orgId}/rp-[a-z0-9]{8}$`));
    const got = (await f.org('DescribeResourcePolicy', f.root())).ResourcePolicy as Obj;
    assert.equal(got.Content, content);
    const bad = await awsErrorOf(() => f.org('PutResourcePolicy', f.root(), { Content: '{' }));
    assert.equal(bad.fields.Reason, 'INVALID_RESOURCE_POLICY_JSON');
    const notAction = await awsErrorOf(() => f.org('PutResourcePolicy', f.root(), {
      Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:root` }, NotAction: 'organizations:DeleteOrganization', Resource: '*' }] }),
    }));
    assert.equal(notAction.code, 'InvalidInputException');
    await f.org('DeleteResourcePolicy', f.root());
    const gone = await awsErrorOf(() => f.org('DeleteResourcePolicy', f.root()));
    assert.equal(gone.code, 'ResourcePolicyNotFoundException');
  });
});
