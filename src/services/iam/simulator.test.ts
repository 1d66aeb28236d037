import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller } from '../types.js';
import { iamOperations as ops } from './index.js';
import { lineColumn, scanJson, statementSpans } from './json-positions.js';
import { openOrgFixture, policyText as orgPolicyText, type OrgFixture } from '../organizations/org-fixture.js';
import { openIamFixture, policyDoc as doc, rejects, type IamFixture } from './iam-fixture.js';

// `fx`: the organization tests below have their own `f`.
let fx: IamFixture;
const call = (caller: Caller, op: string, input: Record<string, unknown> = {}) => fx.call(caller, op, input);
const asRoot = (op: string, input: Record<string, unknown> = {}) => fx.asRoot(op, input);

type Result = Record<string, any>;
const results = (out: Record<string, unknown>) => out.EvaluationResults as Result[];

async function userCaller(name: string): Promise<Caller> {
  const key = (await asRoot('CreateAccessKey', { UserName: name })).AccessKey as { AccessKeyId: string };
  return fx.resolve(key.AccessKeyId);
}

before(async () => {
  fx = await openIamFixture(ops);

  // alice: an inline policy, a group with an inline policy, a customer managed and an AWS managed policy.
  await asRoot('CreateUser', { UserName: 'alice' });
  await asRoot('PutUserPolicy', {
    UserName: 'alice', PolicyName: 'own',
    PolicyDocument: doc(
      { Sid: 'Users', Effect: 'Allow', Action: 'iam:CreateUser', Resource: 'arn:aws:iam::*:user/dev-*' },
      { Sid: 'NoAdmin', Effect: 'Deny', Action: 'iam:CreateUser', Resource: 'arn:aws:iam::*:user/dev-admin' },
      { Sid: 'Tagged', Effect: 'Allow', Action: 'iam:TagUser', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
    ),
  });
  await asRoot('CreateGroup', { GroupName: 'devs' });
  await asRoot('AddUserToGroup', { GroupName: 'devs', UserName: 'alice' });
  await asRoot('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'grp', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:CreateGroup', Resource: '*' }) });
  const pol = await asRoot('CreatePolicy', { PolicyName: 'roles', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:CreateRole', Resource: '*' }) });
  await asRoot('AttachUserPolicy', { UserName: 'alice', PolicyArn: (pol.Policy as { Arn: string }).Arn });
  await asRoot('AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });

  // bob: a permissions boundary narrower than his policy.
  await asRoot('CreateUser', { UserName: 'bob' });
  await asRoot('PutUserPolicy', { UserName: 'bob', PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) });
  const b = await asRoot('CreatePolicy', { PolicyName: 'bound', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }) });
  await asRoot('PutUserPermissionsBoundary', { UserName: 'bob', PermissionsBoundary: (b.Policy as { Arn: string }).Arn });

  // A role with an inline policy.
  await asRoot('CreateRole', {
    RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  });
  await asRoot('PutRolePolicy', { RoleName: 'app', PolicyName: 'rp', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bkt/*' }) });
});

after(async () => { await fx.close(); });

const userArn = (n: string) => `arn:aws:iam::${fx.accountId}:user/${n}`;

describe('JSON position scanner', () => {
  it('finds every statement of an array and a single statement object', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},\n    {"Effect": "Deny", "Action": "s3:x", "Resource": "*"}\n  ]\n}';
    const spans = statementSpans(text);
    assert.equal(spans.length, 2);
    assert.deepEqual(lineColumn(text, spans[0].start), { Line: 4, Column: 5 });
    assert.deepEqual(lineColumn(text, spans[1].end), { Line: 5, Column: 57 });
    assert.equal(statementSpans('{"Statement":{"a":"}{"}}').length, 1);
  });
  it('rejects text that is not JSON and handles escapes in strings', () => {
    for (const t of ['{', '{"a":}', '[1,]', '{"a":"\\"}']) assert.equal(scanJson(t), undefined, t);
    const n = scanJson('{"a\\"b":["x\\\\",{"c":true}]}');
    assert.ok(n?.members?.has('a"b'));
  });
});

describe('SimulateCustomPolicy', () => {
  // The AWS CLI's documented example, answered as IAM answers it (positions 38 and 167).
  const EXAMPLE = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
  const dateEntry = (v: string) => [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: [v], ContextKeyType: 'date' }];

  const cases: { name: string; entries?: unknown; decision: string; matched: boolean; missing: string[] }[] = [
    { name: 'date after the condition: allowed', entries: dateEntry('2019-04-25T11:00:00Z'), decision: 'allowed', matched: true, missing: [] },
    { name: 'date before the condition: implicitDeny', entries: dateEntry('2014-04-25T11:00:00Z'), decision: 'implicitDeny', matched: false, missing: [] },
    { name: 'no context: implicitDeny and the key is missing', decision: 'implicitDeny', matched: false, missing: ['aws:CurrentTime'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const out = await asRoot('SimulateCustomPolicy', { PolicyInputList: [EXAMPLE], ActionNames: ['dynamodb:CreateBackup'], ContextEntries: c.entries });
      const [r] = results(out);
      assert.equal(r.EvalActionName, 'dynamodb:CreateBackup');
      assert.equal(r.EvalResourceName, '*');
      assert.equal(r.EvalDecision, c.decision);
      assert.deepEqual(r.MissingContextValues, c.missing);
      assert.equal(out.IsTruncated, false);
      assert.equal(r.ResourceSpecificResults, undefined);
      assert.deepEqual(r.MatchedStatements, c.matched
        ? [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }]
        : []);
    });
  }

  it('an explicit deny names the Deny statement of the second policy, on its own line', async () => {
    const deny = '{\n "Version": "2012-10-17",\n "Statement": [\n  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},\n  {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}\n ]\n}';
    const out = await asRoot('SimulateCustomPolicy', {
      PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), deny],
      ActionNames: ['s3:DeleteBucket', 's3:ListBucket'], ResourceArns: ['arn:aws:s3:::bkt'],
    });
    const [del, list] = results(out);
    assert.equal(del.EvalDecision, 'explicitDeny');
    assert.deepEqual(del.MatchedStatements, [{
      SourcePolicyId: 'PolicyInputList.2', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 5, Column: 4 }, EndPosition: { Line: 5, Column: 67 },
    }]);
    assert.equal(list.EvalDecision, 'allowed');
    assert.equal(list.MatchedStatements.length, 2);
    assert.deepEqual(list.EvalDecisionDetails, {});
    assert.deepEqual(list.ResourceSpecificResults, [{
      EvalResourceName: 'arn:aws:s3:::bkt', EvalResourceDecision: 'allowed', MatchedStatements: list.MatchedStatements,
      MissingContextValues: [], EvalDecisionDetails: {},
    }]);
  });

  it('every action × resource pair, paged with MaxItems and Marker', async () => {
    const base = { PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::a/*' })], ActionNames: ['s3:GetObject', 's3:PutObject'], ResourceArns: ['arn:aws:s3:::a/1', 'arn:aws:s3:::b/1'] };
    const all = results(await asRoot('SimulateCustomPolicy', base));
    assert.deepEqual(all.map((r) => `${r.EvalActionName} ${r.EvalResourceName} ${r.EvalDecision}`), [
      's3:GetObject arn:aws:s3:::a/1 allowed', 's3:GetObject arn:aws:s3:::b/1 implicitDeny',
      's3:PutObject arn:aws:s3:::a/1 implicitDeny', 's3:PutObject arn:aws:s3:::b/1 implicitDeny',
    ]);
    const seen: Result[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 5; i++) {
      const out = await asRoot('SimulateCustomPolicy', { ...base, MaxItems: 3, Marker: marker });
      seen.push(...results(out));
      if (!out.IsTruncated) break;
      marker = out.Marker as string;
      assert.ok(marker);
    }
    assert.deepEqual(seen, all);
    await rejects(asRoot('SimulateCustomPolicy', { ...base, Marker: 'bogus!' }), 'InvalidInput');
  });

  it('a permissions boundary input limits the policies; AllowedByPermissionsBoundary says so', async () => {
    const out = await asRoot('SimulateCustomPolicy', {
      PolicyInputList: [doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' })],
      PermissionsBoundaryPolicyInputList: [doc({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' })],
      ActionNames: ['iam:GetUser', 'iam:DeleteUser'],
    });
    const [get, del] = results(out);
    assert.equal(get.EvalDecision, 'allowed');
    assert.deepEqual(get.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
    assert.equal(del.EvalDecision, 'implicitDeny');
    assert.deepEqual(del.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });
  });

  it('service control policies by level: AllowedByOrganizations', async () => {
    const out = await asRoot('SimulateCustomPolicy', {
      PolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })],
      OrderedOrganizationPolicyInputList: [
        { ServiceControlPolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })] },
        { ServiceControlPolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })] },
      ],
      ActionNames: ['s3:ListBucket', 'ec2:RunInstances'],
    });
    const [s3, ec2] = results(out);
    assert.equal(s3.EvalDecision, 'allowed');
    assert.deepEqual(s3.OrganizationsDecisionDetail, { AllowedByOrganizations: true });
    assert.equal(ec2.EvalDecision, 'implicitDeny');
    assert.deepEqual(ec2.OrganizationsDecisionDetail, { AllowedByOrganizations: false });
  });

  it('a region-lock SCP: its condition key is reported missing, and the Deny applies once given', async () => {
    const input = {
      PolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })],
      OrderedOrganizationPolicyInputList: [{ ServiceControlPolicyInputList: [
        doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
        doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-2' } } }),
      ] }],
      ActionNames: ['s3:ListBucket'],
    };
    const [absent] = results(await asRoot('SimulateCustomPolicy', input));
    assert.deepEqual(absent.MissingContextValues, ['aws:RequestedRegion']);
    const region = (r: string) => [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: [r], ContextKeyType: 'string' }];
    const [us] = results(await asRoot('SimulateCustomPolicy', { ...input, ContextEntries: region('us-east-1') }));
    assert.equal(us.EvalDecision, 'explicitDeny');
    assert.deepEqual(us.OrganizationsDecisionDetail, { AllowedByOrganizations: false });
    assert.deepEqual(us.MatchedStatements, []);
    const [eu] = results(await asRoot('SimulateCustomPolicy', { ...input, ContextEntries: region('eu-west-2') }));
    assert.equal(eu.EvalDecision, 'allowed');
    assert.deepEqual(eu.OrganizationsDecisionDetail, { AllowedByOrganizations: true });
  });

  it('a resource policy with CallerArn: cross-account needs both sides (EvalDecisionDetails per policy type)', async () => {
    const other = '210987654321';
    const rp = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: userArn('alice') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }] });
    const base = { ResourcePolicy: rp, CallerArn: userArn('alice'), ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::shared/k'], ResourceOwner: `arn:aws:iam::${other}:root` };
    const none = results(await asRoot('SimulateCustomPolicy', { ...base, PolicyInputList: [doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })] }))[0];
    assert.equal(none.EvalDecision, 'implicitDeny');
    assert.deepEqual(none.EvalDecisionDetails, { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' });
    const both = results(await asRoot('SimulateCustomPolicy', { ...base, PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })] }))[0];
    assert.equal(both.EvalDecision, 'allowed');
    assert.deepEqual(both.EvalDecisionDetails, { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' });
    assert.deepEqual(both.MatchedStatements.map((m: Result) => [m.SourcePolicyId, m.SourcePolicyType]), [['PolicyInputList.1', 'IAM Policy'], ['ResourcePolicy', 'resource']]);
    // Same account: the resource policy naming the user decides alone.
    const same = results(await asRoot('SimulateCustomPolicy', { ...base, ResourceOwner: undefined, PolicyInputList: [doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })] }))[0];
    assert.equal(same.EvalDecision, 'allowed');
    assert.deepEqual(same.EvalDecisionDetails, {});
  });

  it('the root user as caller gets no shortcut: only the policies given count', async () => {
    const [r] = results(await asRoot('SimulateCustomPolicy', { PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], ActionNames: ['iam:CreateUser'] }));
    assert.equal(r.EvalDecision, 'implicitDeny');
  });

  const invalid: { name: string; input: Record<string, unknown>; message?: RegExp }[] = [
    { name: 'numeric value that is not a number', input: { ContextEntries: [{ ContextKeyName: 'k:n', ContextKeyValues: ['ten'], ContextKeyType: 'numeric' }] }, message: /k:n/ },
    { name: 'two values for a single-valued type', input: { ContextEntries: [{ ContextKeyName: 'k:s', ContextKeyValues: ['a', 'b'], ContextKeyType: 'string' }] }, message: /stringList/ },
    { name: 'boolean that is not true/false', input: { ContextEntries: [{ ContextKeyName: 'aws:SecureTransport', ContextKeyValues: ['yes'], ContextKeyType: 'boolean' }] } },
    { name: 'bad date', input: { ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['yesterday'], ContextKeyType: 'dateList' }] } },
    { name: 'bad ip', input: { ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['300.1.1.1'], ContextKeyType: 'ip' }] } },
    { name: 'bad binary', input: { ContextEntries: [{ ContextKeyName: 'k:b', ContextKeyValues: ['***'], ContextKeyType: 'binary' }] } },
    { name: 'entry without values', input: { ContextEntries: [{ ContextKeyName: 'k:b', ContextKeyType: 'string' }] } },
    { name: 'entry without name', input: { ContextEntries: [{ ContextKeyValues: ['x'], ContextKeyType: 'string' }] } },
    { name: 'malformed policy input', input: { PolicyInputList: ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}'] }, message: /PolicyInputList\.1/ },
    { name: 'two boundaries', input: { PermissionsBoundaryPolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' }), doc({ Effect: 'Allow', Action: '*', Resource: '*' })] } },
    { name: 'resource policy without CallerArn', input: { ResourcePolicy: '{}' }, message: /CallerArn/ },
    { name: 'CallerArn that is a role', input: { CallerArn: `arn:aws:iam::${'1'.repeat(12)}:role/r` }, message: /IAM user/ },
    { name: 'unknown ResourceHandlingOption', input: { ResourceHandlingOption: 'EC2-Classic' } },
  ];
  for (const c of invalid) {
    it(`InvalidInput: ${c.name}`, async () => {
      await rejects(asRoot('SimulateCustomPolicy', {
        PolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })], ActionNames: ['s3:ListBucket'], ...c.input,
      }), 'InvalidInput', c.message);
    });
  }

  it('typed list values reach the engine as lists', async () => {
    const [r] = results(await asRoot('SimulateCustomPolicy', {
      PolicyInputList: [doc({ Effect: 'Allow', Action: 'iam:TagUser', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] }, NumericLessThan: { 'k:n': '5' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'true' } } })],
      ActionNames: ['iam:TagUser'],
      ContextEntries: [
        { ContextKeyName: 'aws:TagKeys', ContextKeyValues: ['a', 'b'], ContextKeyType: 'stringList' },
        { ContextKeyName: 'k:n', ContextKeyValues: ['4'], ContextKeyType: 'numeric' },
        { ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.1.2.3'], ContextKeyType: 'ip' },
        { ContextKeyName: 'aws:SecureTransport', ContextKeyValues: ['TRUE'], ContextKeyType: 'boolean' },
      ],
    }));
    assert.equal(r.EvalDecision, 'allowed');
    assert.deepEqual(r.MissingContextValues, []);
  });
});

describe('SimulatePrincipalPolicy', () => {
  it('a user: its own, its groups\' and attached policies, named by source', async () => {
    const out = await asRoot('SimulatePrincipalPolicy', {
      PolicySourceArn: userArn('alice'),
      ActionNames: ['iam:CreateUser', 'iam:CreateGroup', 'iam:CreateRole', 'iam:GetUser', 'iam:DeleteUser'],
      ResourceArns: [`arn:aws:iam::${fx.accountId}:user/dev-1`],
    });
    const byAction = new Map(results(out).map((r) => [r.EvalActionName, r]));
    const source = (a: string) => byAction.get(a)!.MatchedStatements.map((m: Result) => `${m.SourcePolicyId}/${m.SourcePolicyType}`);
    assert.deepEqual(source('iam:CreateUser'), ['own/user']);
    assert.deepEqual(source('iam:CreateGroup'), ['grp/group']);
    assert.deepEqual(source('iam:CreateRole'), ['roles/user-managed']);
    assert.deepEqual(source('iam:GetUser'), ['IAMReadOnlyAccess/aws-managed']);
    assert.equal(byAction.get('iam:DeleteUser')!.EvalDecision, 'implicitDeny');
    const m = byAction.get('iam:CreateUser')!.MatchedStatements[0];
    // The stored document has `"Statement":[{`: one column further than the object form.
    assert.deepEqual(m.StartPosition, { Line: 1, Column: 39 });
  });

  it('an explicit deny, and the condition keys the relevant statements lack', async () => {
    const out = await asRoot('SimulatePrincipalPolicy', {
      PolicySourceArn: userArn('alice'), ActionNames: ['iam:CreateUser', 'iam:TagUser'], ResourceArns: [`arn:aws:iam::${fx.accountId}:user/dev-admin`],
    });
    const [create, tag] = results(out);
    assert.equal(create.EvalDecision, 'explicitDeny');
    assert.equal(create.MatchedStatements.length, 1);
    assert.equal(tag.EvalDecision, 'implicitDeny');
    assert.deepEqual(tag.MissingContextValues, ['aws:RequestTag/team']);
    const ok = results(await asRoot('SimulatePrincipalPolicy', {
      PolicySourceArn: userArn('alice'), ActionNames: ['iam:TagUser'],
      ContextEntries: [{ ContextKeyName: 'aws:RequestTag/team', ContextKeyValues: ['blue'], ContextKeyType: 'string' }],
    }))[0];
    assert.equal(ok.EvalDecision, 'allowed');
  });

  it('PolicyInputList adds policies; PolicyExclusionList leaves attached ones out', async () => {
    const out = results(await asRoot('SimulatePrincipalPolicy', {
      PolicySourceArn: userArn('alice'), ActionNames: ['sqs:SendMessage', 'iam:CreateGroup'],
      PolicyInputList: [doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' })], PolicyExclusionList: ['grp'],
    }));
    assert.equal(out[0].EvalDecision, 'allowed');
    assert.equal(out[0].MatchedStatements[0].SourcePolicyId, 'PolicyInputList.1');
    assert.equal(out[1].EvalDecision, 'implicitDeny');
  });

  it('the user\'s permissions boundary applies; a boundary input overrides it', async () => {
    const base = { PolicySourceArn: userArn('bob'), ActionNames: ['iam:GetRole', 'iam:CreateRole'] };
    const [get, create] = results(await asRoot('SimulatePrincipalPolicy', base));
    assert.equal(get.EvalDecision, 'allowed');
    assert.deepEqual(get.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
    assert.equal(create.EvalDecision, 'implicitDeny');
    assert.deepEqual(create.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });
    const over = results(await asRoot('SimulatePrincipalPolicy', { ...base, PermissionsBoundaryPolicyInputList: [doc({ Effect: 'Allow', Action: 'iam:Create*', Resource: '*' })] }));
    assert.deepEqual(over.map((r) => r.EvalDecision), ['implicitDeny', 'allowed']);
  });

  it('a role and a group as policy source', async () => {
    const role = results(await asRoot('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${fx.accountId}:role/app`, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::bkt/x', 'arn:aws:s3:::other/x'],
    }));
    assert.deepEqual(role.map((r) => r.EvalDecision), ['allowed', 'implicitDeny']);
    assert.equal(role[0].MatchedStatements[0].SourcePolicyType, 'role');
    const group = results(await asRoot('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${fx.accountId}:group/devs`, ActionNames: ['iam:CreateGroup', 'iam:CreateRole'] }));
    assert.deepEqual(group.map((r) => r.EvalDecision), ['allowed', 'implicitDeny']);
  });

  const errors: { name: string; arn: () => string; code: string; message?: string | RegExp }[] = [
    { name: 'unknown user', arn: () => userArn('nobody'), code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' },
    { name: 'unknown role', arn: () => `arn:aws:iam::${fx.accountId}:role/nobody`, code: 'NoSuchEntity', message: 'The role with name nobody cannot be found.' },
    { name: 'unknown group', arn: () => `arn:aws:iam::${fx.accountId}:group/nobody`, code: 'NoSuchEntity' },
    { name: 'user of another account', arn: () => 'arn:aws:iam::999999999999:user/alice', code: 'NoSuchEntity' },
    { name: 'the root user', arn: () => `arn:aws:iam::${fx.accountId}:root`, code: 'InvalidInput' },
  ];
  for (const c of errors) {
    it(`${c.code}: ${c.name}`, async () => {
      await rejects(asRoot('SimulatePrincipalPolicy', { PolicySourceArn: c.arn(), ActionNames: ['iam:GetUser'] }), c.code, c.message);
    });
  }

  it('a group source with a resource policy needs CallerArn', async () => {
    await rejects(asRoot('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${fx.accountId}:group/devs`, ActionNames: ['s3:GetObject'],
      ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }),
    }), 'InvalidInput', /CallerArn/);
  });

  it('agrees with enforcement for the same user and actions', async () => {
    const alice = await userCaller('alice');
    const cases: [string, string][] = [
      ['iam:CreateUser', `arn:aws:iam::${fx.accountId}:user/dev-2`],
      ['iam:CreateUser', `arn:aws:iam::${fx.accountId}:user/dev-admin`],
      ['iam:CreateUser', `arn:aws:iam::${fx.accountId}:user/ops-1`],
      ['iam:CreateGroup', `arn:aws:iam::${fx.accountId}:group/g`],
      ['iam:CreateRole', `arn:aws:iam::${fx.accountId}:role/r`],
      ['iam:GetUser', `arn:aws:iam::${fx.accountId}:user/alice`],
      ['iam:DeleteUser', `arn:aws:iam::${fx.accountId}:user/alice`],
      ['iam:TagUser', `arn:aws:iam::${fx.accountId}:user/alice`],
    ];
    for (const [action, resource] of cases) {
      const ctx = fx.ctx(alice);
      let enforced: string;
      try { enforced = ctx.authorize(action, resource).decision; } catch { enforced = 'denied'; }
      const [r] = results(await asRoot('SimulatePrincipalPolicy', { PolicySourceArn: userArn('alice'), ActionNames: [action], ResourceArns: [resource] }));
      assert.equal(r.EvalDecision === 'allowed', enforced === 'Allow', `${action} on ${resource}: simulator ${r.EvalDecision}, enforcement ${enforced}`);
    }
  });
});

describe('authorization of the simulator', () => {
  it('SimulatePrincipalPolicy needs iam:SimulatePrincipalPolicy on the source; SimulateCustomPolicy on *', async () => {
    await asRoot('CreateUser', { UserName: 'carol' });
    await asRoot('PutUserPolicy', {
      UserName: 'carol', PolicyName: 'sim',
      PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:SimulatePrincipalPolicy', 'iam:GetContextKeysForPrincipalPolicy'], Resource: userArn('bob') }),
    });
    const carol = await userCaller('carol');
    const ok = await call(carol, 'SimulatePrincipalPolicy', { PolicySourceArn: userArn('bob'), ActionNames: ['iam:GetUser'] });
    assert.equal(results(ok)[0].EvalDecision, 'allowed');
    await rejects(call(carol, 'SimulatePrincipalPolicy', { PolicySourceArn: userArn('alice'), ActionNames: ['iam:GetUser'] }), 'AccessDenied',
      `User: ${userArn('carol')} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${userArn('alice')} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`);
    await rejects(call(carol, 'SimulateCustomPolicy', { PolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })], ActionNames: ['s3:x'] }), 'AccessDenied', /iam:SimulateCustomPolicy on resource: \*/);
    await rejects(call(carol, 'GetContextKeysForCustomPolicy', { PolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })] }), 'AccessDenied');
    assert.deepEqual(await call(carol, 'GetContextKeysForPrincipalPolicy', { PolicySourceArn: userArn('bob') }), { ContextKeyNames: [] });
  });
});

