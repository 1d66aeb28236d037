import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePolicy } from './json-to-ast.js';
import type { PolicyType } from '../types.js';

const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });
const doc = (statement: unknown, top: Record<string, unknown> = {}) => ({ Version: '2012-10-17', Statement: statement, ...top });

interface Case { name: string; type?: PolicyType; input: unknown; ok: boolean; code?: string; path?: (string | number)[] }

const cases: Case[] = [
  { name: 'accepts a minimal identity policy', input: doc(allow()), ok: true },
  { name: 'accepts a single statement object', input: doc(allow()), ok: true },
  { name: 'accepts JSON text', input: JSON.stringify(doc([allow()])), ok: true },
  { name: 'rejects invalid JSON text', input: '{"Version": ', ok: false, code: 'invalid_json', path: [] },
  { name: 'rejects a non-object policy', input: [1, 2], ok: false, code: 'not_an_object' },
  { name: 'rejects an unknown Version', input: doc(allow(), { Version: '2020-01-01' }), ok: false, code: 'invalid_version', path: ['Version'] },
  { name: 'accepts the 2008-10-17 Version', input: doc(allow(), { Version: '2008-10-17' }), ok: true },
  { name: 'accepts a missing Version', input: { Statement: allow() }, ok: true },
  { name: 'rejects a missing Statement', input: { Version: '2012-10-17' }, ok: false, code: 'missing_statement' },
  { name: 'rejects an empty Statement array', input: doc([]), ok: false, code: 'empty_statement' },
  { name: 'rejects an unknown top-level element', input: doc(allow(), { Foo: 1 }), ok: false, code: 'unknown_element', path: ['Foo'] },
  { name: 'rejects an unknown statement element', input: doc([allow({ Bar: 1 })]), ok: false, code: 'unknown_element', path: ['Statement', 0, 'Bar'] },
  { name: 'rejects duplicate Sids', input: doc([allow({ Sid: 'A' }), allow({ Sid: 'A' })]), ok: false, code: 'duplicate_sid', path: ['Statement', 1, 'Sid'] },
  { name: 'accepts distinct Sids', input: doc([allow({ Sid: 'A' }), allow({ Sid: 'B' })]), ok: true },
  { name: 'rejects a non-alphanumeric Sid in an identity policy', input: doc([allow({ Sid: 'a b' })]), ok: false, code: 'invalid_sid' },
  { name: 'accepts a Sid with spaces in a resource policy', type: 'resource', input: doc([allow({ Sid: 'a b', Principal: '*' })]), ok: true },
  { name: 'rejects a missing Effect', input: doc([{ Action: '*', Resource: '*' }]), ok: false, code: 'missing_effect' },
  { name: 'rejects a lower-case effect', input: doc([allow({ Effect: 'allow' })]), ok: false, code: 'invalid_effect' },
  { name: 'rejects both Action and NotAction', input: doc([allow({ NotAction: 's3:*' })]), ok: false, code: 'action_and_not_action' },
  { name: 'rejects neither Action nor NotAction', input: doc([{ Effect: 'Allow', Resource: '*' }]), ok: false, code: 'missing_action' },
  { name: 'rejects an action without a service prefix', input: doc([allow({ Action: 'GetObject' })]), ok: false, code: 'invalid_action' },
  { name: 'accepts wildcards in actions', input: doc([allow({ Action: ['s3:Get*', 'ec2:?escribe*', '*'] })]), ok: true },
  { name: 'rejects an empty Action list', input: doc([allow({ Action: [] })]), ok: false, code: 'empty_element' },
  { name: 'rejects a non-string action', input: doc([allow({ Action: [1] })]), ok: false, code: 'invalid_type', path: ['Statement', 0, 'Action', 0] },
  { name: 'rejects both Resource and NotResource', input: doc([allow({ NotResource: '*' })]), ok: false, code: 'resource_and_not_resource' },
  { name: 'rejects a missing Resource in an identity policy', input: doc([{ Effect: 'Allow', Action: '*' }]), ok: false, code: 'missing_resource' },
  { name: 'rejects a resource that is not an ARN', input: doc([allow({ Resource: 'bucket/key' })]), ok: false, code: 'invalid_resource' },
  { name: 'rejects an incomplete ARN', input: doc([allow({ Resource: 'arn:aws:s3' })]), ok: false, code: 'invalid_resource' },
  { name: 'rejects a Principal in an identity policy', input: doc([allow({ Principal: '*' })]), ok: false, code: 'principal_not_allowed' },
  { name: 'rejects a Principal in a boundary', type: 'boundary', input: doc([allow({ Principal: '*' })]), ok: false, code: 'principal_not_allowed' },
  { name: 'rejects a Principal in a session policy', type: 'session', input: doc([allow({ Principal: '*' })]), ok: false, code: 'principal_not_allowed' },
  { name: 'rejects a Principal in an SCP', type: 'scp', input: doc([allow({ Principal: '*' })]), ok: false, code: 'principal_not_allowed' },
  { name: 'requires a Principal in a resource policy', type: 'resource', input: doc([allow()]), ok: false, code: 'missing_principal' },
  { name: 'accepts NotPrincipal in a resource policy', type: 'resource', input: doc([{ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: '*', Resource: '*' }]), ok: true },
  { name: 'requires a Principal in a trust policy', type: 'trust', input: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole' }]), ok: false, code: 'missing_principal' },
  { name: 'accepts a trust policy without Resource', type: 'trust', input: doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]), ok: true },
  { name: 'rejects a Resource in a trust policy', type: 'trust', input: doc([{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Resource: '*' }]), ok: false, code: 'resource_not_allowed' },
  { name: 'rejects NotPrincipal in a trust policy', type: 'trust', input: doc([{ Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }]), ok: false, code: 'not_principal_not_allowed' },
  { name: 'rejects an Allow in a customer RCP', type: 'rcp', input: doc([allow({ Principal: '*' })]), ok: false, code: 'allow_not_allowed' },
  { name: 'rejects a named Principal in an RCP', type: 'rcp', input: doc([{ Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: '*' }]), ok: false, code: 'invalid_principal' },
  { name: 'rejects NotAction in an RCP', type: 'rcp', input: doc([{ Effect: 'Deny', Principal: '*', NotAction: 's3:*', Resource: '*' }]), ok: false, code: 'not_action_not_allowed' },
  { name: 'accepts a Deny RCP', type: 'rcp', input: doc([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' } } }]), ok: true },
  { name: 'rejects an unknown principal type', type: 'resource', input: doc([allow({ Principal: { Users: 'x' } })]), ok: false, code: 'invalid_principal' },
  { name: 'rejects a partial wildcard in a principal', type: 'resource', input: doc([allow({ Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } })]), ok: false, code: 'invalid_principal' },
  { name: 'accepts account ids, root, user, role, session and federated-user principals', type: 'resource', input: doc([allow({ Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:user/a', 'arn:aws:iam::111122223333:role/p/r', 'arn:aws:sts::111122223333:assumed-role/r/s', 'arn:aws:sts::111122223333:federated-user/f'] } })]), ok: true },
  { name: 'accepts Service, Federated and CanonicalUser principals', type: 'resource', input: doc([allow({ Principal: { Service: 'ec2.amazonaws.com', Federated: 'cognito-identity.amazonaws.com', CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' } })]), ok: true },
  { name: 'rejects an unknown condition operator', input: doc([allow({ Condition: { StringLikee: { 'aws:username': 'a' } } })]), ok: false, code: 'unknown_condition_operator', path: ['Statement', 0, 'Condition', 'StringLikee'] },
  { name: 'rejects a condition block that is not an object', input: doc([allow({ Condition: [] })]), ok: false, code: 'invalid_type' },
  { name: 'rejects an object as a condition value', input: doc([allow({ Condition: { StringEquals: { 'aws:username': { a: 1 } } } })]), ok: false, code: 'invalid_condition_value' },
  { name: 'rejects an empty condition value list', input: doc([allow({ Condition: { StringEquals: { 'aws:username': [] } } })]), ok: false, code: 'empty_element' },
  { name: 'accepts numbers and booleans as condition values', input: doc([allow({ Condition: { NumericLessThan: { 's3:max-keys': 10 }, Bool: { 'aws:SecureTransport': true } } })]), ok: true },
];

for (const c of cases) {
  test(`parse: ${c.name}`, () => {
    const r = parsePolicy(c.input, { type: c.type ?? 'identity' });
    assert.equal(r.ok, c.ok, JSON.stringify(r.issues));
    if (c.code) assert.ok(r.issues.some((i) => i.code === c.code), `expected ${c.code}, got ${JSON.stringify(r.issues)}`);
    if (c.path) assert.ok(r.issues.some((i) => i.code === c.code && JSON.stringify(i.path) === JSON.stringify(c.path)), JSON.stringify(r.issues));
  });
}

test('parse: the AST keeps Sid, index, effect, elements and conditions', () => {
  const r = parsePolicy(doc([allow({ Sid: 'A' }), { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:iam::*:user/x', Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } }]), { type: 'identity' });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.policy.version, '2012-10-17');
  assert.equal(r.policy.statements.length, 2);
  assert.deepEqual(r.policy.statements[0].action, ['s3:GetObject']);
  assert.equal(r.policy.statements[0].sid, 'A');
  const s1 = r.policy.statements[1];
  assert.equal(s1.index, 1);
  assert.equal(s1.effect, 'Deny');
  assert.deepEqual(s1.notAction, ['iam:*']);
  assert.deepEqual(s1.notResource, ['arn:aws:iam::*:user/x']);
  assert.deepEqual(s1.conditions, [{ operator: 'StringEquals', key: 'aws:RequestedRegion', values: ['us-east-1', 'eu-west-1'] }]);
});

test('parse: a missing Version behaves as 2008-10-17', () => {
  const r = parsePolicy({ Statement: allow() }, { type: 'identity' });
  assert.ok(r.ok && r.policy.version === '2008-10-17' && r.policy.versionGiven === false);
});

test('parse: never throws on arbitrary JSON values (property)', () => {
  const types: PolicyType[] = ['identity', 'resource', 'trust', 'boundary', 'scp', 'rcp', 'session'];
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(...types), (v, type) => {
    const r = parsePolicy(v, { type });
    assert.equal(typeof r.ok, 'boolean');
    if (!r.ok) assert.ok(r.issues.length > 0);
  }), { numRuns: 2000 });
});

test('parse: never throws on arbitrary policy-shaped values (property)', () => {
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
  const listOr = (a: fc.Arbitrary<unknown>) => fc.oneof(a, fc.array(a, { maxLength: 3 }));
  const statement = fc.record({
    Sid: fc.option(fc.string(), { nil: undefined }),
    Effect: fc.constantFrom('Allow', 'Deny', 'allow', 1),
    Action: fc.option(listOr(fc.oneof(fc.constantFrom('s3:Get*', '*', 'iam:'), fc.string())), { nil: undefined }),
    NotAction: fc.option(listOr(fc.string()), { nil: undefined }),
    Resource: fc.option(listOr(fc.oneof(fc.constant('*'), fc.string())), { nil: undefined }),
    Principal: fc.option(fc.oneof(fc.constant('*'), fc.dictionary(fc.constantFrom('AWS', 'Service', 'X'), listOr(fc.string()))), { nil: undefined }),
    Condition: fc.option(fc.dictionary(fc.oneof(fc.constantFrom('StringEquals', 'ForAllValues:StringLike', 'NumericLessThanIfExists', 'Null', 'DateGreaterThan', 'IpAddress', 'Bool', 'BinaryEquals', 'ArnLike'), fc.string()), fc.dictionary(fc.string(), listOr(scalar))), { nil: undefined }),
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.constantFrom('2012-10-17', '2008-10-17', 'x'), listOr(statement), fc.constantFrom<PolicyType>('identity', 'resource', 'trust', 'scp', 'rcp'), (v, st, type) => {
    const r = parsePolicy({ Version: v, Statement: st }, { type });
    assert.equal(typeof r.ok, 'boolean');
  }), { numRuns: 3000 });
});
