// String languages for the reasoner: AWS globs (`*`, `?`), literal strings and ARN patterns
// compiled to small NFAs over characters, and an exact emptiness test — with a shortest
// witness — for a conjunction of such languages and their complements.
//
// An NFA here is linear, one per pattern: a sequence of elements (a literal character, one
// character of a class, or a star over a class); a union of patterns concatenates their state
// spaces. Classes are "any character" and "any character but `:`" (ARN segments). A
// conjunction of literals (language or complement) is decided by a breadth-first walk of the
// product of the subset constructions, over the characters the patterns name plus one symbol
// standing for every other character: two characters the patterns never name behave the same
// in every NFA, so this alphabet is exact. The walk is finite (the product of subsets is).
import { splitPatternSegments } from '../policy/evaluate/resource.js';

/** One element of a linear pattern NFA. */
type Element =
  | { t: 'lit'; c: string }
  | { t: 'one'; noColon: boolean }
  | { t: 'star'; noColon: boolean };

/** A union of linear patterns: state i of pattern p is `offsets[p] + i`. */
export interface Nfa {
  readonly id: number;
  readonly els: readonly (Element | undefined)[];
  /** Accepting states (the end of each pattern). */
  readonly accept: ReadonlySet<number>;
  /** Start set (closed under star-skips). */
  readonly start: readonly number[];
  /** Characters named by literal elements. */
  readonly chars: ReadonlySet<string>;
  /** True when some pattern's class excludes `:` (then `:` must be in the alphabet). */
  readonly colon: boolean;
  /** The patterns, for messages and SMT encodings. */
  readonly source: readonly Element[][];
}

let nextId = 1;

/** A pattern piece: `*`/`?` are wildcards in wild text (`seg` marks an ARN segment: no colons). */
export interface Piece { text: string; wild: boolean; noColon?: boolean }

export function elementsOf(pieces: readonly Piece[]): Element[] {
  const out: Element[] = [];
  for (const p of pieces) {
    for (const ch of p.text) {
      // Iterate by UTF-16 units, as the engine's glob does.
      for (let k = 0; k < ch.length; k++) {
        const c = ch[k];
        if (p.wild && c === '*') {
          const prev = out[out.length - 1];
          if (prev?.t === 'star' && prev.noColon === !!p.noColon) continue;
          out.push({ t: 'star', noColon: !!p.noColon });
        } else if (p.wild && c === '?') out.push({ t: 'one', noColon: !!p.noColon });
        else out.push({ t: 'lit', c });
      }
    }
  }
  return out;
}

export function makeNfa(patterns: readonly Element[][]): Nfa {
  const els: (Element | undefined)[] = [];
  const accept = new Set<number>();
  const starts: number[] = [];
  const chars = new Set<string>();
  let colon = false;
  for (const pat of patterns) {
    const base = els.length;
    starts.push(base);
    for (const e of pat) {
      els.push(e);
      if (e.t === 'lit') chars.add(e.c);
      else if (e.noColon) colon = true;
    }
    els.push(undefined); // end marker
    accept.add(base + pat.length);
  }
  const nfa = { id: nextId++, els, accept, start: [] as number[], chars, colon, source: patterns };
  nfa.start = closure(nfa, starts);
  return nfa;
}

function closure(nfa: { els: readonly (Element | undefined)[] }, states: readonly number[]): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    const e = nfa.els[s];
    if (e?.t === 'star') stack.push(s + 1);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Per-NFA scratch: each state's closure, and a stamp array for deduplication. */
interface Scratch { clos: number[][]; mark: Int32Array; stamp: number }
const scratch = new WeakMap<Nfa, Scratch>();

function scratchOf(nfa: Nfa): Scratch {
  let sc = scratch.get(nfa);
  if (!sc) {
    sc = { clos: nfa.els.map((_, i) => closure(nfa, [i])), mark: new Int32Array(nfa.els.length + 1), stamp: 0 };
    scratch.set(nfa, sc);
  }
  return sc;
}

