// Checks of policy variables (`${aws:username}`, `${aws:userid, 'anonymous'}`) in Resource and
// Condition values.
import type { CheckContext, Located } from './common.js';

/** Reports the first variable fault in a string value; returns true when it has variables. */
export function checkVariables(ctx: CheckContext, v: Located): boolean {
  const s = v.value;
  let i = s.indexOf('${');
  if (i < 0) return false;
  if (!ctx.variablesEnabled) {
    ctx.report('VARIABLE_UNSUPPORTED_IN_VERSION', 'To include variables in your policy, use the policy version 2012-10-17 or later.', v.at);
    return true;
  }
  while (i >= 0) {
    const close = s.indexOf('}', i + 2);
    if (close < 0) {
      ctx.report('MISSING_BRACE_IN_VARIABLE', 'The policy variable is missing a closing curly brace. Add } after the variable text.', v.at);
      return true;
    }
    const inner = s.slice(i + 2, close);
    if (inner === '') {
      ctx.report('EMPTY_VARIABLE', 'Empty policy variable. Remove the ${} variable structure or provide a variable within the structure.', v.at);
      return true;
    }
    const comma = inner.indexOf(',');
    const name = comma < 0 ? inner : inner.slice(0, comma);
    if (/\s/.test(name)) {
      ctx.report('UNSUPPORTED_SPACE_IN_VARIABLE', 'A space is not supported within the policy variable text. Remove the space.', v.at);
      return true;
    }
    const symbol = ['*', '?', '$'].includes(name) ? undefined : /[^A-Za-z0-9:/_.\-]/.exec(name)?.[0];
    if (symbol !== undefined) {
      ctx.report('UNSUPPORTED_SYMBOL_IN_VARIABLE', `The symbol ${symbol} is not supported within the policy variable text. Remove the symbol.`, v.at);
      return true;
    }
    if (comma >= 0) {
      const def = inner.slice(comma + 1).trim();
      if (!(def.length >= 2 && def.startsWith("'") && def.endsWith("'"))) {
        ctx.report('MISSING_QUOTE_IN_VARIABLE', 'The policy variable default value must begin and end with a single quote. Add the missing quote.', v.at);
        return true;
      }
    }
    i = s.indexOf('${', close + 1);
  }
  return true;
}
