// Federation end to end: a real `warden serve` (loopback HTTP OIDC issuers enabled), a local
// OIDC issuer (node:http on 127.0.0.1 serving discovery and JWKS, tokens signed with jose) and
// SAML responses signed with a generated key — through @aws-sdk/client-sts, boto3 and the AWS
// CLI, the credentials then used; and the negative cases with AWS's errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import {
  AssumeRoleWithSAMLCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient,
} from '@aws-sdk/client-sts';
import {
  CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateSAMLProviderCommand, IAMClient, ListRolesCommand,
  ListUsersCommand, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { IDP, makeKeyAndCert, metadataXml, samlResponseXml, type AssertionOptions } from '../../src/services/sts/saml-fixture.js';
import { startWarden, type WardenProcess } from './harness.js';

const run = promisify(execFile);
const CLIENT_ID = 'sts.amazonaws.com';
const SUB = 'repo:my-org/my-repo:ref:refs/heads/main';

type AwsCreds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function has(cmd: string, args: string[]): Promise<boolean> {
  try { await run(cmd, args); return true; } catch { return false; }
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'PYENV_ROOT', 'PYENV_VERSION', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_METADATA_SERVICE_TIMEOUT: '5', AWS_METADATA_SERVICE_NUM_ATTEMPTS: '3' };
}

const BOTO3_WEB_IDENTITY = `
import boto3, json, sys
endpoint, role, token = sys.argv[1:4]
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
try:
    out = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="boto3", WebIdentityToken=token)
except sts.exceptions.ClientError as e:
    print(json.dumps({"error": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}))
    sys.exit(0)
c = out["Credentials"]
me = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()
print(json.dumps({"arn": me["Arn"], "subject": out["SubjectFromWebIdentityToken"], "audience": out["Audience"]}))
`;

const BOTO3_SAML = `
import boto3, json, sys
endpoint, role, provider, assertion = sys.argv[1:5]
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
try:
    out = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion)
except sts.exceptions.ClientError as e:
    print(json.dumps({"error": e.response["Error"]["Code"]}))
    sys.exit(0)
c = out["Credentials"]
me = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()
print(json.dumps({"arn": me["Arn"], "subject": out["Subject"], "issuer": out["Issuer"]}))
`;

