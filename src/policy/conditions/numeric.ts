// Numeric condition operators: NumericEquals, NumericNotEquals, NumericLessThan,
// NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals — "comparing a key to an
// integer or decimal value"; no policy variables ("You can not use a policy variable with the
// Numeric condition operator").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
//
// Numbers are written `[+-]digits[.digits]` (or `.digits`), or as JSON numbers in the policy;
// they are compared as IEEE doubles (exact for integers up to 2^53 and for the decimals found
// in practice). A request value that is not a number matches no policy value.
import { invalidValue, show } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue } from './types.js';

/** Parses `[+-]digits[.digits]` / `[+-].digits` without allocating; NaN when malformed. */
export function parseDecimal(s: string): number {
  let i = 0;
  const n = s.length;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) i++;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0 || i !== n) return NaN;
  return Number(s);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

type Compare = (request: number, policy: number) => boolean;

// A negated operator compares like its positive form; the registry negates the outcome.
const COMPARE: Readonly<Record<string, Compare>> = {
  NumericEquals: (a, b) => a === b,
  NumericNotEquals: (a, b) => a === b,
  NumericLessThan: (a, b) => a < b,
  NumericLessThanEquals: (a, b) => a <= b,
  NumericGreaterThan: (a, b) => a > b,
  NumericGreaterThanEquals: (a, b) => a >= b,
};

/** Parses a policy value: a JSON number, or a string holding a decimal number. */
export function policyNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string') return parseDecimal(v);
  return NaN;
}

/** Compiles the values of a Numeric-family clause. */
export function compileNumeric(input: FamilyInput): FamilyCompileResult {
  const compare = COMPARE[input.base];
  const numbers: number[] = [];
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    const n = policyNumber(v);
    if (Number.isNaN(n)) issues.push(invalidValue(input.path, i, `\`${show(v)}\` is not a number for \`${input.base}\``));
    else numbers.push(n);
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    kind: 'value',
    matches: (v) => {
      const n = parseDecimal(v);
      if (Number.isNaN(n)) return false;
      for (let i = 0; i < numbers.length; i++) if (compare(n, numbers[i])) return true;
      return false;
    },
  };
}
