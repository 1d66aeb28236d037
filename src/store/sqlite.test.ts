import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { describe, it, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { runStoreContract } from './contract.js';
import { openStore } from './index.js';
import { migrations } from './migrations.js';

const worker = fileURLToPath(new URL('./fixtures/sqlite-worker.ts', import.meta.url));

/** Runs the worker in another process and returns what it printed. */
async function inProcess(dir: string, account: string, mode: 'quota' | 'write' | 'crash'): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', worker, dir, account, mode]);
    return stdout;
  } catch (error) {
    const { stdout, signal } = error as { stdout: string; signal?: string };
    if (mode === 'crash' && signal === 'SIGKILL') return stdout;
    throw error;
  }
}

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

  it('migrates a version 1 database: events_time dropped, events kept and still appended after', async () => {
    const dir = join(own, 'v1');
    const seeded = await openStore(dir);
    await seeded.close();
    // Back to version 1 as it was released.
    const db = new Database(join(dir, 'warden.db'));
    try {
      db.exec('DROP TABLE events; DELETE FROM schema_migrations WHERE version > 1');
      for (const statement of migrations[0].sqlite.filter((q) => /events/.test(q))) db.exec(statement);
      db.prepare('INSERT INTO events (id, time, account, data) VALUES (?, ?, ?, ?)').run('e1', '2024-01-01T00:00:00.000Z', '111122223333', '{"n":1}');
    } finally {
      db.close();
    }
    const store = await openStore(dir);
    try {
      await store.transaction((tx) => tx.appendEvents([{ id: 'e2', time: '2024-01-01T00:00:01.000Z', account: '111122223333', data: { n: 2 } }]));
      const events = await store.readEvents({ account: '111122223333', from: '2024-01-01T00:00:00.000Z' });
      assert.deepEqual(events.map((e) => [e.seq, e.id, e.data.n]), [[1, 'e1', 1], [2, 'e2', 2]]);
    } finally {
      await store.close();
    }
    const check = new Database(join(dir, 'warden.db'), { readonly: true });
    try {
      assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").all(),
        [{ name: 'events_account' }, { name: 'sqlite_autoindex_events_1' }]);
      assert.deepEqual(check.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }, { version: 2 }]);
    } finally {
      check.close();
    }
  });

  it('uses WAL (the writer at synchronous=NORMAL, commits fsynced by wal-sync), and migrates once', async () => {
    const dir = join(own, 'pragmas');
    const stores = await Promise.all([openStore(dir), openStore(dir)]);
    await Promise.all(stores.map((s) => s.close()));
    const db = new Database(join(dir, 'warden.db'), { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }, { version: 2 }]);
    } finally {
      db.close();
    }
    const store = await openStore(dir);
    const internal = store as unknown as { writer: Database.Database };
    assert.equal(internal.writer.pragma('synchronous', { simple: true }), 1, 'NORMAL: the log is fsynced off the event loop before a commit is acknowledged');
    await store.close();
  });

  it('serialises transactions of several processes on one file', async () => {
    const dir = join(own, 'processes');
    await (await openStore(dir)).close(); // migrate before the race
    const created = await Promise.all([1, 2, 3].map(() => inProcess(dir, '111122223333', 'quota')));
    assert.equal(created.reduce((sum, n) => sum + Number(n), 0), 2, `created ${created}`);
    const store = await openStore(dir);
    assert.equal(await store.read((tx) => tx.count('accessKey', '111122223333')), 2);
    await store.close();
  });

  it('keeps an acknowledged write when the process dies right after', async () => {
    const dir = join(own, 'crash');
    const revision = Number(await inProcess(dir, '111122223333', 'crash'));
    assert.ok(revision > 0, 'the worker acknowledged its write');
    const store = await openStore(dir);
    try {
      assert.ok(await store.read((tx) => tx.get('user', '111122223333', 'acknowledged')));
      assert.equal(await store.revision(), revision);
    } finally {
      await store.close();
    }
  });

  it('tells this process, within a second, what another process committed', async () => {
    const dir = join(own, 'feed');
    const store = await openStore(dir);
    try {
      const seen: number[] = [];
      store.onChange((revision) => seen.push(revision));
      const revision = Number(await inProcess(dir, '111122223333', 'write'));
      const deadline = Date.now() + 1000;
      while (!seen.includes(revision) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(seen.includes(revision), `saw ${seen}, not ${revision}`);
    } finally {
      await store.close();
    }
  });
});
