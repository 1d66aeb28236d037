// Outbound identity federation end to end: a real `warden serve`; IAM's switch through
// @aws-sdk/client-iam and boto3; tokens from STS GetWebIdentityToken through
// @aws-sdk/client-sts (an IAM user and an assumed-role session) and the AWS CLI; the issuer's
// discovery document and JWKS fetched over HTTP, unauthenticated, and the tokens verified the way
// an external service would (jose createRemoteJWKSet + jwtVerify); and the negative cases with
// AWS's errors. The audit trail (CloudTrail LookupEvents through the CLI) never holds a token.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { AssumeRoleCommand, GetWebIdentityTokenCommand, STSClient, type GetWebIdentityTokenCommandInput } from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DisableOutboundWebIdentityFederationCommand,
  EnableOutboundWebIdentityFederationCommand, GetOutboundWebIdentityFederationInfoCommand, IAMClient, PutRolePolicyCommand,
  PutUserPolicyCommand, TagUserCommand,
} from '@aws-sdk/client-iam';
import { startWarden, type WardenProcess } from './harness.js';

const run = promisify(execFile);
const AUD = 'https://api.example.com';
const NS = 'https://sts.amazonaws.com/';
// AWS CLI v1 fetches parameters that look like http(s) URLs (cli_follow_urlparam): a URN for it.
const CLI_AUD = 'urn:example:cli';

type AwsCreds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function has(cmd: string, args: string[]): Promise<boolean> {
  try { await run(cmd, args); return true; } catch { return false; }
}

function envFor(c: AwsCreds): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'PYENV_ROOT', 'PYENV_VERSION', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
    AWS_DEFAULT_REGION: 'eu-central-1', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1',
  };
}

const BOTO3_INFO = `
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
try:
    out = iam.get_outbound_web_identity_federation_info()
    print(json.dumps({"issuer": out["IssuerIdentifier"], "enabled": out["JwtVendingEnabled"]}))
except iam.exceptions.ClientError as e:
    print(json.dumps({"error": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
`;

