// The SigV4 signing key (SigV4 doc, "Derive a signing key",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key):
//   kDate = HMAC("AWS4" + secret, date); kRegion = HMAC(kDate, region);
//   kService = HMAC(kRegion, service); kSigning = HMAC(kService, "aws4_request").
// Four HMACs per request are the dominant cost of verification, and the key only
// changes per (secret, day, region, service), so derived keys are kept in a small cache,
// together with the HMAC pad blocks of the key so that the per-request signature is two
// one-shot hashes instead of a createHmac object.

import * as crypto from 'node:crypto';
import { SCOPE_TERMINATOR } from './canonical-request.js';

const DEFAULT_CAPACITY = 1024;
/** SHA-256 block size in bytes: the HMAC pads are one block (RFC 2104, "B = 64"). */
const BLOCK = 64;

/** A derived signing key with its HMAC pad blocks (RFC 2104: K XOR ipad, K XOR opad). */
export interface PreparedSigningKey {
  readonly key: Buffer;
  /** K XOR 0x36..., padded to one block: the start of the inner hash's input. */
  readonly innerPad: Buffer;
  /** K XOR 0x5c..., padded to one block: the start of the outer hash's input. */
  readonly outerPad: Buffer;
}

interface CacheEntry extends PreparedSigningKey {
  readonly secret: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Set on every hit; eviction gives a used entry a second chance instead of re-inserting it per hit. */
  used: boolean;
}

let capacity = DEFAULT_CAPACITY;
// INVARIANT: Map iteration order is insertion order; eviction scans from the oldest entry
// (the "clock" second-chance approximation of LRU: hits only set a flag).
const cache = new Map<string, CacheEntry>();
/** The last entry returned: most requests repeat the previous caller's scope, and this skips building the map key. */
let last: CacheEntry | undefined;

// One-shot crypto.hash (Node >= 20.12) is markedly cheaper than createHmac/createHash objects.
type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'hex' | 'latin1') => string;
const oneShotHash = (crypto as { hash?: OneShotHash }).hash;

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function prepare(key: Buffer, secret: string, date: string, region: string, service: string): CacheEntry {
  const innerPad = Buffer.alloc(BLOCK, 0x36);
  const outerPad = Buffer.alloc(BLOCK, 0x5c);
  // INVARIANT: key.length (32) <= BLOCK, so the key is used as is, zero-padded (RFC 2104, step 1).
  for (let i = 0; i < key.length; i++) {
    innerPad[i] = (innerPad[i] as number) ^ (key[i] as number);
    outerPad[i] = (outerPad[i] as number) ^ (key[i] as number);
  }
  return { key, innerPad, outerPad, secret, date, region, service, used: false };
}

/** Drops entries until there is room, sparing (once) those used since the last scan. */
function evict(): void {
  while (cache.size >= capacity) {
    const oldest = cache.entries().next().value;
    if (oldest === undefined) return;
    const [id, entry] = oldest;
    cache.delete(id);
    if (entry.used) {
      entry.used = false;
      cache.set(id, entry);
    }
  }
}

/**
 * Derives (or returns the cached) signing key for one secret, scope date, region and
 * service, with its HMAC pad blocks for `signWithKey`.
 */
export function prepareSigningKey(secretAccessKey: string, date: string, region: string, service: string): PreparedSigningKey {
  const l = last;
  if (l !== undefined && l.date === date && l.region === region && l.service === service && l.secret === secretAccessKey) {
    l.used = true;
    return l;
  }
  const id = date + '\n' + region + '\n' + service + '\n' + secretAccessKey;
  const hit = cache.get(id);
  if (hit !== undefined) {
    hit.used = true;
    last = hit;
    return hit;
  }
  const key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), SCOPE_TERMINATOR);
  const entry = prepare(key, secretAccessKey, date, region, service);
  if (capacity > 0) {
    evict();
    cache.set(id, entry);
    last = entry;
  }
  return entry;
}

/** Derives (or returns the cached) signing key for one secret, scope date, region and service. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return prepareSigningKey(secretAccessKey, date, region, service).key;
}

/** Sets how many derived signing keys are kept (0 disables caching) and empties the cache. */
export function configureSigningKeyCache(maxEntries: number): void {
  capacity = Number.isFinite(maxEntries) && maxEntries > 0 ? Math.floor(maxEntries) : 0;
  cache.clear();
  last = undefined;
}

/** Number of derived keys currently cached (for tests and metrics). */
export function signingKeyCacheSize(): number {
  return cache.size;
}

/** Hex HMAC-SHA256 of the string to sign under a signing key: the signature. */
export function computeSignature(signingKey: Buffer, stringToSign: string): string {
  return crypto.createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** Longest message (UTF-16 code units) `signWithKey` hashes without createHmac: 3 UTF-8 bytes each at most. */
const MAX_ONE_SHOT_CHARS = 2048;
// Scratch inputs of the two hashes, reused by every call (all synchronous, so never shared).
const innerInput = Buffer.allocUnsafe(BLOCK + 3 * MAX_ONE_SHOT_CHARS);
const outerInput = Buffer.allocUnsafe(BLOCK + 32);

/**
 * Hex HMAC-SHA256 of `message` under a prepared key, as RFC 2104 defines it:
 * H((K ^ opad) || H((K ^ ipad) || message)). Same result as `computeSignature`.
 */
export function signWithKey(key: PreparedSigningKey, message: string): string {
  if (oneShotHash === undefined || message.length > MAX_ONE_SHOT_CHARS) return computeSignature(key.key, message);
  innerInput.set(key.innerPad, 0);
  const n = innerInput.write(message, BLOCK, 'utf8');
  // latin1 keeps the 32 digest bytes as 32 one-byte characters: the cheapest output form.
  const inner = oneShotHash('sha256', innerInput.subarray(0, BLOCK + n), 'latin1');
  outerInput.set(key.outerPad, 0);
  outerInput.write(inner, BLOCK, 'latin1');
  return oneShotHash('sha256', outerInput, 'hex');
}
