// Policy variables: `${key}` placeholders in Resource and in String/ARN condition values that
// are replaced by the request's value for that context key.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//
// AWS's rules, as implemented here:
// - Variables exist only in policies whose Version is 2012-10-17; with 2008-10-17 (or no
//   Version) `${aws:username}` is literal text.
// - `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`: a `*` written that way is
//   never a wildcard.
// - `${key, 'default'}`: the default is used when the key is not in the request ("separate the
//   variable text and the default value with a comma and space", single-quoted; we accept any
//   spaces, including none, around the comma and before the closing brace).
// - Key names are case-insensitive (the request context holds them lower-cased).
// - A multivalued context key cannot be a policy variable ("Single-valued vs. multivalued
//   context keys", reference_policies_condition-single-vs-multi-valued-context-keys.html): a
//   key whose request value is a list does not resolve, default or not.
// - A variable that does not resolve makes the value it is part of match nothing ("any attempt
//   to match it fails").
// - A resolved value is inserted as literal text: a `*` in a user name is not a wildcard.
import { buildGlobProgram, matchGlob, programMatcher, type GlobProgram, type PatternPiece } from './match/wildcard.js';
import type { RequestContext } from './types.js';

/** One piece of a value as written. */
export type TemplatePart =
  /** Policy text: where the value is a pattern, its `*` and `?` are wildcards. */
  | { readonly kind: 'text'; readonly text: string }
  /** `${*}`, `${?}`, `${$}`: always a literal character. */
  | { readonly kind: 'literal'; readonly text: string }
  /** `${key}` or `${key, 'default'}`; `key` is lower-cased, `name` as written. */
  | { readonly kind: 'variable'; readonly key: string; readonly name: string; readonly fallback: string | undefined };

/** A policy value, parsed once: a constant, or parts to resolve against each request. */
export type Template =
  | { readonly kind: 'constant'; readonly text: string }
  | { readonly kind: 'template'; readonly text: string; readonly parts: readonly TemplatePart[] };

const SPECIALS: Readonly<Record<string, string>> = { '${*}': '*', '${?}': '?', '${$}': '$' };

function isKeyChar(c: number): boolean {
  // Anything but the characters that delimit the variable syntax itself: $ { } , '
  return c !== 36 && c !== 123 && c !== 125 && c !== 44 && c !== 39;
}

/** Reads `${…}` at `start` (which holds `$`); returns the part and the index after it, or undefined. */
function readVariable(text: string, start: number): { part: TemplatePart; end: number } | undefined {
  const special = SPECIALS[text.slice(start, start + 4)];
  if (special !== undefined) return { part: { kind: 'literal', text: special }, end: start + 4 };
  let i = start + 2;
  while (i < text.length && isKeyChar(text.charCodeAt(i))) i++;
  const name = text.slice(start + 2, i).trim();
  if (name === '' || i >= text.length) return undefined;
  let fallback: string | undefined;
  if (text.charCodeAt(i) === 44 /* , */) {
    i++;
    while (text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) !== 39 /* ' */) return undefined;
    const close = text.indexOf("'", i + 1);
    if (close === -1) return undefined;
    fallback = text.slice(i + 1, close);
    i = close + 1;
    while (text.charCodeAt(i) === 32) i++;
  }
  if (text.charCodeAt(i) !== 125 /* } */) return undefined;
  return { part: { kind: 'variable', key: name.toLowerCase(), name, fallback }, end: i + 1 };
}

/**
 * Splits a value as written into text, literal and variable parts. Without `allowVariables`
 * (Version 2008-10-17) the whole value is one text part. Malformed `${` is kept as text.
 */
export function parseTemplateParts(text: string, allowVariables: boolean): TemplatePart[] {
  if (!allowVariables || text.indexOf('${') === -1) return [{ kind: 'text', text }];
  const parts: TemplatePart[] = [];
  let run = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at === -1) {
      run += text.slice(i);
      break;
    }
    run += text.slice(i, at);
    const v = readVariable(text, at);
    if (v === undefined) {
      run += '$';
      i = at + 1;
      continue;
    }
    if (run !== '') parts.push({ kind: 'text', text: run });
    run = '';
    parts.push(v.part);
    i = v.end;
  }
  if (run !== '' || parts.length === 0) parts.push({ kind: 'text', text: run });
  return parts;
}

