import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

const cases: Case[] = [
  { name: 'Null true on a missing key', op: 'Null', values: ['true'], want: true },
  { name: 'Null true on a present key', op: 'Null', values: ['true'], value: '2020-01-01T00:00:00Z', want: false },
  { name: 'Null false on a present key', op: 'Null', values: ['false'], value: 'x', want: true },
  { name: 'Null false on a missing key', op: 'Null', values: ['false'], want: false },
  { name: 'Null false on an empty string (present)', op: 'Null', values: ['false'], value: '', want: true },
  { name: 'Null true on an empty list (absent)', op: 'Null', values: ['true'], value: [], want: true },
  { name: 'Null false on a list with values', op: 'Null', values: ['false'], value: ['a'], want: true },
  { name: 'Null JSON boolean', op: 'Null', values: [true], want: true },
  { name: 'Null value is case-insensitive', op: 'Null', values: ['TRUE'], want: true },
  { name: 'Null with both values is always true (present)', op: 'Null', values: ['true', 'false'], value: 'x', want: true },
  { name: 'Null with both values is always true (absent)', op: 'Null', values: ['true', 'false'], want: true },
  { name: 'a set prefix does not change Null', op: 'ForAllValues:Null', values: ['false'], want: false },
];

describe('Null condition operator', () => {
  for (const c of cases) it(c.name, () => check(c));
  it('cannot take IfExists', () => {
    const r = compileCondition({ operator: 'NullIfExists', key: 'k', values: ['true'] }, '2012-10-17', ['Condition']);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.issues[0].code, 'unknown_condition_operator');
  });
});

describe('Null values that are not booleans', () => {
  const bad: BadCase[] = [
    { name: 'yes', op: 'Null', values: ['yes'], index: 0 },
    { name: 'a number', op: 'Null', values: ['true', 0], index: 1 },
    { name: 'a policy variable', op: 'Null', values: ['${aws:username}'], index: 0 },
  ];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));
});
