// The embedded backend: one SQLite file, `<dataDir>/warden.db`, through better-sqlite3.
//
// Durability: WAL, and a transaction is acknowledged only once its log is fsynced. SQLite's
// synchronous=FULL would fsync inside COMMIT, on the event loop (every request waits the disk's
// latency); instead the writer runs NORMAL and wal-sync.ts fsyncs the log file off the event loop
// before `transaction` resolves — the same guarantee ("an acknowledged write survives a crash",
// power loss included), one fsync shared by every commit made before it (group commit), and
// requests are served meanwhile.
//
// Serialisation: better-sqlite3 is synchronous but a transaction callback is async, so two
// transactions of one process could interleave on one connection; a FIFO mutex per database file
// (shared by every instance of the process) runs them one after the other. BEGIN IMMEDIATE takes
// SQLite's write lock at the start, so a transaction of another process waits instead of failing
// at its first write. That wait is a retry loop with timers, not SQLite's busy_timeout, which
// sleeps synchronously and would freeze the event loop.
// Reads use query-only connections of their own: in WAL mode they see the last commit and never
// block the writer.
import type Database from 'better-sqlite3';
import { chmodSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeFeed } from './change-feed.js';
import { WalSync } from './wal-sync.js';
import { ReaderPool, beginImmediate, beginImmediateBlocking, connect, migrate } from './sqlite-connection.js';
import { normaliseLimit } from './arguments.js';
import { Mutex, ReentryGuard } from './serial.js';
import { LIMIT_PARAMETER, SqliteTx, Statements, toEvent } from './sqlite-tx.js';
import {
  ClosedError, type Change, type ChangeListener, type ChangeSet, type EventQuery, type ReadTx, type Store,
  type StoredEvent, type Tx,
} from './types.js';

export interface SqliteOptions {
  /** Directory holding `warden.db` (and its -wal/-shm files); created 0700 if missing. */
  dataDir: string;
  /** How often to look for commits of other processes on the same file (default 250 ms). */
  pollMs?: number;
  /** How long to wait for another process's write lock (default 10000 ms). */
  busyTimeoutMs?: number;
  /**
   * The calling thread waits itself — commits fsync the log on it, and BEGIN IMMEDIATE waits for
   * the write lock in short sleeps on it — rather than off the event loop (default false: fsync
   * on libuv's thread pool, lock waits on event-loop turns and timers, so the event loop serves
   * meanwhile). Only for a thread that does nothing but write: the audit writer thread; see
   * wal-sync.ts and sqlite-connection.ts.
   */
  blocking?: boolean;
}

/** One FIFO per database file for all instances in this process (see the header). */
const fileLocks = new Map<string, Mutex>();

export async function openSqliteStore(options: SqliteOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = join(options.dataDir, 'warden.db');
  const busy = options.busyTimeoutMs ?? 10_000;
  const writer = connect(file, false);
  try {
    chmodSync(file, 0o600); // SQLite gives the -wal and -shm files the same mode
    const path = realpathSync(file);
    let lock = fileLocks.get(path);
    if (!lock) fileLocks.set(path, (lock = new Mutex()));
    await lock.run(() => migrate(writer, busy));
    // From here the write connection has no busy timeout: the one lock it waits for is the write
    // lock, and beginImmediate(Blocking) waits for that. SQLite's busy handler sleeps whole
    // milliseconds (1, 2, 5, … ms) on the calling thread — the serving thread's event loop, or the
    // audit writer thread while every audited answer waits for it — where the other writer in this
    // process (the serving thread's transactions and the audit writer thread share the file) holds
    // the lock for a tenth of a millisecond. Measured with signed TagUser calls, audit trail on:
    // the serving thread slept in BEGIN IMMEDIATE 6–7 % of the time (p99 1.1 ms), the writer
    // thread 7–9 % (p99 3.6–4.7 ms).
    writer.pragma('busy_timeout = 0');
    return new SqliteStore(writer, new ReaderPool(file), lock, busy, options.pollMs ?? 250, new WalSync(`${path}-wal`, { blocking: options.blocking }));
  } catch (error) {
    writer.close();
    throw error;
  }
}

