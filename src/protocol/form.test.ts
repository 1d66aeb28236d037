import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseForm } from './form.js';

const reference = (text: string): Array<[string, string]> => [...new URLSearchParams(text)];

const cases = [
  '', '?', '??a=1', '?a=1', 'a', 'a=', '=', '=b', '&&a=1&&', 'a=1&a=2', 'a==b', 'a=b=c',
  'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=bench',
  'Tags.member.1.Value=platform+infra&Tags.member.1.Key=owner%40example.com', 'a+b=c+d', '%2B=%2b', 'a=%20+%20',
  // malformed escapes stay literal; invalid UTF-8 becomes U+FFFD
  'a=%7F%7f%3a%3A%00%2F', 'a=%2Fx%C3%A9', 'a=%2F%', 'a=%', 'a=%2', 'a=%zz', 'a=100%', 'a=%C3', 'a=%C3%28', 'a=%C0%80', 'a=%ED%A0%80', 'a=%F4%90%80%80', 'a=%FF', '%=1',
  // literal non-ASCII, alone and next to escapes; lone surrogates
  'a=é', 'a=%C3%A9é', 'a=%C3é', 'a=😀', 'a=%F0%9F%98%80', 'a=\uD800', 'a=\uDC00b', '\uD83D=1', 'a=%EF%BB%BFx',
];

test('parseForm gives URLSearchParams\' pairs for known cases', () => {
  for (const text of cases) assert.deepEqual(parseForm(text), reference(text), JSON.stringify(text));
});

test('parseForm gives URLSearchParams\' pairs for any text', () => {
  const piece = fc.oneof(
    fc.constantFrom('&', '=', '+', '%', '?', '.', 'a', 'Z', '0', '%2', '%41', '%3a', '%7F', '%00', '%C3', '%A9', '%e2%82%ac', '%F0', '%9F', '%ED', '%80', '%zz', 'é', '\uD800', '\uDC00'),
    fc.string({ maxLength: 4, unit: 'binary' }),
  );
  fc.assert(fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
    const text = pieces.join('');
    assert.deepEqual(parseForm(text), reference(text));
  }), { numRuns: 3000 });
});
