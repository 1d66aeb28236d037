import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionCredentials } from './credentials.js';
import { MFA_INVALID_CODE, totp } from './mfa.js';
import { awsErrorOf, openStsFixture, type StsFixture } from './sts-fixture.js';

type Out = { Credentials: SessionCredentials };
const OBJ = 'arn:aws:s3:::bucket/key';

describe('GetSessionToken', () => {
  let f: StsFixture;
  before(async () => {
    f = await openStsFixture();
    await f.addUser('dave', [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Allow', Action: 's3:DeleteObject', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
      { Effect: 'Allow', Action: ['iam:GetUser', 'sts:AssumeRole'], Resource: '*' },
    ]);
  });
  after(async () => { await f.close(); });

  const durations = [
    { name: 'a user, default 12 hours', who: 'dave', input: {}, seconds: 43_200 },
    { name: 'a user, 36 hours', who: 'dave', input: { DurationSeconds: 129_600 }, seconds: 129_600 },
    { name: 'a user, 15 minutes', who: 'dave', input: { DurationSeconds: 900 }, seconds: 900 },
    { name: 'the root user, default one hour', who: '', input: {}, seconds: 3600 },
    { name: 'the root user, capped at one hour', who: '', input: { DurationSeconds: 7200 }, seconds: 3600 },
  ];
  for (const c of durations) {
    it(`lasts as AWS says for ${c.name}`, async () => {
      const now = new Date('2026-11-22T08:00:00Z');
      const ctx = c.who === '' ? f.root(now) : await f.user(c.who, now);
      const out = (await f.call('GetSessionToken', ctx, c.input)) as unknown as Out;
      assert.equal(Date.parse(out.Credentials.Expiration) - now.getTime(), c.seconds * 1000);
    });
  }

  it('keeps the user\'s identity and permissions', async () => {
    const out = (await f.call('GetSessionToken', await f.user('dave'))) as unknown as Out;
    const s = await f.session(out.Credentials);
    assert.equal(s.caller.principal.kind, 'user');
    assert.equal(s.caller.userName, 'dave');
    const id = await f.call('GetCallerIdentity', s);
    assert.equal(id.Arn, `arn:aws:iam::${f.accountId}:user/dave`);
    assert.match(String(id.UserId), /^AIDA/);
    s.authorize('s3:GetObject', OBJ);
    assert.match((await awsErrorOf(() => s.authorize('s3:DeleteObject', OBJ))).message, /no identity-based policy allows/);
  });

  it('without MFA cannot call IAM (AWS refuses the token)', async () => {
    const out = (await f.call('GetSessionToken', await f.user('dave'))) as unknown as Out;
    const e = await awsErrorOf(async () => (await f.session(out.Credentials)).authorize('iam:GetUser', `arn:aws:iam::${f.accountId}:user/dave`));
    assert.equal(e.code, 'InvalidClientTokenId');
  });

  it('with MFA sets aws:MultiFactorAuthPresent and may call IAM', async () => {
    const { serial, seed } = await f.addMfaDevice('dave');
    const now = new Date();
    const out = (await f.call('GetSessionToken', await f.user('dave', now), { SerialNumber: serial, TokenCode: totp(seed, now) })) as unknown as Out;
    const s = await f.session(out.Credentials, now);
    s.authorize('s3:DeleteObject', OBJ);
    s.authorize('iam:GetUser', `arn:aws:iam::${f.accountId}:user/dave`);
    const again = await awsErrorOf(async () => f.call('GetSessionToken', await f.user('dave', now), { SerialNumber: serial, TokenCode: totp(seed, now) }));
    assert.equal(again.code, 'AccessDenied');
    assert.equal(again.message, MFA_INVALID_CODE);
  });

  it('a root session is the root user', async () => {
    const out = (await f.call('GetSessionToken', f.root())) as unknown as Out;
    const s = await f.session(out.Credentials);
    assert.deepEqual(await f.call('GetCallerIdentity', s), { UserId: f.accountId, Account: f.accountId, Arn: `arn:aws:iam::${f.accountId}:root` });
  });

  it('cannot be called with session credentials', async () => {
    const out = (await f.call('GetSessionToken', await f.user('dave'))) as unknown as Out;
    const e = await awsErrorOf(async () => f.call('GetSessionToken', await f.session(out.Credentials)));
    assert.equal(e.code, 'AccessDenied');
    assert.equal(e.message, 'Cannot call GetSessionToken with session credentials');
  });

  it('needs no permission', async () => {
    await f.addUser('nobody');
    const out = (await f.call('GetSessionToken', await f.user('nobody'))) as unknown as Out;
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  });

  it('stops working when the user is deleted', async () => {
    await f.addUser('temp');
    const out = (await f.call('GetSessionToken', await f.user('temp'))) as unknown as Out;
    assert.ok((await f.resolve(out.Credentials)).ok);
    await f.store.transaction(async (tx) => { await tx.delete('user', f.accountId, 'temp'); });
    await f.runtime.afterWrite();
    assert.equal((await f.resolve(out.Credentials)).ok, false);
  });
});
