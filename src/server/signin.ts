// The sign-in API, what a console uses: `POST /_warden/signin` with a JSON body
//
//   { "Account": "123456789012" | "alias", "UserName": "alice", "Password": "…",
//     "MFACode": "123456" (when the user has an MFA device), "NewPassword": "…" (when the
//     password must be changed: PasswordResetRequired, or expired without HardExpiry) }
//
// answers short-lived (1 hour) session credentials for that IAM user — a GetSessionToken-like
// session (sts/credentials.ts issueSessionCredentials), MFA-authenticated when a code was given:
//
//   { "Credentials": { AccessKeyId, SecretAccessKey, SessionToken, Expiration },
//     "AccountId", "UserName", "Arn", "MFAAuthenticated" }
//
// Errors are `{ "Error": { "Code", "Message" } }`. Every attempt is audited as CloudTrail's
// `ConsoleLogin` event (eventSource signin.amazonaws.com), failures included, before the answer
// goes out. Failed attempts are slowed down per (account, user, source IP): after the n-th
// failure in a row, attempts are refused (429, Retry-After) for base·2^(n−1), at most the cap.
//
// Passwords are checked with scrypt (crypto/password.ts) in constant time; an unknown account or
// user costs the same scrypt work and gets the same answer as a wrong password. MFA codes are
// checked by STS's TOTP check, with its replay protection (sts/mfa.ts verifyMfa).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hashPassword, verifyPassword } from '../crypto/password.js';
import { AwsError } from '../protocol/index.js';
import type { AccountAliasDoc } from '../services/iam/account.js';
import { KIND, isoNow, ownerKey, type AccountDoc, type UserDoc } from '../services/iam/entities.js';
import type { LoginProfileDoc } from '../services/iam/login-profiles.js';
import type { MfaDeviceDoc } from '../services/iam/mfa-listing.js';
import { checkPasswordPolicy, getPasswordPolicy, passwordExpiresAt, type PasswordPolicyDoc } from '../services/iam/password-policy.js';
import { issueSessionCredentials } from '../services/sts/credentials.js';
import { verifyMfa } from '../services/sts/mfa.js';
import type { SessionClaimsInput } from '../services/sts/token.js';
import type { Caller } from '../services/types.js';
import { readBody } from './body.js';
import type { ServiceRuntime } from './service-runtime.js';

/** Path of the sign-in API. */
export const SIGNIN_PATH = '/_warden/signin';
/** Sign-in sessions last one hour. */
export const SIGNIN_SESSION_SECONDS = 3600;
const MAX_SIGNIN_BODY = 16 * 1024;
/** Remembered earlier passwords (as login-profiles.ts keeps them). */
const MAX_REMEMBERED = 24;

export const SIGNIN_MESSAGES = {
  invalid: 'The request must be a JSON object with the string members Account, UserName and Password.',
  failed: 'Your authentication information is incorrect. Please try again.',
  mfaRequired: 'Your account is protected by MFA: provide MFACode, the current code of your MFA device.',
  resetRequired: 'You must change your password to continue: provide NewPassword.',
  expired: 'Your password has expired: provide NewPassword to change it.',
  hardExpired: 'Your password has expired and can only be reset by an administrator.',
  throttled: (s: number) => `Too many failed sign-in attempts. Try again in ${s} seconds.`,
} as const;

export interface SigninRequest {
  Account: string;
  UserName: string;
  Password: string;
  MFACode?: string;
  NewPassword?: string;
}

export interface SigninAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface SigninOptions {
  /** Delay after the first failure (ms); doubles with every further failure. Default 1 s. */
  baseDelayMs?: number;
  /** Longest delay (ms). Default 15 minutes. */
  maxDelayMs?: number;
}

// ---------------------------------------------------------------------------
// Slowing down failed attempts: in memory, per node, per (account, user, IP).

interface Failures { count: number; until: number }

const MAX_TRACKED = 100_000;

export class SigninThrottle {
  private readonly failures = new Map<string, Failures>();
  constructor(private readonly baseMs: number, private readonly maxMs: number) {}

