// Constraint validation of decoded input, the way AWS's request frontend does it before an
// operation runs: required members, string and list length, numeric range, pattern, enum.
//
// Message format (as IAM, STS and other AWS services send it; seen in many public reports):
//   1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64
//   2 validation errors detected: …; …
// Paths use the member names with their first letter lower-cased; list elements of structures
// are `tags.1.member.key` (1-based). Constraints of scalar list elements and map keys/values are
// reported once for the whole collection: `Member must satisfy constraint: [c1, c2, …]`,
// `Map keys must satisfy constraint: […]`, `Map value must satisfy constraint: […]`.
// Since about 2023 AWS no longer echoes the offending value (`Value at 'roleName' failed …`);
// `echoValues: true` gives the older form with the value quoted.
import { lowerFirst, resolveShape, type ServiceModel, type Shape, type ShapeRef } from './model.js';

export type ConstraintKind = 'required' | 'length' | 'range' | 'pattern' | 'enum' | 'elements';

/** One violated constraint. */
export interface ValidationIssue {
  /** Dotted path as AWS writes it, e.g. `tags.1.member.key`. */
  path: string;
  kind: ConstraintKind;
  /** The constraint sentence, e.g. `Member must have length less than or equal to 64`. */
  constraint: string;
  /** The offending value; undefined when missing. */
  value: unknown;
  /** The member's shape is `sensitive`: its value is never echoed. */
  sensitive: boolean;
  /** For `pattern` issues: the model's pattern text. */
  pattern?: string;
}

const regexCache = new Map<string, RegExp | null>();

/**
 * The model pattern as a JavaScript regex matching the whole value (AWS's frontend uses Java's
 * `matches`). Java-only syntax that JavaScript cannot compile makes the pattern unchecked (null).
 */
