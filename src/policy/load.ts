// parse + validate + compile in one step, for callers that hold policy text.
import type { Issue } from './types.js';
import { parsePolicy, type ParseOptions } from './parse/json-to-ast.js';
import { compilePolicy, type CompiledPolicy, type PolicyMeta } from './compile.js';

export type LoadResult = { ok: true; policy: CompiledPolicy } | { ok: false; issues: Issue[] };

export function loadPolicy(input: string | unknown, meta: PolicyMeta & Omit<ParseOptions, 'type'>): LoadResult {
  const parsed = parsePolicy(input, { type: meta.type, managed: meta.managed });
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const compiled = compilePolicy(parsed.policy, meta);
  if (compiled.issues.length > 0) return { ok: false, issues: [...compiled.issues] };
  return { ok: true, policy: compiled };
}
