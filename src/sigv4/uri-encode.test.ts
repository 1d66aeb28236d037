import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizePath, uriDecode, uriEncode } from './uri-encode.js';

describe('uriEncode', () => {
  const cases: { name: string; input: string; keepSlash: boolean; decodeFirst: boolean; expected: string }[] = [
    { name: 'leaves unreserved characters', input: 'AZaz09-_.~', keepSlash: false, decodeFirst: false, expected: 'AZaz09-_.~' },
    { name: 'encodes a space as %20, never +', input: 'a b', keepSlash: false, decodeFirst: false, expected: 'a%20b' },
    { name: 'encodes a plus sign', input: 'a+b', keepSlash: false, decodeFirst: true, expected: 'a%2Bb' },
    { name: 'encodes reserved characters with uppercase hex', input: "*'()!$&=;:,@", keepSlash: false, decodeFirst: false, expected: '%2A%27%28%29%21%24%26%3D%3B%3A%2C%40' },
    { name: 'keeps slashes in paths', input: '/a/b c/', keepSlash: true, decodeFirst: false, expected: '/a/b%20c/' },
    { name: 'encodes slashes in query values', input: 'a/b', keepSlash: false, decodeFirst: false, expected: 'a%2Fb' },
    { name: 'encodes UTF-8 bytes', input: '\u1234', keepSlash: false, decodeFirst: false, expected: '%E1%88%B4' },
    { name: 'encodes astral characters as four bytes', input: '\u{1F600}', keepSlash: false, decodeFirst: false, expected: '%F0%9F%98%80' },
    { name: 'replaces a lone surrogate instead of throwing', input: 'a\uD800b', keepSlash: false, decodeFirst: false, expected: 'a%EF%BF%BDb' },
    { name: 'double-encodes an encoded path (non-S3 rule)', input: '/a%20b', keepSlash: true, decodeFirst: false, expected: '/a%2520b' },
    { name: 'normalises an encoded value when decoding first', input: 'a%2fb%7e%41', keepSlash: false, decodeFirst: true, expected: 'a%2Fb~A' },
    { name: 'keeps an encoded slash inside a path segment', input: '/a%2Fb', keepSlash: true, decodeFirst: true, expected: '/a%2Fb' },
    { name: 'encodes the % of an invalid escape', input: '%ZZ%4', keepSlash: false, decodeFirst: true, expected: '%25ZZ%254' },
    { name: 'empty stays empty', input: '', keepSlash: false, decodeFirst: true, expected: '' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(uriEncode(c.input, c.keepSlash, c.decodeFirst), c.expected));
  }
});

/** A deliberately plain encoder, byte by byte, to check uriEncode's fast and run-copying paths against. */
function referenceEncode(s: string, keepSlash: boolean, decodeFirst: boolean): string {
  let out = '';
  const byte = (b: number): string => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) && b < 128
    ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'));
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '/' && keepSlash) { out += '/'; continue; }
    if (ch === '%' && decodeFirst && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += byte(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    const cp = s.codePointAt(i) as number;
    const unit = cp > 0xffff ? String.fromCodePoint(cp) : ch;
    if (cp > 0xffff) i++;
    for (const b of Buffer.from(unit, 'utf8')) out += byte(b);
  }
  return out;
}

describe('uriEncode against a plain byte-by-byte encoder', () => {
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.constantFrom('a', 'Z', '9', '-', '_', '.', '~', '/', '%', '%2f', '%2F', '%41', '%7e', '%E1%88%B4', '%ZZ', '%4', ' ', '+', '=', '&', '\uD800', '\uDC00', '\u{1F600}'),
  );
  const input = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
  test('same output for random strings, every flag combination', () => {
    fc.assert(fc.property(input, fc.boolean(), fc.boolean(), (s, keepSlash, decodeFirst) => {
      assert.equal(uriEncode(s, keepSlash, decodeFirst), referenceEncode(s, keepSlash, decodeFirst));
    }), { numRuns: 2000 });
  });
  test('a string of unreserved characters is returned as is', () => {
    const s = 'AKIAIOSFODNN7EXAMPLE-2010_05.08~';
    assert.equal(uriEncode(s, false, true), s);
  });
});

describe('uriDecode', () => {
  const cases = [
    { name: 'decodes UTF-8 escapes', input: '%E1%88%B4', expected: '\u1234' },
    { name: 'keeps + literal', input: 'a+b', expected: 'a+b' },
    { name: 'does not throw on invalid escapes', input: '%ZZ%E1', expected: '%ZZ\uFFFD' },
    { name: 'returns the input without %', input: 'plain', expected: 'plain' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(uriDecode(c.input), c.expected));
  test('equals decodeURIComponent whenever that accepts the input (ASCII-escape shortcut included)', () => {
    const piece = fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }),
      fc.constantFrom('%2F', '%2f', '%41', '%7F', '%80', '%E1%88%B4', '%C3', '%', '%4', '%ZZ', '+', 'a', '\uD800'));
    fc.assert(fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), (v) => {
      let expected: string;
      try { expected = decodeURIComponent(v); } catch { return; }
      assert.equal(uriDecode(v), expected);
    }), { numRuns: 2000 });
  });
});

describe('normalizePath', () => {
  const cases = [
    { name: 'root', input: '/', expected: '/' },
    { name: 'empty becomes root', input: '', expected: '/' },
    { name: 'plain path is untouched', input: '/example/path', expected: '/example/path' },
    { name: 'dot segment', input: '/./example', expected: '/example' },
    { name: 'dot-dot segment', input: '/example/..', expected: '/' },
    { name: 'dot-dot twice', input: '/example1/example2/../..', expected: '/' },
    { name: 'dot-dot above root stays at root', input: '/../../a', expected: '/a' },
    { name: 'collapses empty segments, keeps the trailing slash', input: '//example//', expected: '/example/' },
    { name: 'slash dot slash', input: '/./', expected: '/' },
    { name: 'dots inside names are kept', input: '/a.b/..c/.d', expected: '/a.b/..c/.d' },
    { name: 'relative path gains a leading slash', input: 'a/b', expected: '/a/b' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(normalizePath(c.input), c.expected));
});