  static key(account: string, userName: string, ip: string): string {
    return `${account.toLowerCase()}\u0000${userName.toLowerCase()}\u0000${ip}`;
  }

  /** Milliseconds to wait before `key` may try again (0: now). */
  waitMs(key: string, now: number): number {
    const f = this.failures.get(key);
    return f && f.until > now ? f.until - now : 0;
  }

  failed(key: string, now: number): void {
    if (this.failures.size >= MAX_TRACKED) {
      for (const [k, f] of this.failures) if (f.until + this.maxMs < now) this.failures.delete(k);
      if (this.failures.size >= MAX_TRACKED) this.failures.clear();
    }
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(count - 1, 30));
    this.failures.set(key, { count, until: now + delay });
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}

const throttles = new WeakMap<object, SigninThrottle>();

function throttleOf(runtime: ServiceRuntime, opts: SigninOptions): SigninThrottle {
  let t = throttles.get(runtime);
  if (!t) {
    t = new SigninThrottle(opts.baseDelayMs ?? 1000, opts.maxDelayMs ?? 15 * 60_000);
    throttles.set(runtime, t);
  }
  return t;
}

// ---------------------------------------------------------------------------

function parseRequest(body: Buffer): SigninRequest | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const s = (n: string) => (typeof o[n] === 'string' && (o[n] as string).length > 0 && (o[n] as string).length <= 512 ? o[n] as string : undefined);
  const Account = s('Account');
  const UserName = s('UserName');
  const Password = typeof o.Password === 'string' && o.Password.length <= 512 ? o.Password : undefined;
  if (Account === undefined || UserName === undefined || Password === undefined) return undefined;
  for (const n of ['MFACode', 'NewPassword']) if (o[n] !== undefined && s(n) === undefined) return undefined;
  return { Account, UserName, Password, MFACode: s('MFACode'), NewPassword: s('NewPassword') };
}

const error = (status: number, code: string, message: string, headers?: Record<string, string>): SigninAnswer =>
  ({ status, body: { Error: { Code: code, Message: message } }, headers });

interface Found {
  account: string;
  user: UserDoc;
  profile: LoginProfileDoc;
  policy?: PasswordPolicyDoc;
  devices: MfaDeviceDoc[];
}

/** The account (id or alias), user, login profile, policy and assigned MFA devices, if they all exist. */
async function lookUp(runtime: ServiceRuntime, accountOrAlias: string, userName: string): Promise<Found | { account?: string; user?: UserDoc }> {
  return runtime.store.read(async (tx) => {
    let account: string | undefined;
    if (/^\d{12}$/.test(accountOrAlias)) {
      if (await tx.get<AccountDoc>(KIND.account, accountOrAlias, accountOrAlias)) account = accountOrAlias;
    } else {
      account = (await tx.get<AccountAliasDoc>(KIND.accountAlias, '', accountOrAlias))?.data.AccountId;
    }
    if (account === undefined) return {};
    const user = (await tx.get<UserDoc>(KIND.user, account, userName))?.data;
    if (!user) return { account };
    const profile = (await tx.get<LoginProfileDoc>(KIND.loginProfile, account, ownerKey('user', user.UserName)))?.data;
    if (!profile) return { account, user };
    const policy = await getPasswordPolicy(tx, account);
    const devices = (await tx.list<MfaDeviceDoc>(KIND.mfaDevice, account, { parent: ownerKey('user', user.UserName) }))
      .map((d) => d.data).filter((d) => d.UserName !== undefined && d.EnableDate !== undefined);
    return { account, user, profile, policy, devices };
  });
}

// A hash to spend the same scrypt work on when there is no password to check.
let dummyHash: Promise<string> | undefined;

async function passwordMatches(password: string, hash: string | undefined): Promise<boolean> {
  if (hash === undefined) {
    dummyHash ??= hashPassword('warden-no-such-user');
    await verifyPassword(password, await dummyHash);
    return false;
  }
  return verifyPassword(password, hash);
}

