import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../../protocol/index.js';
import { analyzerOperations } from './index.js';
import { openAnalyzerFixture, type AnalyzerFixture } from './analyzer-fixture.js';

let f: AnalyzerFixture;
before(async () => { f = await openAnalyzerFixture(); });
after(async () => { await f.close(); });

const BAD = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['s3:GetObjectt', 'sss:X', 'iam:PassRole'], Resource: '*' }] });

describe('ValidatePolicy operation', () => {
  it('is wired in the runtime as operations.accessanalyzer', () => {
    assert.equal(f.runtime.operations.accessanalyzer?.ValidatePolicy, analyzerOperations.ValidatePolicy);
  });

  it('root gets every finding in document order', async () => {
    const out = await analyzerOperations.ValidatePolicy(f.ctx(f.rootCaller), { policyDocument: BAD, policyType: 'IDENTITY_POLICY' }) as { findings: { issueCode: string }[]; nextToken?: string };
    assert.deepEqual(out.findings.map((f) => f.issueCode), ['MISSING_VERSION', 'INVALID_ACTION', 'INVALID_SERVICE_IN_ACTION', 'PASS_ROLE_WITH_STAR_IN_RESOURCE']);
    assert.equal(out.nextToken, undefined);
  });

  it('pages with maxResults and nextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await analyzerOperations.ValidatePolicy(f.ctx(f.rootCaller), { policyDocument: BAD, policyType: 'IDENTITY_POLICY', maxResults: 3, ...(token ? { nextToken: token } : {}) }) as { findings: { issueCode: string }[]; nextToken?: string };
      seen.push(...out.findings.map((f) => f.issueCode));
      token = out.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.equal(seen.length, 4);
    await assert.rejects(analyzerOperations.ValidatePolicy(f.ctx(f.rootCaller), { policyDocument: BAD, policyType: 'IDENTITY_POLICY', nextToken: 'garbage' }),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationException');
  });

  it('a user without access-analyzer:ValidatePolicy gets AccessDeniedException; with it, findings', async () => {
    const denied = await f.iamUser('no-perms');
    await assert.rejects(analyzerOperations.ValidatePolicy(f.ctx(denied), { policyDocument: BAD, policyType: 'IDENTITY_POLICY' }), (e: unknown) => {
      assert.ok(e instanceof AwsError);
      assert.equal(e.code, 'AccessDeniedException');
      assert.match(e.message, /is not authorized to perform: access-analyzer:ValidatePolicy/);
      return true;
    });
    const allowed = await f.iamUser('validator', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'access-analyzer:ValidatePolicy', Resource: '*' }] }));
    const out = await analyzerOperations.ValidatePolicy(f.ctx(allowed), { policyDocument: '{', policyType: 'IDENTITY_POLICY' }) as { findings: { issueCode: string }[] };
    assert.deepEqual(out.findings.map((f) => f.issueCode), ['JSON_SYNTAX_ERROR']);
  });
});
