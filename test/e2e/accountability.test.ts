// Accountability end to end with the AWS CLI against a real `warden serve`: a user enables a
// virtual MFA device with codes computed from the seed the CLI wrote, gets MFA session
// credentials with `aws sts get-session-token --serial-number … --token-code …`, and the
// MFA-gated policies (the brief's DenyAllExceptListedIfNoMFA and the seed's
// DenyAllUsersNotUsingMFA) allow with them and deny without; wrong and replayed codes and weak
// passwords get AWS's errors; the credential report, GetAccessKeyLastUsed, Access Advisor
// (ListPoliciesGrantingServiceAccess too), the Organizations access report (with the SDK as well)
// and the sign-in API work through the same server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as I from '@aws-sdk/client-iam';
import { totp } from '../../src/services/sts/mfa.js';
import { startWarden, type WardenProcess } from './harness.js';
import { awsCli, hasAwsCli } from './aws-cli.js';

const hasCli = hasAwsCli;

type Creds = { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string };

// The brief's MFA gate, as AWS documents it, and the seed's (NotAction iam:*).
const DENY_UNLESS_MFA = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'DenyAllExceptListedIfNoMFA', Effect: 'Deny',
    NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ListVirtualMFADevices', 'iam:ResyncMFADevice', 'sts:GetSessionToken'],
    Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  }],
});
const SEED_DENY_NOT_USING_MFA = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DenyAllUsersNotUsingMFA', Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
});
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

