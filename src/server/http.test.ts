import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../protocol/index.js';
import {
  operationTable, queryErrorOf, queryRequest, randomCredentials, sendRequest, startInProcessWarden, type Credentials, type InProcessWarden,
} from '../../test/e2e/harness.js';

const IAM_VERSION = '2010-05-08';
const STS_VERSION = '2011-06-15';
const ORGS_TARGET = 'AWSOrganizationsV20161128';

describe('http server', () => {
  let w: InProcessWarden;
  const logs: string[] = [];

  before(async () => {
    w = await startInProcessWarden({
      logSink: logs,
      operations: {
        iam: operationTable({
          async GetUser(ctx) {
            return { User: { UserName: 'root', UserId: ctx.caller.accountId, Arn: `arn:aws:iam::${ctx.caller.accountId}:root`, Path: '/', CreateDate: new Date(0) } };
          },
          async CreateUser(_ctx, input) {
            return { User: { UserName: input.UserName, UserId: 'AIDAEXAMPLE', Arn: 'arn', Path: '/', CreateDate: new Date(0) } };
          },
          async DeleteUser(_ctx, input) {
            throw new AwsError('NoSuchEntity', `The user with name ${String(input.UserName)} cannot be found.`, { status: 404 });
          },
          async ListUsers() {
            throw new Error('boom: a bug in an operation');
          },
        }),
        sts: operationTable({
          async GetCallerIdentity(ctx) {
            return { Account: ctx.caller.accountId, Arn: ctx.caller.principal.arn, UserId: ctx.caller.userId };
          },
          async AssumeRoleWithWebIdentity(ctx) {
            return { SubjectFromWebIdentityToken: ctx.caller.principal.kind };
          },
        }),
        organizations: operationTable({
          async DescribeOrganization() {
            throw new AwsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
          },
        }),
      },
    });
  });
  after(async () => { await w.stop(); });

  it('answers the health check without authentication', async () => {
    const res = await fetch(`${w.endpoint}/_warden/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  describe('authentication failures (Query)', () => {
    const cases: Array<{ name: string; send: () => ReturnType<typeof sendRequest>; status: number; code: string; message: RegExp }> = [
      {
        name: 'no authentication at all',
        send: () => queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }),
        status: 403, code: 'MissingAuthenticationToken', message: /^Request is missing Authentication Token$/,
      },
      {
        name: 'the wrong secret',
        send: () => queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION },
          { credentials: { accessKeyId: w.rootCredentials.accessKeyId, secretAccessKey: 'wrong-secret-0123456789' } }),
        status: 403, code: 'SignatureDoesNotMatch', message: /^The request signature we calculated does not match the signature you provided\./,
      },
      {
        name: 'an unknown access key',
        send: () => queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }, { credentials: randomCredentials() }),
        status: 403, code: 'InvalidClientTokenId', message: /^The security token included in the request is invalid\.$/,
      },
      {
        name: 'a request signed 20 minutes ago',
        send: () => queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION },
          { credentials: w.rootCredentials, now: new Date(Date.now() - 20 * 60_000) }),
        status: 403, code: 'SignatureDoesNotMatch', message: /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
      },
      {
        name: 'an Authorization header without Signature',
        send: () => queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }, {
          headers: { authorization: `AWS4-HMAC-SHA256 Credential=${w.rootCredentials.accessKeyId}/20240101/us-east-1/iam/aws4_request, SignedHeaders=host`, 'x-amz-date': '20240101T000000Z' },
        }),
        status: 400, code: 'IncompleteSignature', message: /Authorization header requires 'Signature' parameter\./,
      },
      {
        name: 'a body that differs from the signed one',
        send: async () => {
          const { signRequest } = await import('../sigv4/index.js');
          const url = new URL(w.endpoint);
          const signed = signRequest({ method: 'POST', path: '/', query: '', headers: { host: url.host }, body: 'Action=GetUser&Version=2010-05-08' },
            { ...w.rootCredentials, region: 'us-east-1', service: 'iam' });
          return sendRequest(w.endpoint, { headers: { ...signed, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListUsers&Version=2010-05-08' });
        },
        status: 403, code: 'SignatureDoesNotMatch', message: /^The request signature we calculated/,
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        const res = await c.send();
        assert.equal(res.status, c.status, res.body);
        assert.equal(res.headers['content-type'], 'text/xml');
        const err = queryErrorOf(res.body);
        assert.equal(err.code, c.code);
        assert.match(err.message ?? '', c.message);
        assert.ok(res.body.startsWith('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'), res.body);
        assert.equal(err.requestId, res.headers['x-amzn-requestid']);
      });
    }
  });

  describe('authentication failures (JSON 1.1)', () => {
    const cases = [
      { name: 'an unknown access key', credentials: () => randomCredentials(), type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
      { name: 'the wrong secret', credentials: () => ({ accessKeyId: w.rootCredentials.accessKeyId, secretAccessKey: 'wrong-secret-0123456789' }), type: 'InvalidSignatureException', message: undefined },
      { name: 'no authentication', credentials: () => undefined, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
    ];
    for (const c of cases) {
      it(`answers ${c.type} for ${c.name}`, async () => {
        const res = await sendRequest(w.endpoint, {
          credentials: c.credentials(), service: 'organizations',
          headers: { 'x-amz-target': `${ORGS_TARGET}.DescribeOrganization`, 'content-type': 'application/x-amz-json-1.1' },
          body: '{}',
        });
        assert.equal(res.status, 403);
        assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
        const body = JSON.parse(res.body) as Record<string, string>;
        assert.equal(body.__type, c.type);
        assert.equal(res.headers['x-amzn-errortype'], c.type);
        if (c.message !== undefined) assert.equal(body.message ?? body.Message, c.message);
      });
    }
  });

  it('runs a signed Query operation and answers XML with the request id', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }, { credentials: w.rootCredentials });
    assert.equal(res.status, 200, res.body);
    const id = String(res.headers['x-amzn-requestid']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.ok(res.body.startsWith('<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User>'), res.body);
    assert.ok(res.body.includes(`<UserId>${w.accountId}</UserId>`));
    assert.ok(res.body.endsWith(`<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></GetUserResponse>`));
  });

  it('accepts GET with the parameters in the query string', async () => {
    const res = await sendRequest(w.endpoint, { method: 'GET', path: `/?Action=GetUser&Version=${IAM_VERSION}`, credentials: w.rootCredentials });
    assert.equal(res.status, 200, res.body);
    assert.ok(res.body.includes('<GetUserResult>'));
  });

  it('gives the operation the caller and the request facts', async () => {
    const before = w.contexts.length;
    await queryRequest(w.endpoint, { Action: 'GetCallerIdentity', Version: STS_VERSION }, { credentials: w.rootCredentials, service: 'sts', region: 'eu-west-1', headers: { 'user-agent': 'test-agent/1' } });
    const { caller, request } = w.contexts[before];
    assert.equal(caller.accessKeyId, w.rootCredentials.accessKeyId);
    assert.equal(caller.principal.kind, 'root');
    assert.equal(request.sourceIp, '127.0.0.1');
    assert.equal(request.region, 'eu-west-1');
    assert.equal(request.userAgent, 'test-agent/1');
    assert.equal(request.secureTransport, false);
  });

  it('waits for afterWrite after a write, not after a read', async () => {
    const start = w.afterWrites();
    await queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }, { credentials: w.rootCredentials });
    assert.equal(w.afterWrites(), start);
    const res = await queryRequest(w.endpoint, { Action: 'CreateUser', Version: IAM_VERSION, UserName: 'alice' }, { credentials: w.rootCredentials });
    assert.equal(res.status, 200, res.body);
    assert.equal(w.afterWrites(), start + 1);
  });

  it('renders an AwsError thrown by an operation', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'DeleteUser', Version: IAM_VERSION, UserName: 'bob' }, { credentials: w.rootCredentials });
    assert.equal(res.status, 404);
    assert.deepEqual(queryErrorOf(res.body), { code: 'NoSuchEntity', message: 'The user with name bob cannot be found.', requestId: res.headers['x-amzn-requestid'] });
  });

  it('renders an AwsError of a JSON service with its model', async () => {
    const res = await sendRequest(w.endpoint, {
      credentials: w.rootCredentials, service: 'organizations',
      headers: { 'x-amz-target': `${ORGS_TARGET}.DescribeOrganization`, 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { __type: 'AWSOrganizationsNotInUseException', Message: 'Your account is not a member of an organization.' });
  });

  it('answers a bug with InternalFailure 500 and logs it with the request id', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'ListUsers', Version: IAM_VERSION }, { credentials: w.rootCredentials });
    assert.equal(res.status, 500);
    const err = queryErrorOf(res.body);
    assert.equal(err.code, 'InternalFailure');
    assert.equal(err.message, 'The request processing has failed because of an unknown error, exception or failure.');
    assert.ok(!res.body.includes('boom'));
    assert.ok(res.body.includes('<Type>Receiver</Type>'));
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'unhandled error' && l.requestId === res.headers['x-amzn-requestid']);
    assert.ok(line, 'the bug is logged with the request id');
    assert.match(String(line.error), /boom/);
  });

  const protocolErrors: Array<{ name: string; params: Record<string, string>; status: number; code: string; message: string | undefined }> = [
    { name: 'an unknown Action', params: { Action: 'NoSuchThing', Version: IAM_VERSION }, status: 400, code: 'InvalidAction', message: 'Could not find operation NoSuchThing for version 2010-05-08' },
    { name: 'a missing Action', params: { Version: IAM_VERSION }, status: 400, code: 'MissingAction', message: 'Missing Action' },
    { name: 'an operation the runtime does not serve', params: { Action: 'CreateGroup', Version: IAM_VERSION, GroupName: 'g' }, status: 501, code: 'NotImplemented', message: 'operation `CreateGroup` is not implemented by warden' },
    { name: 'a missing required member', params: { Action: 'CreateUser', Version: IAM_VERSION }, status: 400, code: 'ValidationError', message: undefined },
  ];
  for (const c of protocolErrors) {
    it(`answers ${c.code} for ${c.name}`, async () => {
      const res = await queryRequest(w.endpoint, c.params, { credentials: w.rootCredentials });
      assert.equal(res.status, c.status, res.body);
      const err = queryErrorOf(res.body);
      assert.equal(err.code, c.code);
      if (c.message !== undefined) assert.equal(err.message, c.message);
    });
  }

  it('answers UnknownOperationException for an unknown X-Amz-Target', async () => {
    const res = await sendRequest(w.endpoint, {
      credentials: w.rootCredentials, service: 'organizations',
      headers: { 'x-amz-target': `${ORGS_TARGET}.NoSuchOperation`, 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).__type, 'com.amazon.coral.service#UnknownOperationException');
  });

  describe('REST-JSON (Access Analyzer)', () => {
    const validatePolicy = (credentials: Credentials | undefined, path = '/policy/validation') => sendRequest(w.endpoint, {
      credentials, service: 'access-analyzer', path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policyDocument: '{}', policyType: 'IDENTITY_POLICY' }),
    });

    it('answers UnrecognizedClientException for an unknown key', async () => {
      const res = await validatePolicy(randomCredentials());
      assert.equal(res.status, 403);
      assert.equal(res.headers['x-amzn-errortype'], 'UnrecognizedClientException');
      assert.equal(JSON.parse(res.body).message, 'The security token included in the request is invalid.');
    });

    it('answers NotImplemented for an operation the runtime does not serve', async () => {
      const res = await validatePolicy(w.rootCredentials);
      assert.equal(res.status, 501, res.body);
      assert.equal(res.headers['x-amzn-errortype'], 'NotImplemented');
      assert.equal(JSON.parse(res.body).message, 'operation `ValidatePolicy` is not implemented by warden');
    });

    it('answers UnknownOperationException 404 for a path no operation has', async () => {
      const res = await validatePolicy(w.rootCredentials, '/no/such/path');
      assert.equal(res.status, 404, res.body);
      assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException');
    });
  });

  it('answers NotImplemented for a service Warden does not serve', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'ListBuckets' }, { credentials: w.rootCredentials, service: 's3' });
    assert.equal(res.status, 501);
    assert.deepEqual(queryErrorOf(res.body).code, 'NotImplemented');
  });

  it('lets the unsigned STS operations through with the anonymous caller', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'AssumeRoleWithWebIdentity', Version: STS_VERSION, RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 'session', WebIdentityToken: 'x'.repeat(10) });
    assert.equal(res.status, 200, res.body);
    assert.ok(res.body.startsWith('<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'), res.body);
    assert.ok(res.body.includes('<SubjectFromWebIdentityToken>anonymous</SubjectFromWebIdentityToken>'));
  });

  it('does not let other unsigned STS operations through, and answers in STS\'s namespace', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'GetCallerIdentity', Version: STS_VERSION });
    assert.equal(res.status, 403);
    assert.equal(queryErrorOf(res.body).code, 'MissingAuthenticationToken');
    assert.ok(res.body.startsWith('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'), res.body);
  });

  it('accepts a presigned GET', async () => {
    const { presignUrl } = await import('../sigv4/index.js');
    const url = new URL(w.endpoint);
    const query = presignUrl({ method: 'GET', path: '/', query: `Action=GetUser&Version=${IAM_VERSION}`, headers: { host: url.host }, body: '' },
      { ...w.rootCredentials, region: 'us-east-1', service: 'iam', expiresSeconds: 60 });
    const res = await sendRequest(w.endpoint, { method: 'GET', path: `/?${query}` });
    assert.equal(res.status, 200, res.body);
    assert.ok(res.body.includes('<GetUserResult>'));
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await queryRequest(w.endpoint, { Action: 'CreateUser', Version: IAM_VERSION, UserName: 'x'.repeat(1024 * 1024 + 10) }, { credentials: w.rootCredentials });
    assert.equal(res.status, 413);
    assert.equal(queryErrorOf(res.body).code, 'RequestEntityTooLargeException');
  });

  it('logs one line per request without secrets or bodies', async () => {
    const marker = 'secret-body-marker-123';
    await queryRequest(w.endpoint, { Action: 'CreateUser', Version: IAM_VERSION, UserName: marker }, { credentials: w.rootCredentials });
    const text = logs.join('');
    assert.ok(!text.includes(marker));
    assert.ok(!text.includes(w.rootCredentials.secretAccessKey));
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request' && l.operation === 'CreateUser');
    const last = lines.at(-1);
    assert.ok(last);
    for (const field of ['time', 'requestId', 'service', 'operation', 'status', 'ms', 'accessKeyId', 'sourceIp']) assert.ok(field in last, field);
    assert.equal(last.accessKeyId, w.rootCredentials.accessKeyId);
  });
});

describe('http server before the runtime is set', () => {
  it('answers health 503 and API calls ServiceUnavailable', async () => {
    const { createWardenServer } = await import('./http.js');
    const { silentLogger } = await import('./log.js');
    const server = createWardenServer({ logger: silentLogger() });
    const address = await server.listen(0, '127.0.0.1');
    try {
      const endpoint = `http://127.0.0.1:${address.port}`;
      const health = await fetch(`${endpoint}/_warden/health`);
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), { status: 'starting' });
      const res = await queryRequest(endpoint, { Action: 'GetUser', Version: IAM_VERSION }, { credentials: randomCredentials() });
      assert.equal(res.status, 503);
      assert.equal(queryErrorOf(res.body).code, 'ServiceUnavailable');
    } finally {
      await server.close(100);
    }
  });
});

