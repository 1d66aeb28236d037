import { describe, it } from 'node:test';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

const cases: Case[] = [
  { name: 'NumericEquals integers', op: 'NumericEquals', values: ['10'], value: '10', want: true },
  { name: 'NumericEquals compares values, not text', op: 'NumericEquals', values: ['10'], value: '10.0', want: true },
  { name: 'NumericEquals decimals', op: 'NumericEquals', values: ['1.5'], value: '1.50', want: true },
  { name: 'NumericEquals with a JSON number', op: 'NumericEquals', values: [10], value: '10', want: true },
  { name: 'NumericEquals with a sign', op: 'NumericEquals', values: ['-3'], value: '-3.0', want: true },
  { name: 'NumericEquals rejects other numbers', op: 'NumericEquals', values: ['10'], value: '11', want: false },
  { name: 'NumericEquals ORs values', op: 'NumericEquals', values: ['1', '2', '3'], value: '2', want: true },
  { name: 'NumericEquals with a non-numeric request value', op: 'NumericEquals', values: ['10'], value: 'ten', want: false },
  { name: 'NumericEquals on a missing key is false', op: 'NumericEquals', values: ['10'], want: false },
  { name: 'NumericNotEquals true for another number', op: 'NumericNotEquals', values: ['10'], value: '11', want: true },
  { name: 'NumericNotEquals false for an equal number', op: 'NumericNotEquals', values: ['10'], value: '10.00', want: false },
  { name: 'NumericNotEquals is NOR over its values', op: 'NumericNotEquals', values: ['1', '2'], value: '2', want: false },
  { name: 'NumericNotEquals on a missing key is true', op: 'NumericNotEquals', values: ['10'], want: true },
  { name: 'NumericLessThan below', op: 'NumericLessThan', values: ['10'], value: '9.99', want: true },
  { name: 'NumericLessThan equal is not less', op: 'NumericLessThan', values: ['10'], value: '10', want: false },
  { name: 'NumericLessThanEquals equal', op: 'NumericLessThanEquals', values: ['10'], value: '10', want: true },
  { name: 'NumericLessThanEquals above', op: 'NumericLessThanEquals', values: ['10'], value: '11', want: false },
  { name: 'NumericGreaterThan above', op: 'NumericGreaterThan', values: ['10'], value: '10.5', want: true },
  { name: 'NumericGreaterThan equal is not greater', op: 'NumericGreaterThan', values: ['10'], value: '10', want: false },
  { name: 'NumericGreaterThan negative numbers', op: 'NumericGreaterThan', values: ['-5'], value: '-4', want: true },
  { name: 'NumericGreaterThanEquals equal', op: 'NumericGreaterThanEquals', values: ['10'], value: '10', want: true },
  { name: 'NumericGreaterThanEquals below', op: 'NumericGreaterThanEquals', values: ['10'], value: '9', want: false },
  { name: 'NumericLessThanEquals with s3:max-keys', op: 'NumericLessThanEquals', values: ['10'], value: '100', want: false },
  { name: 'NumericLessThanIfExists on a missing key', op: 'NumericLessThanIfExists', values: ['10'], want: true },
  { name: 'NumericLessThanIfExists on a present key', op: 'NumericLessThanIfExists', values: ['10'], value: '20', want: false },
  { name: 'ForAnyValue:NumericEquals', op: 'ForAnyValue:NumericEquals', values: ['2'], value: ['1', '2.0'], want: true },
  { name: 'ForAllValues:NumericLessThan', op: 'ForAllValues:NumericLessThan', values: ['3'], value: ['1', '2', '5'], want: false },
  { name: 'a leading dot is a number', op: 'NumericEquals', values: ['.5'], value: '0.5', want: true },
  { name: 'a request value with spaces is not a number', op: 'NumericEquals', values: ['5'], value: ' 5', want: false },
];

describe('Numeric condition operators', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('Numeric values that are not numbers', () => {
  const bad: BadCase[] = [
    { name: 'text', op: 'NumericEquals', values: ['ten'], index: 0 },
    { name: 'an empty string', op: 'NumericLessThan', values: ['1', ''], index: 1 },
    { name: 'a boolean', op: 'NumericEquals', values: [true], index: 0 },
    { name: 'a lone sign', op: 'NumericEquals', values: ['-'], index: 0 },
    { name: 'a lone dot', op: 'NumericEquals', values: ['.'], index: 0 },
    { name: 'a policy variable (not allowed for Numeric)', op: 'NumericEquals', values: ['${aws:MultiFactorAuthAge}'], index: 0 },
    { name: 'hexadecimal', op: 'NumericEquals', values: ['0x10'], index: 0 },
  ];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));
});
