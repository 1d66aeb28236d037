import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  buildCanonicalRequest, buildStringToSign, credentialScope, deriveSigningKey, hashPayload,
  parseSignedRequest, presignUrl, signRequest, verifySignature, type SignableRequest, type SignRequestOptions,
  type VerifySignatureOptions,
} from './index.js';
import { withHeaders } from './testdata/http-text-to-request.js';
import { signaturesEqual } from './verify-signature.js';
import fc from 'fast-check';

const SIGNED_AT = new Date('2015-08-30T12:36:00Z');
const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const IAM: SignRequestOptions = { ...KEYS, region: 'us-east-1', service: 'iam', now: SIGNED_AT };

const listUsers: SignableRequest = {
  method: 'POST', path: '/', query: '',
  headers: { host: 'iam.amazonaws.com', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: 'Action=ListUsers&Version=2010-05-08',
};

function at(offsetSeconds: number): Date {
  return new Date(SIGNED_AT.getTime() + offsetSeconds * 1000);
}

/** Signs with the header form, then parses and verifies; returns 'ok' or the error. */
function roundTrip(
  req: SignableRequest, sign: SignRequestOptions, verify: Partial<VerifySignatureOptions> = {},
  secret = KEYS.secretAccessKey,
) {
  const signed = withHeaders(req, signRequest(req, sign));
  const parsed = parseSignedRequest(signed);
  if (!parsed.ok) return parsed.error;
  const res = verifySignature(signed, parsed.auth, secret, { now: SIGNED_AT, ...verify });
  return res.ok ? 'ok' : res.error;
}

function presignedRoundTrip(req: SignableRequest, sign: SignRequestOptions & { expiresSeconds?: number },
  verify: Partial<VerifySignatureOptions> = {}) {
  const signed = { ...req, query: presignUrl(req, sign) };
  const parsed = parseSignedRequest(signed);
  if (!parsed.ok) return parsed.error;
  const res = verifySignature(signed, parsed.auth, KEYS.secretAccessKey, { now: SIGNED_AT, ...verify });
  return res.ok ? 'ok' : res.error;
}

describe('round trip: signRequest then verifySignature', () => {
  const cases: { name: string; req: SignableRequest; sign?: Partial<SignRequestOptions> }[] = [
    { name: 'IAM Query protocol POST', req: listUsers },
    {
      name: 'STS with temporary credentials',
      req: { ...listUsers, headers: { host: 'sts.amazonaws.com' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' },
      sign: { service: 'sts', sessionToken: 'FwoGZXIvYXdzEXAMPLE//token+=' },
    },
    {
      name: 'JSON 1.1 (Organizations) with X-Amz-Target',
      req: {
        method: 'POST', path: '/', query: '',
        headers: { Host: 'organizations.us-east-1.amazonaws.com', 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSOrganizationsV20161128.ListAccounts' },
        body: Buffer.from('{"MaxResults":5}'),
      },
      sign: { service: 'organizations' },
    },
    {
      name: 'REST-JSON (Access Analyzer) with an encoded path and a query',
      req: {
        method: 'GET', path: '/analyzer/my%20analyzer/archive-rule', query: 'maxResults=10&nextToken=a%2Bb%3D',
        headers: { host: 'access-analyzer.us-east-1.amazonaws.com' }, body: '',
      },
      sign: { service: 'access-analyzer' },
    },
    {
      name: 'payload hash header added and signed',
      req: listUsers, sign: { addContentSha256Header: true },
    },
    {
      name: 'repeated header values given as an array',
      req: { ...listUsers, headers: { ...listUsers.headers, 'x-custom': ['a', 'b  c'] } },
    },
    {
      name: 'unsignable headers (user-agent) may change in transit',
      req: { ...listUsers, headers: { ...listUsers.headers, 'user-agent': 'aws-cli/2' } },
    },
    {
      name: 'S3 keeps dot segments and signs the payload header',
      req: { method: 'PUT', path: '/bucket/./a%20key', query: '', headers: { host: 's3.amazonaws.com' }, body: 'data' },
      sign: { service: 's3' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(roundTrip(c.req, { ...IAM, ...c.sign }), 'ok'));
  }

  test('a different secret does not verify', () => {
    const res = roundTrip(listUsers, IAM, {}, 'another-secret');
    assert.deepEqual(res, {
      code: 'SignatureDoesNotMatch', status: 403,
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
  });

  test('presigned URL round trip (STS GetCallerIdentity, with token)', () => {
    const req: SignableRequest = {
      method: 'GET', path: '/', query: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { host: 'sts.amazonaws.com' }, body: '',
    };
    assert.equal(presignedRoundTrip(req, { ...IAM, service: 'sts', sessionToken: 'tok/+=', expiresSeconds: 60 }), 'ok');
  });

  test('presigned S3 URL signs UNSIGNED-PAYLOAD', () => {
    const req: SignableRequest = { method: 'GET', path: '/bucket/key', query: '', headers: { host: 's3.amazonaws.com' }, body: '' };
    assert.equal(presignedRoundTrip(req, { ...IAM, service: 's3' }), 'ok');
  });
});

describe('clock skew (header authentication)', () => {
  const cases = [
    { name: 'same time', offset: 0, expected: 'ok' },
    { name: 'server 15 minutes ahead (boundary)', offset: 900, expected: 'ok' },
    { name: 'server 15 minutes behind (boundary)', offset: -900, expected: 'ok' },
    {
      name: 'server 15 minutes and 1 second ahead: signature expired', offset: 901,
      expected: 'Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)',
    },
    {
      name: 'server 25 minutes ahead: the AWS example message', offset: 1500,
      expected: 'Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z (20150830T130100Z - 15 min.)',
    },
    {
      name: 'server 15 minutes and 1 second behind: not yet current', offset: -901,
      expected: 'Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const res = roundTrip(listUsers, IAM, { now: at(c.offset) });
      if (c.expected === 'ok') assert.equal(res, 'ok');
      else assert.deepEqual(res, { code: 'SignatureDoesNotMatch', status: 403, message: c.expected });
    });
  }

  test('a custom window', () => {
    assert.equal(roundTrip(listUsers, IAM, { now: at(301), skewSeconds: 300 }) === 'ok', false);
    assert.equal(roundTrip(listUsers, IAM, { now: at(300), skewSeconds: 300 }), 'ok');
  });
});

describe('presigned expiry', () => {
  const req: SignableRequest = {
    method: 'GET', path: '/', query: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { host: 'sts.amazonaws.com' }, body: '',
  };
  const sign = { ...IAM, service: 'sts', expiresSeconds: 3600 };
  const cases = [
    { name: 'just signed', offset: 0, expected: 'ok' },
    { name: 'at the last valid second', offset: 3600, expected: 'ok' },
    { name: 'one second after expiry', offset: 3601, expected: 'RequestExpired' },
    { name: 'a clock 15 minutes behind still accepts it', offset: -900, expected: 'ok' },
    { name: 'from more than 15 minutes in the future', offset: -901, expected: 'SignatureDoesNotMatch' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const res = presignedRoundTrip(req, sign, { now: at(c.offset) });
      assert.equal(res === 'ok' ? 'ok' : res.code, c.expected);
      if (c.expected === 'RequestExpired' && res !== 'ok') {
        assert.deepEqual(res, { code: 'RequestExpired', status: 400, message: 'Request has expired.' });
      }
    });
  }

  test('without X-Amz-Expires the 15-minute window applies', () => {
    const query = presignUrl(req, sign).replace('&X-Amz-Expires=3600', '');
    const signed = { ...req, query };
    const parsed = parseSignedRequest(signed);
    assert.ok(parsed.ok);
    const res = verifySignature(signed, parsed.auth, KEYS.secretAccessKey, { now: at(901) });
    assert.equal(res.ok ? 'ok' : res.error.code, 'SignatureDoesNotMatch');
    assert.match(res.ok ? '' : res.error.message, /^Signature expired: /);
  });
});

describe('scope checks', () => {
  test('wrong service', () => {
    assert.deepEqual(roundTrip(listUsers, { ...IAM, service: 'sts' }, { service: 'iam' }), {
      code: 'SignatureDoesNotMatch', status: 403, message: "Credential should be scoped to correct service: 'iam'. ",
    });
  });
  test('one of several services', () => {
    assert.equal(roundTrip(listUsers, { ...IAM, service: 'sts' }, { service: ['iam', 'sts'] }), 'ok');
  });
  test('wrong region', () => {
    assert.deepEqual(roundTrip(listUsers, { ...IAM, region: 'eu-west-1' }, { region: 'us-east-1' }), {
      code: 'SignatureDoesNotMatch', status: 403, message: "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    });
  });
  test('wrong scope date (signed for another day)', () => {
    const signed = withHeaders(listUsers, signRequest(listUsers, IAM));
    const auth = String(signed.headers['Authorization']).replace('20150830/', '20150829/');
    const parsed = parseSignedRequest(withHeaders(signed, { Authorization: auth }));
    assert.equal(parsed.ok ? 'ok' : parsed.error.code, 'SignatureDoesNotMatch');
  });
});

describe('payload', () => {
  test('a changed body is rejected', () => {
    const signed = withHeaders(listUsers, signRequest(listUsers, IAM));
    const tampered = { ...signed, body: 'Action=DeleteUser&Version=2010-05-08' };
    const parsed = parseSignedRequest(tampered);
    assert.ok(parsed.ok);
    const res = verifySignature(tampered, parsed.auth, KEYS.secretAccessKey, { now: SIGNED_AT });
    assert.equal(res.ok ? 'ok' : res.error.code, 'SignatureDoesNotMatch');
  });

  test('x-amz-content-sha256 that does not match the body', () => {
    const signed = withHeaders(listUsers, signRequest(listUsers, { ...IAM, addContentSha256Header: true }));
    const tampered = { ...signed, body: 'Action=DeleteUser&Version=2010-05-08' };
    const parsed = parseSignedRequest(tampered);
    assert.ok(parsed.ok);
    assert.deepEqual(verifySignature(tampered, parsed.auth, KEYS.secretAccessKey, { now: SIGNED_AT }), {
      ok: false,
      error: { code: 'XAmzContentSHA256Mismatch', status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
    });
  });

  test('UNSIGNED-PAYLOAD is refused outside S3 unless allowed', () => {
    // A client that signed the literal UNSIGNED-PAYLOAD as payload hash.
    const req = { ...listUsers, headers: { ...listUsers.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } };
    const signedHeaders = ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date'];
    const signed = signWithPayloadLiteral(req, signedHeaders);
    const parsed = parseSignedRequest(signed);
    assert.ok(parsed.ok);
    const refused = verifySignature(signed, parsed.auth, KEYS.secretAccessKey, { now: SIGNED_AT });
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'SignatureDoesNotMatch');
    const allowed = verifySignature(signed, parsed.auth, KEYS.secretAccessKey, { now: SIGNED_AT, allowUnsignedPayload: true });
    assert.deepEqual(allowed, { ok: true });
  });
});

/** Signs with the payload hash set to the literal in x-amz-content-sha256 (as S3 clients do). */
function signWithPayloadLiteral(req: SignableRequest, signedHeaders: string[]): SignableRequest {
  // Built from the exported pieces, independently of signRequest.
  const withDate = withHeaders(req, { 'x-amz-date': '20150830T123600Z' });
  const canonical = buildCanonicalRequest(withDate, { signedHeaders, payloadHash: 'UNSIGNED-PAYLOAD' });
  const scope = credentialScope('20150830', 'us-east-1', 'iam');
  const sig = createHmac('sha256', deriveSigningKey(KEYS.secretAccessKey, '20150830', 'us-east-1', 'iam'))
    .update(buildStringToSign('20150830T123600Z', scope, canonical)).digest('hex');
  return withHeaders(withDate, {
    authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`,
  });
}

describe('Date header instead of X-Amz-Date', () => {
  test('the string to sign uses the ISO basic form of the Date header', () => {
    const req: SignableRequest = {
      method: 'GET', path: '/', query: 'Action=ListUsers&Version=2010-05-08',
      headers: { host: 'iam.amazonaws.com', date: 'Sun, 30 Aug 2015 12:36:00 GMT' }, body: '',
    };
    const signedHeaders = ['date', 'host'];
    const canonical = buildCanonicalRequest(req, { signedHeaders, payloadHash: hashPayload('') });
    const scope = credentialScope('20150830', 'us-east-1', 'iam');
    const sig = createHmac('sha256', deriveSigningKey(KEYS.secretAccessKey, '20150830', 'us-east-1', 'iam'))
      .update(buildStringToSign('20150830T123600Z', scope, canonical)).digest('hex');
    const signed = withHeaders(req, {
      Authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/${scope}, SignedHeaders=date;host, Signature=${sig}`,
    });
    const parsed = parseSignedRequest(signed);
    assert.ok(parsed.ok);
    assert.deepEqual(verifySignature(signed, parsed.auth, KEYS.secretAccessKey, { now: SIGNED_AT }), { ok: true });
  });
});

describe('signature comparison', () => {
  test('a signature of another length is rejected', () => {
    const signed = withHeaders(listUsers, signRequest(listUsers, IAM));
    const parsed = parseSignedRequest(signed);
    assert.ok(parsed.ok);
    for (const signature of ['', parsed.auth.signature.slice(1), parsed.auth.signature + '0', parsed.auth.signature.toUpperCase()]) {
      const res = verifySignature(signed, { ...parsed.auth, signature }, KEYS.secretAccessKey, { now: SIGNED_AT });
      assert.equal(res.ok ? 'ok' : res.error.code, 'SignatureDoesNotMatch', signature);
    }
  });
  test('an invalid clock yields an error, not an exception', () => {
    const signed = withHeaders(listUsers, signRequest(listUsers, IAM));
    const parsed = parseSignedRequest(signed);
    assert.ok(parsed.ok);
    const res = verifySignature(signed, parsed.auth, KEYS.secretAccessKey, { now: new Date(NaN) });
    assert.equal(res.ok, false);
  });
  test('signaturesEqual agrees with === on random strings, equal or not', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 }), (a, b) => {
      assert.equal(signaturesEqual(a, b), a === b);
      assert.equal(signaturesEqual(a, a.slice()), true);
    }), { numRuns: 1000 });
    const hex = 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d';
    for (let i = 0; i < hex.length; i++) {
      const other = hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
      assert.equal(signaturesEqual(hex, other), false, `differs at ${i}`);
    }
  });
});
