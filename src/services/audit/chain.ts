// The hash chain over the audit log, CloudTrail-integrity style ("Validating CloudTrail log file
// integrity": each digest names the previous one, so that a changed, removed or added file
// breaks the chain). Here every event carries `prevHash` (the hash of the event before it in
// seq order, GENESIS for the first) and `hash = sha256(prevHash || canonical JSON of the event)`,
// where the event is its id, time, account and CloudTrail record.
//
// What the chain proves: no event was changed, removed from, or added to the middle of the log
// without rewriting every hash after it. What it cannot prove by itself: that nobody rewrote the
// whole suffix, or cut the newest events off the end — anchoring the head hash (printed by
// `warden audit verify`) somewhere else is what closes that gap.
import * as crypto from 'node:crypto';
import type { JsonObject, NewEncodedEvent, StoredEvent } from '../../store/index.js';
import { canonicalJsonOfStringified, canonicalMember as member, quote } from './canonical-json.js';

/** `prevHash` of the first event. */
export const GENESIS = '0'.repeat(64);

/** What an audit event's `data` holds. */
export interface ChainedEventData extends JsonObject {
  /** The CloudTrail record. */
  event: JsonObject;
  prevHash: string;
  hash: string;
}

/** SHA-256 in hex of a string's UTF-8; `crypto.hash` (Node 20.12+) skips the Hash object. */
const sha256Hex: (text: string) => string = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (text) => (crypto as unknown as { hash: (algorithm: string, data: string, encoding: 'hex') => string }).hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The hash of an event chained after `prevHash`: sha256 of prevHash followed by the canonical
 * JSON of `{ id, time, account, event: record }`, written here with its four members already in
 * order (the same text `canonicalJson` makes of that object).
 */
export function hashEvent(prevHash: string, event: { id: string; time: string; account: string; record: unknown }): string {
  let body = member('{', 'account', event.account);
  body = member(body, 'event', event.record);
  body = member(body, 'id', event.id);
  body = member(body, 'time', event.time);
  return sha256Hex(prevHash + body + '}');
}

/** One event to chain whose record is JSON text already (`JSON.stringify(record)`; undefined when it has none). */
export interface StringifiedEvent {
  id: string;
  time: string;
  account: string;
  recordJson: string | undefined;
}

/**
 * `hashEvent(prevHash, { id, time, account, record: JSON.parse(recordJson) })`, from the
 * record's text (see `canonicalJsonOfStringified`).
 */
export function hashStringifiedEvent(prevHash: string, event: StringifiedEvent): string {
  let body = '{"account":' + quote(event.account);
  if (event.recordJson !== undefined) body += ',"event":' + canonicalJsonOfStringified(event.recordJson);
  return sha256Hex(prevHash + body + ',"id":' + quote(event.id) + ',"time":' + quote(event.time) + '}');
}

/**
 * Chains events whose records are JSON text after `prevHash`: the events to append, in order,
 * each one's data the text `JSON.stringify` makes of `{ event, prevHash, hash }` (`hash` as
 * `hashEvent` gives it) — the record's text spliced in, not serialised again — and the hash the
 * last one hands on.
 */
export function chainStringifiedEvents(prevHash: string, events: ReadonlyArray<StringifiedEvent>): { events: NewEncodedEvent[]; head: string } {
  let prev = prevHash;
  const out: NewEncodedEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const hash = hashStringifiedEvent(prev, e);
    const tail = '"prevHash":' + quote(prev) + ',"hash":"' + hash + '"}';
    out[i] = { id: e.id, time: e.time, account: e.account, json: e.recordJson === undefined ? '{' + tail : '{"event":' + e.recordJson + ',' + tail };
    prev = hash;
  }
  return { events: out, head: prev };
}

/** The head hash a stored event hands on (GENESIS when it has none). */
export function hashOf(event: StoredEvent | undefined): string {
  const h = event?.data.hash;
  return typeof h === 'string' ? h : GENESIS;
}

/** Where the chain breaks, and how. */
export interface ChainBreak {
  kind: 'altered' | 'removed' | 'inserted';
  /** The first event that is wrong: the altered one, the first inserted one, or the first one after a removal. */
  seq: number;
  eventId: string;
  /** For `removed`: the seq of the last intact event before the gap (0 when the log's start is gone). */
  afterSeq?: number;
  message: string;
}

export type ChainVerdict =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | { ok: false; count: number; break: ChainBreak };

/** Reads events in seq order, `after` exclusive, at most `limit` (the store's `readEvents`). */
export type EventReader = (after: number, limit: number) => Promise<StoredEvent[]>;

const PAGE = 1000;
/** How far back (in events) an inserted event's predecessor is looked for. */
const LOOK_BACK = 1000;

