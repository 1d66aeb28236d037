// The audit log's writer thread (see worker-appender.ts): its own store connection, the
// pipelined group-committing AuditWriter, and acknowledgements back to the server's thread —
// one message per settled group of events, not one per event.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type OpenOptions } from '../../store/index.js';
import { AuditWriter, type PendingEvent } from './writer.js';

/** Server thread → writer thread. */
export type ToWriter = { type: 'append'; /** Each a PendingEvent as JSON. */ events: string[] } | { type: 'close' };
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
  const store = await openStore((workerData as { open: OpenOptions }).open);
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
  port.on('message', (m: ToWriter) => {
    if (m.type === 'append') {
      for (const text of m.events) {
        const e = JSON.parse(text) as PendingEvent;
        writer.append(e).then(
          () => { durable.push(e.id); schedule(); },
          (error: unknown) => { failed.push({ id: e.id, message: error instanceof Error ? error.message : String(error) }); schedule(); },
        );
      }
    } else {
      void writer.drain().then(() => store.close()).then(() => post({ type: 'closed' }), (error: unknown) => post({ type: 'fatal', message: String(error) }));
    }
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
}
