// The SigV4 signing key (SigV4 doc, "Derive a signing key",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key):
//   kDate = HMAC("AWS4" + secret, date); kRegion = HMAC(kDate, region);
//   kService = HMAC(kRegion, service); kSigning = HMAC(kService, "aws4_request").
// Four HMACs per request are the dominant cost of verification, and the key only
// changes per (secret, day, region, service), so derived keys are kept in a small LRU.

import { createHmac } from 'node:crypto';
import { SCOPE_TERMINATOR } from './canonical-request.js';

const DEFAULT_CAPACITY = 1024;

let capacity = DEFAULT_CAPACITY;
// INVARIANT: Map iteration order is insertion order; a hit is re-inserted, so the first key is the least recently used.
const cache = new Map<string, Buffer>();

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Derives (or returns the cached) signing key for one secret, scope date, region and service. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const id = date + '\n' + region + '\n' + service + '\n' + secretAccessKey;
  const hit = cache.get(id);
  if (hit !== undefined) {
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), SCOPE_TERMINATOR);
  if (capacity > 0) {
    cache.set(id, key);
    if (cache.size > capacity) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }
  return key;
}

/** Sets how many derived signing keys are kept (0 disables caching) and empties the cache. */
export function configureSigningKeyCache(maxEntries: number): void {
  capacity = Number.isFinite(maxEntries) && maxEntries > 0 ? Math.floor(maxEntries) : 0;
  cache.clear();
}

/** Number of derived keys currently cached (for tests and metrics). */
export function signingKeyCacheSize(): number {
  return cache.size;
}

/** Hex HMAC-SHA256 of the string to sign under a signing key: the signature. */
export function computeSignature(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
