// Delivers "the revision advanced" to listeners, from this instance's own commits and from a
// poll of the database (other processes, other nodes, or a missed notification).
import type { ChangeListener } from './types.js';

export interface FeedSource {
  /** Reads the committed revision. */
  readRevision(): Promise<number>;
  /** Called when a first listener subscribes (e.g. to LISTEN; must be idempotent), and `stop` when the feed closes. */
  start?(): void;
  stop?(): Promise<void> | void;
}

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private failing = false;
  private closed = false;

  constructor(
    private seen: number,
    private readonly source: FeedSource,
    private readonly pollMs: number,
  ) {}

  subscribe(listener: ChangeListener): () => void {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    if (!this.timer) {
      this.source.start?.();
      this.timer = setInterval(() => void this.check(), this.pollMs);
      // The poll must never keep a process alive on its own; close() clears it anyway.
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Reports `revision` if it is newer than any reported before. */
  advance(revision: number): void {
    if (this.closed || revision <= this.seen) return;
    this.seen = revision;
    for (const listener of [...this.listeners]) {
      try {
        listener(revision);
      } catch (error) {
        // A listener's bug must not turn a committed transaction into a failed one.
        process.emitWarning(`warden store change listener failed: ${String(error)}`);
      }
    }
  }

  /** Reads the revision from the database and reports it if newer. */
  async check(): Promise<void> {
    if (this.checking || this.closed) return;
    this.checking = true;
    try {
      const revision = await this.source.readRevision();
      this.failing = false;
      this.advance(revision);
    } catch (error) {
      // Transient (database restarting); the next tick retries. Warn once per outage.
      if (!this.failing && !this.closed) process.emitWarning(`warden store poll failed: ${String(error)}`);
      this.failing = true;
    } finally {
      this.checking = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    await this.source.stop?.();
  }
}
