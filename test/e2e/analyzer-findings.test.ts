// Access Analyzer analyzers and external-access findings end to end, through a real
// `warden serve`, @aws-sdk/client-accessanalyzer and the AWS CLI: a role trusting another account
// is an ACTIVE finding naming that account; changing the trust policy to the own account
// resolves it; archive rules and UpdateFindings change the status; policy generation reads the trail.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as AA from '@aws-sdk/client-accessanalyzer';
import * as I from '@aws-sdk/client-iam';
import { awsCli } from './aws-cli.js';
import { startWarden, type WardenProcess } from './harness.js';

const OTHER = '111122223333';
const trust = (principal: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

describe('Access Analyzer findings end to end (SDK and AWS CLI)', () => {
  let w: WardenProcess;
  let aa: AA.AccessAnalyzerClient;
  let iam: I.IAMClient;
  let analyzerArn: string;

  const { must } = awsCli(() => w.endpoint);
  const cli = (args: string[]): Promise<any> => must(w.rootCredentials, ...args);

  before(async () => {
    w = await startWarden();
    aa = new AA.AccessAnalyzerClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    iam = new I.IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
  });
  after(async () => { await w?.stop(); });

  it('CreateAnalyzer, GetAnalyzer, duplicate → ConflictException', async () => {
    const out = await aa.send(new AA.CreateAnalyzerCommand({ analyzerName: 'e2e', type: 'ACCOUNT', tags: { team: 'sec' } }));
    analyzerArn = out.arn!;
    assert.equal(analyzerArn, `arn:aws:access-analyzer:us-east-1:${w.accountId}:analyzer/e2e`);
    const got = await aa.send(new AA.GetAnalyzerCommand({ analyzerName: 'e2e' }));
    assert.equal(got.analyzer?.status, 'ACTIVE');
    assert.ok(got.analyzer?.createdAt instanceof Date);
    await assert.rejects(aa.send(new AA.CreateAnalyzerCommand({ analyzerName: 'e2e', type: 'ACCOUNT' })), (e: Error) => e.name === 'ConflictException');
    await assert.rejects(aa.send(new AA.GetAnalyzerCommand({ analyzerName: 'missing' })), (e: Error) => e.name === 'ResourceNotFoundException');
  });

  it('a role trusting another account is an ACTIVE finding naming it; trusting the own account resolves it', async () => {
    await iam.send(new I.CreateRoleCommand({ RoleName: 'partner-access', AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${OTHER}:root` }) }));
    const listed = await cli(['accessanalyzer', 'list-findings', '--analyzer-arn', analyzerArn]);
    assert.equal(listed.findings.length, 1);
    const f = listed.findings[0];
    assert.equal(f.status, 'ACTIVE');
    assert.deepEqual(f.principal, { AWS: `arn:aws:iam::${OTHER}:root` });
    assert.deepEqual(f.action, ['sts:AssumeRole']);
    assert.equal(f.resource, `arn:aws:iam::${w.accountId}:role/partner-access`);
    assert.equal(f.resourceType, 'AWS::IAM::Role');
    assert.equal(f.isPublic, false);

    const sdk = await aa.send(new AA.GetFindingCommand({ analyzerArn, id: f.id }));
    assert.equal(sdk.finding?.status, 'ACTIVE');
    const v2 = await aa.send(new AA.ListFindingsV2Command({ analyzerArn }));
    assert.equal(v2.findings?.[0].findingType, 'ExternalAccess');

    await iam.send(new I.UpdateAssumeRolePolicyCommand({ RoleName: 'partner-access', PolicyDocument: trust({ AWS: `arn:aws:iam::${w.accountId}:root` }) }));
    const after = await aa.send(new AA.ListFindingsCommand({ analyzerArn }));
    assert.deepEqual(after.findings?.map((x) => [x.id, x.status]), [[f.id, 'RESOLVED']]);
    const active = await cli(['accessanalyzer', 'list-findings', '--analyzer-arn', analyzerArn, '--filter', '{"status":{"eq":["ACTIVE"]}}']);
    assert.deepEqual(active.findings, []);
  });

  it('archive rules and UpdateFindings', async () => {
    await iam.send(new I.CreateRoleCommand({ RoleName: 'public', AssumeRolePolicyDocument: trust('*') }));
    await cli(['accessanalyzer', 'create-archive-rule', '--analyzer-name', 'e2e', '--rule-name', 'public', '--filter', '{"isPublic":{"eq":["true"]}}']);
    await aa.send(new AA.ApplyArchiveRuleCommand({ analyzerArn, ruleName: 'public' }));
    const pub = await aa.send(new AA.ListFindingsCommand({ analyzerArn, filter: { isPublic: { eq: ['true'] } } }));
    assert.deepEqual(pub.findings?.map((x) => x.status), ['ARCHIVED']);
    await aa.send(new AA.UpdateFindingsCommand({ analyzerArn, status: 'ACTIVE', ids: [pub.findings![0].id!] }));
    const again = await aa.send(new AA.GetFindingCommand({ analyzerArn, id: pub.findings![0].id! }));
    assert.equal(again.finding?.status, 'ACTIVE');
    const rules = await aa.send(new AA.ListArchiveRulesCommand({ analyzerName: 'e2e' }));
    assert.deepEqual(rules.archiveRules?.map((r) => r.ruleName), ['public']);
  });

  it('AWS CLI: analyzed resources, statistics and an access preview', async () => {
    const res = await cli(['accessanalyzer', 'list-analyzed-resources', '--analyzer-arn', analyzerArn]);
    assert.deepEqual(res.analyzedResources.map((r: any) => r.resourceArn.split('/').pop()).sort(), ['partner-access', 'public']);
    const stats = await cli(['accessanalyzer', 'get-findings-statistics', '--analyzer-arn', analyzerArn]);
    assert.equal(stats.findingsStatistics[0].externalAccessFindingsStatistics.totalResolvedFindings, 1);
    const roleArn = `arn:aws:iam::${w.accountId}:role/partner-access`;
    const preview = await cli(['accessanalyzer', 'create-access-preview', '--analyzer-arn', analyzerArn, '--configurations',
      JSON.stringify({ [roleArn]: { iamRole: { trustPolicy: trust({ AWS: OTHER }) } } })]);
    const found = await cli(['accessanalyzer', 'list-access-preview-findings', '--analyzer-arn', analyzerArn, '--access-preview-id', preview.id]);
    assert.deepEqual(found.findings.map((f: any) => [f.principal.AWS, f.changeType, f.status]), [[OTHER, 'NEW', 'ACTIVE']]);
  });

  it('policy generation from the audit trail', async () => {
    // Fresh clients: the CLI test above idles the SDK's pooled sockets past the server's
    // keep-alive timeout, and a request on a socket the server is closing gets ECONNRESET.
    const iam = new I.IAMClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    const aa = new AA.AccessAnalyzerClient({ endpoint: w.endpoint, region: 'us-east-1', credentials: w.rootCredentials, maxAttempts: 1 });
    await iam.send(new I.CreateUserCommand({ UserName: 'gen' }));
    await iam.send(new I.PutUserPolicyCommand({ UserName: 'gen', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] }) }));
    const key = await iam.send(new I.CreateAccessKeyCommand({ UserName: 'gen' }));
    const gen = new I.IAMClient({ endpoint: w.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } });
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      try { await gen.send(new I.GetUserCommand({})); ok = true; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    assert.ok(ok);
    await assert.rejects(gen.send(new I.ListUsersCommand({})));
    const principalArn = `arn:aws:iam::${w.accountId}:user/gen`;
    const { jobId } = await aa.send(new AA.StartPolicyGenerationCommand({ policyGenerationDetails: { principalArn } }));
    const out = await aa.send(new AA.GetGeneratedPolicyCommand({ jobId }));
    assert.equal(out.jobDetails?.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(out.generatedPolicyResult!.generatedPolicies![0].policy!), {
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }],
    });
  });
});
