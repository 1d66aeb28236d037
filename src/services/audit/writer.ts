// Durable, chained appends with group commit. A write transaction costs one fsync on SQLite
// (synchronous=FULL, several milliseconds); one per request would cap the server at a few
// hundred requests per second. So appends queue up and one writer flushes the queue: while a
// batch commits, the next one gathers, and each batch — however many requests it holds — is one
// transaction and one fsync. Every caller's promise resolves only when its event has committed
// (and rejects if it could not be): "durable before the response goes out". A batch that fails
// is retried event by event, so that one event the store refuses fails only its own request.
//
// The chain head is read with `tx.lastEvent()` inside the append transaction, which the store
// serialises with every other transaction on the database (other nodes included on
// PostgreSQL), so the chain's order is the log's seq order even with several writers.
import { pooledRandomBytes } from '../../crypto/random-pool.js';
import type { Store } from '../../store/index.js';
import { chainStringifiedEvents, hashOf, type StringifiedEvent } from './chain.js';

/** One event to append: its CloudTrail record plus the columns the store indexes. */
export interface PendingEvent {
  id: string;
  /** ISO-8601 UTC (the store orders and filters on it). */
  time: string;
  account: string;
  record: unknown;
}

export interface AuditWriterOptions {
  /** Largest batch per transaction (default 512). */
  maxBatch?: number;
}

/**
 * Appends events in group-committed, hash-chained batches, pipelined: a batch is committed as
 * soon as the previous one's rows are written, without waiting for the previous one's fsync;
 * the store's group commit then makes both durable with the next fsync. So the batch that
 * gathers while an fsync runs is already in the log when that fsync ends, and throughput is not
 * capped at one batch per fsync latency. Each caller still hears back only once its own event
 * is durable. (On the audit writer thread's store the fsync runs inside the commit, on the thread
 * — `blocking`, see store/wal-sync.ts — so there batches follow each other, and what arrives
 * during a sync joins the next one.)
 */
export class AuditWriter {
  private queue: Entry[] = [];
  private flushing: Promise<void> | undefined;
  /** Batches committed or being committed, until they are durable (or failed). */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatch: number;
  /** The last event this writer committed (the chain head, unless another writer appended since). */
  private head: ChainHead | undefined;
  /** Batches committed so far (tests and benchmarks look at it). */
  batches = 0;
  /** Events committed so far. */
  appended = 0;

  constructor(private readonly store: Store, options: AuditWriterOptions = {}) {
    this.maxBatch = options.maxBatch ?? 512;
  }