/** `c` undefined stands for a character no pattern names (never `:`). */
function step(nfa: Nfa, states: readonly number[], c: string | undefined): number[] {
  const sc = scratchOf(nfa);
  const stamp = ++sc.stamp;
  const mark = sc.mark;
  const next: number[] = [];
  const clos = sc.clos;
  for (let k = 0; k < states.length; k++) {
    const s = states[k];
    const e = nfa.els[s];
    if (e === undefined) continue;
    let t: number;
    if (e.t === 'lit') { if (c !== e.c) continue; t = s + 1; }
    else if (e.noColon && c === ':') continue;
    else t = e.t === 'one' ? s + 1 : s;
    const cl = clos[t];
    for (let j = 0; j < cl.length; j++) { const u = cl[j]; if (mark[u] !== stamp) { mark[u] = stamp; next.push(u); } }
  }
  if (next.length > 1) next.sort((a, b) => a - b);
  return next;
}

function accepts(nfa: Nfa, states: readonly number[]): boolean {
  for (const s of states) if (nfa.accept.has(s)) return true;
  return false;
}

/** One literal of a string conjunction: the NFA's language or its complement. */
export interface StringLit { nfa: Nfa; pos: boolean }

/** Characters tried, in order, for the "any other character" symbol of a witness. */
const FILLERS = 'xqzjkvwybfghmpdlcuoetnrsai0123456789-_';

function filler(used: ReadonlySet<string>): string {
  for (const c of FILLERS) if (!used.has(c)) return c;
  for (let code = 0xe0; ; code++) {
    const c = String.fromCharCode(code);
    if (!used.has(c) && c.toLowerCase() === c && c !== ':') return c;
  }
}

export class StateLimitError extends Error {}

const MAX_STATES = 200_000;

/**
 * A shortest string in the intersection of the literals' languages (complements for `pos:
 * false`), or undefined when the intersection is empty.
 */
export function findString(lits: readonly StringLit[]): string | undefined {
  const pos = lits.filter((l) => l.pos);
  const neg = lits.filter((l) => !l.pos);
  const chars = new Set<string>();
  let colon = false;
  for (const l of lits) {
    for (const c of l.nfa.chars) chars.add(c);
    colon ||= l.nfa.colon;
  }
  if (colon) chars.add(':');
  const symbols: (string | undefined)[] = [...chars, undefined];
  const other = filler(chars);
  const all = [...pos, ...neg];
  const startStates = all.map((l) => l.nfa.start);
  const ok = (states: readonly (readonly number[])[]) => {
    for (let i = 0; i < all.length; i++) if (accepts(all[i].nfa, states[i]) !== all[i].pos) return false;
    return true;
  };
  if (ok(startStates)) return '';
  const keyOf = (states: readonly (readonly number[])[]) => states.map((s) => s.join(',')).join('|');
  const seen = new Map<string, { prev: string | undefined; c: string }>();
  const startKey = keyOf(startStates);
  seen.set(startKey, { prev: undefined, c: '' });
  let frontier: { key: string; states: number[][] }[] = [{ key: startKey, states: startStates as number[][] }];
  while (frontier.length > 0) {
    const nextFrontier: { key: string; states: number[][] }[] = [];
    for (const node of frontier) {
      for (const sym of symbols) {
        const states: number[][] = [];
        let dead = false;
        for (let i = 0; i < all.length; i++) {
          const s = step(all[i].nfa, node.states[i], sym);
          if (all[i].pos && s.length === 0) { dead = true; break; }
          states.push(s);
        }
        if (dead) continue;
        const key = keyOf(states);
        if (seen.has(key)) continue;
        seen.set(key, { prev: node.key, c: sym ?? other });
        if (seen.size > MAX_STATES) throw new StateLimitError('string automaton too large');
        if (ok(states)) {
          let out = '';
          let k: string | undefined = key;
          while (k !== undefined) {
            const e: { prev: string | undefined; c: string } = seen.get(k)!;
            out = e.c + out;
            k = e.prev;
          }
          return out;
        }
        nextFrontier.push({ key, states });
      }
    }
    frontier = nextFrontier;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Pattern compilers mirroring the engine's matchers.

/** A glob (StringLike, Action): `*` and `?` over any character. */
export function globElements(pattern: string): Element[] {
  return elementsOf([{ text: pattern, wild: true }]);
}

/** A literal string (StringEquals). */
export function literalElements(text: string): Element[] {
  return elementsOf([{ text, wild: false }]);
}

/** Segment-wise elements: segments before the last never cross a colon. */
function segmentElements(segs: readonly string[], lastNoColon: boolean): Element[] {
  const pieces: Piece[] = [];
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    pieces.push({ text: seg, wild: true, noColon: last ? lastNoColon : true });
    if (!last) pieces.push({ text: ':', wild: false });
  });
  return elementsOf(pieces);
}

