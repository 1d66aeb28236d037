import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccessNotGranted, checkNoNewAccess, checkNoPublicAccess, compileFor, engineAllows, type PolicyKind } from './index.js';
import { randomPair, randomResourcePolicy, rng } from './testing/gen.js';

const doc = (...sts: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: sts });
const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', ...extra });
const deny = (extra: Record<string, unknown>) => ({ Effect: 'Deny', ...extra });

/** The witness must be allowed by `b` and not by `a`, as the engine decides. */
function confirm(a: string, b: string, kind: PolicyKind, w: NonNullable<ReturnType<typeof checkNoNewAccess>['witness']>): void {
  assert.equal(engineAllows(compileFor(b, kind, 'b'), kind, w), true, `new policy allows ${JSON.stringify(w)}`);
  assert.equal(engineAllows(compileFor(a, kind, 'a'), kind, w), false, `existing policy denies ${JSON.stringify(w)}`);
}

const S3 = 'arn:aws:s3:::b/*';
const cases: { name: string; a: string; b: string; kind?: PolicyKind; expect: 'PASS' | 'FAIL' | 'UNKNOWN' }[] = [
  { name: 'identical', a: doc(allow({ Action: 's3:GetObject', Resource: S3 })), b: doc(allow({ Action: 's3:GetObject', Resource: S3 })), expect: 'PASS' },
  { name: 'action widened by a glob', a: doc(allow({ Action: 's3:Get*', Resource: S3 })), b: doc(allow({ Action: 's3:*', Resource: S3 })), expect: 'FAIL' },
  { name: 'action narrowed', a: doc(allow({ Action: 's3:*', Resource: S3 })), b: doc(allow({ Action: 's3:Get*', Resource: S3 })), expect: 'PASS' },
  { name: 'action case-insensitive', a: doc(allow({ Action: 'S3:GETOBJECT', Resource: S3 })), b: doc(allow({ Action: 's3:getobject', Resource: S3 })), expect: 'PASS' },
  { name: '? covered by *', a: doc(allow({ Action: 's3:*Object', Resource: S3 })), b: doc(allow({ Action: 's3:?etObject', Resource: S3 })), expect: 'PASS' },
  { name: 'resource segment star does not cross colons', a: doc(allow({ Action: 's3:*', Resource: 'arn:aws:s3:*:*:b' })), b: doc(allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b' })), expect: 'PASS' },
  { name: 'resource widened', a: doc(allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/x' })), b: doc(allow({ Action: 's3:*', Resource: S3 })), expect: 'FAIL' },
  { name: 'Resource * vs ARN glob: the literal *', a: doc(allow({ Action: 'iam:*', Resource: 'arn:aws:*:*:*:*' })), b: doc(allow({ Action: 'iam:*', Resource: '*' })), expect: 'FAIL' },
  { name: 'deny removed', a: doc(allow({ Action: 's3:*', Resource: '*' }), deny({ Action: 's3:Delete*', Resource: '*' })), b: doc(allow({ Action: 's3:*', Resource: '*' })), expect: 'FAIL' },
  { name: 'deny added', a: doc(allow({ Action: 's3:*', Resource: '*' })), b: doc(allow({ Action: 's3:*', Resource: '*' }), deny({ Action: 's3:Delete*', Resource: '*' })), expect: 'PASS' },
  { name: 'NotAction equals the complement', a: doc(allow({ Action: '*', Resource: '*' }), deny({ Action: 'iam:*', Resource: '*' })), b: doc(allow({ NotAction: 'iam:*', Resource: '*' })), expect: 'PASS' },
  { name: 'NotAction wider than the deny', a: doc(allow({ Action: '*', Resource: '*' }), deny({ Action: 'iam:*', Resource: '*' })), b: doc(allow({ NotAction: 'iam:Create*', Resource: '*' })), expect: 'FAIL' },
  { name: 'condition dropped', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })), b: doc(allow({ Action: 's3:*', Resource: '*' })), expect: 'FAIL' },
  { name: 'condition added', a: doc(allow({ Action: 's3:*', Resource: '*' })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })), expect: 'PASS' },
  { name: 'CIDR narrowed', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.1.0.0/16', '10.2.3.4'] } } })), expect: 'PASS' },
  { name: 'CIDR widened (IPv6 added)', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } } })), expect: 'FAIL' },
  { name: 'NotIpAddress allows a missing key', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), expect: 'FAIL' },
  { name: 'numeric interval narrowed', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { NumericLessThan: { 's3:max-keys': '10' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { NumericLessThanEquals: { 's3:max-keys': '9' }, NumericGreaterThan: { 's3:max-keys': '1' } } })), expect: 'PASS' },
  { name: 'numeric bound off by one (reals)', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { NumericLessThan: { 's3:max-keys': '10' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } } })), expect: 'FAIL' },
  { name: 'date window widened', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2024-06-01T00:00:00Z' } } })), expect: 'FAIL' },
  { name: 'StringLike covers StringEquals', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringLike: { 'aws:username': 'a*' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:username': ['alice', 'ann'] } } })), expect: 'PASS' },
  { name: 'StringEquals is literal: a* is not a glob', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:username': 'a*' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringLike: { 'aws:username': 'a*' } } })), expect: 'FAIL' },
  { name: 'IfExists admits the absent key', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:username': 'alice' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:username': 'alice' } } })), expect: 'FAIL' },
  { name: 'Null true vs IfExists', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:username': 'alice' } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { Null: { 'aws:username': 'true' } } })), expect: 'PASS' },
  { name: 'ArnLike segments', a: doc(allow({ Action: 'sns:*', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:*' } } })), b: doc(allow({ Action: 'sns:*', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:t*' } } })), expect: 'PASS' },
  { name: 'set operator: not proven', a: doc(allow({ Action: 's3:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } } })), b: doc(allow({ Action: 's3:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } } })), expect: 'UNKNOWN' },
  { name: 'policy variable: not proven', a: doc(allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' })), b: doc(allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/x/*' })), expect: 'UNKNOWN' },
  { name: 'identical elements outside the fragment: a proof through atoms', a: doc(allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } } })), b: doc(allow({ Action: 's3:Get*', Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } } })), expect: 'PASS' },
  { name: 'NotPrincipal kept as an atom', kind: 'resource', a: doc(allow({ Principal: '*', Action: 's3:*', Resource: S3 }), deny({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/bob' }, Action: 's3:Put*', Resource: S3 })), b: doc(allow({ Principal: '*', Action: 's3:Get*', Resource: S3 }), deny({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/bob' }, Action: 's3:Put*', Resource: S3 })), expect: 'PASS' },
  { name: 'outside the fragment yet a confirmed witness', a: doc(allow({ Action: 's3:Get*', Resource: 'arn:aws:s3:::b/${aws:username}/*' })), b: doc(allow({ Action: 'iam:*', Resource: '*' })), expect: 'FAIL' },
  { name: 'resource policy: principal added', kind: 'resource', a: doc(allow({ Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' }, Action: 's3:*', Resource: S3 })), b: doc(allow({ Principal: { AWS: ['arn:aws:iam::111122223333:user/alice', '444455556666'] }, Action: 's3:*', Resource: S3 })), expect: 'FAIL' },
  { name: 'resource policy: account covers its user', kind: 'resource', a: doc(allow({ Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: S3 })), b: doc(allow({ Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' }, Action: 's3:*', Resource: S3 })), expect: 'PASS' },
  { name: 'resource policy: Principal * widens', kind: 'resource', a: doc(allow({ Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: S3 })), b: doc(allow({ Principal: '*', Action: 's3:*', Resource: S3 })), expect: 'FAIL' },
];

for (const c of cases) {
  test(`checkNoNewAccess: ${c.name}`, () => {
    const kind = c.kind ?? 'identity';
    const out = checkNoNewAccess(c.a, c.b, kind);
    assert.equal(out.verdict, c.expect, JSON.stringify(out));
    if (out.verdict === 'FAIL') confirm(c.a, c.b, kind, out.witness!);
    if (out.verdict === 'UNKNOWN') assert.match(out.reasons[0].description, /Could not be proven/);
  });
}

test('checkNoNewAccess: 400 random pairs, every witness confirmed by the engine', () => {
  const r = rng(7);
  let fails = 0;
  for (let i = 0; i < 400; i++) {
    const [a, b] = randomPair(r);
    const out = checkNoNewAccess(a, b, 'identity');
    assert.notEqual(out.verdict, 'UNKNOWN');
    if (out.verdict === 'FAIL') { fails++; confirm(a, b, 'identity', out.witness!); }
  }
  assert.ok(fails > 50 && fails < 390, `both outcomes occur (${fails} FAIL)`);
});

test('checkNoNewAccess: 200 random resource-policy pairs, every witness confirmed by the engine', () => {
  const r = rng(11);
  let fails = 0;
  for (let i = 0; i < 200; i++) {
    const a = randomResourcePolicy(r);
    const b = r() < 0.5 ? randomResourcePolicy(r) : a.replace(/"Principal":\{"AWS":"111122223333"\}/, '"Principal":"*"');
    const out = checkNoNewAccess(a, b, 'resource');
    assert.notEqual(out.verdict, 'UNKNOWN');
    if (out.verdict === 'FAIL') { fails++; confirm(a, b, 'resource', out.witness!); }
    // PASS both ways means the two allow the same requests: so for identical text.
    if (a === b) assert.equal(out.verdict, 'PASS');
  }
  assert.ok(fails > 20, `${fails} FAIL`);
});

test('checkNoPublicAccess: 200 random resource policies, every public witness confirmed', () => {
  const r = rng(13);
  let fails = 0;
  for (let i = 0; i < 200; i++) {
    const p = randomResourcePolicy(r);
    const out = checkNoPublicAccess(p);
    assert.notEqual(out.verdict, 'UNKNOWN');
    if (out.verdict === 'FAIL') {
      fails++;
      assert.equal(engineAllows(compileFor(p, 'resource', 'p'), 'resource', out.witness!), true);
      assert.ok(out.witness!.principal?.kind === 'anonymous' || out.witness!.principal?.arn?.includes('warden-outsider'));
    }
  }
  assert.ok(fails > 20, `${fails} public`);
});

const grants = doc(allow({ Sid: 'Read', Action: 's3:Get*', Resource: S3 }), allow({ Sid: 'Admin', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), deny({ Action: 's3:DeleteBucket', Resource: '*' }));
const notGranted: { name: string; access: { actions?: string[]; resources?: string[] }; expect: 'PASS' | 'FAIL'; sids?: string[] }[] = [
  { name: 'granted by two statements', access: { actions: ['s3:GetObject'] }, expect: 'FAIL', sids: ['Read', 'Admin'] },
  { name: 'denied everywhere', access: { actions: ['s3:DeleteBucket'] }, expect: 'PASS' },
  { name: 'resource only', access: { resources: ['arn:aws:s3:::b/x'] }, expect: 'FAIL', sids: ['Read', 'Admin'] },
  { name: 'action and resource', access: { actions: ['iam:CreateUser'], resources: ['arn:aws:iam::111122223333:user/x'] }, expect: 'FAIL', sids: ['Admin'] },
];
for (const c of notGranted) {
  test(`checkAccessNotGranted: ${c.name}`, () => {
    const out = checkAccessNotGranted(grants, c.access, 'identity');
    assert.equal(out.verdict, c.expect);
    if (c.sids) assert.deepEqual(out.reasons.map((x) => x.statementId), c.sids);
    if (out.witness) assert.equal(engineAllows(compileFor(grants, 'identity', 'p'), 'identity', out.witness), true);
  });
}
test('checkAccessNotGranted: nothing granted', () => {
  assert.equal(checkAccessNotGranted(doc(allow({ Action: 's3:Get*', Resource: S3 })), { actions: ['s3:PutObject'] }, 'identity').verdict, 'PASS');
});

const publicCases: { name: string; policy: string; expect: 'PASS' | 'FAIL' }[] = [
  { name: 'Principal * is public', policy: doc(allow({ Principal: '*', Action: 's3:GetObject', Resource: S3 })), expect: 'FAIL' },
  { name: 'named account is not', policy: doc(allow({ Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: S3 })), expect: 'PASS' },
  { name: 'Principal * limited by aws:PrincipalOrgID', policy: doc(allow({ Principal: '*', Action: 's3:GetObject', Resource: S3, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } })), expect: 'PASS' },
  { name: 'Principal * limited by aws:SourceArn glob', policy: doc(allow({ Principal: '*', Action: 's3:GetObject', Resource: S3, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:*' } } })), expect: 'PASS' },
  { name: 'StringNotEquals on the account is still public', policy: doc(allow({ Principal: '*', Action: 's3:GetObject', Resource: S3, Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } } })), expect: 'FAIL' },
  { name: 'SourceIp does not close it', policy: doc(allow({ Principal: '*', Action: 's3:GetObject', Resource: S3, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), expect: 'FAIL' },
  { name: 'public Allow fully denied', policy: doc(allow({ Principal: '*', Action: 's3:GetObject', Resource: S3 }), deny({ Principal: '*', Action: 's3:*', Resource: '*' })), expect: 'PASS' },
];
for (const c of publicCases) {
  test(`checkNoPublicAccess: ${c.name}`, () => {
    const out = checkNoPublicAccess(c.policy);
    assert.equal(out.verdict, c.expect, JSON.stringify(out));
    if (out.witness) assert.equal(engineAllows(compileFor(c.policy, 'resource', 'p'), 'resource', out.witness), true);
  });
}
