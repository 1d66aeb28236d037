// Waiting for SQLite's write lock without SQLite's busy handler (see sqlite.ts: the write
// connection has no busy timeout once open): on event-loop turns and timers, or — for the audit
// writer thread — in short sleeps on the thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { beginImmediate, beginImmediateBlocking, connect } from './sqlite-connection.js';

function twoWriters(): { a: Database.Database; b: Database.Database; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'warden-lock-'));
  const file = join(dir, 'x.db');
  const a = connect(file, false);
  a.exec('CREATE TABLE t (n INTEGER)');
  const b = connect(file, false);
  a.pragma('busy_timeout = 0');
  b.pragma('busy_timeout = 0');
  return { a, b, done: () => { a.close(); b.close(); rmSync(dir, { recursive: true, force: true }); } };
}

test('beginImmediate: waits while another connection writes, without blocking the event loop, and takes the lock once it is free', async () => {
  const { a, b, done } = twoWriters();
  try {
    a.exec('BEGIN IMMEDIATE');
    let turns = 0;
    const ticking = setInterval(() => { turns++; }, 1);
    setTimeout(() => a.exec('COMMIT'), 40);
    await beginImmediate(b, 5_000);
    clearInterval(ticking);
    assert.ok(turns > 5, `the event loop ran meanwhile (${turns} timer turns)`);
    b.exec('INSERT INTO t VALUES (1)');
    b.exec('COMMIT');
    assert.equal((a.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1);
  } finally {
    done();
  }
});

test('beginImmediate: gives up with SQLite\'s own SQLITE_BUSY error after the timeout', async () => {
  const { a, b, done } = twoWriters();
  try {
    a.exec('BEGIN IMMEDIATE');
    await assert.rejects(beginImmediate(b, 30), (e: { code?: string }) => e.code === 'SQLITE_BUSY');
    assert.equal(b.inTransaction, false);
    a.exec('COMMIT');
    await beginImmediate(b, 30);
    assert.equal(b.inTransaction, true);
    b.exec('COMMIT');
  } finally {
    done();
  }
});

test('beginImmediateBlocking: takes a free lock at once, and gives up with SQLITE_BUSY after the timeout while another connection writes', () => {
  const { a, b, done } = twoWriters();
  try {
    beginImmediateBlocking(b, 30);
    assert.equal(b.inTransaction, true);
    b.exec('COMMIT');
    a.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    assert.throws(() => beginImmediateBlocking(b, 30), (e: { code?: string }) => e.code === 'SQLITE_BUSY');
    assert.ok(Date.now() - started >= 30, 'it waited for the timeout');
    a.exec('COMMIT');
  } finally {
    done();
  }
});
