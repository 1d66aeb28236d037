// Password hashing for IAM login profiles (DESIGN.md: "passwords hashed with scrypt").
// Encoded in the PHC string style so the parameters travel with the hash:
//   $scrypt$ln=15,r=8,p=1$<base64 salt>$<base64 hash>
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters of new hashes: N = 2^15, r = 8, p = 1 (32 MiB of memory per hash). */
const DEFAULT_LOG_N = 15;
const DEFAULT_R = 8;
const DEFAULT_P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Upper bounds on parameters read back from a stored hash, so a bad row cannot exhaust memory. */
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;

/** Parameters of `hashPassword` (tests use a small cost). */
export interface PasswordHashOptions {
  /** log2 of scrypt's N (default 15). */
  logN?: number;
  r?: number;
  p?: number;
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs about 128 * N * r bytes; leave headroom over Node's 32 MiB default limit.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, HASH_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A new scrypt hash of `password`, with a random salt, as an encoded string. */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const logN = options.logN ?? DEFAULT_LOG_N;
  const r = options.r ?? DEFAULT_R;
  const p = options.p ?? DEFAULT_P;
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, logN, r, p);
  return `$scrypt$ln=${logN},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const ENCODED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Whether `password` matches `encoded` (a `hashPassword` result); false for a malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const m = ENCODED.exec(encoded);
  if (!m) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 1 || logN > MAX_LOG_N || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return false;
  const salt = Buffer.from(m[4], 'base64');
  const expected = Buffer.from(m[5], 'base64');
  if (expected.length === 0) return false;
  const actual = await derive(password, salt, logN, r, p);
  if (actual.length !== expected.length) {
    return false;
  }
  return timingSafeEqual(actual, expected);
}
