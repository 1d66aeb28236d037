// STS end to end: a real `warden serve`, driven by @aws-sdk/client-sts / client-iam, boto3 and
// the AWS CLI. Assume a role, use the credentials, chain, session policies, tampered and
// expired tokens, revocation, ExternalId, MFA, untrusted principals — each with AWS's error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient,
} from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, DeleteRolePolicyCommand, IAMClient, ListUsersCommand,
  PutRolePolicyCommand, PutUserPolicyCommand, GetUserCommand, CreatePolicyCommand, PutRolePermissionsBoundaryCommand,
  CreateVirtualMFADeviceCommand, EnableMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { createSecretBox } from '../../src/crypto/secrets.js';
import { isoNow } from '../../src/services/iam/entities.js';
import { issueSessionCredentials } from '../../src/services/sts/credentials.js';
import { base32Decode, hotp, totp } from '../../src/services/sts/mfa.js';
import { awsCli, hasAwsCli } from './aws-cli.js';
import { startWarden, type Credentials, type WardenProcess } from './harness.js';

const run = promisify(execFile);

type AwsCreds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function hasPython(): Promise<boolean> {
  try { await run('python3', ['-c', 'import boto3']); return true; } catch { return false; }
}

describe('STS end to end (warden serve)', () => {
  let w: WardenProcess;
  let masterKey: Buffer;
  let A: string;
  let root: Credentials;
  let alice: AwsCreds;
  const clients: { destroy(): void }[] = [];
  const sts = (credentials: AwsCreds) => { const c = new STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }); clients.push(c); return c; };
  const iam = (credentials: AwsCreds) => { const c = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }); clients.push(c); return c; };
  const fromSts = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): AwsCreds =>
    ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
  const errorOf = async (p: Promise<unknown>): Promise<{ name: string; message: string }> => {
    try { await p; } catch (e) { return e as { name: string; message: string }; }
    throw new Error('expected the call to fail');
  };
  const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

  before(async () => {
    masterKey = randomBytes(32);
    w = await startWarden({ env: { WARDEN_MASTER_KEY: masterKey.toString('base64') } });
    A = w.accountId;
    root = w.rootCredentials;
    const admin = iam(root);
    await admin.send(new CreateUserCommand({ UserName: 'alice' }));
    await admin.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'assume', PolicyDocument: doc([{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:GetFederationToken'], Resource: '*' }]) }));
    const key = await admin.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    alice = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    await admin.send(new CreateRoleCommand({
      RoleName: 'app', MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]),
    }));
    await admin.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser', 'sts:AssumeRole'], Resource: '*' }]) }));
    await admin.send(new CreateRoleCommand({
      RoleName: 'chained', MaxSessionDuration: 43200,
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/app` }, Action: 'sts:AssumeRole' }]),
    }));
    await admin.send(new PutRolePolicyCommand({ RoleName: 'chained', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }]) }));
    await admin.send(new CreateRoleCommand({
      RoleName: 'partner',
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'Unique-ID-42' } } }]),
    }));
    await admin.send(new CreateRoleCommand({
      RoleName: 'mfa',
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }]),
    }));
    await admin.send(new CreateRoleCommand({
      RoleName: 'untrusting',
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
    }));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await w?.stop();
  });

  it('assumes a role and uses the credentials (@aws-sdk/client-sts)', async () => {
    const out = await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/app`, RoleSessionName: 'e2e' }));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${A}:assumed-role/app/e2e`);
    const creds = fromSts(out.Credentials);
    const id = await sts(creds).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/app/e2e`);
    assert.equal(id.Account, A);
    const users = await iam(creds).send(new ListUsersCommand({}));
    assert.ok(users.Users!.some((u) => u.UserName === 'alice'));
  });

  it('limits the session by its session policy', async () => {
    const out = await sts(alice).send(new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${A}:role/app`, RoleSessionName: 'narrow', Policy: doc([{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }]),
    }));
    assert.ok((out.PackedPolicySize ?? 0) > 0);
    const creds = fromSts(out.Credentials);
    await iam(creds).send(new ListUsersCommand({}));
    const e = await errorOf(iam(creds).send(new GetUserCommand({ UserName: 'alice' })));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /because no session policy allows the iam:GetUser action/);
  });

  it('limits the session by the role\'s permissions boundary', async () => {
    const admin = iam(root);
    const boundary = await admin.send(new CreatePolicyCommand({ PolicyName: 'list-only', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:ListUsers'], Resource: '*' }]) }));
    await admin.send(new CreateRoleCommand({
      RoleName: 'bounded', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole' }]),
    }));
    await admin.send(new PutRolePolicyCommand({ RoleName: 'bounded', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser'], Resource: '*' }]) }));
    await admin.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: boundary.Policy!.Arn! }));
    const creds = fromSts((await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/bounded`, RoleSessionName: 'bb' }))).Credentials);
    await iam(creds).send(new ListUsersCommand({}));
    const e = await errorOf(iam(creds).send(new GetUserCommand({ UserName: 'alice' })));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /because no permissions boundary allows the iam:GetUser action/);
  });

  it('GetSessionToken credentials without MFA cannot call IAM', async () => {
    const st = fromSts((await sts(alice).send(new GetSessionTokenCommand({}))).Credentials);
    const e = await errorOf(iam(st).send(new ListUsersCommand({})));
    assert.equal(e.name, 'InvalidClientTokenId');
  });

  it('chains roles, capped at one hour', async () => {
    const first = fromSts((await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/app`, RoleSessionName: 'hop1' }))).Credentials);
    const second = await sts(first).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/chained`, RoleSessionName: 'hop2' }));
    assert.equal((await sts(fromSts(second.Credentials)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${A}:assumed-role/chained/hop2`);
    const e = await errorOf(sts(first).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/chained`, RoleSessionName: 'hop2', DurationSeconds: 7200 })));
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  });

  it('refuses a tampered session token with InvalidClientTokenId', async () => {
    const out = await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/app`, RoleSessionName: 'tamper' }));
    const creds = fromSts(out.Credentials);
    const t = creds.sessionToken!;
    const i = Math.floor(t.length / 2);
    creds.sessionToken = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    const e = await errorOf(sts(creds).send(new GetCallerIdentityCommand({})));
    assert.equal(e.name, 'InvalidClientTokenId');
    assert.equal(e.message, 'The security token included in the request is invalid.');
  });

  it('refuses an expired session token with ExpiredToken', async () => {
    const issued = issueSessionCredentials(createSecretBox(masterKey), {
      type: 'session-token', accountId: A, principal: { kind: 'root' },
    }, new Date(Date.now() - 2 * 3600_000), 900);
    const e = await errorOf(sts({ accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken }).send(new GetCallerIdentityCommand({})));
    assert.equal(e.name, 'ExpiredToken');
    assert.equal(e.message, 'The security token included in the request is expired');
  });

  it('revokes older sessions with AWS\'s TokenIssueTime deny, at once', async () => {
    const admin = iam(root);
    await admin.send(new CreateRoleCommand({
      RoleName: 'revocable', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole' }]),
    }));
    await admin.send(new PutRolePolicyCommand({ RoleName: 'revocable', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }]) }));
    const old = fromSts((await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/revocable`, RoleSessionName: 'old' }))).Credentials);
    await iam(old).send(new ListUsersCommand({}));
    await new Promise((r) => setTimeout(r, 1100));
    await admin.send(new PutRolePolicyCommand({
      RoleName: 'revocable', PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: doc([{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': isoNow() } } }]),
    }));
    const e = await errorOf(iam(old).send(new ListUsersCommand({})));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /explicit deny/);
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = fromSts((await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/revocable`, RoleSessionName: 'new' }))).Credentials);
    await iam(fresh).send(new ListUsersCommand({}));
    // Deleting the role stops every session of it.
    await admin.send(new DeleteRolePolicyCommand({ RoleName: 'revocable', PolicyName: 'p' }));
    await admin.send(new DeleteRolePolicyCommand({ RoleName: 'revocable', PolicyName: 'AWSRevokeOlderSessions' }));
    await admin.send(new DeleteRoleCommand({ RoleName: 'revocable' }));
    assert.equal((await errorOf(sts(fresh).send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
  });

  const negatives = [
    { name: 'a wrong ExternalId', role: 'partner', input: { ExternalId: 'Unique-ID-43' } },
    { name: 'no ExternalId', role: 'partner', input: {} },
    { name: 'an untrusted principal', role: 'untrusting', input: {} },
    { name: 'no MFA', role: 'mfa', input: {} },
  ];
  for (const c of negatives) {
    it(`answers AccessDenied for ${c.name}`, async () => {
      const e = await errorOf(sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/${c.role}`, RoleSessionName: 'neg', ...c.input })));
      assert.equal(e.name, 'AccessDenied');
      assert.match(e.message, new RegExp(`^User: arn:aws:iam::${A}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A}:role/${c.role}`));
    });
  }

  it('the right ExternalId is accepted', async () => {
    const out = await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/partner`, RoleSessionName: 'pp', ExternalId: 'Unique-ID-42' }));
    assert.ok(out.Credentials?.SessionToken);
  });

  it('checks MFA codes of a virtual device made through IAM: right, wrong, reused', async () => {
    const admin = iam(root);
    const created = await admin.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice-phone' }));
    const serial = created.VirtualMFADevice!.SerialNumber!;
    const seed = Buffer.from(created.VirtualMFADevice!.Base32StringSeed!).toString('utf8');
    const step = Math.floor(Date.now() / 30_000);
    const key = base32Decode(seed);
    await admin.send(new EnableMFADeviceCommand({ UserName: 'alice', SerialNumber: serial, AuthenticationCode1: hotp(key, step - 2), AuthenticationCode2: hotp(key, step - 1) }));
    const good = totp(seed, new Date());
    const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, '0');
    const bad = await errorOf(sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/mfa`, RoleSessionName: 'mm', SerialNumber: serial, TokenCode: wrong })));
    assert.equal(bad.name, 'AccessDenied');
    assert.match(bad.message, /MultiFactorAuthentication failed with invalid MFA one time pass code/);
    const ok = await sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/mfa`, RoleSessionName: 'mm', SerialNumber: serial, TokenCode: good }));
    assert.ok(ok.Credentials?.SessionToken);
    const reused = await errorOf(sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/mfa`, RoleSessionName: 'mm', SerialNumber: serial, TokenCode: good })));
    assert.equal(reused.name, 'AccessDenied');
    assert.match(reused.message, /MultiFactorAuthentication failed/);
  });

  it('GetSessionToken and GetFederationToken credentials work', async () => {
    const st = await sts(alice).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    assert.equal((await sts(fromSts(st.Credentials)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${A}:user/alice`);
    const fed = await sts(alice).send(new GetFederationTokenCommand({ Name: 'bob', Policy: doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) }));
    assert.equal(fed.FederatedUser!.Arn, `arn:aws:sts::${A}:federated-user/bob`);
    assert.equal((await sts(fromSts(fed.Credentials)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${A}:federated-user/bob`);
  });

  it('works with boto3', async (t) => {
    if (!(await hasPython())) { t.skip('boto3 is not installed'); return; }
    const script = `
import boto3, json, sys
ep, acct, ak, sk = sys.argv[1:5]
s = boto3.client('sts', endpoint_url=ep, region_name='us-east-1', aws_access_key_id=ak, aws_secret_access_key=sk)
c = s.assume_role(RoleArn='arn:aws:iam::%s:role/app' % acct, RoleSessionName='boto')['Credentials']
s2 = boto3.client('sts', endpoint_url=ep, region_name='us-east-1', aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
i = boto3.client('iam', endpoint_url=ep, region_name='us-east-1', aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
print(json.dumps({'arn': s2.get_caller_identity()['Arn'], 'users': len(i.list_users()['Users'])}))
`;
    const { stdout } = await run('python3', ['-c', script, w.endpoint, A, alice.accessKeyId, alice.secretAccessKey]);
    const out = JSON.parse(stdout) as { arn: string; users: number };
    assert.equal(out.arn, `arn:aws:sts::${A}:assumed-role/app/boto`);
    assert.ok(out.users >= 1);
  });

  it('works with the AWS CLI', async (t) => {
    if (!hasAwsCli) { t.skip('the AWS CLI is not installed'); return; }
    const { aws, must } = awsCli(() => w.endpoint);
    const assumed = await must(alice, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${A}:role/app`, '--role-session-name', 'cli');
    const c = (assumed as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }).Credentials;
    const who = await must(c, 'sts', 'get-caller-identity');
    assert.equal((who as { Arn: string }).Arn, `arn:aws:sts::${A}:assumed-role/app/cli`);
    const bad = await aws(alice, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${A}:role/partner`, '--role-session-name', 'cli', '--external-id', 'wrong-id');
    assert.match(bad.err, /AccessDenied/);
  });
});
