// SCPs and RCPs enforced on real calls through the runtime and the authorization snapshot:
// detaching FullAWSAccess, moving accounts (seen by another node within a second), the
// region-lock SCP, the management account, member roots, RCPs on role assumption and the
// organization condition keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallContext, Caller } from '../types.js';
import type { ServiceRuntime } from '../runtime.js';
import { awsErrorOf, openOrgFixture, policyText, type OrgFixture } from './org-fixture.js';
import { issueSessionCredentials } from '../sts/credentials.js';
import { KIND, type RoleDoc } from '../iam/entities.js';

type Obj = Record<string, any>;

const REGION_LOCK = policyText([{
  Effect: 'Deny',
  NotAction: [
    'iam:*', 'sts:*', 'organizations:*', 'cloudfront:*', 'route53:*', 'support:*', 'budgets:*', 'globalaccelerator:*',
    'health:*', 'trustedadvisor:*', 'waf:*',
  ],
  Resource: '*',
  Condition: {
    StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-west-2'] },
    ArnNotLike: { 'aws:PrincipalARN': ['arn:aws:iam::*:role/SecurityAuditorRole'] },
  },
}]);

describe('Organizations enforcement', () => {
  let f: OrgFixture;
  let orgId: string;
  let rootId: string;
  let ouW: string;
  let dev: string;
  let other: string;
  let devSession: Caller;
  let node2: { runtime: ServiceRuntime; close(): Promise<void> };

  const listUsers = (ctx: CallContext) => f.runtime.operations.iam.ListUsers(ctx, {});
  const accessRole = (account: string) => `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`;

  async function createAccount(name: string): Promise<string> {
    const s = (await f.org('CreateAccount', f.root(), { Email: `${name}@example.com`, AccountName: name })).CreateAccountStatus as Obj;
    return ((await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj).AccountId;
  }

  /** Polls `check` on node 2 until it holds; fails after `ms`. Returns the time it took. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    for (;;) {
      if (await check()) return Date.now() - start;
      if (Date.now() - start > ms) assert.fail(`not seen within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function deniedOn(rt: ServiceRuntime, caller: Caller): Promise<boolean> {
    try {
      await rt.operations.iam.ListUsers(f.ctx(caller, 'us-east-1', rt), {});
      return false;
    } catch (e) {
      return (e as { code?: string }).code === 'AccessDenied';
    }
  }

  before(async () => {
    f = await openOrgFixture();
    node2 = await f.openNode();
    orgId = ((await f.org('CreateOrganization', f.root())).Organization as Obj).Id;
    rootId = ((await f.org('ListRoots', f.root())).Roots as Obj[])[0].Id;
    await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
    ouW = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Workloads' })).OrganizationalUnit as Obj).Id;
    dev = await createAccount('dev');
    other = await createAccount('other');
    await f.org('MoveAccount', f.root(), { AccountId: dev, SourceParentId: rootId, DestinationParentId: ouW });
    await f.addUser('admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    devSession = await f.assume(await f.user('admin'), accessRole(dev));
  });
  after(async () => {
    await node2.close();
    await f.close();
  });

  it('with FullAWSAccess everywhere, the OrganizationAccountAccessRole session administers the member account', async () => {
    assert.equal(devSession.accountId, dev);
    assert.equal(devSession.principal.arn, `arn:aws:sts::${dev}:assumed-role/OrganizationAccountAccessRole/org-test`);
    await listUsers(f.ctx(devSession));
  });

  describe('detaching FullAWSAccess from an OU', () => {
    let allowS3: string;
    before(async () => {
      allowS3 = ((await f.org('CreatePolicy', f.root(), {
        Content: policyText([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]), Name: 'AllowS3Only', Description: '', Type: 'SERVICE_CONTROL_POLICY',
      })).Policy as Obj).PolicySummary.Id;
      await node2.runtime.afterWrite();
      assert.equal(await deniedOn(node2.runtime, devSession), false, 'node 2 allows before the change');
      await f.org('AttachPolicy', f.root(), { PolicyId: allowS3, TargetId: ouW });
      await f.org('DetachPolicy', f.root(), { PolicyId: 'p-FullAWSAccess', TargetId: ouW });
    });

    it('denies everything else below it, naming the SCP layer', async () => {
      const e = await awsErrorOf(() => listUsers(f.ctx(devSession)));
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.message, `User: ${devSession.principal.arn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${dev}:user/ because no service control policy allows the iam:ListUsers action`);
      // What the SCPs still allow works.
      f.ctx(devSession).authorize('s3:GetObject', 'arn:aws:s3:::bucket/key');
    });

    it('denies the member account\'s root user too', async () => {
      const e = await awsErrorOf(() => listUsers(f.root(dev)));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /because no service control policy allows the iam:ListUsers action$/);
    });

    it('leaves the management account and accounts outside the OU unaffected', async () => {
      await listUsers(f.root());
      await listUsers(await f.user('admin'));
      await listUsers(f.root(other));
    });

    it('is seen by another node within one second', async () => {
      const ms = await within(1000, () => deniedOn(node2.runtime, devSession));
      assert.ok(ms <= 1000);
    });

    it('moving the account out of the OU restores access, on both nodes within one second', async () => {
      await f.org('MoveAccount', f.root(), { AccountId: dev, SourceParentId: ouW, DestinationParentId: rootId });
      await listUsers(f.ctx(devSession));
      await within(1000, async () => !(await deniedOn(node2.runtime, devSession)));
      await f.org('MoveAccount', f.root(), { AccountId: dev, SourceParentId: rootId, DestinationParentId: ouW });
      await within(1000, () => deniedOn(node2.runtime, devSession));
      assert.equal(await deniedOn(f.runtime, devSession), true);
    });

    after(async () => {
      await f.org('AttachPolicy', f.root(), { PolicyId: 'p-FullAWSAccess', TargetId: ouW });
      await f.org('DetachPolicy', f.root(), { PolicyId: allowS3, TargetId: ouW });
    });
  });

  let regionLockId: string;
  let auditor: Caller;
  describe('the region-lock SCP on the root', () => {
    let scpArn: string;
    before(async () => {
      const p = (await f.org('CreatePolicy', f.root(), { Content: REGION_LOCK, Name: 'RegionLock', Description: 'EU only', Type: 'SERVICE_CONTROL_POLICY' })).Policy as Obj;
      scpArn = p.PolicySummary.Arn;
      regionLockId = p.PolicySummary.Id;
      await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: rootId });
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${f.mgmt}:root` }, Action: 'sts:AssumeRole' }] };
      await f.addRole('SecurityAuditorRole', trust, [{ Effect: 'Allow', Action: '*', Resource: '*' }], dev);
      auditor = await f.assume(await f.user('admin'), `arn:aws:iam::${dev}:role/SecurityAuditorRole`);
    });

    const cases: { name: string; who: 'devRole' | 'devRoot' | 'auditor' | 'mgmtRoot' | 'mgmtAdmin'; region: string; action: string; resource: string; allowed: boolean }[] = [
      { name: 'member role, S3 in us-east-1', who: 'devRole', region: 'us-east-1', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', allowed: false },
      { name: 'member role, S3 in eu-west-1', who: 'devRole', region: 'eu-west-1', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', allowed: true },
      { name: 'member role, EC2 in eu-west-2', who: 'devRole', region: 'eu-west-2', action: 'ec2:DescribeInstances', resource: '*', allowed: true },
      { name: 'member role, EC2 in eu-central-1', who: 'devRole', region: 'eu-central-1', action: 'ec2:DescribeInstances', resource: '*', allowed: false },
      { name: 'member role, IAM (global, exempt) in us-east-1', who: 'devRole', region: 'us-east-1', action: 'iam:ListUsers', resource: '*', allowed: true },
      { name: 'member role, STS (global, exempt) in ap-south-1', who: 'devRole', region: 'ap-south-1', action: 'sts:GetCallerIdentity', resource: '*', allowed: true },
      { name: 'member role, Route 53 (exempt) in us-east-1', who: 'devRole', region: 'us-east-1', action: 'route53:ListHostedZones', resource: '*', allowed: true },
      { name: 'member root, S3 in us-east-1', who: 'devRoot', region: 'us-east-1', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', allowed: false },
      { name: 'member root, S3 in eu-west-2', who: 'devRoot', region: 'eu-west-2', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', allowed: true },
      { name: 'SecurityAuditorRole is excepted, S3 in us-east-1', who: 'auditor', region: 'us-east-1', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', allowed: true },
      { name: 'management root is never limited, S3 in us-east-1', who: 'mgmtRoot', region: 'us-east-1', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', allowed: true },
      { name: 'management user is never limited, EC2 in sa-east-1', who: 'mgmtAdmin', region: 'sa-east-1', action: 'ec2:RunInstances', resource: '*', allowed: true },
    ];
    for (const c of cases) {
      it(`${c.allowed ? 'allows' : 'denies'}: ${c.name}`, async () => {
        let ctx: CallContext;
        if (c.who === 'devRole') ctx = f.ctx(devSession, c.region);
        else if (c.who === 'auditor') ctx = f.ctx(auditor, c.region);
        else if (c.who === 'devRoot') ctx = f.root(dev, c.region);
        else if (c.who === 'mgmtRoot') ctx = f.root(f.mgmt, c.region);
        else ctx = await f.user('admin', f.mgmt, c.region);
        if (c.allowed) {
          const ex = ctx.authorize(c.action, c.resource);
          assert.equal(ex.decision, 'Allow');
        } else {
          const e = await awsErrorOf(() => ctx.authorize(c.action, c.resource));
          assert.equal(e.code, 'AccessDenied');
          assert.match(e.message, new RegExp(`is not authorized to perform: ${c.action} on resource: .* with an explicit deny in a service control policy: ${scpArn.replace(/[/.]/g, '\\$&')}$`));
        }
      });
    }
  });

  // The seed's SCP exactly as written (its example account replaced by the member account):
  // STS is not in its NotAction, so role assumption outside eu-west-1/2 is denied too.
  describe('the seed\'s region-lock SCP, as written', () => {
    let seedArn: string;
    const seed = () => policyText([{
      Effect: 'Deny', NotAction: ['iam:*', 'aws-portal:*', 'organizations:*'], Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-west-2'] },
        ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${dev}:role/SecurityAuditorRole` },
      },
    }]);
    before(async () => {
      await f.org('DetachPolicy', f.root(), { PolicyId: regionLockId, TargetId: rootId });
      const p = (await f.org('CreatePolicy', f.root(), { Content: seed(), Name: 'DenyAllRegionsExceptSpecified', Description: '', Type: 'SERVICE_CONTROL_POLICY' })).Policy as Obj;
      seedArn = p.PolicySummary.Arn;
      await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: rootId });
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${dev}:root` }, Action: 'sts:AssumeRole' }] };
      await f.addRole('Worker', trust, [{ Effect: 'Allow', Action: '*', Resource: '*' }], dev);
    });
    const worker = () => `arn:aws:iam::${dev}:role/Worker`;

    it('denies role assumption (STS is not exempt) by a member role in us-east-1, naming the SCP', async () => {
      const e = await awsErrorOf(() => f.assume(f.ctx(devSession, 'us-east-1'), worker()));
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.message, `User: ${devSession.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${worker()} with an explicit deny in a service control policy: ${seedArn}`);
    });
    it('allows the same assumption in eu-west-2', async () => {
      await f.assume(f.ctx(devSession, 'eu-west-2'), worker());
    });
    it('allows IAM and Organizations (exempt global services) in us-east-1', async () => {
      await listUsers(f.ctx(devSession, 'us-east-1'));
      await f.org('DescribeOrganization', f.ctx(devSession, 'us-east-1'));
    });
    it('denies S3 in us-east-1 and allows EC2 in eu-west-1', async () => {
      const e = await awsErrorOf(() => f.ctx(devSession, 'us-east-1').authorize('s3:ListBucket', 'arn:aws:s3:::b'));
      assert.match(e.message, /with an explicit deny in a service control policy/);
      f.ctx(devSession, 'eu-west-1').authorize('ec2:DescribeInstances', '*');
    });
    it('exempts SecurityAuditorRole: it may assume roles in us-east-1', async () => {
      await f.assume(f.ctx(auditor, 'us-east-1'), worker());
    });
    it('never limits the management account', async () => {
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${f.mgmt}:root` }, Action: 'sts:AssumeRole' }] };
      await f.addRole('MgmtWorker', trust, [{ Effect: 'Allow', Action: '*', Resource: '*' }], f.mgmt);
      await f.assume(await f.user('admin', f.mgmt, 'us-east-1'), `arn:aws:iam::${f.mgmt}:role/MgmtWorker`);
      (await f.user('admin', f.mgmt, 'ap-northeast-1')).authorize('s3:ListBucket', 'arn:aws:s3:::b');
    });
  });

  describe('RCPs on role assumption', () => {
    const outsider = '555566667777';
    let rcpArn: string;
    before(async () => {
      await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
      await f.addAccount(outsider);
      await f.addUser('ext', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }], outsider);
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${outsider}:root`, `arn:aws:iam::${f.mgmt}:root`] }, Action: 'sts:AssumeRole' }] };
      await f.addRole('PartnerRole', trust, [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }], dev);
    });

    it('with only RCPFullAWSAccess, an outside account may assume a role it is trusted for', async () => {
      await f.assume(await f.user('ext', outsider), `arn:aws:iam::${dev}:role/PartnerRole`);
    });

    it('an RCP limiting sts:AssumeRole to the organization denies outsiders and names the RCP', async () => {
      const content = policyText([{
        Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': orgId }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
      }]);
      const p = (await f.org('CreatePolicy', f.root(), { Content: content, Name: 'OrgOnlyAssume', Description: '', Type: 'RESOURCE_CONTROL_POLICY' })).Policy as Obj;
      rcpArn = p.PolicySummary.Arn;
      await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: dev });
      const e = await awsErrorOf(async () => f.assume(await f.user('ext', outsider), `arn:aws:iam::${dev}:role/PartnerRole`));
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.message, `User: arn:aws:iam::${outsider}:user/ext is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${dev}:role/PartnerRole with an explicit deny in a resource control policy: ${rcpArn}`);
      // Principals of the organization still may.
      await f.assume(await f.user('admin'), `arn:aws:iam::${dev}:role/PartnerRole`);
    });
  });

  describe('service-linked roles', () => {
    it('are never limited by SCPs, while the account\'s other principals are', async () => {
      const p = (await f.org('CreatePolicy', f.root(), {
        Content: policyText([{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }]), Name: 'DenyIam', Description: '', Type: 'SERVICE_CONTROL_POLICY',
      })).Policy as Obj;
      await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: other });
      // A service-linked role, as a service creates it, and a session for it as the service would get one.
      const path = '/aws-service-role/config.amazonaws.com/';
      const name = 'AWSServiceRoleForConfig';
      const role: RoleDoc = {
        RoleName: name, RoleId: 'AROASERVICELINKED0001', Arn: `arn:aws:iam::${other}:role${path}${name}`, Path: path, CreateDate: new Date().toISOString(),
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        MaxSessionDuration: 3600, Tags: [], ServiceLinked: 'config.amazonaws.com',
      };
      await f.store.transaction(async (tx) => {
        await tx.insert({ kind: KIND.role, account: other, key: name, id: role.RoleId, data: role });
        await tx.insert({
          kind: KIND.inlinePolicy, account: other, key: `role:${name.toLowerCase()}|p`, parent: `role:${name.toLowerCase()}`,
          data: { OwnerType: 'role', OwnerName: name, PolicyName: 'p', PolicyDocument: policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]) },
        });
      });
      await f.runtime.afterWrite();
      const creds = issueSessionCredentials(f.secrets, {
        type: 'assumed-role', accountId: other, sessionName: 'config',
        principal: { kind: 'assumedRole', roleArn: role.Arn, roleName: name, roleId: role.RoleId },
      }, new Date(), 3600);
      const r = await f.runtime.resolveCredentials(creds.AccessKeyId, creds.SessionToken, new Date());
      assert.ok(r.ok);
      assert.equal(r.caller.principal.serviceLinkedRole, true);
      await listUsers(f.ctx(r.caller, 'eu-west-1'));
      // The account's root is limited.
      const e = await awsErrorOf(() => listUsers(f.root(other, 'eu-west-1')));
      assert.match(e.message, /with an explicit deny in a service control policy/);
      await f.org('DetachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: other });
    });
  });

  describe('organization condition keys', () => {
    it('aws:PrincipalOrgID and aws:PrincipalOrgPaths are the caller\'s organization and path', async () => {
      await f.addUser('orgbound', [
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } },
        { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${orgId}/${rootId}/${ouW}/*` } } },
        { Effect: 'Allow', Action: 'sqs:DeleteMessage', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': `${orgId}/${rootId}/` } } },
      ], dev);
      // eu-west-1: the region-lock SCP on the root stays attached.
      const ctx = await f.user('orgbound', dev, 'eu-west-1');
      const q = `arn:aws:sqs:us-east-1:${dev}:q`;
      ctx.authorize('sqs:SendMessage', q);
      ctx.authorize('sqs:ReceiveMessage', q);
      const e = await awsErrorOf(() => ctx.authorize('sqs:DeleteMessage', q));
      assert.match(e.message, /because no identity-based policy allows the sqs:DeleteMessage action/);
      // Outside the organization the keys are absent.
      await f.addAccount(outsiderAccount);
      await f.addUser('orgbound', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } }], outsiderAccount);
      const e2 = await awsErrorOf(async () => (await f.user('orgbound', outsiderAccount, 'eu-west-1')).authorize('sqs:SendMessage', `arn:aws:sqs:us-east-1:${outsiderAccount}:q`));
      assert.equal(e2.code, 'AccessDenied');
    });

    it('a trust policy open to the organization (Principal "*" with aws:PrincipalOrgID) admits members only', async () => {
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } }] };
      await f.addRole('OrgWide', trust, [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }], other);
      const role = `arn:aws:iam::${other}:role/OrgWide`;
      const member = await f.assume(await f.user('admin'), role);
      assert.equal(member.accountId, other);
      await f.addUser('ext2', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }], outsiderAccount);
      const e = await awsErrorOf(async () => f.assume(await f.user('ext2', outsiderAccount), role));
      assert.equal(e.code, 'AccessDenied');
    });

    it('aws:ResourceOrgID, aws:ResourceOrgPaths and aws:ResourceAccount describe the resource\'s account', async () => {
      await f.addUser('resbound', [
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:ResourceOrgID': orgId, 'aws:ResourceAccount': dev } } },
        { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': `${orgId}/${rootId}/${ouW}/*` } } },
        { Effect: 'Allow', Action: 'sqs:DeleteMessage', Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': other } } },
      ], dev);
      const ctx = await f.user('resbound', dev, 'eu-west-1');
      const q = `arn:aws:sqs:us-east-1:${dev}:q`;
      ctx.authorize('sqs:SendMessage', q);
      ctx.authorize('sqs:ReceiveMessage', q);
      const e = await awsErrorOf(() => ctx.authorize('sqs:DeleteMessage', q));
      assert.equal(e.code, 'AccessDenied');
    });
  });
});

const outsiderAccount = '888899990000';
