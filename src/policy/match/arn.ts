// ARN splitting and ARN pattern matching, for Resource/NotResource and the ARN condition
// operators (ArnEquals, ArnLike and their negations).
//
// AWS's rules:
// - An ARN is `arn:partition:service:region:account-id:resource`; the resource segment may
//   itself hold colons and slashes ("Identify AWS resources with Amazon Resource Names",
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
// - "You can use wildcard characters (* and ?) within the individual segments of an ARN (the
//   parts separated by colons) … If the * wildcard is the last character of a resource ARN
//   segment, it can expand to match beyond the colon boundaries", and `*` inside the resource
//   segment spans slashes ("IAM JSON policy elements: Resource",
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
// - ArnEquals and ArnLike behave identically: "Case-sensitive matching of the ARN. Each of the
//   six colon-delimited components of the ARN is checked separately and each can include
//   multi-character match wildcards (*) or single-character match wildcards (?)"; the example
//   there shows that `arn:aws:someservice:*:111122223333:finance/*` does NOT match
//   `arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt`
//   with ArnLike although it does with StringLike ("IAM JSON policy elements: Condition
//   operators", reference_policies_elements_condition_operators.html#Conditions_ARN).
//
// So: the pattern is split at its first five colons. Each of the first five segments matches
// the corresponding segment of the value and never crosses a colon; the sixth (resource)
// segment matches the whole rest of the value, colons included. A pattern with fewer than six
// segments whose last segment ends in `*` lets that segment match the rest of the value
// (crossing colons) — so `*` alone matches anything, and `arn:aws:s3:*` any S3 ARN; one that does
// not end in `*` needs the value to have exactly as many segments.
//
// Policy variables are resolved per request and inserted literally (see ../variables.ts); AWS
// documents them only in the resource segment, we resolve them wherever they appear.
import type { RequestContext } from '../types.js';
import { hasVariables, parseTemplateParts, resolvePieces, constantPieces, type TemplatePart } from '../variables.js';
import { buildGlobProgram, matchGlobRange, type GlobProgram } from './wildcard.js';

/** `[ 'arn', partition, service, region, account, resource ]`. */
export type ArnSegments = readonly [string, string, string, string, string, string];

/**
 * Splits an ARN into its six segments; the resource segment keeps its colons and slashes.
 * Undefined when the text does not start with `arn:` or has fewer than six segments.
 */
export function splitArn(arn: string): ArnSegments | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const out: string[] = ['arn'];
  let start = 4;
  for (let i = 0; i < 4; i++) {
    const colon = arn.indexOf(':', start);
    if (colon === -1) return undefined;
    out.push(arn.slice(start, colon));
    start = colon + 1;
  }
  out.push(arn.slice(start));
  return out as unknown as ArnSegments;
}

export interface ArnPatternOptions {
  /** True for Version 2012-10-17: `${…}` are policy variables. Default false. */
  allowVariables?: boolean;
}

/** A compiled ARN pattern. */
export interface ArnPattern {
  readonly hasVariables: boolean;
  /** Matches a value (an ARN, or any text); `ctx` resolves policy variables. */
  test(value: string, ctx: RequestContext): boolean;
}

type Segment =
  | { readonly kind: 'static'; readonly prog: GlobProgram }
  | { readonly kind: 'dynamic'; readonly parts: readonly TemplatePart[] };

/** Splits parts at the first `limit` colons of their policy text (never inside a variable). */
function splitSegments(parts: readonly TemplatePart[], limit: number): TemplatePart[][] {
  const segments: TemplatePart[][] = [[]];
  for (const p of parts) {
    if (p.kind !== 'text') {
      segments[segments.length - 1].push(p);
      continue;
    }
    let rest = p.text;
    let colon: number;
    while (segments.length <= limit && (colon = rest.indexOf(':')) !== -1) {
      if (colon > 0) segments[segments.length - 1].push({ kind: 'text', text: rest.slice(0, colon) });
      segments.push([]);
      rest = rest.slice(colon + 1);
    }
    if (rest !== '') segments[segments.length - 1].push({ kind: 'text', text: rest });
  }
  return segments;
}

function compileSegment(parts: readonly TemplatePart[]): Segment {
  if (hasVariables(parts)) return { kind: 'dynamic', parts };
  return { kind: 'static', prog: buildGlobProgram(constantPieces(parts, false)) };
}

function matchSegment(seg: Segment, s: string, from: number, to: number, ctx: RequestContext): boolean {
  if (seg.kind === 'static') return matchGlobRange(seg.prog, s, from, to);
  const pieces = resolvePieces(seg.parts, ctx, false);
  return pieces !== undefined && matchGlobRange(buildGlobProgram(pieces), s, from, to);
}

/**
 * Compiles an ARN pattern (Resource, NotResource, ArnEquals, ArnLike values): segment-wise,
 * case-sensitive wildcard matching as described at the top of this file.
 */
export function compileArnPattern(pattern: string, opts: ArnPatternOptions = {}): ArnPattern {
  const parts = parseTemplateParts(pattern, opts.allowVariables === true);
  const raw = splitSegments(parts, 5);
  const segments = raw.map(compileSegment);
  const last = raw[raw.length - 1];
  const lastPart = last[last.length - 1];
  const lastEndsWithStar = lastPart !== undefined && lastPart.kind === 'text' && lastPart.text.endsWith('*');
  // The last segment takes the rest of the value, colons included, when it is the resource
  // segment or ends with `*`.
  const lastTakesRest = segments.length === 6 || lastEndsWithStar;
  const variables = hasVariables(parts);
  const n = segments.length;

  return {
    hasVariables: variables,
    test(value, ctx) {
      let start = 0;
      for (let i = 0; i < n - 1; i++) {
        const colon = value.indexOf(':', start);
        if (colon === -1) return false;
        if (!matchSegment(segments[i], value, start, colon, ctx)) return false;
        start = colon + 1;
      }
      if (!lastTakesRest && value.indexOf(':', start) !== -1) return false;
      return matchSegment(segments[n - 1], value, start, value.length, ctx);
    },
  };
}
