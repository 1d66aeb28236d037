// The audit log's writer thread (see worker-appender.ts): its own store connection, the
// pipelined group-committing AuditWriter, and acknowledgements back to the server's thread —
// one message per settled group of events, not one per event.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type OpenOptions } from '../../store/index.js';
import { AuditWriter } from './writer.js';
import { APPEND_FIELDS } from './worker-appender.js';

/**
 * Server thread → writer thread. An append's `events` holds four entries per event: its id, time,
 * account and `JSON.stringify(record)` (undefined when the record has none). The record crosses
 * as JSON text (a string crosses threads far cheaper than a cloned object), and that text is
 * what the writer hashes and stores: it is never parsed here (see canonical-json.ts's
 * canonicalJsonOfStringified).
 */
export type ToWriter = { type: 'append'; events: Array<string | undefined> } | { type: 'close' };
/** Writer thread → server thread. */
export type FromWriter =
  | { type: 'ready' }
  | { type: 'settled'; durable: string[]; failed: Array<{ id: string; message: string }> }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };

const port = parentPort;
if (!port) throw new Error('append-worker runs as a worker thread');
const post = (m: FromWriter): void => port.postMessage(m);

try {
  // This thread only commits: on SQLite it fsyncs the log itself and waits, rather than handing
  // each sync to libuv's pool and back (see wal-sync.ts), and waits for the write lock in short
  // sleeps (sqlite-connection.ts); appends arriving meanwhile queue up.
  const store = await openStore({ ...(workerData as { open: OpenOptions }).open, blocking: true });
  const writer = new AuditWriter(store, (workerData as { maxBatch?: number }).maxBatch !== undefined ? { maxBatch: (workerData as { maxBatch: number }).maxBatch } : {});
  let durable: string[] = [];
  let failed: Array<{ id: string; message: string }> = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    post({ type: 'settled', durable, failed });
    durable = [];
    failed = [];
  };
  // A batch's callers settle in one microtask run: their acknowledgements go out together.
  const schedule = (): void => {
    if (!scheduled) { scheduled = true; queueMicrotask(flush); }
  };
  // One pair of callbacks for every event, not a promise each.
  const isDurable = (id: string): void => {
    durable.push(id);
    schedule();
  };
  const hasFailed = (id: string, error: unknown): void => {
    failed.push({ id, message: error instanceof Error ? error.message : String(error) });
    schedule();
  };
  port.on('message', (m: ToWriter) => {
    if (m.type === 'append') {
      const e = m.events;
      for (let i = 0; i + APPEND_FIELDS <= e.length; i += APPEND_FIELDS) {
        writer.appendStringified({ id: e[i]!, time: e[i + 1]!, account: e[i + 2]!, recordJson: e[i + 3] }, isDurable, hasFailed);
      }
    } else {
      void writer.drain().then(() => store.close()).then(() => post({ type: 'closed' }), (error: unknown) => post({ type: 'fatal', message: String(error) }));
    }
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
}
