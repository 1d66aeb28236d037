// Console passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile,
// ChangePassword. Passwords are kept only as scrypt hashes (crypto/password.ts) and checked
// against the account password policy (password-policy.ts).
//
// A login profile is KIND.loginProfile with key = parent = ownerKey('user', name), so that
// renaming a user (users.ts renameUserChildren) moves it with the user.
import { AwsError } from '../../protocol/index.js';
import { hashPassword, verifyPassword } from '../../crypto/password.js';
import type { ReadTx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import { entityAlreadyExists, iamError, invalidInput, noSuchEntity, optStr, str } from './common.js';
import { KIND, isoNow, ownerKey } from './entities.js';
import { callerInRootSession, resolveOwner, type CredentialOwner } from './credential-owner.js';
import { checkPasswordPolicy, getPasswordPolicy, type PasswordPolicyDoc } from './password-policy.js';

export interface LoginProfileDoc {
  UserName: string;
  CreateDate: string;
  PasswordResetRequired: boolean;
  /**
   * scrypt hash (crypto/password.ts); '' for the passwordless profile an AssumeRoot session
   * creates for a member account's root user (no password matches it).
   */
  PasswordHash: string;
  /** When the password was last set (password expiry counts from it). */
  PasswordLastChanged: string;
  /** Hashes of earlier passwords, newest first, kept for PasswordReusePrevention (at most 24). */
  PreviousPasswordHashes?: string[];
}

const MAX_REMEMBERED = 24;

function profileOutput(d: LoginProfileDoc): Record<string, unknown> {
  return { UserName: d.UserName, CreateDate: d.CreateDate, PasswordResetRequired: d.PasswordResetRequired };
}

function noProfile(name: string) {
  return noSuchEntity(`Login Profile for User ${name} cannot be found.`);
}

async function profileOf(tx: Pick<ReadTx, 'get'>, account: string, owner: CredentialOwner) {
  const p = await tx.get<LoginProfileDoc>(KIND.loginProfile, account, owner.parent);
  if (!p) throw noProfile(owner.root ? 'root' : owner.userName);
  return p;
}

/**
 * Checks `password` against the policy and the remembered passwords (PasswordReusePrevention),
 * then hashes it — outside the write transaction, since scrypt is deliberately slow.
 */
async function acceptPassword(ctx: CallContext, password: string, previous: readonly string[]): Promise<{ hash: string; policy?: PasswordPolicyDoc }> {
  const policy = await ctx.store.read((tx) => checkPasswordPolicy(tx, ctx.caller.accountId, password));
  if (policy && policy.PasswordReusePrevention > 0) {
    for (const old of previous.slice(0, policy.PasswordReusePrevention)) {
      if (await verifyPassword(password, old)) {
        throw iamError('PasswordPolicyViolation', `Password should not be one of your previous ${policy.PasswordReusePrevention} passwords`);
      }
    }
  }
  return { hash: await hashPassword(password), policy };
}

function remembered(d: LoginProfileDoc): string[] {
  return [d.PasswordHash, ...(d.PreviousPasswordHashes ?? [])].slice(0, MAX_REMEMBERED);
}

export const loginProfileOperations: OperationTable = {
  async CreateLoginProfile(ctx, input) {
    const account = ctx.caller.accountId;
    const password = optStr(input, 'Password');
    const owner = await ctx.store.read((tx) => resolveOwner(ctx, tx, input, 'iam:CreateLoginProfile'));
    // The root user of a member account gets a passwordless profile from an AssumeRoot session
    // (IAMCreateRootUserPassword: "This parameter must be omitted when you make the request with
    // an AssumeRoot session. It is required in all other cases."); the root user then sets its
    // password through password recovery. IAM users need a password.
    const passwordless = owner.root && callerInRootSession(ctx);
    if (passwordless && password !== undefined) throw invalidInput('Password must be omitted when you create a login profile with an AssumeRoot session.');
    if (!passwordless && password === undefined) throw invalidInput('Password is required to create a login profile for an IAM user.');
    const hash = password === undefined ? '' : (await acceptPassword(ctx, password, [])).hash;
    return ctx.store.transaction(async (tx) => {
      const o = await resolveOwner(ctx, tx, owner.root ? {} : { UserName: owner.userName }, 'iam:CreateLoginProfile');
      const now = isoNow(ctx.now);
      const doc: LoginProfileDoc = {
        UserName: o.userName, CreateDate: now, PasswordResetRequired: input.PasswordResetRequired === true,
        PasswordHash: hash, PasswordLastChanged: now,
      };
      if (password !== undefined) await checkPasswordPolicy(tx, account, password);
      try {
        await tx.insert({ kind: KIND.loginProfile, account, key: o.parent, parent: o.parent, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`Login Profile for user ${o.root ? 'root' : o.userName} already exists.`);
        throw e;
      }
      return { LoginProfile: profileOutput(doc) };
    });
  },

  async GetLoginProfile(ctx, input) {
    const account = ctx.caller.accountId;
    const p = await ctx.store.read(async (tx) => profileOf(tx, account, await resolveOwner(ctx, tx, input, 'iam:GetLoginProfile')));
    return { LoginProfile: profileOutput(p.data) };
  },

  async UpdateLoginProfile(ctx, input) {
    const account = ctx.caller.accountId;
    const password = optStr(input, 'Password');
    const before = await ctx.store.read(async (tx) => profileOf(tx, account, await resolveOwner(ctx, tx, input, 'iam:UpdateLoginProfile')));
    const accepted = password === undefined ? undefined : await acceptPassword(ctx, password, remembered(before.data));
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, { UserName: before.data.UserName }, 'iam:UpdateLoginProfile');
      const p = await profileOf(tx, account, owner);
      const doc: LoginProfileDoc = { ...p.data };
      if (accepted && password !== undefined) {
        await checkPasswordPolicy(tx, account, password);
        doc.PreviousPasswordHashes = remembered(p.data);
        doc.PasswordHash = accepted.hash;
        doc.PasswordLastChanged = isoNow(ctx.now);
      }
      if (typeof input.PasswordResetRequired === 'boolean') doc.PasswordResetRequired = input.PasswordResetRequired;
      await tx.update({ kind: KIND.loginProfile, account, key: p.key, data: doc });
      return undefined;
    });
  },

  async DeleteLoginProfile(ctx, input) {
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:DeleteLoginProfile');
      const p = await profileOf(tx, account, owner);
      await tx.delete(KIND.loginProfile, account, p.key);
      return undefined;
    });
  },

  /**
   * The calling IAM user's own password. With the policy's AllowUsersToChangePassword, IAM lets
   * every user change its own password without an identity policy allowing iam:ChangePassword
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html).
   */
  async ChangePassword(ctx, input) {
    const account = ctx.caller.accountId;
    const name = ctx.caller.userName;
    if (ctx.caller.principal.kind !== 'user' || name === undefined) {
      throw iamError('InvalidUserType', 'Only IAM users can change their own password with ChangePassword.');
    }
    const oldPassword = str(input, 'OldPassword');
    const newPassword = str(input, 'NewPassword');
    const state = await ctx.store.read(async (tx) => {
      const u = await tx.get<{ Arn: string }>(KIND.user, account, name);
      const policy = await getPasswordPolicy(tx, account);
      const profile = await tx.get<LoginProfileDoc>(KIND.loginProfile, account, ownerKey('user', name));
      return { arn: u?.data.Arn, policy, profile };
    });
    if (!state.arn) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    try {
      ctx.authorize('iam:ChangePassword', state.arn);
    } catch (e) {
      // The policy setting stands in for an Allow; an explicit Deny still wins.
      const allowedByPolicy = state.policy?.AllowUsersToChangePassword === true;
      if (!allowedByPolicy || !(e instanceof AwsError) || /explicit deny/.test(e.message)) throw e;
    }
    if (!state.profile) throw noProfile(name);
    // scrypt comparison in constant time (crypto/password.ts verifyPassword).
    if (!(await verifyPassword(oldPassword, state.profile.data.PasswordHash))) {
      throw new AwsError('AccessDenied', 'The old password is incorrect.', { status: 403, type: 'Sender' });
    }
    const { hash } = await acceptPassword(ctx, newPassword, remembered(state.profile.data));
    return ctx.store.transaction(async (tx) => {
      const p = await tx.get<LoginProfileDoc>(KIND.loginProfile, account, ownerKey('user', name));
      if (!p) throw noProfile(name);
      // Changed by someone else meanwhile: the old password we verified no longer applies.
      if (p.version !== state.profile!.version) throw iamError('EntityTemporarilyUnmodifiable', `Login Profile for User ${name} cannot be modified while it is being changed; try again.`);
      await checkPasswordPolicy(tx, account, newPassword);
      const doc: LoginProfileDoc = {
        ...p.data, PasswordHash: hash, PasswordLastChanged: isoNow(ctx.now), PasswordResetRequired: false,
        PreviousPasswordHashes: remembered(p.data),
      };
      await tx.update({ kind: KIND.loginProfile, account, key: p.key, data: doc });
      return undefined;
    });
  },
};
