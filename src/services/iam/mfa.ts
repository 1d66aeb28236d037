// Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice,
// DeactivateMFADevice, DeleteVirtualMFADevice, TagMFADevice, UntagMFADevice, ListMFADeviceTags.
// Listing (ListMFADevices, ListVirtualMFADevices, GetMFADevice) is mfa-listing.ts, reading the
// same KIND.mfaDevice documents (MfaDeviceDoc, defined there).
//
// A device is KIND.mfaDevice with key = SerialNumber (`arn:aws:iam::ACCT:mfa/PATH/NAME`), id =
// null, parent = null while unassigned and ownerKey('user', name) once enabled for a user. The
// seed is 160 random bits (otpauth's Secret), returned once as Base32StringSeed and as the
// QR code of its `otpauth://totp/…` URI, and kept encrypted with the runtime's SecretBox.
//
// TOTP arithmetic (HOTP, Base32, the time step) and the replay rule (a step once accepted is
// never accepted again: `LastUsedStep`) are STS's (sts/mfa.ts), which checks the codes of
// GetSessionToken/AssumeRole against these same documents.
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { AwsError } from '../../protocol/index.js';
import type { Entity, ReadTx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  authorizeCreate, deleteConflict, entityAlreadyExists, iamError, limitExceeded, listAll, mergeTags, noSuchEntity, paginate, pathOf, removeTags,
  requestTagKeys, resourceTagKeys, str, tagsOf,
} from './common.js';
import { KIND, iamArn, isoNow } from './entities.js';
import { callerInRootSession, callerIsRoot, resolveOwner, rootOwner, secretsOf, type CredentialOwner } from './credential-owner.js';
import { accountAliasOf } from './account.js';
import type { MfaDeviceDoc } from './mfa-listing.js';
import { base32Decode, hotp, TOTP_DIGITS, TOTP_STEP_SECONDS } from '../sts/mfa.js';

/** What this file keeps besides mfa-listing's members: the replay mark STS also writes. */
export type StoredMfaDevice = MfaDeviceDoc & { LastUsedStep?: number; CreateDate?: string };

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html:
// "MFA devices in use by an IAM user: 8", "MFA devices in use by the AWS account root user: 8".
export const MAX_MFA_DEVICES_PER_USER = 8;

/**
 * Steps of drift either way accepted for the first of the two codes of EnableMFADevice and
 * ResyncMFADevice. AWS accepts codes generated a few minutes apart from its clock when a device
 * is enabled or resynchronized (sign-in and STS accept one step either way: sts/mfa.ts).
 */
export const ENABLE_WINDOW_STEPS = 10;
export const RESYNC_WINDOW_STEPS = 40;

export const INVALID_CODE_MESSAGE = 'Authentication code for device is not valid.';

const invalidCode = () => iamError('InvalidAuthenticationCode', INVALID_CODE_MESSAGE);
const noDevice = (serial: string) => noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);

function assigned(d: MfaDeviceDoc): boolean {
  return d.UserName !== undefined && d.EnableDate !== undefined;
}

