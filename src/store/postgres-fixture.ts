// What the PostgreSQL store tests share: the test database (WARDEN_TEST_POSTGRES, default the local
// test database), a fresh schema name per run, and dropping those schemas afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_POSTGRES_URL = process.env.WARDEN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses: `prefix`, the time and random hex. */
export function testSchema(prefix: string): string {
  return `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
}

/** Drops `schemas` (and all they hold) from the test database. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