describe('federation end to end (warden serve)', () => {
  let w: WardenProcess;
  let dir: string;
  let issuerServer: Server;
  let issuer: string;
  let providerArn: string;
  let oidcRole: string;
  let samlRole: string;
  let samlProviderArn: string;
  let signingKey: CryptoKey;
  let otherKey: CryptoKey;
  let jwk: JWK;
  let idp: { key: string; cert: string; certBody: string };
  let other: { key: string; cert: string; certBody: string };
  let federationServed = true;
  const clients: { destroy(): void }[] = [];
  const anonymous = () => { const c = new STSClient({ endpoint: w.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }); clients.push(c); return c; };
  const sts = (credentials: AwsCreds) => { const c = new STSClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }); clients.push(c); return c; };
  const iam = (credentials: AwsCreds) => { const c = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }); clients.push(c); return c; };
  const fromSts = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): AwsCreds =>
    ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
  const errorOf = async (p: Promise<unknown>): Promise<{ name: string; message: string }> => {
    try { await p; } catch (e) { return e as { name: string; message: string }; }
    throw new Error('expected the call to fail');
  };

  function token(extra: JWTPayload = {}, key: CryptoKey = signingKey): Promise<string> {
    const t = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: issuer, sub: SUB, aud: CLIENT_ID, iat: t, exp: t + 300, ...extra })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key);
  }

  function assertion(o: AssertionOptions = {}): string {
    const xml = samlResponseXml({
      key: idp.key, cert: idp.cert,
      attributes: {
        'https://aws.amazon.com/SAML/Attributes/Role': [`${samlRole},${samlProviderArn}`],
        'https://aws.amazon.com/SAML/Attributes/RoleSessionName': ['alice@example.com'],
      },
      ...o,
    });
    return Buffer.from(xml).toString('base64');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-fed-'));
    idp = makeKeyAndCert(dir, 'idp');
    other = makeKeyAndCert(dir, 'other');
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    issuerServer = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      else if (req.url === '/keys') res.end(JSON.stringify({ keys: [jwk] }));
      else { res.statusCode = 404; res.end('{}'); }
    });
    await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', () => r()));
    const port = (issuerServer.address() as AddressInfo).port;
    issuer = `http://127.0.0.1:${port}`;

    w = await startWarden({ env: { WARDEN_ALLOW_HTTP_OIDC_LOOPBACK: '1' } });
    const admin = iam(w.rootCredentials);
    // IAM registers providers by HTTPS URL; the loopback issuer is the same host and port.
    const p = await admin.send(new CreateOpenIDConnectProviderCommand({ Url: `https://127.0.0.1:${port}`, ClientIDList: [CLIENT_ID], ThumbprintList: ['0'.repeat(40)] }));
    providerArn = p.OpenIDConnectProviderArn!;
    const providerId = `127.0.0.1:${port}`;
    oidcRole = (await admin.send(new CreateRoleCommand({
      RoleName: 'gha-deploy',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${providerId}:sub`]: SUB, [`${providerId}:aud`]: CLIENT_ID } },
        }],
      }),
    }))).Role!.Arn!;
    await admin.send(new PutRolePolicyCommand({ RoleName: 'gha-deploy', PolicyName: 'list-users', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] }) }));

    const s = await admin.send(new CreateSAMLProviderCommand({ Name: 'ExampleIdP', SAMLMetadataDocument: metadataXml(IDP, idp.certBody) }));
    samlProviderArn = s.SAMLProviderArn!;
    samlRole = (await admin.send(new CreateRoleCommand({
      RoleName: 'saml-admins',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: samlProviderArn }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }],
      }),
    }))).Role!.Arn!;

    // Until services/sts/index.ts merges webIdentityOperations and samlOperations, the server
    // answers these operations as not implemented; the cases below are then skipped.
    const probe = await errorOf(anonymous().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: oidcRole, RoleSessionName: 'probe', WebIdentityToken: 'x'.repeat(8) })));
    federationServed = !/not implemented|NotImplemented/i.test(`${probe.name} ${probe.message}`);
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await w?.stop();
    await new Promise<void>((r) => issuerServer?.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const skipUnlessServed = (t: { skip(m: string): void }): boolean => {
    if (!federationServed) t.skip('the STS operation table does not serve AssumeRoleWithWebIdentity / AssumeRoleWithSAML yet');
    return !federationServed;
  };

  it('@aws-sdk/client-sts: web identity token → role session → calls limited to the role policy', async (t) => {
    if (skipUnlessServed(t)) return;
    const out = await anonymous().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: oidcRole, RoleSessionName: 'ci-run', WebIdentityToken: await token() }));
    assert.equal(out.SubjectFromWebIdentityToken, SUB);
    assert.equal(out.Audience, CLIENT_ID);
    assert.equal(out.Provider, providerArn);
    const creds = fromSts(out.Credentials);
    const me = await sts(creds).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${w.accountId}:assumed-role/gha-deploy/ci-run`);
    await iam(creds).send(new ListUsersCommand({}));
    const denied = await errorOf(iam(creds).send(new ListRolesCommand({})));
    assert.equal(denied.name, 'AccessDenied');
  });

  const oidcNegative: { name: string; token: () => Promise<string>; error: RegExp }[] = [
    { name: 'audience mismatch', token: () => token({ aud: 'someone-else' }), error: /^InvalidIdentityToken/ },
    { name: 'bad signature', token: () => token({}, otherKey), error: /^InvalidIdentityToken/ },
    { name: 'expired token', token: () => token({ exp: Math.floor(Date.now() / 1000) - 3600 }), error: /^ExpiredToken/ },
    { name: 'wrong sub', token: () => token({ sub: 'repo:my-org/my-repo:ref:refs/heads/dev' }), error: /^AccessDenied/ },
  ];
  for (const c of oidcNegative) {
    it(`@aws-sdk/client-sts: web identity ${c.name} → ${c.error.source.slice(1)}`, async (t) => {
      if (skipUnlessServed(t)) return;
      const e = await errorOf(anonymous().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: oidcRole, RoleSessionName: 'neg', WebIdentityToken: await c.token() })));
      assert.match(e.name, c.error, e.message);
    });
  }

  it('boto3: web identity token → session → GetCallerIdentity; wrong sub → AccessDenied', async (t) => {
    if (skipUnlessServed(t)) return;
    if (!(await has('python3', ['-c', 'import boto3']))) return t.skip('boto3 not installed');
    const ok = JSON.parse((await run('python3', ['-c', BOTO3_WEB_IDENTITY, w.endpoint, oidcRole, await token()], { env: cleanEnv() })).stdout) as Record<string, string>;
    assert.equal(ok.arn, `arn:aws:sts::${w.accountId}:assumed-role/gha-deploy/boto3`);
    assert.equal(ok.subject, SUB);
    const bad = JSON.parse((await run('python3', ['-c', BOTO3_WEB_IDENTITY, w.endpoint, oidcRole, await token({ aud: 'x' })], { env: cleanEnv() })).stdout) as Record<string, string>;
    assert.equal(bad.error, 'InvalidIdentityToken');
    const denied = JSON.parse((await run('python3', ['-c', BOTO3_WEB_IDENTITY, w.endpoint, oidcRole, await token({ sub: 'nope' })], { env: cleanEnv() })).stdout) as Record<string, string>;
    assert.equal(denied.error, 'AccessDenied');
    assert.equal(denied.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  });

  it('AWS CLI: assume-role-with-web-identity', async (t) => {
    if (skipUnlessServed(t)) return;
    if (!(await has('aws', ['--version']))) return t.skip('AWS CLI not installed');
    const r = await run('aws', ['sts', 'assume-role-with-web-identity', '--endpoint-url', w.endpoint, '--role-arn', oidcRole, '--role-session-name', 'cli', '--web-identity-token', await token(), '--output', 'json'], { env: cleanEnv() });
    const out = JSON.parse(r.stdout) as { AssumedRoleUser: { Arn: string }; Credentials: { AccessKeyId: string } };
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${w.accountId}:assumed-role/gha-deploy/cli`);
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
    const bad = await run('aws', ['sts', 'assume-role-with-web-identity', '--endpoint-url', w.endpoint, '--role-arn', oidcRole, '--role-session-name', 'cli', '--web-identity-token', await token({}, otherKey)], { env: cleanEnv() }).catch((e: { stderr: string }) => e);
    assert.match((bad as { stderr: string }).stderr, /InvalidIdentityToken/);
  });

  it('@aws-sdk/client-sts: signed SAML assertion → role session', async (t) => {
    if (skipUnlessServed(t)) return;
    const out = await anonymous().send(new AssumeRoleWithSAMLCommand({ RoleArn: samlRole, PrincipalArn: samlProviderArn, SAMLAssertion: assertion() }));
    assert.equal(out.Issuer, IDP);
    assert.equal(out.Subject, 'alice@example.com');
    assert.equal(out.SubjectType, 'persistent');
    const me = await sts(fromSts(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${w.accountId}:assumed-role/saml-admins/alice@example.com`);
  });

  const samlNegative: { name: string; assertion: () => string; error: RegExp }[] = [
    { name: 'bad signature', assertion: () => assertion({ key: other.key, cert: other.cert }), error: /^InvalidIdentityToken/ },
    { name: 'expired assertion', assertion: () => assertion({ now: new Date(Date.now() - 3_600_000) }), error: /^ExpiredToken/ },
    { name: 'audience mismatch', assertion: () => assertion({ audience: 'https://other-sp.example.com' }), error: /^InvalidIdentityToken/ },
    { name: 'IdP failure status', assertion: () => assertion({ status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' }), error: /^IDPRejectedClaim/ },
  ];
  for (const c of samlNegative) {
    it(`@aws-sdk/client-sts: SAML ${c.name} → ${c.error.source.slice(1)}`, async (t) => {
      if (skipUnlessServed(t)) return;
      const e = await errorOf(anonymous().send(new AssumeRoleWithSAMLCommand({ RoleArn: samlRole, PrincipalArn: samlProviderArn, SAMLAssertion: c.assertion() })));
      assert.match(e.name, c.error, e.message);
    });
  }

  it('boto3 and the AWS CLI: assume-role-with-saml', async (t) => {
    if (skipUnlessServed(t)) return;
    if (await has('python3', ['-c', 'import boto3'])) {
      const ok = JSON.parse((await run('python3', ['-c', BOTO3_SAML, w.endpoint, samlRole, samlProviderArn, assertion()], { env: cleanEnv() })).stdout) as Record<string, string>;
      assert.equal(ok.arn, `arn:aws:sts::${w.accountId}:assumed-role/saml-admins/alice@example.com`);
      const bad = JSON.parse((await run('python3', ['-c', BOTO3_SAML, w.endpoint, samlRole, samlProviderArn, assertion({ key: other.key, cert: other.cert })], { env: cleanEnv() })).stdout) as Record<string, string>;
      assert.equal(bad.error, 'InvalidIdentityToken');
    }
    if (await has('aws', ['--version'])) {
      const r = await run('aws', ['sts', 'assume-role-with-saml', '--endpoint-url', w.endpoint, '--role-arn', samlRole, '--principal-arn', samlProviderArn, '--saml-assertion', assertion(), '--output', 'json'], { env: cleanEnv() });
      const out = JSON.parse(r.stdout) as { AssumedRoleUser: { Arn: string } };
      assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${w.accountId}:assumed-role/saml-admins/alice@example.com`);
    }
  });
});

// `warden serve --imds-role … --ecs-role …`: the credential endpoints of a real server, found by
// the AWS CLI's default credential chain. Skipped while `serve` has no such flags.
describe('credential endpoints end to end (warden serve --imds-role / --ecs-role)', () => {
  it('the AWS CLI gets role credentials from the instance metadata and container endpoints', async (t) => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const help = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--help'], { cwd: repo }).then((r) => r.stdout + r.stderr, (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`);
    if (!help.includes('--imds-role')) return t.skip('warden serve has no --imds-role flag yet');
    if (!(await has('aws', ['--version']))) return t.skip('AWS CLI not installed');
    const account = '123456789012';
    const role = `arn:aws:iam::${account}:role/app`;
    const w = await startWarden({ env: { WARDEN_ACCOUNT_ID: account }, args: ['--imds-role', role, '--ecs-role', role] });
    const admin = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    try {
      // The role may be created after the start: the endpoints answer once it exists.
      await admin.send(new CreateRoleCommand({
        RoleName: 'app',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] }, Action: 'sts:AssumeRole' }] }),
      }));
      const imds = /"AWS_EC2_METADATA_SERVICE_ENDPOINT":"([^"]+)"/.exec(w.logs())?.[1];
      const uri = /AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)/.exec(w.output())?.[1];
      const token = /AWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)/.exec(w.output())?.[1];
      assert.ok(imds && uri && token, w.logs());
      assert.ok(!w.logs().includes(token), 'the container authorization token is not logged');
      const whoami = ['sts', 'get-caller-identity', '--endpoint-url', w.endpoint, '--query', 'Arn', '--output', 'text'];
      const viaImds = await run('aws', whoami, { env: { ...cleanEnv(), AWS_EC2_METADATA_DISABLED: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds } });
      assert.match(viaImds.stdout.trim(), new RegExp(`^arn:aws:sts::${account}:assumed-role/app/i-[0-9a-f]{17}$`));
      const viaEcs = await run('aws', whoami, { env: { ...cleanEnv(), AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } });
      assert.match(viaEcs.stdout.trim(), new RegExp(`^arn:aws:sts::${account}:assumed-role/app/[0-9a-f]{32}$`));
    } finally {
      admin.destroy();
      await w.stop();
    }
  });
});
