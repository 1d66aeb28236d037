// Store contract: Listing and counting: order by key, parent and prefix filters, pages with `after`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContractContext, newAccount } from './context.js';
import { type Entity, type ListOptions, type Store } from '../types.js';

export function listingCases({ connect }: ContractContext): void {
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

    it('lists non-ASCII keys in byte order and by prefix', async () => {
      const store = await connect();
      const account = newAccount();
      await store.transaction(async (tx) => {
        for (const key of ['😀b', 'É2', 'e', '😀a', 'é1', 'z']) await tx.insert({ kind: 'tag', account, key, data: {} });
      });
      await store.read(async (tx) => {
        assert.deepEqual((await tx.list('tag', account)).map((e) => e.key), ['e', 'z', 'é1', 'é2', '😀a', '😀b']);
        assert.deepEqual((await tx.list('tag', account, { keyPrefix: 'É' })).map((e) => e.key), ['é1', 'é2']);
        assert.deepEqual((await tx.list('tag', account, { keyPrefix: '😀' })).map((e) => e.key), ['😀a', '😀b']);
        assert.equal(await tx.count('tag', account, { keyPrefix: '😀' }), 2);
      });
    });

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
}
