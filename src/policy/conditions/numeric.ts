// Numeric condition operators: NumericEquals, NumericNotEquals, NumericLessThan,
// NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals — "comparing a key to an
// integer or decimal value"; no policy variables ("You can not use a policy variable with the
// Numeric condition operator").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
//
// Numbers are written `[+-]digits[.digits]` (or `.digits`), or as JSON numbers in the policy;
// they are compared as IEEE doubles (exact for integers up to 2^53 and for the decimals found
// in practice). A request value that is not a number matches no policy value.
import { show } from './issues.js';
import { compileOrdered, type OrderedFamily } from './ordered.js';
import type { FamilyCompileResult, FamilyInput } from './types.js';

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

/** Parses a policy value: a JSON number, or a string holding a decimal number. */
export function policyNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string') return parseDecimal(v);
  return NaN;
}

const NUMERIC: OrderedFamily = {
  prefix: 'Numeric',
  policyValue: policyNumber,
  requestValue: parseDecimal,
  invalid: (v, input) => `\`${show(v)}\` is not a number for \`${input.base}\``,
};

/** Compiles the values of a Numeric-family clause. */
export function compileNumeric(input: FamilyInput): FamilyCompileResult {
  return compileOrdered(NUMERIC, input);
}
