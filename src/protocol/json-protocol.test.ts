import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeJsonValue } from './json-shapes.js';
import { parseJsonRequest, serializeJsonError, serializeJsonResponse } from './json-protocol.js';
import { loadServiceModel, resolveShape, type ServiceModel, type ShapeRef } from './model.js';
import { loadSuites, modelOf, normalize } from './testdata/protocol-suites.js';

// Client-side cases a server cannot mirror: gzip bodies.
const SKIPPED_INPUT = new Set(['SDKAppliedContentEncoding_awsJson1_1', 'SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1']);

for (const suite of loadSuites('input-json.json')) {
  for (const c of suite.cases) {
    const id = c.id ?? c.description ?? c.given.name;
    test(`botocore json input: ${id}`, { skip: SKIPPED_INPUT.has(id) }, () => {
      const model = modelOf(suite, c);
      const result = parseJsonRequest(model, c.serialized?.headers?.['X-Amz-Target'], c.serialized?.body ?? '');
      assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
      assert.equal(result.operation, c.given.name);
      const expected = Object.fromEntries(Object.entries(c.params ?? {}).filter(([, v]) => v !== null));
      assert.deepEqual(normalize(result.input), normalize(expected));
    });
  }
}

/** The suites' results carry timestamps as epoch seconds; services hand Dates. */
function toServiceValue(model: ServiceModel, ref: ShapeRef, value: unknown): unknown {
  const shape = resolveShape(model, ref);
  if (value === null || value === undefined || shape.document) return value;
  if (shape.type === 'timestamp') return new Date((value as number) * 1000);
  if (shape.type === 'structure') {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, (shape.members ?? {})[k] ? toServiceValue(model, (shape.members ?? {})[k], v) : v]));
  }
  if (shape.type === 'list') return (value as unknown[]).map((v) => toServiceValue(model, shape.member as ShapeRef, v));
  if (shape.type === 'map') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toServiceValue(model, shape.value as ShapeRef, v)]));
  return value;
}

// Offsets in timestamps are written by other servers, never by this one.
const SKIPPED_OUTPUT = new Set(['AwsJson11DateTimeWithNegativeOffset', 'AwsJson11DateTimeWithPositiveOffset']);

for (const suite of loadSuites('output-json.json')) {
  for (const c of suite.cases) {
    const id = c.id ?? c.description ?? c.given.name;
    test(`botocore json output: ${id}`, { skip: SKIPPED_OUTPUT.has(id) }, () => {
      const model = modelOf(suite, c);
      if (c.errorCode) {
        const { Message, message, ...fields } = (c.error ?? {}) as Record<string, unknown>;
        const body = JSON.parse(serializeJsonError({ code: c.errorCode, message: String(Message ?? message ?? ''), fields }, model));
        assert.equal(body.__type, c.errorCode);
        for (const [k, v] of Object.entries(c.error ?? {})) assert.deepEqual(body[k], v);
        return;
      }
      const ref = c.given.output;
      const text = serializeJsonResponse(model, c.given.name, ref ? toServiceValue(model, ref, c.result) as Record<string, unknown> : undefined);
      const back = ref ? decodeJsonValue(model, ref, JSON.parse(text), '') : {};
      assert.deepEqual(normalize(back), normalize(c.result ?? {}));
    });
  }
}

const organizations = loadServiceModel('organizations');
const cloudtrail = loadServiceModel('cloudtrail');
const ORG = 'AWSOrganizationsV20161128.';
const TRAIL = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.';

