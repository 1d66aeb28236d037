import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, encodeBase64, formatIso8601, formatTimestamp, parseTimestamp } from './scalars.js';

const at = (iso: string): number => Date.parse(iso);

const parses: Array<{ name: string; raw: string | number; format: 'iso8601' | 'unixTimestamp' | 'rfc822'; ms?: number }> = [
  { name: 'ISO 8601 with Z', raw: '2015-01-25T08:00:00Z', format: 'iso8601', ms: at('2015-01-25T08:00:00Z') },
  { name: 'ISO 8601 with fraction', raw: '2000-01-02T20:34:56.123Z', format: 'iso8601', ms: 946845296123 },
  { name: 'ISO 8601 with offset', raw: '2019-12-17T00:48:18+01:00', format: 'iso8601', ms: 1576540098000 },
  { name: 'ISO 8601 without zone is UTC', raw: '2015-01-25T08:00:00', format: 'iso8601', ms: at('2015-01-25T08:00:00Z') },
  { name: 'date only', raw: '2015-01-25', format: 'iso8601', ms: at('2015-01-25T00:00:00Z') },
  { name: 'epoch seconds text', raw: '1422172800', format: 'unixTimestamp', ms: 1422172800000 },
  { name: 'epoch seconds number', raw: 1422172800.5, format: 'unixTimestamp', ms: 1422172800500 },
  { name: 'HTTP-date', raw: 'Tue, 29 Apr 2014 18:30:38 GMT', format: 'rfc822', ms: 1398796238000 },
  { name: 'calendar overflow is no date', raw: '2015-02-30T00:00:00Z', format: 'iso8601' },
  { name: 'text is no date', raw: 'yesterday', format: 'iso8601' },
  { name: 'empty is no date', raw: '', format: 'unixTimestamp' },
];

for (const c of parses) {
  test(`parseTimestamp: ${c.name}`, () => {
    assert.equal(parseTimestamp(c.raw, c.format)?.getTime(), c.ms);
  });
}

test('formatTimestamp: each format', () => {
  const d = new Date(1398796238000);
  assert.equal(formatTimestamp(d, 'iso8601'), '2014-04-29T18:30:38Z');
  assert.equal(formatTimestamp(d, 'unixTimestamp'), 1398796238);
  assert.equal(formatTimestamp(d, 'rfc822'), 'Tue, 29 Apr 2014 18:30:38 GMT');
  assert.equal(formatIso8601(new Date(946845296123)), '2000-01-02T20:34:56.123Z');
});

test('base64: strict decoding, both ways', () => {
  assert.equal(Buffer.from(decodeBase64('dmFsdWU=') as Uint8Array).toString(), 'value');
  assert.equal(Buffer.from(decodeBase64('dmFsdWU') as Uint8Array).toString(), 'value');
  assert.equal(decodeBase64('not base64!'), undefined);
  assert.equal(decodeBase64('a'), undefined);
  assert.equal(encodeBase64('value'), 'dmFsdWU=');
  assert.equal(encodeBase64(new Uint8Array([0, 255])), 'AP8=');
});
