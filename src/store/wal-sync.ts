// Durable commits without blocking the event loop. The writer connection runs WAL with
// synchronous=NORMAL, so COMMIT writes the log to the OS but does not fsync it; a committed
// transaction is acknowledged only after this fsyncs the WAL file, off the event loop (libuv's
// thread pool). That is exactly the guarantee of synchronous=FULL in WAL mode — the log is on
// stable storage before the caller hears "committed" — while other requests keep being served
// during the fsync, and one fsync covers every commit made before it started (group commit).
// Checkpoints under NORMAL sync the database file before the log is reused, as SQLite documents
// (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html).
//
// fdatasync, not fsync: it writes the log's data and the metadata needed to read it back (its
// size, when a commit grew it — fdatasync(2)) but not its modification time, which fsync would
// force through an ext4 journal commit of its own. The log is rewritten in place once
// checkpointed, so most syncs change no size at all. Measured on this VM (ext4, 12 KiB written
// before each sync): p50 0.38 → 0.27 ms, p90 1.5 → 1.0 ms.
//
// `blocking`: the fsync runs on the calling thread, which waits for it. Only for a thread that
// does nothing but commit — the audit log's writer thread (services/audit/append-worker.ts): it
// has no requests to serve meanwhile, and the appends that arrive during the sync queue up and
// commit together after it (group commit as before). What it saves is two thread hand-offs per
// commit (to the pool thread and back, each a futex wake on a 2-core machine shared by the server,
// its writer and the clients) and the pool threads' CPU. Measured (audited signed reads, light
// client, 32 connections): append→durable p50 0.97 → 0.69 ms, 16.5k → 21.5k req/s.
import { close, closeSync, fdatasync, fdatasyncSync, fstat, fstatSync, open, openSync, stat, statSync } from 'node:fs';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const fdatasyncAsync = promisify(fdatasync);
const fstatAsync = promisify(fstat);
const statAsync = promisify(stat);
const closeAsync = promisify(close);

export class WalSync {
  /** Commits made so far (a commit's number is the value after its increment). */
  private committed = 0;
  /** Every commit up to this number is on stable storage. */
  private synced = 0;
  private running: Promise<void> | undefined;
  private fd: number | undefined;
  /** The inode `fd` was opened on (it cannot change). */
  private ino = 0;
  /** When the path was last checked against `ino` (`Date.now()`); opening counts as a check. */
  private checkedAt = 0;
  private readonly recheckMs: number;
  /** Whether syncs run on the calling thread (the store waits for its write lock the same way). */
  readonly blocking: boolean;

  /**
   * `recheckMs`: how often a sync checks that the log was not replaced (default 1000; 0: every
   * sync). `blocking`: fsync on the calling thread (see the header; default false).
   */
  constructor(private readonly walPath: string, options: { recheckMs?: number; blocking?: boolean } = {}) {
    this.recheckMs = options.recheckMs ?? 1000;
    this.blocking = options.blocking ?? false;
  }

  /** Call right after a COMMIT; returns the commit's number for `durable`. */
  noteCommit(): number {
    return ++this.committed;
  }

  /** Resolves once commit `n` is on stable storage (blocking: already is when this returns). */
  durable(n: number): Promise<void> {
    if (!this.blocking) return this.durableAsync(n);
    try {
      this.syncBlocking(n);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private syncBlocking(n: number): void {
    if (this.synced >= n) return;
    const upTo = this.committed;
    if (this.fd === undefined) this.reopenBlocking();
    fdatasyncSync(this.fd!);
    if (this.recheckDue() && statSync(this.walPath, { throwIfNoEntry: false })?.ino !== this.ino) {
      this.reopenBlocking();
      fdatasyncSync(this.fd!);
    }
    this.synced = Math.max(this.synced, upTo);
  }

  private reopenBlocking(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try { closeSync(fd); } catch { /* closing a descriptor we are replacing */ }
    }
    const fd = openSync(this.walPath, 'r');
    try {
      this.ino = fstatSync(fd).ino;
      this.checkedAt = Date.now();
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
  }

  private async durableAsync(n: number): Promise<void> {
    while (this.synced < n) {
      if (this.running === undefined) {
        const upTo = this.committed;
        this.running = this.syncOnce().then(
          () => { this.synced = Math.max(this.synced, upTo); this.running = undefined; },
          (error) => { this.running = undefined; throw error; },
        );
      }
      await this.running;
    }
  }

  private async syncOnce(): Promise<void> {
    if (this.fd === undefined) await this.reopen();
    if (!this.recheckDue()) return fdatasyncAsync(this.fd!);
    const [, current] = await Promise.all([fdatasyncAsync(this.fd!), statAsync(this.walPath).catch(() => undefined)]);
    if (current?.ino === this.ino) return;
    await this.reopen();
    await fdatasyncAsync(this.fd!);
  }

  /**
   * Whether this sync also checks that the path still names the file `fd` is open on. A stale
   * descriptor would make fsync a silent no-op — but SQLite only deletes (and later recreates)
   * the log when the last connection to the database closes, and this process keeps its own
   * open for as long as it syncs, so the log is not replaced under it; the check is a guard
   * against the impossible (or someone moving files by hand), and a thread-pool request costs
   * the event loop tens of microseconds here. So it runs at most every `recheckMs`, alongside
   * the fsync; when the path names another file, that one is opened and fsynced before the
   * commits are acknowledged, and a missing log fails them.
   */
  private recheckDue(): boolean {
    const now = Date.now();
    if (now - this.checkedAt < this.recheckMs) return false;
    this.checkedAt = now;
    return true;
  }

  private async reopen(): Promise<void> {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      await closeAsync(fd).catch(() => undefined);
    }
    const fd = await openAsync(this.walPath, 'r');
    try {
      this.ino = (await fstatAsync(fd)).ino;
      this.checkedAt = Date.now();
    } catch (error) {
      await closeAsync(fd).catch(() => undefined);
      throw error;
    }
    this.fd = fd;
  }

  async close(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    if (this.fd !== undefined) { await closeAsync(this.fd).catch(() => undefined); this.fd = undefined; }
  }
}
