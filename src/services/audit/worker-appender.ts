// Audit appends on a thread of their own. The server's thread builds each CloudTrail record and
// hands it over; the writer thread (append-worker.ts) chains, inserts, commits and fsyncs with
// its own store connection, and says which events are durable. The server still answers a call
// only once its event is durable, and fails it if the event could not be written — but hashing,
// the SQL, the commit's page writes, WAL checkpoints and fsync completions no longer take the
// thread that serves requests (on SQLite the log's commits were ~20% of a served read's CPU).
import { Worker } from 'node:worker_threads';
import type { OpenOptions } from '../../store/index.js';
import type { FromWriter, ToWriter } from './append-worker.js';
import type { PendingEvent } from './writer.js';

/** Entries per event in an append message (see append-worker.ts's ToWriter). */
export const APPEND_FIELDS = 4;

/** What the trail needs of an appender (AuditWriter is one too). */
export interface EventAppender {
  append(event: PendingEvent): Promise<void>;
  drain(): Promise<void>;
  /** Stops a writer thread, if any, after draining. */
  close?(): Promise<void>;
}

export class AuditWriteError extends Error {
  override name = 'AuditWriteError';
}

/** The worker's entry: the compiled .js next to this file, or the .ts source under tsx. */
function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './append-worker.ts' : './append-worker.js', self);
}

export class WorkerAppender implements EventAppender {
  private readonly worker: Worker;
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
  /** Events to hand over, APPEND_FIELDS entries each (see ToWriter). */
  private outbox: Array<string | undefined> = [];
  private sending = false;
  private broken: Error | undefined;
  private readonly ready: Promise<void>;
  private closed: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly handOverAt: number;
  /** Messages handed to the writer thread so far (tests look at it). */
  messages = 0;

  /**
   * `handOverAt` (default 8): events cross as soon as that many are waiting, not only at the end
   * of the event loop's turn. Under load one turn serves a request from every connection that
   * sent one (32 connections: ~26 per turn measured), so the first event of a turn would wait for
   * every other request of it before its commit could start; handed over eight at a time, the
   * writer commits and fsyncs while the server thread still serves the rest. Measured with
   * 32 connections (wrk): append→durable p50 3.6 → 2.3 ms, audited reads +15–30 %.
   */
  constructor(open: OpenOptions, options: { maxBatch?: number; handOverAt?: number } = {}) {
    this.handOverAt = Math.max(1, options.handOverAt ?? 8);
    const url = workerUrl();
    const workerData = { open, maxBatch: options.maxBatch };
    // From the TypeScript sources (tests, `npm run bench:*`) the thread registers tsx's loader
    // itself first: Node 20 does not carry the parent's loader hooks into a worker.
    this.worker = url.pathname.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true, workerData })
      : new Worker(url, { workerData });
    // Held (ref) while it starts and while appends are pending, so that a caller awaiting either
    // is not left behind by an exiting event loop; idle, it does not hold the process open.
    let readyResolve!: () => void;
    let readyReject!: (e: unknown) => void;
    this.ready = new Promise<void>((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: FromWriter) => {
      switch (m.type) {
        case 'ready':
          this.idle();
          readyResolve();
          break;
        case 'settled':
          for (const id of m.durable) this.settle(id);
          for (const f of m.failed) this.settle(f.id, new AuditWriteError(f.message));
          break;
        case 'fatal': this.fail(new AuditWriteError(`audit writer thread: ${m.message}`)); readyReject(this.broken); break;
        case 'closed': break;
      }
    });
    this.worker.on('error', (e) => { this.fail(new AuditWriteError(`audit writer thread failed: ${e.message}`)); readyReject(this.broken); });
    this.worker.on('exit', (code) => {
      this.fail(new AuditWriteError(`audit writer thread exited (${code})`));
      readyReject(this.broken);
    });
  }

  /** Resolves once the writer thread has opened its store (rejects if it could not). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  append(event: PendingEvent): Promise<void> {
    if (this.closed) return Promise.reject(new AuditWriteError('audit trail is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(event.id, { resolve, reject });
      this.outbox.push(event.id, event.time, event.account, JSON.stringify(event.record) as string | undefined);
      if (this.outbox.length >= this.handOverAt * APPEND_FIELDS) {
        this.send();
        return;
      }
      if (!this.sending) {
        this.sending = true;
        // The calls answered in this turn of the event loop cross over in one message.
        setImmediate(() => this.send());
      }
    });
  }

  /** Hands the waiting events over (a pending setImmediate then finds none, or later ones). */
  private send(): void {
    this.sending = false;
    if (this.outbox.length === 0 || this.broken) return;
    const events = this.outbox;
    this.outbox = [];
    this.messages++;
    this.worker.postMessage({ type: 'append', events } satisfies ToWriter);
  }

  private settle(id: string, error?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(error); else p.resolve();
    if (this.pending.size === 0) {
      this.idle();
      if (this.drained) { const d = this.drained; this.drained = undefined; d(); }
    }
  }

  /** Lets the process exit while nothing is pending (and the appender is not closing). */
  private idle(): void {
    if (this.pending.size === 0 && !this.closed) this.worker.unref();
  }

  /** Every pending append fails with `error`, and so does every later one. */
  private fail(error: Error): void {
    if (!this.broken) this.broken = error;
    for (const [id] of this.pending) this.settle(id, this.broken);
    this.outbox = [];
  }

  drain(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.drained;
      this.drained = () => { previous?.(); resolve(); };
    });
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.drain();
      if (this.broken) { await this.worker.terminate(); return; }
      this.worker.ref();
      await new Promise<void>((resolve) => {
        this.worker.on('message', (m: FromWriter) => { if (m.type === 'closed' || m.type === 'fatal') resolve(); });
        this.worker.once('exit', () => resolve());
        this.worker.postMessage({ type: 'close' } satisfies ToWriter);
      });
      await this.worker.terminate();
    })();
    return this.closed;
  }
}
