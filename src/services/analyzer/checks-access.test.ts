import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../../protocol/index.js';
import { accessCheckOperations } from './checks-access.js';
import { openAnalyzerFixture, type AnalyzerFixture } from './analyzer-fixture.js';

let f: AnalyzerFixture;
before(async () => { f = await openAnalyzerFixture(); });
after(async () => { await f.close(); });

const doc = (...sts: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: sts });
const READ = doc({ Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' });
const ALL = doc({ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' });
type Out = { result: string; message: string; reasons: { description: string; statementIndex?: number; statementId?: string }[] };

describe('CheckNoNewAccess', () => {
  const cases = [
    { name: 'narrower new policy passes', existing: ALL, next: READ, result: 'PASS' },
    { name: 'wider new policy fails, naming the statement', existing: READ, next: ALL, result: 'FAIL', index: 0 },
    { name: 'outside the fragment fails as unproven', existing: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } } }), next: doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } } }), result: 'FAIL', unproven: true },
    { name: 'identical elements outside the fragment still prove PASS', existing: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } } }), next: doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } } }), result: 'PASS' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const out = await accessCheckOperations.CheckNoNewAccess(f.ctx(f.rootCaller), { existingPolicyDocument: c.existing, newPolicyDocument: c.next, policyType: 'IDENTITY_POLICY' }) as Out;
      assert.equal(out.result, c.result);
      if (c.index !== undefined) {
        assert.equal(out.message, 'The modified permissions grant new access compared to your existing policy.');
        assert.equal(out.reasons[0].statementIndex, c.index);
        assert.equal(out.reasons[0].statementId, 'All');
        assert.match(out.reasons[0].description, /^New access in the statement with index: 0\. Example request: action s3:/);
      }
      if (c.unproven) assert.match(out.message, /^Unable to prove/);
    });
  }
  it('resource policies compare principals', async () => {
    const a = doc({ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const b = doc({ Effect: 'Allow', Principal: { AWS: ['111122223333', '444455556666'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const out = await accessCheckOperations.CheckNoNewAccess(f.ctx(f.rootCaller), { existingPolicyDocument: a, newPolicyDocument: b, policyType: 'RESOURCE_POLICY' }) as Out;
    assert.equal(out.result, 'FAIL');
    assert.match(out.reasons[0].description, /444455556666/);
  });
  it('a malformed document is a ValidationException', async () => {
    await assert.rejects(accessCheckOperations.CheckNoNewAccess(f.ctx(f.rootCaller), { existingPolicyDocument: '{', newPolicyDocument: READ, policyType: 'IDENTITY_POLICY' }),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationException');
  });
  it('a user without permission gets AccessDeniedException', async () => {
    const u = await f.iamUser('nobody');
    await assert.rejects(accessCheckOperations.CheckNoNewAccess(f.ctx(u), { existingPolicyDocument: READ, newPolicyDocument: ALL, policyType: 'IDENTITY_POLICY' }),
      (e: unknown) => e instanceof AwsError && e.code === 'AccessDeniedException');
  });
  it('a user allowed access-analyzer:CheckNoNewAccess may call it', async () => {
    const u = await f.iamUser('checker', doc({ Effect: 'Allow', Action: 'access-analyzer:CheckNoNewAccess', Resource: '*' }));
    const out = await accessCheckOperations.CheckNoNewAccess(f.ctx(u), { existingPolicyDocument: READ, newPolicyDocument: READ, policyType: 'IDENTITY_POLICY' }) as Out;
    assert.equal(out.result, 'PASS');
  });
});

describe('CheckAccessNotGranted', () => {
  const cases = [
    { name: 'granted action fails', access: [{ actions: ['s3:GetObject'] }], result: 'FAIL', sids: ['Read'] },
    { name: 'action not granted passes', access: [{ actions: ['s3:PutObject'] }], result: 'PASS' },
    { name: 'resource granted fails', access: [{ resources: ['arn:aws:s3:::b/secret'] }], result: 'FAIL', sids: ['Read'] },
    { name: 'other resource passes', access: [{ resources: ['arn:aws:s3:::other/x'] }], result: 'PASS' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const out = await accessCheckOperations.CheckAccessNotGranted(f.ctx(f.rootCaller), { policyDocument: READ, access: c.access, policyType: 'IDENTITY_POLICY' }) as Out;
      assert.equal(out.result, c.result);
      if (c.sids) assert.deepEqual(out.reasons.map((r) => r.statementId), c.sids);
    });
  }
  it('an empty access entry is a ValidationException', async () => {
    await assert.rejects(accessCheckOperations.CheckAccessNotGranted(f.ctx(f.rootCaller), { policyDocument: READ, access: [{}], policyType: 'IDENTITY_POLICY' }),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationException');
  });
});

describe('CheckNoPublicAccess', () => {
  const cases = [
    { name: 'Principal * bucket policy fails', policy: doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), type: 'AWS::S3::Bucket', result: 'FAIL' },
    { name: 'org-restricted passes', policy: doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } } }), type: 'AWS::S3::Bucket', result: 'PASS' },
    { name: 'trust policy with Principal * fails', policy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }), type: 'AWS::IAM::AssumeRolePolicyDocument', result: 'FAIL' },
    { name: 'trust policy for one account passes', policy: doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }), type: 'AWS::IAM::AssumeRolePolicyDocument', result: 'PASS' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const out = await accessCheckOperations.CheckNoPublicAccess(f.ctx(f.rootCaller), { policyDocument: c.policy, resourceType: c.type }) as Out;
      assert.equal(out.result, c.result, JSON.stringify(out));
      if (c.result === 'FAIL') assert.equal(out.message, 'The resource policy grants public access for the given resource type.');
    });
  }
});
