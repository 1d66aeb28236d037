import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createSecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import { bootstrap } from '../../server/bootstrap.js';
import { openStore, type Store } from '../../store/index.js';
import { iamOperations } from '../iam/index.js';
import { KIND, rootArn } from '../iam/entities.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import type { Caller, CallContext, OperationTable } from '../types.js';
import { sessionTokenBox } from './credentials.js';
import { verifySessionToken } from './token.js';
import { OidcKeyResolver } from './oidc-discovery.js';
import { createWebIdentityOperations, webIdentityConditionKeys } from './web-identity.js';

const ACCOUNT = '111122223333';
const CLIENT_ID = 'sts.amazonaws.com';

interface Signer { sign(payload: JWTPayload, opts?: { kid?: string; alg?: string }): Promise<string> }

async function makeSigner(kid: string): Promise<Signer & { jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    jwk,
    sign(payload, opts = {}) {
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? kid, typ: 'JWT' }).sign(privateKey);
    },
  };
}

/** A local OIDC issuer: discovery document and JWKS over plain HTTP on 127.0.0.1. */
async function startIssuer(keys: () => JWK[]): Promise<{ server: Server; issuer: string; hits: { discovery: number; jwks: number } }> {
  const hits = { discovery: 0, jwks: 0 };
  let issuer = '';
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      hits.jwks++;
      res.end(JSON.stringify({ keys: keys() }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, issuer, hits };
}

function trustPolicy(providerArn: string, conditions: Record<string, Record<string, string | string[]>>, actions: string[] = ['sts:AssumeRoleWithWebIdentity']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: actions, Condition: conditions }],
  });
}

