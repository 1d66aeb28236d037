// warden/policy — AWS's policy language and evaluation logic as a library: parse, validate,
// compile, authorize, explain. Pure: no I/O.

/** Parses a policy document (JSON text or value) into its AST; grammar problems come back as issues. */
export { parsePolicy } from './parse/json-to-ast.js';
/** Options of parsePolicy: the policy type whose grammar applies. */
export type { ParseOptions } from './parse/json-to-ast.js';
/** Compiles a parsed policy into indexed matchers for fast decisions. */
export { compilePolicy } from './compile.js';
/** A compiled policy and the metadata it carries. */
export type { CompiledPolicy, CompiledStatement, PolicyMeta } from './compile.js';
/** Decides a request with AWS's evaluation logic and explains the decision. */
export { authorize } from './authorize.js';
/** Options of authorize (verbose explanations). */
export type { AuthorizeOptions } from './authorize.js';
/** The services whose resources RCPs govern. */
export { RCP_SERVICES, accountOfArn } from './authorize.js';
/** Builds the request context with AWS's global condition keys. */
export { buildRequestContext, lazyRequestContext, normalizeContext } from './context.js';
/** Input of buildRequestContext. */
export type { RequestContextInput } from './context.js';
/** AWS's AccessDenied message for a decision. */
export { accessDeniedMessage } from './explain.js';
/** Parses, validates and compiles in one step; the issues say why a policy was refused. */
export { loadPolicy } from './load.js';
/** The engine's public data types. */
export type {
  AuthorizationRequest, CompiledPolicyRef, ConditionClause, ConditionScalar, ContextValue, Decision, Effect,
  Explanation, Issue, Layer, LayerResult, NonMatch, ParseResult, Policy, PolicyLevel, PolicySet, PolicyType,
  PolicyVersion, Principal, PrincipalBlock, PrincipalKind, RequestContext, Statement, StatementRef,
} from './types.js';
