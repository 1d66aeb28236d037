import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { uriEncode } from './uri-encode.js';
import {
  buildCanonicalRequest, canonicalHeaders, canonicalQueryString, canonicalUri, EMPTY_SHA256, hashPayload,
  trimHeaderValue,
} from './canonical-request.js';

describe('canonicalQueryString', () => {
  const cases = [
    { name: 'empty', query: '', expected: '' },
    { name: 'sorts by name', query: 'b=2&a=1', expected: 'a=1&b=2' },
    { name: 'sorts equal names by value', query: 'a=z&a=y', expected: 'a=y&a=z' },
    { name: 'sorts by code point, uppercase first', query: 'b=1&B=2', expected: 'B=2&b=1' },
    { name: 'a name without = gets an empty value', query: 'acl&a=1', expected: 'a=1&acl=' },
    { name: 'empty value kept', query: 'Param1=', expected: 'Param1=' },
    { name: 'skips empty pieces', query: '&&a=1&', expected: 'a=1' },
    { name: 're-encodes decoded values', query: 'k=%7e%2f+', expected: 'k=~%2F%2B' },
    { name: 'encodes raw UTF-8', query: '\u1234=bar', expected: '%E1%88%B4=bar' },
    { name: 'only the first = splits', query: 'a=b=c', expected: 'a=b%3Dc' },
    { name: 'sorts by encoded form', query: 'Param-3=Value3&Param=Value2&%E1%88%B4=Value1', expected: '%E1%88%B4=Value1&Param=Value2&Param-3=Value3' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(canonicalQueryString(c.query), c.expected));

  test('leaves out the named parameters', () => {
    assert.equal(canonicalQueryString('X-Amz-Signature=abc&a=1&X-Amz-Security-Token=t', ['X-Amz-Signature']),
      'X-Amz-Security-Token=t&a=1');
  });
});

/** The canonical query string the plain way: split, decode and re-encode each part, sort by name then value. */
function referenceCanonicalQuery(query: string, omit: readonly string[] = []): string {
  const pairs: [string, string][] = [];
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = uriEncode(eq === -1 ? piece : piece.slice(0, eq), false, true);
    const value = eq === -1 ? '' : uriEncode(piece.slice(eq + 1), false, true);
    if (!omit.includes(name)) pairs.push([name, value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => n + '=' + v).join('&');
}

describe('canonicalQueryString against the plain algorithm', () => {
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 4 }),
    fc.constantFrom('a', 'A', 'b', '-', '.', '_', '~', '0', '=', '&', '%', '%2F', '%2f', '%41', '%3D', '%26', '%E1%88%B4', '%ZZ',
      '/', '+', ' ', 'X-Amz-Signature', 'X-Amz-Signatur%65', 'X-Amz-Security-Token', '\u1234'),
  );
  const query = fc.array(piece, { maxLength: 16 }).map((p) => p.join(''));
  const omit = fc.constantFrom(undefined, ['X-Amz-Signature'], ['X-Amz-Signature', 'X-Amz-Security-Token'], ['a', 'a-b']);
  test('same output for random queries and omitted names', () => {
    fc.assert(fc.property(query, omit, (q, o) => {
      assert.equal(canonicalQueryString(q, o), referenceCanonicalQuery(q, o));
    }), { numRuns: 3000 });
  });
  test('same output for long queries (more pairs than the insertion sort takes)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'a-b', 'X-Amz-Date', '%41', 'c%2f'), fc.string({ maxLength: 3 })), { minLength: 17, maxLength: 60 }), (ps) => {
      const q = ps.map(([k, v]) => k + '=' + v).join('&');
      assert.equal(canonicalQueryString(q), referenceCanonicalQuery(q));
    }), { numRuns: 300 });
  });
  const cases = [
    { name: 'a canonical query stays as it is', query: 'Action=GetUser&Version=2010-05-08&X-Amz-Credential=AK%2F2015%2Faws4_request' },
    { name: 'a name that is a prefix of the next sorts first', query: 'a-b=1&a=2&a=1&ab=0' },
    { name: 'lowercase escapes are uppercased', query: 'k=%2f%e1' },
    { name: 'escapes of unreserved characters are decoded', query: 'k=%41%7E' },
    { name: 'an encoded omitted name is omitted too', query: 'X-Amz-Signatur%65=abc&a=1' },
    { name: 'presigned order of this library (SignedHeaders before Expires)', query: 'X-Amz-Date=1&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Signature=0' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(canonicalQueryString(c.query, ['X-Amz-Signature']), referenceCanonicalQuery(c.query, ['X-Amz-Signature'])));
  }
});

