// Secrets at rest: the master key, and the box that encrypts secret access keys, TOTP seeds and
// session tokens under it (AES-256-GCM, DESIGN.md "Identities and credentials").
//
// Ciphertexts are compact text, versioned so that the format can change later:
//   v1.<base64url 12-byte nonce>.<base64url ciphertext ‖ 16-byte tag>
// The master key is never used directly: each purpose gets its own key derived with HKDF-SHA256,
// so a ciphertext made for one purpose never decrypts under another.
import { pooledRandomBytes } from './random-pool.js';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/index.js';

export { constantTimeEqual } from './constant-time.js';
export { hashPassword, verifyPassword } from './password.js';

/** Length of the master key and of every derived key, in bytes (AES-256). */
export const MASTER_KEY_BYTES = 32;
/** Environment variable that carries the master key (base64) instead of `<dataDir>/master.key`. */
export const MASTER_KEY_ENV = 'WARDEN_MASTER_KEY';
/** File name of the master key inside the data directory. */
export const MASTER_KEY_FILE = 'master.key';
/** Store meta name of the key-check value. */
export const MASTER_KEY_CHECK_META = 'masterKeyCheck';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Purpose of the default box (secret access keys and other long-lived secrets). */
const DEFAULT_PURPOSE = 'secrets';

/** Encrypts and decrypts short secrets under a key derived from the master key. */
export interface SecretBox {
  /** `v1.<nonce>.<ciphertext+tag>`; `associatedData` is authenticated, not stored. */
  encrypt(plaintext: string, associatedData?: string): string;
  /** The plaintext; throws `SecretBoxError` when the text is not a ciphertext of this box (with this associated data). */
  decrypt(ciphertext: string, associatedData?: string): string;
  /** Like `decrypt`, for text from outside (e.g. a session token): undefined instead of throwing. */
  tryDecrypt(ciphertext: string, associatedData?: string): string | undefined;
  /** A box with its own key for `purpose` (e.g. `sts-session-token`), independent of this one's. */
  forPurpose(purpose: string): SecretBox;
}

/** A ciphertext that is malformed, of another version, or fails authentication. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** The master key does not fit the data it is meant to decrypt, or cannot be read. */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `warden ${purpose}`, MASTER_KEY_BYTES));
}

function fromBase64Url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  return Buffer.from(text, 'base64url');
}

/** Creates a SecretBox over `masterKey` (32 bytes). */
export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== MASTER_KEY_BYTES) throw new MasterKeyError(`master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
  const master = Buffer.from(masterKey);
  return boxFor(master, DEFAULT_PURPOSE);
}

function boxFor(master: Buffer, purpose: string): SecretBox {
  const key = deriveKey(master, purpose);

  function open(ciphertext: string, associatedData: string | undefined): string | undefined {
    const parts = ciphertext.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
    const nonce = fromBase64Url(parts[1]);
    const body = fromBase64Url(parts[2]);
    if (!nonce || !body || nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      return undefined; // authentication failed
    }
  }

  return {
    encrypt(plaintext, associatedData) {
      const nonce = pooledRandomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${nonce.toString('base64url')}.${ct.toString('base64url')}`;
    },
    decrypt(ciphertext, associatedData) {
      const plain = open(ciphertext, associatedData);
      if (plain === undefined) throw new SecretBoxError('ciphertext is malformed or was not made with this key');
      return plain;
    },
    tryDecrypt(ciphertext, associatedData) {
      return typeof ciphertext === 'string' ? open(ciphertext, associatedData) : undefined;
    },
    forPurpose(other) {
      return boxFor(master, other);
    },
  };
}

// ---------------------------------------------------------------------------
// The master key: from the environment, or a file in the data directory created on first start.

/** Where the master key came from, for the start-up log line. */
export type MasterKeySource = 'env' | 'file-created' | 'file';

/** Options of `loadMasterKey`. */
export interface LoadMasterKeyOptions {
  /** The data directory (created 0700 when the key file has to be written). */
  dataDir: string;
  /** Environment to read `WARDEN_MASTER_KEY` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

function parseKeyText(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) && !/^[A-Za-z0-9_-]+$/.test(trimmed)) {
    throw new MasterKeyError(`${where} is not base64`);
  }
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(`${where} must hold ${MASTER_KEY_BYTES} bytes (base64), got ${key.length}`);
  }
  return key;
}

/** Creates `dir` (and parents) if missing, with mode 0700 for the directory itself. */
export function ensurePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * The master key: `WARDEN_MASTER_KEY` (base64 of 32 bytes) when set, otherwise
 * `<dataDir>/master.key`, created (0600, 32 random bytes) on first start. Several processes
 * starting at once on one directory all end up with the one key that was written first.
 * Throws `MasterKeyError` with a clear message when the key is unusable.
 */
export function loadMasterKey(options: LoadMasterKeyOptions): { key: Buffer; source: MasterKeySource; path?: string } {
  const env = options.env ?? process.env;
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: parseKeyText(fromEnv, MASTER_KEY_ENV), source: 'env' };

  ensurePrivateDirectory(options.dataDir);
  const path = join(options.dataDir, MASTER_KEY_FILE);
  if (!existsSync(path)) {
    // Written whole to a private temporary file, then linked into place: link() fails if the key
    // exists, so of several processes starting at once exactly one key wins, and no process
    // ever reads a half-written file.
    const temp = join(options.dataDir, `.${MASTER_KEY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
    writeFileSync(temp, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      chmodSync(temp, 0o600);
      linkSync(temp, path);
      return { key: parseKeyText(readFileSync(path, 'utf8'), path), source: 'file-created', path };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new MasterKeyError(`${path} is readable by other users (mode ${mode.toString(8)}); run \`chmod 600 ${path}\``);
  }
  return { key: parseKeyText(readFileSync(path, 'utf8'), path), source: 'file', path };
}

/** A value that identifies the master key without revealing it (HMAC of a fixed label). */
export function masterKeyCheckValue(masterKey: Buffer): string {
  return `v1:${createHmac('sha256', deriveKey(masterKey, 'key-check')).update('warden master key check').digest('base64url')}`;
}

/**
 * Records the master key's check value in the store on first start, and on every later start
 * verifies that the key is the one the store's secrets were encrypted with. Throws
 * `MasterKeyError` when it is not (the wrong `WARDEN_MASTER_KEY`, or another data directory's
 * `master.key` pointed at a shared PostgreSQL store).
 */
export async function verifyMasterKey(store: Store, masterKey: Buffer): Promise<'recorded' | 'verified'> {
  const check = masterKeyCheckValue(masterKey);
  const existing = await store.read((tx) => tx.getMeta<string>(MASTER_KEY_CHECK_META));
  if (existing === undefined) {
    const outcome = await store.transaction(async (tx) => {
      const now = await tx.getMeta<string>(MASTER_KEY_CHECK_META);
      if (now !== undefined) return now;
      await tx.setMeta(MASTER_KEY_CHECK_META, check);
      return undefined;
    });
    if (outcome === undefined) return 'recorded';
    if (outcome !== check) throw wrongKey();
    return 'verified';
  }
  if (existing !== check) throw wrongKey();
  return 'verified';
}

function wrongKey(): MasterKeyError {
  return new MasterKeyError(
    'the master key does not match the one this store was created with; ' +
    `set \`${MASTER_KEY_ENV}\` or \`<data-dir>/${MASTER_KEY_FILE}\` to the original key`);
}
