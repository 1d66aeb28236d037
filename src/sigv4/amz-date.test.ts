import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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
  test('the calendar check agrees with Date.UTC roll-over for any year, month and day', () => {
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, mo, d) => {
      const ms = Date.UTC(y, mo - 1, d, 1, 2, 3);
      const expected = new Date(ms).getUTCDate() === d ? ms : undefined;
      const text = pad(y, 4) + pad(mo, 2) + pad(d, 2) + 'T010203Z';
      assert.equal(parseAmzDate(text), expected, text);
      assert.equal(parseAmzDate(text), expected, text + ' (again, remembered)');
    }), { numRuns: 3000 });
    for (const text of ['19000229T000000Z', '20000229T000000Z', '00000229T000000Z', '00040229T000000Z', '21000229T000000Z']) {
      const y = Number(text.slice(0, 4));
      const ms = Date.UTC(y, 1, 29);
      assert.equal(parseAmzDate(text), new Date(ms).getUTCDate() === 29 ? ms : undefined, text);
    }
  });
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