  /** Resolves once `event` is committed; rejects with the store's error if its batch failed. */
  append(event: PendingEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Chained and stored as its JSON text (see appendStringified), made here once.
      const stringified = { id: event.id, time: event.time, account: event.account, recordJson: JSON.stringify(event.record) as string | undefined };
      this.appendStringified(stringified, () => resolve(), (_, error) => reject(error));
    });
  }

  /**
   * Appends an event whose record is JSON text already (`JSON.stringify(record)`, undefined when
   * the record has none): the writer thread's way, which hashes and stores that text without
   * parsing it. `durable(id)` is called once the event is committed, or `failed(id, error)` —
   * callbacks shared by every event, where a promise per event would cost its allocations.
   */
  appendStringified(event: StringifiedEvent, durable: (id: string) => void, failed: (id: string, error: unknown) => void): void {
    this.queue.push({ event, durable, failed });
    this.flushing ??= this.flush();
  }

  /** Resolves when everything queued so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.flushing || this.inFlight.size > 0) {
      if (this.flushing) await this.flushing;
      await Promise.all(this.inFlight);
    }
  }

  /**
   * One transaction: the head, then `events` chained onto it. `written` is called once the rows
   * are in the transaction (the commit follows at once); the promise settles when durable.
   */
  private async commit(entries: Entry[], written: () => void = () => undefined): Promise<void> {
    try {
      await this.store.transaction(async (tx) => {
        const head = await tx.lastEvent();
        // The head is usually the event this writer appended last: its hash is known, and the
        // stored record need not be parsed back to read it. Any other head (another process or
        // node appended since) is read from the log.
        const known = this.head;
        const prevHash = head !== undefined && known !== undefined && known.seq === head.seq && known.id === head.id ? known.hash : hashOf(head);
        const chained = chainStringifiedEvents(prevHash, entries.map((e) => e.event));
        const stored = await tx.appendEvents(chained.events);
        const tail = stored[stored.length - 1];
        // Known from here, not only once durable: the next batch, pipelined, reads this one's
        // tail as its head before this commit's fsync ends (and parsed it back each time). A
        // commit that fails forgets it below; seq and id are checked above in any case.
        if (tail) this.head = { seq: tail.seq, id: tail.id, hash: chained.head };
        written();
      });
    } catch (error) {
      this.head = undefined;
      throw error;
    }
    this.batches++;
    this.appended += entries.length;
  }

  private async flush(): Promise<void> {
    try {
      // Let the requests of this turn of the event loop join the first batch.
      await new Promise<void>((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        let written!: () => void;
        const rowsWritten = new Promise<void>((r) => { written = r; });
        const settled = this.settle(batch, written);
        this.inFlight.add(settled);
        void settled.finally(() => this.inFlight.delete(settled));
        // The next batch starts once this one's rows are written (or it failed): the chain head
        // it reads is this batch's last event. Requests arriving meanwhile join it.
        await Promise.race([rowsWritten, settled]);
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Commits `batch` and answers its callers; never rejects. */
  private async settle(batch: Entry[], written: () => void): Promise<void> {
    try {
      await this.commit(batch, written);
      for (const b of batch) b.durable(b.event.id);
    } catch (e) {
      written();
      if (batch.length === 1) {
        batch[0].failed(batch[0].event.id, e);
        return;
      }
      // One bad event must not fail the requests it shared a batch with: retry one by one.
      for (const b of batch) {
        try {
          await this.commit([b]);
          b.durable(b.event.id);
        } catch (e1) {
          b.failed(b.event.id, e1);
        }
      }
    }
  }
}

interface ChainHead {
  seq: number;
  id: string;
  hash: string;
}

interface Entry {
  event: StringifiedEvent;
  durable: (id: string) => void;
  failed: (id: string, error: unknown) => void;
}

/**
 * A fresh event id (CloudTrail's eventID is a UUID): an RFC 9562 version 7 UUID — 48 bits of
 * Unix milliseconds, then the version and variant, then 74 random bits from the CSPRNG.
 *
 * Why time-ordered and not version 4: the id is the key of the events table's UNIQUE index, and
 * a random key lands on a random leaf page of that index — one more page written to the WAL
 * (and later checkpointed) per event. Ids that grow with time land on the rightmost leaf, so a
 * batch of events touches one index page. The ids stay unguessable (74 random bits) and unique;
 * nothing orders events by id (seq is the log's order).
 */
export function newEventId(): string {
  const ms = Date.now();
  const r = pooledRandomBytes(RANDOM_BYTES);
  // time_high (32 bits) - time_low (16) - version 7 + rand_a (12) - variant 10 + rand_b (14) - rand_b (48)
  return hex8(Math.floor(ms / 0x10000)) + '-' + hex4(ms % 0x10000) + '-' + hex4(0x7000 | ((r[0] & 0x0f) << 8) | r[1])
    + '-' + hex4(0x8000 | ((r[2] & 0x3f) << 8) | r[3]) + '-' + HEX[r[4]] + HEX[r[5]] + HEX[r[6]]
    + HEX[r[7]] + HEX[r[8]] + HEX[r[9]];
}

/** Random bytes per id (rand_a and rand_b with the version and variant bits masked off). */
const RANDOM_BYTES = 10;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex4(n: number): string {
  return HEX[n >>> 8] + HEX[n & 0xff];
}

function hex8(n: number): string {
  return hex4(n >>> 16) + hex4(n & 0xffff);
}