function sameCode(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The time step of `code2` when `code1` and `code2` are the codes of two consecutive steps
 * within `window` steps of `now`, both after `lastUsed` (replay); otherwise undefined.
 */
export function consecutiveStep(seedBase32: string, code1: string, code2: string, now: Date, window: number, lastUsed?: number): number | undefined {
  const key = base32Decode(seedBase32);
  const current = Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
  let found: number | undefined;
  // Check every candidate (no early exit), so that timing does not tell which step matched.
  for (let d = -window; d <= window; d++) {
    const s = current + d;
    if (sameCode(hotp(key, s), code1) && sameCode(hotp(key, s + 1), code2) && found === undefined) found = s + 1;
  }
  if (found === undefined) return undefined;
  if (lastUsed !== undefined && found - 1 <= lastUsed) return undefined;
  return found;
}

/** A device of the account by serial number, or NoSuchEntity. */
async function deviceOf(tx: Pick<ReadTx, 'get'>, account: string, serial: string): Promise<Entity<StoredMfaDevice>> {
  const d = await tx.get<StoredMfaDevice>(KIND.mfaDevice, account, serial);
  if (!d) throw noDevice(serial);
  return d;
}

/** The `otpauth://totp/…` URI of a device, as authenticator apps read it from the QR code. */
export function otpauthUri(seed: Secret, deviceName: string, accountLabel: string): string {
  return new TOTP({
    issuer: 'Amazon Web Services', label: `${deviceName}@${accountLabel}`, secret: seed,
    algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_STEP_SECONDS,
  }).toString();
}

/** Decrypts a device's seed (the runtime's SecretBox); a seed that does not decrypt matches no code. */
function seedOf(ctx: CallContext, d: StoredMfaDevice): string | undefined {
  if (d.SeedEncrypted === undefined) return undefined;
  return secretsOf(ctx).tryDecrypt(d.SeedEncrypted);
}

function mfaArn(ctx: CallContext, serial: string): string {
  // A hardware serial is not an ARN: authorize on the account's mfa/ space with its name.
  return serial.startsWith('arn:') ? serial : iamArn(ctx.caller.accountId, 'mfa', '/', serial);
}

/** Enable/Resync: the user named (required) and the device, authorized on the user. */
async function userAndDevice(ctx: CallContext, tx: ReadTx, input: Record<string, unknown>, action: string) {
  const owner = await resolveOwner(ctx, tx, input, action, { required: true });
  const d = await deviceOf(tx, ctx.caller.accountId, str(input, 'SerialNumber'));
  return { owner, d };
}

function checkedCodes(ctx: CallContext, d: StoredMfaDevice, input: Record<string, unknown>, window: number, lastUsed?: number): number {
  const seed = seedOf(ctx, d);
  if (seed === undefined) throw invalidCode();
  const step = consecutiveStep(seed, str(input, 'AuthenticationCode1'), str(input, 'AuthenticationCode2'), ctx.now, window, lastUsed);
  if (step === undefined) throw invalidCode();
  return step;
}

/**
 * Assigns a virtual MFA device to the root user. AWS has no API for it ("You cannot enable an MFA
 * device for the AWS account root user with the AWS CLI, AWS API, …"; only the console): this is
 * the console's call, for the root user only, with EnableMFADevice's checks and codes. Afterwards
 * the root user's GetSessionToken takes `--serial-number`/`--token-code` (parent ROOT_OWNER).
 */
export async function enableRootMfaDevice(ctx: CallContext, input: Record<string, unknown>): Promise<void> {
  if (!callerIsRoot(ctx)) throw new AwsError('AccessDenied', 'Only the root user can assign an MFA device to the root user.', { status: 403, type: 'Sender' });
  const account = ctx.caller.accountId;
  const owner = rootOwner(account);
  ctx.authorize('iam:EnableMFADevice', owner.arn);
  await ctx.store.transaction(async (tx) => {
    const d = await deviceOf(tx, account, str(input, 'SerialNumber'));
    if (assigned(d.data)) throw entityAlreadyExists('MFA Device is already in use.');
    const inUse = (await listAll<StoredMfaDevice>(tx, KIND.mfaDevice, account, owner.parent)).filter((x) => assigned(x.data)).length;
    if (inUse >= MAX_MFA_DEVICES_PER_USER) throw limitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${MAX_MFA_DEVICES_PER_USER}`);
    const step = checkedCodes(ctx, d.data, input, ENABLE_WINDOW_STEPS);
    const data: StoredMfaDevice = { ...d.data, UserName: '', EnableDate: isoNow(ctx.now), LastUsedStep: step };
    await tx.update({ kind: KIND.mfaDevice, account, key: d.key, parent: owner.parent, data });
  });
}

export const mfaOperations: OperationTable = {
  async CreateVirtualMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    const name = str(input, 'VirtualMFADeviceName');
    const path = pathOf(input);
    const tags = tagsOf(input);
    const serial = iamArn(account, 'mfa', path, name);
    authorizeCreate(ctx, 'iam:CreateVirtualMFADevice', 'iam:TagMFADevice', serial, tags);
    const secrets = secretsOf(ctx);
    const seed = new Secret({ size: 20 });
    const label = (await ctx.store.read((tx) => accountAliasOf(tx, account))) ?? account;
    const png = await QRCode.toBuffer(otpauthUri(seed, name, label), { type: 'png', errorCorrectionLevel: 'M' });
    const doc: StoredMfaDevice = {
      SerialNumber: serial, Virtual: true, Path: path, Tags: mergeTags([], tags), SeedEncrypted: secrets.encrypt(seed.base32),
      CreateDate: isoNow(ctx.now),
    };
    return ctx.store.transaction(async (tx) => {
      try {
        await tx.insert({ kind: KIND.mfaDevice, account, key: serial, parent: null, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists('MFADevice entity at the same path and name already exists.');
        throw e;
      }
      const out: Record<string, unknown> = {
        SerialNumber: serial, Base32StringSeed: Buffer.from(seed.base32, 'utf8'), QRCodePNG: png,
      };
      if (doc.Tags && doc.Tags.length > 0) out.Tags = doc.Tags;
      return { VirtualMFADevice: out };
    });
  },

  async EnableMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const { owner, d } = await userAndDevice(ctx, tx, input, 'iam:EnableMFADevice');
      if (assigned(d.data)) {
        throw entityAlreadyExists('MFA Device is already in use.');
      }
      const inUse = (await listAll<StoredMfaDevice>(tx, KIND.mfaDevice, account, owner.parent)).filter((x) => assigned(x.data)).length;
      if (inUse >= MAX_MFA_DEVICES_PER_USER) throw limitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${MAX_MFA_DEVICES_PER_USER}`);
      const step = checkedCodes(ctx, d.data, input, ENABLE_WINDOW_STEPS);
      const data: StoredMfaDevice = { ...d.data, UserName: owner.userName, EnableDate: isoNow(ctx.now), LastUsedStep: step };
      await tx.update({ kind: KIND.mfaDevice, account, key: d.key, parent: owner.parent, data });
      return undefined;
    });
  },

  async ResyncMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const { owner, d } = await userAndDevice(ctx, tx, input, 'iam:ResyncMFADevice');
      if (!assigned(d.data) || d.parent !== owner.parent) throw noDevice(str(input, 'SerialNumber'));
      const step = checkedCodes(ctx, d.data, input, RESYNC_WINDOW_STEPS, d.data.LastUsedStep);
      await tx.update({ kind: KIND.mfaDevice, account, key: d.key, data: { ...d.data, LastUsedStep: step } });
      return undefined;
    });
  },

  async DeactivateMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    const serial = str(input, 'SerialNumber');
    return ctx.store.transaction(async (tx) => {
      const owner: CredentialOwner = await resolveOwner(ctx, tx, input, 'iam:DeactivateMFADevice', { allowRoot: true });
      const d = await tx.get<StoredMfaDevice>(KIND.mfaDevice, account, serial);
      if (!d || !assigned(d.data) || d.parent !== owner.parent) throw noDevice(serial);
      if (!d.data.Virtual) {
        await tx.delete(KIND.mfaDevice, account, d.key);
        return undefined;
      }
      // Back to unassigned; the seed stays (AWS lets a deactivated virtual device be enabled again).
      const { UserName: _u, EnableDate: _e, ...rest } = d.data;
      await tx.update({ kind: KIND.mfaDevice, account, key: d.key, parent: null, data: rest });
      return undefined;
    });
  },

  async DeleteVirtualMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    const serial = str(input, 'SerialNumber');
    return ctx.store.transaction(async (tx) => {
      const d = await tx.get<StoredMfaDevice>(KIND.mfaDevice, account, serial);
      // In an AssumeRoot session the call acts on the root user's own credentials, as the
      // IAMDeleteRootUserCredentials task policy expects: it leaves iam:DeleteVirtualMFADevice
      // open only on arn:aws:iam::*:root. So a device no IAM user holds (the root's, once
      // deactivated) is authorized on the root's ARN there; an IAM user's device stays its own
      // resource (and the task policy denies it).
      const rootsOwn = callerInRootSession(ctx) && !d?.data.UserName;
      ctx.authorize('iam:DeleteVirtualMFADevice', rootsOwn ? rootOwner(account).arn : mfaArn(ctx, serial), resourceTagKeys(d?.data.Tags));
      if (!d || !d.data.Virtual) throw noSuchEntity(`VirtualMFADevice with serial number ${serial} doesn't exist.`);
      if (assigned(d.data)) throw deleteConflict('MFA VirtualDevice in use. Must deactivate first.');
      await tx.delete(KIND.mfaDevice, account, d.key);
      return undefined;
    });
  },

  async TagMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    const serial = str(input, 'SerialNumber');
    const tags = tagsOf(input);
    return ctx.store.transaction(async (tx) => {
      const d = await tx.get<StoredMfaDevice>(KIND.mfaDevice, account, serial);
      ctx.authorize('iam:TagMFADevice', mfaArn(ctx, serial), { ...resourceTagKeys(d?.data.Tags), ...requestTagKeys(tags) });
      if (!d) throw noDevice(serial);
      await tx.update({ kind: KIND.mfaDevice, account, key: d.key, data: { ...d.data, Tags: mergeTags(d.data.Tags ?? [], tags) } });
      return undefined;
    });
  },

  async UntagMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    const serial = str(input, 'SerialNumber');
    const keys = Array.isArray(input.TagKeys) ? input.TagKeys.map(String) : [];
    return ctx.store.transaction(async (tx) => {
      const d = await tx.get<StoredMfaDevice>(KIND.mfaDevice, account, serial);
      ctx.authorize('iam:UntagMFADevice', mfaArn(ctx, serial), { ...resourceTagKeys(d?.data.Tags), 'aws:TagKeys': keys });
      if (!d) throw noDevice(serial);
      await tx.update({ kind: KIND.mfaDevice, account, key: d.key, data: { ...d.data, Tags: removeTags(d.data.Tags ?? [], keys) } });
      return undefined;
    });
  },

  async ListMFADeviceTags(ctx, input) {
    const account = ctx.caller.accountId;
    const serial = str(input, 'SerialNumber');
    const d = await ctx.store.read((tx) => tx.get<StoredMfaDevice>(KIND.mfaDevice, account, serial));
    ctx.authorize('iam:ListMFADeviceTags', mfaArn(ctx, serial), resourceTagKeys(d?.data.Tags));
    if (!d) throw noDevice(serial);
    // Tags keep their order; pages are cut by position.
    const items = (d.data.Tags ?? []).map((t, i) => ({ t, k: String(i).padStart(4, '0') }));
    const page = paginate(items, (x) => x.k, input);
    return { Tags: page.items.map((x) => x.t), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
