import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

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
