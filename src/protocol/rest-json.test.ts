import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeJsonValue } from './json-shapes.js';
import { loadServiceModel, resolveShape, timestampFormatOf, type ServiceModel, type ShapeRef } from './model.js';
import { parseRestJsonRequest, serializeRestJsonError, serializeRestJsonResponse, splitHeaderList, type RestResponse } from './rest-json.js';
import { matchRestOperation } from './rest-route.js';
import { decodeBase64, parseTimestamp } from './scalars.js';
import { loadSuites, modelOf, normalize, type ProtocolCase } from './testdata/protocol-suites.js';

// Cases a server cannot mirror: gzip bodies, a token the client invents, empty collections the
// client leaves out, a null header, a map key shadowed by a named member, client host prefixes.
const SKIPPED_INPUT = new Map<string, string>([
  ['SDKAppliedContentEncoding_restJson1', 'gzip body'],
  ['SDKAppendedGzipAfterProvidedEncoding_restJson1', 'gzip body'],
  ['RestJsonQueryIdempotencyTokenAutoFill', 'client-invented token'],
  ['RestJsonOmitsEmptyListQueryValues', 'empty lists are not sent'],
  ['RestJsonQueryPrecedence', 'map entry shadowed by a named member is not sent'],
  ['RestJsonHttpPrefixHeadersAreNotPresent', 'empty prefix-header map is not sent'],
  ['RestJsonHostWithPath', 'client endpoint path prefix'],
  // The suites disagree: RestJsonAllQueryStringTypes expects named parameters in the query map
  // too, this case does not. The server follows the former.
  ['RestJsonQueryParamsStringListMap', 'named parameter also in the query map'],
]);

/** Parameters as the server sees them: nulls dropped. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v)]));
  }
  return value;
}

for (const suite of loadSuites('input-rest-json.json')) {
  for (const c of suite.cases) {
    const id = c.id ?? c.description ?? c.given.name;
    test(`botocore rest-json input: ${id}`, { skip: SKIPPED_INPUT.get(id) ?? false }, () => {
      const model = modelOf(suite, c);
      const ser = c.serialized as NonNullable<ProtocolCase['serialized']>;
      const q = ser.uri.indexOf('?');
      const result = parseRestJsonRequest(model, {
        method: ser.method, path: q < 0 ? ser.uri : ser.uri.slice(0, q),
        query: new URLSearchParams(q < 0 ? '' : ser.uri.slice(q + 1)), headers: ser.headers ?? {}, body: ser.body ?? '',
      });
      assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
      assert.equal(result.operation, c.given.name);
      assert.deepEqual(normalize(result.input), normalize(dropNulls(c.params ?? {})));
    });
  }
}

/** Reads a RestResponse back into output members, the way an SDK does. */
function readResponse(model: ServiceModel, ref: ShapeRef, response: RestResponse): Record<string, unknown> {
  const shape = resolveShape(model, ref);
  const headers = new Map(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, unknown> = {};
  const scalar = (r: ShapeRef, text: string): unknown => {
    const s = resolveShape(model, r);
    if (s.type === 'timestamp') return (parseTimestamp(text, timestampFormatOf(r, s, 'rfc822')) as Date).getTime() / 1000;
    if (s.type === 'boolean') return text === 'true';
    if (['integer', 'long', 'short', 'byte'].includes(s.type)) return Number(text);
    if (s.type === 'float' || s.type === 'double') return ['NaN', 'Infinity', '-Infinity'].includes(text) ? text : Number(text);
    if (r.jsonvalue) return Buffer.from(decodeBase64(text) as Uint8Array).toString('utf8');
    return text;
  };
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const memberShape = resolveShape(model, member);
    const wire = (member.locationName ?? name).toLowerCase();
    if (member.location === 'header' && headers.has(wire)) {
      const text = headers.get(wire) as string;
      if (memberShape.type === 'list') {
        const item = memberShape.member as ShapeRef;
        out[name] = splitHeaderList(text, resolveShape(model, item).type === 'timestamp').map((t) => scalar(item, t));
      } else {
        out[name] = scalar(member, text);
      }
    } else if (member.location === 'headers') {
      const map = Object.fromEntries([...headers].filter(([k]) => k.startsWith(wire) && k !== 'content-type').map(([k, v]) => [k.slice(wire.length), v]));
      if (Object.keys(map).length > 0) out[name] = map;
    } else if (member.location === 'statusCode') {
      out[name] = response.status;
    }
  }
  if (shape.payload && shape.members?.[shape.payload]) {
    const payloadRef = shape.members[shape.payload];
    const payloadShape = resolveShape(model, payloadRef);
    if (response.body !== '') {
      out[shape.payload] = payloadShape.type === 'blob' || (payloadShape.type === 'string' && !payloadShape.document)
        ? response.body
        : normalize(decodeJsonValue(model, payloadRef, JSON.parse(response.body), ''));
    }
  } else if (response.body !== '') {
    Object.assign(out, normalize(decodeJsonValue(model, ref, JSON.parse(response.body), '')));
  }
  return out;
}

