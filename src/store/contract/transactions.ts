// Store contract: All-or-nothing transactions, their serialisation (the quota case), snapshots and misuse.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { type ContractContext, newAccount } from './context.js';
import { AlreadyExistsError, ClosedError, NotFoundError, StoreError, type Store } from '../types.js';

export function transactionCases({ connect }: ContractContext): void {
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
}
