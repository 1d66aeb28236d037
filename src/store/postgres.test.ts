// Runs against the real PostgreSQL (WARDEN_TEST_POSTGRES, default the local test database), in a
// fresh schema per run that is dropped afterwards. Unreachable PostgreSQL fails these tests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { runStoreContract } from './contract.js';
import { openStore } from './index.js';

const url = process.env.WARDEN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `warden_test_${Date.now()}_${randomBytes(4).toString('hex')}`;

async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

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
      assert.deepEqual(rows, [{ version: 1 }]);
    } finally {
      await client.end();
    }
  });

  it('refuses a bad schema name', async () => {
    await assert.rejects(openStore({ url, schema: 'x"; DROP' }), /invalid schema name/);
  });
});
