import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { AwsError } from '../../protocol/index.js';
import type { CallContext } from '../types.js';
import { jwksOf, OUTBOUND_FEDERATION_KEY, OUTBOUND_FEDERATION_KIND, type OutboundFederationDoc } from '../iam/outbound-issuer.js';
import type { SessionCredentials } from './credentials.js';
import { openStsFixture, type Statement, type StsFixture } from './sts-fixture.js';
import { AWS_CLAIMS_NAMESPACE } from './web-identity-token.js';

type AwsClaims = Record<string, unknown>;

describe('GetWebIdentityToken', () => {
  let f: StsFixture;
  let issuer = '';
  const AUD = 'https://api.example.com';
  const allowToken: Statement[] = [{ Effect: 'Allow', Action: ['sts:GetWebIdentityToken', 'sts:TagGetWebIdentityToken'], Resource: '*' }];

  async function token(ctx: CallContext, input: Record<string, unknown> = {}): Promise<{ WebIdentityToken: string; Expiration: string }> {
    return (await f.call('GetWebIdentityToken', ctx, { Audience: [AUD], SigningAlgorithm: 'ES384', ...input })) as { WebIdentityToken: string; Expiration: string };
  }

  async function verify(jwt: string, audience = AUD): Promise<JWTPayload> {
    const doc = (await f.store.read((tx) => tx.get<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, f.accountId, OUTBOUND_FEDERATION_KEY)))!.data;
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwksOf(doc)), { issuer, audience, algorithms: ['RS256', 'ES384'], currentDate: new Date() });
    return payload;
  }

  async function rejects(p: Promise<unknown>, code: string, status: number, message?: RegExp): Promise<void> {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof AwsError, String(e));
      assert.equal(e.code, code, e.message);
      assert.equal(e.status, status);
      if (message) assert.match(e.message, message);
      return true;
    });
  }

  before(async () => {
    f = await openStsFixture();
    await f.addUser('alice', allowToken, { tags: [{ Key: 'team', Value: 'data' }, { Key: 'env', Value: 'prod' }] });
    await f.addUser('nobody');
    await f.addUser('untagged', [{ Effect: 'Allow', Action: 'sts:GetWebIdentityToken', Resource: '*' }]);
    await f.addUser('limited', [{
      Effect: 'Allow', Action: 'sts:GetWebIdentityToken', Resource: '*',
      Condition: {
        'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': [AUD, 'https://other.example.com'] },
        Null: { 'sts:IdentityTokenAudience': 'false' },
        NumericLessThanEquals: { 'sts:DurationSeconds': '300' },
        StringEquals: { 'sts:SigningAlgorithm': 'ES384' },
      },
    }]);
    await f.addUser('assumer', [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: '*' }]);
    await f.addRole('Worker', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${f.accountId}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }],
    }, allowToken, { tags: [{ Key: 'team', Value: 'platform' }, { Key: 'tier', Value: 'gold' }], path: '/jobs/' });
  });
  after(async () => { await f.close(); });

  it('refuses while outbound federation is not enabled', async () => {
    await rejects(token(await f.user('alice')), 'OutboundWebIdentityFederationDisabledException', 403);
  });

  it('enables (IAM)', async () => {
    const out = await f.runtime.operations.iam.EnableOutboundWebIdentityFederation!(f.root(), {});
    issuer = String(out?.IssuerIdentifier);
  });

  it('an IAM user gets a token with AWS\'s claims, verifiable with the JWKS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const out = await token(await f.user('alice'), { Tags: [{ Key: 'job', Value: 'j-1' }] });
    const header = decodeProtectedHeader(out.WebIdentityToken);
    assert.equal(header.alg, 'ES384');
    assert.equal(header.typ, 'JWT');
    const claims = await verify(out.WebIdentityToken);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.sub, `arn:aws:iam::${f.accountId}:user/alice`);
    assert.equal(claims.aud, AUD, 'one audience is a string');
    assert.ok(claims.iat! >= before && claims.iat! <= before + 2);
    assert.equal(claims.exp, claims.iat! + 300, 'default 300 seconds');
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.equal(claims.nbf, undefined);
    assert.equal(out.Expiration, new Date(claims.exp! * 1000).toISOString().replace('.000Z', 'Z'));
    assert.deepEqual(claims[AWS_CLAIMS_NAMESPACE], {
      aws_account: f.accountId,
      source_region: 'us-east-1',
      principal_tags: { team: 'data', env: 'prod' },
      request_tags: { job: 'j-1' },
    });
  });

  it('signs RS256 with the RSA key, several audiences as a list, and DurationSeconds', async () => {
    const out = await token(await f.user('alice'), { SigningAlgorithm: 'RS256', Audience: [AUD, 'b'], DurationSeconds: 3600 });
    assert.equal(decodeProtectedHeader(out.WebIdentityToken).alg, 'RS256');
    const claims = await verify(out.WebIdentityToken, 'b');
    assert.deepEqual(claims.aud, [AUD, 'b']);
    assert.equal(claims.exp! - claims.iat!, 3600);
  });

  it('a tampered token fails verification', async () => {
    const out = await token(await f.user('alice'));
    const [h, p, s] = out.WebIdentityToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    claims.sub = `arn:aws:iam::${f.accountId}:user/admin`;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    await assert.rejects(verify(forged), /signature verification failed/);
  });

  it('a role session: sub is the role ARN; session tags override role tags; source identity and session expiry', async () => {
    const creds = (await f.call('AssumeRole', await f.user('assumer'), {
      RoleArn: `arn:aws:iam::${f.accountId}:role/jobs/Worker`, RoleSessionName: 'run-7', DurationSeconds: 1800,
      Tags: [{ Key: 'team', Value: 'ml' }], SourceIdentity: 'alice',
    })).Credentials as SessionCredentials;
    const session = await f.session(creds);
    const claims = await verify((await token(session, { DurationSeconds: 600 })).WebIdentityToken);
    assert.equal(claims.sub, `arn:aws:iam::${f.accountId}:role/jobs/Worker`);
    const aws = claims[AWS_CLAIMS_NAMESPACE] as AwsClaims;
    assert.deepEqual(aws.principal_tags, { team: 'ml', tier: 'gold' });
    assert.equal(aws.source_identity, 'alice');
    assert.equal(aws.original_session_exp, creds.Expiration);
    // A token may not outlive the session it was asked with.
    await rejects(token(session, { DurationSeconds: 3600 }), 'SessionDurationEscalationException', 403);
  });

  const denials: { name: string; user: string; input: Record<string, unknown>; message: RegExp }[] = [
    { name: 'no identity policy', user: 'nobody', input: {}, message: /is not authorized to perform: sts:GetWebIdentityToken on resource: \*/ },
    { name: 'an audience outside sts:IdentityTokenAudience', user: 'limited', input: { Audience: [AUD, 'https://evil.example.com'] }, message: /sts:GetWebIdentityToken/ },
    { name: 'sts:DurationSeconds over the limit', user: 'limited', input: { DurationSeconds: 301 }, message: /sts:GetWebIdentityToken/ },
    { name: 'another sts:SigningAlgorithm', user: 'limited', input: { SigningAlgorithm: 'RS256' }, message: /sts:GetWebIdentityToken/ },
    { name: 'tags without sts:TagGetWebIdentityToken', user: 'untagged', input: { Tags: [{ Key: 'k', Value: 'v' }] }, message: /sts:TagGetWebIdentityToken/ },
  ];
  for (const c of denials) {
    it(`denies: ${c.name}`, async () => {
      await rejects(token(await f.user(c.user), c.input), 'AccessDenied', 403, c.message);
    });
  }

  it('allows what the conditions allow', async () => {
    const claims = await verify((await token(await f.user('limited'), { DurationSeconds: 300 })).WebIdentityToken);
    assert.equal(claims.sub, `arn:aws:iam::${f.accountId}:user/limited`);
    assert.equal(claims[AWS_CLAIMS_NAMESPACE] && (claims[AWS_CLAIMS_NAMESPACE] as AwsClaims).principal_tags, undefined);
  });

  it('refuses an algorithm other than RS256 and ES384 (ValidationError)', async () => {
    await rejects(token(await f.user('alice'), { SigningAlgorithm: 'HS256' }), 'ValidationError', 400, /enum value set: \[RS256, ES384\]/);
  });

  it('refuses duplicate tag keys (case-insensitively)', async () => {
    await rejects(token(await f.user('alice'), { Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }), 'ValidationError', 400);
  });

  it('refuses a payload over the size limit (JWTPayloadSizeExceededException)', async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}-${'x'.repeat(100)}`, Value: 'v'.repeat(200) }));
    await rejects(token(await f.user('alice'), { Tags: tags }), 'JWTPayloadSizeExceededException', 400);
  });

  it('refuses once disabled', async () => {
    await f.runtime.operations.iam.DisableOutboundWebIdentityFederation!(f.root(), {});
    await rejects(token(await f.user('alice')), 'OutboundWebIdentityFederationDisabledException', 403);
  });
});