describe('AssumeRoleWithWebIdentity', () => {
  let dir: string;
  let store: Store;
  let runtime: ServiceRuntime;
  let rootCtx: CallContext;
  let issuerServer: Server;
  let issuer: string;
  let hits: { discovery: number; jwks: number };
  let providerId: string;
  let providerArn: string;
  let signer: Signer & { jwk: JWK };
  let impostor: Signer & { jwk: JWK };
  let ops: OperationTable;
  const secrets = createSecretBox(randomBytes(32));
  let now = new Date();

  function anonCtx(): CallContext {
    const caller: Caller = { principal: { kind: 'anonymous' }, accountId: '', accessKeyId: '', userId: 'anonymous' };
    return runtime.createContext(caller, { requestId: 'r', sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: false, now });
  }

  async function createRole(name: string, trust: string, max?: number): Promise<string> {
    const out = await iamOperations.CreateRole(rootCtx, { RoleName: name, AssumeRolePolicyDocument: trust, ...(max ? { MaxSessionDuration: max } : {}) });
    await runtime.afterWrite();
    return ((out as Record<string, Record<string, string>>).Role).Arn;
  }

  async function registerProvider(id: string, arn: string, url: string, clientIds: string[]): Promise<void> {
    await store.transaction((tx) => tx.insert({
      kind: KIND.oidcProvider, account: ACCOUNT, key: id,
      data: { Arn: arn, Url: url, ClientIDList: clientIds, ThumbprintList: [], CreateDate: '2026-01-01T00:00:00Z', Tags: [] },
    }));
  }

  function claims(extra: JWTPayload = {}): JWTPayload {
    const t = Math.floor(now.getTime() / 1000);
    return { iss: issuer, sub: 'repo:my-org/my-repo:ref:refs/heads/main', aud: CLIENT_ID, iat: t, exp: t + 300, ...extra };
  }

  async function call(input: Record<string, unknown>, table = ops): Promise<Record<string, unknown>> {
    return (await table.AssumeRoleWithWebIdentity(anonCtx(), input))!;
  }

  async function rejects(input: Record<string, unknown>, code: string, message?: string | RegExp, table = ops): Promise<void> {
    await assert.rejects(call(input, table), (e: unknown) => {
      assert.ok(e instanceof AwsError, String(e));
      assert.equal(e.code, code, e.message);
      if (typeof message === 'string') assert.equal(e.message, message);
      else if (message) assert.match(e.message, message);
      return true;
    });
  }

  let mainRole: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-wif-'));
    store = await openStore({ dataDir: dir });
    await bootstrap({ store, secrets, dataDir: dir, endpoint: 'http://127.0.0.1:1', env: { WARDEN_ACCOUNT_ID: ACCOUNT } });
    runtime = await createServiceRuntime({ store, secrets });
    const root: Caller = { principal: { kind: 'root', accountId: ACCOUNT, arn: rootArn(ACCOUNT) }, accountId: ACCOUNT, accessKeyId: 'AKIAROOT', userId: ACCOUNT };
    rootCtx = runtime.createContext(root, { requestId: 'r', sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: true, now: new Date() });
    signer = await makeSigner('key-1');
    impostor = await makeSigner('key-1');
    ({ server: issuerServer, issuer, hits } = await startIssuer(() => [signer.jwk]));
    providerId = issuer.replace('http://', '');
    providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${providerId}`;
    await registerProvider(providerId, providerArn, issuer, [CLIENT_ID, 'other-client']);
    ops = createWebIdentityOperations({ allowHttpLoopback: true });
    mainRole = await createRole('gha-deploy', trustPolicy(providerArn, {
      StringEquals: { [`${providerId}:aud`]: CLIENT_ID, [`${providerId}:sub`]: 'repo:my-org/my-repo:ref:refs/heads/main' },
    }));
  });

  after(async () => {
    await new Promise<void>((r) => issuerServer.close(() => r()));
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a role session for a valid token the trust policy allows', async () => {
    now = new Date();
    const token = await signer.sign(claims());
    const out = await call({ RoleArn: mainRole, RoleSessionName: 'ci-run', WebIdentityToken: token });
    const creds = out.Credentials as Record<string, string>;
    assert.match(creds.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.SubjectFromWebIdentityToken, 'repo:my-org/my-repo:ref:refs/heads/main');
    assert.equal(out.Provider, providerArn);
    assert.equal(out.Audience, CLIENT_ID);
    const user = out.AssumedRoleUser as Record<string, string>;
    assert.equal(user.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/ci-run`);
    assert.match(user.AssumedRoleId, /^AROA[A-Z2-7]{17}:ci-run$/);
    const opened = verifySessionToken(sessionTokenBox(secrets), creds.AccessKeyId, creds.SessionToken, now);
    assert.ok(opened.ok);
    assert.equal(opened.claims.principal.kind, 'assumedRole');
    assert.equal(opened.claims.principal.roleArn, mainRole);
    assert.equal(opened.claims.principal.federatedProvider, providerArn);
    assert.equal(opened.claims.sessionName, 'ci-run');
    assert.equal(opened.claims.type, 'assumed-role');
    assert.equal(Date.parse(creds.Expiration) - Math.floor(now.getTime() / 1000) * 1000, 3600 * 1000);
  });

  it('caches discovery and keys between calls', async () => {
    const before = { ...hits };
    for (let i = 0; i < 3; i++) await call({ RoleArn: mainRole, RoleSessionName: `s${i}`, WebIdentityToken: await signer.sign(claims()) });
    assert.deepEqual(hits, before);
  });

  const negative: { name: string; token: () => Promise<string>; input?: Record<string, unknown>; code: string; message?: string | RegExp }[] = [
    { name: 'wrong sub (trust condition fails)', token: () => signer.sign(claims({ sub: 'repo:my-org/my-repo:ref:refs/heads/dev' })), code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' },
    { name: 'audience not a client id of the provider', token: () => signer.sign(claims({ aud: 'someone-else' })), code: 'InvalidIdentityToken', message: 'Incorrect token audience' },
    { name: 'audience a client id but not the one the trust policy names', token: () => signer.sign(claims({ aud: 'other-client' })), code: 'AccessDenied' },
    { name: 'signature by another key with the same kid', token: () => impostor.sign(claims()), code: 'InvalidIdentityToken', message: /signature/i },
    { name: 'tampered payload', token: async () => { const [h, , s] = (await signer.sign(claims())).split('.'); return `${h}.${Buffer.from(JSON.stringify(claims({ sub: 'x' }))).toString('base64url')}.${s}`; }, code: 'InvalidIdentityToken' },
    { name: 'unknown kid', token: () => signer.sign(claims(), { kid: 'nope' }), code: 'InvalidIdentityToken', message: /verification key/ },
    { name: 'expired token', token: () => signer.sign(claims({ exp: Math.floor(now.getTime() / 1000) - 600 })), code: 'ExpiredTokenException', message: /^Token expired: current date\/time \d+ must be before the expiration date\/time\d+$/ },
    { name: 'not yet valid (nbf)', token: () => signer.sign(claims({ nbf: Math.floor(now.getTime() / 1000) + 600 })), code: 'InvalidIdentityToken' },
    { name: 'no exp', token: () => signer.sign({ ...claims(), exp: undefined }), code: 'InvalidIdentityToken' },
    { name: 'issuer with no provider in the account', token: () => signer.sign(claims({ iss: 'https://accounts.example.com' })), code: 'InvalidIdentityToken', message: 'No OpenIDConnect provider found in your account for https://accounts.example.com' },
    { name: 'not a JWT', token: async () => 'not-a-jwt-at-all', code: 'InvalidIdentityToken' },
    { name: 'unsigned JWT (alg none)', token: async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`, code: 'InvalidIdentityToken' },
    { name: 'role that does not exist', token: () => signer.sign(claims()), input: { RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope` }, code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' },
    { name: 'role ARN with the wrong path', token: () => signer.sign(claims()), input: { RoleArn: `arn:aws:iam::${ACCOUNT}:role/x/gha-deploy` }, code: 'AccessDenied' },
    { name: 'DurationSeconds above the role maximum', token: () => signer.sign(claims()), input: { DurationSeconds: 7200 }, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' },
    { name: 'malformed session policy', token: () => signer.sign(claims()), input: { Policy: '{"Statement":' }, code: 'MalformedPolicyDocument' },
    { name: 'ProviderId (OAuth 2.0 access tokens)', token: () => signer.sign(claims()), input: { ProviderId: 'graph.facebook.com' }, code: 'InvalidIdentityToken' },
  ];
  for (const c of negative) {
    it(`refuses: ${c.name} → ${c.code}`, async () => {
      now = new Date();
      await rejects({ RoleArn: mainRole, RoleSessionName: 'neg', WebIdentityToken: await c.token(), ...c.input }, c.code, c.message);
    });
  }

  it('refuses a plain-HTTP issuer unless loopback HTTP is enabled', async () => {
    const strict = createWebIdentityOperations({ allowHttpLoopback: false });
    await rejects({ RoleArn: mainRole, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims()) }, 'InvalidIdentityToken', /verification key/, strict);
  });

  it('answers IDPCommunicationError when the issuer cannot be reached', async () => {
    const down = 'http://127.0.0.1:9';
    const id = '127.0.0.1:9';
    await registerProvider(id, `arn:aws:iam::${ACCOUNT}:oidc-provider/${id}`, down, [CLIENT_ID]);
    const t = createWebIdentityOperations({ allowHttpLoopback: true, timeoutMs: 2000 });
    await rejects({ RoleArn: mainRole, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims({ iss: down })) }, 'IDPCommunicationError', undefined, t);
  });

  it('honours the seed GitHub Actions trust policy for an HTTPS issuer', async () => {
    const gh = 'https://token.actions.githubusercontent.com';
    const ghArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    await registerProvider('token.actions.githubusercontent.com', ghArn, gh, ['sts.amazonaws.com']);
    const role = await createRole('github-actions', JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Federated: ghArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: {
          'token.actions.githubusercontent.com:sub': 'repo:my-org/my-repo:ref:refs/heads/main',
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        } },
      }],
    }));
    const fakeFetch = (async (url: string | URL | Request) => {
      const u = String(url);
      if (u === `${gh}/.well-known/openid-configuration`) return Response.json({ issuer: gh, jwks_uri: `${gh}/.well-known/jwks` });
      if (u === `${gh}/.well-known/jwks`) return Response.json({ keys: [signer.jwk] });
      return new Response('no', { status: 404 });
    }) as typeof fetch;
    const t = createWebIdentityOperations({ resolver: new OidcKeyResolver({ fetch: fakeFetch }) });
    const good = await call({ RoleArn: role, RoleSessionName: 'gha', WebIdentityToken: await signer.sign(claims({ iss: gh })) }, t);
    assert.equal(good.Provider, ghArn);
    await rejects({ RoleArn: role, RoleSessionName: 'gha', WebIdentityToken: await signer.sign(claims({ iss: gh, sub: 'repo:evil/my-repo:ref:refs/heads/main' })) }, 'AccessDenied', undefined, t);
    await rejects({ RoleArn: role, RoleSessionName: 'gha', WebIdentityToken: await signer.sign(claims({ iss: gh, sub: 'repo:my-org/my-repo:pull_request' })) }, 'AccessDenied', undefined, t);
  });

  it('rejects a trust policy that names another provider', async () => {
    const role = await createRole('other-provider', trustPolicy(`arn:aws:iam::${ACCOUNT}:oidc-provider/elsewhere.example.com`, {}));
    await rejects({ RoleArn: role, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims()) }, 'AccessDenied');
  });

  it('takes session tags from the token, only when the trust policy allows sts:TagSession', async () => {
    const tagsClaim = { 'https://aws.amazon.com/tags': { principal_tags: { team: ['ops'], env: ['prod'] }, transitive_tag_keys: ['team'] } };
    await rejects({ RoleArn: mainRole, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims(tagsClaim)) }, 'AccessDenied', 'Not authorized to perform sts:TagSession');
    const role = await createRole('tagging', trustPolicy(providerArn, { StringEquals: { 'aws:RequestTag/team': 'ops' } }, ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']));
    const out = await call({ RoleArn: role, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims(tagsClaim)) });
    const creds = out.Credentials as Record<string, string>;
    const opened = verifySessionToken(sessionTokenBox(secrets), creds.AccessKeyId, creds.SessionToken, now);
    assert.ok(opened.ok);
    assert.deepEqual(opened.claims.tags, { team: 'ops', env: 'prod' });
    assert.deepEqual(opened.claims.transitiveTagKeys, ['team']);
    assert.equal(typeof out.PackedPolicySize, 'number');
    await rejects({ RoleArn: role, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims({ 'https://aws.amazon.com/tags': { principal_tags: { team: ['dev'] } } })) }, 'AccessDenied');
  });

  it('keeps the session policy and honours DurationSeconds within the role maximum', async () => {
    const role = await createRole('long', trustPolicy(providerArn, {}), 7200);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const out = await call({ RoleArn: role, RoleSessionName: 's', WebIdentityToken: await signer.sign(claims()), DurationSeconds: 7200, Policy: policy, PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    const creds = out.Credentials as Record<string, string>;
    const opened = verifySessionToken(sessionTokenBox(secrets), creds.AccessKeyId, creds.SessionToken, now);
    assert.ok(opened.ok);
    assert.equal(opened.claims.policy, policy);
    assert.deepEqual(opened.claims.policyArns, ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    assert.equal(Date.parse(creds.Expiration) - Math.floor(now.getTime() / 1000) * 1000, 7200 * 1000);
  });

  it('evaluates sts:RoleSessionName and aws:FederatedProvider in the trust policy', async () => {
    const role = await createRole('named', trustPolicy(providerArn, { StringLike: { 'sts:RoleSessionName': 'ci-*', 'aws:FederatedProvider': providerArn } }));
    await call({ RoleArn: role, RoleSessionName: 'ci-1', WebIdentityToken: await signer.sign(claims()) });
    await rejects({ RoleArn: role, RoleSessionName: 'me', WebIdentityToken: await signer.sign(claims()) }, 'AccessDenied');
  });
});

describe('webIdentityConditionKeys', () => {
  const cases: { name: string; payload: JWTPayload; matched: string; want: Record<string, unknown> }[] = [
    { name: 'aud and sub', payload: { sub: 's', aud: 'a' }, matched: 'a', want: { 'p:aud': 'a', 'p:sub': 's' } },
    { name: 'azp takes aud, aud becomes oaud', payload: { sub: 's', aud: 'x', azp: 'a' }, matched: 'a', want: { 'p:aud': 'a', 'p:oaud': 'x', 'p:sub': 's' } },
    { name: 'amr as a list', payload: { sub: 's', aud: 'a', amr: ['pwd', 'mfa'] }, matched: 'a', want: { 'p:aud': 'a', 'p:sub': 's', 'p:amr': ['pwd', 'mfa'] } },
    { name: 'email', payload: { sub: 's', aud: 'a', email: 'x@example.com' }, matched: 'a', want: { 'p:aud': 'a', 'p:sub': 's', 'p:email': 'x@example.com' } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(webIdentityConditionKeys('p', c.payload, c.matched), c.want));
  }
});
