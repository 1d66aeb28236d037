// A real `warden serve` process, driven over HTTP: health, authentication failures, a call
// with the AWS SDK, and a graceful stop.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCli, hasAwsCli } from './aws-cli.js';
import { queryErrorOf, queryRequest, randomCredentials, startWarden, type WardenProcess } from './harness.js';

function boto3(): boolean {
  return spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' }).status === 0;
}

describe('warden serve (child process)', () => {
  let w: WardenProcess;
  before(async () => { w = await startWarden(); });
  after(async () => { await w?.stop(); });

  it('is healthy', async () => {
    const res = await fetch(`${w.endpoint}/_warden/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  const failures = [
    {
      name: 'a wrong secret', status: 403, code: 'SignatureDoesNotMatch',
      credentials: () => ({ accessKeyId: w.rootCredentials.accessKeyId, secretAccessKey: 'not-the-secret-0123456789' }),
    },
    { name: 'no authentication', status: 403, code: 'MissingAuthenticationToken', credentials: () => undefined },
    { name: 'an unknown access key', status: 403, code: 'InvalidClientTokenId', credentials: () => randomCredentials() },
  ];
  for (const c of failures) {
    it(`answers ${c.code} for ${c.name}`, async () => {
      const res = await queryRequest(w.endpoint, { Action: 'GetUser', Version: '2010-05-08' }, { credentials: c.credentials() });
      assert.equal(res.status, c.status, res.body);
      assert.equal(res.headers['content-type'], 'text/xml');
      const err = queryErrorOf(res.body);
      assert.equal(err.code, c.code);
      assert.equal(err.requestId, res.headers['x-amzn-requestid']);
    });
  }

  // In AWS, GetUser without UserName called with root credentials describes the root user.
  it('serves GetUser to the root user through @aws-sdk/client-iam', async () => {
    const { IAMClient, GetUserCommand } = await import('@aws-sdk/client-iam');
    const client = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    try {
      const out = await client.send(new GetUserCommand({}));
      assert.equal(out.User?.Arn, `arn:aws:iam::${w.accountId}:root`);
      assert.equal(out.User?.UserId, w.accountId);
    } finally {
      client.destroy();
    }
  });

  it('authenticates a user by an API-made key, denies it without a policy, allows it right after PutUserPolicy', async () => {
    const { IAMClient, CreateUserCommand, CreateAccessKeyCommand, GetUserCommand, PutUserPolicyCommand } = await import('@aws-sdk/client-iam');
    const root = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    try {
      const created = await root.send(new CreateUserCommand({ UserName: 'e2e-alice' }));
      assert.equal(created.User?.Arn, `arn:aws:iam::${w.accountId}:user/e2e-alice`);
      const key = await root.send(new CreateAccessKeyCommand({ UserName: 'e2e-alice' }));
      const alice = new IAMClient({
        endpoint: w.endpoint, region: 'us-east-1', maxAttempts: 1,
        credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! },
      });
      try {
        await assert.rejects(alice.send(new GetUserCommand({})), (e: Error & { name: string; $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(e.name, 'AccessDenied');
          assert.equal(e.$metadata?.httpStatusCode, 403);
          assert.match(e.message, /^User: arn:aws:iam::\d{12}:user\/e2e-alice is not authorized to perform: iam:GetUser on resource: /);
          return true;
        });
        await root.send(new PutUserPolicyCommand({
          UserName: 'e2e-alice', PolicyName: 'self',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/${aws:username}' }] }),
        }));
        const me = await alice.send(new GetUserCommand({}));
        assert.equal(me.User?.UserName, 'e2e-alice');
      } finally {
        alice.destroy();
      }
    } finally {
      root.destroy();
    }
  });

  it('issues role credentials with AssumeRole that are limited to the role\'s policy', async () => {
    const {
      IAMClient, CreateRoleCommand, PutRolePolicyCommand, ListUsersCommand, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand,
    } = await import('@aws-sdk/client-iam');
    const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const base = { endpoint: w.endpoint, region: 'us-east-1', maxAttempts: 1 };
    const allow = (action: string | string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
    const iam = new IAMClient({ ...base, credentials: w.rootCredentials });
    const clients: Array<{ destroy(): void }> = [iam];
    try {
      // Root may not assume roles (AWS: "Roles may not be assumed by root accounts."): a user does.
      await iam.send(new CreateUserCommand({ UserName: 'e2e-bob' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'e2e-bob', PolicyName: 'assume', PolicyDocument: allow('sts:AssumeRole') }));
      const bobKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'e2e-bob' }))).AccessKey!;
      await iam.send(new CreateRoleCommand({
        RoleName: 'e2e-reader',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.accountId}:root` }, Action: 'sts:AssumeRole' }] }),
      }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'e2e-reader', PolicyName: 'list', PolicyDocument: allow('iam:ListUsers') }));

      const bobSts = new STSClient({ ...base, credentials: { accessKeyId: bobKey.AccessKeyId!, secretAccessKey: bobKey.SecretAccessKey! } });
      clients.push(bobSts);
      const assumed = await bobSts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${w.accountId}:role/e2e-reader`, RoleSessionName: 'e2e' }));
      const c = assumed.Credentials!;
      assert.match(c.AccessKeyId!, /^ASIA/);
      const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      const roleSts = new STSClient({ ...base, credentials: session });
      const roleIam = new IAMClient({ ...base, credentials: session });
      clients.push(roleSts, roleIam);
      const me = await roleSts.send(new GetCallerIdentityCommand({}));
      assert.equal(me.Arn, `arn:aws:sts::${w.accountId}:assumed-role/e2e-reader/e2e`);
      await roleIam.send(new ListUsersCommand({}));
      await assert.rejects(roleIam.send(new CreateUserCommand({ UserName: 'nope' })), { name: 'AccessDenied' });
      const forgedSts = new STSClient({ ...base, credentials: { ...session, sessionToken: session.sessionToken.slice(0, -4) + (session.sessionToken.endsWith('AAAA') ? 'BBBB' : 'AAAA') } });
      clients.push(forgedSts);
      await assert.rejects(forgedSts.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('serves the AWS CLI (when the machine has it), and shows its errors as AWS does', { skip: hasAwsCli ? false : 'no `aws` on PATH' }, () => {
    const { spawn } = awsCli(() => w.endpoint, { AWS_MAX_ATTEMPTS: '1' });
    const ok = spawn(w.rootCredentials, 'iam', 'list-users');
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(Array.isArray((JSON.parse(ok.stdout) as { Users: unknown[] }).Users));
    const bad = spawn({ ...w.rootCredentials, secretAccessKey: 'wrong-secret-0123456789' }, 'iam', 'list-users');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /An error occurred \(SignatureDoesNotMatch\) when calling the ListUsers operation: The request signature we calculated does not match/);
  });

  it('serves boto3 (when the machine\'s Python has it): Query and JSON answers and errors parse', { skip: boto3() ? false : 'no boto3 in python3' }, () => {
    const script = [
      'import json, os, sys, boto3, botocore.exceptions as ex',
      'kw = dict(endpoint_url=os.environ["EP"], region_name="us-east-1", aws_access_key_id=os.environ["AK"], aws_secret_access_key=os.environ["SK"])',
      'cfg = boto3.session.Config(retries={"max_attempts": 1})',
      'out = {}',
      'iam = boto3.client("iam", config=cfg, **kw)',
      'out["created"] = iam.create_user(UserName="boto-carol")["User"]["Arn"]',
      'out["users"] = [u["UserName"] for u in iam.list_users()["Users"]]',
      'out["account"] = boto3.client("sts", config=cfg, **kw).get_caller_identity()["Account"]',
      'try:',
      '    iam.get_user(UserName="no-such-user")',
      'except ex.ClientError as e:',
      '    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]',
      'bad = dict(kw, aws_secret_access_key="wrong-secret-0123456789")',
      'for svc, call in (("iam", lambda c: c.list_users()), ("organizations", lambda c: c.list_roots())):',
      '    try:',
      '        call(boto3.client(svc, config=cfg, **bad))',
      '    except ex.ClientError as e:',
      '        out["bad_" + svc] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], {
      encoding: 'utf8', timeout: 120_000,
      env: { ...process.env, EP: w.endpoint, AK: w.rootCredentials.accessKeyId, SK: w.rootCredentials.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(out.created, `arn:aws:iam::${w.accountId}:user/boto-carol`);
    assert.ok((out.users as string[]).includes('boto-carol'));
    assert.equal(out.account, w.accountId);
    assert.deepEqual(out.missing, ['NoSuchEntity', 404]);
    assert.deepEqual(out.bad_iam, ['SignatureDoesNotMatch', 403]);
    assert.deepEqual(out.bad_organizations, ['InvalidSignatureException', 403]);
  });

  it('never prints or logs the root secret it was given', () => {
    assert.ok(!w.logs().includes(w.rootCredentials.secretAccessKey));
    assert.ok(!w.output().includes(w.rootCredentials.secretAccessKey));
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    await w.stop();
    assert.equal(w.exitCode(), 0);
    assert.match(w.logs(), /"msg":"stopped"/);
  });
});

describe('warden serve restarts and first starts', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('keeps the account and root key across a restart on one data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-restart-'));
    dirs.push(dataDir);
    const first = await startWarden({ dataDir });
    await first.stop();
    const second = await startWarden({ dataDir, rootCredentials: first.rootCredentials, env: { WARDEN_ACCOUNT_ID: first.accountId } });
    try {
      assert.doesNotMatch(second.logs(), /management account created/);
      const res = await queryRequest(second.endpoint, { Action: 'ListUsers', Version: '2010-05-08' }, { credentials: first.rootCredentials });
      assert.equal(res.status, 200, res.body);
    } finally {
      await second.stop();
    }
  });

  it('prints a generated root key once, writes it 0600, and it works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-generated-'));
    dirs.push(dataDir);
    const env = { WARDEN_ROOT_ACCESS_KEY_ID: '', WARDEN_ROOT_SECRET_ACCESS_KEY: '' };
    const w = await startWarden({ dataDir, env });
    let printed: RegExpExecArray | null;
    try {
      printed = /aws_access_key_id = (AKIA[A-Z2-7]{16})\naws_secret_access_key = (\S{40})\nregion = us-east-1\nendpoint_url = (\S+)\n/.exec(w.output());
      assert.ok(printed, w.output());
      assert.equal(printed[3], w.endpoint);
      assert.equal(statSync(join(dataDir, 'root-credentials')).mode & 0o777, 0o600);
      assert.ok(readFileSync(join(dataDir, 'root-credentials'), 'utf8').includes(printed[2]));
      assert.ok(!w.logs().includes(printed[2]), 'the secret is not logged');
      const res = await queryRequest(w.endpoint, { Action: 'ListUsers', Version: '2010-05-08' }, { credentials: { accessKeyId: printed[1], secretAccessKey: printed[2] } });
      assert.equal(res.status, 200, res.body);
    } finally {
      await w.stop();
    }
    const again = await startWarden({ dataDir, env });
    try {
      assert.doesNotMatch(again.output(), /aws_secret_access_key/);
    } finally {
      await again.stop();
    }
  });
});