export function compilePattern(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    // Models write supplementary ranges as \u10000-\u10FFFF, meaning code points.
    let source = pattern.replace(/\\u([0-9A-Fa-f]{5,6})/g, (_m, hex: string) => `\\u{${hex}}`);
    // Java's leading inline flags, e.g. `(?s).*`.
    let inline = '';
    const flagMatch = /^\(\?([ims]+)\)/.exec(source);
    if (flagMatch) {
      inline = flagMatch[1];
      source = source.slice(flagMatch[0].length);
    }
    re = null;
    for (const flags of ['u', '']) {
      try {
        re = new RegExp(`^(?:${source})$`, flags + inline);
        break;
      } catch {
        // try the next flag set
      }
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/** Code points of a string, as `for…of` counts them (a lone surrogate is one). */
function codePoints(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Length as AWS counts it for strings (Unicode code points), blobs (bytes), lists and maps. */
function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') return codePoints(value);
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length;
  return undefined;
}

const LENGTH_TYPES = new Set(['string', 'blob', 'list', 'map']);
const NUMBER_TYPES = new Set(['integer', 'long', 'float', 'double', 'byte', 'short', 'bigdecimal', 'biginteger']);

/** Every constraint sentence of a shape, in AWS's order, for the aggregated `[…]` form. */
function constraintSentences(shape: Shape): string[] {
  const out: string[] = [];
  if (LENGTH_TYPES.has(shape.type)) {
    if (shape.max !== undefined) out.push(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined) out.push(`Member must have length greater than or equal to ${shape.min}`);
  } else if (NUMBER_TYPES.has(shape.type)) {
    if (shape.max !== undefined) out.push(`Member must have value less than or equal to ${shape.max}`);
    if (shape.min !== undefined) out.push(`Member must have value greater than or equal to ${shape.min}`);
  }
  if (shape.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.enum) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  return out;
}

/** A shape's own constraints, worked out once per shape instead of per value checked. */
interface Checks {
  shape: Shape;
  /** Whether the shape has any constraint scalarIssues looks at. */
  any: boolean;
  /** The compiled pattern; null when it does not compile (unchecked), undefined when none. */
  pattern: RegExp | null | undefined;
  length: boolean;
  number: boolean;
  enum: ReadonlySet<string> | undefined;
  /** A structure's members, planned on its first validation. */
  members: MemberPlan[] | undefined;
}

const checksCache = new WeakMap<Shape, Checks>();

function checksOf(shape: Shape): Checks {
  let checks = checksCache.get(shape);
  if (!checks) {
    const length = LENGTH_TYPES.has(shape.type);
    const number = NUMBER_TYPES.has(shape.type);
    checks = {
      shape,
      any: shape.pattern !== undefined || shape.enum !== undefined || ((length || number) && (shape.min !== undefined || shape.max !== undefined)),
      pattern: shape.pattern === undefined ? undefined : compilePattern(shape.pattern),
      length,
      number,
      enum: shape.enum ? new Set(shape.enum) : undefined,
      members: undefined,
    };
    checksCache.set(shape, checks);
  }
  return checks;
}

type ScalarIssue = Pick<ValidationIssue, 'kind' | 'constraint' | 'pattern'>;

/** What scalarIssues answers for a value without issues (most): shared, never written. */
const NO_ISSUES: readonly ScalarIssue[] = Object.freeze([]);

/** Whether a string's code point count is certainly within [min, max] from its UTF-16 length alone. */
function lengthSurelyWithin(value: string, min: number | undefined, max: number | undefined): boolean {
  // A string of n UTF-16 units has between n/2 and n code points.
  return (max === undefined || value.length <= max) && (min === undefined || value.length >= 2 * min);
}

/** The issues of one scalar value against its own shape's constraints (not `required`). */
function scalarIssues(checks: Checks, value: unknown): readonly ScalarIssue[] {
  const shape = checks.shape;
  if (!checks.any) return NO_ISSUES;
  let out: ScalarIssue[] | undefined;
  if (checks.pattern && typeof value === 'string' && !checks.pattern.test(value)) {
    (out ??= []).push({ kind: 'pattern', constraint: `Member must satisfy regular expression pattern: ${shape.pattern}`, pattern: shape.pattern });
  }
  if (checks.length) {
    const len = typeof value === 'string' && lengthSurelyWithin(value, shape.min, shape.max) ? undefined : lengthOf(value);
    if (len !== undefined && shape.max !== undefined && len > shape.max) {
      (out ??= []).push({ kind: 'length', constraint: `Member must have length less than or equal to ${shape.max}` });
    }
    if (len !== undefined && shape.min !== undefined && len < shape.min) {
      (out ??= []).push({ kind: 'length', constraint: `Member must have length greater than or equal to ${shape.min}` });
    }
  } else if (checks.number && typeof value === 'number') {
    if (shape.max !== undefined && value > shape.max) {
      (out ??= []).push({ kind: 'range', constraint: `Member must have value less than or equal to ${shape.max}` });
    }
    if (shape.min !== undefined && value < shape.min) {
      (out ??= []).push({ kind: 'range', constraint: `Member must have value greater than or equal to ${shape.min}` });
    }
  }
  if (checks.enum && typeof value === 'string' && !checks.enum.has(value)) {
    (out ??= []).push({ kind: 'enum', constraint: `Member must satisfy enum value set: [${(shape.enum as string[]).join(', ')}]` });
  }
  return out ?? NO_ISSUES;
}

function isScalar(shape: Shape): boolean {
  return shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map';
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** What validating one member of a structure needs, worked out once per shape. */
interface MemberPlan {
  name: string;
  checks: Checks;
  /** The name in messages (lower-cased first letter). */
  pathName: string;
  required: boolean;
}

function planMembers(model: ServiceModel, shape: Shape): MemberPlan[] {
  const required = new Set(shape.required ?? []);
  return Object.entries(shape.members ?? {}).map(([name, ref]) => ({
    name, checks: checksOf(resolveShape(model, ref)), pathName: lowerFirst(name), required: required.has(name),
  }));
}

function walk(model: ServiceModel, checks: Checks, value: unknown, path: string, out: ValidationIssue[], depth: number): void {
  if (depth > 64) return; // INVARIANT: decoders never produce deeper values than the model nests
  const shape = checks.shape;
  const sensitive = shape.sensitive === true;
  for (const issue of scalarIssues(checks, value)) out.push({ path, value, sensitive, ...issue });

  if (shape.type === 'structure' && isPresent(value) && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    checks.members ??= planMembers(model, shape);
    for (const m of checks.members) {
      const child = record[m.name];
      if (!isPresent(child)) {
        if (m.required) {
          out.push({ path: path === '' ? m.pathName : `${path}.${m.pathName}`, kind: 'required', constraint: 'Member must not be null', value: undefined, sensitive: m.checks.shape.sensitive === true });
        }
        continue;
      }
      walk(model, m.checks, child, path === '' ? m.pathName : `${path}.${m.pathName}`, out, depth + 1);
    }
  } else if (shape.type === 'list' && Array.isArray(value) && shape.member) {
    const memberShape = resolveShape(model, shape.member);
    const memberChecks = checksOf(memberShape);
    if (isScalar(memberShape)) {
      const bad = value.some((v) => !isPresent(v) || scalarIssues(memberChecks, v).length > 0);
      if (bad) {
        const sentences = [...constraintSentences(memberShape), 'Member must not be null'];
        out.push({ path, kind: 'elements', constraint: `Member must satisfy constraint: [${sentences.join(', ')}]`, value, sensitive: sensitive || memberShape.sensitive === true });
      }
    } else {
      value.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        if (!isPresent(item)) {
          out.push({ path: itemPath, kind: 'required', constraint: 'Member must not be null', value: undefined, sensitive: false });
        } else {
          walk(model, memberChecks, item, itemPath, out, depth + 1);
        }
      });
    }
  } else if (shape.type === 'map' && isPresent(value) && typeof value === 'object' && shape.key && shape.value) {
    const record = value as Record<string, unknown>;
    const keyShape = resolveShape(model, shape.key);
    const valueShape = resolveShape(model, shape.value);
    const keyChecks = checksOf(keyShape);
    const valueChecks = checksOf(valueShape);
    const keys = Object.keys(record);
    if (keys.some((k) => scalarIssues(keyChecks, k).length > 0)) {
      const sentences = [...constraintSentences(keyShape), 'Member must not be null'];
      out.push({ path, kind: 'elements', constraint: `Map keys must satisfy constraint: [${sentences.join(', ')}]`, value, sensitive });
    }
    if (isScalar(valueShape)) {
      if (keys.some((k) => !isPresent(record[k]) || scalarIssues(valueChecks, record[k]).length > 0)) {
        const sentences = [...constraintSentences(valueShape), 'Member must not be null'];
        out.push({ path, kind: 'elements', constraint: `Map value must satisfy constraint: [${sentences.join(', ')}]`, value, sensitive: sensitive || valueShape.sensitive === true });
      }
    } else {
      for (const k of keys) {
        if (isPresent(record[k])) walk(model, valueChecks, record[k], `${path}.${k}.member`, out, depth + 1);
      }
    }
  }
}

/** Every constraint the decoded `input` violates against the shape `ref`, in AWS's order. */
export function validateInput(model: ServiceModel, ref: ShapeRef | undefined, input: unknown): ValidationIssue[] {
  if (!ref) return [];
  const out: ValidationIssue[] = [];
  walk(model, checksOf(resolveShape(model, ref)), input ?? {}, '', out, 0);
  return out;
}

/** How a value is shown in a message (Java's rendering: `[a, b]` for lists, `{k=v}` for maps). */
function renderValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]`;
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${renderValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

export interface FormatOptions {
  /** Quote the offending value as AWS did before about 2023 (`Value 'x' at …`, `Value null at …`). */
  echoValues?: boolean;
}

/** The sentence for one issue: `Value at 'userName' failed to satisfy constraint: …`. */
export function formatIssue(issue: ValidationIssue, options: FormatOptions = {}): string {
  let subject = 'Value';
  if (options.echoValues && !issue.sensitive) {
    subject = issue.value === undefined ? 'Value null' : `Value '${renderValue(issue.value)}'`;
  }
  return `${subject} at '${issue.path}' failed to satisfy constraint: ${issue.constraint}`;
}

/** `N validation error(s) detected: …; …` for a non-empty list of issues. */
export function formatValidationMessage(issues: readonly ValidationIssue[], options: FormatOptions = {}): string {
  const n = issues.length;
  const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
  return head + issues.map((i) => formatIssue(i, options)).join('; ');
}
