// Cryptographically random bytes drawn from a pool refilled 4 KiB at a time with
// `randomFillSync` (OpenSSL's CSPRNG). Each `randomBytes` call costs this VM ~20 µs in a served
// process; the pool makes that one call per ~100 session credentials or nonces. Bytes handed out
// are copied and wiped from the pool, so nothing random stays behind in it once used.
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let at = POOL.length;

/** `n` fresh random bytes (n ≤ 4096), in a Buffer of their own. */
export function pooledRandomBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > POOL.length) throw new RangeError(`pooledRandomBytes: n must be 0..${POOL.length}, got ${n}`);
  if (at + n > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  const out = Buffer.from(POOL.subarray(at, at + n));
  POOL.fill(0, at, at + n);
  at += n;
  return out;
}
