import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIssuerPath } from './issuer-endpoints.js';

describe('issuer endpoint paths', () => {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const cases: { name: string; path: string; want: ReturnType<typeof parseIssuerPath> }[] = [
    { name: 'discovery', path: `/_warden/issuers/${id}/.well-known/openid-configuration`, want: { issuerId: id, document: 'discovery' } },
    { name: 'JWKS', path: `/_warden/issuers/${id}/.well-known/jwks.json`, want: { issuerId: id, document: 'jwks' } },
    { name: 'the issuer itself', path: `/_warden/issuers/${id}`, want: undefined },
    { name: 'an id that is not a UUID', path: '/_warden/issuers/../../.well-known/jwks.json', want: undefined },
    { name: 'upper-case id (ids are lower-case)', path: `/_warden/issuers/${id.toUpperCase()}/.well-known/jwks.json`, want: undefined },
    { name: 'another document', path: `/_warden/issuers/${id}/.well-known/other`, want: undefined },
    { name: 'outside the prefix', path: `/issuers/${id}/.well-known/jwks.json`, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseIssuerPath(c.path), c.want));
});
