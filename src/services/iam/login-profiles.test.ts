import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../crypto/password.js';
import { KIND, ownerKey } from './entities.js';
import { loginProfileOperations as ops, type LoginProfileDoc } from './login-profiles.js';
import { passwordPolicyOperations as policy } from './password-policy.js';
import { awsErrorOf, itFailsWithoutWriting, openAliceAndBob, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

describe('login profiles and ChangePassword', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openAliceAndBob(['iam:ChangePassword', 'iam:GetLoginProfile']);
  });
  after(async () => { await f.close(); });

  const stored = (name: string) => f.store.read((tx) => tx.get<LoginProfileDoc>(KIND.loginProfile, f.accountId, ownerKey('user', name)));

  it('creates a profile with a scrypt hash, never the password', async () => {
    const out = await ops.CreateLoginProfile(f.root(), { UserName: 'Alice', Password: 'Initial-pw1', PasswordResetRequired: true }) as { LoginProfile: Record<string, unknown> };
    assert.equal(out.LoginProfile.UserName, 'alice');
    assert.equal(out.LoginProfile.PasswordResetRequired, true);
    assert.ok(!('Password' in out.LoginProfile));
    const p = await stored('alice');
    assert.ok(p);
    assert.ok(!JSON.stringify(p.data).includes('Initial-pw1'));
    assert.match(p.data.PasswordHash, /^\$scrypt\$/);
    assert.equal(await verifyPassword('Initial-pw1', p.data.PasswordHash), true);
    const got = await ops.GetLoginProfile(f.root(), { UserName: 'alice' }) as { LoginProfile: Record<string, unknown> };
    assert.deepEqual(got.LoginProfile, out.LoginProfile);
  });

  const errors = [
    { name: 'a second profile (case-insensitive)', call: () => ops.CreateLoginProfile(f.root(), { UserName: 'ALICE', Password: 'x-Password1' }), code: 'EntityAlreadyExists', message: 'Login Profile for user alice already exists.' },
    { name: 'a missing user', call: () => ops.CreateLoginProfile(f.root(), { UserName: 'nobody', Password: 'x-Password1' }), code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' },
    { name: 'a missing profile', call: () => ops.GetLoginProfile(f.root(), { UserName: 'bob' }), code: 'NoSuchEntity', message: 'Login Profile for User bob cannot be found.' },
    { name: 'deleting a missing profile', call: () => ops.DeleteLoginProfile(f.root(), { UserName: 'bob' }), code: 'NoSuchEntity', message: 'Login Profile for User bob cannot be found.' },
    { name: 'updating a missing profile', call: () => ops.UpdateLoginProfile(f.root(), { UserName: 'bob', PasswordResetRequired: true }), code: 'NoSuchEntity', message: 'Login Profile for User bob cannot be found.' },
    { name: 'a user without permission', call: async () => ops.CreateLoginProfile(await f.user('bob'), { Password: 'x-Password1' }), code: 'AccessDenied', message: undefined },
    { name: 'ChangePassword by the root user', call: () => ops.ChangePassword(f.root(), { OldPassword: 'a', NewPassword: 'b' }), code: 'InvalidUserType', message: undefined },
    { name: 'ChangePassword with the wrong old password', call: async () => ops.ChangePassword(await f.user('alice'), { OldPassword: 'wrong', NewPassword: 'Next-pw2' }), code: 'AccessDenied', message: 'The old password is incorrect.' },
    { name: 'ChangePassword without permission', call: async () => ops.ChangePassword(await f.user('bob'), { OldPassword: 'a', NewPassword: 'b' }), code: 'AccessDenied', message: undefined },
  ];
  itFailsWithoutWriting(() => f, errors);

  it('ChangePassword sets the new password and clears PasswordResetRequired', async () => {
    await ops.ChangePassword(await f.user('alice'), { OldPassword: 'Initial-pw1', NewPassword: 'Second-pw2' });
    const p = await stored('alice');
    assert.equal(await verifyPassword('Second-pw2', p!.data.PasswordHash), true);
    assert.equal(p!.data.PasswordResetRequired, false);
  });

  it('UpdateLoginProfile changes the password and the reset flag', async () => {
    await ops.UpdateLoginProfile(f.root(), { UserName: 'alice', Password: 'Third-pw3', PasswordResetRequired: true });
    const p = await stored('alice');
    assert.equal(await verifyPassword('Third-pw3', p!.data.PasswordHash), true);
    assert.equal(p!.data.PasswordResetRequired, true);
  });

  it('enforces a stored password policy (PasswordPolicyViolation), including reuse prevention', async () => {
    await policy.UpdateAccountPasswordPolicy(f.root(), { MinimumPasswordLength: 10, RequireNumbers: true, RequireSymbols: true, PasswordReusePrevention: 2 });
    const cases = [
      { password: 'short1!', message: 'Password should have a minimum length of 10' },
      { password: 'longenough!!', message: 'Password should have at least one number' },
      { password: 'longenough11', message: 'Password should have at least one symbol' },
      { password: 'Third-pw3', message: 'Password should have a minimum length of 10' },
    ];
    for (const c of cases) {
      const e = await awsErrorOf(() => ops.UpdateLoginProfile(f.root(), { UserName: 'alice', Password: c.password }));
      assert.equal(e.code, 'PasswordPolicyViolation');
      assert.equal(e.message, c.message);
    }
    await ops.UpdateLoginProfile(f.root(), { UserName: 'alice', Password: 'Fourth-pw-4' });
    const reuse = await awsErrorOf(() => ops.UpdateLoginProfile(f.root(), { UserName: 'alice', Password: 'Fourth-pw-4' }));
    assert.equal(reuse.code, 'PasswordPolicyViolation');
    const weak = await awsErrorOf(() => ops.CreateLoginProfile(f.root(), { UserName: 'bob', Password: 'weak' }));
    assert.equal(weak.code, 'PasswordPolicyViolation');
    await policy.DeleteAccountPasswordPolicy(f.root(), {});
  });

  it('lets users change their own password without iam:ChangePassword when the policy allows it', async () => {
    await ops.CreateLoginProfile(f.root(), { UserName: 'bob', Password: 'Bob-pw-1' });
    const bob = await f.user('bob');
    const denied = await awsErrorOf(() => ops.ChangePassword(bob, { OldPassword: 'Bob-pw-1', NewPassword: 'Bob-pw-2' }));
    assert.equal(denied.code, 'AccessDenied');
    await policy.UpdateAccountPasswordPolicy(f.root(), { AllowUsersToChangePassword: true });
    await ops.ChangePassword(bob, { OldPassword: 'Bob-pw-1', NewPassword: 'Bob-pw-2' });
    assert.equal(await verifyPassword('Bob-pw-2', (await stored('bob'))!.data.PasswordHash), true);
    await policy.DeleteAccountPasswordPolicy(f.root(), {});
  });

  it('a user reads its own profile without UserName; DeleteLoginProfile removes it', async () => {
    const alice = await f.user('alice');
    const own = await ops.GetLoginProfile(alice, {}) as { LoginProfile: Record<string, unknown> };
    assert.equal(own.LoginProfile.UserName, 'alice');
    await ops.DeleteLoginProfile(f.root(), { UserName: 'alice' });
    assert.equal(await stored('alice'), undefined);
  });
});

