// Property: whatever arrives on the wire, parse and verify answer with data, never an exception.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSignedRequest, signRequest, verifySignature, type SignableRequest } from './index.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const fragment = fc.oneof(
  text,
  fc.constantFrom(
    'AWS4-HMAC-SHA256', 'Credential=', 'AKID/20150830/us-east-1/iam/aws4_request', 'SignedHeaders=host;x-amz-date',
    'Signature=', 'a'.repeat(64), ',', ' ', '=', '/', ';', '%', '%E1%88', 'X-Amz-', '20150830T123600Z', 'aws4_request',
  ),
);
const joined = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
const headerName = fc.oneof(
  fc.constantFrom('authorization', 'Authorization', 'x-amz-date', 'X-Amz-Date', 'host', 'date', ':authority',
    'x-amz-security-token', 'x-amz-content-sha256', '__proto__', 'constructor'),
  text,
);
const headerValue = fc.oneof(joined, fc.array(joined, { maxLength: 3 }));
const queryParam = fc.tuple(
  fc.oneof(fc.constantFrom('X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
    'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256'), text),
  joined,
).map(([k, v]) => `${k}=${v}`);

const request: fc.Arbitrary<SignableRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'get', ''),
  path: joined,
  query: fc.array(queryParam, { maxLength: 8 }).map((ps) => ps.join('&')),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }).map((pairs) => {
    const h: Record<string, string | string[]> = Object.create(null);
    for (const [k, v] of pairs) h[k] = v;
    return h;
  }),
  body: fc.oneof(text, fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a))),
});

test('parseSignedRequest and verifySignature never throw', () => {
  fc.assert(fc.property(request, text, fc.integer({ min: -1e13, max: 1e13 }), (req, secret, ms) => {
    const parsed = parseSignedRequest(req);
    if (!parsed.ok) {
      assert.ok(parsed.error.status === 400 || parsed.error.status === 403);
      return;
    }
    const res = verifySignature(req, parsed.auth, secret, { now: new Date(ms) });
    assert.ok(res.ok === true || typeof res.error.code === 'string');
  }), { numRuns: 3000 });
});

test('verifying a validly signed request with hostile path, query and headers never throws', () => {
  const base: SignableRequest = { method: 'GET', path: '/', query: '', headers: { host: 'iam.amazonaws.com' }, body: '' };
  const signed = signRequest(base, {
    accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-1', service: 'iam', now: new Date('2015-08-30T12:36:00Z'),
  });
  let verified = 0;
  fc.assert(fc.property(joined, fc.array(queryParam, { maxLength: 6 }), headerValue, headerValue, (path, params, a, b) => {
    const req: SignableRequest = {
      ...base, path: '/' + path, query: params.join('&'),
      headers: { ...base.headers, ...signed, 'x-amz-content-sha256': a, 'x-other': b },
    };
    const parsed = parseSignedRequest(req);
    if (!parsed.ok) return;
    verified++;
    const res = verifySignature(req, parsed.auth, 'secret', { now: new Date('2015-08-30T12:36:00Z') });
    assert.ok(res.ok === true || typeof res.error.code === 'string');
  }), { numRuns: 2000 });
  assert.ok(verified > 100, `only ${verified} requests reached verification`);
});
