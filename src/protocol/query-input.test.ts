import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadServiceModel } from './model.js';
import { parseQueryRequest } from './query-input.js';
import { loadSuites, modelOf, normalize } from './testdata/protocol-suites.js';

// Client-side cases a server cannot mirror: a gzip body, a token the client invents, and an
// empty map, which the client does not send at all.
const SKIPPED = new Set(['SDKAppliedContentEncoding_awsQuery', 'SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery', 'QueryProtocolIdempotencyTokenAutoFill', 'QueryEmptyQueryMaps']);

for (const suite of loadSuites('input-query.json')) {
  for (const c of suite.cases) {
    const id = c.id ?? c.description ?? c.given.name;
    test(`botocore query input: ${id}`, { skip: SKIPPED.has(id) }, () => {
      const result = parseQueryRequest(modelOf(suite, c), new URLSearchParams(c.serialized?.body ?? ''));
      assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
      assert.equal(result.operation, c.given.name);
      assert.deepEqual(normalize(result.input), normalize(c.params));
    });
  }
}

const iam = loadServiceModel('iam');
const sts = loadServiceModel('sts');

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams({ Version: '2010-05-08', ...fields });
}

const cases: Array<{ name: string; params: URLSearchParams; code?: string; message?: string; input?: Record<string, unknown>; status?: number }> = [
  {
    name: 'CreateUser decodes path, name and tags',
    params: form({ Action: 'CreateUser', UserName: 'alice', Path: '/dev/', 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'blue', 'Tags.member.2.Key': 'env', 'Tags.member.2.Value': '' }),
    input: { Path: '/dev/', UserName: 'alice', Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'env', Value: '' }] },
  },
  {
    name: 'list positions are taken in numeric order',
    params: form({ Action: 'CreateUser', UserName: 'alice', 'Tags.member.10.Key': 'b', 'Tags.member.10.Value': '2', 'Tags.member.2.Key': 'a', 'Tags.member.2.Value': '1' }),
    input: { UserName: 'alice', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] },
  },
  {
    name: 'unknown parameters are ignored',
    params: form({ Action: 'GetUser', Bogus: 'x' }),
    input: {},
  },
  {
    name: 'ListUsers decodes an integer',
    params: form({ Action: 'ListUsers', MaxItems: '10', Marker: 'abc' }),
    input: { MaxItems: 10, Marker: 'abc' },
  },
  {
    name: 'a missing required member is not null',
    params: form({ Action: 'CreateUser' }),
    code: 'ValidationError',
    message: "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null",
  },
  {
    name: 'too long a name fails the length constraint',
    params: form({ Action: 'CreateUser', UserName: 'a'.repeat(65) }),
    code: 'ValidationError',
    message: "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
  },
  {
    name: 'IAM reports a bad name with its own sentence',
    params: form({ Action: 'CreateUser', UserName: 'bad name!' }),
    code: 'ValidationError',
    message: 'The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-',
  },
  {
    name: 'several issues are counted and joined with semicolons',
    params: form({ Action: 'CreateUser', UserName: 'a'.repeat(65), Path: 'nope' }),
    code: 'ValidationError',
    message: "2 validation errors detected: Value at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); " +
      "Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
  },
  {
    name: 'nested list members are addressed as tags.N.member.key',
    params: form({ Action: 'CreateUser', UserName: 'alice', 'Tags.member.1.Value': 'x' }),
    code: 'ValidationError',
    message: "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must not be null",
  },
  {
    name: 'numeric range',
    params: form({ Action: 'ListUsers', MaxItems: '1001' }),
    code: 'ValidationError',
    message: "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
  },
  {
    name: 'enum value set',
    params: form({ Action: 'UpdateAccessKey', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Sleeping' }),
    code: 'ValidationError',
    message: "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
  },
  {
    name: 'an unknown action',
    params: form({ Action: 'CreateUsers' }),
    code: 'InvalidAction',
    message: 'Could not find operation CreateUsers for version 2010-05-08',
  },
  {
    name: 'a wrong version',
    params: new URLSearchParams({ Action: 'CreateUser', Version: '2011-06-15', UserName: 'a' }),
    code: 'InvalidAction',
    message: 'Could not find operation CreateUser for version 2011-06-15',
  },
  {
    name: 'a missing action',
    params: new URLSearchParams({ Version: '2010-05-08' }),
    code: 'MissingAction',
  },
  {
    name: 'an action named like an Object property is unknown',
    params: form({ Action: 'constructor' }),
    code: 'InvalidAction',
  },
  {
    name: 'a non-integer is malformed input',
    params: form({ Action: 'ListUsers', MaxItems: 'ten' }),
    code: 'MalformedInput',
  },
];

for (const c of cases) {
  test(`IAM query input: ${c.name}`, () => {
    const result = parseQueryRequest(iam, c.params);
    if (c.code) {
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.code, c.code);
      assert.equal(result.error.status, c.status ?? 400);
      assert.equal(result.error.type, 'Sender');
      if (c.message) assert.equal(result.error.message, c.message);
    } else {
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.deepEqual(result.input, c.input);
    }
  });
}

test('echoValues gives the older message with the value quoted', () => {
  const result = parseQueryRequest(iam, form({ Action: 'CreateUser', UserName: 'a'.repeat(65), Path: '/' }), { echoValues: true });
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.error.message, `1 validation error detected: Value '${'a'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`);
  }
});

test('STS AssumeRole decodes policy ARNs and a duration', () => {
  const result = parseQueryRequest(sts, new URLSearchParams({
    Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/demo', RoleSessionName: 's1',
    DurationSeconds: '900', 'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  }));
  assert.ok(result.ok);
  if (result.ok) {
    assert.deepEqual(result.input, {
      RoleArn: 'arn:aws:iam::123456789012:role/demo', RoleSessionName: 's1', DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    });
  }
});

test('property: any parameters give a result, never a throw', () => {
  const actions = ['CreateUser', 'ListUsers', 'PutUserPolicy', 'CreateRole', 'TagRole', 'GetAccountAuthorizationDetails', 'UploadServerCertificate', 'SetSecurityTokenServicePreferences', 'x'];
  const keys = ['UserName', 'Path', 'MaxItems', 'Tags', 'Tags.member', 'Tags.member.1', 'Tags.member.1.Key', 'Tags.member.0.Key', 'Tags.member.99999999999.Key',
    'Filter.member.1', 'PolicyDocument', 'RoleName', 'AssumeRolePolicyDocument', 'MaxSessionDuration', 'Tags.entry.1.key', 'GlobalEndpointTokenVersion', 'Marker', '..', '.', ''];
  fc.assert(fc.property(
    fc.constantFrom(...actions),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string()), fc.oneof(fc.string(), fc.constantFrom('1', '-1', '1e9', 'true', 'NaN', '', 'a'.repeat(200)))), { maxLength: 12 }),
    (action, pairs) => {
      const params = new URLSearchParams([['Action', action], ['Version', '2010-05-08'], ...pairs]);
      const result = parseQueryRequest(iam, params);
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.ok(result.error.code.length > 0 && result.error.status >= 400);
    },
  ), { numRuns: 500 });
});