describe('outbound identity federation end to end (warden serve)', { timeout: 240_000 }, () => {
  let w: WardenProcess;
  let issuer = '';
  let app: AwsCreds;
  let plain: AwsCreds;
  let roleArn = '';
  let cli = false;
  const clients: { destroy(): void }[] = [];
  const sts = (credentials: AwsCreds) => { const c = new STSClient({ endpoint: w.endpoint, region: 'eu-central-1', credentials, maxAttempts: 1 }); clients.push(c); return c; };
  const iam = (credentials: AwsCreds) => { const c = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }); clients.push(c); return c; };
  const errorOf = async (p: Promise<unknown>): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> => {
    try { await p; } catch (e) { return e as { name: string; message: string }; }
    throw new Error('expected the call to fail');
  };
  const getToken = (c: AwsCreds, input: Partial<GetWebIdentityTokenCommandInput> = {}) =>
    sts(c).send(new GetWebIdentityTokenCommand({ Audience: [AUD], SigningAlgorithm: 'ES384', ...input }));
  /** Verifies as an external service would: keys from the issuer's published JWKS, over HTTP. */
  async function verify(token: string, audience = AUD): Promise<JWTPayload> {
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as { jwks_uri: string; issuer: string };
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(token, jwks, { issuer: discovery.issuer, audience, algorithms: ['RS256', 'ES384'], maxTokenAge: '1h' });
    return payload;
  }

  before(async () => {
    cli = await has('aws', ['--version']);
    w = await startWarden();
    const admin = iam(w.rootCredentials);
    const keyOf = async (user: string): Promise<AwsCreds> => {
      const k = (await admin.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    await admin.send(new CreateUserCommand({ UserName: 'app' }));
    await admin.send(new TagUserCommand({ UserName: 'app', Tags: [{ Key: 'team', Value: 'payments' }] }));
    await admin.send(new PutUserPolicyCommand({
      UserName: 'app', PolicyName: 'tokens',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow', Action: ['sts:GetWebIdentityToken', 'sts:TagGetWebIdentityToken'], Resource: '*',
            Condition: { 'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': [AUD, 'https://b.example.com', CLI_AUD] }, NumericLessThanEquals: { 'sts:DurationSeconds': '900' } },
          },
          { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' },
        ],
      }),
    }));
    app = await keyOf('app');
    await admin.send(new CreateUserCommand({ UserName: 'plain' }));
    plain = await keyOf('plain');
    roleArn = (await admin.send(new CreateRoleCommand({
      RoleName: 'Exporter', Path: '/svc/',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.accountId}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }),
      Tags: [{ Key: 'tier', Value: 'gold' }],
    }))).Role!.Arn!;
    await admin.send(new PutRolePolicyCommand({
      RoleName: 'Exporter', PolicyName: 'tokens',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetWebIdentityToken', Resource: '*', Condition: { StringEquals: { 'sts:SigningAlgorithm': 'RS256' } } }] }),
    }));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await w?.stop();
  });

  it('before enabling: GetWebIdentityToken is OutboundWebIdentityFederationDisabledException, Info is FeatureDisabled (boto3)', async () => {
    const e = await errorOf(getToken(app));
    assert.equal(e.name, 'OutboundWebIdentityFederationDisabledException');
    assert.equal(e.$metadata?.httpStatusCode, 403);
    const info = JSON.parse((await run('python3', ['-c', BOTO3_INFO, w.endpoint], { env: envFor(w.rootCredentials) })).stdout) as Record<string, unknown>;
    assert.deepEqual(info, { error: 'FeatureDisabled', status: 404 });
  });

  it('the caller needs iam:EnableOutboundWebIdentityFederation', async () => {
    const e = await errorOf(iam(plain).send(new EnableOutboundWebIdentityFederationCommand({})));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /iam:EnableOutboundWebIdentityFederation/);
  });

  it('@aws-sdk/client-iam enables it: the issuer lives under the server\'s URL; enabling twice is FeatureEnabled', async () => {
    const out = await iam(w.rootCredentials).send(new EnableOutboundWebIdentityFederationCommand({}));
    issuer = out.IssuerIdentifier!;
    assert.match(issuer, new RegExp(`^${w.endpoint}/_warden/issuers/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
    const again = await errorOf(iam(w.rootCredentials).send(new EnableOutboundWebIdentityFederationCommand({})));
    assert.equal(again.name, 'FeatureEnabledException');
    assert.equal(again.$metadata?.httpStatusCode, 409);
    const info = JSON.parse((await run('python3', ['-c', BOTO3_INFO, w.endpoint], { env: envFor(w.rootCredentials) })).stdout) as Record<string, unknown>;
    assert.deepEqual(info, { issuer, enabled: true });
  });

  it('serves the discovery document and the JWKS without authentication', async () => {
    const d = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(d.status, 200);
    assert.match(d.headers.get('content-type') ?? '', /application\/json/);
    const discovery = await d.json() as Record<string, unknown>;
    assert.equal(discovery.issuer, issuer);
    assert.equal(discovery.jwks_uri, `${issuer}/.well-known/jwks.json`);
    const jwks = await (await fetch(String(discovery.jwks_uri))).json() as { keys: Record<string, unknown>[] };
    assert.deepEqual(jwks.keys.map((k) => `${k.kty}/${k.alg}/${k.use}`).sort(), ['EC/ES384/sig', 'RSA/RS256/sig']);
    for (const k of jwks.keys) assert.equal(k.d, undefined, 'no private key material');
    const unknown = await fetch(`${w.endpoint}/_warden/issuers/00000000-0000-4000-8000-000000000000/.well-known/jwks.json`);
    assert.equal(unknown.status, 404);
    assert.equal((await fetch(`${issuer}/.well-known/jwks.json`, { method: 'POST' })).status, 405);
  });

  let userToken = '';
  it('@aws-sdk/client-sts as an IAM user: a token the published JWKS verifies, with AWS\'s claims', async () => {
    const out = await getToken(app, { Tags: [{ Key: 'job', Value: 'nightly' }], DurationSeconds: 900 });
    userToken = out.WebIdentityToken!;
    const claims = await verify(userToken);
    assert.equal(claims.sub, `arn:aws:iam::${w.accountId}:user/app`);
    assert.equal(claims.aud, AUD);
    assert.equal(claims.exp! - claims.iat!, 900);
    assert.ok(Math.abs(out.Expiration!.getTime() - claims.exp! * 1000) < 1000);
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims[NS], { aws_account: w.accountId, source_region: 'eu-central-1', principal_tags: { team: 'payments' }, request_tags: { job: 'nightly' } });
  });

  it('@aws-sdk/client-sts as an assumed-role session: sub is the role, RS256 as its policy requires', async () => {
    const creds = (await sts(app).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'export-1', DurationSeconds: 900, Tags: [{ Key: 'run', Value: '42' }] }))).Credentials!;
    const session: AwsCreds = { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! };
    const denied = await errorOf(getToken(session));
    assert.equal(denied.name, 'AccessDenied', 'ES384 is not what the role policy allows');
    const out = await getToken(session, { SigningAlgorithm: 'RS256', Audience: [AUD, 'https://b.example.com'] });
    assert.equal(decodeProtectedHeader(out.WebIdentityToken!).alg, 'RS256');
    const claims = await verify(out.WebIdentityToken!, 'https://b.example.com');
    assert.equal(claims.sub, `arn:aws:iam::${w.accountId}:role/svc/Exporter`);
    assert.deepEqual(claims.aud, [AUD, 'https://b.example.com']);
    const aws = claims[NS] as Record<string, unknown>;
    assert.deepEqual(aws.principal_tags, { tier: 'gold', run: '42' });
    assert.equal(aws.original_session_exp, creds.Expiration!.toISOString().replace('.000Z', 'Z'));
    // The session lasts 900 s: a 960 s token would outlive it.
    const escalation = await errorOf(getToken(session, { SigningAlgorithm: 'RS256', DurationSeconds: 960 }));
    assert.equal(escalation.name, 'SessionDurationEscalationException');
  });

  it('the AWS CLI gets a token too (sts get-web-identity-token)', async (t) => {
    if (!cli) return t.skip('AWS CLI not installed');
    const r = await run('aws', ['sts', 'get-web-identity-token', '--endpoint-url', w.endpoint, '--audience', CLI_AUD, '--signing-algorithm', 'ES384', '--duration-seconds', '120', '--output', 'json'], { env: envFor(app) });
    const out = JSON.parse(r.stdout) as { WebIdentityToken: string; Expiration: string };
    const claims = await verify(out.WebIdentityToken, CLI_AUD);
    assert.equal(claims.sub, `arn:aws:iam::${w.accountId}:user/app`);
    assert.equal(claims.exp! - claims.iat!, 120);
  });

  const negatives: { name: string; creds: () => AwsCreds; input: Partial<GetWebIdentityTokenCommandInput>; error: string; message?: RegExp }[] = [
    { name: 'a duration under 60 s', creds: () => app, input: { DurationSeconds: 59 }, error: 'ValidationError', message: /durationSeconds/ },
    { name: 'a duration over 3,600 s', creds: () => app, input: { DurationSeconds: 3601 }, error: 'ValidationError' },
    { name: 'an unsupported algorithm', creds: () => app, input: { SigningAlgorithm: 'HS256' }, error: 'ValidationError', message: /RS256, ES384/ },
    { name: 'a caller without sts:GetWebIdentityToken', creds: () => plain, input: {}, error: 'AccessDenied', message: /sts:GetWebIdentityToken/ },
    { name: 'an audience the policy does not allow', creds: () => app, input: { Audience: ['https://evil.example.com'] }, error: 'AccessDenied' },
    { name: 'a duration over the policy\'s sts:DurationSeconds', creds: () => app, input: { DurationSeconds: 1800 }, error: 'AccessDenied' },
  ];
  for (const c of negatives) {
    it(`refuses ${c.name} (${c.error})`, async () => {
      const e = await errorOf(getToken(c.creds(), c.input));
      assert.equal(e.name, c.error, e.message);
      if (c.message) assert.match(e.message, c.message);
    });
  }

  it('a tampered token fails verification', async () => {
    const [h, p, s] = userToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    claims.sub = `arn:aws:iam::${w.accountId}:root`;
    await assert.rejects(verify(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`), /signature verification failed/);
    await assert.rejects(verify(userToken, 'https://someone-else.example.com'), /unexpected "aud" claim value/);
  });

  it('after disabling, tokens are refused; tokens issued before still verify', async () => {
    await iam(w.rootCredentials).send(new DisableOutboundWebIdentityFederationCommand({}));
    const e = await errorOf(getToken(app));
    assert.equal(e.name, 'OutboundWebIdentityFederationDisabledException');
    const info = await iam(w.rootCredentials).send(new GetOutboundWebIdentityFederationInfoCommand({}));
    assert.equal(info.JwtVendingEnabled, false);
    assert.equal(info.IssuerIdentifier, issuer);
    assert.equal((await verify(userToken)).sub, `arn:aws:iam::${w.accountId}:user/app`);
    const twice = await errorOf(iam(w.rootCredentials).send(new DisableOutboundWebIdentityFederationCommand({})));
    assert.equal(twice.name, 'FeatureDisabledException');
  });

  it('neither the audit trail nor the log holds a token', async (t) => {
    assert.equal(w.logs().includes(userToken), false);
    if (!cli) return t.skip('AWS CLI not installed');
    const r = await run('aws', ['cloudtrail', 'lookup-events', '--endpoint-url', w.endpoint, '--output', 'json', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=GetWebIdentityToken'], { env: envFor(w.rootCredentials) });
    const events = (JSON.parse(r.stdout) as { Events: { CloudTrailEvent: string }[] }).Events;
    assert.ok(events.length >= 3, `GetWebIdentityToken calls are recorded (${events.length})`);
    for (const ev of events) assert.equal(ev.CloudTrailEvent.includes(userToken.split('.')[2]), false);
    assert.equal(r.stdout.includes(userToken.split('.')[1]), false);
  });
});

