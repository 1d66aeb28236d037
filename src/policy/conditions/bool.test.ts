import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import type { ContextValue, PolicyVersion, RequestContext } from './types.js';

interface Case {
  name: string;
  op: string;
  values: unknown[];
  /** The request's value of `test:key`; undefined = missing. */
  value?: ContextValue;
  ctx?: RequestContext;
  version?: PolicyVersion;
  want: boolean;
}

function check(c: Case): void {
  const r = compileCondition({ operator: c.op, key: 'Test:Key', values: c.values as never }, c.version ?? '2012-10-17', ['Condition']);
  assert.ok(r.ok, JSON.stringify(r));
  const ctx: Record<string, ContextValue | undefined> = { ...(c.ctx ?? {}) };
  if (c.value !== undefined) ctx['test:key'] = c.value;
  assert.equal(r.condition.test(ctx), c.want);
}

interface BadCase {
  name: string;
  op: string;
  values: unknown[];
  index: number;
}

function checkIssue(c: BadCase): void {
  const r = compileCondition({ operator: c.op, key: 'Test:Key', values: c.values as never }, '2012-10-17', ['Condition', c.op, 'Test:Key']);
  assert.equal(r.ok, false, `expected an issue for ${JSON.stringify(c.values)}`);
  if (r.ok) return;
  assert.equal(r.issues[0].code, 'invalid_condition_value');
  assert.deepEqual(r.issues[0].path, ['Condition', c.op, 'Test:Key', c.index]);
}

const cases: Case[] = [
  { name: 'Bool true matches true', op: 'Bool', values: ['true'], value: 'true', want: true },
  { name: 'Bool true does not match false', op: 'Bool', values: ['true'], value: 'false', want: false },
  { name: 'Bool false matches false', op: 'Bool', values: ['false'], value: 'false', want: true },
  { name: 'Bool policy value is case-insensitive', op: 'Bool', values: ['TRUE'], value: 'true', want: true },
  { name: 'Bool request value is case-insensitive', op: 'Bool', values: ['true'], value: 'True', want: true },
  { name: 'Bool JSON boolean', op: 'Bool', values: [false], value: 'false', want: true },
  { name: 'Bool request value that is not a boolean', op: 'Bool', values: ['true'], value: 'yes', want: false },
  { name: 'Bool on a missing key is false', op: 'Bool', values: ['false'], want: false },
  { name: 'BoolIfExists on a missing key is true', op: 'BoolIfExists', values: ['false'], want: true },
  { name: 'BoolIfExists on a present key compares', op: 'BoolIfExists', values: ['true'], value: 'false', want: false },
  { name: 'Bool with both values matches either', op: 'Bool', values: [true, false], value: 'false', want: true },
  { name: 'Bool with a variable', op: 'Bool', values: ['${aws:ViaAWSService}'], value: 'TRUE', ctx: { 'aws:viaawsservice': 'true' }, want: true },
  { name: 'Bool with an unresolvable variable', op: 'Bool', values: ['${aws:ViaAWSService}'], value: 'true', want: false },
  { name: 'ForAnyValue:Bool', op: 'ForAnyValue:Bool', values: ['true'], value: ['false', 'true'], want: true },
];

describe('Bool condition operator', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('Bool values that are not booleans', () => {
  const bad: BadCase[] = [
    { name: 'yes', op: 'Bool', values: ['yes'], index: 0 },
    { name: 'a number', op: 'Bool', values: [1], index: 0 },
    { name: 'an empty string', op: 'Bool', values: ['true', ''], index: 1 },
  ];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));

  it('a variable is literal text in 2008-10-17, so not a boolean', () => {
    const r = compileCondition({ operator: 'Bool', key: 'k', values: ['${aws:x}'] }, '2008-10-17', []);
    assert.equal(r.ok, false);
  });
});
