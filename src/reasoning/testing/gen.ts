// Random policies in the decided fragment, for the engine-confirmation and cvc5 differential
// tests and the bench. Deterministic from a seed.

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:Get*', 's3:*', 'ec2:*', '*:Get*', 's3:?etObject', 'ec2:Describe*', 's3:List*', '*'];
const RESOURCES = [
  'arn:aws:s3:::b/*', 'arn:aws:s3:::b/x', 'arn:aws:s3:::*', '*', 'arn:aws:ec2:*:111122223333:instance/*',
  'arn:aws:s3:::b?/x*', 'arn:aws:s3:::b/x/*', 'arn:aws:*:*:*:*', 'arn:aws:s3:::c',
];
type Clause = [string, string, string[]];
const CLAUSES: Clause[] = [
  ['StringEquals', 'aws:username', ['alice']],
  ['StringEquals', 'aws:username', ['alice', 'bob']],
  ['StringLike', 'aws:username', ['a*']],
  ['StringLike', 'aws:username', ['b?b', '*z']],
  ['StringNotEquals', 'aws:username', ['alice']],
  ['StringNotLike', 'aws:username', ['a*']],
  ['StringEqualsIfExists', 'aws:username', ['carol']],
  ['StringNotLikeIfExists', 'aws:username', ['*o*']],
  ['NumericLessThan', 's3:max-keys', ['10']],
  ['NumericGreaterThanEquals', 's3:max-keys', ['5']],
  ['NumericEquals', 's3:max-keys', ['7', '20']],
  ['NumericNotEquals', 's3:max-keys', ['7']],
  ['NumericLessThanEqualsIfExists', 's3:max-keys', ['3']],
  ['Bool', 'aws:securetransport', ['true']],
  ['Bool', 'aws:securetransport', ['false']],
  ['BoolIfExists', 'aws:securetransport', ['true']],
  ['IpAddress', 'aws:sourceip', ['10.0.0.0/8']],
  ['IpAddress', 'aws:sourceip', ['10.1.0.0/16', '192.168.1.1']],
  ['NotIpAddress', 'aws:sourceip', ['10.1.0.0/16']],
  ['NotIpAddressIfExists', 'aws:sourceip', ['192.168.0.0/16']],
  ['Null', 'aws:username', ['true']],
  ['Null', 'aws:username', ['false']],
  ['Null', 'aws:sourceip', ['false']],
  ['DateLessThan', 'aws:currenttime', ['2024-01-01T00:00:00Z']],
  ['DateGreaterThanEquals', 'aws:currenttime', ['2023-06-01T00:00:00Z']],
  ['ArnLike', 'aws:sourcearn', ['arn:aws:sns:*:111122223333:t*']],
  ['ArnNotLike', 'aws:sourcearn', ['arn:aws:sns:us-east-1:*:*']],
];

function pick<T>(r: () => number, xs: readonly T[]): T { return xs[Math.floor(r() * xs.length)]; }
function some<T>(r: () => number, xs: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(r() * max);
  return [...new Set(Array.from({ length: n }, () => pick(r, xs)))];
}

export function randomStatement(r: () => number, effect?: 'Allow' | 'Deny'): Record<string, unknown> {
  const st: Record<string, unknown> = { Effect: effect ?? (r() < 0.7 ? 'Allow' : 'Deny') };
  st[r() < 0.15 ? 'NotAction' : 'Action'] = some(r, ACTIONS, 2);
  st[r() < 0.15 ? 'NotResource' : 'Resource'] = some(r, RESOURCES, 2);
  const nc = r() < 0.4 ? 0 : Math.floor(r() * 3);
  if (nc > 0) {
    const cond: Record<string, Record<string, string[]>> = {};
    for (let i = 0; i < nc; i++) {
      const [op, key, values] = pick(r, CLAUSES);
      (cond[op] ??= {})[key] = values;
    }
    st.Condition = cond;
  }
  return st;
}

export function randomPolicy(r: () => number, maxStatements = 3): string {
  const n = 1 + Math.floor(r() * maxStatements);
  return JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: n }, () => randomStatement(r)) });
}

/** A pair where B is often A with a change, so both outcomes are common. */
export function randomPair(r: () => number): [string, string] {
  const a = randomPolicy(r);
  if (r() < 0.5) return [a, randomPolicy(r)];
  const doc = JSON.parse(a) as { Statement: Record<string, unknown>[] };
  const i = Math.floor(r() * doc.Statement.length);
  const c = r();
  if (c < 0.3) doc.Statement[i] = randomStatement(r);
  else if (c < 0.6) doc.Statement.push(randomStatement(r));
  else if (c < 0.8) delete doc.Statement[i].Condition;
  else doc.Statement.splice(i, 1, randomStatement(r, 'Deny'));
  if (doc.Statement.length === 0) doc.Statement.push(randomStatement(r));
  return [a, JSON.stringify(doc)];
}

const PRINCIPALS: unknown[] = [
  '*', { AWS: '111122223333' }, { AWS: 'arn:aws:iam::111122223333:user/alice' }, { AWS: ['444455556666', 'arn:aws:iam::111122223333:role/r'] },
  { Service: 'sns.amazonaws.com' }, { AWS: 'arn:aws:iam::444455556666:root' }, { AWS: '*' },
];

/** A resource policy: random statements, each with a Principal. */
export function randomResourcePolicy(r: () => number, maxStatements = 3): string {
  const n = 1 + Math.floor(r() * maxStatements);
  const sts = Array.from({ length: n }, () => ({ ...randomStatement(r), Principal: pick(r, PRINCIPALS) }));
  return JSON.stringify({ Version: '2012-10-17', Statement: sts });
}
