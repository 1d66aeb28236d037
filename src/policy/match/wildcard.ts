// AWS's glob: `*` matches any run of characters (including none), `?` exactly one character
// (one UTF-16 code unit). Used by Action/NotAction, Resource/NotResource (per ARN segment),
// StringLike/StringNotLike and ArnLike/ArnNotLike.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
//
// A pattern compiles to a program: the literal chunks between its stars. Matching anchors the
// first chunk at the start and the last at the end, and finds each middle chunk at its leftmost
// position after the previous one — leftmost is always safe for `*`-separated chunks, so no
// backtracking is ever needed (no regex, no exponential blow-up; literal chunks use indexOf).

export interface WildcardOptions {
  /** Compare case-insensitively (the pattern and the input are lower-cased). */
  ignoreCase: boolean;
}

/**
 * One piece of a pattern: `wild` text treats `*` and `?` as wildcards, other text (a resolved
 * policy variable, `${*}`) is literal.
 */
export interface PatternPiece {
  text: string;
  wild: boolean;
}

/** A run of characters between two stars; `any[i] === 1` marks a `?` at position i. */
export interface Chunk {
  readonly text: string;
  readonly any: Uint8Array | undefined;
}

/**
 * A compiled glob. Without a star, `chunks` holds exactly one chunk that must span the input.
 * With stars, `chunks` is [head, ...middle, tail] (head and tail possibly empty).
 */
export interface GlobProgram {
  readonly starred: boolean;
  readonly chunks: readonly Chunk[];
  /** The sum of the chunks' lengths: the shortest input that can match. */
  readonly minLength: number;
}

const QUESTION = 63; // '?'
const STAR = 42; // '*'

/** True when the text holds a `*` or `?`. */
export function hasWildcard(text: string): boolean {
  return text.indexOf('*') !== -1 || text.indexOf('?') !== -1;
}

function makeChunk(codes: string[], any: number[] | undefined): Chunk {
  const text = codes.join('');
  if (any === undefined) return { text, any: undefined };
  const mask = new Uint8Array(text.length);
  for (const i of any) mask[i] = 1;
  return { text, any: mask };
}

/** Builds the program of a pattern made of wild and literal pieces. */
export function buildGlobProgram(pieces: readonly PatternPiece[]): GlobProgram {
  const chunks: Chunk[] = [];
  let codes: string[] = [];
  let any: number[] | undefined;
  let length = 0;
  let starred = false;
  let minLength = 0;
  for (const piece of pieces) {
    const t = piece.text;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (piece.wild && c === STAR) {
        starred = true;
        chunks.push(makeChunk(codes, any));
        minLength += length;
        codes = [];
        any = undefined;
        length = 0;
        continue;
      }
      if (piece.wild && c === QUESTION) {
        (any ??= []).push(length);
      }
      codes.push(t[i]);
      length++;
    }
  }
  chunks.push(makeChunk(codes, any));
  minLength += length;
  if (starred) {
    // Consecutive stars leave empty middle chunks; they match anywhere, drop them.
    const head = chunks[0];
    const tail = chunks[chunks.length - 1];
    const middle = chunks.slice(1, -1).filter((c) => c.text.length > 0);
    return { starred, chunks: [head, ...middle, tail], minLength };
  }
  return { starred, chunks, minLength };
}

/** Parses a pattern in which every `*` and `?` is a wildcard. */
export function parseGlob(pattern: string): GlobProgram {
  return buildGlobProgram([{ text: pattern, wild: true }]);
}

function chunkAt(chunk: Chunk, s: string, pos: number): boolean {
  const t = chunk.text;
  const any = chunk.any;
  if (any === undefined) return s.startsWith(t, pos);
  for (let i = 0; i < t.length; i++) {
    if (any[i] === 0 && s.charCodeAt(pos + i) !== t.charCodeAt(i)) return false;
  }
  return true;
}

/** The leftmost position in [from, end) where the chunk fits entirely before `end`, or -1. */
function findChunk(chunk: Chunk, s: string, from: number, end: number): number {
  const n = chunk.text.length;
  if (chunk.any === undefined) {
    const idx = s.indexOf(chunk.text, from);
    return idx !== -1 && idx + n <= end ? idx : -1;
  }
  for (let p = from; p + n <= end; p++) if (chunkAt(chunk, s, p)) return p;
  return -1;
}

/** Matches `s[from, to)` against a program (case-sensitive). */
export function matchGlobRange(prog: GlobProgram, s: string, from: number, to: number): boolean {
  const len = to - from;
  const chunks = prog.chunks;
  if (!prog.starred) {
    const only = chunks[0];
    return len === only.text.length && chunkAt(only, s, from);
  }
  if (len < prog.minLength) return false;
  const head = chunks[0];
  const tail = chunks[chunks.length - 1];
  if (!chunkAt(head, s, from)) return false;
  const end = to - tail.text.length;
  if (!chunkAt(tail, s, end)) return false;
  let pos = from + head.text.length;
  for (let i = 1; i < chunks.length - 1; i++) {
    const idx = findChunk(chunks[i], s, pos, end);
    if (idx === -1) return false;
    pos = idx + chunks[i].text.length;
  }
  return true;
}

/** Matches the whole of `s` against a program (case-sensitive). */
export function matchGlob(prog: GlobProgram, s: string): boolean {
  return matchGlobRange(prog, s, 0, s.length);
}

/** True when every character of `s` is ASCII. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * Case-insensitive equality without allocating for ASCII input; `lower` is already lower-cased.
 * Non-ASCII input falls back to `toLowerCase` (one allocation).
 */
export function equalsIgnoreCase(s: string, lower: string): boolean {
  if (!isAscii(s)) return s.toLowerCase() === lower;
  if (s.length !== lower.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A case-sensitive matcher for a program, specialised for the common shapes: exact text, `*`,
 * `prefix*`, `*suffix`, `*infix*`; the general chunk matcher otherwise.
 */
export function programMatcher(prog: GlobProgram): (s: string) => boolean {
  const chunks = prog.chunks;
  const plain = chunks.every((c) => c.any === undefined);
  if (plain && !prog.starred) {
    const text = chunks[0].text;
    return (s) => s === text;
  }
  if (plain && chunks.length === 2) {
    const head = chunks[0].text;
    const tail = chunks[1].text;
    if (head === '' && tail === '') return () => true;
    if (tail === '') return (s) => s.startsWith(head);
    if (head === '') return (s) => s.endsWith(tail);
    const min = head.length + tail.length;
    return (s) => s.length >= min && s.startsWith(head) && s.endsWith(tail);
  }
  if (plain && chunks.length === 3 && chunks[0].text === '' && chunks[2].text === '') {
    const infix = chunks[1].text;
    return (s) => s.includes(infix);
  }
  return (s) => matchGlob(prog, s);
}

/**
 * Compiles an AWS wildcard pattern (`*`, `?`) into a predicate over whole strings.
 * With `ignoreCase` the pattern and the input are compared lower-cased.
 */
export function compileWildcard(pattern: string, opts: WildcardOptions): (s: string) => boolean {
  if (!opts.ignoreCase) return programMatcher(parseGlob(pattern));
  const lower = pattern.toLowerCase();
  if (!hasWildcard(lower)) return (s) => equalsIgnoreCase(s, lower);
  const inner = programMatcher(parseGlob(lower));
  return (s) => inner(s.toLowerCase());
}
