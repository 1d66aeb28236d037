// Issue 3's end-to-end scenario with three real clients — @aws-sdk/client-iam, the AWS CLI and
// boto3 — against a real `warden serve`: the root creates a user, an access key and a policy;
// the user's key is then allowed and denied exactly as the policy says, including a Deny and a
// permissions boundary, with AWS's AccessDenied messages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient,
  ListUsersCommand, PutUserPermissionsBoundaryCommand, GetUserCommand,
} from '@aws-sdk/client-iam';
import { awsCli } from './aws-cli.js';
import { startWarden, type WardenProcess } from './harness.js';

const run = promisify(execFile);

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadIam', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    { Sid: 'CreateDevUsers', Effect: 'Allow', Action: 'iam:CreateUser', Resource: 'arn:aws:iam::*:user/dev-*' },
    { Sid: 'NeverDevAdmin', Effect: 'Deny', Action: 'iam:CreateUser', Resource: 'arn:aws:iam::*:user/dev-admin' },
  ],
});
const BOUNDARY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }],
});

describe('IAM enforcement end to end (SDK, AWS CLI, boto3)', () => {
  let warden: WardenProcess;
  let root: IAMClient;
  let alice: IAMClient;
  let aliceKey: { id: string; secret: string };
  let account: string;

  const client = (accessKeyId: string, secretAccessKey: string) => new IAMClient({
    endpoint: warden.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1,
  });
  const { aws, must } = awsCli(() => warden.endpoint);
  const aliceCli = () => ({ AccessKeyId: aliceKey.id, SecretAccessKey: aliceKey.secret });
  const boto3 = (code: string) => run('python3', ['-c', `
import boto3, botocore, json, sys
iam = boto3.client('iam', endpoint_url=${JSON.stringify(warden.endpoint)}, region_name='us-east-1',
  aws_access_key_id=${JSON.stringify(aliceKey.id)}, aws_secret_access_key=${JSON.stringify(aliceKey.secret)})
try:
${code.split('\n').map((l) => '    ' + l).join('\n')}
except botocore.exceptions.ClientError as e:
    print(json.dumps({"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}))
`]);

  before(async () => {
    warden = await startWarden();
    account = warden.accountId;
    root = client(warden.rootCredentials.accessKeyId, warden.rootCredentials.secretAccessKey);
    await root.send(new CreateUserCommand({ UserName: 'alice' }));
    const key = await root.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    aliceKey = { id: key.AccessKey!.AccessKeyId!, secret: key.AccessKey!.SecretAccessKey! };
    const policy = await root.send(new CreatePolicyCommand({ PolicyName: 'AliceIam', PolicyDocument: POLICY }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: policy.Policy!.Arn! }));
    alice = client(aliceKey.id, aliceKey.secret);
  });
  after(async () => { await warden?.stop(); });

  it('SDK: the policy allows reads and dev-* users', async () => {
    const users = await alice.send(new ListUsersCommand({}));
    assert.ok(users.Users!.some((u) => u.UserName === 'alice'));
    const created = await alice.send(new CreateUserCommand({ UserName: 'dev-1' }));
    assert.equal(created.User!.Arn, `arn:aws:iam::${account}:user/dev-1`);
    const me = await alice.send(new GetUserCommand({}));
    assert.equal(me.User!.UserName, 'alice');
  });

  it('SDK: an explicit Deny wins, naming the policy', async () => {
    await assert.rejects(alice.send(new CreateUserCommand({ UserName: 'dev-admin' })), (e: Error & { name: string }) => {
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.message, `User: arn:aws:iam::${account}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/dev-admin with an explicit deny in an identity-based policy: arn:aws:iam::${account}:policy/AliceIam`);
      return true;
    });
  });

  it('SDK: nothing allows other users', async () => {
    await assert.rejects(alice.send(new CreateUserCommand({ UserName: 'ops-1' })), (e: Error & { name: string; $metadata: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.message, `User: arn:aws:iam::${account}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/ops-1 because no identity-based policy allows the iam:CreateUser action`);
      return true;
    });
  });

  it('AWS CLI: allowed and denied with AWS’s message', async () => {
    const listed = await must(aliceCli(), 'iam', 'list-users') as { Users: { UserName: string }[] };
    assert.ok(listed.Users.some((u) => u.UserName === 'dev-1'));
    await must(aliceCli(), 'iam', 'create-user', '--user-name', 'dev-cli');
    const denied = await aws(aliceCli(), 'iam', 'create-user', '--user-name', 'ops-cli');
    assert.ok(!denied.ok);
    assert.match(denied.err, /An error occurred \(AccessDenied\) when calling the CreateUser operation: User: arn:aws:iam::\d{12}:user\/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::\d{12}:user\/ops-cli because no identity-based policy allows the iam:CreateUser action/);
  });

  it('boto3: allowed and denied with AWS’s message', async () => {
    const ok = await boto3(`print(json.dumps({"n": len(iam.list_users()["Users"])}))`);
    assert.ok(JSON.parse(ok.stdout).n >= 3);
    const denied = await boto3(`iam.create_user(UserName="dev-admin")`);
    const err = JSON.parse(denied.stdout);
    assert.equal(err.code, 'AccessDenied');
    assert.match(err.message, /with an explicit deny in an identity-based policy: arn:aws:iam::\d{12}:policy\/AliceIam$/);
  });

  it('a permissions boundary then caps what the policy allows', async () => {
    const boundary = await root.send(new CreatePolicyCommand({ PolicyName: 'ReadOnlyBoundary', PolicyDocument: BOUNDARY }));
    await root.send(new PutUserPermissionsBoundaryCommand({ UserName: 'alice', PermissionsBoundary: boundary.Policy!.Arn! }));
    // Reads stay inside the boundary.
    await alice.send(new ListUsersCommand({}));
    await assert.rejects(alice.send(new CreateUserCommand({ UserName: 'dev-2' })), (e: Error & { name: string }) => {
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.message, `User: arn:aws:iam::${account}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/dev-2 because no permissions boundary allows the iam:CreateUser action`);
      return true;
    });
    const denied = await boto3(`iam.create_user(UserName="dev-3")`);
    assert.match(JSON.parse(denied.stdout).message, /because no permissions boundary allows the iam:CreateUser action$/);
  });
});
