import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileArnPattern, splitArn } from './arn.js';
import type { RequestContext } from '../types.js';

describe('splitArn', () => {
  const cases: { name: string; arn: string; want: readonly string[] | undefined }[] = [
    {
      name: 'splits an IAM user ARN',
      arn: 'arn:aws:iam::111122223333:user/division/alice',
      want: ['arn', 'aws', 'iam', '', '111122223333', 'user/division/alice'],
    },
    {
      name: 'keeps colons in the resource segment',
      arn: 'arn:aws:logs:us-east-1:111122223333:log-group:my-group:*',
      want: ['arn', 'aws', 'logs', 'us-east-1', '111122223333', 'log-group:my-group:*'],
    },
    { name: 'S3 ARN with empty region and account', arn: 'arn:aws:s3:::bucket/key', want: ['arn', 'aws', 's3', '', '', 'bucket/key'] },
    { name: 'rejects fewer than six segments', arn: 'arn:aws:s3::bucket', want: undefined },
    { name: 'rejects text that is not an ARN', arn: '*', want: undefined },
    { name: 'rejects a wrong prefix', arn: 'urn:aws:s3:::b', want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(splitArn(c.arn), c.want));
});

const ctx: RequestContext = {
  'aws:username': 'alice',
  'aws:principaltag/team': 'a*b',
  'aws:tagkeys': ['x', 'y'],
};

interface Case {
  name: string;
  pattern: string;
  value: string;
  want: boolean;
  vars?: boolean;
}

const cases: Case[] = [
  { name: 'star alone matches any ARN', pattern: '*', value: 'arn:aws:s3:::b', want: true },
  { name: 'star alone matches a non-ARN', pattern: '*', value: '*', want: true },
  { name: 'exact ARN matches', pattern: 'arn:aws:iam::111122223333:user/Bob', value: 'arn:aws:iam::111122223333:user/Bob', want: true },
  { name: 'is case sensitive', pattern: 'arn:aws:iam::111122223333:user/Bob', value: 'arn:aws:iam::111122223333:user/bob', want: false },
  { name: 'star in the resource segment spans slashes', pattern: 'arn:aws:s3:::bucket/*', value: 'arn:aws:s3:::bucket/a/b/c', want: true },
  { name: 'star in the resource segment spans colons', pattern: 'arn:aws:logs:*:*:log-group:*', value: 'arn:aws:logs:us-east-1:1:log-group:g:log-stream:s', want: true },
  { name: 'several stars in the resource segment', pattern: 'arn:aws:s3:::bucket/*/test/*', value: 'arn:aws:s3:::bucket/a/b/test/c', want: true },
  { name: 'star in the region segment matches a region', pattern: 'arn:aws:ec2:*:111122223333:instance/*', value: 'arn:aws:ec2:us-east-1:111122223333:instance/i-1', want: true },
  {
    // The AWS documentation's own example: ArnLike does not let the first * cross colons.
    name: 'a star in a middle segment does not cross colons',
    pattern: 'arn:aws:someservice:*:111122223333:finance/*',
    value: 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt',
    want: false,
  },
  { name: 'question mark in a segment', pattern: 'arn:aws:iam::11112222333?:user/*', value: 'arn:aws:iam::111122223333:user/x', want: true },
  { name: 'question mark does not match a colon', pattern: 'arn:aws:iam:?:111122223333:user/x', value: 'arn:aws:iam::111122223333:user/x', want: false },
  { name: 'empty region must be empty', pattern: 'arn:aws:iam::*:user/x', value: 'arn:aws:iam:us-east-1:1:user/x', want: false },
  { name: 'short pattern ending in star matches the rest', pattern: 'arn:aws:s3:*', value: 'arn:aws:s3:::bucket/k', want: true },
  { name: 'short pattern ending in star checks earlier segments', pattern: 'arn:aws:s3:*', value: 'arn:aws:sqs:us-east-1:1:q', want: false },
  { name: 'short pattern without star needs as many segments', pattern: 'arn:aws:s3', value: 'arn:aws:s3:::b', want: false },
  { name: 'short pattern without star rejects extra colons', pattern: 'foo:b?', value: 'foo:b:', want: false },
  { name: 'short pattern without star matches as many segments', pattern: 'foo:b?', value: 'foo:bx', want: true },
  { name: 'non-ARN value against an ARN pattern', pattern: 'arn:aws:s3:::*', value: 'bucket', want: false },
  { name: 'ARN pattern against a shorter value', pattern: 'arn:aws:s3:::*', value: 'arn:aws:s3::', want: false },
  { name: 'partition wildcard', pattern: 'arn:aws*:s3:::b', value: 'arn:aws-cn:s3:::b', want: true },
  { name: 'variable in the resource segment', pattern: 'arn:aws:s3:::bucket/${aws:username}/*', value: 'arn:aws:s3:::bucket/alice/x', vars: true, want: true },
  { name: 'variable for another user', pattern: 'arn:aws:s3:::bucket/${aws:username}/*', value: 'arn:aws:s3:::bucket/bob/x', vars: true, want: false },
  { name: 'variables are literal text in 2008-10-17', pattern: 'arn:aws:s3:::bucket/${aws:username}', value: 'arn:aws:s3:::bucket/${aws:username}', want: true },
  { name: 'a star in a resolved value is literal', pattern: 'arn:aws:s3:::b/${aws:PrincipalTag/team}', value: 'arn:aws:s3:::b/axxb', vars: true, want: false },
  { name: 'a star in a resolved value matches itself', pattern: 'arn:aws:s3:::b/${aws:PrincipalTag/team}', value: 'arn:aws:s3:::b/a*b', vars: true, want: true },
  { name: 'missing variable never matches', pattern: 'arn:aws:s3:::b/${aws:userid}', value: 'arn:aws:s3:::b/', vars: true, want: false },
  { name: 'missing variable uses its default', pattern: "arn:aws:s3:::b/${aws:userid, 'anonymous'}", value: 'arn:aws:s3:::b/anonymous', vars: true, want: true },
  { name: 'multivalued variable never matches', pattern: 'arn:aws:s3:::b/${aws:TagKeys}', value: 'arn:aws:s3:::b/x', vars: true, want: false },
  { name: 'a colon inside a variable does not split segments', pattern: 'arn:aws:s3:::${aws:username}', value: 'arn:aws:s3:::alice', vars: true, want: true },
  { name: '${*} is a literal star', pattern: 'arn:aws:s3:::b/${*}', value: 'arn:aws:s3:::b/x', vars: true, want: false },
];

describe('compileArnPattern', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = compileArnPattern(c.pattern, { allowVariables: c.vars ?? false });
      assert.equal(p.test(c.value, ctx), c.want);
    });
  }

  it('reports whether it holds variables', () => {
    assert.equal(compileArnPattern('arn:aws:s3:::${aws:username}', { allowVariables: true }).hasVariables, true);
    assert.equal(compileArnPattern('arn:aws:s3:::${aws:username}').hasVariables, false);
    assert.equal(compileArnPattern('arn:aws:s3:::${*}', { allowVariables: true }).hasVariables, false);
  });
});

describe('compileArnPattern (properties)', () => {
  const seg = fc.stringMatching(/^[a-z0-9/-]{0,6}$/);
  const arn = fc.tuple(seg, seg, seg, seg, fc.stringMatching(/^[a-z0-9/:-]{0,10}$/)).map((s) => `arn:${s.join(':')}`);
  it('an ARN without wildcards matches itself', () => {
    fc.assert(fc.property(arn, (a) => compileArnPattern(a).test(a, {})));
  });
  it('replacing one of the first five segments with * still matches', () => {
    fc.assert(
      fc.property(arn, fc.integer({ min: 1, max: 4 }), (a, i) => {
        const parts = splitArn(a)!.slice();
        parts[i] = '*';
        return compileArnPattern(parts.join(':')).test(a, {});
      }),
    );
  });
});
