import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSignedRequest, type SignableRequest } from './index.js';

const CRED = 'AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request';
const SIG = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';
const AUTH = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=content-type;host;x-amz-date, Signature=${SIG}`;

function req(headers: Record<string, string | string[]>, query = ''): SignableRequest {
  return { method: 'POST', path: '/', query, headers, body: 'Action=ListUsers&Version=2010-05-08' };
}

const base = { host: 'iam.amazonaws.com', 'x-amz-date': '20150830T123600Z' };
const PRESIGNED = 'Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
  '&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z' +
  `&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;

describe('parseSignedRequest: accepted forms', () => {
  test('Authorization header', () => {
    const r = parseSignedRequest(req({ ...base, authorization: AUTH }));
    assert.deepEqual(r, {
      ok: true,
      auth: {
        accessKeyId: 'AKIDEXAMPLE', date: '20150830', region: 'us-east-1', service: 'iam',
        signedHeaders: ['content-type', 'host', 'x-amz-date'], signature: SIG, amzDate: '20150830T123600Z',
        presigned: false,
      },
    });
  });

  test('header names in any case, components separated by commas without spaces', () => {
    const r = parseSignedRequest(req({
      Host: 'iam.amazonaws.com', 'X-AMZ-DATE': '20150830T123600Z', 'X-Amz-Security-Token': 'tok',
      AUTHORIZATION: AUTH.replace(/, /g, ','),
    }));
    assert.ok(r.ok);
    assert.equal(r.auth.securityToken, 'tok');
    assert.equal(r.auth.signature, SIG);
  });

  test('the Date header when there is no X-Amz-Date', () => {
    const r = parseSignedRequest(req({ host: 'iam.amazonaws.com', date: 'Sun, 30 Aug 2015 12:36:00 GMT', authorization: AUTH }));
    assert.ok(r.ok);
    assert.equal(r.auth.amzDate, '20150830T123600Z');
  });

  test('presigned query string, decoded', () => {
    const r = parseSignedRequest(req({ host: 'sts.amazonaws.com' }, PRESIGNED + '&X-Amz-Security-Token=a%2Bb%2F%3D'));
    assert.ok(r.ok);
    assert.equal(r.auth.presigned, true);
    assert.equal(r.auth.expiresSeconds, 900);
    assert.equal(r.auth.service, 'sts');
    assert.equal(r.auth.securityToken, 'a+b/=');
    assert.deepEqual(r.auth.signedHeaders, ['host']);
  });

  test('presigned without X-Amz-Expires leaves expiresSeconds unset', () => {
    const r = parseSignedRequest(req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('&X-Amz-Expires=900', '')));
    assert.ok(r.ok);
    assert.equal(r.auth.expiresSeconds, undefined);
  });
});

