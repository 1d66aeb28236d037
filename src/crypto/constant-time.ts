// Comparing secrets without leaking, through timing, where they first differ or how long they are.
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string | Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * True when `a` and `b` are equal, taking the same time wherever they differ. Both sides are
 * hashed first, so their lengths leak nothing either (timingSafeEqual needs equal lengths).
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = digest(a);
  const db = digest(b);
  // INVARIANT: SHA-256 digests are 32 bytes each, as timingSafeEqual requires equal lengths.
  const same = timingSafeEqual(da, db);
  return same && (typeof a === 'string' ? Buffer.byteLength(a) : a.length) === (typeof b === 'string' ? Buffer.byteLength(b) : b.length);
}
