// Centralized root access end to end through a real `warden serve`: @aws-sdk/client-organizations
// creates the organization and a member account and enables trusted access for IAM;
// @aws-sdk/client-iam enables RootCredentialsManagement and RootSessions; the AWS CLI, boto3 and
// @aws-sdk/client-sts call AssumeRoot; the root session creates and deletes the member root's
// password, and is denied what its task policy leaves out — and the refusals answer AWS's codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { awsCli, hasAwsCli } from './aws-cli.js';
import { startWarden, type Credentials, type WardenProcess } from './harness.js';

const task = (name: string) => `arn:aws:iam::aws:policy/root-task/${name}`;
const ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

function boto3(): boolean {
  return spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' }).status === 0;
}

const BOTO3_ASSUME_ROOT = `
import boto3, json, sys
endpoint, key, secret, target, arn = sys.argv[1:6]
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
try:
    c = sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": arn})["Credentials"]
except sts.exceptions.ClientError as e:
    print(json.dumps({"error": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}))
    sys.exit(0)
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                   aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
me = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()
profile = iam.get_login_profile()["LoginProfile"]
print(json.dumps({"arn": me["Arn"], "account": me["Account"], "profile": bool(profile.get("CreateDate"))}))
`;

describe('centralized root access end to end', () => {
  let w: WardenProcess;
  let O: typeof import('@aws-sdk/client-organizations');
  let I: typeof import('@aws-sdk/client-iam');
  let S: typeof import('@aws-sdk/client-sts');
  let member: string;
  let admin: Credentials;
  let limited: Credentials;

  const iam = (credentials: Credentials) => new I.IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const sts = (credentials: Credentials) => new S.STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const errorOf = (p: Promise<unknown>) => p.then(() => assert.fail('expected an error'), (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => e);

  const cli = awsCli(() => w.endpoint, { AWS_MAX_ATTEMPTS: '1' });

  async function assumeRoot(taskName: string, creds = admin): Promise<Credentials> {
    const out = await sts(creds).send(new S.AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: task(taskName) } }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }

  before(async () => {
    O = await import('@aws-sdk/client-organizations');
    I = await import('@aws-sdk/client-iam');
    S = await import('@aws-sdk/client-sts');
    w = await startWarden();
    const root = iam(w.rootCredentials);
    for (const name of ['admin', 'limited']) {
      await root.send(new I.CreateUserCommand({ UserName: name }));
      const policy = name === 'admin' ? ALL
        : JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'sts:AssumeRoot', Resource: '*' }] });
      await root.send(new I.PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
      const k = (await root.send(new I.CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      const c = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
      if (name === 'admin') admin = c; else limited = c;
    }
  });
  after(async () => { await w?.stop(); });

  it('sets up the organization and a member account; without trusted access the IAM operations refuse', async () => {
    const orgs = new O.OrganizationsClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    const none = await errorOf(iam(admin).send(new I.ListOrganizationsFeaturesCommand({})));
    assert.equal(none.name, 'OrganizationNotFoundException');
    await orgs.send(new O.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const status = await orgs.send(new O.CreateAccountCommand({ Email: 'member@example.com', AccountName: 'member' }));
    const done = await orgs.send(new O.DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.CreateAccountStatus!.Id! }));
    member = done.CreateAccountStatus!.AccountId!;
    const e = await errorOf(iam(admin).send(new I.EnableOrganizationsRootSessionsCommand({})));
    assert.equal(e.name, 'ServiceAccessNotEnabledException');
    assert.equal(e.$metadata?.httpStatusCode, 400);
    await orgs.send(new O.EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
  });

  it('AssumeRoot before RootSessions is enabled: AccessDenied', async () => {
    const e = await errorOf(assumeRoot('IAMAuditRootUserCredentials'));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, new RegExp(`not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${member}:root`));
  });

  it('enables both features with the SDK and lists them', async () => {
    const a = await iam(admin).send(new I.EnableOrganizationsRootCredentialsManagementCommand({}));
    assert.deepEqual(a.EnabledFeatures, ['RootCredentialsManagement']);
    const b = await iam(admin).send(new I.EnableOrganizationsRootSessionsCommand({}));
    assert.deepEqual(b.EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
    const l = await iam(admin).send(new I.ListOrganizationsFeaturesCommand({}));
    assert.match(l.OrganizationId!, /^o-[a-z0-9]{10,32}$/);
    assert.deepEqual(l.EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
  });

  it('AWS CLI assume-root with IAMCreateRootUserPassword: the session is the member root and creates its password', { skip: !hasAwsCli && 'the AWS CLI is not installed' }, async () => {
    const r = cli.spawn(admin, 'sts', 'assume-root', '--target-principal', member, '--task-policy-arn', `arn=${task('IAMCreateRootUserPassword')}`, '--duration-seconds', '600');
    assert.equal(r.status, 0, r.stderr);
    const c = (JSON.parse(r.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string } }).Credentials;
    assert.match(c.AccessKeyId, /^ASIA/);
    const ttl = Date.parse(c.Expiration) - Date.now();
    assert.ok(ttl > 590_000 && ttl <= 600_000, `expiry in ~600 s, got ${ttl} ms`);
    const session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const who = cli.spawn(session, 'sts', 'get-caller-identity');
    assert.equal(who.status, 0, who.stderr);
    assert.deepEqual(JSON.parse(who.stdout), { UserId: member, Account: member, Arn: `arn:aws:iam::${member}:root` });
    const created = cli.spawn(session, 'iam', 'create-login-profile');
    assert.equal(created.status, 0, created.stderr);
    // Outside the task: AWS's AccessDenied.
    const denied = cli.spawn(session, 'iam', 'create-user', '--user-name', 'intruder');
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /An error occurred \(AccessDenied\) when calling the CreateUser operation: User: arn:aws:iam::\d{12}:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::\d{12}:user\/intruder with an explicit deny in a session policy/);
  });

  it('boto3 assume_root with IAMAuditRootUserCredentials reads the root\'s login profile', { skip: !boto3() && 'boto3 is not installed' }, async () => {
    const r = spawnSync('python3', ['-c', BOTO3_ASSUME_ROOT, w.endpoint, admin.accessKeyId, admin.secretAccessKey, member, task('IAMAuditRootUserCredentials')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { arn: `arn:aws:iam::${member}:root`, account: member, profile: true });
  });

  it('SDK: the audit session lists the root\'s credentials and may not delete them; the delete session does', async () => {
    const audit = iam(await assumeRoot('IAMAuditRootUserCredentials'));
    assert.deepEqual((await audit.send(new I.ListAccessKeysCommand({}))).AccessKeyMetadata, []);
    assert.deepEqual((await audit.send(new I.ListMFADevicesCommand({}))).MFADevices, []);
    assert.deepEqual((await audit.send(new I.ListSigningCertificatesCommand({}))).Certificates, []);
    assert.ok((await audit.send(new I.GetLoginProfileCommand({}))).LoginProfile?.CreateDate instanceof Date);
    const e = await errorOf(audit.send(new I.DeleteLoginProfileCommand({})));
    assert.equal(e.name, 'AccessDenied');
    assert.equal(e.$metadata?.httpStatusCode, 403);
    const del = iam(await assumeRoot('IAMDeleteRootUserCredentials'));
    await del.send(new I.DeleteLoginProfileCommand({}));
    const gone = await errorOf(del.send(new I.GetLoginProfileCommand({})));
    assert.equal(gone.name, 'NoSuchEntityException');
  });

  it('refusals answer AWS\'s errors', async () => {
    const bad = await errorOf(sts(admin).send(new S.AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } })));
    assert.equal(bad.name, 'ValidationError');
    const long = await errorOf(sts(admin).send(new S.AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: task('S3UnlockBucketPolicy') }, DurationSeconds: 901 })));
    assert.equal(long.name, 'ValidationError');
    assert.match(long.message, /Member must have value less than or equal to 900/);
    const outsider = await errorOf(sts(admin).send(new S.AssumeRootCommand({ TargetPrincipal: '123456789012', TaskPolicyArn: { arn: task('S3UnlockBucketPolicy') } })));
    assert.equal(outsider.name, 'AccessDenied');
    assert.match(outsider.message, /is not a member account of your organization/);
    const lacks = await errorOf(assumeRoot('S3UnlockBucketPolicy', limited));
    assert.equal(lacks.name, 'AccessDenied');
    assert.match(lacks.message, new RegExp(`User: arn:aws:iam::${w.accountId}:user/limited is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${member}:root because no identity-based policy allows the sts:AssumeRoot action`));
    const asRoot = await errorOf(sts(w.rootCredentials).send(new S.AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: task('S3UnlockBucketPolicy') } })));
    assert.equal(asRoot.name, 'AccessDenied');
  });

  it('with RootSessions disabled AssumeRoot is refused again', async () => {
    const out = await iam(admin).send(new I.DisableOrganizationsRootSessionsCommand({}));
    assert.deepEqual(out.EnabledFeatures, ['RootCredentialsManagement']);
    const e = await errorOf(assumeRoot('IAMAuditRootUserCredentials'));
    assert.equal(e.name, 'AccessDenied');
  });
});
