// `warden validate` and `warden simulate` run as child processes, as a pipeline runs them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputFiles, warden } from './cli-fixture.js';

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/secret/*"},
    {"Sid": "Office", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
  ]
}`;

const file = inputFiles('warden-offline-', {
  'policy.json': POLICY,
  'bad.json': '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3","Resource":"b"}]}',
  'cond.json': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }] }),
  'notjson.json': '{"Version": ',
  'boundary.json': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] }),
  'bucket.json': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/simulated' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' }] }),
});

describe('warden validate', () => {
  it('a valid policy: exit 0', async () => {
    const r = await warden('validate', file('policy.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid identity policy/);
  });

  it('grammar issues: line:column, JSON path, code and message; exit 1', async () => {
    const r = await warden('validate', file('bad.json'));
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /bad\.json:1:\d+: invalid_action at \$\.Statement\[0\]\.Action: /);
    assert.match(lines[1], /invalid_resource at \$\.Statement\[0\]\.Resource/);
    assert.match(lines[2], /2 issues/);
  });

  it('condition values of the wrong type (found by compiling) and text that is not JSON', async () => {
    const c = await warden('validate', file('cond.json'), '--json');
    assert.equal(c.code, 1);
    const out = JSON.parse(c.stdout) as { valid: boolean; issues: { code: string; jsonPath: string }[] };
    assert.equal(out.valid, false);
    assert.ok(out.issues.some((i) => i.jsonPath.startsWith('$.Statement[0].Condition')), c.stdout);
    const n = await warden('validate', file('notjson.json'));
    assert.equal(n.code, 1);
    assert.match(n.stdout, /invalid_json/);
  });

  it('--type applies the grammar of that policy type', async () => {
    const r = await warden('validate', '--type', 'resource', file('policy.json'), '--json');
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { issues: { code: string; line: number; column: number }[] };
    assert.deepEqual(out.issues.map((i) => [i.code, i.line, i.column]), [['missing_principal', 4, 5], ['missing_principal', 5, 5], ['missing_principal', 6, 5]]);
    const t = await warden('validate', '--type', 'resource', file('bucket.json'));
    assert.equal(t.code, 0, t.stdout);
  });

  it('usage errors: exit 2', async () => {
    assert.equal((await warden('validate')).code, 2);
    assert.equal((await warden('validate', '--type', 'nope', file('policy.json'))).code, 2);
    assert.equal((await warden('validate', file('missing.json'))).code, 2);
  });
});

describe('warden simulate', () => {
  it('each decision with its deciding statement; AWS\'s AccessDenied wording; exit 1 on a denial', async () => {
    const r = await warden('simulate', '--policy', file('policy.json'), '--action', 's3:GetObject', '--action', 's3:PutObject',
      '--resource', 'arn:aws:s3:::b/k', '--resource', 'arn:aws:s3:::b/secret/k');
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^ALLOW\s+s3:GetObject {2}arn:aws:s3:::b\/k$/);
    assert.match(lines[1], /allowed by statement 1 \(Sid Read\) of .*policy\.json at line 4, column 6/);
    assert.match(r.stdout, /DENY \(explicit\) {2}s3:GetObject {2}arn:aws:s3:::b\/secret\/k\n {4}denied by statement 2 \(Sid NoSecrets\)/);
    assert.match(r.stdout, /User: arn:aws:iam::111122223333:user\/simulated is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b\/secret\/k with an explicit deny in an identity-based policy/);
    assert.match(r.stdout, /DENY \(implicit\) {2}s3:PutObject {2}arn:aws:s3:::b\/k\n {4}User: .* because no identity-based policy allows the s3:PutObject action\n {4}missing context values: aws:SourceIp/);
    assert.match(r.stdout, /1 allowed, 3 denied/);
  });

  it('--context satisfies conditions: every decision allowed, exit 0; --json gives EvaluationResults', async () => {
    const r = await warden('simulate', '--policy', file('policy.json'), '--action', 's3:PutObject', '--resource', 'arn:aws:s3:::b/k',
      '--context', 'aws:SourceIp=10.1.2.3', '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { EvaluationResults: Record<string, any>[]; Denials: unknown[] };
    assert.equal(out.EvaluationResults[0].EvalDecision, 'allowed');
    assert.deepEqual(out.EvaluationResults[0].MatchedStatements[0].StartPosition, { Line: 6, Column: 6 });
    assert.deepEqual(out.Denials, []);
  });

  it('a boundary and a resource policy', async () => {
    const b = await warden('simulate', '--policy', file('policy.json'), '--boundary', file('boundary.json'), '--action', 's3:PutObject',
      '--resource', 'arn:aws:s3:::b/k', '--context', 'aws:SourceIp=10.1.2.3');
    assert.equal(b.code, 1);
    assert.match(b.stdout, /because no permissions boundary allows the s3:PutObject action/);
    const rp = await warden('simulate', '--resource-policy', file('bucket.json'), '--action', 's3:ListBucket', '--resource', 'arn:aws:s3:::b');
    assert.equal(rp.code, 0, rp.stdout + rp.stderr);
    assert.match(rp.stdout, /allowed by statement 1 of .*bucket\.json/);
  });

  it('usage errors and invalid policy files: exit 2', async () => {
    assert.equal((await warden('simulate', '--policy', file('policy.json'))).code, 2);
    assert.equal((await warden('simulate', '--action', 's3:GetObject')).code, 2);
    assert.equal((await warden('simulate', '--policy', file('policy.json'), '--action', 's3:x', '--principal', 'arn:aws:s3:::b')).code, 2);
    const bad = await warden('simulate', '--policy', file('bad.json'), '--action', 's3:x');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.json is not a valid policy/);
  });
});
