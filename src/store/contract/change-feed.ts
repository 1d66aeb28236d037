// Store contract: The revision, `changesSince` and `onChange`, within one instance and across two.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { type ContractContext, newAccount, waitFor } from './context.js';

export function changeFeedCases({ connect }: ContractContext): void {
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
}
