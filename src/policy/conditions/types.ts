// The contract between the statement evaluator and the condition operators.
import type { ConditionScalar, ContextValue, Issue, PolicyVersion, RequestContext } from '../types.js';

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

export type { ConditionScalar, ContextValue, PolicyVersion, RequestContext };
