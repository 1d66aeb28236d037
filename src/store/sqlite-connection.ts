// Opening SQLite connections, migrating, taking the write lock, and the pool of read connections.
import Database from 'better-sqlite3';
import { checkVersion, migrations } from './migrations.js';
import { Statements } from './sqlite-tx.js';

/** Short, because SQLite's busy handler blocks the thread; longer waits are `beginImmediate`'s. */
const BUSY_TIMEOUT_MS = 20;

export function connect(file: string, queryOnly: boolean): Database.Database {
  const db = new Database(file);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  // The writer's commits are made durable by an fsync of the log off the event loop (wal-sync.ts);
  // NORMAL keeps COMMIT itself from fsyncing on the event loop.
  db.pragma('synchronous = NORMAL');
  if (queryOnly) db.pragma('query_only = ON');
  return db;
}

function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY');
}

/** Takes the write lock, or returns SQLite's SQLITE_BUSY error when another connection holds it. */
function tryBeginImmediate(db: Database.Database): unknown {
  try {
    db.exec('BEGIN IMMEDIATE');
    return undefined;
  } catch (error) {
    if (isBusy(error)) return error;
    throw error;
  }
}

/** Tries before waiting on timers: each lets the event loop run once (see beginImmediate). */
const YIELDING_TRIES = 32;

/**
 * BEGIN IMMEDIATE, waiting while another connection writes, without blocking the event loop: the
 * first tries each wait one turn of the event loop (the other writer is most often this process's
 * other thread, whose transactions last a fraction of a millisecond, less than a timer's
 * shortest wait), later ones timers that back off to 50 ms (another process's transaction).
 */
export async function beginImmediate(db: Database.Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < YIELDING_TRIES; i++) {
    if (tryBeginImmediate(db) === undefined) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    const busy = tryBeginImmediate(db);
    if (busy === undefined) return;
    if (Date.now() > deadline) throw busy;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * BEGIN IMMEDIATE for a thread that does nothing but write (the audit writer): waits on the
 * thread itself, in sleeps of 50 µs growing to 2 ms, rather than SQLite's whole milliseconds.
 */
export function beginImmediateBlocking(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 0.05; ; pause = Math.min(pause * 1.5, 2)) {
    const busy = tryBeginImmediate(db);
    if (busy === undefined) return;
    if (Date.now() > deadline) throw busy;
    Atomics.wait(sleeper, 0, 0, pause);
  }
}

/** Applies the migrations this database lacks, in one transaction. */
export async function migrate(db: Database.Database, busyTimeoutMs: number): Promise<void> {
  await beginImmediate(db, busyTimeoutMs);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const current = (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    checkVersion(current);
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      for (const statement of migration.sqlite) db.exec(statement);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Query-only connections, one per concurrent read: a read transaction keeps its snapshot on its
 * connection while it awaits, so nothing else may use that connection meanwhile.
 */
export class ReaderPool {
  private readonly idle: Statements[] = [];
  private readonly all = new Set<Statements>();
  private readonly waiting: ((reader: Statements) => void)[] = [];

  /**
   * At most `maxOpen` connections, all kept once opened: opening a SQLite connection (file,
   * WAL index, pragmas) costs far more than a read, so under concurrency reads wait for a
   * connection instead of opening and discarding one each.
   */
  constructor(private readonly file: string, private readonly maxOpen = 16) {}

  /** Runs `fn` with a connection of its own. */
  async use<T>(fn: (reader: Statements) => Promise<T> | T): Promise<T> {
    const reader = this.acquire() ?? await this.wait();
    try {
      return await fn(reader);
    } finally {
      this.release(reader);
    }
  }

  /** An idle (or newly opened) connection, or undefined when all `maxOpen` are in use. Pair with `release`. */
  acquire(): Statements | undefined {
    return this.idle.pop() ?? (this.all.size < this.maxOpen ? this.open() : undefined);
  }

  /** The next connection released. Pair with `release`. */
  wait(): Promise<Statements> {
    return new Promise<Statements>((resolve) => this.waiting.push(resolve));
  }

  release(reader: Statements): void {
    if (!this.all.has(reader)) return;
    const next = this.waiting.shift();
    if (next) next(reader);
    else this.idle.push(reader);
  }

  private open(): Statements {
    const reader = new Statements(connect(this.file, true));
    this.all.add(reader);
    return reader;
  }

  private discard(reader: Statements): void {
    if (this.all.delete(reader)) reader.db.close();
  }

  /** Closes every connection. INVARIANT: called once no `use` is running. */
  close(): void {
    for (const reader of [...this.all]) this.discard(reader);
    this.idle.length = 0;
  }
}
