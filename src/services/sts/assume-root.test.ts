// AssumeRoot (assume-root.ts) over the real runtime and SQLite store: the prerequisites and their
// errors, the issued session (root of the member account, task policy as filter), and the
// privileged tasks of the IAM root-task policies on the member root's credentials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallContext, Caller } from '../types.js';
import { KIND, ROOT_OWNER, isoNow, newAccessKeyId, ownerKey } from '../iam/entities.js';
import { iamOperations } from '../iam/index.js';
import { awsErrorOf, openOrgFixture, type OrgFixture } from '../organizations/org-fixture.js';
import { ROOT_TASK_POLICY_ARNS } from './assume-root.js';

type Obj = Record<string, any>;

const task = (name: string) => ({ arn: `arn:aws:iam::aws:policy/root-task/${name}` });
const ALLOW_ASSUME_ROOT = { Effect: 'Allow' as const, Action: 'sts:AssumeRoot', Resource: 'arn:aws:iam::*:root' };

describe('STS AssumeRoot', () => {
  let f: OrgFixture;
  let member: string;
  let outsider: string;

  const sts = (op: string, ctx: CallContext, input: Obj = {}) => f.runtime.operations.sts![op](ctx, input) as Promise<Obj>;
  const iam = async (op: string, ctx: CallContext, input: Obj = {}) => ((await iamOperations[op](ctx, input)) ?? {}) as Obj;
  async function assumeRoot(ctx: CallContext, input: Obj): Promise<{ out: Obj; caller: Caller; ctx: CallContext }> {
    const out = await sts('AssumeRoot', ctx, input);
    const r = await f.runtime.resolveCredentials(out.Credentials.AccessKeyId, out.Credentials.SessionToken, new Date());
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return { out, caller: r.caller, ctx: f.ctx(r.caller) };
  }

  before(async () => {
    f = await openOrgFixture();
    await f.addUser('admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    await f.addUser('auditor', [{ ...ALLOW_ASSUME_ROOT, Condition: { StringEquals: { 'sts:TaskPolicyArn': task('IAMAuditRootUserCredentials').arn } } }]);
    await f.addUser('nobody', []);
    await f.org('CreateOrganization', f.root(), { FeatureSet: 'ALL' });
    await f.org('CreateAccount', f.root(), { AccountName: 'm', Email: 'm@example.com' });
    member = ((await f.org('ListAccounts', f.root())).Accounts as Obj[]).map((a) => a.Id as string).find((id) => id !== f.mgmt)!;
    outsider = '210987654321';
    await f.addAccount(outsider);
    // The member root's credentials, as a member account that had them would hold them.
    await f.store.transaction(async (tx) => {
      const id = newAccessKeyId();
      await tx.insert({ kind: KIND.accessKey, account: member, key: id, id, parent: ROOT_OWNER,
        data: { AccessKeyId: id, UserName: '', Status: 'Active', CreateDate: isoNow(), SecretEncrypted: f.secrets.encrypt('s'.repeat(40)) } });
      const serial = `arn:aws:iam::${member}:mfa/root-account-mfa-device`;
      await tx.insert({ kind: KIND.mfaDevice, account: member, key: serial, parent: ROOT_OWNER,
        data: { SerialNumber: serial, Virtual: true, UserName: '', EnableDate: isoNow(), SeedEncrypted: f.secrets.encrypt('JBSWY3DPEHPK3PXP') } });
      await tx.insert({ kind: KIND.signingCertificate, account: member, key: 'ROOTCERT0000000000000000000000AB', id: 'ROOTCERT0000000000000000000000AB', parent: ROOT_OWNER,
        data: { UserName: '', CertificateId: 'ROOTCERT0000000000000000000000AB', CertificateBody: '-----BEGIN CERTIFICATE-----', Status: 'Active', UploadDate: isoNow(), Fingerprint: 'x' } });
    });
    await f.runtime.afterWrite();
  });
  after(async () => { await f.close(); });

  it('before centralized root access is enabled: AccessDenied naming the member root', async () => {
    const e = await awsErrorOf(async () => sts('AssumeRoot', await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('IAMAuditRootUserCredentials') }));
    assert.equal(e.code, 'AccessDenied');
    assert.equal(e.status, 403);
    assert.match(e.message, new RegExp(`is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${member}:root because centralized root access`));
  });

  it('with RootSessions enabled, returns root credentials for the member account', async () => {
    const admin = await f.user('admin');
    await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'iam.amazonaws.com' });
    await iam('EnableOrganizationsRootSessions', admin);
    const before = Date.now();
    const { out, caller, ctx } = await assumeRoot(admin, { TargetPrincipal: `arn:aws:iam::${member}:root`, TaskPolicyArn: task('IAMAuditRootUserCredentials') });
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const ttl = Date.parse(out.Credentials.Expiration) - before;
    assert.ok(ttl > 895_000 && ttl <= 900_000, `default duration 900 s, got ${ttl} ms`);
    assert.equal(caller.principal.kind, 'root');
    assert.equal(caller.accountId, member);
    assert.deepEqual(await sts('GetCallerIdentity', ctx), { UserId: member, Account: member, Arn: `arn:aws:iam::${member}:root` });
  });

  it('the audit task lists the root\'s access keys and is denied anything else by its task policy', async () => {
    const { ctx } = await assumeRoot(await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('IAMAuditRootUserCredentials'), DurationSeconds: 60 });
    const keys = (await iam('ListAccessKeys', ctx)).AccessKeyMetadata as Obj[];
    assert.equal(keys.length, 1);
    assert.equal(keys[0].UserName, undefined);
    assert.deepEqual((await iam('GetUser', ctx)).User.Arn, `arn:aws:iam::${member}:root`);
    assert.deepEqual(((await iam('ListMFADevices', ctx)).MFADevices as Obj[]).map((d) => d.SerialNumber), [`arn:aws:iam::${member}:mfa/root-account-mfa-device`]);
    assert.equal(((await iam('ListSigningCertificates', ctx)).Certificates as Obj[]).length, 1);
    const noProfile = await awsErrorOf(() => iam('GetLoginProfile', ctx));
    assert.equal(noProfile.code, 'NoSuchEntity');
    const denied = await awsErrorOf(() => iam('CreateUser', ctx, { UserName: 'x' }));
    assert.equal(denied.code, 'AccessDenied');
    assert.equal(denied.message, `User: arn:aws:iam::${member}:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${member}:user/x with an explicit deny in a session policy`);
    // The task's own actions on someone else's resources are denied too (NotResource arn:aws:iam::*:root).
    const other = await awsErrorOf(() => iam('ListAccessKeys', ctx, { UserName: 'someone' }));
    assert.equal(other.code, 'AccessDenied');
    // Deleting is another task.
    const del = await awsErrorOf(() => iam('DeleteAccessKey', ctx, { AccessKeyId: (keys[0].AccessKeyId as string) }));
    assert.equal(del.code, 'AccessDenied');
  });

  it('IAMCreateRootUserPassword creates the root\'s passwordless login profile (Password must be omitted)', async () => {
    const { ctx } = await assumeRoot(await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('IAMCreateRootUserPassword') });
    const withPassword = await awsErrorOf(() => iam('CreateLoginProfile', ctx, { Password: 'Sup3r-secret-pw!' }));
    assert.equal(withPassword.code, 'InvalidInput');
    const out = await iam('CreateLoginProfile', ctx);
    assert.ok(out.LoginProfile.CreateDate);
    assert.ok((await iam('GetLoginProfile', ctx)).LoginProfile);
    const again = await awsErrorOf(() => iam('CreateLoginProfile', ctx));
    assert.equal(again.code, 'EntityAlreadyExists');
  });

  it('IAMDeleteRootUserCredentials deletes the root\'s login profile, access keys and signing certificates and deactivates its MFA', async () => {
    const { ctx } = await assumeRoot(await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('IAMDeleteRootUserCredentials') });
    await iam('DeleteLoginProfile', ctx);
    assert.equal((await awsErrorOf(() => iam('GetLoginProfile', ctx))).code, 'NoSuchEntity');
    for (const k of (await iam('ListAccessKeys', ctx)).AccessKeyMetadata as Obj[]) await iam('DeleteAccessKey', ctx, { AccessKeyId: k.AccessKeyId });
    assert.deepEqual((await iam('ListAccessKeys', ctx)).AccessKeyMetadata, []);
    await iam('DeactivateMFADevice', ctx, { SerialNumber: `arn:aws:iam::${member}:mfa/root-account-mfa-device` });
    assert.deepEqual((await iam('ListMFADevices', ctx)).MFADevices, []);
    // The deactivated device is the root's to delete in this session (authorized on the root's ARN).
    await iam('DeleteVirtualMFADevice', ctx, { SerialNumber: `arn:aws:iam::${member}:mfa/root-account-mfa-device` });
    assert.equal((await awsErrorOf(() => iam('DeleteVirtualMFADevice', ctx, { SerialNumber: `arn:aws:iam::${member}:mfa/root-account-mfa-device` }))).code, 'NoSuchEntity');
    // An IAM user's device is that device's resource: the task policy denies it.
    const usersDevice = `arn:aws:iam::${member}:mfa/someones-device`;
    await f.store.transaction(async (tx) => {
      await tx.insert({ kind: KIND.mfaDevice, account: member, key: usersDevice, parent: ownerKey('user', 'someone'),
        data: { SerialNumber: usersDevice, Virtual: true, UserName: 'someone', EnableDate: isoNow(), SeedEncrypted: f.secrets.encrypt('JBSWY3DPEHPK3PXP') } });
    });
    const denied = await awsErrorOf(() => iam('DeleteVirtualMFADevice', ctx, { SerialNumber: usersDevice }));
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, /iam:DeleteVirtualMFADevice on resource: arn:aws:iam::\d{12}:mfa\/someones-device with an explicit deny in a session policy/);
    await iam('DeleteSigningCertificate', ctx, { CertificateId: 'ROOTCERT0000000000000000000000AB' });
    assert.deepEqual((await iam('ListSigningCertificates', ctx)).Certificates, []);
    assert.equal((await awsErrorOf(() => iam('CreateLoginProfile', ctx))).code, 'AccessDenied');
  });

  it('sts:AssumeRoot is authorized with sts:TaskPolicyArn', async () => {
    const auditor = await f.user('auditor');
    await assumeRoot(auditor, { TargetPrincipal: member, TaskPolicyArn: task('IAMAuditRootUserCredentials') });
    const e = await awsErrorOf(() => sts('AssumeRoot', auditor, { TargetPrincipal: member, TaskPolicyArn: task('IAMDeleteRootUserCredentials') }));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, new RegExp(`not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${member}:root because no identity-based policy allows`));
    const n = await awsErrorOf(async () => sts('AssumeRoot', await f.user('nobody'), { TargetPrincipal: member, TaskPolicyArn: task('S3UnlockBucketPolicy') }));
    assert.equal(n.code, 'AccessDenied');
  });

  const refusals: { name: string; input: () => Obj; code: string; message?: RegExp }[] = [
    { name: 'an account outside the organization', input: () => ({ TargetPrincipal: outsider, TaskPolicyArn: task('S3UnlockBucketPolicy') }), code: 'AccessDenied', message: /is not a member account of your organization/ },
    { name: 'the management account itself', input: () => ({ TargetPrincipal: f.mgmt, TaskPolicyArn: task('S3UnlockBucketPolicy') }), code: 'AccessDenied', message: /is not a member account/ },
    { name: 'a task policy that is not a root-task policy', input: () => ({ TargetPrincipal: member, TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }), code: 'ValidationError', message: /Invalid TaskPolicyArn/ },
    { name: 'a malformed target', input: () => ({ TargetPrincipal: `arn:aws:iam::${member}:user/x`, TaskPolicyArn: task('S3UnlockBucketPolicy') }), code: 'ValidationError', message: /Invalid TargetPrincipal/ },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}: ${r.code}`, async () => {
      const e = await awsErrorOf(async () => sts('AssumeRoot', await f.user('admin'), r.input()));
      assert.equal(e.code, r.code);
      if (r.message) assert.match(e.message, r.message);
    });
  }

  it('refuses root callers, GetSessionToken sessions and root sessions themselves', async () => {
    const input = { TargetPrincipal: member, TaskPolicyArn: task('S3UnlockBucketPolicy') };
    assert.equal((await awsErrorOf(() => sts('AssumeRoot', f.root(), input))).message, 'You cannot use root user credentials to call AssumeRoot.');
    const admin = await f.user('admin');
    const st = await sts('GetSessionToken', admin);
    const r = await f.runtime.resolveCredentials(st.Credentials.AccessKeyId, st.Credentials.SessionToken, new Date());
    assert.ok(r.ok);
    assert.equal((await awsErrorOf(() => sts('AssumeRoot', f.ctx(r.caller), input))).code, 'AccessDenied');
    const { ctx } = await assumeRoot(admin, input);
    assert.equal((await awsErrorOf(() => sts('AssumeRoot', ctx, input))).code, 'AccessDenied');
  });

  it('a member account that is not IAM\'s delegated administrator may not call it; the delegated administrator may', async () => {
    await f.addUser('ops', [ALLOW_ASSUME_ROOT], member);
    const ops = await f.user('ops', member);
    const input = { TargetPrincipal: member, TaskPolicyArn: task('S3UnlockBucketPolicy') };
    assert.match((await awsErrorOf(() => sts('AssumeRoot', ops, input))).message, /not the management account or delegated administrator/);
    await f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'iam.amazonaws.com' });
    const { caller } = await assumeRoot(ops, input);
    assert.equal(caller.accountId, member);
    await f.org('DeregisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'iam.amazonaws.com' });
  });

  it('S3 and SQS unlock sessions decide through the engine as their task policies say', async () => {
    const s3 = (await assumeRoot(await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('S3UnlockBucketPolicy') })).ctx;
    assert.equal(s3.authorize('s3:DeleteBucketPolicy', 'arn:aws:s3:::locked').decision, 'Allow');
    assert.equal(s3.authorize('s3:PutBucketPolicy', 'arn:aws:s3:::locked').decision, 'Allow');
    assert.throws(() => s3.authorize('s3:GetObject', 'arn:aws:s3:::locked/k'), /explicit deny in a session policy/);
    const sqs = (await assumeRoot(await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('SQSUnlockQueuePolicy') })).ctx;
    assert.equal(sqs.authorize('sqs:SetQueueAttributes', `arn:aws:sqs:us-east-1:${member}:q`).decision, 'Allow');
    assert.throws(() => sqs.authorize('sqs:DeleteQueue', `arn:aws:sqs:us-east-1:${member}:q`), /explicit deny/);
    assert.throws(() => sqs.authorize('iam:ListAccessKeys', `arn:aws:iam::${member}:root`), /explicit deny/);
  });

  it('an SCP of the member account applies to its root sessions', async () => {
    const ctx = (await assumeRoot(await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('S3UnlockBucketPolicy') })).ctx;
    await f.org('EnablePolicyType', f.root(), { RootId: ((await f.org('ListRoots', f.root())).Roots as Obj[])[0].Id, PolicyType: 'SERVICE_CONTROL_POLICY' });
    const p = (await f.org('CreatePolicy', f.root(), {
      Name: 'no-unlock', Description: '', Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucketPolicy', Resource: '*' }] }),
    })).Policy as Obj;
    await f.org('AttachPolicy', f.root(), { PolicyId: p.PolicySummary.Id, TargetId: member });
    assert.throws(() => ctx.authorize('s3:DeleteBucketPolicy', 'arn:aws:s3:::locked'), /explicit deny in a service control policy/);
    assert.equal(ctx.authorize('s3:PutBucketPolicy', 'arn:aws:s3:::locked').decision, 'Allow');
  });

  it('disabling RootSessions stops new sessions', async () => {
    await iam('DisableOrganizationsRootSessions', await f.user('admin'));
    const e = await awsErrorOf(async () => sts('AssumeRoot', await f.user('admin'), { TargetPrincipal: member, TaskPolicyArn: task('S3UnlockBucketPolicy') }));
    assert.match(e.message, /centralized root access \(RootSessions\) is not enabled/);
  });

  it('accepts exactly the five root-task policies', () => {
    assert.deepEqual(ROOT_TASK_POLICY_ARNS.map((a) => a.split('/').pop()),
      ['IAMAuditRootUserCredentials', 'IAMCreateRootUserPassword', 'IAMDeleteRootUserCredentials', 'S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy']);
  });
});
