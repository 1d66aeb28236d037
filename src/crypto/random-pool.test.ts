import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pooledRandomBytes } from './random-pool.js';

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes of the asked length, never the same block twice, across refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = pooledRandomBytes(12);
      assert.equal(b.length, 12);
      const hex = b.toString('hex');
      assert.ok(!seen.has(hex), 'a 96-bit value repeated');
      seen.add(hex);
    }
  });

  it('returns a copy: changing it does not touch later output', () => {
    const a = pooledRandomBytes(16);
    a.fill(0);
    assert.notDeepEqual(pooledRandomBytes(16), Buffer.alloc(16));
  });

  it('is not constant: bytes are spread over all values', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 200; i++) for (const x of pooledRandomBytes(64)) counts[x]++;
    assert.ok(counts.every((c) => c > 10), 'some byte value almost never occurs');
  });

  it('refuses sizes it cannot give', () => {
    assert.throws(() => pooledRandomBytes(-1), RangeError);
    assert.throws(() => pooledRandomBytes(5000), RangeError);
    assert.throws(() => pooledRandomBytes(1.5), RangeError);
  });
});
