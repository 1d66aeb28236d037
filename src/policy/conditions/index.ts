// The condition operators of the policy engine: public surface.

/** Splits an operator name (`ForAllValues:StringLikeIfExists`) into its parts; undefined when unknown. */
export { parseOperator } from './registry.js';
/** Compiles one condition clause to a matcher, or reports issues (never throws). */
export { compileCondition } from './registry.js';
/** Every base condition operator name AWS defines. */
export { listOperators } from './registry.js';
/** The contract types between the evaluator and the operators. */
export type { CompiledCondition, CompileConditionResult, OperatorFamily, ParsedOperator } from './types.js';
