// Resource / NotResource matching.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// "You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts
// separated by colons) … If the * wildcard is the last character of a resource ARN segment, it can
// expand to match beyond the colon boundaries." ARNs are case-sensitive.
//
// So a pattern is split into the six ARN segments (the resource segment keeps its colons) and
// matched segment by segment; a pattern with fewer segments whose last segment ends in `*`
// matches the whole remainder of the ARN.
//
// Hot path: most patterns have five literal leading segments (`arn:aws:s3:::` …), which match
// as one `startsWith` plus a glob over the rest of the string, without allocating.
import type { RequestContext } from '../types.js';
import { matchGlobRange, parseGlob, type GlobProgram } from '../match/wildcard.js';
import { compileTemplatePattern } from '../variables.js';

export interface ResourceMatcher {
  test(resource: string, ctx: RequestContext): boolean;
}

/** Index just after the fifth colon (start of the resource segment), or -1. */
function resourceSegmentStart(s: string): number {
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = s.indexOf(':', start);
    if (c < 0) return -1;
    start = c + 1;
  }
  return start;
}

/**
 * A pattern's segments: up to six, split at the first five colons (the resource segment keeps
 * its colons); fewer when the pattern has fewer colons.
 */
export function splitPatternSegments(pattern: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = pattern.indexOf(':', start);
    if (c < 0) break;
    out.push(pattern.slice(start, c));
    start = c + 1;
  }
  out.push(pattern.slice(start));
  return out;
}

const isWild = (s: string) => s.includes('*') || s.includes('?');

class AnyResource implements ResourceMatcher {
  test(): boolean { return true; }
}

class ExactResource implements ResourceMatcher {
  constructor(private readonly arn: string) {}
  test(resource: string): boolean { return resource === this.arn; }
}

/** Five literal segments, then a glob over the resource segment. */
class PrefixGlobResource implements ResourceMatcher {
  constructor(private readonly prefix: string, private readonly glob: GlobProgram) {}
  test(resource: string): boolean {
    const p = this.prefix;
    if (!resource.startsWith(p)) return false;
    // The prefix ends with the fifth colon, so the rest is exactly the resource segment.
    return matchGlobRange(this.glob, resource, p.length, resource.length);
  }
}

/** Segment i of the pattern: a glob over [start, end) of the request ARN, or a template with variables. */
type SegmentMatcher =
  | { kind: 'literal'; text: string }
  | { kind: 'any' }
  | { kind: 'glob'; prog: GlobProgram }
  | { kind: 'template'; test: (s: string, ctx: RequestContext) => boolean };

/** Any other shape: wildcards in leading segments, fewer segments, or policy variables. */
class SegmentResource implements ResourceMatcher {
  private readonly matchers: SegmentMatcher[];
  private readonly lastExpands: boolean;
  constructor(segs: string[], allowVariables: boolean, private readonly whole: (s: string, ctx: RequestContext) => boolean) {
    this.matchers = segs.map((seg): SegmentMatcher => {
      if (allowVariables && seg.includes('${')) {
        const t = compileTemplatePattern(seg, { ignoreCase: false, allowVariables });
        return { kind: 'template', test: (x, ctx) => t.test(x, ctx) };
      }
      if (seg === '*') return { kind: 'any' };
      if (!isWild(seg)) return { kind: 'literal', text: seg };
      return { kind: 'glob', prog: parseGlob(seg) };
    });
    this.lastExpands = segs[segs.length - 1].endsWith('*');
  }
  test(resource: string, ctx: RequestContext): boolean {
    if (!resource.startsWith('arn:')) return this.whole(resource, ctx);
    const ms = this.matchers;
    const n = ms.length;
    if (n < 6 && !this.lastExpands) return false;
    // Walk the ARN's segments by index; the last pattern segment takes the rest of the ARN
    // (the resource segment, or — for a shorter pattern ending in `*` — everything left).
    let start = 0;
    for (let i = 0; i < n; i++) {
      let end: number;
      if (i === n - 1) end = resource.length;
      else {
        end = resource.indexOf(':', start);
        if (end < 0) return false;
      }
      const m = ms[i];
      let ok: boolean;
      switch (m.kind) {
        case 'any': ok = true; break;
        case 'literal': ok = end - start === m.text.length && resource.startsWith(m.text, start); break;
        case 'glob': ok = matchGlobRange(m.prog, resource, start, end); break;
        default: ok = m.test(resource.slice(start, end), ctx);
      }
      if (!ok) return false;
      start = end + 1;
    }
    // INVARIANT: for n === 6 the loop found the ARN's five colons, so it has six segments.
    return true;
  }
}

export function compileResourcePattern(pattern: string, allowVariables: boolean): ResourceMatcher {
  if (pattern === '*') return new AnyResource();
  const variables = allowVariables && pattern.includes('${');
  if (!variables && !isWild(pattern)) return new ExactResource(pattern);
  const segs = splitPatternSegments(pattern);
  if (!variables && segs.length === 6 && !segs.slice(0, 5).some(isWild)) {
    const start = resourceSegmentStart(pattern);
    return new PrefixGlobResource(pattern.slice(0, start), parseGlob(pattern.slice(start)));
  }
  const whole = compileTemplatePattern(pattern, { ignoreCase: false, allowVariables });
  return new SegmentResource(segs, allowVariables, (s, ctx) => whole.test(s, ctx));
}
