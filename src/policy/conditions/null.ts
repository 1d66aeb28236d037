// The Null condition operator: "check if a condition key is absent at the time of
// authorization. In the policy statement, use either true (the key doesn't exist — it is null)
// or false (the key exists and its value is not null)"; no policy variables; no IfExists ("You
// can add IfExists to the end of any condition operator name except the Null condition").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
//
// A multivalued key with no values counts as absent. Values are `true`/`false`, JSON booleans
// or strings in any case; several values are OR-ed like everywhere else.
import { policyBool } from './bool.js';
import { invalidValue, show } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue } from './types.js';

/** Compiles the values of a Null clause. */
export function compileNull(input: FamilyInput): FamilyCompileResult {
  let whenAbsent = false;
  let whenPresent = false;
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    const b = policyBool(v);
    if (b === 'true') whenAbsent = true;
    else if (b === 'false') whenPresent = true;
    else issues.push(invalidValue(input.path, i, `\`${show(v)}\` is not \`true\` or \`false\` for \`Null\``));
  });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, kind: 'presence', whenPresent, whenAbsent };
}
