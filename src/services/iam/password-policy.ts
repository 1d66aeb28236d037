// The account password policy: UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
// DeleteAccountPasswordPolicy, and the check every new IAM user password goes through.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
import type { ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { iamError, noSuchEntity } from './common.js';
import { KIND } from './entities.js';

/** The stored policy (KIND.passwordPolicy, key 'default'): AWS's member names. */
export interface PasswordPolicyDoc {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  /** 0: passwords do not expire. */
  MaxPasswordAge: number;
  /** 0: no reuse prevention. */
  PasswordReusePrevention: number;
  HardExpiry: boolean;
}

export const PASSWORD_POLICY_KEY = 'default';

/**
 * UpdateAccountPasswordPolicy: "If you do not specify a value for a parameter, then the
 * operation uses the default value": minimum length 6, no character requirements, users may
 * not change their passwords, no expiry, no reuse prevention, no hard expiry.
 */
export function policyFromInput(input: Record<string, unknown>): PasswordPolicyDoc {
  const bool = (n: string) => input[n] === true;
  const int = (n: string, d: number) => (typeof input[n] === 'number' ? input[n] as number : d);
  return {
    MinimumPasswordLength: int('MinimumPasswordLength', 6),
    RequireSymbols: bool('RequireSymbols'),
    RequireNumbers: bool('RequireNumbers'),
    RequireUppercaseCharacters: bool('RequireUppercaseCharacters'),
    RequireLowercaseCharacters: bool('RequireLowercaseCharacters'),
    AllowUsersToChangePassword: bool('AllowUsersToChangePassword'),
    MaxPasswordAge: int('MaxPasswordAge', 0),
    PasswordReusePrevention: int('PasswordReusePrevention', 0),
    HardExpiry: bool('HardExpiry'),
  };
}

/** The PasswordPolicy output shape: MaxPasswordAge, PasswordReusePrevention, HardExpiry only when set. */
export function policyOutput(p: PasswordPolicyDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    MinimumPasswordLength: p.MinimumPasswordLength,
    RequireSymbols: p.RequireSymbols,
    RequireNumbers: p.RequireNumbers,
    RequireUppercaseCharacters: p.RequireUppercaseCharacters,
    RequireLowercaseCharacters: p.RequireLowercaseCharacters,
    AllowUsersToChangePassword: p.AllowUsersToChangePassword,
    ExpirePasswords: p.MaxPasswordAge > 0,
  };
  if (p.MaxPasswordAge > 0) out.MaxPasswordAge = p.MaxPasswordAge;
  if (p.PasswordReusePrevention > 0) out.PasswordReusePrevention = p.PasswordReusePrevention;
  if (p.HardExpiry) out.HardExpiry = true;
  return out;
}

export async function getPasswordPolicy(tx: Pick<ReadTx, 'get'>, account: string): Promise<PasswordPolicyDoc | undefined> {
  return (await tx.get<PasswordPolicyDoc>(KIND.passwordPolicy, account, PASSWORD_POLICY_KEY))?.data;
}

function noPolicy(account: string) {
  return noSuchEntity(`The Password Policy with domain name ${account} cannot be found.`);
}

// Symbols as the password policy defines them: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '
const SYMBOLS = /[!@#$%^&*()_+\-=[\]{}|']/;

/** The first rule of `policy` that `password` breaks, in AWS's wording, or undefined. */
export function passwordPolicyViolation(policy: PasswordPolicyDoc, password: string): string | undefined {
  if (password.length < policy.MinimumPasswordLength) return `Password should have a minimum length of ${policy.MinimumPasswordLength}`;
  if (policy.RequireLowercaseCharacters && !/[a-z]/.test(password)) return 'Password should have at least one lowercase letter';
  if (policy.RequireUppercaseCharacters && !/[A-Z]/.test(password)) return 'Password should have at least one uppercase letter';
  if (policy.RequireNumbers && !/[0-9]/.test(password)) return 'Password should have at least one number';
  if (policy.RequireSymbols && !SYMBOLS.test(password)) return 'Password should have at least one symbol';
  return undefined;
}

/**
 * AWS's default password policy, enforced while the account has no custom one (IAM User Guide,
 * "Set an account password policy for IAM users": minimum 8 characters, at least three of
 * uppercase letters, lowercase letters, numbers and the symbols above). Its violations all get
 * the one message AWS gives for them.
 */
export const DEFAULT_POLICY_MESSAGE = 'Password does not conform to the account password policy.';
export const DEFAULT_MINIMUM_LENGTH = 8;

export function defaultPolicyViolation(password: string): string | undefined {
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, SYMBOLS].filter((r) => r.test(password)).length;
  return password.length < DEFAULT_MINIMUM_LENGTH || classes < 3 ? DEFAULT_POLICY_MESSAGE : undefined;
}

/**
 * The password-policy hook of CreateLoginProfile, UpdateLoginProfile, ChangePassword and the
 * sign-in's password change: throws PasswordPolicyViolation when `password` breaks the
 * account's policy — its custom policy, or AWS's default one when it has none. Returns the
 * custom policy, for reuse prevention and expiry.
 */
export async function checkPasswordPolicy(tx: Pick<ReadTx, 'get'>, account: string, password: string): Promise<PasswordPolicyDoc | undefined> {
  const policy = await getPasswordPolicy(tx, account);
  const violation = policy ? passwordPolicyViolation(policy, password) : defaultPolicyViolation(password);
  if (violation) throw iamError('PasswordPolicyViolation', violation);
  return policy;
}

const DAY_MS = 86_400_000;

/**
 * When a password set at `lastChanged` expires under `policy` (MaxPasswordAge days), or
 * undefined when passwords do not expire.
 */
export function passwordExpiresAt(policy: PasswordPolicyDoc | undefined, lastChanged: string): Date | undefined {
  if (!policy || policy.MaxPasswordAge <= 0) return undefined;
  const t = Date.parse(lastChanged);
  return Number.isFinite(t) ? new Date(t + policy.MaxPasswordAge * DAY_MS) : undefined;
}

export const passwordPolicyOperations: OperationTable = {
  async UpdateAccountPasswordPolicy(ctx, input) {
    ctx.authorize('iam:UpdateAccountPasswordPolicy', '*');
    const account = ctx.caller.accountId;
    const doc = policyFromInput(input);
    return ctx.store.transaction(async (tx) => {
      const existing = await tx.get(KIND.passwordPolicy, account, PASSWORD_POLICY_KEY);
      if (existing) await tx.update({ kind: KIND.passwordPolicy, account, key: PASSWORD_POLICY_KEY, data: doc });
      else await tx.insert({ kind: KIND.passwordPolicy, account, key: PASSWORD_POLICY_KEY, data: doc });
      return undefined;
    });
  },

  async GetAccountPasswordPolicy(ctx) {
    ctx.authorize('iam:GetAccountPasswordPolicy', '*');
    const account = ctx.caller.accountId;
    const p = await ctx.store.read((tx) => getPasswordPolicy(tx, account));
    if (!p) throw noPolicy(account);
    return { PasswordPolicy: policyOutput(p) };
  },

  async DeleteAccountPasswordPolicy(ctx) {
    ctx.authorize('iam:DeleteAccountPasswordPolicy', '*');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      if (!(await tx.delete(KIND.passwordPolicy, account, PASSWORD_POLICY_KEY))) throw noPolicy(account);
      return undefined;
    });
  },
};
