import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatAmzDate, httpDateToAmzDate, parseAmzDate } from './amz-date.js';

describe('formatAmzDate / parseAmzDate', () => {
  test('round trip', () => {
    const d = new Date('2015-08-30T12:36:00Z');
    assert.equal(formatAmzDate(d), '20150830T123600Z');
    assert.equal(parseAmzDate('20150830T123600Z'), d.getTime());
  });
  const invalid = [
    { name: 'extended format', value: '2015-08-30T12:36:00Z' },
    { name: 'no Z', value: '20150830T123600' },
    { name: 'month 13', value: '20151330T123600Z' },
    { name: 'February 31st', value: '20150231T123600Z' },
    { name: 'hour 24', value: '20150830T243600Z' },
    { name: 'letters', value: '2015083aT123600Z' },
    { name: 'empty', value: '' },
  ];
  for (const c of invalid) test(`rejects ${c.name}`, () => assert.equal(parseAmzDate(c.value), undefined));
});

describe('httpDateToAmzDate', () => {
  const cases = [
    { name: 'IMF-fixdate', value: 'Sun, 30 Aug 2015 12:36:00 GMT', expected: '20150830T123600Z' },
    { name: 'ISO basic form in Date', value: '20150830T123600Z', expected: '20150830T123600Z' },
    { name: 'ISO extended with Z', value: '2015-08-30T12:36:00Z', expected: '20150830T123600Z' },
    { name: 'no zone is refused (would depend on the host time zone)', value: 'Sun, 30 Aug 2015 12:36:00', expected: undefined },
    { name: 'garbage', value: 'yesterday', expected: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.equal(httpDateToAmzDate(c.value), c.expected));
});
