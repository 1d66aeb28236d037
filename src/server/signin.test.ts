import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signIn, SIGNIN_MESSAGES, SigninThrottle, type SigninAnswer } from './signin.js';
import { openCredentialFixture, type CredentialFixture } from '../services/iam/credentials-fixture.js';
import { credentialOperations as ops } from '../services/iam/credentials.js';
import { userOperations } from '../services/iam/users.js';
import { accountOperations } from '../services/iam/account.js';
import { iamOperations } from '../services/iam/index.js';
import { passwordPolicyOperations } from '../services/iam/password-policy.js';
import { KIND, type UserDoc } from '../services/iam/entities.js';
import { totp } from '../services/sts/mfa.js';
import type { ChainedEventData } from '../services/audit/chain.js';

const OPTS = { baseDelayMs: 1000, maxDelayMs: 8000 };
const DAY = 86_400_000;

describe('sign-in API', () => {
  let f: CredentialFixture;
  let ipN = 0;
  const ip = () => `198.51.100.${++ipN}`;
  const body = (o: unknown) => Buffer.from(JSON.stringify(o));
  const attempt = (o: unknown, sourceIp = ip(), now = new Date()) => signIn(f.runtime, body(o), { sourceIp, now }, OPTS);
  const code = (a: SigninAnswer) => (a.body.Error as { Code: string } | undefined)?.Code;

  before(async () => {
    f = await openCredentialFixture();
    const root = f.root();
    for (const name of ['alice', 'mfa-user', 'reset-user', 'aging-user']) {
      await userOperations.CreateUser(root, { UserName: name });
      await ops.CreateLoginProfile(root, { UserName: name, Password: 'Correct-horse-1', PasswordResetRequired: name === 'reset-user' });
    }
    await accountOperations.CreateAccountAlias(root, { AccountAlias: 'example-corp' });
  });
  after(async () => { await f.close(); });

  it('refuses malformed requests with InvalidRequest', async () => {
    for (const raw of ['not json', '[]', '{"Account":"x"}', JSON.stringify({ Account: 'a', UserName: 'b', Password: 1 }), JSON.stringify({ Account: 'a', UserName: 'b', Password: 'c', MFACode: 5 })]) {
      const a = await signIn(f.runtime, Buffer.from(raw), { sourceIp: ip(), now: new Date() }, OPTS);
      assert.equal(a.status, 400, raw);
      assert.equal(code(a), 'InvalidRequest');
    }
  });

  it('signs in by account id or alias and answers one-hour session credentials for the user', async () => {
    const now = new Date();
    for (const account of [f.accountId, 'example-corp']) {
      const a = await attempt({ Account: account, UserName: 'ALICE', Password: 'Correct-horse-1' }, ip(), now);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      const c = a.body.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
      assert.match(c.AccessKeyId, /^ASIA/);
      assert.equal(Date.parse(c.Expiration) - Math.floor(now.getTime() / 1000) * 1000, 3600_000);
      assert.equal(a.body.UserName, 'alice');
      assert.equal(a.body.MFAAuthenticated, false);
      const resolved = await f.runtime.resolveCredentials(c.AccessKeyId, c.SessionToken, now);
      assert.ok(resolved.ok);
      if (resolved.ok) {
        assert.equal(resolved.caller.userName, 'alice');
        assert.equal(resolved.caller.session?.mfaAuthenticated, undefined);
      }
    }
    const u = await f.store.read((tx) => tx.get<UserDoc>(KIND.user, f.accountId, 'alice'));
    assert.ok(u?.data.PasswordLastUsed);
  });

  it('answers the same 401 for a wrong password, an unknown user and an unknown account, and audits each failure without secrets', async () => {
    const cases = [
      { Account: f.accountId, UserName: 'alice', Password: 'Wrong-password-1' },
      { Account: f.accountId, UserName: 'nobody', Password: 'Correct-horse-1' },
      { Account: '000000000000', UserName: 'alice', Password: 'Correct-horse-1' },
      { Account: 'no-such-alias', UserName: 'alice', Password: 'Correct-horse-1' },
    ];
    for (const c of cases) {
      const a = await attempt(c);
      assert.equal(a.status, 401);
      assert.deepEqual(a.body, { Error: { Code: 'AuthenticationFailed', Message: SIGNIN_MESSAGES.failed } });
    }
    const events = (await f.store.readEvents({ limit: 10_000 })).map((e) => (e.data as ChainedEventData).event as Record<string, unknown>);
    const logins = events.filter((e) => e.eventName === 'ConsoleLogin' && e.eventSource === 'signin.amazonaws.com');
    const failed = logins.filter((e) => e.errorCode === 'AuthenticationFailed');
    assert.ok(failed.length >= cases.length);
    assert.ok(failed.some((e) => (e.userIdentity as { type: string; userName?: string }).userName === 'alice' && e.errorMessage === 'Failed authentication'));
    const text = JSON.stringify(events);
    assert.ok(!text.includes('Wrong-password-1') && !text.includes('Correct-horse-1'), 'no password in the audit trail');
  });

  it('slows down failed attempts per user and IP exponentially, and a success resets', async () => {
    const from = ip();
    const t0 = Date.now();
    const bad = { Account: f.accountId, UserName: 'alice', Password: 'nope-nope-1' };
    assert.equal((await attempt(bad, from, new Date(t0))).status, 401);
    const throttled = await attempt({ ...bad, Password: 'Correct-horse-1' }, from, new Date(t0 + 500));
    assert.equal(throttled.status, 429);
    assert.equal(code(throttled), 'Throttling');
    assert.equal(throttled.headers?.['Retry-After'], '1');
    // Another IP is not slowed down by these failures.
    assert.equal((await attempt({ ...bad, Password: 'Correct-horse-1' }, ip(), new Date(t0 + 500))).status, 200);
    assert.equal((await attempt(bad, from, new Date(t0 + 1000))).status, 401);
    assert.equal((await attempt(bad, from, new Date(t0 + 2500))).status, 429, 'second failure: 2 s');
    assert.equal((await attempt(bad, from, new Date(t0 + 3000))).status, 401);
    const third = await attempt(bad, from, new Date(t0 + 3100));
    assert.equal(third.headers?.['Retry-After'], '4');
    assert.equal((await attempt({ ...bad, Password: 'Correct-horse-1' }, from, new Date(t0 + 7100))).status, 200);
    assert.equal((await attempt(bad, from, new Date(t0 + 7200))).status, 401, 'reset after success: first failure again');
  });

  it('SigninThrottle caps the delay', () => {
    const t = new SigninThrottle(1000, 8000);
    for (let i = 0; i < 10; i++) t.failed('k', 0);
    assert.equal(t.waitMs('k', 0), 8000);
    t.succeeded('k');
    assert.equal(t.waitMs('k', 0), 0);
  });

  it('asks for the MFA code once the user has a device; wrong and replayed codes fail; a good code gives an MFA session', async () => {
    const now = new Date();
    const dev = await ops.CreateVirtualMFADevice(f.root(), { VirtualMFADeviceName: 'mfa-user' }) as { VirtualMFADevice: { SerialNumber: string; Base32StringSeed: Buffer } };
    const seed = dev.VirtualMFADevice.Base32StringSeed.toString();
    await ops.EnableMFADevice(f.root(now), { UserName: 'mfa-user', SerialNumber: dev.VirtualMFADevice.SerialNumber, AuthenticationCode1: totp(seed, new Date(now.getTime() - 30_000)), AuthenticationCode2: totp(seed, now) });
    const base = { Account: f.accountId, UserName: 'mfa-user', Password: 'Correct-horse-1' };
    const none = await attempt(base, ip(), now);
    assert.equal(none.status, 401);
    assert.equal(code(none), 'MFARequired');
    const wrong = await attempt({ ...base, MFACode: '000000' === totp(seed, now) ? '111111' : '000000' }, ip(), now);
    assert.equal(code(wrong), 'AuthenticationFailed');
    const used = await attempt({ ...base, MFACode: totp(seed, now) }, ip(), now);
    assert.equal(code(used), 'AuthenticationFailed', 'the code used to enable the device is spent');
    const next = totp(seed, new Date(now.getTime() + 30_000));
    const good = await attempt({ ...base, MFACode: next }, ip(), now);
    assert.equal(good.status, 200, JSON.stringify(good.body));
    assert.equal(good.body.MFAAuthenticated, true);
    const c = good.body.Credentials as { AccessKeyId: string; SessionToken: string };
    const resolved = await f.runtime.resolveCredentials(c.AccessKeyId, c.SessionToken, now);
    assert.ok(resolved.ok && resolved.caller.session?.mfaAuthenticated === true);
    const replay = await attempt({ ...base, MFACode: next }, ip(), now);
    assert.equal(code(replay), 'AuthenticationFailed');

    // aws:MultiFactorAuthPresent / aws:MultiFactorAuthAge of the MFA session, through the engine.
    await iamOperations.PutUserPolicy(f.root(), {
      UserName: 'mfa-user', PolicyName: 'fresh-mfa', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{
        Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '60' } },
      }] }),
    });
    await f.runtime.afterWrite();
    assert.ok(resolved.ok);
    const request = (t: Date) => ({ requestId: 'r', sourceIp: '192.0.2.9', region: 'us-east-1', secureTransport: true, now: t });
    if (resolved.ok) {
      f.runtime.createContext(resolved.caller, request(new Date(now.getTime() + 10_000))).authorize('iam:ListUsers', '*');
      assert.throws(() => f.runtime.createContext(resolved.caller, request(new Date(now.getTime() + 120_000))).authorize('iam:ListUsers', '*'), /not authorized to perform: iam:ListUsers/);
    }
  });

  it('PasswordResetRequired: the password must be changed at sign-in, under the password policy', async () => {
    const base = { Account: f.accountId, UserName: 'reset-user', Password: 'Correct-horse-1' };
    const first = await attempt(base);
    assert.equal(first.status, 403);
    assert.equal(code(first), 'PasswordResetRequired');
    const weak = await attempt({ ...base, NewPassword: 'weak' });
    assert.deepEqual(weak.body, { Error: { Code: 'PasswordPolicyViolation', Message: 'Password does not conform to the account password policy.' } });
    const same = await attempt({ ...base, NewPassword: 'Correct-horse-1' });
    assert.equal(code(same), 'PasswordPolicyViolation');
    const ok = await attempt({ ...base, NewPassword: 'Battery-staple-2' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await attempt({ ...base, Password: 'Battery-staple-2' })).status, 200);
    assert.equal(code(await attempt(base)), 'AuthenticationFailed');
  });

  it('MaxPasswordAge: an expired password must be changed; with HardExpiry it cannot be', async () => {
    const later = new Date(Date.now() + 31 * DAY);
    const base = { Account: f.accountId, UserName: 'aging-user', Password: 'Correct-horse-1' };
    await passwordPolicyOperations.UpdateAccountPasswordPolicy(f.root(), { MaxPasswordAge: 30, HardExpiry: true, PasswordReusePrevention: 3 });
    const hard = await attempt(base, ip(), later);
    assert.deepEqual([hard.status, code(hard)], [403, 'PasswordExpired']);
    assert.equal((hard.body.Error as { Message: string }).Message, SIGNIN_MESSAGES.hardExpired);
    assert.equal(code(await attempt({ ...base, NewPassword: 'Battery-staple-2' }, ip(), later)), 'PasswordExpired');
    await passwordPolicyOperations.UpdateAccountPasswordPolicy(f.root(), { MaxPasswordAge: 30, PasswordReusePrevention: 3 });
    const soft = await attempt(base, ip(), later);
    assert.deepEqual([soft.status, code(soft)], [403, 'PasswordExpired']);
    const reused = await attempt({ ...base, NewPassword: 'Correct-horse-1' }, ip(), later);
    assert.deepEqual(reused.body, { Error: { Code: 'PasswordPolicyViolation', Message: 'Password should not be one of your previous 3 passwords' } });
    assert.equal((await attempt({ ...base, NewPassword: 'Battery-staple-3' }, ip(), later)).status, 200);
    assert.equal((await attempt({ ...base, Password: 'Battery-staple-3' }, ip(), later)).status, 200);
    await passwordPolicyOperations.DeleteAccountPasswordPolicy(f.root(), {});
  });
});