/**
 * A Resource pattern's language over ARNs (strings starting `arn:` with at least five colons),
 * per evaluate/resource.ts: exact text without wildcards; else segment-wise, the last pattern
 * segment taking the rest; fewer than six segments match only when the last ends in `*`.
 * Undefined: matches no ARN.
 */
export function resourceElements(pattern: string): Element[] | undefined {
  if (pattern === '*') return [{ t: 'star', noColon: false }];
  if (!pattern.includes('*') && !pattern.includes('?')) return literalElements(pattern);
  const segs = splitPatternSegments(pattern);
  if (segs.length < 6 && !segs[segs.length - 1].endsWith('*')) return undefined;
  return segmentElements(segs, false);
}

/** An ArnLike/ArnEquals pattern's language over all strings, per match/arn.ts. */
export function arnConditionElements(pattern: string): Element[] {
  const segs = splitPatternSegments(pattern);
  const lastExpands = segs.length === 6 || segs[segs.length - 1].endsWith('*');
  return segmentElements(segs, !lastExpands);
}

/** The ARN domain of resources: `arn:` then four colon-free segments, then anything. */
export const ARN_DOMAIN: Element[] = elementsOf([
  { text: 'arn:', wild: false },
  { text: '*', wild: true, noColon: true }, { text: ':', wild: false },
  { text: '*', wild: true, noColon: true }, { text: ':', wild: false },
  { text: '*', wild: true, noColon: true }, { text: ':', wild: false },
  { text: '*', wild: true, noColon: true }, { text: ':', wild: false },
  { text: '*', wild: true },
]);

export type { Element };

// ---------------------------------------------------------------------------
// A fast, sound disjointness test: two patterns whose literal heads (or tails) disagree share
// no string. Used before the product walk; "false" means "not known to be disjoint".

interface Ends { head: string; tail: string }
const endsCache = new WeakMap<Nfa, Ends[]>();

function endsOf(nfa: Nfa): Ends[] {
  let e = endsCache.get(nfa);
  if (e) return e;
  e = nfa.source.map((pat) => {
    let head = '';
    for (const el of pat) { if (el.t !== 'lit') break; head += el.c; }
    let tail = '';
    for (let i = pat.length - 1; i >= 0; i--) { const el = pat[i]; if (el.t !== 'lit') break; tail = el.c + tail; }
    return { head, tail };
  });
  endsCache.set(nfa, e);
  return e;
}

function compatible(a: Ends, b: Ends): boolean {
  const h = a.head.length <= b.head.length ? b.head.startsWith(a.head) : a.head.startsWith(b.head);
  if (!h) return false;
  return a.tail.length <= b.tail.length ? b.tail.endsWith(a.tail) : a.tail.endsWith(b.tail);
}

/** True when two of the positive literals certainly share no string. */
export function quickDisjoint(lits: readonly StringLit[]): boolean {
  const pos = lits.filter((l) => l.pos);
  for (let i = 0; i < pos.length; i++) {
    const x = endsOf(pos[i].nfa);
    for (let j = i + 1; j < pos.length; j++) {
      const y = endsOf(pos[j].nfa);
      if (!x.some((a) => y.some((b) => compatible(a, b)))) return true;
    }
  }
  return false;
}