/** True when some part is a variable (a value that must be resolved per request). */
export function hasVariables(parts: readonly TemplatePart[]): boolean {
  return parts.some((p) => p.kind === 'variable');
}

/** Parses a value: a constant (with `${*}`-style specials already replaced) or a template. */
export function parseTemplate(text: string, allowVariables: boolean): Template {
  const parts = parseTemplateParts(text, allowVariables);
  if (!hasVariables(parts)) return { kind: 'constant', text: parts.map((p) => (p as { text: string }).text).join('') };
  return { kind: 'template', text, parts };
}

/** The request's value of a variable, its default, or undefined (missing without default, or multivalued). */
export function resolveVariable(
  part: { readonly key: string; readonly fallback: string | undefined },
  ctx: RequestContext,
): string | undefined {
  const v = ctx[part.key];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return undefined;
  return part.fallback;
}

/** Resolves a template against a request; undefined when a variable does not resolve. */
export function resolveTemplate(template: Template, ctx: RequestContext): string | undefined {
  if (template.kind === 'constant') return template.text;
  let out = '';
  for (const p of template.parts) {
    if (p.kind === 'variable') {
      const v = resolveVariable(p, ctx);
      if (v === undefined) return undefined;
      out += v;
    } else {
      out += p.text;
    }
  }
  return out;
}

/**
 * Resolves parts to pattern pieces: policy text stays wild, specials and resolved values are
 * literal. Undefined when a variable does not resolve.
 */
export function resolvePieces(
  parts: readonly TemplatePart[],
  ctx: RequestContext,
  lowerCase: boolean,
): PatternPiece[] | undefined {
  const pieces: PatternPiece[] = [];
  for (const p of parts) {
    let text: string;
    let wild = false;
    if (p.kind === 'variable') {
      const v = resolveVariable(p, ctx);
      if (v === undefined) return undefined;
      text = v;
    } else {
      text = p.text;
      wild = p.kind === 'text';
    }
    pieces.push({ text: lowerCase ? text.toLowerCase() : text, wild });
  }
  return pieces;
}

/** Turns constant parts into pattern pieces. */
export function constantPieces(parts: readonly TemplatePart[], lowerCase: boolean): PatternPiece[] {
  return parts.map((p) => {
    const text = (p as { text: string }).text;
    return { text: lowerCase ? text.toLowerCase() : text, wild: p.kind === 'text' };
  });
}

export interface TemplatePatternOptions {
  ignoreCase: boolean;
  /** True for Version 2012-10-17. */
  allowVariables: boolean;
}

/** A wildcard pattern that may hold policy variables (StringLike values and the like). */
export interface TemplatePattern {
  readonly hasVariables: boolean;
  /** Whole-string match of `s`; `ctx` resolves the variables. */
  test(s: string, ctx: RequestContext): boolean;
}

/**
 * Compiles a wildcard pattern with policy variables: `*`/`?` written in the policy are
 * wildcards; `${*}`, `${?}`, `${$}` and resolved variable values are literal text.
 */
export function compileTemplatePattern(text: string, opts: TemplatePatternOptions): TemplatePattern {
  const parts = parseTemplateParts(text, opts.allowVariables);
  const ignoreCase = opts.ignoreCase;
  if (!hasVariables(parts)) {
    const match = programMatcher(buildGlobProgram(constantPieces(parts, ignoreCase)));
    return {
      hasVariables: false,
      test: ignoreCase ? (s) => match(s.toLowerCase()) : (s) => match(s),
    };
  }
  // Programs for resolved values are cached by the values (a user's name is the same request
  // after request), so the common case builds no glob program per test.
  const cache = new Map<string, GlobProgram>();
  return {
    hasVariables: true,
    test(s, ctx) {
      const pieces = resolvePieces(parts, ctx, ignoreCase);
      if (pieces === undefined) return false;
      let key = '';
      for (const p of pieces) key += (p.wild ? '\u0001' : '\u0002') + p.text;
      let prog = cache.get(key);
      if (prog === undefined) {
        prog = buildGlobProgram(pieces);
        if (cache.size >= 256) cache.clear();
        cache.set(key, prog);
      }
      return matchGlob(prog, ignoreCase ? s.toLowerCase() : s);
    },
  };
}
