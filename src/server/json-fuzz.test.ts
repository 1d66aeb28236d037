// Property: correctly signed JSON 1.1 (Organizations) and REST-JSON (Access Analyzer) requests
// with random targets, paths and bodies get a JSON error or a success, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadServiceModel, type ServiceModel } from '../protocol/index.js';
import { operationTable, sendRequest, startInProcessWarden, type HttpResult, type InProcessWarden } from '../../test/e2e/harness.js';

const MAX_BODY = 64 * 1024;

function echo(model: ServiceModel) {
  return operationTable(Object.fromEntries(
    Object.keys(model.operations).map((op) => [op, async (_ctx: unknown, input: Record<string, unknown>) => input]),
  ));
}

/** A body: JSON (an object usually), truncated, oversized, or not JSON at all. */
function bodyArbitrary(): fc.Arbitrary<string> {
  const json = fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: json },
    { weight: 1, arbitrary: fc.tuple(json, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))) },
    { weight: 1, arbitrary: fc.constant(`{"pad":"${'p'.repeat(MAX_BODY)}"}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 1, arbitrary: fc.constant('') },
  );
}

function assertJsonAnswer(res: HttpResult, context: string): void {
  assert.notEqual(res.status, 500, context);
  assert.ok((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500) || res.status === 501, context);
  assert.ok(typeof res.headers['x-amzn-requestid'] === 'string', context);
  if (res.status >= 400) {
    assert.ok(typeof res.headers['x-amzn-errortype'] === 'string', context);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(typeof body, 'object', context);
  } else if (res.body !== '') {
    JSON.parse(res.body);
  }
}

describe('JSON requests (property)', () => {
  let w: InProcessWarden;
  const organizations = loadServiceModel('organizations');
  const analyzer = loadServiceModel('accessanalyzer');

  before(async () => {
    w = await startInProcessWarden({ maxBodyBytes: MAX_BODY, operations: { organizations: echo(organizations), accessanalyzer: echo(analyzer) } });
  });
  after(async () => { await w.stop(); });

  it('JSON 1.1: never answers 500, always a JSON error or success', async () => {
    const ops = Object.keys(organizations.operations);
    const target = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ops).map((op) => `${organizations.metadata.targetPrefix}.${op}`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((t) => !/[\r\n\0]/.test(t) && /^[\x20-\x7e]*$/.test(t)) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    await fc.assert(
      fc.asyncProperty(target, bodyArbitrary(), async (t, body) => {
        const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
        if (t !== undefined) headers['x-amz-target'] = t;
        const res = await sendRequest(w.endpoint, { credentials: w.rootCredentials, service: 'organizations', headers, body });
        assertJsonAnswer(res, `${t} ${body.slice(0, 100)} → ${res.status} ${res.body.slice(0, 200)}`);
      }),
      { numRuns: 200, includeErrorInReport: true },
    );
  });

  it('REST-JSON: never answers 500, always a JSON error or success', async () => {
    const routes = Object.values(analyzer.operations).filter((op) => op.http).map((op) => op.http!);
    const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), fc.constantFrom('%ZZ', '%2F', '..', '%00', 'x%20y'));
    const request = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.tuple(fc.constantFrom(...routes), fc.array(segment, { minLength: 4, maxLength: 4 }), fc.boolean()).map(([http, labels, wrongMethod]) => {
          let i = 0;
          const path = http.requestUri.split('?')[0].replace(/\{[^}]+\}/g, () => labels[i++ % labels.length]);
          const query = http.requestUri.includes('?') ? `?${http.requestUri.split('?')[1]}` : '';
          return { method: wrongMethod ? 'PATCH' : http.method, path: path + query };
        }),
      },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fc.array(segment, { maxLength: 4 })).map(([method, parts]) => ({ method, path: `/${parts.join('/')}` })) },
    );
    await fc.assert(
      fc.asyncProperty(request, bodyArbitrary(), async (r, body) => {
        const res = await sendRequest(w.endpoint, {
          credentials: w.rootCredentials, service: 'access-analyzer', method: r.method, path: r.path,
          headers: { 'content-type': 'application/json' }, body: r.method === 'GET' ? '' : body,
        });
        assertJsonAnswer(res, `${r.method} ${r.path} ${body.slice(0, 100)} → ${res.status} ${res.body.slice(0, 200)}`);
      }),
      { numRuns: 200, includeErrorInReport: true },
    );
  });
});
