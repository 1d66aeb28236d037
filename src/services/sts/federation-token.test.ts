import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionCredentials } from './credentials.js';
import { awsErrorOf, openStsFixture, policyText, type StsFixture } from './sts-fixture.js';

type Out = { Credentials: SessionCredentials; FederatedUser: { FederatedUserId: string; Arn: string }; PackedPolicySize?: number };
const OBJ = 'arn:aws:s3:::bucket/key';

describe('GetFederationToken', () => {
  let f: StsFixture;
  before(async () => {
    f = await openStsFixture();
    await f.addUser('broker', [
      { Effect: 'Allow', Action: ['sts:GetFederationToken', 'sts:TagSession'], Resource: '*' },
      { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
    ], { tags: [{ Key: 'team', Value: 'red' }] });
    await f.addUser('plain');
  });
  after(async () => { await f.close(); });

  const fed = async (input: Record<string, unknown>, who = 'broker') =>
    (await f.call('GetFederationToken', await f.user(who), { Name: 'carol', ...input })) as unknown as Out;

  it('returns the federated user and credentials (default 12 hours)', async () => {
    const now = new Date('2026-11-22T09:00:00Z');
    const out = (await f.call('GetFederationToken', await f.user('broker', now), { Name: 'carol' })) as unknown as Out;
    assert.deepEqual(out.FederatedUser, { FederatedUserId: `${f.accountId}:carol`, Arn: `arn:aws:sts::${f.accountId}:federated-user/carol` });
    assert.equal(Date.parse(out.Credentials.Expiration) - now.getTime(), 43_200_000);
    assert.equal(out.PackedPolicySize, undefined);
    const s = await f.session(out.Credentials, now);
    assert.deepEqual(await f.call('GetCallerIdentity', s), { UserId: `${f.accountId}:carol`, Account: f.accountId, Arn: `arn:aws:sts::${f.accountId}:federated-user/carol` });
  });

  it('has no permissions without a session policy', async () => {
    const s = await f.session((await fed({})).Credentials);
    assert.equal((await awsErrorOf(() => s.authorize('s3:GetObject', OBJ))).code, 'AccessDenied');
  });

  it('is the intersection of the user\'s policies and the session policy', async () => {
    const out = await fed({ Policy: policyText([{ Effect: 'Allow', Action: ['s3:GetObject', 'sqs:*'], Resource: '*' }]) });
    assert.ok(typeof out.PackedPolicySize === 'number');
    const s = await f.session(out.Credentials);
    s.authorize('s3:GetObject', OBJ);
    assert.match((await awsErrorOf(() => s.authorize('s3:PutObject', OBJ))).message, /federated-user\/carol is not authorized to perform: s3:PutObject/);
    assert.match((await awsErrorOf(() => s.authorize('sqs:SendMessage', '*'))).message, /no identity-based policy allows/);
  });

  it('session tags override the user\'s tags', async () => {
    const out = await fed({ Policy: policyText([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]), Tags: [{ Key: 'team', Value: 'blue' }] });
    (await f.session(out.Credentials)).authorize('s3:PutObject', OBJ);
  });

  it('needs sts:GetFederationToken', async () => {
    const e = await awsErrorOf(() => fed({}, 'plain'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /sts:GetFederationToken on resource: arn:aws:sts::\d+:federated-user\/carol/);
  });

  it('caps the root user at one hour', async () => {
    const now = new Date('2026-11-22T09:00:00Z');
    const out = (await f.call('GetFederationToken', f.root(now), { Name: 'rootfed', DurationSeconds: 129_600, Policy: policyText([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]) })) as unknown as Out;
    assert.equal(Date.parse(out.Credentials.Expiration) - now.getTime(), 3_600_000);
    const s = await f.session(out.Credentials, now);
    s.authorize('s3:GetObject', OBJ);
    assert.equal((await awsErrorOf(() => s.authorize('s3:PutObject', OBJ))).code, 'AccessDenied');
  });

  it('federated sessions cannot call IAM or GetFederationToken', async () => {
    const s = await f.session((await fed({ Policy: policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]) })).Credentials);
    assert.equal((await awsErrorOf(() => s.authorize('iam:GetUser', '*'))).code, 'InvalidClientTokenId');
    assert.equal((await awsErrorOf(() => f.call('GetFederationToken', s, { Name: 'again' }))).message, 'Cannot call GetFederationToken with session credentials');
    assert.equal((await awsErrorOf(() => f.call('AssumeRole', s, { RoleArn: `arn:aws:iam::${f.accountId}:role/x`, RoleSessionName: 'ss' }))).message, 'Cannot call AssumeRole with session credentials');
  });

  it('refuses a malformed policy', async () => {
    assert.equal((await awsErrorOf(() => fed({ Policy: '{"Statement":' }))).code, 'MalformedPolicyDocument');
  });
});
