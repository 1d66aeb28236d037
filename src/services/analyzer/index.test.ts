import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import { bootstrap } from '../../server/bootstrap.js';
import { openStore, type Store } from '../../store/index.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import type { Caller } from '../types.js';
import { iamOperations } from '../iam/index.js';
import { analyzerOperations } from './index.js';

let dir: string;
let store: Store;
let runtime: ServiceRuntime;
let root: Caller;
const secrets = createSecretBox(randomBytes(32));

const ctxOf = (caller: Caller) => runtime.createContext(caller, { requestId: randomUUID(), sourceIp: '192.0.2.1', region: 'us-east-1', secureTransport: true, now: new Date() });

async function userCaller(name: string, policy?: string): Promise<Caller> {
  const ctx = ctxOf(root);
  await iamOperations.CreateUser(ctx, { UserName: name });
  if (policy) await iamOperations.PutUserPolicy(ctx, { UserName: name, PolicyName: 'p', PolicyDocument: policy });
  const out = await iamOperations.CreateAccessKey(ctx, { UserName: name }) as { AccessKey: { AccessKeyId: string } };
  await runtime.afterWrite();
  const r = await runtime.resolveCredentials(out.AccessKey.AccessKeyId, undefined, new Date());
  assert.ok(r.ok);
  return r.caller;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-analyzer-'));
  store = await openStore(dir);
  const boot = await bootstrap({ store, secrets, dataDir: dir, endpoint: 'http://127.0.0.1:0', env: {} });
  runtime = await createServiceRuntime({ store, secrets });
  const r = await runtime.resolveCredentials(boot.generated!.accessKeyId, undefined, new Date());
  assert.ok(r.ok);
  root = r.caller;
});

after(async () => {
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const BAD = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['s3:GetObjectt', 'sss:X', 'iam:PassRole'], Resource: '*' }] });

describe('ValidatePolicy operation', () => {
  it('is wired in the runtime as operations.accessanalyzer', () => {
    assert.equal(runtime.operations.accessanalyzer?.ValidatePolicy, analyzerOperations.ValidatePolicy);
  });

  it('root gets every finding in document order', async () => {
    const out = await analyzerOperations.ValidatePolicy(ctxOf(root), { policyDocument: BAD, policyType: 'IDENTITY_POLICY' }) as { findings: { issueCode: string }[]; nextToken?: string };
    assert.deepEqual(out.findings.map((f) => f.issueCode), ['MISSING_VERSION', 'INVALID_ACTION', 'INVALID_SERVICE_IN_ACTION', 'PASS_ROLE_WITH_STAR_IN_RESOURCE']);
    assert.equal(out.nextToken, undefined);
  });

  it('pages with maxResults and nextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await analyzerOperations.ValidatePolicy(ctxOf(root), { policyDocument: BAD, policyType: 'IDENTITY_POLICY', maxResults: 3, ...(token ? { nextToken: token } : {}) }) as { findings: { issueCode: string }[]; nextToken?: string };
      seen.push(...out.findings.map((f) => f.issueCode));
      token = out.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.equal(seen.length, 4);
    await assert.rejects(analyzerOperations.ValidatePolicy(ctxOf(root), { policyDocument: BAD, policyType: 'IDENTITY_POLICY', nextToken: 'garbage' }),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationException');
  });

  it('a user without access-analyzer:ValidatePolicy gets AccessDeniedException; with it, findings', async () => {
    const denied = await userCaller('no-perms');
    await assert.rejects(analyzerOperations.ValidatePolicy(ctxOf(denied), { policyDocument: BAD, policyType: 'IDENTITY_POLICY' }), (e: unknown) => {
      assert.ok(e instanceof AwsError);
      assert.equal(e.code, 'AccessDeniedException');
      assert.match(e.message, /is not authorized to perform: access-analyzer:ValidatePolicy/);
      return true;
    });
    const allowed = await userCaller('validator', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'access-analyzer:ValidatePolicy', Resource: '*' }] }));
    const out = await analyzerOperations.ValidatePolicy(ctxOf(allowed), { policyDocument: '{', policyType: 'IDENTITY_POLICY' }) as { findings: { issueCode: string }[] };
    assert.deepEqual(out.findings.map((f) => f.issueCode), ['JSON_SYNTAX_ERROR']);
  });
});
