// The audit hook through a real HTTP server and the real services runtime: every kind of
// answered call is recorded before its answer (allowed, denied, failed authentication, failed
// validation, unsigned, JSON services), secrets never reach events or logs, and a failed append
// turns the answer into 500 InternalFailure without the operation's response.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSecretBox, verifyMasterKey } from '../../crypto/secrets.js';
import { bootstrap } from '../../server/bootstrap.js';
import { createWardenServer, type WardenServer } from '../../server/http.js';
import { createLogger } from '../../server/log.js';
import { openStore, type Store, type StoredEvent } from '../../store/index.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import { queryErrorOf, queryRequest, randomCredentials, sendRequest, type Credentials } from '../../../test/e2e/harness.js';
import type { ChainedEventData } from './chain.js';
import type { CloudTrailRecord } from './record.js';
import { verifyStoreChain } from './verify.js';

const V = '2010-05-08';

describe('audit through the HTTP server', () => {
  let dir: string;
  let store: Store;
  let runtime: ServiceRuntime;
  let server: WardenServer;
  let endpoint: string;
  let root: Credentials;
  let accountId: string;
  const logs: string[] = [];
  const secrets: string[] = [];

  const iam = (params: Record<string, string>, credentials: Credentials | null = root) => queryRequest(endpoint, { Version: V, ...params }, { credentials: credentials ?? undefined });
  const xml = (body: string, tag: string): string => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1] ?? '';
  /** The stored event of a response (by its request id); it must exist as soon as the response arrived. */
  async function eventOf(res: { headers: Record<string, string | string[] | undefined> }): Promise<CloudTrailRecord> {
    const requestId = res.headers['x-amzn-requestid'];
    const all = await store.readEvents({ limit: 100000 });
    const found = all.filter((e) => ((e.data as ChainedEventData).event as unknown as CloudTrailRecord).requestID === requestId);
    assert.equal(found.length, 1, `one event for request ${String(requestId)}`);
    return (found[0].data as ChainedEventData).event as unknown as CloudTrailRecord;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-audit-http-'));
    store = await openStore({ dataDir: dir });
    const masterKey = randomBytes(32);
    await verifyMasterKey(store, masterKey);
    const box = createSecretBox(masterKey);
    root = randomCredentials();
    secrets.push(root.secretAccessKey);
    server = createWardenServer({ logger: createLogger({ level: 'debug', sink: { write: (t: string) => logs.push(t) } }) });
    const address = await server.listen(0, '127.0.0.1');
    endpoint = `http://127.0.0.1:${address.port}`;
    const boot = await bootstrap({ store, secrets: box, dataDir: dir, endpoint, env: { WARDEN_ROOT_ACCESS_KEY_ID: root.accessKeyId, WARDEN_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey } });
    accountId = boot.accountId;
    runtime = await createServiceRuntime({ store, secrets: box, accountId, audit: true });
    server.setRuntime(runtime);
  });
  after(async () => {
    await server.close(1000);
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records an allowed call before answering, with the request id and response elements', async () => {
    const res = await iam({ Action: 'CreateUser', UserName: 'bob' });
    assert.equal(res.status, 200);
    const e = await eventOf(res);
    assert.equal(e.eventName, 'CreateUser');
    assert.equal(e.eventSource, 'iam.amazonaws.com');
    assert.equal(e.userIdentity.type, 'Root');
    assert.equal(e.userIdentity.accessKeyId, root.accessKeyId);
    assert.deepEqual(e.requestParameters, { userName: 'bob' });
    assert.equal((e.responseElements as { user: { userName: string } }).user.userName, 'bob');
    assert.equal(e.errorCode, undefined);
    assert.equal(e.recipientAccountId, accountId);
    assert.equal(e.sourceIPAddress, '127.0.0.1');
  });

  it('keeps every secret out of events and logs (keys, passwords, session credentials)', async () => {
    const key = await iam({ Action: 'CreateAccessKey', UserName: 'bob' });
    assert.equal(key.status, 200);
    const bob: Credentials = { accessKeyId: xml(key.body, 'AccessKeyId'), secretAccessKey: xml(key.body, 'SecretAccessKey') };
    assert.ok(bob.secretAccessKey.length >= 40);
    secrets.push(bob.secretAccessKey);
    const password = `Pw-${randomBytes(12).toString('hex')}!A`;
    secrets.push(password);
    assert.equal((await iam({ Action: 'CreateLoginProfile', UserName: 'bob', Password: password })).status, 200);
    const password2 = `Pw-${randomBytes(12).toString('hex')}!B`;
    secrets.push(password2);
    const upd = await iam({ Action: 'UpdateLoginProfile', UserName: 'bob', Password: password2 });
    assert.equal((await eventOf(upd)).requestParameters && ((await eventOf(upd)).requestParameters as Record<string, unknown>).password, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    // A password that fails validation (too long) is not echoed either.
    const longPassword = 'L' + randomBytes(80).toString('hex');
    secrets.push(longPassword);
    const bad = await iam({ Action: 'CreateLoginProfile', UserName: 'bob', Password: longPassword });
    assert.equal(bad.status, 400);
    // Session credentials from STS.
    const session = await queryRequest(endpoint, { Action: 'GetSessionToken', Version: '2011-06-15' }, { credentials: bob, service: 'sts' });
    assert.equal(session.status, 200, session.body);
    {
      const temp: Credentials = { accessKeyId: xml(session.body, 'AccessKeyId'), secretAccessKey: xml(session.body, 'SecretAccessKey'), sessionToken: xml(session.body, 'SessionToken') };
      secrets.push(temp.secretAccessKey, temp.sessionToken!);
      const e = await eventOf(session);
      assert.equal((e.responseElements as { credentials: Record<string, unknown> }).credentials.accessKeyId, temp.accessKeyId);
      const used = await queryRequest(endpoint, { Action: 'GetCallerIdentity', Version: '2011-06-15' }, { credentials: temp, service: 'sts' });
      assert.equal(used.status, 200);
      const ue = await eventOf(used);
      assert.equal(ue.userIdentity.type, 'IAMUser');
      assert.equal(ue.userIdentity.accessKeyId, temp.accessKeyId);
      assert.equal(ue.userIdentity.sessionContext?.attributes.mfaAuthenticated, 'false');
    }
    const stored = JSON.stringify(await store.readEvents({ limit: 100000 }));
    const logged = logs.join('');
    for (const s of secrets) {
      assert.ok(!stored.includes(s), 'a secret is in a stored event');
      assert.ok(!logged.includes(s), 'a secret is in the log');
    }
    assert.ok(stored.includes('HIDDEN_DUE_TO_SECURITY_REASONS'));
  });

  it('records a denied call with AccessDenied and the caller', async () => {
    await iam({ Action: 'CreateUser', UserName: 'dave' });
    const key = await iam({ Action: 'CreateAccessKey', UserName: 'dave' });
    const dave: Credentials = { accessKeyId: xml(key.body, 'AccessKeyId'), secretAccessKey: xml(key.body, 'SecretAccessKey') };
    const res = await iam({ Action: 'DeleteUser', UserName: 'bob' }, dave);
    assert.equal(res.status, 403);
    const e = await eventOf(res);
    assert.equal(e.errorCode, 'AccessDenied');
    assert.match(e.errorMessage ?? '', /is not authorized to perform: iam:DeleteUser/);
    assert.equal(e.userIdentity.type, 'IAMUser');
    assert.equal(e.userIdentity.userName, 'dave');
    assert.deepEqual(e.requestParameters, { userName: 'bob' });
    assert.equal(e.responseElements, null);
  });

  const authFailures: Array<{ name: string; credentials: () => Credentials | null; code: string; identity: string; account: () => string }> = [
    { name: 'wrong secret (SignatureDoesNotMatch) names the key owner', credentials: () => ({ accessKeyId: root.accessKeyId, secretAccessKey: 'wrong-secret-0000000000000000000000000' }), code: 'SignatureDoesNotMatch', identity: 'Root', account: () => accountId },
    { name: 'unknown key (InvalidClientTokenId)', credentials: () => ({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) }), code: 'InvalidClientTokenId', identity: 'Unknown', account: () => accountId },
    { name: 'unsigned (MissingAuthenticationToken)', credentials: () => null, code: 'MissingAuthenticationToken', identity: 'Unknown', account: () => accountId },
  ];
  for (const c of authFailures) {
    it(`records failed authentication: ${c.name}`, async () => {
      const res = await iam({ Action: 'ListUsers' }, c.credentials());
      assert.equal(res.status, 403);
      assert.equal(queryErrorOf(res.body).code, c.code);
      const e = await eventOf(res);
      assert.equal(e.errorCode, c.code);
      assert.equal(e.eventName, 'ListUsers');
      assert.equal(e.userIdentity.type, c.identity);
      assert.equal(e.recipientAccountId, c.account());
      assert.equal(e.requestParameters, null);
    });
  }

  it('records failed validation', async () => {
    const res = await iam({ Action: 'CreateUser' });
    assert.equal(res.status, 400);
    const e = await eventOf(res);
    assert.equal(e.eventName, 'CreateUser');
    assert.equal(e.errorCode, queryErrorOf(res.body).code);
    assert.equal(e.userIdentity.type, 'Root');
  });

  it('records JSON 1.1 calls (CloudTrail LookupEvents) under their event source', async () => {
    const res = await sendRequest(endpoint, {
      credentials: root, service: 'cloudtrail',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
      body: JSON.stringify({ MaxResults: 5, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteUser' }] }),
    });
    assert.equal(res.status, 200, res.body);
    const out = JSON.parse(res.body) as { Events: Array<{ EventName: string; CloudTrailEvent: string }> };
    assert.equal(out.Events.length, 1);
    assert.equal((JSON.parse(out.Events[0].CloudTrailEvent) as CloudTrailRecord).errorCode, 'AccessDenied');
    const e = await eventOf(res);
    assert.equal(e.eventSource, 'cloudtrail.amazonaws.com');
    assert.equal(e.readOnly, true);
    assert.deepEqual(e.requestParameters, { maxResults: 5, lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'DeleteUser' }] });
  });

  it('every event so far forms one intact chain', async () => {
    const v = await verifyStoreChain(store);
    assert.ok(v.ok);
    assert.ok(v.count >= 12);
  });

  it('a failed append fails the request: 500 InternalFailure, the operation\'s answer never sent', async () => {
    server.setRuntime({ ...runtime, audit: { enabled: true, record: () => Promise.reject(new Error('disk I/O error')) } });
    try {
      const res = await iam({ Action: 'CreateAccessKey', UserName: 'dave' });
      assert.equal(res.status, 500);
      assert.equal(queryErrorOf(res.body).code, 'InternalFailure');
      assert.ok(!res.body.includes('SecretAccessKey'));
      assert.ok(!res.body.includes('AKIA'));
      assert.ok(logs.some((l) => l.includes('audit write failed') && l.includes('disk I/O error')));
    } finally {
      server.setRuntime(runtime);
    }
  });

  it('WARDEN_AUDIT=off (audit: false) records nothing', async () => {
    const off = await createServiceRuntime({ store, secrets: runtime.secrets, accountId, audit: false });
    server.setRuntime(off);
    try {
      const before: StoredEvent[] = await store.readEvents({ limit: 100000 });
      assert.equal((await iam({ Action: 'ListUsers' })).status, 200);
      assert.equal((await store.readEvents({ limit: 100000 })).length, before.length);
    } finally {
      server.setRuntime(runtime);
      await off.close();
    }
  });
});
