// IAM Access Analyzer ValidatePolicy end to end with the AWS CLI against a real `warden serve`:
// `aws accessanalyzer validate-policy --policy-document file://… --policy-type …` gets AWS's
// finding shapes (issue code, type, learn-more link, path and span), pages with --max-items, and
// a user without access-analyzer:ValidatePolicy gets AccessDeniedException.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startWarden, type WardenProcess } from './harness.js';
import { awsCli, hasAwsCli } from './aws-cli.js';

const hasCli = hasAwsCli;

type Creds = { AccessKeyId: string; SecretAccessKey: string };
interface Finding {
  issueCode: string; findingType: string; findingDetails: string; learnMoreLink: string;
  locations: { path: ({ value: string } | { index: number })[]; span: { start: { line: number; column: number; offset: number }; end: { line: number; column: number; offset: number } } }[];
}

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObjectt", "iam:PassRole"],
      "Resource": "*"
    }
  ]
}`;

describe('Access Analyzer ValidatePolicy end to end (AWS CLI)', { skip: hasCli ? false : 'the AWS CLI is not installed' }, () => {
  let w: WardenProcess;
  let dir: string;
  let root: Creds;

  const { aws, must } = awsCli(() => w.endpoint);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-analyzer-e2e-'));
    writeFileSync(join(dir, 'policy.json'), POLICY);
    writeFileSync(join(dir, 'broken.json'), '{"Version": "2012-10-17",\n "Statement": [');
    w = await startWarden();
    root = { AccessKeyId: w.rootCredentials.accessKeyId, SecretAccessKey: w.rootCredentials.secretAccessKey };
  });
  after(async () => {
    await w?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('validate-policy returns located findings for an identity policy', async () => {
    const out = await must(root, 'accessanalyzer', 'validate-policy', '--policy-document', `file://${join(dir, 'policy.json')}`, '--policy-type', 'IDENTITY_POLICY') as { findings: Finding[] };
    assert.deepEqual(out.findings.map((f) => [f.issueCode, f.findingType]), [['INVALID_ACTION', 'ERROR'], ['PASS_ROLE_WITH_STAR_IN_RESOURCE', 'SECURITY_WARNING']]);
    const [invalid] = out.findings;
    assert.equal(invalid.findingDetails, 'The action s3:GetObjectt does not exist. Did you mean s3:GetObject?');
    assert.equal(invalid.learnMoreLink, 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action');
    assert.deepEqual(invalid.locations[0].path, [{ value: 'Statement' }, { index: 0 }, { value: 'Action' }, { index: 0 }]);
    const offset = POLICY.indexOf('"s3:GetObjectt"');
    assert.deepEqual(invalid.locations[0].span, {
      start: { line: 6, column: 17, offset },
      end: { line: 6, column: 32, offset: offset + '"s3:GetObjectt"'.length },
    });
  });

  it('a JSON syntax error is one ERROR finding', async () => {
    const out = await must(root, 'accessanalyzer', 'validate-policy', '--policy-document', `file://${join(dir, 'broken.json')}`, '--policy-type', 'IDENTITY_POLICY') as { findings: Finding[] };
    assert.deepEqual(out.findings.map((f) => f.issueCode), ['JSON_SYNTAX_ERROR']);
    assert.match(out.findings[0].findingDetails, /^Fix the JSON syntax error at index 41 line 2 column 15\.$/);
  });

  it('resource policies and SCPs get their own checks; the CLI pages through --max-items', async () => {
    const resource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
    const r = await must(root, 'accessanalyzer', 'validate-policy', '--policy-document', resource, '--policy-type', 'RESOURCE_POLICY') as { findings: Finding[] };
    assert.ok(r.findings.some((f) => f.issueCode === 'ALLOW_WITH_NOT_PRINCIPAL' && f.findingType === 'SECURITY_WARNING'));
    const scp = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['iam:*Role', 'ec2:Nope', 's3:Nope'], Resource: '*' }] });
    const all = await must(root, 'accessanalyzer', 'validate-policy', '--policy-document', scp, '--policy-type', 'SERVICE_CONTROL_POLICY') as { findings: Finding[] };
    assert.deepEqual(all.findings.map((f) => f.issueCode), ['SCP_SYNTAX_ERROR_ACTION_WILDCARD', 'INVALID_ACTION', 'INVALID_ACTION']);
    const page = await must(root, 'accessanalyzer', 'validate-policy', '--policy-document', scp, '--policy-type', 'SERVICE_CONTROL_POLICY', '--max-items', '2') as { findings: Finding[]; NextToken?: string };
    assert.equal(page.findings.length, 2);
    assert.ok(page.NextToken);
  });

  it('a user without access-analyzer:ValidatePolicy is denied with AccessDeniedException', async () => {
    await must(root, 'iam', 'create-user', '--user-name', 'dev');
    const key = await must(root, 'iam', 'create-access-key', '--user-name', 'dev') as { AccessKey: Creds };
    const dev = { AccessKeyId: key.AccessKey.AccessKeyId, SecretAccessKey: key.AccessKey.SecretAccessKey };
    const denied = await aws(dev, 'accessanalyzer', 'validate-policy', '--policy-document', POLICY, '--policy-type', 'IDENTITY_POLICY');
    assert.equal(denied.ok, false);
    assert.match(denied.err, /AccessDeniedException/);
    await must(root, 'iam', 'put-user-policy', '--user-name', 'dev', '--policy-name', 'validate', '--policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'access-analyzer:ValidatePolicy', Resource: '*' }] }));
    const ok = await must(dev, 'accessanalyzer', 'validate-policy', '--policy-document', POLICY, '--policy-type', 'IDENTITY_POLICY') as { findings: Finding[] };
    assert.equal(ok.findings.length, 2);
  });
});
