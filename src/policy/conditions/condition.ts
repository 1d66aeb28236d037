// Turns a family's value matcher into a compiled condition: missing keys, `…IfExists`,
// negated operators and the set operators `ForAllValues:` / `ForAnyValue:`.
//
// AWS's rules (IAM User Guide):
// - "If the key that you specify in a policy condition is not present in the request context,
//   the values do not match and the condition is false. If the policy condition requires that
//   the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
//   present, the condition is true. This logic applies to all condition operators except
//   ...IfExists and Null check" (reference_policies_elements_condition_operators.html).
// - IfExists: "If the key is not present, evaluate the condition element as true"; when it is
//   present the operator applies as usual (same page, "...IfExists condition operators").
// - Several values for one key are OR-ed; for a negated operator they are NOR-ed: the request
//   value must match none of them (reference_policies_condition-logic-multiple-context-keys-or-values.html).
// - ForAnyValue: true when at least one request value satisfies the operator; ForAllValues:
//   true when every request value does. "If the key values in the request resolve to an empty
//   data set (for example, an empty string), a condition operator modified by ForAllValues
//   returns true, and a condition operator modified by ForAnyValue returns false"; ForAllValues
//   "also returns true if there are no context keys in the request"
//   (reference_policies_multi-value-conditions.html,
//   reference_policies_condition_examples-multi-valued-context-keys.html). So with a set
//   operator a missing key, an empty list and an empty string are all the empty set; IfExists
//   still turns the empty set into true.
// - With a set operator, a negated operator is applied to each request value: ForAllValues:
//   StringNotEquals holds when no request value equals any policy value.
// - A list value without a set operator: AWS says multivalued keys "require a condition set
//   operator" (reference_policies_condition-single-vs-multi-valued-context-keys.html) but does
//   not document the outcome without one. We decide: a positive operator holds when some request
//   value matches (as ForAnyValue); a negated operator holds when no request value matches any
//   policy value — the exact negation of the positive operator, as for a single value. An empty
//   list is a missing key.
// - A single string value with a set operator is a one-element set.
import type { CompiledCondition, FamilyCompileResult, ParsedOperator, RequestContext } from './types.js';

type Success = Extract<FamilyCompileResult, { ok: true }>;

/** Builds the compiled condition of one clause. */
export function makeCondition(
  operator: ParsedOperator,
  key: string,
  keyAsWritten: string,
  compiled: Success,
): CompiledCondition {
  const base = { operator, key, keyAsWritten };
  if (compiled.kind === 'presence') {
    const { whenPresent, whenAbsent } = compiled;
    return {
      ...base,
      test(ctx: RequestContext): boolean {
        const v = ctx[key];
        const present = typeof v === 'string' || (Array.isArray(v) && v.length > 0);
        return present ? whenPresent : whenAbsent;
      },
    };
  }

  const matches = compiled.matches;
  const negated = operator.negated;
  const ifExists = operator.ifExists;
  const set = operator.set;

  if (set === undefined) {
    return {
      ...base,
      test(ctx: RequestContext): boolean {
        const v = ctx[key];
        if (typeof v === 'string') return matches(v, ctx) !== negated;
        if (Array.isArray(v) && v.length > 0) {
          for (let i = 0; i < v.length; i++) if (matches(v[i], ctx)) return !negated;
          return negated;
        }
        return ifExists || negated;
      },
    };
  }

  // For an empty set (missing key, empty list, empty string): ForAllValues holds, ForAnyValue
  // does not — IfExists included: "a condition operator modified by ForAnyValue returns false"
  // on an empty data set (reference_policies_multi-value-conditions.html); observed on AWS with
  // ForAnyValue:StringEqualsIfExists on aws:TagKeys not allowing a request without tags
  // (repost.aws/questions/QU9HFmDzP0QGuU-fd7rS6B7w). Found by the differential test.
  const emptySet = set === 'ForAllValues';
  const all = set === 'ForAllValues';
  return {
    ...base,
    test(ctx: RequestContext): boolean {
      const v = ctx[key];
      if (typeof v === 'string') return v === '' ? emptySet : matches(v, ctx) !== negated;
      if (!Array.isArray(v) || v.length === 0) return emptySet;
      for (let i = 0; i < v.length; i++) {
        const satisfied = matches(v[i], ctx) !== negated;
        if (all && !satisfied) return false;
        if (!all && satisfied) return true;
      }
      return all;
    },
  };
}
