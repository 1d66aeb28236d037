// A real `warden serve` process, driven over HTTP: health, authentication failures, a call
// with the AWS SDK, and a graceful stop.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { queryErrorOf, queryRequest, randomCredentials, startWarden, type WardenProcess } from './harness.js';

const RUNTIME = join(dirname(fileURLToPath(import.meta.url)), '../../src/services/runtime.ts');
const skip = existsSync(RUNTIME) ? false : 'services/runtime.ts (createServiceRuntime) has not landed yet';

describe('warden serve (child process)', { skip }, () => {
  let w: WardenProcess;
  before(async () => { w = await startWarden(); });
  after(async () => { await w?.stop(); });

  it('is healthy', async () => {
    const res = await fetch(`${w.endpoint}/_warden/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  const failures = [
    {
      name: 'a wrong secret', status: 403, code: 'SignatureDoesNotMatch',
      credentials: () => ({ accessKeyId: w.rootCredentials.accessKeyId, secretAccessKey: 'not-the-secret-0123456789' }),
    },
    { name: 'no authentication', status: 403, code: 'MissingAuthenticationToken', credentials: () => undefined },
    { name: 'an unknown access key', status: 403, code: 'InvalidClientTokenId', credentials: () => randomCredentials() },
  ];
  for (const c of failures) {
    it(`answers ${c.code} for ${c.name}`, async () => {
      const res = await queryRequest(w.endpoint, { Action: 'GetUser', Version: '2010-05-08' }, { credentials: c.credentials() });
      assert.equal(res.status, c.status, res.body);
      assert.equal(res.headers['content-type'], 'text/xml');
      const err = queryErrorOf(res.body);
      assert.equal(err.code, c.code);
      assert.equal(err.requestId, res.headers['x-amzn-requestid']);
    });
  }

  it('serves GetUser to the root user through @aws-sdk/client-iam', async () => {
    const { IAMClient, GetUserCommand } = await import('@aws-sdk/client-iam');
    const client = new IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    try {
      const out = await client.send(new GetUserCommand({}));
      assert.equal(out.User?.Arn, `arn:aws:iam::${w.accountId}:root`);
      assert.equal(out.User?.UserId, w.accountId);
    } finally {
      client.destroy();
    }
  });

  it('never prints or logs the root secret it was given', () => {
    assert.ok(!w.logs().includes(w.rootCredentials.secretAccessKey));
    assert.ok(!w.output().includes(w.rootCredentials.secretAccessKey));
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    await w.stop();
    assert.equal(w.exitCode(), 0);
    assert.match(w.logs(), /"msg":"stopped"/);
  });
});