function toServiceValue(model: ServiceModel, ref: ShapeRef, value: unknown): unknown {
  const shape = resolveShape(model, ref);
  if (value === null || value === undefined || shape.document) return value;
  if (shape.type === 'timestamp') return new Date((value as number) * 1000);
  if ((shape.type === 'float' || shape.type === 'double') && typeof value === 'string') return Number(value);
  if (shape.type === 'structure') {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, (shape.members ?? {})[k] ? toServiceValue(model, (shape.members ?? {})[k], v) : v]));
  }
  if (shape.type === 'list') return (value as unknown[]).map((v) => toServiceValue(model, shape.member as ShapeRef, v));
  if (shape.type === 'map') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toServiceValue(model, shape.value as ShapeRef, v)]));
  return value;
}

// Offsets in timestamps are written by other servers, never by this one.
const SKIPPED_OUTPUT = new Set(['RestJsonDateTimeWithNegativeOffset', 'RestJsonDateTimeWithPositiveOffset']);

for (const suite of loadSuites('output-rest-json.json')) {
  for (const c of suite.cases) {
    const id = c.id ?? c.description ?? c.given.name;
    test(`botocore rest-json output: ${id}`, { skip: SKIPPED_OUTPUT.has(id) }, () => {
      const model = modelOf(suite, c);
      if (c.errorCode) {
        const { Message, message, ...fields } = (c.error ?? {}) as Record<string, unknown>;
        const response = serializeRestJsonError({ code: c.errorCode, message: String(Message ?? message ?? ''), fields }, model);
        assert.equal(response.headers['x-amzn-ErrorType'], c.errorCode);
        assert.equal(response.status, c.response?.status_code);
        const info = Object.entries(model.shapes).find(([n]) => n === c.errorCode)?.[1];
        const back = info ? readResponse(model, { shape: c.errorCode }, { ...response, body: response.body }) : {};
        for (const [k, v] of Object.entries(c.error ?? {})) assert.deepEqual(back[k] ?? (k === 'Message' ? JSON.parse(response.body).Message : undefined), v);
        return;
      }
      const ref = c.given.output;
      const response = serializeRestJsonResponse(model, c.given.name, ref ? toServiceValue(model, ref, c.result) as Record<string, unknown> : undefined);
      assert.equal(response.status, c.response?.status_code);
      const back = ref ? readResponse(model, ref, response) : {};
      assert.deepEqual(normalize(back), normalize(c.result ?? {}));
    });
  }
}

const analyzer = loadServiceModel('accessanalyzer');

