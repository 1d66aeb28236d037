// Store contract: The append-only audit log: one total order, filters, concurrent appends.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { type ContractContext, newAccount } from './context.js';

export function eventCases({ connect }: ContractContext): void {
  describe('events', () => {
    const event = (account: string, time: string, n: number) => ({ id: randomUUID(), time, account, data: { n } });

    it('appends in one total order and reads it back', async () => {
      const store = await connect();
      const account = newAccount();
      const first = await store.transaction((tx) => tx.appendEvents([
        event(account, '2024-01-01T00:00:02.000Z', 1), event(account, '2024-01-01T00:00:01.000Z', 2),
      ]));
      const second = await store.transaction((tx) => tx.appendEvents([event(account, '2024-01-01T00:00:03.000Z', 3)]));
      const all = [...first, ...second];
      assert.ok(all.every((e, i) => i === 0 || e.seq > all[i - 1].seq), 'seq increases');
      assert.deepEqual(await store.readEvents({ account }), all);
      assert.deepEqual(await store.transaction((tx) => tx.lastEvent()), await store.read((tx) => tx.lastEvent()));
      const last = await store.read((tx) => tx.lastEvent());
      assert.ok(last && last.seq >= second[0].seq);
    });

    it('appends events given as JSON text, read back as the objects they encode', async () => {
      const store = await connect();
      const account = newAccount();
      const data = [{ n: 1, s: 'é"\n\u2028', nested: { b: [1, null, true], a: -0.5 } }, { n: 2 }];
      const appended = await store.transaction((tx) => tx.appendEvents([
        { id: randomUUID(), time: '2024-01-01T00:00:01.000Z', account, json: JSON.stringify(data[0]) },
        event(account, '2024-01-01T00:00:02.000Z', 2),
      ]));
      assert.deepEqual(appended.map((e) => e.data), data);
      assert.deepEqual(await store.readEvents({ account }), appended);
      await assert.rejects(store.transaction((tx) => tx.appendEvents([{ id: randomUUID(), time: '2024-01-01T00:00:03.000Z', account, json: '[1]' }])), TypeError);
      assert.equal((await store.readEvents({ account })).length, 2);
    });

    const queries = [
      { name: 'after a seq, with a limit', query: (s: number[]) => ({ after: s[0], limit: 2 }), expected: [2, 3] },
      { name: 'from a time', query: () => ({ from: '2024-01-01T00:00:02.000Z' }), expected: [2, 3, 4] },
      { name: 'to a time (exclusive)', query: () => ({ to: '2024-01-01T00:00:03.000Z' }), expected: [1, 2] },
      { name: 'limit 1', query: () => ({ limit: 1 }), expected: [1] },
    ];
    for (const c of queries) {
      it(`reads events ${c.name}`, async () => {
        const store = await connect();
        const account = newAccount();
        const stored = await store.transaction((tx) => tx.appendEvents(
          [1, 2, 3, 4].map((n) => event(account, `2024-01-01T00:00:0${n}.000Z`, n)),
        ));
        const read = await store.readEvents({ account, ...c.query(stored.map((e) => e.seq)) });
        assert.deepEqual(read.map((e) => e.data.n), c.expected);
      });
    }

    it('keeps the order of concurrent appends from two instances', async () => {
      const [one, two] = [await connect(), await connect()];
      const account = newAccount();
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).transaction(async (tx) => {
        const last = await tx.lastEvent();
        await tx.appendEvents([{ id: randomUUID(), time: new Date().toISOString(), account, data: { prev: last?.seq ?? null } }]);
      })));
      const events = await one.readEvents({ account });
      assert.equal(events.length, 10);
      // Every append saw the one before it as the last: the chain the audit service builds holds.
      for (const [i, e] of events.entries()) if (i > 0) assert.equal(e.data.prev, events[i - 1].seq);
    });
  });
}