describe('parseSignedRequest: errors', () => {
  const cases: { name: string; request: SignableRequest; code: string; status: number; message: string }[] = [
    {
      name: 'no authentication at all', request: req(base), code: 'MissingAuthenticationToken', status: 403,
      message: 'Request is missing Authentication Token',
    },
    {
      name: 'empty Authorization header', request: req({ ...base, authorization: '  ' }), code: 'MissingAuthenticationToken', status: 403,
      message: 'Request is missing Authentication Token',
    },
    {
      name: 'another scheme (Bearer)', request: req({ host: 'iam.amazonaws.com', authorization: 'Bearer abc' }),
      code: 'IncompleteSignature', status: 400,
      message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
        "'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
    },
    {
      name: 'unsupported AWS4 algorithm (SigV4a)',
      request: req({ ...base, authorization: AUTH.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256') }),
      code: 'IncompleteSignature', status: 400,
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    },
    {
      name: 'missing Signature', request: req({ ...base, authorization: `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host` }),
      code: 'IncompleteSignature', status: 400,
      message: `Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host`,
    },
    {
      name: 'empty Credential value counts as missing',
      request: req({ ...base, authorization: `AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=${SIG}` }),
      code: 'IncompleteSignature', status: 400,
      message: `Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=${SIG}`,
    },
    {
      name: 'no date header', request: req({ host: 'iam.amazonaws.com', authorization: AUTH }), code: 'IncompleteSignature', status: 400,
      message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${AUTH}`,
    },
    {
      name: 'a component without =', request: req({ ...base, authorization: AUTH.replace('Credential=', 'Credential= ') }),
      code: 'IncompleteSignature', status: 400,
      message: `'${CRED}' not a valid key=value pair (missing equal-sign) in Authorization header: '${AUTH.replace('Credential=', 'Credential= ')}'.`,
    },
    {
      name: 'credential with four elements', request: req({ ...base, authorization: AUTH.replace(CRED, 'AKIDEXAMPLE/20150830/us-east-1/iam') }),
      code: 'IncompleteSignature', status: 400,
      message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/iam'",
    },
    {
      name: 'scope not ending in aws4_request', request: req({ ...base, authorization: AUTH.replace('aws4_request', 'aws4_reqest') }),
      code: 'SignatureDoesNotMatch', status: 403,
      message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'. ",
    },
    {
      name: 'malformed X-Amz-Date', request: req({ ...base, 'x-amz-date': '2015-08-30T12:36:00Z', authorization: AUTH }),
      code: 'IncompleteSignature', status: 400,
      message: "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    },
    {
      name: 'impossible calendar date', request: req({ ...base, 'x-amz-date': '20150231T123600Z', authorization: AUTH.replace('20150830', '20150231') }),
      code: 'IncompleteSignature', status: 400,
      message: "Date must be in ISO-8601 'basic format'. Got '20150231T123600Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    },
    {
      name: 'unreadable Date header', request: req({ host: 'iam.amazonaws.com', date: 'yesterday', authorization: AUTH }),
      code: 'IncompleteSignature', status: 400,
      message: "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601",
    },
    {
      name: 'scope date differs from the request date', request: req({ ...base, 'x-amz-date': '20150831T000100Z', authorization: AUTH }),
      code: 'SignatureDoesNotMatch', status: 403,
      message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150830' != '20150831', from '20150831T000100Z'.",
    },
    {
      name: 'host not signed', request: req({ ...base, authorization: AUTH.replace('content-type;host;x-amz-date', 'content-type;x-amz-date') }),
      code: 'IncompleteSignature', status: 400,
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    },
    {
      name: 'header and presigned query together', request: req({ ...base, authorization: AUTH }, PRESIGNED),
      code: 'IncompleteSignature', status: 400,
      message: 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    },
    {
      name: 'presigned without algorithm and signature',
      request: req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('&X-Amz-Algorithm=AWS4-HMAC-SHA256', '').replace(`&X-Amz-Signature=${SIG}`, '')),
      code: 'IncompleteSignature', status: 400,
      message: "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    },
    {
      name: 'presigned with another algorithm', request: req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')),
      code: 'IncompleteSignature', status: 400, message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    },
    {
      name: 'presigned expiry beyond a week', request: req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801')),
      code: 'IncompleteSignature', status: 400, message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    },
    {
      name: 'presigned expiry of zero', request: req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=0')),
      code: 'IncompleteSignature', status: 400, message: 'X-Amz-Expires must be at least 1 second',
    },
    {
      name: 'negative presigned expiry', request: req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=-5')),
      code: 'IncompleteSignature', status: 400, message: 'X-Amz-Expires must be non-negative',
    },
    {
      name: 'non-numeric presigned expiry', request: req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=1e3')),
      code: 'IncompleteSignature', status: 400, message: 'X-Amz-Expires should be a number',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = parseSignedRequest(c.request);
      assert.deepEqual(r, { ok: false, error: { code: c.code, message: c.message, status: c.status } });
    });
  }
  test('a presigned week is accepted', () => {
    const r = parseSignedRequest(req({ host: 'sts.amazonaws.com' }, PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=604800')));
    assert.ok(r.ok);
    assert.equal(r.auth.expiresSeconds, 604800);
  });
});

describe('parseSignedRequest: Authorization components', () => {
  /** The components as a plain character loop reads them: runs of non-separators; the first `key=` of each kind wins. */
  function referenceComponents(value: string): { error: string } | { credential?: string; signedHeaders?: string; signature?: string } {
    const isSep = (c: string): boolean => c === ',' || c === ' ' || c === '\t' || c === '\n' || c === '\r';
    const out: { credential?: string; signedHeaders?: string; signature?: string } = {};
    let i = 0;
    while (i < value.length && !isSep(value[i] as string)) i++;
    while (i < value.length) {
      while (i < value.length && isSep(value[i] as string)) i++;
      if (i >= value.length) break;
      const start = i;
      while (i < value.length && !isSep(value[i] as string)) i++;
      const token = value.slice(start, i);
      const eq = token.indexOf('=');
      if (eq === -1) return { error: token };
      const key = token.slice(0, eq), v = token.slice(eq + 1);
      if (key === 'Credential') out.credential ??= v;
      else if (key === 'SignedHeaders') out.signedHeaders ??= v;
      else if (key === 'Signature') out.signature ??= v;
    }
    return out;
  }
  const separators = fc.array(fc.constantFrom(',', ' ', '\t', '\n', '\r', ', '), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
  const component = fc.oneof(
    fc.constantFrom(`Credential=${CRED}`, 'SignedHeaders=host;x-amz-date', `Signature=${SIG}`, 'Signature=00', 'Credential=x/y',
      'Other=1', 'novalue', '=', 'a=b=c', 'Credential=AKID/20150830/eu-west-1/iam/aws4_request'),
    fc.string({ maxLength: 6 }),
  );
  test('the components are the same as a character-by-character reading finds', () => {
    fc.assert(fc.property(fc.array(fc.tuple(separators, component), { maxLength: 7 }), separators, (parts, tail) => {
      const value = 'AWS4-HMAC-SHA256' + parts.map(([sep, c]) => sep + c).join('') + tail;
      const expected = referenceComponents(value.trim());
      const r = parseSignedRequest(req({ ...base, authorization: value }));
      if ('error' in expected) {
        assert.ok(!r.ok);
        assert.ok(r.error.message.startsWith(`'${expected.error}' not a valid key=value pair`), r.error.message);
      } else if (r.ok) {
        assert.equal(`${r.auth.accessKeyId}/${r.auth.date}/${r.auth.region}/${r.auth.service}/aws4_request`, expected.credential);
        assert.equal(r.auth.signedHeaders.join(';'), expected.signedHeaders);
        assert.equal(r.auth.signature, expected.signature);
      } else {
        assert.ok(!expected.credential || !expected.signature || !expected.signedHeaders || expected.credential !== CRED ||
          !(expected.signedHeaders ?? '').split(';').includes('host'), r.error.message);
      }
    }), { numRuns: 1000 });
  });
});
