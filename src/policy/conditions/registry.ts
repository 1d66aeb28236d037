// The condition operators, all in one table: each base operator with its family, whether it
// is negated, and the compiler of its values. Prefixes (`ForAllValues:`, `ForAnyValue:`) and the
// `IfExists` suffix are parsed here; their semantics live in condition.ts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//
// Operator names are case-sensitive: IAM rejects `stringEquals` with "MalformedPolicyDocument:
// Invalid Condition type : stringEquals" (reported in
// https://github.com/ministryofjustice/modernisation-platform-environments/pull/8893), while
// condition KEY names are case-insensitive
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
import { compileArn } from './arn.js';
import { compileBinary } from './binary.js';
import { compileBool } from './bool.js';
import { makeCondition } from './condition.js';
import { compileDate } from './date.js';
import { compileIpAddress } from './ip-address.js';
import { compileNull } from './null.js';
import { compileNumeric } from './numeric.js';
import { compileString } from './string.js';
import type {
  CompileConditionResult,
  ConditionClause,
  FamilyCompiler,
  OperatorFamily,
  ParsedOperator,
  PolicyVersion,
} from './types.js';

interface OperatorSpec {
  readonly family: OperatorFamily;
  readonly negated: boolean;
  readonly compile: FamilyCompiler;
}

const OPERATORS: Readonly<Record<string, OperatorSpec>> = Object.freeze({
  StringEquals: { family: 'String', negated: false, compile: compileString },
  StringNotEquals: { family: 'String', negated: true, compile: compileString },
  StringEqualsIgnoreCase: { family: 'String', negated: false, compile: compileString },
  StringNotEqualsIgnoreCase: { family: 'String', negated: true, compile: compileString },
  StringLike: { family: 'String', negated: false, compile: compileString },
  StringNotLike: { family: 'String', negated: true, compile: compileString },

  NumericEquals: { family: 'Numeric', negated: false, compile: compileNumeric },
  NumericNotEquals: { family: 'Numeric', negated: true, compile: compileNumeric },
  NumericLessThan: { family: 'Numeric', negated: false, compile: compileNumeric },
  NumericLessThanEquals: { family: 'Numeric', negated: false, compile: compileNumeric },
  NumericGreaterThan: { family: 'Numeric', negated: false, compile: compileNumeric },
  NumericGreaterThanEquals: { family: 'Numeric', negated: false, compile: compileNumeric },

  DateEquals: { family: 'Date', negated: false, compile: compileDate },
  DateNotEquals: { family: 'Date', negated: true, compile: compileDate },
  DateLessThan: { family: 'Date', negated: false, compile: compileDate },
  DateLessThanEquals: { family: 'Date', negated: false, compile: compileDate },
  DateGreaterThan: { family: 'Date', negated: false, compile: compileDate },
  DateGreaterThanEquals: { family: 'Date', negated: false, compile: compileDate },

  Bool: { family: 'Bool', negated: false, compile: compileBool },

  BinaryEquals: { family: 'Binary', negated: false, compile: compileBinary },

  IpAddress: { family: 'IpAddress', negated: false, compile: compileIpAddress },
  NotIpAddress: { family: 'IpAddress', negated: true, compile: compileIpAddress },

  ArnEquals: { family: 'Arn', negated: false, compile: compileArn },
  ArnLike: { family: 'Arn', negated: false, compile: compileArn },
  ArnNotEquals: { family: 'Arn', negated: true, compile: compileArn },
  ArnNotLike: { family: 'Arn', negated: true, compile: compileArn },

  Null: { family: 'Null', negated: false, compile: compileNull },
});

/** Families whose values may hold policy variables (Version 2012-10-17 only). */
const VARIABLE_FAMILIES: ReadonlySet<OperatorFamily> = new Set<OperatorFamily>(['String', 'Arn', 'Bool']);

const IF_EXISTS = 'IfExists';

/**
 * Splits an operator name into set prefix, base operator and IfExists suffix; undefined when
 * the base is not an operator or the combination is not allowed (`NullIfExists`).
 * Set prefixes on `Null` are accepted and have no effect (Null only asks whether the key exists).
 */
export function parseOperator(name: string): ParsedOperator | undefined {
  if (typeof name !== 'string') return undefined;
  let rest = name;
  let set: ParsedOperator['set'];
  if (rest.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith(IF_EXISTS) && rest.length > IF_EXISTS.length) {
    ifExists = true;
    rest = rest.slice(0, -IF_EXISTS.length);
  }
  if (!Object.prototype.hasOwnProperty.call(OPERATORS, rest)) return undefined;
  const spec = OPERATORS[rest];
  if (spec.family === 'Null' && ifExists) return undefined;
  return { name, base: rest, family: spec.family, negated: spec.negated, ifExists, set };
}

/** Every base operator name, in table order. */
export function listOperators(): readonly string[] {
  return Object.keys(OPERATORS);
}

/**
 * Compiles one condition clause. `path` locates the clause in the policy, operator and key
 * included (e.g. `['Statement', 2, 'Condition', 'StringLike', 's3:prefix']`): a bad value is
 * reported at `[...path, index]`, an unknown operator or a values element that is not a list at
 * `path` itself. Never throws.
 */
export function compileCondition(
  clause: ConditionClause,
  version: PolicyVersion,
  path: (string | number)[],
): CompileConditionResult {
  const operator = parseOperator(clause.operator);
  if (operator === undefined) {
    const shown = typeof clause.operator === 'string' ? clause.operator : String(clause.operator);
    return {
      ok: false,
      issues: [{ code: 'unknown_condition_operator', path: [...path], message: `unknown condition operator \`${shown}\`` }],
    };
  }
  const keyAsWritten = typeof clause.key === 'string' ? clause.key : String(clause.key);
  if (!Array.isArray(clause.values)) {
    return {
      ok: false,
      issues: [{ code: 'invalid_condition_value', path: [...path], message: `the values of \`${keyAsWritten}\` are not a list` }],
    };
  }
  const spec = OPERATORS[operator.base];
  const compiled = spec.compile({
    base: operator.base,
    values: clause.values,
    allowVariables: version === '2012-10-17' && VARIABLE_FAMILIES.has(spec.family),
    path: [...path],
  });
  if (!compiled.ok) return compiled;
  return { ok: true, condition: makeCondition(operator, keyAsWritten.toLowerCase(), keyAsWritten, compiled) };
}
