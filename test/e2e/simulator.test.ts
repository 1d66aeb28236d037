// The IAM policy simulator end to end through a real `warden serve` and the AWS CLI:
// `aws iam simulate-principal-policy` answers what enforcement then does for the same user,
// action and resource; `aws iam simulate-custom-policy` answers AWS's documented example exactly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { awsCli } from './aws-cli.js';
import { startWarden, type WardenProcess } from './harness.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadIam', Effect: 'Allow', Action: ['iam:Get*'], Resource: '*' },
    { Sid: 'CreateDevUsers', Effect: 'Allow', Action: 'iam:CreateUser', Resource: 'arn:aws:iam::*:user/dev-*' },
    { Sid: 'NeverDevAdmin', Effect: 'Deny', Action: 'iam:CreateUser', Resource: 'arn:aws:iam::*:user/dev-admin' },
  ],
});
const GROUP_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateGroup', Resource: '*' }] });

describe('IAM policy simulator end to end (AWS CLI)', () => {
  let warden: WardenProcess;
  let account: string;
  let aliceKey: { id: string; secret: string };

  const { aws, must } = awsCli(() => warden.endpoint);
  const asRoot = (...args: string[]): Promise<any> => must(warden.rootCredentials, ...args);
  const alice = () => ({ AccessKeyId: aliceKey.id, SecretAccessKey: aliceKey.secret });
  const aliceArn = () => `arn:aws:iam::${account}:user/alice`;

  before(async () => {
    warden = await startWarden();
    account = warden.accountId;
    await asRoot('iam', 'create-user', '--user-name', 'alice');
    const key = await asRoot('iam', 'create-access-key', '--user-name', 'alice');
    aliceKey = { id: key.AccessKey.AccessKeyId, secret: key.AccessKey.SecretAccessKey };
    const pol = await asRoot('iam', 'create-policy', '--policy-name', 'AliceIam', '--policy-document', POLICY);
    await asRoot('iam', 'attach-user-policy', '--user-name', 'alice', '--policy-arn', pol.Policy.Arn);
    await asRoot('iam', 'create-group', '--group-name', 'builders');
    await asRoot('iam', 'add-user-to-group', '--group-name', 'builders', '--user-name', 'alice');
    await asRoot('iam', 'create-role', '--role-name', 'kept', '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));
    await asRoot('iam', 'put-group-policy', '--group-name', 'builders', '--policy-name', 'groups', '--policy-document', GROUP_POLICY);
  });
  after(async () => { await warden?.stop(); });

  // The same request, simulated then performed by alice with the AWS CLI.
  const cases: { name: string; action: string; resource: () => string; expect: string; call: string[] }[] = [
    { name: 'CreateUser dev-*', action: 'iam:CreateUser', resource: () => `arn:aws:iam::${account}:user/dev-e2e`, expect: 'allowed', call: ['iam', 'create-user', '--user-name', 'dev-e2e'] },
    { name: 'CreateUser dev-admin (Deny)', action: 'iam:CreateUser', resource: () => `arn:aws:iam::${account}:user/dev-admin`, expect: 'explicitDeny', call: ['iam', 'create-user', '--user-name', 'dev-admin'] },
    { name: 'CreateUser ops-* (no Allow)', action: 'iam:CreateUser', resource: () => `arn:aws:iam::${account}:user/ops-e2e`, expect: 'implicitDeny', call: ['iam', 'create-user', '--user-name', 'ops-e2e'] },
    { name: 'CreateGroup (group policy)', action: 'iam:CreateGroup', resource: () => `arn:aws:iam::${account}:group/g-e2e`, expect: 'allowed', call: ['iam', 'create-group', '--group-name', 'g-e2e'] },
    { name: 'GetUser', action: 'iam:GetUser', resource: () => aliceArn(), expect: 'allowed', call: ['iam', 'get-user', '--user-name', 'alice'] },
    { name: 'DeleteRole (no Allow)', action: 'iam:DeleteRole', resource: () => `arn:aws:iam::${account}:role/kept`, expect: 'implicitDeny', call: ['iam', 'delete-role', '--role-name', 'kept'] },
  ];
  for (const c of cases) {
    it(`simulate-principal-policy agrees with enforcement: ${c.name}`, async () => {
      const out = await asRoot('iam', 'simulate-principal-policy', '--policy-source-arn', aliceArn(), '--action-names', c.action, '--resource-arns', c.resource());
      const [r] = out.EvaluationResults;
      assert.equal(r.EvalActionName, c.action);
      assert.equal(r.EvalResourceName, c.resource());
      assert.equal(r.EvalDecision, c.expect);
      assert.equal(r.ResourceSpecificResults[0].EvalResourceDecision, c.expect);
      const done = await aws(alice(), ...c.call);
      if (!done.ok) assert.match(done.err, /\(AccessDenied\)/);
      assert.equal(done.ok ? 'allowed' : 'denied', c.expect === 'allowed' ? 'allowed' : 'denied');
      if (c.expect !== 'implicitDeny') {
        assert.equal(r.MatchedStatements.length, 1);
        assert.equal(r.MatchedStatements[0].SourcePolicyId, c.action === 'iam:CreateGroup' ? 'groups' : 'AliceIam');
        assert.equal(r.MatchedStatements[0].SourcePolicyType, c.action === 'iam:CreateGroup' ? 'group' : 'user-managed');
      } else {
        assert.deepEqual(r.MatchedStatements, []);
      }
    });
  }

  it('simulate-custom-policy: AWS\'s documented example, positions included', async () => {
    const policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const out = await asRoot('iam', 'simulate-custom-policy', '--policy-input-list', policy, '--action-names', 'dynamodb:CreateBackup',
      '--context-entries', "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date");
    assert.deepEqual(out.EvaluationResults, [{
      EvalActionName: 'dynamodb:CreateBackup', EvalResourceName: '*', EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
      MissingContextValues: [],
    }]);
    const early = await asRoot('iam', 'simulate-custom-policy', '--policy-input-list', policy, '--action-names', 'dynamodb:CreateBackup',
      '--context-entries', "ContextKeyName='aws:CurrentTime',ContextKeyValues='2014-04-25T11:00:00Z',ContextKeyType=date");
    assert.equal(early.EvaluationResults[0].EvalDecision, 'implicitDeny');
    const keys = await asRoot('iam', 'get-context-keys-for-custom-policy', '--policy-input-list', policy);
    assert.deepEqual(keys.ContextKeyNames, ['aws:CurrentTime']);
  });

  it('a malformed context entry is InvalidInput; an unknown source is NoSuchEntity', async () => {
    const denied = await aws(alice(), 'iam', 'simulate-custom-policy', '--policy-input-list', POLICY, '--action-names', 'iam:GetUser');
    assert.ok(!denied.ok);
    assert.match(denied.err, /\(AccessDenied\).*iam:SimulateCustomPolicy on resource: \*/);
    const invalid = await aws(warden.rootCredentials, 'iam', 'simulate-custom-policy', '--policy-input-list', POLICY, '--action-names', 'iam:GetUser',
      '--context-entries', 'ContextKeyName=k:num,ContextKeyValues=ten,ContextKeyType=numeric');
    assert.ok(!invalid.ok);
    assert.match(invalid.err, /\(InvalidInput\)/);
    const missing = await aws(warden.rootCredentials, 'iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${account}:user/nobody`, '--action-names', 'iam:GetUser');
    assert.ok(!missing.ok);
    assert.match(missing.err, /\(NoSuchEntity\).*The user with name nobody cannot be found\./);
  });

  it('after a permissions boundary is set, the simulator and enforcement both stop CreateUser', async () => {
    const b = await asRoot('iam', 'create-policy', '--policy-name', 'ReadBoundary', '--policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] }));
    await asRoot('iam', 'put-user-permissions-boundary', '--user-name', 'alice', '--permissions-boundary', b.Policy.Arn);
    const out = await asRoot('iam', 'simulate-principal-policy', '--policy-source-arn', aliceArn(), '--action-names', 'iam:CreateUser', 'iam:GetUser',
      '--resource-arns', `arn:aws:iam::${account}:user/dev-later`);
    const [create, get] = out.EvaluationResults;
    assert.equal(create.EvalDecision, 'implicitDeny');
    assert.deepEqual(create.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });
    assert.equal(get.EvalDecision, 'allowed');
    assert.deepEqual(get.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
    const capped = await aws(alice(), 'iam', 'create-user', '--user-name', 'dev-later');
    assert.ok(!capped.ok);
    assert.match(capped.err, /because no permissions boundary allows the iam:CreateUser action/);
  });
});
