// Action/NotAction patterns: `service:Action` with `*` and `?` wildcards, matched
// case-insensitively — "The prefix and the action name are case insensitive. For example,
// iam:ListAccessKeys is the same as IAM:listaccesskeys" ("IAM JSON policy elements: Action",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
// The whole pattern is one glob over the whole action name (`*` matches everything).
import { compileWildcard, hasWildcard } from './wildcard.js';

export interface ActionPattern {
  /**
   * The lower-cased service prefix the pattern is confined to, for indexing statements by
   * service; `*` when the pattern can match actions of any service (`*`, `*:Get*`, `s3*`).
   */
  readonly service: string;
  /** Matches an action name that the caller has already lower-cased. */
  test(actionLowerCase: string): boolean;
}

/** Compiles an Action/NotAction pattern such as `*`, `s3:*`, `s3:Get*`, `s3:?etObject`. */
export function compileActionPattern(pattern: string): ActionPattern {
  const lower = pattern.toLowerCase();
  const colon = lower.indexOf(':');
  const prefix = colon === -1 ? lower : lower.slice(0, colon);
  const service = hasWildcard(prefix) ? '*' : prefix;
  // INVARIANT: callers pass lower-cased actions, so a case-sensitive match on the lower-cased
  // pattern is a case-insensitive match.
  const test = compileWildcard(lower, { ignoreCase: false });
  return { service, test };
}
