// The audit trail the server writes to: each answered API call becomes a CloudTrail record,
// appended durably and chained before the answer goes out (server/http.ts awaits `record`).
import type { Store } from '../../store/index.js';
import { buildRecord, type AuditCall, type KeyOwner } from './record.js';
import { AuditWriter, newEventId, type AuditWriterOptions } from './writer.js';
import { WorkerAppender, type EventAppender } from './worker-appender.js';
import type { OpenOptions } from '../../store/index.js';

/** What the server calls; `record` resolves once the event is committed and rejects if it is not. */
export interface AuditTrail {
  /** False when auditing is switched off (`WARDEN_AUDIT=off`, for benchmarks only). */
  readonly enabled: boolean;
  record(call: AuditCall): Promise<void>;
  /** Waits for queued events. */
  close(): Promise<void>;
}

export interface AuditTrailOptions extends AuditWriterOptions {
  store: Store;
  /** The account of events whose caller is unknown (unknown keys, unsigned requests): the management account. */
  fallbackAccount: string;
  /** The owner of a long-term access key, for events of requests whose signature failed. */
  keyOwner?: (accessKeyId: string) => KeyOwner | undefined;
  /** Default true. */
  enabled?: boolean;
  /**
   * Append on a writer thread with its own connection to this store (the served setup; see
   * worker-appender.ts). Without it events are appended through `store` on this thread.
   */
  writerThread?: OpenOptions;
}

/** Whether the environment switches auditing off (`WARDEN_AUDIT=off`; for the benchmark's comparison only). */
export function auditEnabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.WARDEN_AUDIT ?? '').toLowerCase() !== 'off';
}

export function createAuditTrail(options: AuditTrailOptions): AuditTrail & { readonly writer: EventAppender; whenReady(): Promise<void> } {
  const enabled = options.enabled ?? true;
  const writer: EventAppender = enabled && options.writerThread
    ? new WorkerAppender(options.writerThread, options)
    : new AuditWriter(options.store, options);
  return {
    enabled,
    writer,
    whenReady: () => (writer instanceof WorkerAppender ? writer.whenReady() : Promise.resolve()),
    // Not async: the writer's promise is handed on as is, without one more promise and await per
    // request; a record that cannot be built still rejects rather than throws.
    record(call) {
      if (!enabled) return Promise.resolve();
      try {
        const keyOwner = !call.caller && call.accessKeyId && options.keyOwner ? options.keyOwner(call.accessKeyId) : undefined;
        const id = newEventId();
        const time = call.time.toISOString();
        const record = buildRecord(call, { keyOwner, fallbackAccount: options.fallbackAccount, eventId: id, isoTime: time });
        return writer.append({ id, time, account: record.recipientAccountId, record });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: async () => {
      await writer.drain();
      await writer.close?.();
    },
  };
}