describe('trimHeaderValue', () => {
  const cases = [
    { name: 'untouched', input: 'value', expected: 'value' },
    { name: 'trims both ends', input: '  value \t', expected: 'value' },
    { name: 'collapses inner runs of spaces', input: '"a   b   c"', expected: '"a b c"' },
    { name: 'folds line breaks and tabs', input: 'value1\n  value2\n\tvalue3', expected: 'value1 value2 value3' },
    { name: 'single inner spaces stay', input: 'a b c', expected: 'a b c' },
    { name: 'empty', input: '', expected: '' },
    { name: 'only spaces', input: '   ', expected: '' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(trimHeaderValue(c.input), c.expected));
  test('equals splitting on whitespace runs and joining with one space, for random values', () => {
    const piece = fc.oneof(fc.constantFrom(' ', '  ', '\t', '\n', '\u000b', '\f', '\r', '\u00a0', 'a', 'b c', ',', '"'), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.array(piece, { maxLength: 10 }).map((p) => p.join('')), (v) => {
      assert.equal(trimHeaderValue(v), v.split(/[ \t-\r]+/).filter((t) => t !== '').join(' '));
    }), { numRuns: 2000 });
  });
});

describe('canonicalHeaders', () => {
  test('joins several values with a comma, each trimmed', () => {
    assert.equal(canonicalHeaders({ 'my-header': [' a ', 'b  c'] }, ['my-header']), 'my-header:a,b c\n');
  });
  test('a signed header that is absent has an empty value', () => {
    assert.equal(canonicalHeaders({}, ['x-missing']), 'x-missing:\n');
  });
  test('takes the host from :authority when there is no Host (HTTP/2)', () => {
    assert.equal(canonicalHeaders({ ':authority': 'iam.amazonaws.com' }, ['host']), 'host:iam.amazonaws.com\n');
  });
});

describe('canonicalUri', () => {
  const cases = [
    { name: 'normalised and encoded (non-S3)', path: '/a/./b c/../d', normalize: true, decode: false, expected: '/a/d' },
    { name: 'non-S3 encodes the wire path again', path: '/analyzer/my%20name', normalize: true, decode: false, expected: '/analyzer/my%2520name' },
    { name: 'S3 decodes then encodes once', path: '/bucket/my%20key', normalize: false, decode: true, expected: '/bucket/my%20key' },
    { name: 'S3 keeps dot segments', path: '/bucket/./key', normalize: false, decode: true, expected: '/bucket/./key' },
    { name: 'empty path is /', path: '', normalize: false, decode: false, expected: '/' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(canonicalUri(c.path, c.normalize, c.decode), c.expected));
});

describe('buildCanonicalRequest', () => {
  test('assembles the six parts and finds headers whatever their case', () => {
    const canonical = buildCanonicalRequest({
      method: 'post', path: '/', query: '',
      headers: { Host: 'iam.amazonaws.com', 'X-Amz-Date': '20150830T123600Z', 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=ListUsers&Version=2010-05-08',
    }, { signedHeaders: ['content-type', 'host', 'x-amz-date'], payloadHash: hashPayload('Action=ListUsers&Version=2010-05-08') });
    assert.equal(canonical, [
      'POST', '/', '',
      'content-type:application/x-www-form-urlencoded; charset=utf-8',
      'host:iam.amazonaws.com',
      'x-amz-date:20150830T123600Z',
      '',
      'content-type;host;x-amz-date',
      'b6359072c78d70ebee1e81adcbab4f01bf2c23245fa365ef83fe8f1f955085e2',
    ].join('\n'));
  });
  test('hash of an empty body', () => {
    assert.equal(hashPayload(''), EMPTY_SHA256);
    assert.equal(hashPayload(Buffer.alloc(0)), EMPTY_SHA256);
  });
});