/** Checks a new password against the policy and the remembered ones; the PasswordPolicyViolation message, or undefined. */
async function newPasswordProblem(runtime: ServiceRuntime, found: Found, password: string): Promise<string | undefined> {
  try {
    await runtime.store.read((tx) => checkPasswordPolicy(tx, found.account, password));
  } catch (e) {
    if (e instanceof AwsError) return e.message;
    throw e;
  }
  const keep = found.policy?.PasswordReusePrevention ?? 0;
  const remembered = [found.profile.PasswordHash, ...(found.profile.PreviousPasswordHashes ?? [])];
  // The current password is never accepted as the new one; earlier ones per PasswordReusePrevention.
  for (const [i, old] of remembered.slice(0, Math.max(1, keep)).entries()) {
    if (await verifyPassword(password, old)) {
      return i === 0 && keep === 0 ? 'The new password must differ from the current password.' : `Password should not be one of your previous ${keep} passwords`;
    }
  }
  return undefined;
}

export interface SigninMeta {
  sourceIp: string;
  userAgent?: string;
  now: Date;
  requestId?: string;
}

/** One sign-in attempt: checks, audits and answers. */
export async function signIn(runtime: ServiceRuntime, body: Buffer, meta: SigninMeta, opts: SigninOptions = {}): Promise<SigninAnswer> {
  const requestId = meta.requestId ?? randomUUID();
  const req = parseRequest(body);
  const throttle = throttleOf(runtime, opts);
  const now = meta.now;
  let caller: Caller | undefined;

  const audit = async (answer: SigninAnswer, mfaUsed: boolean): Promise<SigninAnswer> => {
    const trail = runtime.audit;
    if (!trail?.enabled) return answer;
    const err = answer.body.Error as { Code: string; Message: string } | undefined;
    try {
      await trail.record({
        requestId, time: now, service: 'signin', operation: 'ConsoleLogin', region: 'us-east-1',
        sourceIp: meta.sourceIp, userAgent: meta.userAgent,
        caller,
        // Only who tried and how; never the passwords or codes.
        input: req ? { Account: req.Account, UserName: req.UserName, MFAUsed: mfaUsed ? 'Yes' : 'No' } : undefined,
        output: err ? undefined : { ConsoleLogin: 'Success' },
        status: answer.status,
        errorCode: err?.Code,
        errorMessage: err ? (answer.status === 401 ? 'Failed authentication' : err.Message) : undefined,
      });
    } catch {
      return error(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.');
    }
    return answer;
  };

  if (!req) return audit(error(400, 'InvalidRequest', SIGNIN_MESSAGES.invalid), false);
  const key = SigninThrottle.key(req.Account, req.UserName, meta.sourceIp);
  const wait = throttle.waitMs(key, now.getTime());
  if (wait > 0) {
    const s = Math.ceil(wait / 1000);
    return audit(error(429, 'Throttling', SIGNIN_MESSAGES.throttled(s), { 'Retry-After': String(s) }), req.MFACode !== undefined);
  }
  const failed = () => {
    throttle.failed(key, now.getTime());
    return audit(error(401, 'AuthenticationFailed', SIGNIN_MESSAGES.failed), req.MFACode !== undefined);
  };

  const found = await lookUp(runtime, req.Account, req.UserName);
  if ('user' in found && found.user) {
    caller = {
      principal: { kind: 'user', accountId: found.account!, arn: found.user.Arn },
      accountId: found.account!, accessKeyId: '', userId: found.user.UserId, userName: found.user.UserName,
    };
  }
  const ok = await passwordMatches(req.Password, 'profile' in found ? found.profile.PasswordHash : undefined);
  if (!ok || !('profile' in found)) return failed();
  const f = found as Found;

  // MFA: required once the user has a device; checked with STS's TOTP check (replay-safe).
  let mfa = false;
  if (f.devices.length > 0) {
    if (req.MFACode === undefined) return audit(error(401, 'MFARequired', SIGNIN_MESSAGES.mfaRequired), false);
    for (const d of f.devices) {
      try {
        await verifyMfa(runtime.store, runtime.secrets, f.account, f.user.UserName, d.SerialNumber, req.MFACode, now);
        mfa = true;
        break;
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
      }
    }
    if (!mfa) return failed();
  }

  // The password's state: hard-expired, expired, or to be reset.
  const expiresAt = passwordExpiresAt(f.policy, f.profile.PasswordLastChanged);
  const expired = expiresAt !== undefined && expiresAt.getTime() <= now.getTime();
  if (expired && f.policy?.HardExpiry) return audit(error(403, 'PasswordExpired', SIGNIN_MESSAGES.hardExpired), mfa);
  let newHash: string | undefined;
  if (expired || f.profile.PasswordResetRequired) {
    if (req.NewPassword === undefined) {
      return audit(error(403, expired ? 'PasswordExpired' : 'PasswordResetRequired', expired ? SIGNIN_MESSAGES.expired : SIGNIN_MESSAGES.resetRequired), mfa);
    }
    const problem = await newPasswordProblem(runtime, f, req.NewPassword);
    if (problem) return audit(error(400, 'PasswordPolicyViolation', problem), mfa);
    newHash = await hashPassword(req.NewPassword);
  }

  throttle.succeeded(key);
  const stamp = isoNow(now);
  await runtime.store.transaction(async (tx) => {
    const u = await tx.get<UserDoc>(KIND.user, f.account, f.user.UserName);
    if (u) await tx.update({ kind: KIND.user, account: f.account, key: u.key, data: { ...u.data, PasswordLastUsed: stamp } });
    if (newHash !== undefined) {
      const p = await tx.get<LoginProfileDoc>(KIND.loginProfile, f.account, ownerKey('user', f.user.UserName));
      if (p) {
        const data: LoginProfileDoc = {
          ...p.data, PasswordHash: newHash, PasswordLastChanged: stamp, PasswordResetRequired: false,
          PreviousPasswordHashes: [p.data.PasswordHash, ...(p.data.PreviousPasswordHashes ?? [])].slice(0, MAX_REMEMBERED),
        };
        await tx.update({ kind: KIND.loginProfile, account: f.account, key: p.key, data });
      }
    }
  });
  await runtime.afterWrite();

  const claims: SessionClaimsInput = {
    type: 'session-token', accountId: f.account,
    principal: { kind: 'user', userName: f.user.UserName, userId: f.user.UserId, userArn: f.user.Arn },
  };
  if (mfa) {
    claims.mfaAuthenticated = true;
    claims.mfaAuthTime = stamp;
  }
  const Credentials = issueSessionCredentials(runtime.secrets, claims, now, SIGNIN_SESSION_SECONDS);
  return audit({
    status: 200,
    body: { Credentials, AccountId: f.account, UserName: f.user.UserName, Arn: f.user.Arn, MFAAuthenticated: mfa },
  }, mfa);
}

function write(res: ServerResponse, answer: SigninAnswer, requestId: string): void {
  const body = JSON.stringify(answer.body);
  res.statusCode = answer.status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('x-amzn-RequestId', requestId);
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Serves `POST /_warden/signin` (server/http.ts routes the path here). */
export async function serveSignin(
  req: IncomingMessage, res: ServerResponse, runtime: ServiceRuntime | undefined, meta: SigninMeta & { requestId: string }, opts: SigninOptions = {},
): Promise<number> {
  if (req.method !== 'POST') {
    req.resume();
    write(res, { ...error(405, 'MethodNotAllowed', 'Use POST.'), headers: { Allow: 'POST' } }, meta.requestId);
    return 405;
  }
  const body = await readBody(req, MAX_SIGNIN_BODY);
  if (!body.ok) {
    res.setHeader('Connection', 'close');
    const answer = body.reason === 'too-large' ? error(413, 'RequestEntityTooLarge', 'Request body too large.') : error(400, 'InvalidRequest', SIGNIN_MESSAGES.invalid);
    write(res, answer, meta.requestId);
    return answer.status;
  }
  if (!runtime) {
    const answer = error(503, 'ServiceUnavailable', 'Service is starting; try again.');
    write(res, answer, meta.requestId);
    return answer.status;
  }
  const answer = await signIn(runtime, body.body, meta, opts);
  write(res, answer, meta.requestId);
  return answer.status;
}