describe('http server shutdown', () => {
  it('finishes requests in flight, then refuses new connections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    const w = await startInProcessWarden({
      operations: {
        iam: operationTable({
          async GetUser() {
            entered();
            await gate;
            return { User: { UserName: 'slow', UserId: 'AIDAEXAMPLE', Arn: 'arn', Path: '/', CreateDate: new Date(0) } };
          },
        }),
      },
    });
    const pending = queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }, { credentials: w.rootCredentials });
    await inside;
    const stopping = w.stop();
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(fetch(`${w.endpoint}/_warden/health`));
    release();
    const res = await pending;
    assert.equal(res.status, 200, res.body);
    assert.ok(res.body.includes('<UserName>slow</UserName>'));
    await stopping;
  });
});

describe('http server and oversized bodies', () => {
  it('answers 413 to oversized bodies without resetting kept-alive connections', async () => {
    const w = await startInProcessWarden({ maxBodyBytes: 4096 });
    try {
      for (let i = 0; i < 20; i++) {
        const big = await queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION, Pad: 'x'.repeat(4096 * (1 + (i % 3))) }, { credentials: w.rootCredentials });
        assert.equal(big.status, 413);
        const small = await queryRequest(w.endpoint, { Action: 'GetUser', Version: IAM_VERSION }, { credentials: w.rootCredentials });
        assert.equal(small.status, 501, small.body);
      }
    } finally {
      await w.stop();
    }
  });
});

describe('http server and malformed HTTP', () => {
  it('answers 431 to headers over the limit and 400 to garbage, and keeps serving', async () => {
    const { connect } = await import('node:net');
    const w = await startInProcessWarden();
    const raw = (text: string) => new Promise<string>((resolve, reject) => {
      const url = new URL(w.endpoint);
      const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
      let got = '';
      socket.setEncoding('utf8').on('data', (d: string) => { got += d; }).on('end', () => resolve(got)).on('error', reject);
    });
    try {
      assert.match(await raw(`GET /?X=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      assert.match(await raw('NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
      const res = await fetch(`${w.endpoint}/_warden/health`);
      assert.equal(res.status, 200);
    } finally {
      await w.stop();
    }
  });
});
