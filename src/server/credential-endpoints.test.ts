import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromContainerMetadata, fromInstanceMetadata, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createSecretBox } from '../crypto/secrets.js';
import { iamOperations } from '../services/iam/index.js';
import { rootArn } from '../services/iam/entities.js';
import { createServiceRuntime, type ServiceRuntime } from '../services/runtime.js';
import type { Caller, CallContext } from '../services/types.js';
import { openStore, type Store } from '../store/index.js';
import { bootstrap } from './bootstrap.js';
import { startCredentialEndpoints, type CredentialEndpoints } from './credential-endpoints.js';
import { createWardenServer, type WardenServer } from './http.js';
import { silentLogger } from './log.js';

const ACCOUNT = '111122223333';

function trust(services: string[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' }] });
}

async function http(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Environment for an SDK child process with no other credential source. */
function isolatedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'PYENV_ROOT', 'PYENV_VERSION', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_DEFAULT_REGION: 'us-east-1',
    // botocore's IMDS client gives up after 1 s and one attempt by default: too tight on a busy machine.
    AWS_METADATA_SERVICE_TIMEOUT: '5',
    AWS_METADATA_SERVICE_NUM_ATTEMPTS: '3',
    ...extra,
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const BOTO3_WHOAMI = 'import boto3, sys; print(boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1").get_caller_identity()["Arn"])';

describe('credential endpoints', () => {
  let dir: string;
  let store: Store;
  let runtime: ServiceRuntime;
  let rootCtx: CallContext;
  let server: WardenServer;
  let endpoint: string;
  let endpoints: CredentialEndpoints;
  let roleArn: string;
  const secrets = createSecretBox(randomBytes(32));
  let clock = Date.now();
  const now = () => new Date(clock);

  async function createRole(name: string, doc: string): Promise<string> {
    const out = await iamOperations.CreateRole(rootCtx, { RoleName: name, AssumeRolePolicyDocument: doc });
    await runtime.afterWrite();
    return ((out as Record<string, Record<string, string>>).Role).Arn;
  }

  async function imdsToken(ttl = '60'): Promise<string> {
    const r = await http(`${endpoints.imds!.endpoint}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': ttl } });
    assert.equal(r.status, 200);
    return r.body;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-credep-'));
    store = await openStore({ dataDir: dir });
    await bootstrap({ store, secrets, dataDir: dir, endpoint: 'http://127.0.0.1:1', env: { WARDEN_ACCOUNT_ID: ACCOUNT } });
    runtime = await createServiceRuntime({ store, secrets });
    const root: Caller = { principal: { kind: 'root', accountId: ACCOUNT, arn: rootArn(ACCOUNT) }, accountId: ACCOUNT, accessKeyId: 'AKIAROOT', userId: ACCOUNT };
    rootCtx = runtime.createContext(root, { requestId: 'r', sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: true, now: new Date() });
    roleArn = await createRole('app-role', trust(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']));
    server = createWardenServer({ logger: silentLogger() });
    server.setRuntime(runtime);
    const addr = await server.listen(0, '127.0.0.1');
    endpoint = `http://127.0.0.1:${addr.port}`;
    endpoints = await startCredentialEndpoints(runtime, {
      imds: { roleArn },
      ecs: { roleArn, authorizationToken: 'test-auth-token' },
      now,
    });
  });

  after(async () => {
    await endpoints.close();
    await server.close(100);
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds to loopback', () => {
    assert.match(endpoints.imds!.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(endpoints.ecs!.fullUri, /^http:\/\/127\.0\.0\.1:\d+\/v2\/credentials\/[0-9a-f]+$/);
  });

  const imdsCases: { name: string; method: string; path: string; headers?: (token: string) => Record<string, string>; status: number }[] = [
    { name: 'token without a TTL', method: 'PUT', path: '/latest/api/token', status: 400 },
    { name: 'token with a TTL above 21600', method: 'PUT', path: '/latest/api/token', headers: () => ({ 'X-aws-ec2-metadata-token-ttl-seconds': '21601' }), status: 400 },
    { name: 'token through a proxy (X-Forwarded-For)', method: 'PUT', path: '/latest/api/token', headers: () => ({ 'X-aws-ec2-metadata-token-ttl-seconds': '60', 'X-Forwarded-For': '10.0.0.1' }), status: 403 },
    { name: 'role list without a token (IMDSv1)', method: 'GET', path: '/latest/meta-data/iam/security-credentials/', status: 401 },
    { name: 'role list with an unknown token', method: 'GET', path: '/latest/meta-data/iam/security-credentials/', headers: () => ({ 'X-aws-ec2-metadata-token': 'nope' }), status: 401 },
    { name: 'role list with a token', method: 'GET', path: '/latest/meta-data/iam/security-credentials/', headers: (t) => ({ 'X-aws-ec2-metadata-token': t }), status: 200 },
    { name: 'credentials of another role', method: 'GET', path: '/latest/meta-data/iam/security-credentials/other', headers: (t) => ({ 'X-aws-ec2-metadata-token': t }), status: 404 },
    { name: 'unknown path', method: 'GET', path: '/latest/meta-data/nothing', headers: (t) => ({ 'X-aws-ec2-metadata-token': t }), status: 404 },
  ];
  for (const c of imdsCases) {
    it(`IMDS: ${c.name} → ${c.status}`, async () => {
      const token = await imdsToken();
      const r = await http(`${endpoints.imds!.endpoint}${c.path}`, { method: c.method, headers: c.headers?.(token) ?? {} });
      assert.equal(r.status, c.status, r.body);
      if (c.status === 200) assert.equal(r.body, 'app-role');
    });
  }

  it('IMDS: credentials document with a token', async () => {
    const token = await imdsToken();
    const r = await http(`${endpoints.imds!.endpoint}/latest/meta-data/iam/security-credentials/app-role`, { headers: { 'X-aws-ec2-metadata-token': token } });
    assert.equal(r.status, 200);
    const doc = JSON.parse(r.body) as Record<string, string>;
    assert.deepEqual(Object.keys(doc), ['Code', 'LastUpdated', 'Type', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    assert.equal(doc.Code, 'Success');
    assert.equal(doc.Type, 'AWS-HMAC');
    assert.match(doc.AccessKeyId, /^ASIA/);
  });

  it('IMDS: a token stops working after its TTL', async () => {
    const token = await imdsToken('1');
    clock += 2000;
    try {
      const r = await http(`${endpoints.imds!.endpoint}/latest/meta-data/iam/security-credentials/`, { headers: { 'X-aws-ec2-metadata-token': token } });
      assert.equal(r.status, 401);
    } finally {
      clock -= 2000;
    }
  });

  it('IMDS: credentials are re-issued once half their lifetime has passed', async () => {
    const get = async () => {
      const token = await imdsToken();
      const r = await http(`${endpoints.imds!.endpoint}/latest/meta-data/iam/security-credentials/app-role`, { headers: { 'X-aws-ec2-metadata-token': token } });
      return JSON.parse(r.body) as Record<string, string>;
    };
    const a = await get();
    assert.equal((await get()).AccessKeyId, a.AccessKeyId);
    const lifetime = Date.parse(a.Expiration) - clock;
    clock += lifetime / 2 + 1000;
    const b = await get();
    assert.notEqual(b.AccessKeyId, a.AccessKeyId);
    assert.ok(Date.parse(b.Expiration) > Date.parse(a.Expiration));
  });

  const ecsCases: { name: string; auth?: string; path?: string; status: number }[] = [
    { name: 'no Authorization header', status: 401 },
    { name: 'wrong token', auth: 'wrong', status: 401 },
    { name: 'wrong path', auth: 'test-auth-token', path: '/v2/credentials/other', status: 404 },
    { name: 'right token', auth: 'test-auth-token', status: 200 },
  ];
  for (const c of ecsCases) {
    it(`container: ${c.name} → ${c.status}`, async () => {
      const url = c.path ? new URL(c.path, endpoints.ecs!.fullUri).toString() : endpoints.ecs!.fullUri;
      const r = await http(url, { headers: c.auth ? { Authorization: c.auth } : {} });
      assert.equal(r.status, c.status, r.body);
      if (c.status === 200) {
        const doc = JSON.parse(r.body) as Record<string, string>;
        assert.deepEqual(Object.keys(doc), ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration', 'RoleArn']);
        assert.equal(doc.RoleArn, roleArn);
      }
    });
  }

  it('refuses to start for a role whose trust policy does not allow the service', async () => {
    const other = await createRole('lambda-only', trust(['lambda.amazonaws.com']));
    await assert.rejects(startCredentialEndpoints(runtime, { imds: { roleArn: other } }), /does not allow ec2\.amazonaws\.com/);
    await assert.rejects(startCredentialEndpoints(runtime, { ecs: { roleArn: other } }), /does not allow ecs-tasks\.amazonaws\.com/);
    await assert.rejects(startCredentialEndpoints(runtime, { imds: { roleArn: `arn:aws:iam::${ACCOUNT}:role/missing` } }), /does not exist/);
  });

  it('with requireRoleAtStart false, starts before the role exists and serves once it does', async () => {
    const errors: string[] = [];
    const late = await startCredentialEndpoints(runtime, { ecs: { roleArn: `arn:aws:iam::${ACCOUNT}:role/late`, authorizationToken: 't' }, requireRoleAtStart: false, onError: (m) => errors.push(m) });
    try {
      assert.match(errors[0], /does not exist/);
      assert.equal((await http(late.ecs!.fullUri, { headers: { Authorization: 't' } })).status, 500);
      await createRole('late', trust(['ecs-tasks.amazonaws.com']));
      const r = await http(late.ecs!.fullUri, { headers: { Authorization: 't' } });
      assert.equal(r.status, 200, r.body);
    } finally {
      await late.close();
    }
  });

  it('keeps serving unexpired credentials when the role goes away, then stops', async () => {
    await createRole('short-lived', trust(['ecs-tasks.amazonaws.com']));
    const errors: string[] = [];
    const ep = await startCredentialEndpoints(runtime, { ecs: { roleArn: `arn:aws:iam::${ACCOUNT}:role/short-lived`, authorizationToken: 't' }, now, onError: (m) => errors.push(m) });
    const start = clock;
    try {
      const first = JSON.parse((await http(ep.ecs!.fullUri, { headers: { Authorization: 't' } })).body) as Record<string, string>;
      await iamOperations.DeleteRole(rootCtx, { RoleName: 'short-lived' });
      await runtime.afterWrite();
      const lifetime = Date.parse(first.Expiration) - start;
      clock = start + lifetime / 2 + 1000;
      const again = await http(ep.ecs!.fullUri, { headers: { Authorization: 't' } });
      assert.equal(again.status, 200);
      assert.equal((JSON.parse(again.body) as Record<string, string>).AccessKeyId, first.AccessKeyId);
      clock = start + lifetime - 30_000;
      const gone = await http(ep.ecs!.fullUri, { headers: { Authorization: 't' } });
      assert.equal(gone.status, 500);
      assert.ok(errors.some((m) => /does not exist/.test(m)), errors.join('\n'));
    } finally {
      clock = start;
      await ep.close();
    }
  });

  it('JS SDK fromInstanceMetadata credentials call STS GetCallerIdentity', async () => {
    const saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpoints.imds!.endpoint;
    try {
      const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: fromInstanceMetadata({ timeout: 2000, maxRetries: 0 }) });
      const out = await sts.send(new GetCallerIdentityCommand({}));
      assert.match(out.Arn!, new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/app-role/i-[0-9a-f]{17}$`));
      sts.destroy();
    } finally {
      if (saved === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
      else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
    }
  });

  it('JS SDK fromContainerMetadata and the default chain (container URI) call STS GetCallerIdentity', async () => {
    const keys = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoints.ecs!.fullUri;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = endpoints.ecs!.authorizationToken;
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    try {
      for (const credentials of [fromContainerMetadata({ timeout: 2000, maxRetries: 0 }), fromNodeProviderChain()]) {
        const sts = new STSClient({ endpoint, region: 'us-east-1', credentials });
        const out = await sts.send(new GetCallerIdentityCommand({}));
        assert.match(out.Arn!, new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/app-role/[0-9a-f]{32}$`));
        sts.destroy();
      }
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('JS SDK default chain (instance metadata) in a clean process', async () => {
    const script = `
      import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
      const sts = new STSClient({ endpoint: process.argv[1], region: 'us-east-1' });
      const out = await sts.send(new GetCallerIdentityCommand({}));
      console.log(out.Arn);`;
    const r = await run(process.execPath, ['--input-type=module', '-e', script, endpoint], isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoints.imds!.endpoint }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /assumed-role\/app-role\/i-/);
  });

  it('boto3 picks up instance metadata credentials (AWS_EC2_METADATA_SERVICE_ENDPOINT)', async () => {
    const r = await run('python3', ['-c', BOTO3_WHOAMI, endpoint], isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${endpoints.imds!.endpoint}/` }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/app-role\/i-[0-9a-f]{17}$/);
  });

  it('boto3 picks up container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)', async () => {
    const r = await run('python3', ['-c', BOTO3_WHOAMI, endpoint], isolatedEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoints.ecs!.fullUri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoints.ecs!.authorizationToken,
      AWS_EC2_METADATA_DISABLED: 'true',
    }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/app-role\/[0-9a-f]{32}$/);
  });

  it('the AWS CLI picks up instance metadata credentials', async () => {
    const r = await run('aws', ['sts', 'get-caller-identity', '--endpoint-url', endpoint, '--query', 'Arn', '--output', 'text'], isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${endpoints.imds!.endpoint}/` }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /assumed-role\/app-role\/i-/);
  });
});
