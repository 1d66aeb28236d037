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

  it('uses WAL (the writer at synchronous=NORMAL, commits fsynced by wal-sync), and migrates once', async () => {
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
