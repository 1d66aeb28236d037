import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalSync } from './wal-sync.js';

/** A log file in a directory of its own, and how to remove both. */
function logFile(): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
  const path = join(dir, 'x.db-wal');
  writeFileSync(path, 'log');
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

for (const [mode, blocking] of [['fsync on the thread pool', false], ['blocking fsync', true]] as const) {
  test(`wal-sync (${mode}): one fsync covers every commit made before it started; later commits wait for the next`, async () => {
    const { path, remove } = logFile();
    const w = new WalSync(path, { blocking });
    const a = w.noteCommit();
    const b = w.noteCommit();
    await Promise.all([w.durable(a), w.durable(b)]);
    const c = w.noteCommit();
    await w.durable(c);
    await w.durable(a); // already durable: resolves at once
    await w.close();
    remove();
  });

  test(`wal-sync (${mode}): a replaced log file is reopened; a missing one fails the commit loudly`, async () => {
    const { path, remove } = logFile();
    const w = new WalSync(path, { recheckMs: 0, blocking });
    await w.durable(w.noteCommit());
    unlinkSync(path);
    writeFileSync(path, 'new log');
    await w.durable(w.noteCommit());
    unlinkSync(path);
    await assert.rejects(w.durable(w.noteCommit()));
    await w.close();
    remove();
  });

  test(`wal-sync (${mode}): the log is checked for replacement at most every recheckMs`, async () => {
    const { path, remove } = logFile();
    const w = new WalSync(path, { recheckMs: 60_000, blocking });
    await w.durable(w.noteCommit());
    unlinkSync(path);
    // Within the interval the open descriptor is fsynced without looking at the path again.
    await w.durable(w.noteCommit());
    await w.close();
    const soon = new WalSync(path, { recheckMs: 20, blocking });
    writeFileSync(path, 'log');
    await soon.durable(soon.noteCommit());
    unlinkSync(path);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await assert.rejects(soon.durable(soon.noteCommit()));
    await soon.close();
    remove();
  });
}
