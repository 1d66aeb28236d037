// Temporary credentials: a fresh `ASIA…` key id and secret, and the session token that carries
// them with the session's claims. Every STS operation that hands out credentials (AssumeRole,
// AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetSessionToken, GetFederationToken) goes
// through `issueSessionCredentials`.
import type { SecretBox } from '../../crypto/secrets.js';
import { pooledRandomBytes } from '../../crypto/random-pool.js';
import { isoNow } from '../iam/entities.js';
import { sealSessionToken, tokenBox, type SessionClaimsInput, type SessionTokenClaims } from './token.js';

/** The model's `Credentials` shape. `Expiration` is ISO 8601 (UTC, seconds). */
export interface SessionCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// Random bytes for key ids and secrets come from the shared pool (one system call per ~100 sessions).
const random = pooledRandomBytes;

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  return out;
}

function unbase32(text: string): Buffer | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const i = B32.indexOf(ch);
    if (i < 0) return undefined;
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/**
 * A session access key id, `ASIA` + 16 Base32 characters (80 bits) that carry the account id
 * the way AWS's key ids do: bits 1–40 of the first six bytes are the account, the rest is
 * random. `accountOfAccessKeyId` reads it back (GetAccessKeyInfo), as it reads AWS's own ids.
 */
export function sessionAccessKeyId(accountId: string): string {
  const bytes = random(10);
  // head = account << 7 | 7 random bits: at most 47 bits, exact in a double (no BigInt needed).
  const acct = /^\d{12}$/.test(accountId) ? Number(accountId) : 0;
  let head = acct * 128 + (bytes[5] & 0x7f);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = head % 256;
    head = Math.floor(head / 256);
  }
  return 'ASIA' + base32(bytes);
}

/** The account an `AKIA…`/`ASIA…` id encodes (AWS's scheme), or undefined when it is not one. */
export function accountOfAccessKeyId(accessKeyId: string): string | undefined {
  if (!/^A[KS]IA[A-Z2-7]{16}$/.test(accessKeyId)) return undefined;
  const bytes = unbase32(accessKeyId.slice(4));
  if (!bytes || bytes.length < 6) return undefined;
  let z = 0n;
  for (let i = 0; i < 6; i++) z = (z << 8n) | BigInt(bytes[i]);
  return ((z & 0x7fffffffff80n) >> 7n).toString().padStart(12, '0');
}

const boxes = new WeakMap<SecretBox, SecretBox>();

function boxOf(secrets: SecretBox): SecretBox {
  let b = boxes.get(secrets);
  if (!b) { b = tokenBox(secrets); boxes.set(secrets, b); }
  return b;
}

/**
 * Issues temporary credentials for a session described by `claims`, valid `durationSeconds`
 * from `now` (the caller has checked the duration against its operation's limits). The issue
 * time (`aws:TokenIssueTime`) is `now`, to the second.
 */
export function issueSessionCredentials(
  secrets: SecretBox, claims: SessionClaimsInput, now: Date, durationSeconds: number,
): SessionCredentials {
  const issued = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const expires = new Date(issued.getTime() + durationSeconds * 1000);
  const full: SessionTokenClaims = {
    ...claims,
    accessKeyId: sessionAccessKeyId(claims.accountId),
    // 40 characters of the base64 alphabet, as AWS's secret access keys.
    secretAccessKey: random(30).toString('base64'),
    issuedAt: isoNow(issued),
    expiresAt: isoNow(expires),
  };
  return {
    AccessKeyId: full.accessKeyId,
    SecretAccessKey: full.secretAccessKey,
    SessionToken: sealSessionToken(boxOf(secrets), full),
    Expiration: full.expiresAt,
  };
}

/** The token box of `secrets`, shared with the runtime's verification (one derivation per box). */
export function sessionTokenBox(secrets: SecretBox): SecretBox {
  return boxOf(secrets);
}
