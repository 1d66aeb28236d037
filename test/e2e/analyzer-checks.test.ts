// Access Analyzer's custom policy checks end to end, through a real `warden serve`,
// @aws-sdk/client-accessanalyzer and the AWS CLI: CheckNoNewAccess, CheckAccessNotGranted and
// CheckNoPublicAccess decided by the reasoner, with AWS's result / message / reasons shapes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as AA from '@aws-sdk/client-accessanalyzer';
import { awsCli } from './aws-cli.js';
import { startWarden, type WardenProcess } from './harness.js';

const doc = (...sts: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: sts });
const READ = doc({ Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' });
const MORE = doc({ Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' }, { Sid: 'Write', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/in/*' });

describe('Access Analyzer custom policy checks end to end (SDK and AWS CLI)', () => {
  let w: WardenProcess;
  let aa: AA.AccessAnalyzerClient;

  const { must } = awsCli(() => w.endpoint);

  before(async () => {
    w = await startWarden();
    aa = new AA.AccessAnalyzerClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
  });
  after(async () => { await w?.stop(); });

  it('CheckNoNewAccess: FAIL names the new statement; PASS the other way', async () => {
    const fail = await aa.send(new AA.CheckNoNewAccessCommand({ existingPolicyDocument: READ, newPolicyDocument: MORE, policyType: 'IDENTITY_POLICY' }));
    assert.equal(fail.result, 'FAIL');
    assert.equal(fail.message, 'The modified permissions grant new access compared to your existing policy.');
    assert.equal(fail.reasons?.[0].statementIndex, 1);
    assert.equal(fail.reasons?.[0].statementId, 'Write');
    const pass = await aa.send(new AA.CheckNoNewAccessCommand({ existingPolicyDocument: MORE, newPolicyDocument: READ, policyType: 'IDENTITY_POLICY' }));
    assert.equal(pass.result, 'PASS');
  });

  it('CheckAccessNotGranted and CheckNoPublicAccess', async () => {
    const granted = await aa.send(new AA.CheckAccessNotGrantedCommand({ policyDocument: MORE, access: [{ actions: ['s3:PutObject'] }], policyType: 'IDENTITY_POLICY' }));
    assert.equal(granted.result, 'FAIL');
    assert.deepEqual(granted.reasons?.map((r) => r.statementId), ['Write']);
    const notGranted = await aa.send(new AA.CheckAccessNotGrantedCommand({ policyDocument: READ, access: [{ actions: ['s3:PutObject'] }], policyType: 'IDENTITY_POLICY' }));
    assert.equal(notGranted.result, 'PASS');
    const pub = await aa.send(new AA.CheckNoPublicAccessCommand({ policyDocument: doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), resourceType: 'AWS::S3::Bucket' }));
    assert.equal(pub.result, 'FAIL');
  });

  it('aws accessanalyzer check-no-new-access / check-access-not-granted', async () => {
    const out = await must(w.rootCredentials, 'accessanalyzer', 'check-no-new-access', '--existing-policy-document', READ, '--new-policy-document', MORE, '--policy-type', 'IDENTITY_POLICY') as { result: string; reasons: { statementIndex: number }[] };
    assert.equal(out.result, 'FAIL');
    assert.equal(out.reasons[0].statementIndex, 1);
    const out2 = await must(w.rootCredentials, 'accessanalyzer', 'check-access-not-granted', '--policy-document', READ, '--access', 'actions=s3:PutObject', '--policy-type', 'IDENTITY_POLICY');
    assert.equal(out2.result, 'PASS');
  });
});
