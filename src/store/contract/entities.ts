// Store contract: CRUD of entity documents: case-folded keys, ids, versions, parents, and meta values.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { type ContractContext, newAccount } from './context.js';
import { AlreadyExistsError, ConflictError, NotFoundError, StoreError } from '../types.js';

export function entityCases({ connect }: ContractContext): void {
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
}
