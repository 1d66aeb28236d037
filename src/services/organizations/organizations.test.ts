import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND, type AccountDoc, type RoleDoc } from '../iam/entities.js';
import { awsErrorOf, openOrgFixture, policyText, type OrgFixture } from './org-fixture.js';
import { accessRoleTrustPolicy, ADMINISTRATOR_ACCESS_ARN, MAX_ACCOUNTS } from './accounts.js';

type Obj = Record<string, any>;

const SCP_DENY_S3 = policyText([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]);

describe('Organizations API', () => {
  let f: OrgFixture;
  let rootId: string;
  let orgId: string;
  before(async () => {
    f = await openOrgFixture();
  });
  after(async () => { await f.close(); });

  describe('before an organization exists', () => {
    const ops = ['DescribeOrganization', 'ListRoots', 'ListAccounts'];
    for (const op of ops) {
      it(`${op} answers AWSOrganizationsNotInUseException`, async () => {
        const e = await awsErrorOf(() => f.org(op, f.root()));
        assert.equal(e.code, 'AWSOrganizationsNotInUseException');
        assert.equal(e.message, 'Your account is not a member of an organization.');
        assert.equal(e.status, 400);
      });
    }
  });

  describe('organization and root', () => {
    it('CreateOrganization makes the caller the management account, with a root', async () => {
      const out = await f.org('CreateOrganization', f.root(), { FeatureSet: 'ALL' });
      const o = out.Organization as Obj;
      assert.match(o.Id, /^o-[a-z0-9]{10}$/);
      assert.equal(o.MasterAccountId, f.mgmt);
      assert.equal(o.Arn, `arn:aws:organizations::${f.mgmt}:organization/${o.Id}`);
      assert.equal(o.MasterAccountArn, `arn:aws:organizations::${f.mgmt}:account/${o.Id}/${f.mgmt}`);
      assert.equal(o.FeatureSet, 'ALL');
      orgId = o.Id;
      const roots = (await f.org('ListRoots', f.root())).Roots as Obj[];
      assert.equal(roots.length, 1);
      assert.match(roots[0].Id, /^r-[a-z0-9]{4}$/);
      assert.equal(roots[0].Name, 'Root');
      assert.deepEqual(roots[0].PolicyTypes, []);
      assert.equal(roots[0].Arn, `arn:aws:organizations::${f.mgmt}:root/${orgId}/${roots[0].Id}`);
      rootId = roots[0].Id;
      const d = (await f.org('DescribeOrganization', f.root())).Organization as Obj;
      assert.equal(d.Id, orgId);
    });

    it('a second CreateOrganization answers AlreadyInOrganizationException', async () => {
      const e = await awsErrorOf(() => f.org('CreateOrganization', f.root()));
      assert.equal(e.code, 'AlreadyInOrganizationException');
    });

    it('an IAM user without permission gets Organizations\' generic AccessDeniedException, before any other check', async () => {
      await f.addUser('nobody', []);
      const e = await awsErrorOf(async () => f.org('ListRoots', await f.user('nobody')));
      assert.equal(e.code, 'AccessDeniedException');
      assert.equal(e.message, "You don't have permissions to access this resource.");
      // IAM first: a duplicate organization is not revealed to an unauthorized caller.
      const e2 = await awsErrorOf(async () => f.org('CreateOrganization', await f.user('nobody')));
      assert.equal(e2.code, 'AccessDeniedException');
    });

    it('an IAM user allowed organizations:Describe* describes the organization', async () => {
      await f.addUser('reader', [{ Effect: 'Allow', Action: ['organizations:Describe*', 'organizations:List*'], Resource: '*' }]);
      const out = await f.org('DescribeOrganization', await f.user('reader'));
      assert.equal((out.Organization as Obj).Id, orgId);
    });
  });

  let ouA: string;
  let ouB: string;
  describe('organizational units', () => {
    it('creates OUs under the root and under an OU, with their paths', async () => {
      const a = (await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Workloads' })).OrganizationalUnit as Obj;
      assert.match(a.Id, new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
      assert.equal(a.Arn, `arn:aws:organizations::${f.mgmt}:ou/${orgId}/${a.Id}`);
      assert.equal(a.Path, `${orgId}/${rootId}/${a.Id}/`);
      ouA = a.Id;
      const b = (await f.org('CreateOrganizationalUnit', f.root(), { ParentId: ouA, Name: 'Prod' })).OrganizationalUnit as Obj;
      assert.equal(b.Path, `${orgId}/${rootId}/${ouA}/${b.Id}/`);
      ouB = b.Id;
    });

    it('the same name under the same parent answers DuplicateOrganizationalUnitException and writes nothing', async () => {
      const rev = await f.store.revision();
      const e = await awsErrorOf(() => f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Workloads' }));
      assert.equal(e.code, 'DuplicateOrganizationalUnitException');
      assert.equal(await f.store.revision(), rev);
    });

    it('an unknown parent answers ParentNotFoundException', async () => {
      const e = await awsErrorOf(() => f.org('CreateOrganizationalUnit', f.root(), { ParentId: 'ou-zzzz-zzzzzzzz', Name: 'X' }));
      assert.equal(e.code, 'ParentNotFoundException');
    });

    it('OUs nest at most five levels deep (OU_DEPTH_LIMIT_EXCEEDED)', async () => {
      let parent = ouB; // depth 2
      for (let i = 3; i <= 5; i++) {
        parent = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: parent, Name: `L${i}` })).OrganizationalUnit as Obj).Id;
      }
      const e = await awsErrorOf(() => f.org('CreateOrganizationalUnit', f.root(), { ParentId: parent, Name: 'L6' }));
      assert.equal(e.code, 'ConstraintViolationException');
      assert.equal(e.fields.Reason, 'OU_DEPTH_LIMIT_EXCEEDED');
    });

    it('describes, renames, lists for parent, lists children and parents', async () => {
      const u = (await f.org('UpdateOrganizationalUnit', f.root(), { OrganizationalUnitId: ouB, Name: 'Production' })).OrganizationalUnit as Obj;
      assert.equal(u.Name, 'Production');
      const d = (await f.org('DescribeOrganizationalUnit', f.root(), { OrganizationalUnitId: ouB })).OrganizationalUnit as Obj;
      assert.equal(d.Name, 'Production');
      const list = (await f.org('ListOrganizationalUnitsForParent', f.root(), { ParentId: ouA })).OrganizationalUnits as Obj[];
      assert.deepEqual(list.map((o) => o.Id), [ouB]);
      const children = (await f.org('ListChildren', f.root(), { ParentId: rootId, ChildType: 'ORGANIZATIONAL_UNIT' })).Children as Obj[];
      assert.deepEqual(children, [{ Id: ouA, Type: 'ORGANIZATIONAL_UNIT' }]);
      const accounts = (await f.org('ListChildren', f.root(), { ParentId: rootId, ChildType: 'ACCOUNT' })).Children as Obj[];
      assert.deepEqual(accounts, [{ Id: f.mgmt, Type: 'ACCOUNT' }]);
      const parents = (await f.org('ListParents', f.root(), { ChildId: ouB })).Parents as Obj[];
      assert.deepEqual(parents, [{ Id: ouA, Type: 'ORGANIZATIONAL_UNIT' }]);
      const e = await awsErrorOf(() => f.org('DescribeOrganizationalUnit', f.root(), { OrganizationalUnitId: 'ou-zzzz-zzzzzzzz' }));
      assert.equal(e.code, 'OrganizationalUnitNotFoundException');
    });

    it('a non-empty OU cannot be deleted (OrganizationalUnitNotEmptyException)', async () => {
      const e = await awsErrorOf(() => f.org('DeleteOrganizationalUnit', f.root(), { OrganizationalUnitId: ouA }));
      assert.equal(e.code, 'OrganizationalUnitNotEmptyException');
    });
  });

  let member: string;
  describe('accounts', () => {
    it('CreateAccount answers IN_PROGRESS; the status then says SUCCEEDED with the new account', async () => {
      const s = (await f.org('CreateAccount', f.root(), { Email: 'dev@example.com', AccountName: 'dev' })).CreateAccountStatus as Obj;
      assert.equal(s.State, 'IN_PROGRESS');
      assert.match(s.Id, /^car-[a-z0-9]{32}$/);
      assert.equal(s.AccountName, 'dev');
      assert.equal(s.AccountId, undefined);
      const d = (await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj;
      assert.equal(d.State, 'SUCCEEDED');
      assert.match(d.AccountId, /^\d{12}$/);
      member = d.AccountId;
      const listed = (await f.org('ListCreateAccountStatus', f.root(), { States: ['SUCCEEDED'] })).CreateAccountStatuses as Obj[];
      assert.deepEqual(listed.map((x) => x.AccountId), [member]);
    });

    it('the new account is real: account entity, global registration, root, OrganizationAccountAccessRole with AdministratorAccess', async () => {
      const [own, global, role, att, patt] = await f.store.read((tx) => Promise.all([
        tx.get<AccountDoc>(KIND.account, member, member),
        tx.get<AccountDoc>(KIND.account, '', member),
        tx.get<RoleDoc>(KIND.role, member, 'OrganizationAccountAccessRole'),
        tx.get(KIND.attachment, member, `role:organizationaccountaccessrole|${ADMINISTRATOR_ACCESS_ARN}`),
        tx.get(KIND.policyAttachment, member, `${ADMINISTRATOR_ACCESS_ARN}|role:organizationaccountaccessrole`),
      ]));
      assert.equal(own?.data.RootArn, `arn:aws:iam::${member}:root`);
      assert.ok(global);
      assert.ok(role);
      assert.deepEqual(JSON.parse(role.data.AssumeRolePolicyDocument), JSON.parse(accessRoleTrustPolicy(f.mgmt)));
      assert.equal(JSON.parse(role.data.AssumeRolePolicyDocument).Statement[0].Principal.AWS, `arn:aws:iam::${f.mgmt}:root`);
      assert.ok(att && patt);
      assert.ok(f.runtime.snapshot.account(member), 'the snapshot knows the account');
      assert.ok(f.runtime.snapshot.role(member, 'OrganizationAccountAccessRole'), 'the snapshot knows the role');
    });

    it('an email already in use gives a FAILED status with EMAIL_ALREADY_EXISTS', async () => {
      const s = (await f.org('CreateAccount', f.root(), { Email: 'DEV@example.com', AccountName: 'dev2' })).CreateAccountStatus as Obj;
      assert.equal(s.State, 'IN_PROGRESS');
      const d = (await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj;
      assert.equal(d.State, 'FAILED');
      assert.equal(d.FailureReason, 'EMAIL_ALREADY_EXISTS');
    });

    it('an unknown create request answers CreateAccountStatusNotFoundException', async () => {
      const e = await awsErrorOf(() => f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: 'car-00000000000000000000000000000000' }));
      assert.equal(e.code, 'CreateAccountStatusNotFoundException');
    });

    it('ListAccounts lists the management account and the member; DescribeAccount gives its path', async () => {
      const list = (await f.org('ListAccounts', f.root())).Accounts as Obj[];
      assert.deepEqual(list.map((a) => a.Id).sort(), [f.mgmt, member].sort());
      const m = list.find((a) => a.Id === member)!;
      assert.equal(m.JoinedMethod, 'CREATED');
      assert.equal(m.Status, 'ACTIVE');
      assert.equal(m.Email, 'dev@example.com');
      const d = (await f.org('DescribeAccount', f.root(), { AccountId: member })).Account as Obj;
      assert.deepEqual(d.Paths, [`${orgId}/${rootId}/${member}/`]);
      const e = await awsErrorOf(() => f.org('DescribeAccount', f.root(), { AccountId: '000000000000' }));
      assert.equal(e.code, 'AccountNotFoundException');
      assert.equal(e.message, "You specified an account that doesn't exist.");
    });

    it('paginates ListAccounts with MaxResults and NextToken', async () => {
      const p1 = await f.org('ListAccounts', f.root(), { MaxResults: 1 });
      assert.equal((p1.Accounts as Obj[]).length, 1);
      assert.ok(p1.NextToken);
      const p2 = await f.org('ListAccounts', f.root(), { MaxResults: 1, NextToken: p1.NextToken });
      assert.equal((p2.Accounts as Obj[]).length, 1);
      assert.equal(p2.NextToken, undefined);
      assert.notEqual((p1.Accounts as Obj[])[0].Id, (p2.Accounts as Obj[])[0].Id);
      const e = await awsErrorOf(() => f.org('ListAccounts', f.root(), { NextToken: '!!' }));
      assert.equal(e.code, 'InvalidInputException');
      assert.equal(e.fields.Reason, 'INVALID_NEXT_TOKEN');
    });

    it('MoveAccount moves between parents; wrong source or same destination are refused', async () => {
      await f.org('MoveAccount', f.root(), { AccountId: member, SourceParentId: rootId, DestinationParentId: ouA });
      const parents = (await f.org('ListParents', f.root(), { ChildId: member })).Parents as Obj[];
      assert.deepEqual(parents, [{ Id: ouA, Type: 'ORGANIZATIONAL_UNIT' }]);
      const forParent = (await f.org('ListAccountsForParent', f.root(), { ParentId: ouA })).Accounts as Obj[];
      assert.deepEqual(forParent.map((a) => a.Id), [member]);
      const cases: [string, Record<string, string>, string][] = [
        ['wrong source', { SourceParentId: rootId, DestinationParentId: ouB }, 'AccountNotFoundException'],
        ['same destination', { SourceParentId: ouA, DestinationParentId: ouA }, 'DuplicateAccountException'],
        ['unknown source', { SourceParentId: 'ou-zzzz-zzzzzzzz', DestinationParentId: ouB }, 'SourceParentNotFoundException'],
        ['unknown destination', { SourceParentId: ouA, DestinationParentId: 'ou-zzzz-zzzzzzzz' }, 'DestinationParentNotFoundException'],
      ];
      for (const [name, input, code] of cases) {
        const e = await awsErrorOf(() => f.org('MoveAccount', f.root(), { AccountId: member, ...input }));
        assert.equal(e.code, code, name);
      }
    });

    it('a member account may describe its organization but not list accounts', async () => {
      const out = await f.org('DescribeOrganization', f.root(member));
      assert.equal((out.Organization as Obj).Id, orgId);
      const e = await awsErrorOf(() => f.org('ListAccounts', f.root(member)));
      assert.equal(e.code, 'AccessDeniedException');
      assert.equal(e.message, "You don't have permissions to access this resource.");
      const e2 = await awsErrorOf(() => f.org('CreateOrganizationalUnit', f.root(member), { ParentId: rootId, Name: 'Mine' }));
      assert.equal(e2.code, 'AccessDeniedException');
    });

    it('the management account cannot be closed or removed', async () => {
      const e = await awsErrorOf(() => f.org('CloseAccount', f.root(), { AccountId: f.mgmt }));
      assert.equal(e.code, 'ConstraintViolationException');
      assert.equal(e.fields.Reason, 'CANNOT_CLOSE_MANAGEMENT_ACCOUNT');
      const e2 = await awsErrorOf(() => f.org('RemoveAccountFromOrganization', f.root(), { AccountId: f.mgmt }));
      assert.equal(e2.code, 'MasterCannotLeaveOrganizationException');
    });

    it(`CreateAccount stops at ${MAX_ACCOUNTS} accounts (ACCOUNT_NUMBER_LIMIT_EXCEEDED)`, async () => {
      const created: string[] = [];
      for (let i = 2; i < MAX_ACCOUNTS; i++) {
        const s = (await f.org('CreateAccount', f.root(), { Email: `a${i}@example.com`, AccountName: `a${i}` })).CreateAccountStatus as Obj;
        created.push(((await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Obj).AccountId);
      }
      const e = await awsErrorOf(() => f.org('CreateAccount', f.root(), { Email: 'over@example.com', AccountName: 'over' }));
      assert.equal(e.code, 'ConstraintViolationException');
      assert.equal(e.fields.Reason, 'ACCOUNT_NUMBER_LIMIT_EXCEEDED');
      // Remove and close to make room again; a closed account is suspended and stays listed.
      await f.org('RemoveAccountFromOrganization', f.root(), { AccountId: created[0] });
      await f.org('CloseAccount', f.root(), { AccountId: created[1] });
      const d = (await f.org('DescribeAccount', f.root(), { AccountId: created[1] })).Account as Obj;
      assert.equal(d.Status, 'SUSPENDED');
      const e2 = await awsErrorOf(() => f.org('CloseAccount', f.root(), { AccountId: created[1] }));
      assert.equal(e2.code, 'AccountAlreadyClosedException');
      const e3 = await awsErrorOf(() => f.org('DescribeAccount', f.root(), { AccountId: created[0] }));
      assert.equal(e3.code, 'AccountNotFoundException');
      // The removed account is standalone: it may not list the organization any more.
      const e4 = await awsErrorOf(() => f.org('DescribeOrganization', f.root(created[0])));
      assert.equal(e4.code, 'AWSOrganizationsNotInUseException');
    });
  });

  let scp: string;
  describe('policies', () => {
    it('CreatePolicy validates the SCP grammar (MalformedPolicyDocumentException) and size (POLICY_CONTENT_LIMIT_EXCEEDED)', async () => {
      const cases: [string, string, string, string?][] = [
        ['not JSON', '{', 'MalformedPolicyDocumentException'],
        ['an SCP with a Principal', policyText([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]), 'MalformedPolicyDocumentException'],
        ['over 5,120 characters', policyText([{ Effect: 'Deny', Action: Array.from({ length: 400 }, (_, i) => `s3:Action${i}`), Resource: '*' }]), 'ConstraintViolationException', 'POLICY_CONTENT_LIMIT_EXCEEDED'],
      ];
      for (const [name, content, code, reason] of cases) {
        const rev = await f.store.revision();
        const e = await awsErrorOf(() => f.org('CreatePolicy', f.root(), { Content: content, Name: 'bad', Description: '', Type: 'SERVICE_CONTROL_POLICY' }));
        assert.equal(e.code, code, name);
        if (reason) assert.equal(e.fields.Reason, reason, name);
        assert.equal(await f.store.revision(), rev, `${name}: nothing written`);
      }
    });

    it('creates, describes, updates an SCP; the same name again is DuplicatePolicyException', async () => {
      const p = (await f.org('CreatePolicy', f.root(), { Content: SCP_DENY_S3, Name: 'DenyS3', Description: 'no s3', Type: 'SERVICE_CONTROL_POLICY' })).Policy as Obj;
      assert.match(p.PolicySummary.Id, /^p-[a-z0-9]{8}$/);
      assert.equal(p.PolicySummary.Arn, `arn:aws:organizations::${f.mgmt}:policy/${orgId}/service_control_policy/${p.PolicySummary.Id}`);
      assert.equal(p.PolicySummary.AwsManaged, false);
      assert.equal(p.Content, SCP_DENY_S3);
      scp = p.PolicySummary.Id;
      const e = await awsErrorOf(() => f.org('CreatePolicy', f.root(), { Content: SCP_DENY_S3, Name: 'DenyS3', Description: '', Type: 'SERVICE_CONTROL_POLICY' }));
      assert.equal(e.code, 'DuplicatePolicyException');
      const u = (await f.org('UpdatePolicy', f.root(), { PolicyId: scp, Description: 'still no s3' })).Policy as Obj;
      assert.equal(u.PolicySummary.Description, 'still no s3');
      const d = (await f.org('DescribePolicy', f.root(), { PolicyId: 'p-FullAWSAccess' })).Policy as Obj;
      assert.equal(d.PolicySummary.AwsManaged, true);
      assert.equal(d.PolicySummary.Name, 'FullAWSAccess');
      const e2 = await awsErrorOf(() => f.org('UpdatePolicy', f.root(), { PolicyId: 'p-FullAWSAccess', Name: 'Mine' }));
      assert.equal(e2.code, 'InvalidInputException');
      assert.equal(e2.fields.Reason, 'IMMUTABLE_POLICY');
      const e3 = await awsErrorOf(() => f.org('DescribePolicy', f.root(), { PolicyId: 'p-00000000' }));
      assert.equal(e3.code, 'PolicyNotFoundException');
    });

    it('AttachPolicy before the type is enabled answers PolicyTypeNotEnabledException', async () => {
      const e = await awsErrorOf(() => f.org('AttachPolicy', f.root(), { PolicyId: scp, TargetId: ouA }));
      assert.equal(e.code, 'PolicyTypeNotEnabledException');
    });

    it('EnablePolicyType attaches FullAWSAccess to the root, every OU and every account', async () => {
      const r = (await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' })).Root as Obj;
      assert.deepEqual(r.PolicyTypes, [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
      for (const target of [rootId, ouA, ouB, member, f.mgmt]) {
        const ps = (await f.org('ListPoliciesForTarget', f.root(), { TargetId: target, Filter: 'SERVICE_CONTROL_POLICY' })).Policies as Obj[];
        assert.deepEqual(ps.map((p) => p.Id), ['p-FullAWSAccess'], target);
      }
      const e = await awsErrorOf(() => f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
      assert.equal(e.code, 'PolicyTypeAlreadyEnabledException');
      // A new OU gets FullAWSAccess too.
      const ou = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Sandbox' })).OrganizationalUnit as Obj).Id;
      const ps = (await f.org('ListPoliciesForTarget', f.root(), { TargetId: ou, Filter: 'SERVICE_CONTROL_POLICY' })).Policies as Obj[];
      assert.deepEqual(ps.map((p) => p.Id), ['p-FullAWSAccess']);
      await f.org('DeleteOrganizationalUnit', f.root(), { OrganizationalUnitId: ou });
    });

    it('attaches and detaches; duplicates, the last SCP and unknown targets are refused', async () => {
      await f.org('AttachPolicy', f.root(), { PolicyId: scp, TargetId: ouA });
      const e = await awsErrorOf(() => f.org('AttachPolicy', f.root(), { PolicyId: scp, TargetId: ouA }));
      assert.equal(e.code, 'DuplicatePolicyAttachmentException');
      const targets = (await f.org('ListTargetsForPolicy', f.root(), { PolicyId: scp })).Targets as Obj[];
      assert.deepEqual(targets, [{ TargetId: ouA, Arn: `arn:aws:organizations::${f.mgmt}:ou/${orgId}/${ouA}`, Name: 'Workloads', Type: 'ORGANIZATIONAL_UNIT' }]);
      const e2 = await awsErrorOf(() => f.org('DetachPolicy', f.root(), { PolicyId: 'p-FullAWSAccess', TargetId: ouB }));
      assert.equal(e2.code, 'ConstraintViolationException');
      assert.equal(e2.fields.Reason, 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
      const e3 = await awsErrorOf(() => f.org('AttachPolicy', f.root(), { PolicyId: scp, TargetId: 'ou-zzzz-zzzzzzzz' }));
      assert.equal(e3.code, 'TargetNotFoundException');
      const e4 = await awsErrorOf(() => f.org('DetachPolicy', f.root(), { PolicyId: scp, TargetId: ouB }));
      assert.equal(e4.code, 'PolicyNotAttachedException');
      const e5 = await awsErrorOf(() => f.org('DeletePolicy', f.root(), { PolicyId: scp }));
      assert.equal(e5.code, 'PolicyInUseException');
      await f.org('DetachPolicy', f.root(), { PolicyId: scp, TargetId: ouA });
      const listed = (await f.org('ListPolicies', f.root(), { Filter: 'SERVICE_CONTROL_POLICY' })).Policies as Obj[];
      assert.deepEqual(listed.map((p) => p.Name).sort(), ['DenyS3', 'FullAWSAccess']);
    });

    it('at most five SCPs per target (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED)', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const p = (await f.org('CreatePolicy', f.root(), { Content: SCP_DENY_S3, Name: `Cap${i}`, Description: '', Type: 'SERVICE_CONTROL_POLICY' })).Policy as Obj;
        ids.push(p.PolicySummary.Id);
      }
      for (let i = 0; i < 4; i++) await f.org('AttachPolicy', f.root(), { PolicyId: ids[i], TargetId: ouB });
      const e = await awsErrorOf(() => f.org('AttachPolicy', f.root(), { PolicyId: ids[4], TargetId: ouB }));
      assert.equal(e.code, 'ConstraintViolationException');
      assert.equal(e.fields.Reason, 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
      for (let i = 0; i < 4; i++) await f.org('DetachPolicy', f.root(), { PolicyId: ids[i], TargetId: ouB });
      for (const id of ids) await f.org('DeletePolicy', f.root(), { PolicyId: id });
    });

    it('RCPs: enabling attaches RCPFullAWSAccess, which cannot be detached', async () => {
      await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
      const ps = (await f.org('ListPoliciesForTarget', f.root(), { TargetId: member, Filter: 'RESOURCE_CONTROL_POLICY' })).Policies as Obj[];
      assert.deepEqual(ps.map((p) => p.Id), ['p-RCPFullAWSAccess']);
      const e = await awsErrorOf(() => f.org('DetachPolicy', f.root(), { PolicyId: 'p-RCPFullAWSAccess', TargetId: member }));
      assert.equal(e.code, 'InvalidInputException');
      assert.equal(e.fields.Reason, 'NON_DETACHABLE_POLICY');
      const rcp = policyText([{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }]);
      const p = (await f.org('CreatePolicy', f.root(), { Content: rcp, Name: 'NoAssume', Description: '', Type: 'RESOURCE_CONTROL_POLICY' })).Policy as Obj;
      assert.match(p.PolicySummary.Arn, /:policy\/o-[a-z0-9]+\/resource_control_policy\/p-/);
      // An RCP may not Allow (only RCPFullAWSAccess does).
      const e2 = await awsErrorOf(() => f.org('CreatePolicy', f.root(), {
        Content: policyText([{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }]), Name: 'AllowAll', Description: '', Type: 'RESOURCE_CONTROL_POLICY',
      }));
      assert.equal(e2.code, 'MalformedPolicyDocumentException');
      await f.org('DeletePolicy', f.root(), { PolicyId: p.PolicySummary.Id });
    });

    it('DisablePolicyType detaches every policy of the type', async () => {
      await f.org('DisablePolicyType', f.root(), { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
      const ps = (await f.org('ListPoliciesForTarget', f.root(), { TargetId: member, Filter: 'RESOURCE_CONTROL_POLICY' })).Policies as Obj[];
      assert.deepEqual(ps, []);
      const e = await awsErrorOf(() => f.org('DisablePolicyType', f.root(), { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
      assert.equal(e.code, 'PolicyTypeNotEnabledException');
    });

    it('tag policies are stored after a JSON check', async () => {
      await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'TAG_POLICY' });
      const content = JSON.stringify({ tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' } } } });
      const p = (await f.org('CreatePolicy', f.root(), { Content: content, Name: 'Tags', Description: '', Type: 'TAG_POLICY' })).Policy as Obj;
      await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: member });
      const e = await awsErrorOf(() => f.org('CreatePolicy', f.root(), { Content: '[1]', Name: 'Bad', Description: '', Type: 'TAG_POLICY' }));
      assert.equal(e.code, 'MalformedPolicyDocumentException');
    });
  });

  describe('tags, trusted access and delegated administrators', () => {
    it('tags an OU, lists and removes tags', async () => {
      await f.org('TagResource', f.root(), { ResourceId: ouA, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'a' }] });
      let tags = (await f.org('ListTagsForResource', f.root(), { ResourceId: ouA })).Tags as Obj[];
      assert.deepEqual(tags, [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'a' }]);
      await f.org('UntagResource', f.root(), { ResourceId: ouA, TagKeys: ['team'] });
      tags = (await f.org('ListTagsForResource', f.root(), { ResourceId: ouA })).Tags as Obj[];
      assert.deepEqual(tags, [{ Key: 'env', Value: 'prod' }]);
      const e = await awsErrorOf(() => f.org('TagResource', f.root(), { ResourceId: '000000000000', Tags: [{ Key: 'a', Value: 'b' }] }));
      assert.equal(e.code, 'TargetNotFoundException');
    });

    it('enables, lists and disables trusted service access', async () => {
      await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'config.amazonaws.com' });
      const l = (await f.org('ListAWSServiceAccessForOrganization', f.root())).EnabledServicePrincipals as Obj[];
      assert.deepEqual(l.map((x) => x.ServicePrincipal), ['config.amazonaws.com']);
      await f.org('DisableAWSServiceAccess', f.root(), { ServicePrincipal: 'config.amazonaws.com' });
      assert.deepEqual((await f.org('ListAWSServiceAccessForOrganization', f.root())).EnabledServicePrincipals, []);
    });

    it('a delegated administrator may read the organization; registering twice or the management account is refused', async () => {
      const e0 = await awsErrorOf(() => f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'config.amazonaws.com' }));
      assert.equal(e0.fields.Reason, 'SERVICE_ACCESS_NOT_ENABLED');
      await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'config.amazonaws.com' });
      await f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'config.amazonaws.com' });
      const accounts = (await f.org('ListAccounts', f.root(member))).Accounts as Obj[];
      assert.ok(accounts.some((a) => a.Id === f.mgmt));
      const e = await awsErrorOf(() => f.org('CreateOrganizationalUnit', f.root(member), { ParentId: rootId, Name: 'Nope' }));
      assert.equal(e.code, 'AccessDeniedException');
      const e2 = await awsErrorOf(() => f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'config.amazonaws.com' }));
      assert.equal(e2.code, 'AccountAlreadyRegisteredException');
      const e3 = await awsErrorOf(() => f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: f.mgmt, ServicePrincipal: 'config.amazonaws.com' }));
      assert.equal(e3.fields.Reason, 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
      const admins = (await f.org('ListDelegatedAdministrators', f.root())).DelegatedAdministrators as Obj[];
      assert.deepEqual(admins.map((a) => a.Id), [member]);
      const services = (await f.org('ListDelegatedServicesForAccount', f.root(), { AccountId: member })).DelegatedServices as Obj[];
      assert.deepEqual(services.map((s) => s.ServicePrincipal), ['config.amazonaws.com']);
      const e4 = await awsErrorOf(() => f.org('RemoveAccountFromOrganization', f.root(), { AccountId: member }));
      assert.equal(e4.fields.Reason, 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
      await f.org('DeregisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'config.amazonaws.com' });
      const e5 = await awsErrorOf(() => f.org('ListAccounts', f.root(member)));
      assert.equal(e5.code, 'AccessDeniedException');
    });
  });

  describe('resource tags in policy authorization', () => {
    it('a policy\'s and a target\'s tags are aws:ResourceTag keys of ListTargetsForPolicy, AttachPolicy and DetachPolicy', async () => {
      const tagged = ((await f.org('CreatePolicy', f.root(), {
        Content: SCP_DENY_S3, Name: 'TaggedDenyS3', Description: '', Type: 'SERVICE_CONTROL_POLICY', Tags: [{ Key: 'team', Value: 'secops' }],
      })).Policy as Obj).PolicySummary.Id as string;
      const guarded = (await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Guarded', Tags: [{ Key: 'guard', Value: 'yes' }] })).OrganizationalUnit as Obj;
      const plain = (await f.org('CreateOrganizationalUnit', f.root(), { ParentId: rootId, Name: 'Plain' })).OrganizationalUnit as Obj;
      await f.addUser('tagwatch', [
        { Effect: 'Allow', Action: 'organizations:*', Resource: '*' },
        { Effect: 'Deny', Action: ['organizations:ListTargetsForPolicy', 'organizations:AttachPolicy', 'organizations:DetachPolicy'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'secops' } } },
        { Effect: 'Deny', Action: 'organizations:AttachPolicy', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/guard': 'yes' } } },
      ]);
      const u = await f.user('tagwatch');
      for (const [op, input] of [
        ['ListTargetsForPolicy', { PolicyId: tagged }],
        ['AttachPolicy', { PolicyId: tagged, TargetId: plain.Id }],
        ['DetachPolicy', { PolicyId: tagged, TargetId: plain.Id }],
        ['AttachPolicy', { PolicyId: scp, TargetId: guarded.Id }],
      ] as const) {
        const e = await awsErrorOf(() => f.org(op, u, input));
        assert.equal(e.code, 'AccessDeniedException', `${op} ${JSON.stringify(input)}`);
      }
      // Untagged policy and target: allowed.
      await f.org('AttachPolicy', u, { PolicyId: scp, TargetId: plain.Id });
      const targets = (await f.org('ListTargetsForPolicy', u, { PolicyId: scp })).Targets as Obj[];
      assert.ok(targets.some((t) => t.TargetId === plain.Id));
      await f.org('DetachPolicy', u, { PolicyId: scp, TargetId: plain.Id });
    });
  });

  describe('deleting the organization', () => {
    it('refuses while member accounts remain (OrganizationNotEmptyException)', async () => {
      const e = await awsErrorOf(() => f.org('DeleteOrganization', f.root()));
      assert.equal(e.code, 'OrganizationNotEmptyException');
    });
  });
});
