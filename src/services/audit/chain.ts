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
import type { JsonObject, NewEncodedEvent, NewEvent, StoredEvent } from '../../store/index.js';

/** `prevHash` of the first event. */
export const GENESIS = '0'.repeat(64);

/** What an audit event's `data` holds. */
export interface ChainedEventData extends JsonObject {
  /** The CloudTrail record. */
  event: JsonObject;
  prevHash: string;
  hash: string;
}

/**
 * JSON with object keys sorted (UTF-16 code unit order), no whitespace: the same text for the
 * same JSON value. Values become JSON as `JSON.stringify` makes them (toJSON, undefined members
 * dropped, undefined in arrays as null), so `canonicalJson(x)` equals
 * `canonicalJson(JSON.parse(JSON.stringify(x)))`: the hash of a record before it is stored is
 * the hash of what is read back.
 *
 * INVARIANT: the text is byte for byte what the first implementation made (every stored chain
 * was hashed with it); chain.test.ts checks this one against that one on random values.
 * It runs once per audit event on the request path and once per event in `verify`, hence the
 * fast paths below: no sort of keys that are already in order, no `JSON.stringify` call for
 * short strings that need no escaping, and quoted member names reused.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? 'null';
}

function canonical(value: unknown): string | undefined {
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' || value === null) return primitive(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // Called once, as JSON.stringify does: what it returns is not asked for a toJSON again.
    value = (value as { toJSON: () => unknown }).toJSON();
    if (typeof value === 'string') return quote(value);
    if (typeof value !== 'object' || value === null) return primitive(value);
  }
  return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
}

/** A non-object, non-string value, exactly as JSON.stringify writes it (undefined for none). */
function primitive(value: unknown): string | undefined {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Finite numbers are their ToString in JSON; NaN and ±Infinity are null.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

function canonicalArray(value: unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (canonical(value[i]) ?? 'null');
  return out + ']';
}

function canonicalObject(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  // Sorting is the costly part; most objects (and every one read back from a chain that was
  // canonical already) need none.
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  for (let i = 0; i < keys.length; i++) out = member(out, keys[i], obj[keys[i]]);
  return out + '}';
}

/** Longest string checked character by character; longer ones go to JSON.stringify's native scan. */
const SHORT_STRING = 64;

/** A string as a JSON string literal, identical to JSON.stringify's. */
function quote(s: string): string {
  if (s.length > SHORT_STRING) return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Escaped by JSON.stringify: controls, `"`, `\`; surrogates are left to it (lone ones are escaped).
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** `"name":` per member name, kept for the names seen first (records repeat the same few dozen). */
const memberNames = new Map<string, string>();
const MEMBER_NAMES_KEPT = 4096;

function memberName(name: string): string {
  let quoted = memberNames.get(name);
  if (quoted === undefined) {
    quoted = quote(name) + ':';
    if (memberNames.size < MEMBER_NAMES_KEPT) memberNames.set(name, quoted);
  }
  return quoted;
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

/** `out` (an object's text so far, from its `{`) with the member `name` added, unless its value is undefined. */
function member(out: string, name: string, value: unknown): string {
  const v = canonical(value);
  return v === undefined ? out : out + (out.length === 1 ? '' : ',') + memberName(name) + v;
}

/**
 * `canonicalJson(JSON.parse(text))`, made from the text itself, for `text` that JSON.stringify
 * wrote. Such text spells every string and number the one way canonicalJson does (its quoting
 * is JSON.stringify's, and a number's JSON.stringify text parses back to the same number, whose
 * text it is), and has no whitespace; so the canonical text is that text with each object's
 * members put in key order — copied, not parsed into objects and written out again, which was
 * most of the audit writer thread's JavaScript time per event.
 *
 * PRECONDITION: `text` is JSON.stringify's output (other JSON may spell a value differently:
 * `1.0`, `"\u0041"`). Text this scanner does not expect there (whitespace, duplicate keys) is
 * canonicalised the slow way instead.
 */
export function canonicalJsonOfStringified(text: string): string {
  src = text;
  at = 0;
  try {
    const out = scanValue();
    if (at === text.length) return out ?? text;
  } catch (error) {
    if (error !== UNEXPECTED) throw error;
  } finally {
    src = '';
  }
  return canonicalJson(JSON.parse(text));
}

/** The text `canonicalJsonOfStringified` scans, and the position in it. */
let src = '';
let at = 0;
/** Thrown by the scan at anything JSON.stringify does not write. */
const UNEXPECTED = new Error('not JSON.stringify text');

/**
 * Scans the value at `at` (`at` ends past it) and returns its canonical text — or undefined when
 * that is its own text (strings, numbers, objects already in order), so that nothing is copied for it.
 */
function scanValue(): string | undefined {
  const c = src.charCodeAt(at);
  if (c === 0x7b /* { */) return scanObject();
  if (c === 0x5b /* [ */) return scanArray();
  if (c === 0x22 /* " */) skipString();
  else skipScalar();
  return undefined;
}

/** Past the string literal at `at`. (Locals in the loops: the module's own bindings cost more.) */
function skipString(): void {
  const text = src;
  let end = text.indexOf('"', at + 1);
  for (;;) {
    if (end === -1) throw UNEXPECTED;
    // A quote after an odd number of backslashes is part of the string.
    let b = end - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    if ((end - 1 - b) % 2 === 0) break;
    end = text.indexOf('"', end + 1);
  }
  at = end + 1;
}

/** Past the number, true, false or null at `at`. */
function skipScalar(): void {
  const text = src;
  let i = at;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2c /* , */ || c === 0x5d /* ] */ || c === 0x7d /* } */) break;
    // Digits, letters (true, false, null, e), `-`, `+`, `.`; anything else (whitespace) is not JSON.stringify's.
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45)) throw UNEXPECTED;
  }
  if (i === at) throw UNEXPECTED;
  at = i;
}

function scanArray(): string | undefined {
  const start = at;
  at++;
  if (src.charCodeAt(at) === 0x5d /* ] */) {
    at++;
    return undefined;
  }
  // Built only once an element's canonical text differs from its own: the text up to `copied`
  // is in `out`, what follows is still the array's own.
  let out: string | undefined;
  let copied = start;
  for (;;) {
    const elementStart = at;
    const element = scanValue();
    if (element !== undefined) {
      out = (out ?? '') + src.slice(copied, elementStart) + element;
      copied = at;
    }
    const c = src.charCodeAt(at++);
    if (c === 0x5d) break;
    if (c !== 0x2c /* , */) throw UNEXPECTED;
  }
  return out === undefined ? undefined : out + src.slice(copied, at);
}

function scanObject(): string | undefined {
  at++;
  if (src.charCodeAt(at) === 0x7d /* } */) {
    at++;
    return undefined;
  }
  // Where each member starts (its key's opening quote: keys are compared in the text, not
  // sliced out) and ends; the canonical text of the members whose value's differs from its own.
  const starts: number[] = [];
  const ends: number[] = [];
  let changed: Array<string | undefined> | undefined;
  let sorted = true;
  for (;;) {
    if (src.charCodeAt(at) !== 0x22) throw UNEXPECTED;
    const memberStart = at;
    skipString();
    if (src.charCodeAt(at++) !== 0x3a /* : */) throw UNEXPECTED;
    if (sorted && starts.length > 0 && compareKeys(starts[starts.length - 1], memberStart) >= 0) sorted = false;
    const valueStart = at;
    const value = scanValue();
    if (value !== undefined) (changed ??= [])[starts.length] = src.slice(memberStart, valueStart) + value;
    starts.push(memberStart);
    ends.push(at);
    const c = src.charCodeAt(at++);
    if (c === 0x7d) break;
    if (c !== 0x2c) throw UNEXPECTED;
  }
  if (sorted && changed === undefined) return undefined;
  const order = sorted ? undefined : sortedOrder(starts);
  let out = '{';
  for (let i = 0; i < starts.length; i++) {
    const m = order === undefined ? i : order[i];
    out += (i === 0 ? '' : ',') + (changed?.[m] ?? src.slice(starts[m], ends[m]));
  }
  return out + '}';
}

/**
 * How the keys whose opening quotes are at `a` and `b` compare, as the keys themselves do
 * (UTF-16 code units, as canonicalJson sorts them): negative, 0 (the same key) or positive.
 * JSON.stringify spells each character of a key one way, so the text compares as the keys —
 * except where an escape decides (`\n` sorts as `n`, not as a line feed): there it throws
 * UNEXPECTED, and the slow path sorts.
 */
function compareKeys(a: number, b: number): number {
  const text = src;
  for (let i = 1; ; i++) {
    const x = text.charCodeAt(a + i);
    const y = text.charCodeAt(b + i);
    if (x === 0x5c || y === 0x5c) throw UNEXPECTED;
    if (x !== y) {
      // A closing quote (never unescaped inside a key): that key is a prefix of the other.
      if (x === 0x22) return -1;
      if (y === 0x22) return 1;
      return x - y;
    }
    if (x === 0x22) return 0;
  }
}

/** The indices of `keys` (positions, see compareKeys) in key order; throws UNEXPECTED on a repeated key. */
function sortedOrder(keys: number[]): number[] {
  const n = keys.length;
  let order: number[];
  if (n <= 32) {
    // Insertion sort: records' objects are small, and it runs without a comparator call per step.
    order = [0];
    for (let i = 1; i < n; i++) {
      const key = keys[i];
      let j = i - 1;
      while (j >= 0 && compareKeys(keys[order[j]], key) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = i;
    }
  } else {
    order = keys.map((_, i) => i).sort((x, y) => compareKeys(keys[x], keys[y]));
  }
  // Two members of one name: JSON.parse keeps the last; leave that to the slow path.
  for (let i = 1; i < n; i++) if (compareKeys(keys[order[i - 1]], keys[order[i]]) === 0) throw UNEXPECTED;
  return order;
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
 * `chainEvents` for records given as JSON text: the events to append, their data as the text
 * `JSON.stringify` makes of `{ event, prevHash, hash }` — the record's text spliced in, not
 * serialised again — and the hash the last one hands on.
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

/**
 * Chains `records` (each with its event id, time and account) after `prevHash`: the events to
 * append, in order. (The hash is of the canonical JSON, the same before storing and after
 * reading back: see `canonicalJson`.)
 */
export function chainEvents(prevHash: string, records: ReadonlyArray<{ id: string; time: string; account: string; record: unknown }>): NewEvent[] {
  let prev = prevHash;
  return records.map((r) => {
    const event = r.record as JsonObject;
    const hash = hashEvent(prev, { id: r.id, time: r.time, account: r.account, record: event });
    const data: ChainedEventData = { event, prevHash: prev, hash };
    prev = hash;
    return { id: r.id, time: r.time, account: r.account, data };
  });
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