describe('accountability end to end (AWS CLI)', { skip: hasCli ? false : 'the AWS CLI is not installed' }, () => {
  let w: WardenProcess;
  let dir: string;
  let root: Creds;
  let alice: Creds;
  let A: string;
  let serial: string;
  let seed: string;
  let lastStepUsed = 0;

  const { aws, must } = awsCli(() => w.endpoint);
  /** A code for a time step after every step used so far (waits when the window is exhausted). */
  async function freshCode(): Promise<string> {
    for (;;) {
      const step = Math.floor(Date.now() / 30_000);
      for (const s of [step, step + 1]) {
        if (s > lastStepUsed) { lastStepUsed = s; return totp(seed, new Date(s * 30_000)); }
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-acct-'));
    w = await startWarden();
    A = w.accountId;
    root = { AccessKeyId: w.rootCredentials.accessKeyId, SecretAccessKey: w.rootCredentials.secretAccessKey };
    await must(root, 'iam', 'create-user', '--user-name', 'alice');
    await must(root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'AllowAll', '--policy-document', ALLOW_ALL);
    await must(root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'DenyAllUsersNotUsingMFA', '--policy-document', DENY_UNLESS_MFA);
    await must(root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'SeedDenyNotUsingMFA', '--policy-document', SEED_DENY_NOT_USING_MFA);
    const key = await must(root, 'iam', 'create-access-key', '--user-name', 'alice') as { AccessKey: Creds };
    alice = { AccessKeyId: key.AccessKey.AccessKeyId, SecretAccessKey: key.AccessKey.SecretAccessKey };
    await must(root, 'iam', 'create-role', '--role-name', 'ops', '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }] }));
  });
  after(async () => {
    await w?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('without MFA the gate denies everything but the listed MFA set-up actions', async () => {
    const denied = await aws(alice, 'iam', 'list-users');
    assert.equal(denied.ok, false);
    assert.match(denied.err, /AccessDenied/);
    assert.match(denied.err, new RegExp(`User: arn:aws:iam::${A}:user/alice is not authorized to perform: iam:ListUsers on resource: .* with an explicit deny in an identity-based policy`));
    const assume = await aws(alice, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${A}:role/ops`, '--role-session-name', 'no-mfa-key');
    assert.match(assume.err, /AccessDenied.*explicit deny/);
    await must(alice, 'iam', 'get-user');
    await must(alice, 'iam', 'list-mfa-devices');
  });

  it('the user creates a virtual MFA device (the CLI writes the Base32 seed and the QR PNG) and enables it with two consecutive codes', async () => {
    const seedFile = join(dir, 'seed.txt');
    const created = await must(alice, 'iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'alice', '--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed') as { VirtualMFADevice: { SerialNumber: string } };
    serial = created.VirtualMFADevice.SerialNumber;
    assert.equal(serial, `arn:aws:iam::${A}:mfa/alice`);
    seed = readFileSync(seedFile, 'utf8').trim();
    assert.match(seed, /^[A-Z2-7]{32}$/);
    const pngFile = join(dir, 'qr.png');
    await must(root, 'iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'spare', '--outfile', pngFile, '--bootstrap-method', 'QRCodePNG');
    assert.deepEqual([...readFileSync(pngFile).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    const dup = await aws(alice, 'iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'ALICE', '--outfile', join(dir, 'x'), '--bootstrap-method', 'Base32StringSeed');
    assert.match(dup.err, /EntityAlreadyExists/);

    const wrong = await aws(alice, 'iam', 'enable-mfa-device', '--user-name', 'alice', '--serial-number', serial, '--authentication-code1', '123456', '--authentication-code2', '654321');
    assert.match(wrong.err, /InvalidAuthenticationCode.*Authentication code for device is not valid\./);
    const now = Date.now();
    const step = Math.floor(now / 30_000);
    await must(alice, 'iam', 'enable-mfa-device', '--user-name', 'alice', '--serial-number', serial,
      '--authentication-code1', totp(seed, new Date((step - 1) * 30_000)), '--authentication-code2', totp(seed, new Date(step * 30_000)));
    lastStepUsed = step;
    const listed = await must(alice, 'iam', 'list-mfa-devices') as { MFADevices: { SerialNumber: string }[] };
    assert.deepEqual(listed.MFADevices.map((d) => d.SerialNumber), [serial]);
    const virtual = await must(root, 'iam', 'list-virtual-mfa-devices', '--assignment-status', 'Assigned') as { VirtualMFADevices: { SerialNumber: string }[] };
    assert.deepEqual(virtual.VirtualMFADevices.map((d) => d.SerialNumber), [serial]);
  });

  it('MFA session credentials from get-session-token pass the gate; a replayed code is refused', async () => {
    const code = await freshCode();
    const got = await must(alice, 'sts', 'get-session-token', '--serial-number', serial, '--token-code', code) as { Credentials: Creds };
    const session = got.Credentials;
    const replay = await aws(alice, 'sts', 'get-session-token', '--serial-number', serial, '--token-code', code);
    assert.match(replay.err, /AccessDenied.*MultiFactorAuthentication failed with invalid MFA one time pass code/);
    const badCode = await aws(alice, 'sts', 'get-session-token', '--serial-number', serial, '--token-code', code === '000000' ? '111111' : '000000');
    assert.match(badCode.err, /AccessDenied/);

    const users = await must(session, 'iam', 'list-users') as { Users: { UserName: string }[] };
    assert.ok(users.Users.some((u) => u.UserName === 'alice'));
    const assumed = await must(session, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${A}:role/ops`, '--role-session-name', 'with-mfa') as { Credentials: Creds };
    assert.match(assumed.Credentials.AccessKeyId, /^ASIA/);
    // The long-term key is still denied.
    assert.equal((await aws(alice, 'iam', 'list-users')).ok, false);

    // A session without MFA is no better than the key.
    const plain = await must(alice, 'sts', 'get-session-token') as { Credentials: Creds };
    const plainAssume = await aws(plain.Credentials, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${A}:role/ops`, '--role-session-name', 'no-mfa');
    assert.match(plainAssume.err, /AccessDenied.*explicit deny/);
  });

  it('weak passwords get PasswordPolicyViolation; a password policy is enforced', async () => {
    const weak = await aws(root, 'iam', 'create-login-profile', '--user-name', 'alice', '--password', 'weak');
    assert.match(weak.err, /PasswordPolicyViolation.*Password does not conform to the account password policy\./);
    await must(root, 'iam', 'update-account-password-policy', '--minimum-password-length', '12', '--require-symbols', '--password-reuse-prevention', '2');
    const short = await aws(root, 'iam', 'create-login-profile', '--user-name', 'alice', '--password', 'Short-pw-1');
    assert.match(short.err, /PasswordPolicyViolation.*Password should have a minimum length of 12/);
    await must(root, 'iam', 'create-login-profile', '--user-name', 'alice', '--password', 'Long-enough-pw-1');
  });

  it('the credential report shows the root line and alice with MFA and a used key', async () => {
    const gen = await must(root, 'iam', 'generate-credential-report') as { State: string };
    assert.equal(gen.State, 'STARTED');
    const again = await must(root, 'iam', 'generate-credential-report') as { State: string };
    assert.equal(again.State, 'COMPLETE');
    const report = await must(root, 'iam', 'get-credential-report') as { Content: string; ReportFormat: string };
    assert.equal(report.ReportFormat, 'text/csv');
    const csv = Buffer.from(report.Content, 'base64').toString('utf8');
    const [header, ...lines] = csv.split('\n');
    assert.equal(header, 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated');
    const cols = header.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
    assert.equal(rows[0].user, '<root_account>');
    assert.equal(rows[0].password_enabled, 'not_supported');
    assert.equal(rows[0].access_key_1_active, 'true');
    const a = rows.find((r) => r.user === 'alice')!;
    assert.deepEqual([a.password_enabled, a.password_last_used, a.mfa_active, a.access_key_1_active], ['true', 'no_information', 'true', 'true']);
    // The last use of the key (writes are debounced to one a minute): IAM or STS calls of this test.
    assert.ok(['iam', 'sts'].includes(a.access_key_1_last_used_service), a.access_key_1_last_used_service);
    assert.equal(a.access_key_1_last_used_region, 'us-east-1');
    assert.equal(a.access_key_2_active, 'false');
    const last = await must(root, 'iam', 'get-access-key-last-used', '--access-key-id', alice.AccessKeyId) as { AccessKeyLastUsed: { ServiceName: string; Region: string } };
    assert.ok(['iam', 'sts'].includes(last.AccessKeyLastUsed.ServiceName));
    assert.equal(last.AccessKeyLastUsed.Region, 'us-east-1');
  });

  it('Access Advisor reports the services alice used, from the audit trail', async () => {
    const { JobId } = await must(root, 'iam', 'generate-service-last-accessed-details', '--arn', `arn:aws:iam::${A}:user/alice`) as { JobId: string };
    const got = await must(root, 'iam', 'get-service-last-accessed-details', '--job-id', JobId) as { JobStatus: string; ServicesLastAccessed: Record<string, unknown>[] };
    assert.equal(got.JobStatus, 'COMPLETED');
    const iamRow = got.ServicesLastAccessed.find((s) => s.ServiceNamespace === 'iam')!;
    assert.equal(iamRow.LastAuthenticatedEntity, `arn:aws:iam::${A}:user/alice`);
    assert.ok(typeof iamRow.LastAuthenticated === 'string');
    // The role was assumed with the MFA session: its RoleLastUsed says so.
    const role = await must(root, 'iam', 'get-role', '--role-name', 'ops') as { Role: { RoleLastUsed?: { LastUsedDate?: string; Region?: string } } };
    assert.ok(typeof role.Role.RoleLastUsed?.LastUsedDate === 'string');
  });

  it('ListPoliciesGrantingServiceAccess: the policies allowing each service (CLI); errors through the SDK', async () => {
    const got = await must(root, 'iam', 'list-policies-granting-service-access', '--arn', `arn:aws:iam::${A}:user/alice`, '--service-namespaces', 'iam', 'sts') as {
      PoliciesGrantingServiceAccess: { ServiceNamespace: string; Policies: Record<string, string>[] }[]; IsTruncated: boolean;
    };
    // The MFA gates are Deny statements: they grant nothing.
    const allowAll = { PolicyName: 'AllowAll', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'alice' };
    assert.deepEqual(got.PoliciesGrantingServiceAccess, [{ ServiceNamespace: 'iam', Policies: [allowAll] }, { ServiceNamespace: 'sts', Policies: [allowAll] }]);
    assert.equal(got.IsTruncated, false);
    const sdk = new I.IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: { accessKeyId: root.AccessKeyId, secretAccessKey: root.SecretAccessKey }, maxAttempts: 1 });
    const role = await sdk.send(new I.ListPoliciesGrantingServiceAccessCommand({ Arn: `arn:aws:iam::${A}:role/ops`, ServiceNamespaces: ['s3'] }));
    assert.deepEqual(role.PoliciesGrantingServiceAccess, [{ ServiceNamespace: 's3', Policies: [] }]);
    const missing = await sdk.send(new I.ListPoliciesGrantingServiceAccessCommand({ Arn: `arn:aws:iam::${A}:user/ghost`, ServiceNamespaces: ['s3'] })).catch((e: unknown) => e) as { name: string; $metadata: { httpStatusCode: number } };
    assert.deepEqual([missing.name, missing.$metadata.httpStatusCode], ['NoSuchEntityException', 404]);
    const bad = await sdk.send(new I.ListPoliciesGrantingServiceAccessCommand({ Arn: `arn:aws:iam::${A}:user/alice`, ServiceNamespaces: ['no spaces'] })).catch((e: unknown) => e) as { name: string; message: string };
    assert.equal(bad.name, 'ValidationError');
    assert.match(bad.message, /serviceNamespaces/i);
  });

  it('the Organizations access report: the management account sees a member account\'s use (CLI and SDK); a member gets a FAILED job', async () => {
    const org = await must(root, 'organizations', 'create-organization', '--feature-set', 'ALL') as { Organization: { Id: string } };
    const rootId = (await must(root, 'organizations', 'list-roots') as { Roots: { Id: string }[] }).Roots[0].Id;
    await must(root, 'organizations', 'enable-policy-type', '--root-id', rootId, '--policy-type', 'SERVICE_CONTROL_POLICY');
    const req = await must(root, 'organizations', 'create-account', '--email', 'member@example.com', '--account-name', 'member') as { CreateAccountStatus: { Id: string } };
    let member = '';
    for (let i = 0; i < 20 && !member; i++) {
      const s = await must(root, 'organizations', 'describe-create-account-status', '--create-account-request-id', req.CreateAccountStatus.Id) as { CreateAccountStatus: { State: string; AccountId?: string } };
      if (s.CreateAccountStatus.State === 'SUCCEEDED') member = s.CreateAccountStatus.AccountId!;
    }
    assert.match(member, /^\d{12}$/);
    // An administrator of the management account works in the member account through its role.
    await must(root, 'iam', 'create-user', '--user-name', 'orgadmin');
    await must(root, 'iam', 'put-user-policy', '--user-name', 'orgadmin', '--policy-name', 'AllowAll', '--policy-document', ALLOW_ALL);
    const key = await must(root, 'iam', 'create-access-key', '--user-name', 'orgadmin') as { AccessKey: Creds };
    const assumed = await must({ AccessKeyId: key.AccessKey.AccessKeyId, SecretAccessKey: key.AccessKey.SecretAccessKey }, 'sts', 'assume-role',
      '--role-arn', `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, '--role-session-name', 'report') as { Credentials: Creds };
    await must(assumed.Credentials, 'iam', 'list-users');

    const path = `${org.Organization.Id}/${rootId}`;
    const { JobId } = await must(root, 'iam', 'generate-organizations-access-report', '--entity-path', path) as { JobId: string };
    const report = await must(root, 'iam', 'get-organizations-access-report', '--job-id', JobId, '--sort-key', 'LAST_AUTHENTICATED_TIME_DESCENDING') as {
      JobStatus: string; NumberOfServicesAccessible: number; NumberOfServicesNotAccessed: number; AccessDetails: Record<string, unknown>[];
    };
    assert.equal(report.JobStatus, 'COMPLETED');
    const iamRow = report.AccessDetails[0];
    assert.equal(iamRow.ServiceNamespace, 'iam');
    assert.equal(iamRow.EntityPath, `${path}/${member}`);
    assert.equal(iamRow.Region, 'us-east-1');
    assert.equal(iamRow.TotalAuthenticatedEntities, 1);
    assert.ok(report.NumberOfServicesNotAccessed < report.NumberOfServicesAccessible);
    assert.deepEqual(report.AccessDetails.find((d) => d.ServiceNamespace === 's3'), { ServiceName: 'Amazon S3', ServiceNamespace: 's3' });

    const sdk = new I.IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: { accessKeyId: root.AccessKeyId, secretAccessKey: root.SecretAccessKey }, maxAttempts: 1 });
    const page = await sdk.send(new I.GetOrganizationsAccessReportCommand({ JobId, MaxItems: 1 }));
    assert.equal(page.IsTruncated, true);
    assert.ok(page.JobCreationDate instanceof Date);
    assert.equal(page.AccessDetails?.length, 1);
    const missing = await sdk.send(new I.GetOrganizationsAccessReportCommand({ JobId: '00000000-0000-0000-0000-000000000000' })).catch((e: unknown) => e) as { name: string };
    assert.equal(missing.name, 'NoSuchEntityException');
    const bad = await sdk.send(new I.GenerateOrganizationsAccessReportCommand({ EntityPath: 'o-aaaaaaaaaa/x-notaroot' })).catch((e: unknown) => e) as { name: string; message: string };
    assert.equal(bad.name, 'ValidationError');
    assert.match(bad.message, /entityPath/i);

    // Only the management account may: the member's job fails with the Organizations error.
    const fromMember = await must(assumed.Credentials, 'iam', 'generate-organizations-access-report', '--entity-path', path) as { JobId: string };
    const failed = await must(assumed.Credentials, 'iam', 'get-organizations-access-report', '--job-id', fromMember.JobId) as { JobStatus: string; ErrorDetails: { Code: string } };
    assert.deepEqual([failed.JobStatus, failed.ErrorDetails.Code], ['FAILED', 'AccessDeniedException']);
  });

  it('the sign-in API answers session credentials for a password (and MFA code), and refuses a wrong one', async () => {
    const post = (body: unknown) => fetch(`${w.endpoint}/_warden/signin`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ Account: A, UserName: 'alice', Password: 'Wrong-password-1!' });
    assert.equal(bad.status, 401);
    assert.deepEqual(await bad.json(), { Error: { Code: 'AuthenticationFailed', Message: 'Your authentication information is incorrect. Please try again.' } });
    // The failure slowed this user+IP down: wait it out, then sign in with the MFA code.
    await new Promise((r) => setTimeout(r, 1100));
    const ok = await post({ Account: A, UserName: 'alice', Password: 'Long-enough-pw-1', MFACode: await freshCode() });
    const body = await ok.json() as { Credentials: Creds; MFAAuthenticated: boolean };
    assert.equal(ok.status, 200, JSON.stringify(body));
    assert.equal(body.MFAAuthenticated, true);
    const who = await must(body.Credentials, 'sts', 'get-caller-identity') as { Arn: string };
    assert.equal(who.Arn, `arn:aws:iam::${A}:user/alice`);
    await must(body.Credentials, 'iam', 'list-users');
  });
});
