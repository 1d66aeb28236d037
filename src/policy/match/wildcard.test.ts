import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildGlobProgram, compileWildcard, equalsIgnoreCase, matchGlob, matchGlobRange, parseGlob } from './wildcard.js';

interface Case {
  name: string;
  pattern: string;
  input: string;
  ignoreCase?: boolean;
  want: boolean;
}

const cases: Case[] = [
  { name: 'exact text matches itself', pattern: 'abc', input: 'abc', want: true },
  { name: 'exact text is case sensitive', pattern: 'abc', input: 'ABC', want: false },
  { name: 'exact text does not match a longer input', pattern: 'abc', input: 'abcd', want: false },
  { name: 'empty pattern matches only the empty string', pattern: '', input: '', want: true },
  { name: 'empty pattern does not match text', pattern: '', input: 'a', want: false },
  { name: 'star alone matches the empty string', pattern: '*', input: '', want: true },
  { name: 'star alone matches anything', pattern: '*', input: 'a:b/c*?', want: true },
  { name: 'double star matches anything', pattern: '**', input: 'xyz', want: true },
  { name: 'prefix star matches the prefix itself', pattern: 'abc*', input: 'abc', want: true },
  { name: 'prefix star matches a longer text', pattern: 'abc*', input: 'abcdef', want: true },
  { name: 'prefix star rejects another prefix', pattern: 'abc*', input: 'abxdef', want: false },
  { name: 'suffix star matches', pattern: '*.txt', input: 'a/b.txt', want: true },
  { name: 'suffix star rejects', pattern: '*.txt', input: 'a/b.txt2', want: false },
  { name: 'infix star matches', pattern: '*mid*', input: 'xxmidyy', want: true },
  { name: 'infix star rejects', pattern: '*mid*', input: 'xxmdyy', want: false },
  { name: 'head and tail need room for both', pattern: 'ab*ba', input: 'aba', want: false },
  { name: 'head and tail with empty middle', pattern: 'ab*ba', input: 'abba', want: true },
  { name: 'question mark matches exactly one character', pattern: 'a?c', input: 'abc', want: true },
  { name: 'question mark does not match zero characters', pattern: 'a?c', input: 'ac', want: false },
  { name: 'question mark does not match two characters', pattern: 'a?c', input: 'abbc', want: false },
  { name: 'question mark matches a star in the input', pattern: 'a?c', input: 'a*c', want: true },
  { name: 'mixed wildcards', pattern: 's3:?et*Object*', input: 's3:getBucketObjectAcl', want: true },
  { name: 'middle chunks in order', pattern: '*a*b*c*', input: 'xaybzc', want: true },
  { name: 'middle chunks out of order', pattern: '*a*b*c*', input: 'xcybza', want: false },
  { name: 'question marks inside a middle chunk', pattern: '*a?c*', input: 'zzabxazcqq', want: true },
  { name: 'leftmost middle match leaves room for the tail', pattern: '*ab*b', input: 'abab', want: true },
  { name: 'a middle chunk must end before the tail', pattern: '*a*a', input: 'ba', want: false },
  { name: 'overlapping tail', pattern: '*aa', input: 'aaa', want: true },
  { name: 'star is literal in the input', pattern: 'a*', input: '*', want: false },
  { name: 'ignoreCase exact', pattern: 'AbC', input: 'aBc', ignoreCase: true, want: true },
  { name: 'ignoreCase exact rejects', pattern: 'AbC', input: 'aBd', ignoreCase: true, want: false },
  { name: 'ignoreCase prefix', pattern: 'S3:Get*', input: 's3:GETOBJECT', ignoreCase: true, want: true },
  { name: 'ignoreCase non-ASCII', pattern: 'ÄBC', input: 'äbc', ignoreCase: true, want: true },
  { name: 'surrogate pair is two code units for ?', pattern: 'a??b', input: 'a😀b', want: true },
];

describe('compileWildcard', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(compileWildcard(c.pattern, { ignoreCase: c.ignoreCase ?? false })(c.input), c.want);
    });
  }

  it('is linear on a pathological pattern', () => {
    // A backtracking matcher takes exponential time here; ours answers at once.
    const pattern = '*a'.repeat(30) + 'b';
    const input = 'a'.repeat(5000);
    const t0 = process.hrtime.bigint();
    assert.equal(compileWildcard(pattern, { ignoreCase: false })(input), false);
    assert.ok(process.hrtime.bigint() - t0 < 2_000_000_000n);
  });
});

describe('literal pieces', () => {
  it('treats * and ? in a literal piece as characters', () => {
    const prog = buildGlobProgram([
      { text: 'a', wild: true },
      { text: '*?', wild: false },
      { text: '*', wild: true },
    ]);
    assert.equal(matchGlob(prog, 'a*?zzz'), true);
    assert.equal(matchGlob(prog, 'abczzz'), false);
  });

  it('matches a range of a longer string', () => {
    const prog = parseGlob('b*d');
    assert.equal(matchGlobRange(prog, 'abcde', 1, 4), true);
    assert.equal(matchGlobRange(prog, 'abcde', 1, 5), false);
  });
});

describe('equalsIgnoreCase', () => {
  const eq: { name: string; s: string; lower: string; want: boolean }[] = [
    { name: 'ASCII folded', s: 'JohnDoe', lower: 'johndoe', want: true },
    { name: 'different length', s: 'John', lower: 'johndoe', want: false },
    { name: 'non-letters are not folded', s: '[', lower: '{', want: false },
    { name: 'non-ASCII uses toLowerCase', s: 'ÉTÉ', lower: 'été', want: true },
  ];
  for (const c of eq) it(c.name, () => assert.equal(equalsIgnoreCase(c.s, c.lower), c.want));
});

// A reference matcher by dynamic programming, obviously correct and slow.
function reference(pattern: string, s: string): boolean {
  const m = pattern.length;
  const n = s.length;
  let prev = new Array<boolean>(n + 1).fill(false);
  prev[0] = true;
  for (let i = 1; i <= m; i++) {
    const cur = new Array<boolean>(n + 1).fill(false);
    const p = pattern[i - 1];
    if (p === '*') cur[0] = prev[0];
    for (let j = 1; j <= n; j++) {
      if (p === '*') cur[j] = prev[j] || cur[j - 1];
      else cur[j] = prev[j - 1] && (p === '?' || p === s[j - 1]);
    }
    prev = cur;
  }
  return prev[n];
}

describe('compileWildcard (properties)', () => {
  const alphabet = fc.constantFrom('a', 'b', '*', '?', ':');
  const text = fc.constantFrom('a', 'b', ':');
  it('agrees with a reference matcher', () => {
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(text, { maxLength: 10 }), (p, s) => {
        const pattern = p.join('');
        const input = s.join('');
        return compileWildcard(pattern, { ignoreCase: false })(input) === reference(pattern, input);
      }),
      { numRuns: 3000 },
    );
  });
});
