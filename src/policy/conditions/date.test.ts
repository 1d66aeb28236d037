import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseDate } from './date.js';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

describe('parseDate', () => {
  const cases: { name: string; text: string; want: number }[] = [
    { name: 'a UTC date-time', text: '2020-01-01T00:00:01Z', want: Date.UTC(2020, 0, 1, 0, 0, 1) },
    { name: 'a date', text: '2013-12-15', want: Date.UTC(2013, 11, 15) },
    { name: 'a year and month', text: '2013-12', want: Date.UTC(2013, 11, 1) },
    { name: 'minutes only', text: '2013-12-15T12:30Z', want: Date.UTC(2013, 11, 15, 12, 30) },
    { name: 'no zone is UTC', text: '2013-12-15T12:00:00', want: Date.UTC(2013, 11, 15, 12) },
    { name: 'a positive offset', text: '2013-12-15T12:00:00+01:00', want: Date.UTC(2013, 11, 15, 11) },
    { name: 'a negative offset without colon', text: '2013-12-15T12:00:00-0130', want: Date.UTC(2013, 11, 15, 13, 30) },
    { name: 'an hour-only offset', text: '2013-12-15T12:00:00+02', want: Date.UTC(2013, 11, 15, 10) },
    { name: 'fractional seconds', text: '2013-12-15T12:00:00.25Z', want: Date.UTC(2013, 11, 15, 12, 0, 0, 250) },
    { name: 'epoch seconds', text: '1577836801', want: Date.UTC(2020, 0, 1, 0, 0, 1) },
    { name: 'epoch seconds with a fraction', text: '1.5', want: 1500 },
    { name: 'a leap day', text: '2024-02-29T00:00:00Z', want: Date.UTC(2024, 1, 29) },
    { name: 'a two-digit-era year is not shifted to 19xx', text: '0050-01-01', want: -60589296000000 },
    { name: 'an invalid leap day', text: '2023-02-29', want: NaN },
    { name: 'month 13', text: '2023-13-01', want: NaN },
    { name: 'hour 24', text: '2023-01-01T24:00:00Z', want: NaN },
    { name: 'a time without a day', text: '2023-01T10:00Z', want: NaN },
    { name: 'a trailing character', text: '2023-01-01T10:00:00Zx', want: NaN },
    { name: 'text', text: 'yesterday', want: NaN },
    { name: 'empty', text: '', want: NaN },
  ];
  for (const c of cases) it(c.name, () => assert.equal(parseDate(c.text), c.want));
});

const cases: Case[] = [
  { name: 'DateEquals compares instants across zones', op: 'DateEquals', values: ['2020-01-01T01:00:00+01:00'], value: '2020-01-01T00:00:00Z', want: true },
  { name: 'DateEquals ISO against epoch', op: 'DateEquals', values: ['2020-01-01T00:00:01Z'], value: '1577836801', want: true },
  { name: 'DateEquals JSON number is epoch seconds', op: 'DateEquals', values: [1577836801], value: '2020-01-01T00:00:01Z', want: true },
  { name: 'DateEquals another instant', op: 'DateEquals', values: ['2020-01-01T00:00:00Z'], value: '2020-01-01T00:00:01Z', want: false },
  { name: 'DateNotEquals another instant', op: 'DateNotEquals', values: ['2020-01-01T00:00:00Z'], value: '2020-01-01T00:00:01Z', want: true },
  { name: 'DateNotEquals the same instant', op: 'DateNotEquals', values: ['2020-01-01'], value: '2020-01-01T00:00:00Z', want: false },
  { name: 'DateNotEquals on a missing key is true', op: 'DateNotEquals', values: ['2020-01-01'], want: true },
  { name: 'DateLessThan before', op: 'DateLessThan', values: ['2020-01-01T00:00:00Z'], value: '2019-12-31T23:59:59Z', want: true },
  { name: 'DateLessThan equal', op: 'DateLessThan', values: ['2020-01-01T00:00:00Z'], value: '2020-01-01T00:00:00Z', want: false },
  { name: 'DateLessThanEquals equal', op: 'DateLessThanEquals', values: ['2020-01-01T00:00:00Z'], value: '2020-01-01T00:00:00Z', want: true },
  { name: 'DateGreaterThan after', op: 'DateGreaterThan', values: ['2020-01-01T00:00:01Z'], value: '2020-06-01T00:00:00Z', want: true },
  { name: 'DateGreaterThan before', op: 'DateGreaterThan', values: ['2020-01-01T00:00:01Z'], value: '2019-06-01T00:00:00Z', want: false },
  { name: 'DateGreaterThanEquals equal', op: 'DateGreaterThanEquals', values: ['2020-01-01T00:00:01Z'], value: '1577836801', want: true },
  { name: 'DateGreaterThan with fractional seconds', op: 'DateGreaterThan', values: ['2020-01-01T00:00:00Z'], value: '2020-01-01T00:00:00.001Z', want: true },
  { name: 'DateLessThan with an unparsable request value', op: 'DateLessThan', values: ['2020-01-01'], value: 'soon', want: false },
  { name: 'DateLessThan on a missing key is false', op: 'DateLessThan', values: ['2020-01-01'], want: false },
  { name: 'DateLessThanIfExists on a missing key is true', op: 'DateLessThanIfExists', values: ['2020-01-01'], want: true },
  { name: 'ForAnyValue:DateEquals', op: 'ForAnyValue:DateEquals', values: ['2020-01-01'], value: ['2019-01-01', '2020-01-01T00:00:00Z'], want: true },
];

describe('Date condition operators', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('Date values that are not dates', () => {
  const bad: BadCase[] = [
    { name: 'text', op: 'DateEquals', values: ['tomorrow'], index: 0 },
    { name: 'a wildcard (not permitted)', op: 'DateLessThan', values: ['2020-*'], index: 0 },
    { name: 'a bad month', op: 'DateGreaterThan', values: ['2020-01-01', '2020-13-01'], index: 1 },
    { name: 'a boolean', op: 'DateEquals', values: [false], index: 0 },
    { name: 'a policy variable (not allowed for Date)', op: 'DateLessThan', values: ['${aws:CurrentTime}'], index: 0 },
  ];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));
});
