// Positions in JSON text: a small scanner that keeps the offsets of every value, for the
// simulator's statement positions (simulation.ts) and for pointing at a JSON path in
// `warden validate` (src/cli/validate.ts).

export interface JsonNode {
  /** Offset of the value's first character. */
  start: number;
  /** Offset of the value's last character. */
  end: number;
  kind: 'object' | 'array' | 'scalar';
  /** Object members (the last of duplicate keys wins, as JSON.parse does). */
  members?: Map<string, JsonNode>;
  items?: JsonNode[];
}

class ScanError extends Error {}

/** Scans JSON text into value spans; undefined when the text is not JSON. */
export function scanJson(text: string): JsonNode | undefined {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const fail = (): never => { throw new ScanError(); };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, JsonNode>();
      ws();
      if (text[i] === '}') { i++; return { start, end: i - 1, kind: 'object', members }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = readString();
        ws();
        if (text[i] !== ':') fail();
        i++;
        members.set(key, value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { start, end: i - 1, kind: 'object', members }; }
        fail();
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') { i++; return { start, end: i - 1, kind: 'array', items }; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return { start, end: i - 1, kind: 'array', items }; }
        fail();
      }
    }
    if (c === '"') { readString(); return { start, end: i - 1, kind: 'scalar' }; }
    while (i < text.length && !',]} \t\n\r'.includes(text[i])) i++;
    if (i === start) fail();
    return { start, end: i - 1, kind: 'scalar' };
  };
  try {
    const root = value();
    ws();
    return i === text.length ? root : undefined;
  } catch (e) {
    if (e instanceof ScanError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** The node at a JSON path (keys and array indexes), or the deepest node on the way. */
export function nodeAt(root: JsonNode, path: readonly (string | number)[]): JsonNode {
  let n = root;
  for (const p of path) {
    const next = typeof p === 'number' ? n.items?.[p] : n.members?.get(p);
    if (!next) break;
    n = next;
  }
  return n;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { Line: number; Column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  return { Line: line, Column: offset - lineStart + 1 };
}

/** Each statement's span (offsets of its `{` and `}`), indexed as the parser numbers statements. */
export function statementSpans(text: string): { start: number; end: number }[] {
  const root = scanJson(text);
  const st = root?.members?.get('Statement');
  if (!st) return [];
  if (st.kind === 'object') return [{ start: st.start, end: st.end }];
  return (st.items ?? []).map((n) => ({ start: n.start, end: n.end }));
}