describe('outbound identity federation under a configured public URL (WARDEN_PUBLIC_URL)', { timeout: 120_000 }, () => {
  let w: WardenProcess;
  const PUBLIC = 'https://warden.example.test/base';
  before(async () => { w = await startWarden({ env: { WARDEN_PUBLIC_URL: `${PUBLIC}/` } }); });
  after(async () => { await w?.stop(); });

  it('issuer URLs, discovery and tokens name the public URL; the documents are served at the server\'s root', async () => {
    const iam = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    const sts = new STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    try {
      const issuer = (await iam.send(new EnableOutboundWebIdentityFederationCommand({}))).IssuerIdentifier!;
      assert.match(issuer, /^https:\/\/warden\.example\.test\/base\/_warden\/issuers\/[0-9a-f-]{36}$/);
      const local = `${w.endpoint}${new URL(issuer).pathname.slice('/base'.length)}`;
      const discovery = await (await fetch(`${local}/.well-known/openid-configuration`)).json() as { issuer: string; jwks_uri: string };
      assert.equal(discovery.issuer, issuer);
      assert.equal(discovery.jwks_uri, `${issuer}/.well-known/jwks.json`);
      const token = (await sts.send(new GetWebIdentityTokenCommand({ Audience: [AUD], SigningAlgorithm: 'RS256' }))).WebIdentityToken!;
      const jwks = createRemoteJWKSet(new URL(`${local}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: AUD });
      assert.equal(payload.sub, `arn:aws:iam::${w.accountId}:root`);
    } finally {
      iam.destroy();
      sts.destroy();
    }
  });
});