class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  private readonly inTransaction = new ReentryGuard('transaction or read');
  private readonly writes: Statements;
  private readonly feed: ChangeFeed;
  private closed = false;
  /** Transactions and other work of this instance that are queued or running, for `close`. */
  private readonly running = new Set<Promise<unknown>>();
  /** `read`s running (counted, not tracked as promises: they are the hot path). */
  private reads = 0;
  private readsDone: (() => void) | undefined;

  constructor(
    private readonly writer: Database.Database,
    private readonly readers: ReaderPool,
    private readonly writeLock: Mutex,
    private readonly busyTimeoutMs: number,
    pollMs: number,
    /** Also says whether this thread waits for the write lock itself (SqliteOptions.blocking). */
    private readonly wal: WalSync,
  ) {
    this.writes = new Statements(writer);
    this.feed = new ChangeFeed(currentRevision(this.writes), { readRevision: () => this.revision() }, pollMs);
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError('store is closed');
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    this.inTransaction.check();
    this.ensureOpen();
    let commit = 0;
    const result = await this.track(this.writeLock.run(async () => {
      this.ensureOpen();
      if (this.wal.blocking) beginImmediateBlocking(this.writer, this.busyTimeoutMs);
      else await beginImmediate(this.writer, this.busyTimeoutMs);
      const tx = new SqliteTx(this.writes);
      let revision: number | undefined;
      try {
        const result = await this.inTransaction.run(() => fn(tx));
        revision = tx.finish();
        this.writer.exec('COMMIT');
        commit = this.wal.noteCommit();
        return result;
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        revision = undefined;
        throw error;
      } finally {
        tx.end();
        if (revision !== undefined) this.feed.advance(revision);
      }
    }));
    // Acknowledge only once the log holding this commit is on stable storage (outside the write
    // lock, so the next transactions proceed while the fsync runs).
    await this.track(this.wal.durable(commit));
    return result;
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T> | T): Promise<T> {
    this.inTransaction.check();
    this.ensureOpen();
    // The hot path of every API read: an idle connection is taken without a promise hop, BEGIN
    // and COMMIT are prepared statements, and the snapshot is the one SQLite takes at the first
    // statement `fn` runs (every read of `fn` sees that one snapshot).
    const reader = this.readers.acquire() ?? await this.readers.wait();
    this.reads++;
    const tx = new SqliteTx(reader);
    try {
      reader.get('BEGIN').run();
      return await this.inTransaction.run(() => fn(tx));
    } finally {
      tx.end();
      if (reader.db.inTransaction) reader.get('COMMIT').run();
      this.readers.release(reader);
      if (--this.reads === 0 && this.readsDone) this.readsDone();
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  async revision(): Promise<number> {
    this.ensureOpen();
    return this.track(this.readers.use(currentRevision));
  }

  async changesSince(revision: number): Promise<ChangeSet> {
    this.ensureOpen();
    return this.track(this.readers.use((reads) => {
      reads.db.exec('BEGIN');
      try {
        return changesSince(reads, revision);
      } finally {
        reads.db.exec('COMMIT');
      }
    }));
  }

  onChange(listener: ChangeListener): () => void {
    this.ensureOpen();
    return this.feed.subscribe(listener);
  }

  async readEvents(query: EventQuery = {}): Promise<StoredEvent[]> {
    this.ensureOpen();
    let where = 'seq > ?';
    const params: unknown[] = [query.after ?? 0];
    if (query.from !== undefined) { where += ' AND time >= ?'; params.push(query.from); }
    if (query.to !== undefined) { where += ' AND time < ?'; params.push(query.to); }
    if (query.account !== undefined) { where += ' AND account = ?'; params.push(query.account); }
    params.push(normaliseLimit(query.limit, 1000));
    const rows = await this.track(this.readers.use((reads) => reads.get(`SELECT * FROM events WHERE ${where} ORDER BY seq ${LIMIT_PARAMETER}`).all(...params)));
    return (rows as Parameters<typeof toEvent>[0][]).map(toEvent);
  }

  async pruneChanges(revision: number): Promise<void> {
    await this.transaction(() => {
      this.writes.get('DELETE FROM changes WHERE revision <= ?').run(revision);
      this.writes.get('UPDATE state SET pruned_through = max(pruned_through, ?)').run(revision);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed.close();
    await Promise.allSettled(this.running);
    if (this.reads > 0) await new Promise<void>((resolve) => { this.readsDone = resolve; });
    await this.wal.close();
    this.readers.close();
    this.writer.close();
  }
}

function currentRevision(sql: Statements): number {
  return (sql.get('SELECT revision FROM state').get() as { revision: number }).revision;
}

/** Reads the change feed; run inside a read transaction so state and rows agree. */
function changesSince(sql: Statements, revision: number): ChangeSet {
  const state = sql.get('SELECT revision, pruned_through FROM state').get() as { revision: number; pruned_through: number };
  const changes = sql.get('SELECT * FROM changes WHERE revision > ? ORDER BY revision, kind, account, key').all(revision) as Change[];
  return { revision: state.revision, changes, truncated: revision < state.pruned_through };
}
