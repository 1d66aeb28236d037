import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import type { RequestContext } from './types.js';
import { check, type Case } from './table-harness.js';

const vars: RequestContext = { 'aws:username': 'alice', 'aws:principaltag/team': 'a*b', 'aws:tagkeys': ['x', 'y'] };

const cases: Case[] = [
  // StringEquals / StringNotEquals
  { name: 'StringEquals matches the same text', op: 'StringEquals', values: ['abc'], value: 'abc', want: true },
  { name: 'StringEquals is case sensitive', op: 'StringEquals', values: ['abc'], value: 'ABC', want: false },
  { name: 'StringEquals with several values is case sensitive', op: 'StringEquals', values: ['x', 'abc'], value: 'ABC', want: false },
  { name: 'StringEquals with many values is case sensitive', op: 'StringEquals', values: 'abcdefghijkl'.split(''), value: 'K', want: false },
  { name: 'StringEquals treats * literally', op: 'StringEquals', values: ['a*'], value: 'abc', want: false },
  { name: 'StringEquals matches a literal *', op: 'StringEquals', values: ['a*'], value: 'a*', want: true },
  { name: 'StringEquals ORs its values', op: 'StringEquals', values: ['x', 'y', 'abc'], value: 'abc', want: true },
  { name: 'StringEquals with many values (set lookup)', op: 'StringEquals', values: 'abcdefghijkl'.split(''), value: 'k', want: true },
  { name: 'StringEquals with many values rejects', op: 'StringEquals', values: 'abcdefghijkl'.split(''), value: 'z', want: false },
  { name: 'StringEquals matches the empty string', op: 'StringEquals', values: [''], value: '', want: true },
  { name: 'StringEquals compares a JSON number as its text', op: 'StringEquals', values: [10], value: '10', want: true },
  { name: 'StringEquals compares a JSON boolean as its text', op: 'StringEquals', values: [true], value: 'true', want: true },
  { name: 'StringEquals on a missing key is false', op: 'StringEquals', values: ['abc'], want: false },
  { name: 'StringNotEquals is true when no value matches', op: 'StringNotEquals', values: ['x', 'y'], value: 'abc', want: true },
  { name: 'StringNotEquals is false when one value matches', op: 'StringNotEquals', values: ['x', 'abc'], value: 'abc', want: false },
  { name: 'StringNotEquals is case sensitive', op: 'StringNotEquals', values: ['abc'], value: 'ABC', want: true },
  { name: 'StringNotEquals on a missing key is true', op: 'StringNotEquals', values: ['abc'], want: true },

  // IgnoreCase
  { name: 'StringEqualsIgnoreCase ignores case', op: 'StringEqualsIgnoreCase', values: ['JohnDoe'], value: 'johndoe', want: true },
  { name: 'StringEqualsIgnoreCase still compares the text', op: 'StringEqualsIgnoreCase', values: ['JohnDoe'], value: 'janedoe', want: false },
  { name: 'StringEqualsIgnoreCase non-ASCII', op: 'StringEqualsIgnoreCase', values: ['ÉTÉ'], value: 'été', want: true },
  { name: 'StringEqualsIgnoreCase treats * literally', op: 'StringEqualsIgnoreCase', values: ['a*'], value: 'ab', want: false },
  { name: 'StringNotEqualsIgnoreCase is false for another case', op: 'StringNotEqualsIgnoreCase', values: ['ABC'], value: 'abc', want: false },
  { name: 'StringNotEqualsIgnoreCase is true for other text', op: 'StringNotEqualsIgnoreCase', values: ['ABC'], value: 'abd', want: true },
  { name: 'StringNotEqualsIgnoreCase on a missing key is true', op: 'StringNotEqualsIgnoreCase', values: ['ABC'], want: true },

  // StringLike / StringNotLike
  { name: 'StringLike with *', op: 'StringLike', values: ['t2.*'], value: 't2.micro', want: true },
  { name: 'StringLike with ?', op: 'StringLike', values: ['t?.micro'], value: 't3.micro', want: true },
  { name: 'StringLike is case sensitive', op: 'StringLike', values: ['T2.*'], value: 't2.micro', want: false },
  { name: 'StringLike without wildcards is equality', op: 'StringLike', values: ['home/'], value: 'home/x', want: false },
  { name: 'StringLike empty pattern matches the empty string', op: 'StringLike', values: ['', 'home/'], value: '', want: true },
  { name: 'StringLike on a missing key is false', op: 'StringLike', values: ['*'], want: false },
  { name: 'StringNotLike is true when no pattern matches', op: 'StringNotLike', values: ['t1.*', 't2.*'], value: 'm5.large', want: true },
  { name: 'StringNotLike is false when a pattern matches', op: 'StringNotLike', values: ['t1.*', 'm5.*'], value: 'm5.large', want: false },
  { name: 'StringNotLike on a missing key is true', op: 'StringNotLike', values: ['*'], want: true },

  // Policy variables
  { name: 'StringEquals resolves a variable', op: 'StringEquals', values: ['${aws:username}'], value: 'alice', ctx: vars, want: true },
  { name: 'StringEquals variable for another user', op: 'StringEquals', values: ['${aws:username}'], value: 'bob', ctx: vars, want: false },
  { name: 'variables are literal in 2008-10-17', op: 'StringEquals', values: ['${aws:username}'], value: '${aws:username}', ctx: vars, version: '2008-10-17', want: true },
  { name: 'variables do not resolve in 2008-10-17', op: 'StringEquals', values: ['${aws:username}'], value: 'alice', ctx: vars, version: '2008-10-17', want: false },
  { name: 'an unresolvable variable does not match', op: 'StringEquals', values: ['${aws:userid}'], value: '', ctx: vars, want: false },
  { name: 'an unresolvable variable is skipped, other values still count', op: 'StringEquals', values: ['${aws:userid}', 'x'], value: 'x', ctx: vars, want: true },
  { name: 'a default value is used when the key is missing', op: 'StringEquals', values: ["${aws:userid, 'anonymous'}"], value: 'anonymous', ctx: vars, want: true },
  { name: 'a multivalued variable does not resolve', op: 'StringEquals', values: ['${aws:TagKeys}'], value: 'x', ctx: vars, want: false },
  { name: 'StringNotEquals with an unresolvable variable is true', op: 'StringNotEquals', values: ['${aws:userid}'], value: 'x', ctx: vars, want: true },
  { name: 'StringEqualsIgnoreCase resolves a variable', op: 'StringEqualsIgnoreCase', values: ['${aws:username}'], value: 'ALICE', ctx: vars, want: true },
  { name: 'StringLike with a variable and a wildcard', op: 'StringLike', values: ['home/${aws:username}/*'], value: 'home/alice/x', ctx: vars, want: true },
  { name: 'StringLike resolved star is literal', op: 'StringLike', values: ['${aws:PrincipalTag/team}'], value: 'aXb', ctx: vars, want: false },
  { name: 'StringLike resolved star matches itself', op: 'StringLike', values: ['${aws:PrincipalTag/team}'], value: 'a*b', ctx: vars, want: true },
  { name: 'StringLike ${*} is a literal star', op: 'StringLike', values: ['a${*}'], value: 'abc', want: false },
  { name: 'StringEquals ${*} is a star', op: 'StringEquals', values: ['a${*}'], value: 'a*', want: true },
  { name: 'StringNotLike with an unresolvable variable is true', op: 'StringNotLike', values: ['${aws:userid}*'], value: 'x', ctx: vars, want: true },

  // IfExists
  { name: 'StringEqualsIfExists is true when the key is missing', op: 'StringEqualsIfExists', values: ['abc'], want: true },
  { name: 'StringEqualsIfExists compares a present key', op: 'StringEqualsIfExists', values: ['abc'], value: 'x', want: false },
  { name: 'StringNotLikeIfExists compares a present key', op: 'StringNotLikeIfExists', values: ['a*'], value: 'abc', want: false },
  { name: 'StringNotLikeIfExists is true when the key is missing', op: 'StringNotLikeIfExists', values: ['a*'], want: true },

  // Lists
  { name: 'StringEquals with a list value matches when some value matches', op: 'StringEquals', values: ['b'], value: ['a', 'b'], want: true },
  { name: 'StringEquals with a list value and no match', op: 'StringEquals', values: ['c'], value: ['a', 'b'], want: false },
  { name: 'StringNotEquals with a list value is false when some value matches', op: 'StringNotEquals', values: ['b'], value: ['a', 'b'], want: false },
  { name: 'StringNotEquals with a list value is true when none matches', op: 'StringNotEquals', values: ['c'], value: ['a', 'b'], want: true },
  { name: 'an empty list is a missing key', op: 'StringEquals', values: ['a'], value: [], want: false },
  { name: 'an empty list is a missing key for negated operators', op: 'StringNotEquals', values: ['a'], value: [], want: true },
  { name: 'ForAllValues:StringLike holds when every value matches', op: 'ForAllValues:StringLike', values: ['Post*', 'Message'], value: ['PostDateTime', 'Message'], want: true },
  { name: 'ForAllValues:StringLike fails when one value does not match', op: 'ForAllValues:StringLike', values: ['PostDateTime', 'Message', 'Tags'], value: ['PostDateTime', 'UserName'], want: false },
  { name: 'ForAnyValue:StringLike holds when one value matches', op: 'ForAnyValue:StringLike', values: ['ID', 'PostDateTime'], value: ['UserName', 'Message', 'PostDateTime'], want: true },
  { name: 'ForAnyValue:StringEqualsIgnoreCase', op: 'ForAnyValue:StringEqualsIgnoreCase', values: ['ID'], value: ['x', 'id'], want: true },
  { name: 'ForAllValues:StringNotEquals holds when no value is listed', op: 'ForAllValues:StringNotEquals', values: ['secret'], value: ['a', 'b'], want: true },
  { name: 'ForAllValues:StringNotEquals fails when one value is listed', op: 'ForAllValues:StringNotEquals', values: ['secret'], value: ['a', 'secret'], want: false },
  { name: 'ForAnyValue:StringNotEquals holds when one value is not listed', op: 'ForAnyValue:StringNotEquals', values: ['secret'], value: ['secret', 'b'], want: true },
  { name: 'ForAnyValue:StringNotEquals fails when all values are listed', op: 'ForAnyValue:StringNotEquals', values: ['secret'], value: ['secret'], want: false },
];

describe('String condition operators', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('String condition values that are not scalars', () => {
  const bad: { name: string; values: unknown[]; index: number }[] = [
    { name: 'an object value', values: ['a', { x: 1 }], index: 1 },
    { name: 'a null value', values: [null], index: 0 },
    { name: 'a nested list', values: [['a']], index: 0 },
  ];
  for (const c of bad) {
    it(`reports ${c.name}`, () => {
      const r = compileCondition({ operator: 'StringEquals', key: 'aws:username', values: c.values as never }, '2012-10-17', ['Statement', 0, 'Condition', 'StringEquals', 'aws:username']);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.issues[0].code, 'invalid_condition_value');
      assert.deepEqual(r.issues[0].path, ['Statement', 0, 'Condition', 'StringEquals', 'aws:username', c.index]);
    });
  }
});
