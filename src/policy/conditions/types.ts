// The contract between the statement evaluator and the condition operators.
import type { ConditionClause, ConditionScalar, ContextValue, Issue, PolicyVersion, RequestContext } from '../types.js';

/** The operator families of AWS's policy grammar. */
export type OperatorFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';

/** A condition operator name split into its parts, e.g. `ForAllValues:StringNotLikeIfExists`. */
export interface ParsedOperator {
  /** As written. */
  name: string;
  /** The base operator without set prefix or IfExists suffix, e.g. `StringNotLike`. */
  base: string;
  family: OperatorFamily;
  /** `StringNot…`, `NumericNotEquals`, `DateNotEquals`, `NotIpAddress`, `ArnNot…`, `BinaryNotEquals`? (see registry). */
  negated: boolean;
  ifExists: boolean;
  set: 'ForAllValues' | 'ForAnyValue' | undefined;
}

/**
 * A compiled condition clause (one operator, one key, its values): decides against a
 * request context. `test` must not allocate on the hot path when the values hold no
 * policy variables.
 */
export interface CompiledCondition {
  readonly operator: ParsedOperator;
  /** The key, lower-cased. */
  readonly key: string;
  /** The key as written, for explanations. */
  readonly keyAsWritten: string;
  test(ctx: RequestContext): boolean;
}

export type CompileConditionResult =
  | { ok: true; condition: CompiledCondition }
  | { ok: false; issues: Issue[] };

export type { ConditionClause, ConditionScalar, ContextValue, Issue, PolicyVersion, RequestContext };

// ---------------------------------------------------------------------------
// Between the registry and the operator families (one module per family).

/**
 * Does one request value match ANY of the clause's policy values? Always in the positive
 * sense: the registry applies negation (`…Not…`), `IfExists` and the set prefixes.
 */
export type ValueMatcher = (value: string, ctx: RequestContext) => boolean;

/** What a family compiler receives for one clause. */
export interface FamilyInput {
  /** The base operator, e.g. `StringNotLike` (without prefix or IfExists). */
  base: string;
  values: readonly unknown[];
  /** True when the policy Version is 2012-10-17 and the family accepts policy variables. */
  allowVariables: boolean;
  /** Where the clause is (`[…, 'Condition', operator, key]`); issues append the value index. */
  path: (string | number)[];
}

export type FamilyCompileResult =
  | { ok: true; kind: 'value'; matches: ValueMatcher }
  /** `Null`: the outcome depends only on whether the key is present. */
  | { ok: true; kind: 'presence'; whenPresent: boolean; whenAbsent: boolean }
  | { ok: false; issues: Issue[] };

export type FamilyCompiler = (input: FamilyInput) => FamilyCompileResult;
