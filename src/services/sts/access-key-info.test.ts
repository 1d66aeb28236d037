import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountOfAccessKeyId, sessionAccessKeyId, type SessionCredentials } from './credentials.js';
import { encodeAuthorizationMessage } from './authorization-message.js';
import { awsErrorOf, openStsFixture, type StsFixture } from './sts-fixture.js';

describe('access key ids carry the account (AWS\'s encoding)', () => {
  const cases = [
    // Published examples of AWS's encoding.
    { id: 'AKIAQYLPMN5HHHFPZAM2', account: '052310077262' },
    { id: 'ASIAY34FZKBOKMUTVV7A', account: '609629065308' },
    { id: 'not-a-key', account: undefined },
    { id: 'AKIA1234', account: undefined },
  ];
  for (const c of cases) it(`reads ${c.id}`, () => assert.equal(accountOfAccessKeyId(c.id), c.account));
  for (const a of ['111122223333', '999999999999', '000000000001']) {
    it(`session key ids of ${a} read back`, () => assert.equal(accountOfAccessKeyId(sessionAccessKeyId(a)), a));
  }
});

describe('GetAccessKeyInfo, GetCallerIdentity, DecodeAuthorizationMessage', () => {
  let f: StsFixture;
  before(async () => {
    f = await openStsFixture();
    await f.addUser('auditor', [{ Effect: 'Allow', Action: ['sts:GetAccessKeyInfo', 'sts:DecodeAuthorizationMessage'], Resource: '*' }]);
    await f.addUser('nobody', [{ Effect: 'Deny', Action: '*', Resource: '*' }]);
  });
  after(async () => { await f.close(); });

  it('GetAccessKeyInfo answers the account of a session key and of a foreign AWS key', async () => {
    const ctx = await f.user('auditor');
    const out = (await f.call('GetSessionToken', await f.user('auditor'))) as { Credentials: SessionCredentials };
    assert.deepEqual(await f.call('GetAccessKeyInfo', ctx, { AccessKeyId: out.Credentials.AccessKeyId }), { Account: f.accountId });
    assert.deepEqual(await f.call('GetAccessKeyInfo', ctx, { AccessKeyId: 'AKIAQYLPMN5HHHFPZAM2' }), { Account: '052310077262' });
  });

  it('GetSessionToken credentials cannot call GetAccessKeyInfo or DecodeAuthorizationMessage', async () => {
    const out = (await f.call('GetSessionToken', await f.user('auditor'))) as { Credentials: SessionCredentials };
    const s = await f.session(out.Credentials);
    assert.equal((await awsErrorOf(() => f.call('GetAccessKeyInfo', s, { AccessKeyId: 'AKIAQYLPMN5HHHFPZAM2' }))).message, 'Cannot call GetAccessKeyInfo with session credentials');
    assert.equal((await awsErrorOf(() => f.call('DecodeAuthorizationMessage', s, { EncodedMessage: 'x' }))).message, 'Cannot call DecodeAuthorizationMessage with session credentials');
    assert.equal((await f.call('GetCallerIdentity', s)).Arn, `arn:aws:iam::${f.accountId}:user/auditor`);
  });

  it('GetAccessKeyInfo needs sts:GetAccessKeyInfo', async () => {
    assert.equal((await awsErrorOf(async () => f.call('GetAccessKeyInfo', await f.user('nobody'), { AccessKeyId: 'AKIAQYLPMN5HHHFPZAM2' }))).code, 'AccessDenied');
  });

  it('GetCallerIdentity is allowed even under a Deny of everything', async () => {
    const id = await f.call('GetCallerIdentity', await f.user('nobody'));
    assert.equal(id.Arn, `arn:aws:iam::${f.accountId}:user/nobody`);
    assert.equal(id.Account, f.accountId);
  });

  it('ctx.authorize encodes the denial when asked, and DecodeAuthorizationMessage decodes it', async () => {
    const denied = await f.user('nobody');
    const e = await awsErrorOf(() => (denied.authorize as (a: string, r: string, x?: unknown, o?: unknown) => unknown)('ec2:RunInstances', '*', { 'ec2:InstanceType': 't3.micro' }, { encodeMessage: true }));
    assert.equal(e.code, 'AccessDenied');
    const m = /Encoded authorization failure message: (\S+)$/.exec(e.message);
    assert.ok(m, e.message);
    const out = await f.call('DecodeAuthorizationMessage', await f.user('auditor'), { EncodedMessage: m[1] });
    const decoded = JSON.parse(String(out.DecodedMessage));
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, true);
    assert.equal(decoded.context.action, 'ec2:RunInstances');
    assert.equal(decoded.context.principal.arn, `arn:aws:iam::${f.accountId}:user/nobody`);
    assert.ok(decoded.context.conditions.items.some((c: { key: string }) => c.key === 'ec2:instancetype'));
    assert.equal(decoded.matchedStatements.items[0].effect, 'DENY');
  });

  it('DecodeAuthorizationMessage needs its permission, refuses garbage and other accounts\' messages', async () => {
    const msg = encodeAuthorizationMessage(f.secrets, { decision: 'ImplicitDeny', reasons: [], layers: [], message: 'x' }, {
      action: 's3:GetObject', resource: '*', context: {}, principal: { kind: 'user', accountId: '999988887777', arn: 'arn:aws:iam::999988887777:user/x' }, userId: 'AIDAX',
    });
    assert.equal((await awsErrorOf(async () => f.call('DecodeAuthorizationMessage', await f.user('nobody'), { EncodedMessage: msg }))).code, 'AccessDenied');
    const auditor = await f.user('auditor');
    assert.equal((await awsErrorOf(() => f.call('DecodeAuthorizationMessage', auditor, { EncodedMessage: msg }))).code, 'InvalidAuthorizationMessageException');
    assert.equal((await awsErrorOf(() => f.call('DecodeAuthorizationMessage', auditor, { EncodedMessage: 'garbage' }))).code, 'InvalidAuthorizationMessageException');
  });
});
