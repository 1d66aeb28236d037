import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplatePattern, parseTemplate, parseTemplateParts, resolveTemplate, type Template } from './variables.js';
import type { RequestContext } from './types.js';

const ctx: RequestContext = {
  'aws:username': 'alice',
  'aws:userid': 'AIDAEXAMPLE',
  'aws:principaltag/team': 'blue',
  'aws:principaltag/star': 'a*b',
  's3:prefix': 'home/alice/',
  'aws:empty': '',
  'aws:tagkeys': ['a', 'b'],
  'aws:single': ['only'],
};

describe('parseTemplate', () => {
  const cases: { name: string; text: string; allow: boolean; want: Template }[] = [
    { name: 'plain text is a constant', text: 'abc', allow: true, want: { kind: 'constant', text: 'abc' } },
    {
      name: 'variables are literal text in 2008-10-17',
      text: 'home/${aws:username}',
      allow: false,
      want: { kind: 'constant', text: 'home/${aws:username}' },
    },
    { name: 'specials become their characters', text: 'a${*}b${?}c${$}d', allow: true, want: { kind: 'constant', text: 'a*b?c$d' } },
    { name: 'specials stay literal text in 2008-10-17', text: 'a${*}', allow: false, want: { kind: 'constant', text: 'a${*}' } },
    { name: 'unclosed ${ is text', text: 'a${aws:username', allow: true, want: { kind: 'constant', text: 'a${aws:username' } },
    { name: 'empty ${} is text', text: 'a${}b', allow: true, want: { kind: 'constant', text: 'a${}b' } },
    { name: 'a lone $ is text', text: 'cost$5', allow: true, want: { kind: 'constant', text: 'cost$5' } },
    {
      name: 'a variable with a default',
      text: "x/${aws:userid, 'anonymous'}",
      allow: true,
      want: {
        kind: 'template',
        text: "x/${aws:userid, 'anonymous'}",
        parts: [
          { kind: 'text', text: 'x/' },
          { kind: 'variable', key: 'aws:userid', name: 'aws:userid', fallback: 'anonymous' },
        ],
      },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseTemplate(c.text, c.allow), c.want));

  it('lower-cases the key and keeps the name as written', () => {
    assert.deepEqual(parseTemplateParts('${aws:PrincipalTag/Team}', true), [
      { kind: 'variable', key: 'aws:principaltag/team', name: 'aws:PrincipalTag/Team', fallback: undefined },
    ]);
  });

  it('a malformed default leaves the text alone', () => {
    assert.deepEqual(parseTemplate("${aws:userid, anonymous}", true), { kind: 'constant', text: '${aws:userid, anonymous}' });
  });
});

describe('resolveTemplate', () => {
  const cases: { name: string; text: string; allow?: boolean; want: string | undefined }[] = [
    { name: 'resolves aws:username', text: 'home/${aws:username}/', want: 'home/alice/' },
    { name: 'key lookup is case-insensitive', text: '${AWS:UserName}', want: 'alice' },
    { name: 'resolves a principal tag', text: 'team-${aws:PrincipalTag/team}', want: 'team-blue' },
    { name: 'resolves aws:userid', text: '${aws:userid}', want: 'AIDAEXAMPLE' },
    { name: 'resolves a service key', text: '${s3:prefix}*', want: 'home/alice/*' },
    { name: 'resolves two variables', text: '${aws:username}-${aws:PrincipalTag/team}', want: 'alice-blue' },
    { name: 'an empty value resolves to the empty string', text: 'x${aws:empty}y', want: 'xy' },
    { name: 'a missing key does not resolve', text: 'x/${aws:sourceidentity}', want: undefined },
    { name: 'a missing key takes its default', text: "x/${aws:sourceidentity, 'none'}", want: 'x/none' },
    { name: 'default without space after the comma', text: "${aws:sourceidentity,'none'}", want: 'none' },
    { name: 'default may be empty', text: "a${aws:sourceidentity, ''}b", want: 'ab' },
    { name: 'a present key ignores its default', text: "${aws:username, 'nobody'}", want: 'alice' },
    { name: 'a multivalued key does not resolve', text: '${aws:TagKeys}', want: undefined },
    { name: 'a multivalued key does not resolve even with a default', text: "${aws:TagKeys, 'd'}", want: undefined },
    { name: 'a one-element list is still multivalued', text: '${aws:single}', want: undefined },
    { name: 'a resolved star stays a star', text: '${aws:PrincipalTag/star}', want: 'a*b' },
    { name: '2008-10-17 keeps the text', text: '${aws:username}', allow: false, want: '${aws:username}' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(resolveTemplate(parseTemplate(c.text, c.allow ?? true), ctx), c.want));
  }

  it('does not read inherited properties of a plain-object context', () => {
    assert.equal(resolveTemplate(parseTemplate('${constructor}', true), {}), undefined);
    assert.equal(resolveTemplate(parseTemplate('${toString}', true), {}), undefined);
  });
});

describe('compileTemplatePattern', () => {
  const cases: { name: string; pattern: string; input: string; ignoreCase?: boolean; allow?: boolean; want: boolean }[] = [
    { name: 'a written star is a wildcard', pattern: 'home/${aws:username}/*', input: 'home/alice/docs/x', want: true },
    { name: 'another user does not match', pattern: 'home/${aws:username}/*', input: 'home/bob/x', want: false },
    { name: 'a resolved star is literal', pattern: 'p/${aws:PrincipalTag/star}', input: 'p/aXXb', want: false },
    { name: 'a resolved star matches a star', pattern: 'p/${aws:PrincipalTag/star}', input: 'p/a*b', want: true },
    { name: '${*} is a literal star', pattern: 'a${*}', input: 'abc', want: false },
    { name: '${*} matches a star', pattern: 'a${*}', input: 'a*', want: true },
    { name: '${?} is a literal question mark', pattern: 'a${?}', input: 'ab', want: false },
    { name: '${$} is a dollar', pattern: '${$}{x}', input: '${x}', want: true },
    { name: 'an unresolvable variable never matches', pattern: '*${aws:sourceidentity}*', input: 'anything', want: false },
    { name: 'a default resolves', pattern: "${aws:sourceidentity, 'n'}*", input: 'nx', want: true },
    { name: 'is case sensitive', pattern: 'HOME/${aws:username}', input: 'home/alice', want: false },
    { name: 'ignoreCase applies to resolved values', pattern: 'HOME/${aws:username}', input: 'home/ALICE', ignoreCase: true, want: true },
    { name: 'in 2008-10-17 ${…} is text with a wild star', pattern: '${*}', input: '${anything}', allow: false, want: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = compileTemplatePattern(c.pattern, { ignoreCase: c.ignoreCase ?? false, allowVariables: c.allow ?? true });
      assert.equal(p.test(c.input, ctx), c.want);
    });
  }
});

describe('parseTemplate (properties)', () => {
  it('never throws and text without ${ is a constant of itself', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (s, allow) => {
        const t = parseTemplate(s, allow);
        if (!s.includes('${') || !allow) return t.kind === 'constant' && t.text === s;
        return true;
      }),
    );
  });
  it('a resolved value is matched literally', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, other) => {
        const p = compileTemplatePattern('${aws:username}', { ignoreCase: false, allowVariables: true });
        const c = { 'aws:username': value };
        return p.test(value, c) && p.test(other, c) === (other === value);
      }),
    );
  });
});
