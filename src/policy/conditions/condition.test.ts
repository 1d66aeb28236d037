import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import { check, type Case } from './table-harness.js';

// The generic rules (missing keys, IfExists, set operators), shown with StringEquals and its
// negation; every family goes through the same code (condition.ts).
const cases: Case[] = [
  // No set operator
  { name: 'positive, missing key → false', op: 'StringEquals', values: ['a'], want: false },
  { name: 'negated, missing key → true', op: 'StringNotEquals', values: ['a'], want: true },
  { name: 'positive IfExists, missing key → true', op: 'StringEqualsIfExists', values: ['a'], want: true },
  { name: 'negated IfExists, missing key → true', op: 'StringNotEqualsIfExists', values: ['a'], want: true },
  { name: 'positive IfExists, present key → compared', op: 'StringEqualsIfExists', values: ['a'], value: 'b', want: false },
  { name: 'negated IfExists, present key → compared', op: 'StringNotEqualsIfExists', values: ['a'], value: 'a', want: false },
  { name: 'positive, empty list → missing', op: 'StringEquals', values: ['a'], value: [], want: false },
  { name: 'positive IfExists, empty list → true', op: 'StringEqualsIfExists', values: ['a'], value: [], want: true },
  { name: 'positive, list with a match → true', op: 'StringEquals', values: ['a'], value: ['b', 'a'], want: true },
  { name: 'negated, list with a match → false', op: 'StringNotEquals', values: ['a'], value: ['b', 'a'], want: false },
  { name: 'negated, list without a match → true', op: 'StringNotEquals', values: ['a'], value: ['b', 'c'], want: true },
  { name: 'an empty string is a value without a set operator', op: 'StringEquals', values: [''], value: '', want: true },
  { name: 'no policy values: positive → false', op: 'StringEquals', values: [], value: 'a', want: false },
  { name: 'no policy values: negated → true', op: 'StringNotEquals', values: [], value: 'a', want: true },

  // ForAnyValue
  { name: 'ForAnyValue, missing key → false', op: 'ForAnyValue:StringEquals', values: ['a'], want: false },
  { name: 'ForAnyValue, empty list → false', op: 'ForAnyValue:StringEquals', values: ['a'], value: [], want: false },
  { name: 'ForAnyValue, empty string → false (empty data set)', op: 'ForAnyValue:StringEquals', values: [''], value: '', want: false },
  { name: 'ForAnyValue negated, missing key → false', op: 'ForAnyValue:StringNotEquals', values: ['a'], want: false },
  { name: 'ForAnyValue IfExists, missing key → false (empty data set)', op: 'ForAnyValue:StringEqualsIfExists', values: ['a'], want: false },
  { name: 'ForAnyValue IfExists, empty list → false (empty data set)', op: 'ForAnyValue:StringEqualsIfExists', values: ['a'], value: [], want: false },
  { name: 'ForAnyValue IfExists, present → compared', op: 'ForAnyValue:StringEqualsIfExists', values: ['a'], value: ['b'], want: false },
  { name: 'ForAnyValue, one of several matches → true', op: 'ForAnyValue:StringEquals', values: ['a'], value: ['x', 'a', 'y'], want: true },
  { name: 'ForAnyValue, none matches → false', op: 'ForAnyValue:StringEquals', values: ['a'], value: ['x', 'y'], want: false },
  { name: 'ForAnyValue, single string value is a one-element set', op: 'ForAnyValue:StringEquals', values: ['a'], value: 'a', want: true },
  { name: 'ForAnyValue negated, one value not listed → true', op: 'ForAnyValue:StringNotEquals', values: ['a'], value: ['a', 'b'], want: true },
  { name: 'ForAnyValue negated, all values listed → false', op: 'ForAnyValue:StringNotEquals', values: ['a', 'b'], value: ['a', 'b'], want: false },

  // ForAllValues
  { name: 'ForAllValues, missing key → true', op: 'ForAllValues:StringEquals', values: ['a'], want: true },
  { name: 'ForAllValues, empty list → true', op: 'ForAllValues:StringEquals', values: ['a'], value: [], want: true },
  { name: 'ForAllValues, empty string → true (empty data set)', op: 'ForAllValues:StringEquals', values: ['a'], value: '', want: true },
  { name: 'ForAllValues negated, missing key → true', op: 'ForAllValues:StringNotEquals', values: ['a'], want: true },
  { name: 'ForAllValues IfExists, missing key → true', op: 'ForAllValues:StringEqualsIfExists', values: ['a'], want: true },
  { name: 'ForAllValues, every value listed → true', op: 'ForAllValues:StringEquals', values: ['a', 'b', 'c'], value: ['a', 'c'], want: true },
  { name: 'ForAllValues, one value not listed → false', op: 'ForAllValues:StringEquals', values: ['a', 'b'], value: ['a', 'z'], want: false },
  { name: 'ForAllValues, single string value is a one-element set', op: 'ForAllValues:StringEquals', values: ['a'], value: 'b', want: false },
  { name: 'ForAllValues negated, no value listed → true', op: 'ForAllValues:StringNotEquals', values: ['a'], value: ['b', 'c'], want: true },
  { name: 'ForAllValues negated, one value listed → false', op: 'ForAllValues:StringNotEquals', values: ['a'], value: ['b', 'a'], want: false },

  // Other families through the same rules
  { name: 'ForAllValues:NumericLessThan, missing → true', op: 'ForAllValues:NumericLessThan', values: ['5'], want: true },
  { name: 'ForAnyValue:IpAddress, missing → false', op: 'ForAnyValue:IpAddress', values: ['10.0.0.0/8'], want: false },
  { name: 'ForAnyValue:IpAddress, one inside', op: 'ForAnyValue:IpAddress', values: ['10.0.0.0/8'], value: ['192.0.2.1', '10.9.9.9'], want: true },
  { name: 'ForAllValues:NotIpAddress, one inside → false', op: 'ForAllValues:NotIpAddress', values: ['10.0.0.0/8'], value: ['192.0.2.1', '10.9.9.9'], want: false },
];

describe('missing keys, IfExists and set operators', () => {
  for (const c of cases) it(c.name, () => check(c));

  it('looks the key up case-insensitively (the context holds it lower-cased)', () => {
    const r = compileCondition({ operator: 'StringEquals', key: 'AWS:UserName', values: ['alice'] }, '2012-10-17', []);
    assert.ok(r.ok);
    assert.equal(r.condition.key, 'aws:username');
    assert.equal(r.condition.keyAsWritten, 'AWS:UserName');
    assert.equal(r.condition.test({ 'aws:username': 'alice' }), true);
  });

  it('does not treat inherited properties of a plain-object context as keys', () => {
    for (const key of ['constructor', '__proto__', 'toString']) {
      const r = compileCondition({ operator: 'Null', key, values: ['true'] }, '2012-10-17', []);
      assert.ok(r.ok);
      assert.equal(r.condition.test({}), true, key);
      const s = compileCondition({ operator: 'StringNotLike', key, values: ['*'] }, '2012-10-17', []);
      assert.ok(s.ok);
      assert.equal(s.condition.test({}), true, key);
    }
  });

  it('never treats a key as holding variables', () => {
    const r = compileCondition({ operator: 'StringEquals', key: '${aws:username}', values: ['x'] }, '2012-10-17', []);
    assert.ok(r.ok);
    assert.equal(r.condition.test({ '${aws:username}': 'x', 'aws:username': 'y' }), true);
  });
});
