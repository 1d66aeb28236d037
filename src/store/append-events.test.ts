// appendEvents beyond the contract's small cases, on both backends: appends longer than one
// INSERT statement, duplicates found by the UNIQUE index (all or nothing, the transaction still
// usable), and the returned events being what is read back.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from './index.js';
import { TEST_POSTGRES_URL as url, dropSchemas, testSchema } from './postgres-fixture.js';
import { AlreadyExistsError, type NewEvent, type Store } from './types.js';

const schema = testSchema('warden_test_append');
const dir = mkdtempSync(join(tmpdir(), 'warden-append-'));

const backends: Array<[string, () => Promise<Store>]> = [
  ['sqlite', () => openStore({ dataDir: dir })],
  ['postgres', () => openStore({ url, schema })],
];

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schema);
});

function events(n: number, account: string): NewEvent[] {
  return Array.from({ length: n }, (_, i) => ({ id: randomUUID(), time: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(), account, data: { n: i, s: `é"\n${i}` } }));
}

for (const [name, open] of backends) {
  describe(`appendEvents (${name})`, () => {
    it('returns, in order and with their seqs, exactly the events read back (150 at once: several INSERTs on SQLite)', async () => {
      const store = await open();
      try {
        const account = String(1e11 + Math.floor(Math.random() * 8e11));
        const appended = await store.transaction((tx) => tx.appendEvents(events(150, account)));
        assert.ok(appended.every((e, i) => i === 0 || e.seq === appended[i - 1].seq + 1 || (name === 'postgres' && e.seq > appended[i - 1].seq)));
        assert.deepEqual(await store.readEvents({ account, limit: 1000 }), appended);
        assert.deepEqual(appended.map((e) => e.data.n), appended.map((_, i) => i));
      } finally {
        await store.close();
      }
    });

    for (const [what, at] of [['within one INSERT', 5], ['in a later INSERT of a long append', 140]] as const) {
      it(`a duplicate id ${what} writes none of the append, names the event, and leaves the transaction usable`, async () => {
        const store = await open();
        try {
          const account = String(1e11 + Math.floor(Math.random() * 8e11));
          const [stored] = await store.transaction((tx) => tx.appendEvents(events(1, account)));
          const batch = events(150, account);
          batch[at] = { ...batch[at], id: stored.id };
          const again = events(150, account);
          again[at + 1] = { ...again[at + 1], id: again[3].id };
          const kept = await store.transaction(async (tx) => {
            await assert.rejects(tx.appendEvents(batch), (e) => e instanceof AlreadyExistsError && e.key === stored.id);
            await assert.rejects(tx.appendEvents(again), (e) => e instanceof AlreadyExistsError && e.key === again[3].id);
            return tx.appendEvents(events(2, account));
          });
          const read = await store.readEvents({ account, limit: 1000 });
          assert.deepEqual(read.map((e) => e.id), [stored.id, ...kept.map((e) => e.id)]);
          assert.deepEqual(read.slice(1), kept);
          if (name === 'sqlite') assert.equal(kept[0].seq, stored.seq + 1, 'refused appends leave no gap in seq');
        } finally {
          await store.close();
        }
      });
    }

    it('lastEvent is the newest event, data included', async () => {
      const store = await open();
      try {
        const account = String(1e11 + Math.floor(Math.random() * 8e11));
        const appended = await store.transaction((tx) => tx.appendEvents(events(3, account)));
        const last = await store.read((tx) => tx.lastEvent());
        assert.deepEqual(last, appended[2]);
        assert.deepEqual(last?.data, { n: 2, s: 'é"\n2' });
      } finally {
        await store.close();
      }
    });
  });
}
