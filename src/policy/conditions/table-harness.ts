// The table-test harness shared by the operator-family tests: compile one clause on the key
// `Test:Key`, decide it against a request holding `test:key`, and check the issue a bad value
// gives. Test support only.
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import type { ContextValue, PolicyVersion, RequestContext } from './types.js';

export interface Case {
  name: string;
  op: string;
  values: unknown[];
  /** The request's value of `test:key`; undefined = missing. */
  value?: ContextValue;
  ctx?: RequestContext;
  version?: PolicyVersion;
  want: boolean;
}

export function check(c: Case): void {
  const r = compileCondition({ operator: c.op, key: 'Test:Key', values: c.values as never }, c.version ?? '2012-10-17', ['Condition']);
  assert.ok(r.ok, JSON.stringify(r));
  const ctx: Record<string, ContextValue | undefined> = { ...(c.ctx ?? {}) };
  if (c.value !== undefined) ctx['test:key'] = c.value;
  assert.equal(r.condition.test(ctx), c.want);
}

export interface BadCase {
  name: string;
  op: string;
  values: unknown[];
  index: number;
}

export function checkIssue(c: BadCase): void {
  const r = compileCondition({ operator: c.op, key: 'Test:Key', values: c.values as never }, '2012-10-17', ['Condition', c.op, 'Test:Key']);
  assert.equal(r.ok, false, `expected an issue for ${JSON.stringify(c.values)}`);
  if (r.ok) return;
  assert.equal(r.issues[0].code, 'invalid_condition_value');
  assert.deepEqual(r.issues[0].path, ['Condition', c.op, 'Test:Key', c.index]);
}
