import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileActionPattern } from './action.js';

interface Case {
  name: string;
  pattern: string;
  action: string;
  want: boolean;
  service: string;
}

const cases: Case[] = [
  { name: 'star matches any action', pattern: '*', action: 'iam:createuser', want: true, service: '*' },
  { name: 'service star matches the service', pattern: 's3:*', action: 's3:getobject', want: true, service: 's3' },
  { name: 'service star rejects another service', pattern: 's3:*', action: 'sqs:sendmessage', want: false, service: 's3' },
  { name: 'service star does not match a longer prefix', pattern: 's3:*', action: 's3x:getobject', want: false, service: 's3' },
  { name: 'is case insensitive', pattern: 'S3:GetObject', action: 's3:getobject', want: true, service: 's3' },
  { name: 'prefix wildcard', pattern: 's3:Get*', action: 's3:getobjectacl', want: true, service: 's3' },
  { name: 'prefix wildcard rejects', pattern: 's3:Get*', action: 's3:putobject', want: false, service: 's3' },
  { name: 'question mark', pattern: 's3:?etObject', action: 's3:getobject', want: true, service: 's3' },
  { name: 'question mark needs one character', pattern: 's3:?etObject', action: 's3:etobject', want: false, service: 's3' },
  { name: 'infix wildcard', pattern: 'iam:*AccessKey*', action: 'iam:createaccesskey', want: true, service: 'iam' },
  { name: 'exact action does not match a longer one', pattern: 'iam:GetUser', action: 'iam:getuserpolicy', want: false, service: 'iam' },
  { name: 'wildcard in the service prefix', pattern: '*:Get*', action: 'ec2:getconsoleoutput', want: true, service: '*' },
  { name: 'service prefix with a star crosses the colon', pattern: 's3*', action: 's3:getobject', want: true, service: '*' },
];

describe('compileActionPattern', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = compileActionPattern(c.pattern);
      assert.equal(p.test(c.action), c.want);
      assert.equal(p.service, c.service);
    });
  }
});
