// A prefix index over the Resource patterns of many statements that share an action. A
// pattern can only match a resource that starts with the pattern's literal prefix (the text
// before its first `*`, `?` or `${`), so walking the request's resource down a trie of those
// prefixes yields the only statements worth testing. Statements with NotResource (or no
// Resource, as in trust policies) are always candidates.
import type { CompiledStatement } from './compile.js';

interface TrieNode {
  next: Map<number, TrieNode> | undefined;
  here: number[] | undefined;
}

/** Lists at least this long get an index; shorter ones are scanned. */
export const INDEX_THRESHOLD = 16;

function literalPrefix(pattern: string, allowVariables: boolean): string {
  let end = pattern.length;
  const star = pattern.indexOf('*');
  if (star >= 0) end = Math.min(end, star);
  const q = pattern.indexOf('?');
  if (q >= 0) end = Math.min(end, q);
  if (allowVariables) {
    const v = pattern.indexOf('${');
    if (v >= 0) end = Math.min(end, v);
  }
  return pattern.slice(0, end);
}

export class ResourceIndex {
  private readonly root: TrieNode = { next: undefined, here: undefined };
  private readonly always: number[] = [];

  /** `allowVariables(st)`: whether the statement's policy resolves `${…}` (Version 2012-10-17). */
  constructor(private readonly list: readonly CompiledStatement[], allowVariables: (st: CompiledStatement) => boolean) {
    list.forEach((st, ord) => {
      const patterns = st.source.resource;
      if (st.resources === undefined || st.notResource || patterns === undefined) { this.always.push(ord); return; }
      const vars = allowVariables(st);
      for (const p of patterns) this.insert(literalPrefix(p, vars), ord);
    });
  }

  private insert(prefix: string, ord: number): void {
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      node.next ??= new Map();
      let n = node.next.get(c);
      if (!n) { n = { next: undefined, here: undefined }; node.next.set(c, n); }
      node = n;
    }
    (node.here ??= []).push(ord);
  }

  /** The statements that could match `resource`, in list order. */
  candidates(resource: string): CompiledStatement[] {
    const ords: number[] = this.always.slice();
    let node: TrieNode | undefined = this.root;
    for (let i = 0; node !== undefined; i++) {
      if (node.here) for (const o of node.here) ords.push(o);
      if (i >= resource.length || node.next === undefined) break;
      node = node.next.get(resource.charCodeAt(i));
    }
    ords.sort((a, b) => a - b);
    const out: CompiledStatement[] = [];
    let last = -1;
    for (const o of ords) if (o !== last) { out.push(this.list[o]); last = o; }
    return out;
  }
}
