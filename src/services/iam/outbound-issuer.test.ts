// The issuer's keys and documents, and their durability in both store backends: an issuer enabled
// through one runtime signs, after the store is closed and reopened, tokens that the stored JWKS
// verifies — on SQLite and on the real PostgreSQL (WARDEN_TEST_POSTGRES, default the local test
// database; unreachable PostgreSQL fails the test).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JWTVerifyResult } from 'jose';
import { TEST_POSTGRES_URL, dropSchemas, testSchema } from '../../store/postgres-fixture.js';
import { createSecretBox, SecretBoxError } from '../../crypto/secrets.js';
import { openStore, type OpenOptions } from '../../store/index.js';
import { createServiceRuntime } from '../runtime.js';
import type { Caller } from '../types.js';
import { rootArn } from './entities.js';
import {
  discoveryDocumentOf, generateSigningKey, issuerUrl, jwksOf, OUTBOUND_FEDERATION_KEY, OUTBOUND_FEDERATION_KIND,
  signingKeyObject, type OutboundFederationDoc,
} from './outbound-issuer.js';

const secrets = createSecretBox(randomBytes(32));

describe('outbound issuer keys and documents', () => {
  const urls = [
    { name: 'no trailing slash', base: 'https://id.example.com', want: 'https://id.example.com/_warden/issuers/x' },
    { name: 'trailing slashes dropped', base: 'https://id.example.com//', want: 'https://id.example.com/_warden/issuers/x' },
    { name: 'a path prefix kept', base: 'http://127.0.0.1:8411/warden', want: 'http://127.0.0.1:8411/warden/_warden/issuers/x' },
  ];
  for (const c of urls) it(`issuer URL: ${c.name}`, () => assert.equal(issuerUrl(c.base, 'x'), c.want));

  it('a key\'s kid is its RFC 7638 thumbprint and its private half is sealed for its account', async () => {
    const now = new Date();
    const key = await generateSigningKey(secrets, '111122223333', 'ES384', now);
    assert.equal(key.kid, await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    assert.equal(signingKeyObject(secrets, '111122223333', key).asymmetricKeyType, 'ec');
    assert.throws(() => signingKeyObject(secrets, '999988887777', key), SecretBoxError, 'sealed for another account');
    assert.throws(() => signingKeyObject(secrets, '111122223333', { ...key, kid: 'other' }), SecretBoxError, 'sealed under another kid');
    const tampered = key.privateKey.slice(0, -2) + (key.privateKey.endsWith('AA') ? 'BB' : 'AA');
    assert.throws(() => signingKeyObject(secrets, '111122223333', { ...key, privateKey: tampered }), SecretBoxError, 'tampered');
    const other = createSecretBox(randomBytes(32));
    assert.throws(() => signingKeyObject(other, '111122223333', key), SecretBoxError, 'another master key cannot unseal it');
  });

  it('the JWKS holds public members only, with kid, alg and use', async () => {
    const now = new Date();
    const doc: OutboundFederationDoc = {
      IssuerId: 'i', Enabled: true,
      Keys: [await generateSigningKey(secrets, '1', 'RS256', now), await generateSigningKey(secrets, '1', 'ES384', now)],
    };
    const jwks = jwksOf(doc);
    assert.equal(jwks.keys.length, 2);
    for (const k of jwks.keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[secret as keyof typeof k], undefined);
      assert.equal(k.use, 'sig');
    }
    assert.deepEqual(jwks.keys.map((k) => [k.kty, k.alg]), [['RSA', 'RS256'], ['EC', 'ES384']]);
  });

  it('the discovery document names the issuer and its jwks_uri', () => {
    const d = discoveryDocumentOf('https://x.example/_warden/issuers/abc');
    assert.equal(d.issuer, 'https://x.example/_warden/issuers/abc');
    assert.equal(d.jwks_uri, 'https://x.example/_warden/issuers/abc/.well-known/jwks.json');
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['RS256', 'ES384']);
  });
});

const schema = testSchema('warden_outbound');
const dataDir = mkdtempSync(join(tmpdir(), 'warden-outbound-'));

describe('outbound issuer durability', () => {
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await dropSchemas(schema);
  });

  const backends: { name: string; options: OpenOptions }[] = [
    { name: 'sqlite', options: { dataDir } },
    { name: 'postgres', options: { url: TEST_POSTGRES_URL, schema } },
  ];
  const account = '123456789012';
  const caller: Caller = { principal: { kind: 'root', accountId: account, arn: rootArn(account) }, accountId: account, accessKeyId: 'AKIAROOTROOTROOTROOT', userId: account };
  const request = { requestId: 'r', sourceIp: '192.0.2.1', region: 'eu-west-1', secureTransport: true, now: new Date() };
  const publicUrl = 'https://warden.example.test';

  for (const b of backends) {
    it(`${b.name}: keys survive a reopen sealed, and sign verifiable tokens`, async () => {
      let store = await openStore(b.options);
      let runtime = await createServiceRuntime({ store, secrets, publicUrl, audit: false });
      let issuer: string;
      try {
        const out = await runtime.operations.iam.EnableOutboundWebIdentityFederation!(runtime.createContext(caller, request), {});
        issuer = String(out?.IssuerIdentifier);
      } finally {
        await runtime.close();
        await store.close();
      }
      store = await openStore(b.options);
      runtime = await createServiceRuntime({ store, secrets, publicUrl, audit: false });
      try {
        const entity = await store.read((tx) => tx.get<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, account, OUTBOUND_FEDERATION_KEY));
        assert.ok(entity);
        assert.doesNotMatch(JSON.stringify(entity.data), /PRIVATE KEY|"d":/, 'no private key material in clear');
        const ctx = runtime.createContext(caller, { ...request, now: new Date() });
        const info = await runtime.operations.iam.GetOutboundWebIdentityFederationInfo!(ctx, {});
        assert.deepEqual(info, { IssuerIdentifier: issuer, JwtVendingEnabled: true });
        for (const alg of ['RS256', 'ES384']) {
          const out = await runtime.operations.sts!.GetWebIdentityToken!(ctx, { Audience: ['aud'], SigningAlgorithm: alg });
          const verified: JWTVerifyResult = await jwtVerify(String(out?.WebIdentityToken), createLocalJWKSet(jwksOf(entity.data)), { issuer, audience: 'aud' });
          const { payload, protectedHeader } = verified;
          assert.equal(protectedHeader.alg, alg);
          assert.equal(payload.sub, rootArn(account));
          assert.equal((payload['https://sts.amazonaws.com/'] as Record<string, unknown>).source_region, 'eu-west-1');
        }
      } finally {
        await runtime.close();
        await store.close();
      }
    });
  }
});
