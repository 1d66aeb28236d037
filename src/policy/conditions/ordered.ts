// What the Numeric and Date families share: six ordered comparisons of numbers (a date is its
// instant in milliseconds), the policy's values parsed once at compile time, the request's value
// parsed at each test; a value that does not parse is an issue (policy) or matches nothing
// (request).
import { invalidValue } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue } from './types.js';

type Compare = (request: number, policy: number) => boolean;

// By operator without its family's prefix. A negated operator compares like its positive form;
// the registry negates the outcome.
const COMPARE: Readonly<Record<string, Compare>> = {
  Equals: (a, b) => a === b,
  NotEquals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
};

export interface OrderedFamily {
  /** The family's operator prefix: `Numeric`, `Date`. */
  prefix: string;
  /** A policy value as a number; NaN when it is none. */
  policyValue(v: unknown): number;
  /** A request value as a number; NaN when it is none. */
  requestValue(v: string): number;
  /** The issue's text for a policy value that is not one. */
  invalid(v: unknown, input: FamilyInput): string;
}

/** Compiles the values of a clause of an ordered family. */
export function compileOrdered(family: OrderedFamily, input: FamilyInput): FamilyCompileResult {
  const compare = COMPARE[input.base.slice(family.prefix.length)];
  const parse = family.requestValue;
  const values: number[] = [];
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    const n = family.policyValue(v);
    if (Number.isNaN(n)) issues.push(invalidValue(input.path, i, family.invalid(v, input)));
    else values.push(n);
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    kind: 'value',
    matches: (v) => {
      const n = parse(v);
      if (Number.isNaN(n)) return false;
      for (let i = 0; i < values.length; i++) if (compare(n, values[i])) return true;
      return false;
    },
  };
}