describe('account password policy', () => {
  let f: CredentialFixture;
  before(async () => { f = await openCredentialFixture(); await f.addUser('reader', ['iam:GetAccountPasswordPolicy']); });
  after(async () => { await f.close(); });

  it('answers NoSuchEntity when none is set', async () => {
    for (const call of [() => policy.GetAccountPasswordPolicy(f.root(), {}), () => policy.DeleteAccountPasswordPolicy(f.root(), {})]) {
      const e = await awsErrorOf(call);
      assert.equal(e.code, 'NoSuchEntity');
      assert.equal(e.message, `The Password Policy with domain name ${f.accountId} cannot be found.`);
    }
  });

  const cases = [
    {
      name: 'defaults for every member not given',
      input: {},
      want: { MinimumPasswordLength: 6, RequireSymbols: false, RequireNumbers: false, RequireUppercaseCharacters: false, RequireLowercaseCharacters: false, AllowUsersToChangePassword: false, ExpirePasswords: false },
    },
    {
      name: 'expiry, reuse prevention and hard expiry when set',
      input: { MinimumPasswordLength: 14, RequireUppercaseCharacters: true, MaxPasswordAge: 90, PasswordReusePrevention: 24, HardExpiry: true },
      want: { MinimumPasswordLength: 14, RequireSymbols: false, RequireNumbers: false, RequireUppercaseCharacters: true, RequireLowercaseCharacters: false, AllowUsersToChangePassword: false, ExpirePasswords: true, MaxPasswordAge: 90, PasswordReusePrevention: 24, HardExpiry: true },
    },
    {
      name: 'an update replaces the whole policy (unset members back to defaults)',
      input: { RequireLowercaseCharacters: true },
      want: { MinimumPasswordLength: 6, RequireSymbols: false, RequireNumbers: false, RequireUppercaseCharacters: false, RequireLowercaseCharacters: true, AllowUsersToChangePassword: false, ExpirePasswords: false },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await policy.UpdateAccountPasswordPolicy(f.root(), c.input);
      const out = await policy.GetAccountPasswordPolicy(await f.user('reader'), {});
      assert.deepEqual(out, { PasswordPolicy: c.want });
    });
  }

  it('authorizes on * (AccessDenied for a reader updating)', async () => {
    const e = await awsErrorOf(async () => policy.UpdateAccountPasswordPolicy(await f.user('reader'), {}));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /iam:UpdateAccountPasswordPolicy on resource: \*/);
    await policy.DeleteAccountPasswordPolicy(f.root(), {});
  });
});
