// Canonical JSON: the one text of a JSON value that the audit chain hashes (chain.ts) — keys in
// UTF-16 code unit order, no whitespace, values spelled as JSON.stringify spells them — made from
// a value, or from JSON.stringify's text of it without parsing it (the writer thread's path).

/**
 * JSON with object keys sorted (UTF-16 code unit order), no whitespace: the same text for the
 * same JSON value. Values become JSON as `JSON.stringify` makes them (toJSON, undefined members
 * dropped, undefined in arrays as null), so `canonicalJson(x)` equals
 * `canonicalJson(JSON.parse(JSON.stringify(x)))`: the hash of a record before it is stored is
 * the hash of what is read back.
 *
 * INVARIANT: the text is byte for byte what the first implementation made (every stored chain
 * was hashed with it); canonical.test.ts checks this one against that one on random values.
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
  for (let i = 0; i < keys.length; i++) out = canonicalMember(out, keys[i], obj[keys[i]]);
  return out + '}';
}

/** Longest string checked character by character; longer ones go to JSON.stringify's native scan. */
const SHORT_STRING = 64;

/** A string as a JSON string literal, identical to JSON.stringify's. */
export function quote(s: string): string {
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

/** `out` (an object's text so far, from its `{`) with the member `name` added, unless its value is undefined. */
export function canonicalMember(out: string, name: string, value: unknown): string {
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
