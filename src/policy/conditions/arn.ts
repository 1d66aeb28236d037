// ARN condition operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike. "ArnEquals and ArnLike
// … behave identically": case-sensitive, each of the six colon-delimited components checked
// separately, `*` and `?` allowed in each; "You can use a policy variable with the ARN
// condition operator". The matching itself lives in ../match/arn.ts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
import { compileArnPattern } from '../match/arn.js';
import { scalarTexts } from './string.js';
import type { FamilyCompileResult, FamilyInput } from './types.js';

/** Compiles the values of an ARN-family clause. */
export function compileArn(input: FamilyInput): FamilyCompileResult {
  const { texts, issues } = scalarTexts(input);
  if (issues.length > 0) return { ok: false, issues };
  const patterns = texts.map((t) => compileArnPattern(t, { allowVariables: input.allowVariables }));
  return {
    ok: true,
    kind: 'value',
    matches: (v, ctx) => {
      for (let i = 0; i < patterns.length; i++) if (patterns[i].test(v, ctx)) return true;
      return false;
    },
  };
}
