// Organizations end to end through a real `warden serve`: @aws-sdk/client-organizations and the
// AWS CLI create an organization, an OU and an account, assume OrganizationAccountAccessRole
// into the member account, and see SCPs enforced (FullAWSAccess detached from an OU, the
// region-lock SCP's global-service exemption, the management account unaffected).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCli, hasAwsCli } from './aws-cli.js';
import { startWarden, type Credentials, type WardenProcess } from './harness.js';

/** The seed's region-lock SCP as written, its example account replaced by the member account. */
const regionLock = (account: string) => ({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'DenyAllRegionsExceptSpecified',
    Effect: 'Deny',
    NotAction: ['iam:*', 'aws-portal:*', 'organizations:*'],
    Resource: '*',
    Condition: {
      StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-west-2'] },
      ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${account}:role/SecurityAuditorRole` },
    },
  }],
});

describe('Organizations end to end', () => {
  let w: WardenProcess;
  let dir: string;
  let orgs: import('@aws-sdk/client-organizations').OrganizationsClient;
  let O: typeof import('@aws-sdk/client-organizations');
  let I: typeof import('@aws-sdk/client-iam');
  let S: typeof import('@aws-sdk/client-sts');
  let rootId: string;
  let ouId: string;
  let member: string;
  let adminCreds: Credentials;
  let memberCreds: Credentials;

  const iam = (credentials: Credentials, region = 'us-east-1') => new I.IAMClient({ endpoint: w.endpoint, region, credentials, maxAttempts: 1 });

  /** The AWS CLI signing for `region`, one attempt a call; its exit status, stdout and stderr. */
  const cli = (args: string[], credentials: Credentials, region = 'us-east-1') =>
    awsCli(() => w.endpoint, { AWS_DEFAULT_REGION: region, AWS_MAX_ATTEMPTS: '1' }).spawn(credentials, ...args);

  before(async () => {
    O = await import('@aws-sdk/client-organizations');
    I = await import('@aws-sdk/client-iam');
    S = await import('@aws-sdk/client-sts');
    w = await startWarden();
    dir = mkdtempSync(join(tmpdir(), 'warden-org-e2e-'));
    orgs = new O.OrganizationsClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
  });
  after(async () => {
    await w?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the organization, an OU and an account with the SDK', async () => {
    const created = await orgs.send(new O.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    assert.equal(created.Organization?.MasterAccountId, w.accountId);
    const roots = await orgs.send(new O.ListRootsCommand({}));
    rootId = roots.Roots![0].Id!;
    const enabled = await orgs.send(new O.EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    assert.deepEqual(enabled.Root?.PolicyTypes, [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
    ouId = (await orgs.send(new O.CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }))).OrganizationalUnit!.Id!;
    const status = await orgs.send(new O.CreateAccountCommand({ Email: 'dev@example.com', AccountName: 'dev' }));
    assert.equal(status.CreateAccountStatus?.State, 'IN_PROGRESS');
    let done;
    for (let i = 0; i < 20; i++) {
      done = await orgs.send(new O.DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.CreateAccountStatus!.Id! }));
      if (done.CreateAccountStatus?.State !== 'IN_PROGRESS') break;
    }
    assert.equal(done?.CreateAccountStatus?.State, 'SUCCEEDED');
    member = done!.CreateAccountStatus!.AccountId!;
    await orgs.send(new O.MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ouId }));
    const accounts = await orgs.send(new O.ListAccountsForParentCommand({ ParentId: ouId }));
    assert.deepEqual(accounts.Accounts?.map((a) => a.Id), [member]);
    assert.ok(accounts.Accounts?.[0].JoinedTimestamp instanceof Date);
  });

  it('answers model errors with their Reason through the SDK', async () => {
    const e = await orgs.send(new O.DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: member })).catch((x: unknown) => x) as { name: string; Reason?: string; message: string };
    assert.equal(e.name, 'ConstraintViolationException');
    assert.equal(e.Reason, 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    const e2 = await orgs.send(new O.AttachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: ouId })).catch((x: unknown) => x) as { name: string };
    assert.equal(e2.name, 'DuplicatePolicyAttachmentException');
    const e3 = await orgs.send(new O.DescribeAccountCommand({ AccountId: '000000000000' })).catch((x: unknown) => x) as { name: string; message: string };
    assert.equal(e3.name, 'AccountNotFoundException');
    assert.equal(e3.message, "You specified an account that doesn't exist.");
  });

  it('assumes OrganizationAccountAccessRole into the member account and administers it', async () => {
    const root = iam(w.rootCredentials);
    await root.send(new I.CreateUserCommand({ UserName: 'admin' }));
    await root.send(new I.PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
    const key = (await root.send(new I.CreateAccessKeyCommand({ UserName: 'admin' }))).AccessKey!;
    adminCreds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const sts = new S.STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: adminCreds, maxAttempts: 1 });
    const assumed = await sts.send(new S.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'e2e' }));
    const c = assumed.Credentials!;
    memberCreds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const who = await new S.STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: memberCreds, maxAttempts: 1 }).send(new S.GetCallerIdentityCommand({}));
    assert.equal(who.Account, member);
    const m = iam(memberCreds);
    await m.send(new I.CreateUserCommand({ UserName: 'dev-user' }));
    const users = await m.send(new I.ListUsersCommand({}));
    assert.deepEqual(users.Users?.map((u) => u.UserName), ['dev-user']);
  });

  it('the seed\'s region-lock SCP (AWS CLI): IAM exempt everywhere; STS AssumeRole denied outside eu-west-1/2 except for SecurityAuditorRole', { skip: !hasAwsCli && 'the AWS CLI is not installed' }, async () => {
    // Two roles in the member account, created through the member session.
    const m = iam(memberCreds);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: 'sts:AssumeRole' }] });
    const all = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    for (const name of ['Worker', 'SecurityAuditorRole']) {
      await m.send(new I.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      await m.send(new I.PutRolePolicyCommand({ RoleName: name, PolicyName: 'all', PolicyDocument: all }));
    }
    const file = join(dir, 'region-lock.json');
    writeFileSync(file, JSON.stringify(regionLock(member)));
    const created = cli(['organizations', 'create-policy', '--name', 'RegionLock', '--description', 'EU only', '--type', 'SERVICE_CONTROL_POLICY', '--content', `file://${file}`], w.rootCredentials);
    assert.equal(created.status, 0, created.stderr);
    const policyId = (JSON.parse(created.stdout) as { Policy: { PolicySummary: { Id: string } } }).Policy.PolicySummary.Id;
    const attached = cli(['organizations', 'attach-policy', '--policy-id', policyId, '--target-id', rootId], w.rootCredentials);
    assert.equal(attached.status, 0, attached.stderr);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const r = cli(['iam', 'list-users'], memberCreds, region);
      assert.equal(r.status, 0, `${region}: ${r.stderr}`);
    }
    const worker = `arn:aws:iam::${member}:role/Worker`;
    const denied = cli(['sts', 'assume-role', '--role-arn', worker, '--role-session-name', 'worker'], memberCreds, 'us-east-1');
    assert.notEqual(denied.status, 0);
    const policyArn = (JSON.parse(created.stdout) as { Policy: { PolicySummary: { Arn: string } } }).Policy.PolicySummary.Arn;
    assert.match(denied.stderr, new RegExp(`\\(AccessDenied\\) when calling the AssumeRole operation: User: arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/e2e is not authorized to perform: sts:AssumeRole on resource: ${worker} with an explicit deny in a service control policy: ${policyArn.replace(/[/.]/g, '\\$&')}`));
    // The same call in eu-west-2 (SDK, signed for eu-west-2) is allowed.
    const eu = new S.STSClient({ endpoint: w.endpoint, region: 'eu-west-2', credentials: memberCreds, maxAttempts: 1 });
    await eu.send(new S.AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 'worker' }));
    // SecurityAuditorRole is excepted: from its session, us-east-1 works.
    const us = new S.STSClient({ endpoint: w.endpoint, region: 'eu-west-1', credentials: memberCreds, maxAttempts: 1 });
    const a = (await us.send(new S.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/SecurityAuditorRole`, RoleSessionName: 'audit' }))).Credentials!;
    const auditor = new S.STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: { accessKeyId: a.AccessKeyId!, secretAccessKey: a.SecretAccessKey!, sessionToken: a.SessionToken! }, maxAttempts: 1 });
    await auditor.send(new S.AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 'worker' }));
    // The management account is never limited: its admin assumes into the member account from us-east-1 (done above) and again now.
    const mgmt = new S.STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: adminCreds, maxAttempts: 1 });
    await mgmt.send(new S.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'again' }));
  });

  it('detaching FullAWSAccess from the OU (AWS CLI) denies everything below it; the management account is unaffected', { skip: !hasAwsCli && 'the AWS CLI is not installed' }, async () => {
    const file = join(dir, 'allow-s3.json');
    writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }));
    const created = cli(['organizations', 'create-policy', '--name', 'AllowS3Only', '--description', 's3', '--type', 'SERVICE_CONTROL_POLICY', '--content', `file://${file}`], w.rootCredentials);
    assert.equal(created.status, 0, created.stderr);
    const policyId = (JSON.parse(created.stdout) as { Policy: { PolicySummary: { Id: string } } }).Policy.PolicySummary.Id;
    assert.equal(cli(['organizations', 'attach-policy', '--policy-id', policyId, '--target-id', ouId], w.rootCredentials).status, 0);
    const detached = cli(['organizations', 'detach-policy', '--policy-id', 'p-FullAWSAccess', '--target-id', ouId], w.rootCredentials);
    assert.equal(detached.status, 0, detached.stderr);

    const denied = cli(['iam', 'list-users'], memberCreds);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, new RegExp(`An error occurred \\(AccessDenied\\) when calling the ListUsers operation: User: arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/e2e is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${member}:user/ because no service control policy allows the iam:ListUsers action`));
    const sdkDenied = await iam(memberCreds).send(new I.ListUsersCommand({})).catch((x: unknown) => x) as { name: string };
    assert.equal(sdkDenied.name, 'AccessDenied');

    // The management account: root and its users.
    assert.equal(cli(['iam', 'list-users'], w.rootCredentials).status, 0);
    assert.equal(cli(['iam', 'list-users'], adminCreds).status, 0);
    const listed = cli(['organizations', 'list-accounts'], adminCreds);
    assert.equal(listed.status, 0, listed.stderr);

    // Moving the account out of the OU restores access.
    await orgs.send(new O.MoveAccountCommand({ AccountId: member, SourceParentId: ouId, DestinationParentId: rootId }));
    await iam(memberCreds).send(new I.ListUsersCommand({}));
  });

  it('a member account may describe its organization but not list its accounts', async () => {
    const memberOrgs = new O.OrganizationsClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: memberCreds, maxAttempts: 1 });
    const d = await memberOrgs.send(new O.DescribeOrganizationCommand({}));
    assert.equal(d.Organization?.MasterAccountId, w.accountId);
    const e = await memberOrgs.send(new O.ListAccountsCommand({})).catch((x: unknown) => x) as { name: string; message: string };
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, "You don't have permissions to access this resource.");
  });
});
