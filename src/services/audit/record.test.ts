import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../types.js';
import { buildRecord, eventSourceOf, isReadOnly, operationHint, userIdentityOf, type AuditCall } from './record.js';

const A = '111122223333';
const created = '2026-01-01T00:00:00.000Z';

const callers: Array<{ name: string; caller: Caller; expected: Record<string, unknown> }> = [
  {
    name: 'root',
    caller: { principal: { kind: 'root', accountId: A, arn: `arn:aws:iam::${A}:root` }, accountId: A, accessKeyId: 'AKIAROOT', userId: A },
    expected: { type: 'Root', principalId: A, arn: `arn:aws:iam::${A}:root`, accountId: A, accessKeyId: 'AKIAROOT' },
  },
  {
    name: 'IAM user',
    caller: { principal: { kind: 'user', accountId: A, arn: `arn:aws:iam::${A}:user/alice` }, accountId: A, accessKeyId: 'AKIAALICE', userId: 'AIDAALICE', userName: 'alice' },
    expected: { type: 'IAMUser', principalId: 'AIDAALICE', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, accessKeyId: 'AKIAALICE', userName: 'alice' },
  },
  {
    name: 'IAM user with GetSessionToken credentials (MFA)',
    caller: {
      principal: { kind: 'user', accountId: A, arn: `arn:aws:iam::${A}:user/alice` }, accountId: A, accessKeyId: 'ASIAALICE', userId: 'AIDAALICE', userName: 'alice',
      session: { type: 'session-token', issuedAt: created, expiresAt: created, mfaAuthenticated: true },
    },
    expected: {
      type: 'IAMUser', principalId: 'AIDAALICE', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, accessKeyId: 'ASIAALICE', userName: 'alice',
      sessionContext: { attributes: { creationDate: created, mfaAuthenticated: 'true' } },
    },
  },
  {
    name: 'assumed role',
    caller: {
      principal: { kind: 'assumedRole', accountId: A, arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${A}:role/app` },
      accountId: A, accessKeyId: 'ASIAROLE', userId: 'AROAAPP:s1', roleName: 'app',
      session: { type: 'assumed-role', issuedAt: created, expiresAt: created, sourceIdentity: 'dev' },
    },
    expected: {
      type: 'AssumedRole', principalId: 'AROAAPP:s1', arn: `arn:aws:sts::${A}:assumed-role/app/s1`, accountId: A, accessKeyId: 'ASIAROLE',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAAPP', arn: `arn:aws:iam::${A}:role/app`, accountId: A, userName: 'app' },
        attributes: { creationDate: created, mfaAuthenticated: 'false' },
        sourceIdentity: 'dev',
      },
    },
  },
  {
    name: 'federated user from an IAM user',
    caller: {
      principal: { kind: 'federatedUser', accountId: A, arn: `arn:aws:sts::${A}:federated-user/bob` }, accountId: A, accessKeyId: 'ASIAFED', userId: `${A}:bob`,
      session: { type: 'federated-user', issuedAt: created, expiresAt: created, principal: { kind: 'federatedUser', userName: 'alice', userId: 'AIDAALICE', userArn: `arn:aws:iam::${A}:user/alice` } } as Caller['session'],
    },
    expected: {
      type: 'FederatedUser', principalId: `${A}:bob`, arn: `arn:aws:sts::${A}:federated-user/bob`, accountId: A, accessKeyId: 'ASIAFED',
      sessionContext: {
        sessionIssuer: { type: 'IAMUser', principalId: 'AIDAALICE', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, userName: 'alice' },
        attributes: { creationDate: created, mfaAuthenticated: 'false' },
      },
    },
  },
];

describe('audit record', () => {
  for (const c of callers) {
    it(`userIdentity: ${c.name}`, () => {
      assert.deepEqual(JSON.parse(JSON.stringify(userIdentityOf({ caller: c.caller }))), c.expected);
    });
  }

  it('userIdentity of a failed signature names the key owner; of an unknown key, Unknown', () => {
    assert.deepEqual(userIdentityOf({ accessKeyId: 'AKIAX' }, { accountId: A, principalId: 'AIDAB', arn: `arn:aws:iam::${A}:user/b`, userName: 'b' }),
      { type: 'IAMUser', principalId: 'AIDAB', arn: `arn:aws:iam::${A}:user/b`, accountId: A, accessKeyId: 'AKIAX', userName: 'b' });
    assert.deepEqual(userIdentityOf({ accessKeyId: 'AKIAX' }), { type: 'Unknown', accessKeyId: 'AKIAX' });
    assert.deepEqual(userIdentityOf({ caller: { principal: { kind: 'anonymous' }, accountId: '', accessKeyId: '', userId: 'anonymous' }, operation: 'AssumeRoleWithSAML' }), { type: 'SAMLUser' });
  });

  const readOnly: Array<[string, boolean]> = [
    ['GetUser', true], ['ListUsers', true], ['DescribeOrganization', true], ['LookupEvents', true], ['SimulatePrincipalPolicy', true],
    ['AssumeRole', true], ['GetCallerIdentity', true], ['CreateUser', false], ['DeleteRole', false], ['PutUserPolicy', false],
    ['TagUser', false], ['Getaway', false],
  ];
  for (const [op, expected] of readOnly) it(`readOnly(${op}) = ${expected}`, () => assert.equal(isReadOnly(op), expected));

  it('eventSource of each service', () => {
    assert.equal(eventSourceOf('iam'), 'iam.amazonaws.com');
    assert.equal(eventSourceOf('sts'), 'sts.amazonaws.com');
    assert.equal(eventSourceOf('organizations'), 'organizations.amazonaws.com');
    assert.equal(eventSourceOf('cloudtrail'), 'cloudtrail.amazonaws.com');
    assert.equal(eventSourceOf('access-analyzer'), 'access-analyzer.amazonaws.com');
  });

  it('a denied call: every CloudTrail field, error code and message, no response elements', () => {
    const call: AuditCall = {
      requestId: 'req-1', time: new Date('2026-02-03T04:05:06.789Z'), service: 'iam', operation: 'CreateUser', region: 'us-east-1',
      sourceIp: '192.0.2.7', userAgent: 'aws-cli/2', caller: callers[1].caller, input: { UserName: 'eve' }, status: 403,
      errorCode: 'AccessDenied', errorMessage: 'User: x is not authorized',
    };
    const r = buildRecord(call, { fallbackAccount: '999999999999', eventId: 'e-1' });
    assert.deepEqual({ ...r, userIdentity: undefined }, {
      eventVersion: '1.08', userIdentity: undefined, eventTime: '2026-02-03T04:05:06Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser',
      awsRegion: 'us-east-1', sourceIPAddress: '192.0.2.7', userAgent: 'aws-cli/2', errorCode: 'AccessDenied', errorMessage: 'User: x is not authorized',
      requestParameters: { userName: 'eve' }, responseElements: null, requestID: 'req-1', eventID: 'e-1', readOnly: false, eventType: 'AwsApiCall',
      managementEvent: true, recipientAccountId: A, eventCategory: 'Management',
    });
  });

  it('an unknown caller\'s event goes to the fallback account; empty parameters are null', () => {
    const r = buildRecord({ requestId: 'r', time: new Date(), service: 'sts', operation: 'GetCallerIdentity', sourceIp: '::1', status: 403, errorCode: 'InvalidClientTokenId', input: {} }, { fallbackAccount: '999999999999' });
    assert.equal(r.recipientAccountId, '999999999999');
    assert.equal(r.requestParameters, null);
    assert.match(r.eventID, /^[0-9a-f-]{36}$/);
  });

  it('operation hints accept only plain names', () => {
    assert.equal(operationHint({ action: 'ListUsers' }), 'ListUsers');
    assert.equal(operationHint({ target: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' }), 'LookupEvents');
    assert.equal(operationHint({ action: 'List Users<script>' }), undefined);
    assert.equal(operationHint({ action: null }), undefined);
  });
});

describe('audit record response elements', () => {
  const base = { requestId: 'r', time: new Date(), service: 'iam', sourceIp: '::1', status: 200 };
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['CreateUser', { User: { UserName: 'a' } }, true],
    ['ListUsers', { Users: [{ UserName: 'a' }], IsTruncated: false }, false],
    ['GetUser', { User: { UserName: 'a' } }, false],
    ['LookupEvents', { Events: [] }, false],
    ['GetSessionToken', { Credentials: { AccessKeyId: 'ASIA1' } }, true],
    ['AssumeRole', { Credentials: { AccessKeyId: 'ASIA1' }, AssumedRoleUser: { Arn: 'x' } }, true],
  ];
  for (const [operation, output, kept] of cases) {
    it(`${operation}: ${kept ? 'kept' : 'null, as CloudTrail records reads'}`, () => {
      const r = buildRecord({ ...base, operation, output }, { fallbackAccount: '1' });
      assert.equal(r.responseElements === null, !kept);
    });
  }
});

describe('audit record of sign-ins and unknown callers', () => {
  it('a failed sign-in goes to the account it named; ConsoleLogin is an AwsConsoleSignIn event', () => {
    const r = buildRecord({ requestId: 'r', time: new Date(), service: 'signin', operation: 'ConsoleLogin', sourceIp: '::1', status: 401, errorCode: 'AuthenticationFailed', account: A }, { fallbackAccount: '999999999999' });
    assert.equal(r.recipientAccountId, A);
    assert.equal(r.eventType, 'AwsConsoleSignIn');
    assert.equal(r.eventSource, 'signin.amazonaws.com');
    assert.equal(r.readOnly, false);
  });
  it('an account that is not an account id is ignored', () => {
    const r = buildRecord({ requestId: 'r', time: new Date(), service: 'signin', operation: 'ConsoleLogin', sourceIp: '::1', status: 401, account: 'my-alias' }, { fallbackAccount: '999999999999' });
    assert.equal(r.recipientAccountId, '999999999999');
  });
});