describe('GetContextKeysFor…Policy', () => {
  it('custom: condition keys and policy variables as written, deduplicated case-insensitively', async () => {
    const out = await asRoot('GetContextKeysForCustomPolicy', {
      PolicyInputList: [
        doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { StringEquals: { 'aws:RequestTag/Team': '${aws:PrincipalTag/team}' }, Bool: { 'aws:SecureTransport': 'true' } } }),
        doc({ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'AWS:SECURETRANSPORT': 'false' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
        // Version 2008-10-17: no policy variables.
        JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::x/${aws:userid}' }] }),
      ],
    });
    assert.deepEqual(out.ContextKeyNames, ['aws:RequestTag/Team', 'aws:PrincipalTag/team', 'aws:SecureTransport', 'aws:username', 'aws:SourceIp']);
    await rejects(asRoot('GetContextKeysForCustomPolicy', { PolicyInputList: ['not json'] }), 'InvalidInput');
  });

  it('principal: the user\'s and its groups\' policies plus the inputs', async () => {
    const out = await asRoot('GetContextKeysForPrincipalPolicy', {
      PolicySourceArn: userArn('alice'), PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringLike: { 's3:prefix': 'home/' } } })],
    });
    assert.deepEqual(out.ContextKeyNames, ['aws:RequestTag/team', 's3:prefix']);
    await rejects(asRoot('GetContextKeysForPrincipalPolicy', { PolicySourceArn: userArn('nobody') }), 'NoSuchEntity');
  });
});

