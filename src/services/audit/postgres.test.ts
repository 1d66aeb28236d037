// The chain on PostgreSQL (WARDEN_TEST_POSTGRES, default the local test database; a fresh schema
// dropped afterwards): two nodes appending at once still form one chain, because the head is
// read inside the append transaction, which the store serialises across nodes; and
// `warden audit verify --store URL` checks it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openStore } from '../../store/index.js';
import { verifyStoreChain } from './verify.js';
import { AuditWriter } from './writer.js';
import { TEST_POSTGRES_URL, dropSchemas, testSchema } from '../../store/postgres-fixture.js';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const url = TEST_POSTGRES_URL;
const schema = testSchema('warden_audit');

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('audit chain on PostgreSQL', () => {
  after(() => dropSchemas(schema));

  it('two nodes appending concurrently form one intact chain; verify --store names a tampered event', async () => {
    const a = await openStore({ url, schema });
    const b = await openStore({ url, schema });
    try {
      const wa = new AuditWriter(a);
      const wb = new AuditWriter(b);
      await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? wa : wb).append({
        id: `pg-${i}-${randomBytes(4).toString('hex')}`, time: new Date().toISOString(), account: '111122223333', record: { n: i, node: i % 2 ? 'a' : 'b' },
      })));
      assert.ok(wa.batches + wb.batches < 200, 'appends were batched');
      const v = await verifyStoreChain(a);
      assert.ok(v.ok, v.ok ? '' : v.break.message);
      assert.equal(v.count, 200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }

    const storeUrl = `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
    const verify = () => run(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'audit', 'verify', '--store', storeUrl], { cwd: REPO })
      .then((r) => ({ code: 0, stdout: r.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
    assert.equal((await verify()).code, 0);
    const target = (await sql(`SELECT seq, id FROM "${schema}".events ORDER BY seq OFFSET 120 LIMIT 1`)).rows[0] as { seq: string | number; id: string };
    await sql(`UPDATE "${schema}".events SET data = jsonb_set(data::jsonb, '{event,n}', '9999')::${await dataType()} WHERE seq = $1`, [target.seq]);
    const broken = await verify();
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`first bad event: seq ${target.seq}, eventID ${target.id}`));
  });
});

/** The events.data column's type (json, jsonb or text), to cast the tampered value back. */
async function dataType(): Promise<string> {
  const r = await sql(`SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'events' AND column_name = 'data'`, [schema]);
  const t = (r.rows[0] as { data_type: string }).data_type;
  return t === 'jsonb' || t === 'json' ? t : 'text';
}
