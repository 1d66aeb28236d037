// The nested-call guard: a call made while a callback's synchronous part runs is always refused;
// one made after the callback awaited something is refused when the async guard is on (tests,
// WARDEN_STORE_ASYNC_GUARD=1) — a served process leaves it off for its cost (serial.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReentryGuard, asyncGuardEnabled } from './serial.js';
import { StoreError } from './types.js';

function guard(asyncOn: boolean): ReentryGuard {
  const before = process.env.WARDEN_STORE_ASYNC_GUARD;
  process.env.WARDEN_STORE_ASYNC_GUARD = asyncOn ? '1' : '0';
  try {
    return new ReentryGuard('transaction');
  } finally {
    if (before === undefined) delete process.env.WARDEN_STORE_ASYNC_GUARD; else process.env.WARDEN_STORE_ASYNC_GUARD = before;
  }
}

describe('ReentryGuard', () => {
  it('reads its switch from the environment', () => {
    assert.equal(asyncGuardEnabled({ WARDEN_STORE_ASYNC_GUARD: '1' }), true);
    assert.equal(asyncGuardEnabled({}), false);
  });

  for (const asyncOn of [false, true]) {
    it(`refuses a nested call made synchronously (async guard ${asyncOn ? 'on' : 'off'})`, async () => {
      const g = guard(asyncOn);
      await assert.rejects(async () => g.run(() => { g.check(); return 1; }), StoreError);
      // And it is usable afterwards.
      g.check();
      assert.equal(await g.run(() => 2), 2);
    });

    it(`allows calls from independent work running meanwhile (async guard ${asyncOn ? 'on' : 'off'})`, async () => {
      const g = guard(asyncOn);
      let release!: () => void;
      const held = g.run(() => new Promise<void>((r) => { release = r; }));
      g.check(); // another request's call while the first callback awaits
      release();
      await held;
    });
  }

  it('with the async guard on, also refuses a nested call made after an await', async () => {
    const g = guard(true);
    await assert.rejects(async () => g.run(async () => { await Promise.resolve(); g.check(); }), StoreError);
  });

  it('with the async guard off, a nested call after an await is not caught (the documented limit)', async () => {
    const g = guard(false);
    await g.run(async () => { await Promise.resolve(); g.check(); });
  });

  it('the result or the rejection of the callback passes through', async () => {
    for (const asyncOn of [false, true]) {
      const g = guard(asyncOn);
      assert.equal(await g.run(async () => 'value'), 'value');
      await assert.rejects(async () => g.run(async () => { throw new Error('boom'); }), /boom/);
      await assert.rejects(async () => g.run(() => { throw new Error('sync boom'); }), /sync boom/);
    }
  });
});
