import { describe, it } from 'node:test';
import type { RequestContext } from './types.js';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

const topic = 'arn:aws:sns:us-east-1:123456789012:my-topic';
const vars: RequestContext = { 'aws:username': 'alice', 'aws:principalaccount': '123456789012' };

const cases: Case[] = [
  { name: 'ArnEquals the same ARN', op: 'ArnEquals', values: [topic], value: topic, want: true },
  { name: 'ArnEquals is case sensitive', op: 'ArnEquals', values: [topic], value: topic.toUpperCase(), want: false },
  { name: 'ArnEquals allows wildcards like ArnLike', op: 'ArnEquals', values: ['arn:aws:sns:*:123456789012:*'], value: topic, want: true },
  { name: 'ArnLike with wildcards', op: 'ArnLike', values: ['arn:aws:sns:us-east-?:*:my-*'], value: topic, want: true },
  { name: 'ArnLike segment-wise (the AWS example)', op: 'ArnLike', values: ['arn:aws:someservice:*:111122223333:finance/*'], value: 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt', want: false },
  { name: 'StringLike on the same values matches (the AWS example)', op: 'StringLike', values: ['arn:aws:someservice:*:111122223333:finance/*'], value: 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt', want: true },
  { name: 'ArnLike another account', op: 'ArnLike', values: ['arn:aws:sns:*:111122223333:*'], value: topic, want: false },
  { name: 'ArnLike * alone', op: 'ArnLike', values: ['*'], value: topic, want: true },
  { name: 'ArnLike against a value that is not an ARN', op: 'ArnLike', values: ['arn:aws:sns:*:*:*'], value: 'my-topic', want: false },
  { name: 'ArnLike ORs values', op: 'ArnLike', values: ['arn:aws:sqs:*:*:*', 'arn:aws:sns:*:*:*'], value: topic, want: true },
  { name: 'ArnLike on a missing key is false', op: 'ArnLike', values: ['*'], want: false },
  { name: 'ArnNotEquals another ARN', op: 'ArnNotEquals', values: ['arn:aws:sns:us-east-1:123456789012:other'], value: topic, want: true },
  { name: 'ArnNotEquals the same ARN', op: 'ArnNotEquals', values: [topic], value: topic, want: false },
  { name: 'ArnNotLike matching pattern', op: 'ArnNotLike', values: ['arn:aws:sns:*:*:*'], value: topic, want: false },
  { name: 'ArnNotLike on a missing key is true', op: 'ArnNotLike', values: ['arn:aws:sns:*:*:*'], want: true },
  { name: 'ArnLikeIfExists on a missing key is true', op: 'ArnLikeIfExists', values: ['arn:aws:sns:*:*:*'], want: true },
  { name: 'ArnLike with a variable', op: 'ArnLike', values: ['arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}'], value: 'arn:aws:iam::123456789012:user/alice', ctx: vars, want: true },
  { name: 'ArnLike with an unresolvable variable', op: 'ArnLike', values: ['arn:aws:iam::*:user/${aws:userid}'], value: 'arn:aws:iam::123456789012:user/', ctx: vars, want: false },
  { name: 'ArnLike variables are literal in 2008-10-17', op: 'ArnLike', values: ['arn:aws:iam::*:user/${aws:username}'], value: 'arn:aws:iam::1:user/${aws:username}', ctx: vars, version: '2008-10-17', want: true },
  { name: 'ForAnyValue:ArnLike', op: 'ForAnyValue:ArnLike', values: ['arn:aws:sns:*:*:*'], value: ['arn:aws:sqs:us-east-1:1:q', topic], want: true },
  { name: 'ForAllValues:ArnLike', op: 'ForAllValues:ArnLike', values: ['arn:aws:sns:*:*:*'], value: ['arn:aws:sqs:us-east-1:1:q', topic], want: false },
];

describe('ARN condition operators', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('ARN values that are not scalars', () => {
  const bad: BadCase[] = [{ name: 'an object', op: 'ArnLike', values: [{}], index: 0 }];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));
});
