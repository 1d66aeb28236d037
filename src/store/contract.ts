// The behaviour every Store backend must have. A backend's test file calls `runStoreContract`
// with a function that opens a new instance on one shared, initially empty database (each call a
// separate instance, as two processes or nodes would have) and a cleanup that removes it.
// Tests isolate themselves by account (and kind), never by assuming an empty database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, describe, it } from 'node:test';
import {
  AlreadyExistsError, ClosedError, ConflictError, NotFoundError, StoreError,
  type Entity, type ListOptions, type Store,
} from './types.js';

/** Waits until `predicate` holds, polling, for at most `ms`. */
async function waitFor(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** A fresh 12-digit account id, so that tests sharing a database never see each other's rows. */
function newAccount(): string {
  return String(Math.floor(1e11 + Math.random() * 9e11));
}

export function runStoreContract(name: string, open: () => Promise<Store>, cleanup: () => Promise<void>): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const connect = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    after(cleanup);

    describe('entities', () => {
      it('inserts and gets a document, folding the key', async () => {
        const store = await connect();
        const account = newAccount();
        const data = { UserName: 'Alice', Path: '/dev/', Tags: [{ Key: 'k', Value: 'ü ✓ \u0000' }], n: 1.5, b: false, z: null };
        const inserted = await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'Alice', id: 'AIDAALICE', data }));
        assert.equal(inserted.key, 'alice');
        assert.equal(inserted.version, 1);
        assert.equal(inserted.parent, null);
        assert.match(inserted.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(inserted.updatedAt, inserted.createdAt);
        const got = await store.read((tx) => tx.get('user', account, 'ALICE'));
        assert.deepEqual(got, inserted);
        assert.deepEqual(got?.data, data);
        assert.deepEqual(Object.keys(got!.data), Object.keys(data), 'key order is kept');
      });

      it('returns undefined for what does not exist', async () => {
        const store = await connect();
        const account = newAccount();
        await store.read(async (tx) => {
          assert.equal(await tx.get('user', account, 'nobody'), undefined);
          assert.equal(await tx.getById('user', `AIDA${randomUUID()}`), undefined);
          assert.deepEqual(await tx.list('user', account), []);
          assert.equal(await tx.count('user', account), 0);
        });
      });

      const duplicates = [
        { name: 'same name, other case', second: { key: 'ALICE', id: 'AIDA2' } },
        { name: 'same id, other name', second: { key: 'bob', id: 'AIDA1' } },
      ];
      for (const c of duplicates) {
        it(`refuses a duplicate: ${c.name}`, async () => {
          const store = await connect();
          const account = newAccount();
          await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'Alice', id: `${account}AIDA1`, data: {} }));
          await assert.rejects(
            store.transaction((tx) => tx.insert({ kind: 'user', account, key: c.second.key, id: `${account}${c.second.id}`, data: {} })),
            (error) => error instanceof AlreadyExistsError && error instanceof StoreError && error.kind === 'user',
          );
          assert.equal(await store.read((tx) => tx.count('user', account)), 1);
        });
      }

      it('scopes keys by kind and account', async () => {
        const store = await connect();
        const [a, b] = [newAccount(), newAccount()];
        await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account: a, key: 'x', data: { n: 1 } });
          await tx.insert({ kind: 'role', account: a, key: 'x', data: { n: 2 } });
          await tx.insert({ kind: 'user', account: b, key: 'x', data: { n: 3 } });
        });
        await store.read(async (tx) => {
          assert.deepEqual((await tx.get('user', a, 'x'))?.data, { n: 1 });
          assert.deepEqual((await tx.get('role', a, 'x'))?.data, { n: 2 });
          assert.deepEqual((await tx.get('user', b, 'x'))?.data, { n: 3 });
        });
      });

      it('finds an entity by id across accounts', async () => {
        const store = await connect();
        const account = newAccount();
        const id = `AKIA${account}`;
        await store.transaction((tx) => tx.insert({ kind: 'accessKey', account, key: id, id, parent: 'Alice', data: { Status: 'Active' } }));
        const got = await store.read((tx) => tx.getById('accessKey', id));
        assert.equal(got?.account, account);
        assert.equal(got?.parent, 'alice');
        assert.equal(await store.read((tx) => tx.getById('user', id)), undefined, 'ids are looked up within a kind');
      });

      it('updates data, bumps the version, checks an expected version', async () => {
        const store = await connect();
        const account = newAccount();
        const first = await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'Alice', id: `${account}A`, data: { v: 1 } }));
        await new Promise((resolve) => setTimeout(resolve, 5));
        const second = await store.transaction((tx) => tx.update({ kind: 'user', account, key: 'ALICE', data: { v: 2 }, version: 1 }));
        assert.equal(second.version, 2);
        assert.equal(second.id, `${account}A`, 'id kept when not given');
        assert.equal(second.createdAt, first.createdAt);
        assert.ok(second.updatedAt > first.updatedAt);
        assert.deepEqual(await store.read((tx) => tx.get('user', account, 'alice')), second);
        await assert.rejects(
          store.transaction((tx) => tx.update({ kind: 'user', account, key: 'alice', data: { v: 3 }, version: 1 })),
          (error) => error instanceof ConflictError && error.expected === 1 && error.actual === 2,
        );
        await assert.rejects(
          store.transaction((tx) => tx.update({ kind: 'user', account, key: 'bob', data: {} })),
          NotFoundError,
        );
        const third = await store.transaction((tx) => tx.update({ kind: 'user', account, key: 'alice', parent: 'Group', data: { v: 3 } }));
        assert.equal(third.version, 3);
        assert.equal(third.parent, 'group');
      });

      it('refuses an update to an id another entity has', async () => {
        const store = await connect();
        const account = newAccount();
        await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'a', id: `${account}A`, data: {} });
          await tx.insert({ kind: 'user', account, key: 'b', id: `${account}B`, data: {} });
        });
        await assert.rejects(
          store.transaction((tx) => tx.update({ kind: 'user', account, key: 'b', id: `${account}A`, data: {} })),
          AlreadyExistsError,
        );
      });

      it('deletes an entity and the children of a parent', async () => {
        const store = await connect();
        const account = newAccount();
        await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'alice', data: {} });
          for (const [key, parent] of [['k1', 'alice'], ['k2', 'Alice'], ['k3', 'bob']]) {
            await tx.insert({ kind: 'accessKey', account, key, parent, data: {} });
          }
        });
        await store.transaction(async (tx) => {
          assert.equal(await tx.deleteChildren('accessKey', account, 'ALICE'), 2);
          assert.equal(await tx.delete('user', account, 'Alice'), true);
          assert.equal(await tx.delete('user', account, 'alice'), false);
        });
        await store.read(async (tx) => {
          assert.equal(await tx.get('user', account, 'alice'), undefined);
          assert.deepEqual((await tx.list('accessKey', account)).map((e) => e.key), ['k3']);
        });
      });
    });

    describe('listing', () => {
      const keys = ['b', 'a', 'C', 'ab', 'a-1', 'b/x', 'aa'];
      const seed = async (store: Store, account: string): Promise<void> => {
        await store.transaction(async (tx) => {
          for (const [i, key] of keys.entries()) {
            await tx.insert({ kind: 'policy', account, key, parent: i % 2 === 0 ? 'even' : 'odd', data: { i } });
          }
          await tx.insert({ kind: 'role', account, key: 'a', data: {} });
        });
      };
      const cases: { name: string; options: ListOptions; expected: string[] }[] = [
        { name: 'everything, by key', options: {}, expected: ['a', 'a-1', 'aa', 'ab', 'b', 'b/x', 'c'] },
        { name: 'children of a parent', options: { parent: 'EVEN' }, expected: ['a-1', 'aa', 'b', 'c'] },
        { name: 'by key prefix', options: { keyPrefix: 'A' }, expected: ['a', 'a-1', 'aa', 'ab'] },
        { name: 'prefix and parent', options: { keyPrefix: 'b', parent: 'odd' }, expected: ['b/x'] },
        { name: 'after a key', options: { after: 'AB' }, expected: ['b', 'b/x', 'c'] },
        { name: 'limit', options: { limit: 2 }, expected: ['a', 'a-1'] },
        { name: 'limit 0', options: { limit: 0 }, expected: [] },
        { name: 'after and limit', options: { after: 'a-1', limit: 3 }, expected: ['aa', 'ab', 'b'] },
      ];
      for (const c of cases) {
        it(`lists ${c.name}`, async () => {
          const store = await connect();
          const account = newAccount();
          await seed(store, account);
          const listed = await store.read((tx) => tx.list('policy', account, c.options));
          assert.deepEqual(listed.map((e) => e.key), c.expected);
        });
      }

      it('pages through everything with after', async () => {
        const store = await connect();
        const account = newAccount();
        await store.transaction(async (tx) => {
          for (let i = 0; i < 25; i++) await tx.insert({ kind: 'group', account, key: `G${String(i).padStart(2, '0')}`, data: { i } });
        });
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page: Entity[] = await store.read((tx) => tx.list('group', account, { after, limit: 10 }));
          seen.push(...page.map((e) => e.key));
          if (page.length < 10) break;
          after = page[page.length - 1].key;
        }
        assert.equal(seen.length, 25);
        assert.deepEqual(seen, [...seen].sort());
        assert.equal(new Set(seen).size, 25);
      });

      it('counts, by parent and prefix', async () => {
        const store = await connect();
        const account = newAccount();
        await seed(store, account);
        await store.read(async (tx) => {
          assert.equal(await tx.count('policy', account), 7);
          assert.equal(await tx.count('policy', account, { parent: 'odd' }), 3);
          assert.equal(await tx.count('policy', account, { keyPrefix: 'b' }), 2);
          assert.equal(await tx.count('role', account), 1);
        });
      });
    });

    describe('transactions', () => {
      it('rolls back everything on an exception and rethrows it', async () => {
        const store = await connect();
        const account = newAccount();
        await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'keep', data: { v: 1 } }));
        const before = await store.revision();
        const boom = new Error('boom');
        await assert.rejects(store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'new', data: {} });
          await tx.update({ kind: 'user', account, key: 'keep', data: { v: 2 } });
          await tx.setMeta(`m-${account}`, 1);
          await tx.appendEvents([{ id: randomUUID(), time: new Date().toISOString(), account, data: {} }]);
          throw boom;
        }), (error) => error === boom);
        await store.read(async (tx) => {
          assert.equal(await tx.get('user', account, 'new'), undefined);
          assert.deepEqual((await tx.get('user', account, 'keep'))?.data, { v: 1 });
          assert.equal(await tx.getMeta(`m-${account}`), undefined);
        });
        assert.deepEqual(await store.readEvents({ account }), []);
        assert.equal(await store.revision(), before);
      });

      it('stays usable after a refused write and commits the rest', async () => {
        const store = await connect();
        const account = newAccount();
        const result = await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'a', data: {} });
          await assert.rejects(tx.insert({ kind: 'user', account, key: 'A', data: {} }), AlreadyExistsError);
          await assert.rejects(tx.update({ kind: 'user', account, key: 'zz', data: {} }), NotFoundError);
          await assert.rejects(tx.appendEvents([{ id: 'dup', time: '2020-01-01T00:00:00.000Z', account, data: {} }, { id: 'dup', time: '2020-01-01T00:00:00.000Z', account, data: {} }]), AlreadyExistsError);
          await tx.insert({ kind: 'user', account, key: 'b', data: {} });
          return 'done';
        });
        assert.equal(result, 'done');
        assert.equal(await store.read((tx) => tx.count('user', account)), 2);
        assert.deepEqual(await store.readEvents({ account }), [], 'a refused append writes none of its events');
      });

      it('sees its own writes', async () => {
        const store = await connect();
        const account = newAccount();
        await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'a', data: {} });
          assert.equal(await tx.count('user', account), 1);
          assert.equal((await tx.list('user', account)).length, 1);
        });
      });

      it('serialises: 20 concurrent "insert if fewer than 2" create exactly 2', async () => {
        const store = await connect();
        const account = newAccount();
        const attempts = Array.from({ length: 20 }, (_, i) => store.transaction(async (tx) => {
          const n = await tx.count('accessKey', account, { parent: 'alice' });
          await new Promise((resolve) => setTimeout(resolve, 1)); // give others a chance to interleave
          if (n >= 2) return false;
          await tx.insert({ kind: 'accessKey', account, key: `k${i}`, parent: 'alice', data: {} });
          return true;
        }));
        const results = await Promise.all(attempts);
        assert.equal(results.filter(Boolean).length, 2);
        assert.equal(await store.read((tx) => tx.count('accessKey', account, { parent: 'alice' })), 2);
      });

      it('serialises across instances on one database', async () => {
        const [one, two] = [await connect(), await connect()];
        const account = newAccount();
        const attempt = (store: Store, i: number) => store.transaction(async (tx) => {
          const n = await tx.count('accessKey', account, { parent: 'alice' });
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (n >= 2) return false;
          await tx.insert({ kind: 'accessKey', account, key: `k${i}`, parent: 'alice', data: {} });
          return true;
        });
        const results = await Promise.all(Array.from({ length: 16 }, (_, i) => attempt(i % 2 ? one : two, i)));
        assert.equal(results.filter(Boolean).length, 2);
        assert.equal(await one.read((tx) => tx.count('accessKey', account)), 2);
      });

      it('reads one snapshot, even while others commit', async () => {
        const store = await connect();
        const writer = await connect();
        const account = newAccount();
        await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'a', data: {} }));
        await store.read(async (tx) => {
          const revision = await tx.revision();
          assert.equal(await tx.count('user', account), 1);
          await writer.transaction((w) => w.insert({ kind: 'user', account, key: 'b', data: {} }));
          assert.equal(await tx.count('user', account), 1);
          assert.equal(await tx.revision(), revision);
          assert.equal(await store.revision(), revision + 1, 'outside the snapshot, the latest revision');
          assert.equal((await store.changesSince(revision)).changes.length, 1);
        });
        assert.equal(await store.read((tx) => tx.count('user', account)), 2);
      });

      it('refuses a transaction object used after its transaction', async () => {
        const store = await connect();
        const account = newAccount();
        let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
        await store.transaction((tx) => { leaked = tx; });
        await assert.rejects(leaked!.insert({ kind: 'user', account, key: 'late', data: {} }), ClosedError);
        assert.equal(await store.read((tx) => tx.get('user', account, 'late')), undefined);
      });

      const nestings: { name: string; run: (store: Store) => Promise<unknown> }[] = [
        { name: 'a transaction in a transaction', run: (store) => store.transaction(() => store.transaction(() => 1)) },
        { name: 'a read in a transaction', run: (store) => store.transaction(() => store.read(() => 1)) },
        { name: 'a transaction in a read', run: (store) => store.read(() => store.transaction(() => 1)) },
        { name: 'a read in a read', run: (store) => store.read(() => store.read(() => 1)) },
      ];
      for (const c of nestings) {
        it(`refuses ${c.name} instead of hanging`, async () => {
          const store = await connect();
          await assert.rejects(c.run(store), StoreError);
          assert.equal(await store.transaction(() => 2), 2, 'the store still works');
          assert.equal(await store.read(() => 3), 3);
        });
      }

      it('refuses a document that is not a JSON object, and stays usable', async () => {
        const store = await connect();
        const account = newAccount();
        await store.transaction(async (tx) => {
          for (const data of [null, [1], 'text', 3]) {
            await assert.rejects(tx.insert({ kind: 'user', account, key: 'a', data: data as never }), TypeError);
          }
          await assert.rejects(tx.setMeta('m', undefined), TypeError);
          await tx.insert({ kind: 'user', account, key: 'a', data: {} });
        });
        assert.equal(await store.read((tx) => tx.count('user', account)), 1);
      });
    });

    describe('meta', () => {
      it('stores JSON values by name', async () => {
        const store = await connect();
        const name = `schema-test-${randomUUID()}`;
        const values: unknown[] = [1, 'text', { check: 'abc', n: [1, 2] }, null, false];
        for (const value of values) {
          await store.transaction((tx) => tx.setMeta(name, value));
          assert.deepEqual(await store.read((tx) => tx.getMeta(name)), value);
        }
        assert.equal(await store.read((tx) => tx.getMeta(`${name}-missing`)), undefined);
      });
    });

    describe('change feed', () => {
      it('advances the revision once per writing transaction only', async () => {
        const store = await connect();
        const account = newAccount();
        const start = await store.revision();
        await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'a', data: {} });
          await tx.insert({ kind: 'user', account, key: 'b', data: {} });
          await tx.update({ kind: 'user', account, key: 'a', data: { x: 1 } });
        });
        assert.equal(await store.revision(), start + 1);
        await store.transaction((tx) => tx.get('user', account, 'a'));
        await store.transaction(async (tx) => { await tx.delete('user', account, 'missing'); });
        await store.transaction((tx) => tx.appendEvents([{ id: randomUUID(), time: new Date().toISOString(), account, data: {} }]));
        await store.read((tx) => tx.list('user', account));
        assert.equal(await store.revision(), start + 1, 'no entity written, no revision');
        await store.transaction((tx) => tx.setMeta(`m-${account}`, 1));
        assert.equal(await store.revision(), start + 2);
      });

      it('lists what each revision changed', async () => {
        const store = await connect();
        const account = newAccount();
        const start = await store.revision();
        await store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'Alice', data: {} });
          await tx.insert({ kind: 'accessKey', account, key: 'K1', parent: 'alice', data: {} });
        });
        await store.transaction(async (tx) => {
          await tx.update({ kind: 'user', account, key: 'alice', data: { x: 1 } });
          await tx.deleteChildren('accessKey', account, 'alice');
        });
        const set = await store.changesSince(start);
        assert.equal(set.truncated, false);
        assert.equal(set.revision, start + 2);
        const mine = set.changes.filter((c) => c.account === account);
        assert.deepEqual(mine, [
          { revision: start + 1, kind: 'accessKey', account, key: 'k1', op: 'insert' },
          { revision: start + 1, kind: 'user', account, key: 'alice', op: 'insert' },
          { revision: start + 2, kind: 'accessKey', account, key: 'k1', op: 'delete' },
          { revision: start + 2, kind: 'user', account, key: 'alice', op: 'update' },
        ]);
        assert.deepEqual((await store.changesSince(start + 2)).changes, []);
      });

      it('reports pruned history as truncated', async () => {
        const store = await connect();
        const account = newAccount();
        const start = await store.revision();
        await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'a', data: {} }));
        await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'b', data: {} }));
        await store.pruneChanges(start + 1);
        assert.equal((await store.changesSince(start)).truncated, true);
        const rest = await store.changesSince(start + 1);
        assert.equal(rest.truncated, false);
        assert.deepEqual(rest.changes.map((c) => c.key), ['b']);
      });

      it('calls listeners after commit, with the new revision', async () => {
        const store = await connect();
        const account = newAccount();
        const seen: number[] = [];
        const stop = store.onChange((revision) => seen.push(revision));
        await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'a', data: {} }));
        const revision = await store.revision();
        assert.ok(await waitFor(() => seen.includes(revision), 1000), `listener saw ${seen}, not ${revision}`);
        stop();
        const count = seen.length;
        await store.transaction((tx) => tx.insert({ kind: 'user', account, key: 'b', data: {} }));
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(seen.length, count, 'no calls after unsubscribing');
      });

      it('does not call listeners for a rolled back transaction', async () => {
        const store = await connect();
        const account = newAccount();
        const seen: number[] = [];
        store.onChange((revision) => seen.push(revision));
        await assert.rejects(store.transaction(async (tx) => {
          await tx.insert({ kind: 'user', account, key: 'a', data: {} });
          throw new Error('no');
        }));
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(seen, []);
      });

      it('tells one instance, within a second, what another committed', async () => {
        const [one, two] = [await connect(), await connect()];
        const account = newAccount();
        const seen: number[] = [];
        two.onChange((revision) => seen.push(revision));
        await new Promise((resolve) => setTimeout(resolve, 100)); // let a listener connection settle
        const started = Date.now();
        await one.transaction((tx) => tx.insert({ kind: 'user', account, key: 'a', data: {} }));
        const revision = await one.revision();
        assert.ok(await waitFor(() => seen.some((r) => r >= revision), 1000), `second instance saw ${seen}, not ${revision}`);
        assert.ok(Date.now() - started < 1000);
        const changes = await two.changesSince(revision - 1);
        assert.ok(changes.changes.some((c) => c.account === account && c.key === 'a'));
      });
    });

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

    describe('close', () => {
      it('refuses work after close and closes twice without error', async () => {
        const store = await open();
        await store.close();
        await store.close();
        await assert.rejects(store.transaction(() => 1), ClosedError);
        await assert.rejects(store.read(() => 1), ClosedError);
      });

      it('waits for a running transaction', async () => {
        const store = await open();
        const account = newAccount();
        let release!: () => void;
        const gate = new Promise<void>((resolve) => { release = resolve; });
        const running = store.transaction(async (tx) => {
          await gate;
          await tx.insert({ kind: 'user', account, key: 'a', data: {} });
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        const closing = store.close();
        release();
        await running;
        await closing;
        const other = await connect();
        assert.ok(await other.read((tx) => tx.get('user', account, 'a')));
      });
    });
  });
}
