import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import Database from 'better-sqlite3';
import { runStoreContract } from './contract.js';
import { openStore } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'warden-store-'));
const dataDir = join(root, 'data');

runStoreContract('sqlite', () => openStore({ dataDir }), async () => rmSync(root, { recursive: true, force: true }));

describe('sqlite store', () => {
  const own = mkdtempSync(join(tmpdir(), 'warden-store-own-'));
  after(() => rmSync(own, { recursive: true, force: true }));

  it('creates the data directory 0700 and a private database file', async () => {
    const dir = join(own, 'nested', 'data');
    const store = await openStore(dir);
    await store.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'warden.db')).mode & 0o077, 0);
  });

  it('uses WAL with synchronous=FULL, and migrates once', async () => {
    const dir = join(own, 'pragmas');
    const stores = await Promise.all([openStore(dir), openStore(dir)]);
    await Promise.all(stores.map((s) => s.close()));
    const db = new Database(join(dir, 'warden.db'), { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }]);
    } finally {
      db.close();
    }
    const store = await openStore(dir);
    const internal = store as unknown as { writer: Database.Database };
    assert.equal(internal.writer.pragma('synchronous', { simple: true }), 2, 'FULL');
    await store.close();
  });
});