const routes: Array<{ name: string; method: string; path: string; query?: string; operation?: string; labels?: Record<string, string> }> = [
  { name: 'a label', method: 'GET', path: '/analyzer/my-analyzer', operation: 'GetAnalyzer', labels: { analyzerName: 'my-analyzer' } },
  { name: 'two labels', method: 'GET', path: '/analyzer/a/archive-rule/r1', operation: 'GetArchiveRule', labels: { analyzerName: 'a', ruleName: 'r1' } },
  { name: 'the collection', method: 'GET', path: '/analyzer', operation: 'ListAnalyzers', labels: {} },
  { name: 'literal beats label', method: 'POST', path: '/analyzer/findings/statistics', operation: 'GetFindingsStatistics', labels: {} },
  { name: 'method decides', method: 'PUT', path: '/analyzer/a', operation: 'UpdateAnalyzer', labels: { analyzerName: 'a' } },
  { name: 'percent-decoded label', method: 'DELETE', path: '/tags/arn%3Aaws%3Aaccess-analyzer%3Aus-east-1%3A111122223333%3Aanalyzer%2Fa', operation: 'UntagResource', labels: { resourceArn: 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a' } },
  { name: 'trailing slash', method: 'GET', path: '/analyzer/a/', operation: 'GetAnalyzer', labels: { analyzerName: 'a' } },
  { name: 'unknown path', method: 'GET', path: '/nothing/here' },
  { name: 'known path, wrong method', method: 'PATCH', path: '/analyzer/a' },
  { name: 'malformed percent-encoding', method: 'GET', path: '/analyzer/%E0%A4%A' },
];

for (const r of routes) {
  test(`access analyzer route: ${r.name}`, () => {
    const match = matchRestOperation(analyzer, r.method, r.path, new URLSearchParams(r.query ?? ''));
    if (!r.operation) {
      assert.equal(match, undefined);
      return;
    }
    assert.equal(match?.operation, r.operation);
    assert.deepEqual(match?.labels, r.labels);
  });
}

const requests: Array<{ name: string; method: string; path: string; query?: string; headers?: Record<string, string>; body?: string; operation?: string; input?: Record<string, unknown>; code?: string; status?: number; message?: string; fields?: Record<string, unknown> }> = [
  {
    name: 'ValidatePolicy: query members and body',
    method: 'POST', path: '/policy/validation', query: 'maxResults=5&nextToken=abc',
    body: JSON.stringify({ policyDocument: '{"Version":"2012-10-17","Statement":[]}', policyType: 'IDENTITY_POLICY' }),
    operation: 'ValidatePolicy',
    input: { maxResults: 5, nextToken: 'abc', policyDocument: '{"Version":"2012-10-17","Statement":[]}', policyType: 'IDENTITY_POLICY' },
  },
  {
    name: 'UntagResource: a list from repeated query keys',
    method: 'DELETE', path: '/tags/arn%3Aaws%3Aaccess-analyzer%3Aus-east-1%3A111122223333%3Aanalyzer%2Fa', query: 'tagKeys=a&tagKeys=b',
    operation: 'UntagResource',
    input: { resourceArn: 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a', tagKeys: ['a', 'b'] },
  },
  {
    name: 'GetAnalyzer without a body',
    method: 'GET', path: '/analyzer/a', operation: 'GetAnalyzer', input: { analyzerName: 'a' },
  },
  {
    name: 'CreateAnalyzer: a missing member is a ValidationException with its field',
    method: 'PUT', path: '/analyzer', body: JSON.stringify({ analyzerName: 'a' }),
    code: 'ValidationException', status: 400,
    message: "1 validation error detected: Value at 'type' failed to satisfy constraint: Member must not be null",
    fields: { reason: 'fieldValidationFailed', fieldList: [{ name: 'type', message: 'Member must not be null' }] },
  },
  {
    name: 'GetAnalyzer: a bad label fails the pattern',
    method: 'GET', path: '/analyzer/1bad', code: 'ValidationException', status: 400,
  },
  {
    name: 'a non-integer query member',
    method: 'GET', path: '/analyzer', query: 'maxResults=many', code: 'SerializationException', status: 400,
  },
  {
    name: 'bad JSON',
    method: 'PUT', path: '/analyzer', body: '{"analyzerName": ', code: 'SerializationException', status: 400,
  },
  {
    name: 'no operation',
    method: 'GET', path: '/nope', code: 'UnknownOperationException', status: 404,
  },
];

for (const r of requests) {
  test(`access analyzer request: ${r.name}`, () => {
    const result = parseRestJsonRequest(analyzer, { method: r.method, path: r.path, query: new URLSearchParams(r.query ?? ''), headers: r.headers ?? {}, body: r.body ?? '' });
    if (r.code) {
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.code, r.code);
      assert.equal(result.error.status, r.status);
      if (r.message !== undefined) assert.equal(result.error.message, r.message);
      if (r.fields) assert.deepEqual(result.error.fields, r.fields);
    } else {
      assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
      assert.equal(result.operation, r.operation);
      assert.deepEqual(result.input, r.input);
    }
  });
}

test('access analyzer response: GetAnalyzer with ISO 8601 timestamps', () => {
  const response = serializeRestJsonResponse(analyzer, 'GetAnalyzer', {
    analyzer: { arn: 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a', name: 'a', type: 'ACCOUNT', createdAt: new Date('2026-01-02T03:04:05Z'), status: 'ACTIVE', tags: {} },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers['Content-Type'], 'application/json');
  assert.deepEqual(JSON.parse(response.body), {
    analyzer: { arn: 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a', name: 'a', type: 'ACCOUNT', createdAt: '2026-01-02T03:04:05Z', status: 'ACTIVE', tags: {} },
  });
});

test('access analyzer response: an operation without output has an empty body', () => {
  assert.deepEqual(serializeRestJsonResponse(analyzer, 'DeleteAnalyzer', undefined), { status: 200, headers: {}, body: '' });
});

const errors: Array<{ name: string; error: { code: string; message: string; fields?: Record<string, unknown> }; status: number; headers: Record<string, string>; body: unknown }> = [
  {
    name: 'ResourceNotFoundException with its members',
    error: { code: 'ResourceNotFoundException', message: 'Analyzer not found', fields: { resourceId: 'a', resourceType: 'AWS::AccessAnalyzer::Analyzer' } },
    status: 404,
    headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException', 'Content-Type': 'application/json' },
    body: { message: 'Analyzer not found', resourceId: 'a', resourceType: 'AWS::AccessAnalyzer::Analyzer' },
  },
  {
    name: 'ThrottlingException puts Retry-After in a header',
    error: { code: 'ThrottlingException', message: 'Rate exceeded', fields: { retryAfterSeconds: 3 } },
    status: 429,
    headers: { 'x-amzn-ErrorType': 'ThrottlingException', 'Content-Type': 'application/json', 'Retry-After': '3' },
    body: { message: 'Rate exceeded' },
  },
];

for (const e of errors) {
  test(`access analyzer error: ${e.name}`, () => {
    const response = serializeRestJsonError(e.error, analyzer);
    assert.equal(response.status, e.status);
    assert.deepEqual(response.headers, e.headers);
    assert.deepEqual(JSON.parse(response.body), e.body);
  });
}

test('property: any request gives a result, never a throw', () => {
  const paths = ['/analyzer', '/analyzer/a', '/analyzer/a/archive-rule/r', '/policy/validation', '/tags/x', '/finding', '/access-preview/p', '/analyzed-resource', '/%', '//', '/analyzer/%ZZ'];
  fc.assert(fc.property(
    fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH'),
    fc.oneof(fc.constantFrom(...paths), fc.string().map((s) => `/${s}`)),
    fc.array(fc.tuple(fc.constantFrom('maxResults', 'nextToken', 'type', 'tagKeys', 'resourceArn', 'analyzerArn', 'x'), fc.oneof(fc.string(), fc.constantFrom('1', '-5', '99999999999', 'true'))), { maxLength: 6 }),
    fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.string(), fc.constant('')),
    (method, path, query, body) => {
      const result = parseRestJsonRequest(analyzer, { method, path, query: new URLSearchParams(query), headers: { 'content-type': 'application/json' }, body });
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.ok(result.error.status >= 400);
    },
  ), { numRuns: 500 });
});
