// MFA for STS: a `SerialNumber` + `TokenCode` pair checked as a TOTP code (RFC 6238: HMAC-SHA1,
// 30-second steps, 6 digits, one step of clock drift either way) against the caller's virtual
// MFA device. A code (time step) once accepted is never accepted again for that device: the
// last used step is recorded on the device.
//
// Devices are KIND.mfaDevice entities in the owner's account: key = id = the serial number
// (`arn:aws:iam::ACCT:mfa/NAME`), parent = ownerKey('user', name) (ROOT_OWNER for the root
// user), data MfaDeviceDoc with the Base32 seed encrypted by the runtime's SecretBox.
import { createHmac } from 'node:crypto';
import type { SecretBox } from '../../crypto/secrets.js';
import type { Store } from '../../store/index.js';
import { KIND } from '../iam/entities.js';
import { accessDenied } from './common.js';

export interface MfaDeviceDoc {
  SerialNumber: string;
  /** The assigned user's name; '' for the root user; absent while an unassigned virtual device. */
  UserName?: string;
  /** Set once the device is enabled (assigned). */
  EnableDate?: string;
  /** The Base32 seed (RFC 4648, as `Base32StringSeed`), encrypted with the runtime's SecretBox; absent for hardware devices. */
  SeedEncrypted?: string;
  /** The last TOTP time step accepted (replay protection). */
  LastUsedStep?: number;
}

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift accepted either way. */
export const TOTP_WINDOW = 1;

// AWS's messages for a failed MFA check on AssumeRole / GetSessionToken.
export const MFA_INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';
export const MFA_UNABLE = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function base32Encode(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** The HOTP value (RFC 4226) of `key` at `counter`, 6 digits. */
export function hotp(key: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/** The TOTP code of a Base32 seed at `now`. */
export function totp(seedBase32: string, now: Date): string {
  return hotp(base32Decode(seedBase32), Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS));
}

/** The time step `code` matches within the window, or undefined. */
export function matchingStep(seedBase32: string, code: string, now: Date): number | undefined {
  const key = base32Decode(seedBase32);
  const step = Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
  for (let d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
    const h = hotp(key, step + d);
    let diff = h.length ^ code.length;
    for (let i = 0; i < h.length && i < code.length; i++) diff |= h.charCodeAt(i) ^ code.charCodeAt(i);
    if (diff === 0) return step + d;
  }
  return undefined;
}

/**
 * Checks `serialNumber` + `tokenCode` for the caller (`account`, `userName`; '' for root) and
 * records the step used. Throws AccessDenied with AWS's message when the device is not the
 * caller's, the code is wrong, or the code was used already.
 */
export async function verifyMfa(
  store: Store, secrets: SecretBox | undefined, account: string, userName: string,
  serialNumber: string | undefined, tokenCode: string | undefined, now: Date,
): Promise<void> {
  if (serialNumber === undefined || tokenCode === undefined || !secrets) throw accessDenied(MFA_UNABLE);
  await store.transaction(async (tx) => {
    const dev = await tx.get<MfaDeviceDoc>(KIND.mfaDevice, account, serialNumber);
    const d = dev?.data;
    // Only an enabled device assigned to the caller counts.
    if (!dev || !d || d.UserName === undefined || d.EnableDate === undefined || d.UserName.toLowerCase() !== userName.toLowerCase()) {
      throw accessDenied(MFA_UNABLE);
    }
    const seed = d.SeedEncrypted === undefined ? undefined : secrets.tryDecrypt(d.SeedEncrypted);
    if (seed === undefined) throw accessDenied(MFA_UNABLE);
    const step = matchingStep(seed, tokenCode, now);
    if (step === undefined || (dev.data.LastUsedStep !== undefined && step <= dev.data.LastUsedStep)) {
      throw accessDenied(MFA_INVALID_CODE);
    }
    await tx.update({ ...dev, data: { ...dev.data, LastUsedStep: step } });
  });
}