function storedHashValid(e: StoredEvent): boolean {
  const d = e.data as Partial<ChainedEventData>;
  if (typeof d.prevHash !== 'string' || typeof d.hash !== 'string' || typeof d.event !== 'object' || d.event === null) return false;
  return hashEvent(d.prevHash, { id: e.id, time: e.time, account: e.account, record: d.event }) === d.hash;
}

/**
 * Walks the whole log in seq order and reports the FIRST break:
 * - altered: an event whose stored hash is not the hash of its own content and prevHash;
 * - inserted: an event that is intact but whose prevHash is not its predecessor's hash while a
 *   later event chains onto the predecessor (or the event's prevHash names an earlier event,
 *   so the events in between were added);
 * - removed: an intact event whose prevHash names no event seen, after a gap in seq (events
 *   before it are gone); without a gap, the event before it was altered and re-hashed.
 */
export async function verifyChain(read: EventReader): Promise<ChainVerdict> {
  let count = 0;
  let prevHash = GENESIS;
  let prevSeq = 0;
  let prevId: string | undefined;
  // The last events (at least LOOK_BACK of them) and their hashes by absolute position, for
  // recognising insertions by the event they chain onto.
  let window: Array<{ seq: number; id: string; hash: string }> = [];
  let base = 0;
  const recent = new Map<string, number>([[GENESIS, -1]]);
  let after = 0;
  for (;;) {
    const page = await read(after, PAGE);
    if (page.length === 0) break;
    for (let i = 0; i < page.length; i++) {
      const e = page[i];
      after = e.seq;
      const d = e.data as Partial<ChainedEventData>;
      let ahead: StoredEvent[] | undefined;
      const lookAhead = async (): Promise<StoredEvent[]> => (ahead ??= [...page.slice(i + 1), ...(await read(page[page.length - 1].seq, PAGE))]);
      if (!storedHashValid(e)) {
        const next = (await lookAhead())[0];
        if (next !== undefined && (next.data as Partial<ChainedEventData>).prevHash === prevHash) {
          return { ok: false, count, break: { kind: 'inserted', seq: e.seq, eventId: e.id, message: `event seq ${e.seq} (${e.id}) was inserted: the chain resumes after it at seq ${next.seq}` } };
        }
        return { ok: false, count, break: { kind: 'altered', seq: e.seq, eventId: e.id, message: `event seq ${e.seq} (${e.id}) was altered: its hash does not match its content` } };
      }
      if (d.prevHash !== prevHash) {
        // Inserted here? A later event chains onto our predecessor.
        const rest = await lookAhead();
        const resumes = rest.findIndex((x) => (x.data as Partial<ChainedEventData>).prevHash === prevHash);
        if (resumes !== -1) {
          const n = resumes + 1;
          return { ok: false, count, break: { kind: 'inserted', seq: e.seq, eventId: e.id, message: `event seq ${e.seq} (${e.id}) was inserted${n > 1 ? ` (the first of ${n})` : ''}: the chain resumes after it at seq ${rest[resumes].seq}` } };
        }
        // Chains onto an earlier event: the events since that one were inserted.
        const earlier = recent.get(d.prevHash!);
        if (earlier !== undefined && earlier + 1 - base < window.length) {
          const first = window[earlier + 1 - base];
          const onto = earlier === -1 ? 'the start of the log' : `seq ${window[earlier - base].seq}`;
          return { ok: false, count, break: { kind: 'inserted', seq: first.seq, eventId: first.id, message: `event seq ${first.seq} (${first.id}) was inserted: seq ${e.seq} chains onto ${onto}` } };
        }
        // INVARIANT: seq has no gaps on SQLite (AUTOINCREMENT is rolled back with its
        // transaction), so a gap means rows were deleted; no gap means the previous event was
        // changed and its own hash recomputed — only the next event's prevHash still knows.
        if (e.seq === prevSeq + 1 && prevId !== undefined) {
          return { ok: false, count: count - 1, break: { kind: 'altered', seq: prevSeq, eventId: prevId, message: `event seq ${prevSeq} (${prevId}) was altered and its hash recomputed: seq ${e.seq} chains onto a different hash` } };
        }
        return { ok: false, count, break: { kind: 'removed', seq: e.seq, eventId: e.id, afterSeq: prevSeq, message: `events were removed between seq ${prevSeq} and seq ${e.seq} (${e.id}): its prevHash names no event in the log` } };
      }
      prevHash = d.hash!;
      prevSeq = e.seq;
      prevId = e.id;
      recent.set(prevHash, base + window.length);
      window.push({ seq: e.seq, id: e.id, hash: prevHash });
      if (window.length >= 2 * LOOK_BACK) {
        for (const old of window.slice(0, LOOK_BACK)) recent.delete(old.hash);
        recent.delete(GENESIS);
        window = window.slice(LOOK_BACK);
        base += LOOK_BACK;
      }
      count++;
    }
  }
  return { ok: true, count, headSeq: prevSeq, headHash: prevHash };
}
