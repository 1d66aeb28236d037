import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './registry.js';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

const hello = Buffer.from('hello').toString('base64'); // aGVsbG8=

const cases: Case[] = [
  { name: 'BinaryEquals the same base64', op: 'BinaryEquals', values: [hello], value: hello, want: true },
  { name: 'BinaryEquals other bytes', op: 'BinaryEquals', values: [hello], value: Buffer.from('world').toString('base64'), want: false },
  { name: 'BinaryEquals compares decoded bytes', op: 'BinaryEquals', values: ['QQ=='], value: 'QR==', want: true },
  { name: 'BinaryEquals is case sensitive (base64 is)', op: 'BinaryEquals', values: ['QmluYXJ5VmFsdWVJbkJhc2U2NA=='], value: 'qmluyxj5vmfsdwvjbkjhc2u2na==', want: false },
  { name: 'BinaryEquals with an invalid request value', op: 'BinaryEquals', values: [hello], value: 'not base64!', want: false },
  { name: 'BinaryEquals ORs values', op: 'BinaryEquals', values: ['QQ==', hello], value: hello, want: true },
  { name: 'BinaryEquals on a missing key is false', op: 'BinaryEquals', values: [hello], want: false },
  { name: 'BinaryEqualsIfExists on a missing key is true', op: 'BinaryEqualsIfExists', values: [hello], want: true },
  { name: 'BinaryEquals of empty bytes', op: 'BinaryEquals', values: [''], value: '', want: true },
];

describe('BinaryEquals condition operator', () => {
  for (const c of cases) it(c.name, () => check(c));
  it('has no BinaryNotEquals (AWS documents none)', () => {
    const r = compileCondition({ operator: 'BinaryNotEquals', key: 'k', values: [hello] }, '2012-10-17', []);
    assert.equal(r.ok, false);
  });
});

describe('Binary values that are not base64', () => {
  const bad: BadCase[] = [
    { name: 'a non-alphabet character', op: 'BinaryEquals', values: ['a!b='], index: 0 },
    { name: 'missing padding', op: 'BinaryEquals', values: ['aGVsbG8'], index: 0 },
    { name: 'a number', op: 'BinaryEquals', values: [hello, 12], index: 1 },
    { name: 'URL-safe alphabet', op: 'BinaryEquals', values: ['a-_b'], index: 0 },
  ];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));
});
