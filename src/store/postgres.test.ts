// Runs against the real PostgreSQL (WARDEN_TEST_POSTGRES, default the local test database), in a
// fresh schema per run that is dropped afterwards. Unreachable PostgreSQL fails these tests.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { runStoreContract } from './contract.js';
import { openPostgresStore, openStore } from './index.js';
import { TEST_POSTGRES_URL as url, dropSchemas, testSchema } from './postgres-fixture.js';

const run = testSchema('warden_test');


runStoreContract('postgres', () => openStore({ url, schema: run }), () => dropSchemas(run));

describe('postgres store', () => {
  const own = `${run}_own`;
  after(() => dropSchemas(own, `${own}_race`));

  it('takes the schema from the URL and keeps it apart from others', async () => {
    const a = await openStore(`${url}?schema=${own}`);
    const b = await openStore({ url, schema: `${own}_race` });
    try {
      await a.transaction((tx) => tx.insert({ kind: 'user', account: '1', key: 'x', data: {} }));
      assert.equal(await b.read((tx) => tx.get('user', '1', 'x')), undefined);
      assert.ok(await a.read((tx) => tx.get('user', '1', 'x')));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('migrates once when several nodes start at once', async () => {
    const schema = `${own}_race`;
    await dropSchemas(schema);
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ url, schema })));
    await Promise.all(stores.map((s) => s.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT version FROM "${schema}".schema_migrations`);
      assert.deepEqual(rows, [{ version: 1 }, { version: 2 }]);
    } finally {
      await client.end();
    }
  });

  const waitFor = async (predicate: () => boolean, ms: number): Promise<boolean> => {
    for (const deadline = Date.now() + ms; !predicate(); await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() > deadline) return false;
    }
    return true;
  };

  it('delivers changes by NOTIFY, without waiting for a poll', async () => {
    const listener = await openPostgresStore({ url, schema: own, pollMs: 60_000 });
    const writer = await openStore({ url, schema: own });
    try {
      const seen: number[] = [];
      listener.onChange((revision) => seen.push(revision));
      await new Promise((resolve) => setTimeout(resolve, 200)); // LISTEN established
      await writer.transaction((tx) => tx.insert({ kind: 'user', account: '2', key: 'n', data: {} }));
      const revision = await writer.revision();
      assert.ok(await waitFor(() => seen.includes(revision), 1000), `saw ${seen}, not ${revision}`);
    } finally {
      await Promise.all([listener.close(), writer.close()]);
    }
  });

  it('keeps delivering when the listening connection is killed', async () => {
    const listener = await openPostgresStore({ url, schema: own, pollMs: 200 });
    const writer = await openStore({ url, schema: own });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const seen: number[] = [];
      listener.onChange((revision) => seen.push(revision));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const listening = async () => (await admin.query(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1', [`warden-listen:${own}`])).rows.map((r) => r.pid as number);
      const [pid] = await listening();
      assert.ok(pid, 'a listening connection exists');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 0; i < 2; i++) {
        await writer.transaction((tx) => tx.insert({ kind: 'user', account: '3', key: `k${i}`, data: {} }));
        const revision = await writer.revision();
        assert.ok(await waitFor(() => seen.includes(revision), 1000), `saw ${seen}, not ${revision}`);
      }
      let again: number[] = [];
      for (const deadline = Date.now() + 2000; Date.now() < deadline && !again.some((p) => p !== pid);) {
        again = await listening();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(again.some((p) => p !== pid), 'listening again on a new connection');
    } finally {
      await admin.end();
      await Promise.all([listener.close(), writer.close()]);
    }
  });

  it('aborts a write transaction left idle past its timeout, and carries on', async () => {
    const store = await openPostgresStore({ url, schema: own, transactionTimeoutMs: 300 });
    try {
      await assert.rejects(store.transaction(async (tx) => {
        await tx.insert({ kind: 'user', account: '4', key: 'stalled', data: {} });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await tx.get('user', '4', 'stalled');
      }));
      await store.transaction((tx) => tx.insert({ kind: 'user', account: '4', key: 'next', data: {} }));
      assert.deepEqual((await store.read((tx) => tx.list('user', '4'))).map((e) => e.key), ['next']);
    } finally {
      await store.close();
    }
  });

  it('refuses a bad schema name', async () => {
    await assert.rejects(openStore({ url, schema: 'x"; DROP' }), /invalid schema name/);
  });
});