describe('SimulatePrincipalPolicy in a member account: the account\'s SCPs, as enforced', () => {
  let f: OrgFixture;
  let dev: string;
  before(async () => {
    f = await openOrgFixture();
    await f.org('CreateOrganization', f.root());
    const rootId = ((await f.org('ListRoots', f.root())).Roots as Result[])[0].Id as string;
    await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
    const s = (await f.org('CreateAccount', f.root(), { Email: 'dev@example.com', AccountName: 'dev' })).CreateAccountStatus as Result;
    dev = ((await f.org('DescribeCreateAccountStatus', f.root(), { CreateAccountRequestId: s.Id })).CreateAccountStatus as Result).AccountId;
    const scp = (await f.org('CreatePolicy', f.root(), {
      Name: 'RegionLock', Description: 'eu-west-2 only', Type: 'SERVICE_CONTROL_POLICY',
      Content: orgPolicyText([{ Effect: 'Deny', NotAction: ['iam:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-2' } } }]),
    })).Policy as Result;
    await f.org('AttachPolicy', f.root(), { PolicyId: scp.PolicySummary.Id, TargetId: rootId });
    await f.addUser('builder', [{ Effect: 'Allow', Action: '*', Resource: '*' }], dev);
    await f.runtime.afterWrite();
  });
  after(async () => { await f.close(); });

  it('a region-locked action: explicitDeny outside eu-west-2, AllowedByOrganizations false; the same as enforcement', async () => {
    const arn = `arn:aws:iam::${dev}:user/builder`;
    for (const region of ['us-east-1', 'eu-west-2']) {
      const out = await ops.SimulatePrincipalPolicy(f.root(dev), {
        PolicySourceArn: arn, ActionNames: ['s3:ListBucket', 'iam:ListUsers'], ResourceArns: ['arn:aws:s3:::b'],
        ContextEntries: [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: [region], ContextKeyType: 'string' }],
      });
      const [s3, iam] = results(out!);
      const user = await f.user('builder', dev, region);
      const enforced = (() => { try { return user.authorize('s3:ListBucket', 'arn:aws:s3:::b').decision; } catch { return 'denied'; } })();
      if (region === 'us-east-1') {
        assert.equal(s3.EvalDecision, 'explicitDeny');
        assert.deepEqual(s3.OrganizationsDecisionDetail, { AllowedByOrganizations: false });
        assert.equal(enforced, 'denied');
      } else {
        assert.equal(s3.EvalDecision, 'allowed');
        assert.deepEqual(s3.OrganizationsDecisionDetail, { AllowedByOrganizations: true });
        assert.equal(enforced, 'Allow');
      }
      assert.equal(iam.EvalDecision, 'allowed');
    }
    // Without the region the simulator says which key it needs.
    const [r] = results((await ops.SimulatePrincipalPolicy(f.root(dev), { PolicySourceArn: arn, ActionNames: ['s3:ListBucket'] }))!);
    assert.deepEqual(r.MissingContextValues, ['aws:RequestedRegion']);
  });
});
