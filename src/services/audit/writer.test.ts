// Group commit: concurrent appends share transactions, every waiter resolves only once its
// batch committed, a failed batch rejects exactly its waiters, and the chain stays intact.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store, type Tx } from '../../store/index.js';
import { verifyStoreChain } from './verify.js';
import { AuditWriter, newEventId, type PendingEvent } from './writer.js';

function event(i: number, account = '111122223333'): PendingEvent {
  return { id: `ev-${i}-${Math.random().toString(36).slice(2)}`, time: new Date().toISOString(), account, record: { n: i } };
}

describe('audit group commit', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-writer-'));
    store = await openStore({ dataDir: dir });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('batches concurrent appends into few transactions; each waiter sees its event committed', async () => {
    const writer = new AuditWriter(store);
    const events = Array.from({ length: 200 }, (_, i) => event(i));
    const seen: boolean[] = [];
    await Promise.all(events.map(async (e, i) => {
      await writer.append(e);
      // Durable when resolved: a fresh read finds it.
      const found = await store.readEvents({ limit: 1000 });
      seen[i] = found.some((s) => s.id === e.id);
    }));
    assert.ok(seen.every(Boolean));
    assert.equal(writer.appended, 200);
    assert.ok(writer.batches <= 3, `${writer.batches} transactions for 200 concurrent appends`);
    const v = await verifyStoreChain(store);
    assert.ok(v.ok);
  });

  it('keeps the order of appends within and across batches, and respects maxBatch', async () => {
    const writer = new AuditWriter(store, { maxBatch: 7 });
    const before = (await store.readEvents({ limit: 100000 })).length;
    const events = Array.from({ length: 50 }, (_, i) => event(i));
    await Promise.all(events.map((e) => writer.append(e)));
    assert.equal(writer.batches, Math.ceil(50 / 7));
    const stored = (await store.readEvents({ limit: 100000 })).slice(before);
    assert.deepEqual(stored.map((s) => s.id), events.map((e) => e.id));
    assert.ok((await verifyStoreChain(store)).ok);
  });

  it('appends that arrive while a batch commits go into the next one', async () => {
    const writer = new AuditWriter(store);
    const first = writer.append(event(1));
    await new Promise((r) => setImmediate(r));
    // The first batch is committing now; these queue behind it.
    const rest = Array.from({ length: 20 }, (_, i) => writer.append(event(i + 2)));
    await Promise.all([first, ...rest]);
    assert.equal(writer.batches, 2);
    await writer.drain();
  });

  it('two writers on one store (two nodes) still form one chain', async () => {
    const a = new AuditWriter(store);
    const b = new AuditWriter(store);
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).append(event(i))));
    assert.ok((await verifyStoreChain(store)).ok);
  });

  /** A store whose transactions fail while `failing()` says so. */
  function flakyStore(failing: () => boolean): Store {
    const flaky: Store = Object.create(store) as Store;
    flaky.transaction = <T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> => (failing() ? Promise.reject(new Error('disk I/O error')) : store.transaction(fn));
    return flaky;
  }

  it('a batch that failed once is retried event by event: every waiter still gets its event committed', async () => {
    let failures = 1;
    const writer = new AuditWriter(flakyStore(() => failures-- > 0));
    const events = [event(1), event(2), event(3)];
    await Promise.all(events.map((e) => writer.append(e)));
    const stored = (await store.readEvents({ limit: 100000 })).map((s) => s.id);
    for (const e of events) assert.ok(stored.includes(e.id));
    assert.ok((await verifyStoreChain(store)).ok);
  });

  it('when the store keeps failing, every waiter is rejected (nothing is acknowledged unwritten)', async () => {
    let down = true;
    const writer = new AuditWriter(flakyStore(() => down));
    const results = await Promise.allSettled([writer.append(event(1)), writer.append(event(2)), writer.append(event(3))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.match(String((results[0] as PromiseRejectedResult).reason), /disk I\/O error/);
    down = false;
    const ok = event(4);
    await writer.append(ok);
    assert.ok((await store.readEvents({ limit: 100000 })).some((s) => s.id === ok.id));
    assert.ok((await verifyStoreChain(store)).ok);
  });

  it('an event the store refuses (duplicate id) fails only its own request', async () => {
    const writer = new AuditWriter(store);
    const e = event(1);
    await writer.append(e);
    const count = (await store.readEvents({ limit: 100000 })).length;
    const other = event(2);
    const results = await Promise.allSettled([writer.append(other), writer.append({ ...e })]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
    const after = await store.readEvents({ limit: 100000 });
    assert.equal(after.length, count + 1);
    assert.ok(after.some((s) => s.id === other.id));
    assert.ok((await verifyStoreChain(store)).ok);
  });
});

describe('audit event ids', () => {
  it('are RFC 9562 version 7 UUIDs: unique, and growing with the time they were made in', async () => {
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => newEventId());
    const after = Date.now();
    assert.ok(ids.every((id) => v7.test(id)), ids.find((id) => !v7.test(id)));
    assert.equal(new Set(ids).size, ids.length);
    const ms = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.ok(ids.every((id) => ms(id) >= before && ms(id) <= after));
    await new Promise((r) => setTimeout(r, 5));
    const later = newEventId();
    assert.ok(ids.every((id) => id < later), 'an id made in a later millisecond sorts after');
    // The 74 bits after the timestamp are random: every hex digit of them shows up.
    const tails = new Set(ids.flatMap((id) => [...id.slice(15).replace(/-/g, '')]));
    assert.equal(tails.size, 16);
  });
});
