// A JSON scanner that keeps where every value (and every object key) sits in the submitted text,
// so that ValidatePolicy findings can name a path and its character span. It keeps duplicate keys
// (JSON.parse would drop them) and reports the offset of the first syntax error.
//
// Positions follow Access Analyzer's `Position`: line from 1, column from 0, offset from 0, all in
// UTF-16 code units of the submitted text.

export interface Position { line: number; column: number; offset: number }
export interface Span { start: Position; end: Position }
export type PathElement = { value: string } | { index: number };

interface NodeBase { start: number; end: number }
export interface ObjectEntry { key: string; keyStart: number; keyEnd: number; value: JsonNode }
export type JsonNode =
  | (NodeBase & { kind: 'object'; entries: ObjectEntry[] })
  | (NodeBase & { kind: 'array'; items: JsonNode[] })
  | (NodeBase & { kind: 'string'; value: string })
  | (NodeBase & { kind: 'number'; value: number; raw: string })
  | (NodeBase & { kind: 'boolean'; value: boolean })
  | (NodeBase & { kind: 'null' });

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) { super(message); }
}

const MAX_DEPTH = 512;

/** Parses JSON text into a located tree; throws JsonSyntaxError with the offset of the fault. */
export function scanJson(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const fail = (what: string): never => { throw new JsonSyntaxError(what, Math.min(i, text.length)); };
  const str = (): string => {
    if (text[i] !== '"') fail('expected a string');
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) { out += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        i++;
        fail('invalid escape');
      }
      if (c.charCodeAt(0) < 0x20) fail('control character in string');
      out += c;
      i++;
    }
  };
  const value = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: ObjectEntry[] = [];
      ws();
      if (text[i] === '}') { i++; return { kind: 'object', entries, start, end: i }; }
      for (;;) {
        ws();
        const keyStart = i;
        const key = str();
        const keyEnd = i;
        ws();
        if (text[i] !== ':') fail('expected :');
        i++;
        const v = value(depth + 1);
        entries.push({ key, keyStart, keyEnd, value: v });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { kind: 'object', entries, start, end: i }; }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') { i++; return { kind: 'array', items, start, end: i }; }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return { kind: 'array', items, start, end: i }; }
        fail('expected , or ]');
      }
    }
    if (c === '"') { const v = str(); return { kind: 'string', value: v, start, end: i }; }
    if (text.startsWith('true', i)) { i += 4; return { kind: 'boolean', value: true, start, end: i }; }
    if (text.startsWith('false', i)) { i += 5; return { kind: 'boolean', value: false, start, end: i }; }
    if (text.startsWith('null', i)) { i += 4; return { kind: 'null', start, end: i }; }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) { i += m[0].length; return { kind: 'number', value: Number(m[0]), raw: m[0], start, end: i }; }
    return fail('unexpected character');
  };
  const root = value(0);
  ws();
  if (i < text.length) fail('unexpected text after the document');
  return root;
}

/** Line (from 1), column (from 0) and offset (from 0) of an offset in `text`. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 0x0a) this.starts.push(k + 1);
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo], offset: o };
  }
  span(start: number, end: number): Span { return { start: this.position(start), end: this.position(end) }; }
}

/** The node at a path (object keys matched exactly, first occurrence), or undefined. */
export function nodeAt(root: JsonNode, path: readonly PathElement[]): JsonNode | undefined {
  let n: JsonNode | undefined = root;
  for (const p of path) {
    if (!n) return undefined;
    if ('index' in p) n = n.kind === 'array' ? n.items[p.index] : undefined;
    else n = n.kind === 'object' ? n.entries.find((e) => e.key === p.value)?.value : undefined;
  }
  return n;
}

/** Entry of an object by key, case-sensitive first then case-insensitive. */
export function entry(n: JsonNode | undefined, key: string): ObjectEntry | undefined {
  if (!n || n.kind !== 'object') return undefined;
  return n.entries.find((e) => e.key === key);
}
