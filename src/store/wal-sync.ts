// Durable commits without blocking the event loop. The writer connection runs WAL with
// synchronous=NORMAL, so COMMIT writes the log to the OS but does not fsync it; a committed
// transaction is acknowledged only after this fsyncs the WAL file, off the event loop (libuv's
// thread pool). That is exactly the guarantee of synchronous=FULL in WAL mode — the log is on
// stable storage before the caller hears "committed" — while other requests keep being served
// during the fsync, and one fsync covers every commit made before it started (group commit).
// Checkpoints under NORMAL sync the database file before the log is reused, as SQLite documents
// (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html).
import { close, fstat, fsync, open, stat } from 'node:fs';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);
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

  constructor(private readonly walPath: string) {}

  /** Call right after a COMMIT; returns the commit's number for `durable`. */
  noteCommit(): number {
    return ++this.committed;
  }

  /** Resolves once commit `n` is on stable storage. */
  async durable(n: number): Promise<void> {
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
    // The log is reopened if it was replaced (it is not while this process holds the database
    // open, but a stale descriptor would make fsync a silent no-op).
    if (this.fd !== undefined) {
      const [a, b] = await Promise.all([fstatAsync(this.fd), statAsync(this.walPath).catch(() => undefined)]);
      if (!b || a.ino !== b.ino) { await closeAsync(this.fd).catch(() => undefined); this.fd = undefined; }
    }
    if (this.fd === undefined) this.fd = await openAsync(this.walPath, 'r');
    await fsyncAsync(this.fd);
  }

  async close(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    if (this.fd !== undefined) { await closeAsync(this.fd).catch(() => undefined); this.fd = undefined; }
  }
}
