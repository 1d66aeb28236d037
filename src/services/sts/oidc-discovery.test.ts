import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { httpLoopbackAllowedByEnv, isFetchableIssuerUrl, OidcDiscoveryError, OidcKeyResolver, providerIdOfIssuer } from './oidc-discovery.js';

describe('isFetchableIssuerUrl', () => {
  const cases: { url: string; loopback: boolean; want: boolean }[] = [
    { url: 'https://token.actions.githubusercontent.com', loopback: false, want: true },
    { url: 'https://accounts.google.com/', loopback: false, want: true },
    { url: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC', loopback: false, want: true },
    { url: 'http://token.actions.githubusercontent.com', loopback: false, want: false },
    { url: 'http://token.actions.githubusercontent.com', loopback: true, want: false },
    { url: 'http://127.0.0.1:8080', loopback: false, want: false },
    { url: 'http://127.0.0.1:8080', loopback: true, want: true },
    { url: 'http://127.9.9.9', loopback: true, want: true },
    { url: 'http://localhost:3000/issuer', loopback: true, want: true },
    { url: 'http://[::1]:3000', loopback: true, want: true },
    { url: 'http://10.0.0.1', loopback: true, want: false },
    { url: 'http://127.0.0.1.example.com', loopback: true, want: false },
    { url: 'https://user:pass@idp.example.com', loopback: false, want: false },
    { url: 'https://idp.example.com/#frag', loopback: false, want: false },
    { url: 'ftp://idp.example.com', loopback: true, want: false },
    { url: 'not a url', loopback: true, want: false },
  ];
  for (const c of cases) {
    it(`${c.url} (loopback ${c.loopback ? 'enabled' : 'disabled'}) → ${c.want}`, () => {
      assert.equal(isFetchableIssuerUrl(c.url, c.loopback), c.want);
    });
  }
});

describe('providerIdOfIssuer', () => {
  const cases: [string, string][] = [
    ['https://token.actions.githubusercontent.com', 'token.actions.githubusercontent.com'],
    ['https://auth-dev.mozilla.auth0.com/', 'auth-dev.mozilla.auth0.com/'],
    ['http://127.0.0.1:9000/realms/x', '127.0.0.1:9000/realms/x'],
    ['token.actions.githubusercontent.com', 'token.actions.githubusercontent.com'],
  ];
  for (const [iss, want] of cases) it(`${iss} → ${want}`, () => assert.equal(providerIdOfIssuer(iss), want));
});

describe('httpLoopbackAllowedByEnv', () => {
  const cases: [string | undefined, boolean][] = [[undefined, false], ['0', false], ['1', true], ['true', true], ['yes', false]];
  for (const [v, want] of cases) {
    it(`WARDEN_ALLOW_HTTP_OIDC_LOOPBACK=${v} → ${want}`, () => assert.equal(httpLoopbackAllowedByEnv(v === undefined ? {} : { WARDEN_ALLOW_HTTP_OIDC_LOOPBACK: v }), want));
  }
});

describe('OidcKeyResolver', () => {
  const ISS = 'https://idp.example.com';

  async function setup() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'a', alg: 'ES256' };
    const calls: string[] = [];
    let down = false;
    let config: unknown = { issuer: ISS, jwks_uri: `${ISS}/jwks` };
    const fetchImpl = (async (url: string | URL | Request) => {
      const u = String(url);
      calls.push(u);
      if (down) throw new Error('connect ECONNREFUSED');
      if (u === `${ISS}/.well-known/openid-configuration`) return Response.json(config);
      if (u === `${ISS}/jwks`) return Response.json({ keys: [jwk] });
      return new Response('', { status: 404 });
    }) as typeof fetch;
    const token = await new SignJWT({ sub: 's' }).setProtectedHeader({ alg: 'ES256', kid: 'a' }).setIssuer(ISS).setExpirationTime('5m').sign(privateKey);
    return { fetchImpl, calls, token, setDown: (d: boolean) => { down = d; }, setConfig: (c: unknown) => { config = c; } };
  }

  it('discovers the JWKS URI, verifies with it, and caches discovery and keys', async () => {
    const s = await setup();
    const r = new OidcKeyResolver({ fetch: s.fetchImpl });
    await jwtVerify(s.token, await r.keysFor(ISS));
    await jwtVerify(s.token, await r.keysFor(ISS));
    assert.deepEqual(s.calls, [`${ISS}/.well-known/openid-configuration`, `${ISS}/jwks`]);
  });

  it('uses the cached key set while the issuer is unreachable', async () => {
    const s = await setup();
    const r = new OidcKeyResolver({ fetch: s.fetchImpl, discoveryTtlMs: 0 });
    await jwtVerify(s.token, await r.keysFor(ISS));
    s.setDown(true);
    await jwtVerify(s.token, await r.keysFor(ISS));
  });

  const failures: { name: string; issuer?: string; config?: unknown; down?: boolean; kind: 'communication' | 'invalid' }[] = [
    { name: 'unreachable issuer', down: true, kind: 'communication' },
    { name: 'plain-HTTP issuer', issuer: 'http://idp.example.com', kind: 'invalid' },
    { name: 'configuration without jwks_uri', config: { issuer: ISS }, kind: 'invalid' },
    { name: 'plain-HTTP jwks_uri', config: { issuer: ISS, jwks_uri: 'http://idp.example.com/jwks' }, kind: 'invalid' },
    { name: 'configuration that is not an object', config: ['x'], kind: 'invalid' },
  ];
  for (const f of failures) {
    it(`fails for ${f.name} (${f.kind})`, async () => {
      const s = await setup();
      if (f.config !== undefined) s.setConfig(f.config);
      if (f.down) s.setDown(true);
      const r = new OidcKeyResolver({ fetch: s.fetchImpl });
      await assert.rejects(r.keysFor(f.issuer ?? ISS), (e: unknown) => e instanceof OidcDiscoveryError && e.kind === f.kind);
    });
  }
});