const cases: Array<{ name: string; model: ServiceModel; target?: string; body: string; input?: Record<string, unknown>; code?: string; message?: string; fields?: Record<string, unknown> }> = [
  {
    name: 'Organizations CreateAccount decodes',
    model: organizations, target: `${ORG}CreateAccount`,
    body: JSON.stringify({ Email: 'a@example.com', AccountName: 'dev', Tags: [{ Key: 'k', Value: 'v' }] }),
    input: { Email: 'a@example.com', AccountName: 'dev', Tags: [{ Key: 'k', Value: 'v' }] },
  },
  {
    name: 'an empty body is an empty object',
    model: organizations, target: `${ORG}DescribeOrganization`, body: '', input: {},
  },
  {
    name: 'unknown target',
    model: organizations, target: `${ORG}CreateAccounts`, body: '{}', code: 'UnknownOperationException',
  },
  {
    name: 'target of another service',
    model: organizations, target: `${TRAIL}LookupEvents`, body: '{}', code: 'UnknownOperationException',
  },
  {
    name: 'missing target',
    model: organizations, body: '{}', code: 'UnknownOperationException',
  },
  {
    name: 'bad JSON',
    model: organizations, target: `${ORG}ListAccounts`, body: '{"MaxResults": ', code: 'SerializationException',
  },
  {
    name: 'a JSON array is no object',
    model: organizations, target: `${ORG}ListAccounts`, body: '[]', code: 'SerializationException',
  },
  {
    name: 'a string where an integer belongs',
    model: organizations, target: `${ORG}ListAccounts`, body: '{"MaxResults": "5"}', code: 'SerializationException',
  },
  {
    name: 'Organizations: a missing required member is INPUT_REQUIRED',
    model: organizations, target: `${ORG}DescribeAccount`, body: '{}',
    code: 'InvalidInputException', message: 'You must include a value for all required parameters.', fields: { Reason: 'INPUT_REQUIRED' },
  },
  {
    name: 'Organizations: a bad pattern is INVALID_PATTERN',
    model: organizations, target: `${ORG}DescribeAccount`, body: '{"AccountId": "12"}',
    code: 'InvalidInputException', message: 'You provided a value that does not match the required pattern.', fields: { Reason: 'INVALID_PATTERN' },
  },
  {
    name: 'Organizations: too large a page is MAX_VALUE_EXCEEDED',
    model: organizations, target: `${ORG}ListAccounts`, body: '{"MaxResults": 1000}',
    code: 'InvalidInputException', fields: { Reason: 'MAX_VALUE_EXCEEDED' },
  },
  {
    name: 'CloudTrail LookupEvents decodes epoch-second timestamps',
    model: cloudtrail, target: `${TRAIL}LookupEvents`,
    body: JSON.stringify({ StartTime: 1700000000, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }], MaxResults: 10 }),
    input: { StartTime: new Date(1700000000 * 1000), LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }], MaxResults: 10 },
  },
  {
    name: 'CloudTrail: enum violation is a ValidationException in AWS format',
    model: cloudtrail, target: `${TRAIL}LookupEvents`,
    body: JSON.stringify({ LookupAttributes: [{ AttributeKey: 'Nope', AttributeValue: 'x' }] }),
    code: 'ValidationException',
    message: "1 validation error detected: Value at 'lookupAttributes.1.member.attributeKey' failed to satisfy constraint: Member must satisfy enum value set: " +
      '[EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId]',
  },
];

for (const c of cases) {
  test(`json input: ${c.name}`, () => {
    const result = parseJsonRequest(c.model, c.target, c.body);
    if (c.code) {
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.code, c.code);
      assert.equal(result.error.status, 400);
      if (c.message !== undefined) assert.equal(result.error.message, c.message);
      if (c.fields) assert.deepEqual(result.error.fields, c.fields);
    } else {
      assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
      assert.deepEqual(result.input, c.input);
    }
  });
}

const outputCases: Array<{ name: string; run: () => string; expected: unknown }> = [
  {
    name: 'Organizations DescribeAccount: timestamps as epoch seconds',
    run: () => serializeJsonResponse(organizations, 'DescribeAccount', {
      Account: { Id: '111122223333', Arn: 'arn:aws:organizations::111122223333:account/o-abc/111122223333', Email: 'a@example.com', Name: 'dev', Status: 'ACTIVE', JoinedMethod: 'CREATED', JoinedTimestamp: new Date('2026-01-02T03:04:05.500Z') },
    }),
    expected: { Account: { Id: '111122223333', Arn: 'arn:aws:organizations::111122223333:account/o-abc/111122223333', Email: 'a@example.com', Name: 'dev', Status: 'ACTIVE', JoinedMethod: 'CREATED', JoinedTimestamp: 1767323045.5 } },
  },
  {
    name: 'an operation without output gives {}',
    run: () => serializeJsonResponse(organizations, 'DeleteOrganization', undefined),
    expected: {},
  },
  {
    name: 'Organizations errors say Message, with Reason',
    run: () => serializeJsonError({ code: 'InvalidInputException', message: 'bad', fields: { Reason: 'INVALID_PATTERN' } }, organizations),
    expected: { __type: 'InvalidInputException', Message: 'bad', Reason: 'INVALID_PATTERN' },
  },
  {
    name: 'frontend errors carry the coral namespace',
    run: () => serializeJsonError({ code: 'UnknownOperationException', message: '' }),
    expected: { __type: 'com.amazon.coral.service#UnknownOperationException' },
  },
  {
    name: 'without a model the message key is lower-case',
    run: () => serializeJsonError({ code: 'TrailNotFoundException', message: 'Unknown trail' }),
    expected: { __type: 'TrailNotFoundException', message: 'Unknown trail' },
  },
];

for (const c of outputCases) {
  test(`json output: ${c.name}`, () => {
    assert.deepEqual(JSON.parse(c.run()), c.expected);
  });
}

test('property: any target and body give a result, never a throw', () => {
  const ops = Object.keys(organizations.operations);
  const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
  const shaped = fc.record({ MaxResults: fc.anything(), AccountId: fc.anything(), Tags: fc.anything(), Content: fc.anything(), Type: fc.anything(), NextToken: fc.anything() }, { requiredKeys: [] })
    .map((v) => { try { return JSON.stringify(v) ?? '{}'; } catch { return '{}'; } });
  fc.assert(fc.property(
    fc.oneof(fc.constantFrom(...ops).map((o) => ORG + o), fc.string()),
    fc.oneof(json, shaped, fc.string(), json.map((s) => s.slice(0, Math.floor(s.length / 2)))),
    (target, body) => {
      const result = parseJsonRequest(organizations, target, body);
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.ok(result.error.code.length > 0);
    },
  ), { numRuns: 500 });
});
