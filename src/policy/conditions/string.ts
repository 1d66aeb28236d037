// String condition operators: StringEquals, StringNotEquals (case-sensitive),
// StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike (`*` and `?`
// anywhere, case-sensitive). Policy variables are allowed in all of them ("You can use a policy
// variable with the String condition operator"); JSON numbers and booleans compare as their
// text. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
import { equalsIgnoreCase } from '../match/wildcard.js';
import { compileTemplatePattern, parseTemplate, resolveTemplate, type Template } from '../variables.js';
import { invalidValue, scalarText, show } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue, RequestContext, ValueMatcher } from './types.js';

type Mode = 'equals' | 'ignoreCase' | 'like';

const MODES: Readonly<Record<string, Mode>> = {
  StringEquals: 'equals',
  StringNotEquals: 'equals',
  StringEqualsIgnoreCase: 'ignoreCase',
  StringNotEqualsIgnoreCase: 'ignoreCase',
  StringLike: 'like',
  StringNotLike: 'like',
};

/** Policy texts as strings, or issues for values that are not JSON scalars. */
export function scalarTexts(input: FamilyInput): { texts: string[]; issues: Issue[] } {
  const texts: string[] = [];
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    const t = scalarText(v);
    if (t === undefined) issues.push(invalidValue(input.path, i, `\`${show(v)}\` is not a string, number or boolean`));
    else texts.push(t);
  });
  return { texts, issues };
}

/** Matches any of several constants: a loop for a few, a Set for many. */
export function anyOf(constants: readonly string[]): (v: string) => boolean {
  if (constants.length === 1) {
    const only = constants[0];
    return (v) => v === only;
  }
  if (constants.length <= 8) return (v) => constants.includes(v);
  const set = new Set(constants);
  return (v) => set.has(v);
}

function compileEquals(texts: readonly string[], allowVariables: boolean, ignoreCase: boolean): ValueMatcher {
  const constants: string[] = [];
  const templates: Template[] = [];
  for (const t of texts) {
    const tpl = parseTemplate(t, allowVariables);
    if (tpl.kind === 'constant') constants.push(ignoreCase ? tpl.text.toLowerCase() : tpl.text);
    else templates.push(tpl);
  }
  const dynamic = (v: string, ctx: RequestContext): boolean => {
    for (const tpl of templates) {
      const r = resolveTemplate(tpl, ctx);
      if (r === undefined) continue;
      if (ignoreCase ? equalsIgnoreCase(v, r.toLowerCase()) : v === r) return true;
    }
    return false;
  };
  if (ignoreCase) {
    const lower = constants;
    const anyConstant = (v: string): boolean => {
      for (let i = 0; i < lower.length; i++) if (equalsIgnoreCase(v, lower[i])) return true;
      return false;
    };
    return templates.length === 0 ? anyConstant : (v, ctx) => anyConstant(v) || dynamic(v, ctx);
  }
  const anyConstant = anyOf(constants);
  return templates.length === 0 ? anyConstant : (v, ctx) => anyConstant(v) || dynamic(v, ctx);
}

function compileLike(texts: readonly string[], allowVariables: boolean): ValueMatcher {
  const patterns = texts.map((t) => compileTemplatePattern(t, { ignoreCase: false, allowVariables }));
  if (patterns.length === 1) {
    const only = patterns[0];
    return (v, ctx) => only.test(v, ctx);
  }
  return (v, ctx) => {
    for (let i = 0; i < patterns.length; i++) if (patterns[i].test(v, ctx)) return true;
    return false;
  };
}

/** Compiles the values of a String-family clause. */
export function compileString(input: FamilyInput): FamilyCompileResult {
  const mode = MODES[input.base];
  const { texts, issues } = scalarTexts(input);
  if (issues.length > 0) return { ok: false, issues };
  const matches =
    mode === 'like'
      ? compileLike(texts, input.allowVariables)
      : compileEquals(texts, input.allowVariables, mode === 'ignoreCase');
  return { ok: true, kind: 'value', matches };
}
