// The Bool condition operator: "restrict access based on comparing a key to "true" or
// "false"". Policy values are `true`/`false` (JSON booleans or strings, case-insensitive);
// request values compare case-insensitively. The Condition operators page says "You can use a
// policy variable with the Boolean condition operator" (the Variables page says the opposite);
// we accept variables, whose resolved value compares case-insensitively.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
import { equalsIgnoreCase } from '../match/wildcard.js';
import { parseTemplate, resolveTemplate, type Template } from '../variables.js';
import { invalidValue, show } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue } from './types.js';

/** A policy Bool value lower-cased (`true`/`false`), or undefined when it is neither. */
export function policyBool(v: unknown): 'true' | 'false' | undefined {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v !== 'string') return undefined;
  if (equalsIgnoreCase(v, 'true')) return 'true';
  if (equalsIgnoreCase(v, 'false')) return 'false';
  return undefined;
}

/** Compiles the values of a Bool clause. */
export function compileBool(input: FamilyInput): FamilyCompileResult {
  let wantTrue = false;
  let wantFalse = false;
  const templates: Template[] = [];
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    if (typeof v === 'string' && input.allowVariables) {
      const t = parseTemplate(v, true);
      if (t.kind === 'template') {
        templates.push(t);
        return;
      }
    }
    const b = policyBool(v);
    if (b === 'true') wantTrue = true;
    else if (b === 'false') wantFalse = true;
    else issues.push(invalidValue(input.path, i, `\`${show(v)}\` is not \`true\` or \`false\``));
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    kind: 'value',
    matches: (v, ctx) => {
      if (wantTrue && equalsIgnoreCase(v, 'true')) return true;
      if (wantFalse && equalsIgnoreCase(v, 'false')) return true;
      for (const t of templates) {
        const r = resolveTemplate(t, ctx);
        if (r !== undefined && equalsIgnoreCase(v, r.toLowerCase())) return true;
      }
      return false;
    },
  };
}
