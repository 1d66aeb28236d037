// Deterministic random cases for the differential test against @cloud-copilot/iam-simulate.
//
// A case is plain JSON: the caller, the request, the condition-key context as AWS writes the
// keys, and the policy documents. Both engines get the same documents; only the shapes of the
// inputs differ (see iam-simulate.test.ts).

// ---------------------------------------------------------------------------
// A small seeded PRNG (mulberry32), so the same seed always gives the same cases.

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** True with probability p. */
  chance(p: number): boolean { return this.next() < p; }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  /** 1..max distinct picks. */
  some<T>(xs: readonly T[], max: number): T[] {
    const n = 1 + this.int(max);
    const out: T[] = [];
    for (let i = 0; i < n * 3 && out.length < n; i++) {
      const x = this.pick(xs);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Vocabulary

export const A = '111122223333';
export const B = '444455556666';
export const MGMT = '999999999999';

export type PrincipalId = 'alice' | 'bob' | 'session' | 'slr' | 'root' | 'rootB' | 'fed' | 'anonymous' | 'service' | 'mgmtUser';

export const ROLE_ARN = `arn:aws:iam::${A}:role/R`;
export const SESSION_ARN = `arn:aws:sts::${A}:assumed-role/R/s`;
export const ALICE_ARN = `arn:aws:iam::${A}:user/alice`;
export const BOB_ARN = `arn:aws:iam::${B}:user/bob`;
export const FED_ARN = `arn:aws:sts::${A}:federated-user/fed`;
export const SLR_ROLE_ARN = `arn:aws:iam::${A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX`;
export const SLR_SESSION_ARN = `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForX/x`;

/** Who may call, weighted towards the callers whose decisions exercise every layer. */
const CALLERS: readonly PrincipalId[] = [
  'alice', 'alice', 'alice', 'alice', 'session', 'session', 'session', 'session', 'bob', 'bob',
  'slr', 'root', 'rootB', 'fed', 'anonymous', 'service', 'mgmtUser',
];

export type Op = { action: string; resource: (acct: string) => string; resourcePolicy?: 'standard' | 'trust' | 'kms' };
export const OPS: readonly Op[] = [
  { action: 's3:GetObject', resource: () => 'arn:aws:s3:::b/k', resourcePolicy: 'standard' },
  { action: 's3:PutObject', resource: () => 'arn:aws:s3:::b/x/y', resourcePolicy: 'standard' },
  { action: 's3:ListBucket', resource: () => 'arn:aws:s3:::b', resourcePolicy: 'standard' },
  { action: 'sqs:SendMessage', resource: (a) => `arn:aws:sqs:us-east-1:${a}:q`, resourcePolicy: 'standard' },
  { action: 'kms:Decrypt', resource: (a) => `arn:aws:kms:us-east-1:${a}:key/k1`, resourcePolicy: 'kms' },
  { action: 'sts:AssumeRole', resource: (a) => `arn:aws:iam::${a}:role/Target`, resourcePolicy: 'trust' },
  { action: 'iam:GetUser', resource: (a) => `arn:aws:iam::${a}:user/alice` },
  { action: 'ec2:DescribeInstances', resource: () => '*' },
  { action: 'dynamodb:GetItem', resource: (a) => `arn:aws:dynamodb:us-east-1:${a}:table/t` },
];

const ACTION_PATTERNS = [
  '*', 's3:*', 's3:Get*', 's3:GetObject', 's3:*Object', 'S3:GETOBJECT', 's3:List*', 's3:?etObject', 'sqs:Send?essage',
  'sqs:*', 'kms:*', 'kms:Decrypt', 'sts:AssumeRole', 'sts:*', 'iam:Get*', 'ec2:Describe*', 'ec2:*',
  'dynamodb:GetItem', 'dynamodb:*',
];
const RCP_ACTION_PATTERNS = ACTION_PATTERNS.filter((a) => a !== '*');
const RESOURCE_PATTERNS = [
  '*', '*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b', 'arn:aws:s3:::*/k', 'arn:aws:s3:::b/x/*', 'arn:aws:s3:::b*',
  'arn:aws:sqs:*:*:q', `arn:aws:sqs:us-east-1:${A}:*`, 'arn:aws:kms:*:*:key/*', 'arn:aws:iam::*:user/alice',
  `arn:aws:iam::${A}:user/\${aws:username}`, 'arn:aws:iam::*:role/Target', 'arn:aws:dynamodb:*:*:table/t',
  `arn:aws:*:*:${A}:*`, 'arn:aws:s3:::${aws:PrincipalTag/team}/*', `arn:aws:sqs:us-east-1:${B}:q`,
];
const PRINCIPALS: readonly unknown[] = [
  '*', { AWS: '*' }, { AWS: ALICE_ARN }, { AWS: A }, { AWS: `arn:aws:iam::${A}:root` }, { AWS: ROLE_ARN },
  { AWS: SESSION_ARN }, { AWS: `arn:aws:iam::${B}:root` }, { AWS: BOB_ARN }, { AWS: B }, { Service: 's3.amazonaws.com' },
  { AWS: FED_ARN }, { AWS: [ALICE_ARN, BOB_ARN] },
];

type Clause = [operator: string, key: string, values: string | string[]];
/** Every operator family, on a handful of keys (single- and multi-valued). */
const CLAUSES: readonly Clause[] = [
  // String
  ['StringEquals', 'aws:username', 'alice'],
  ['StringNotEquals', 'aws:PrincipalTag/team', 'eng'],
  ['StringEqualsIgnoreCase', 'aws:PrincipalTag/team', 'OPS'],
  ['StringNotEqualsIgnoreCase', 'aws:PrincipalTag/team', 'ENG'],
  ['StringLike', 'aws:PrincipalTag/team', 'e*'],
  ['StringNotLike', 'aws:RequestTag/env', 'prod*'],
  ['StringEqualsIfExists', 'aws:RequestTag/env', 'dev'],
  ['StringLike', 's3:prefix', ['home/${aws:username}/*', 'public/*']],
  ['StringEquals', 'aws:PrincipalAccount', A],
  // Numeric
  ['NumericLessThan', 's3:max-keys', '10'],
  ['NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', '3600'],
  ['NumericLessThanEqualsIfExists', 'aws:MultiFactorAuthAge', '600'],
  ['NumericNotEquals', 's3:max-keys', ['5', '7']],
  // Date (ISO and epoch)
  ['DateGreaterThan', 'aws:CurrentTime', '2024-01-01T00:00:00Z'],
  ['DateLessThan', 'aws:CurrentTime', '2024-06-01T00:00:00Z'],
  ['DateLessThanEquals', 'aws:EpochTime', '2024-03-01T12:00:00Z'],
  ['DateGreaterThanEquals', 'aws:CurrentTime', '1704067200'],
  ['DateNotEquals', 'aws:TokenIssueTime', '2024-03-01T00:00:00Z'],
  // Bool
  ['Bool', 'aws:MultiFactorAuthPresent', 'true'],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'false'],
  ['Bool', 'aws:SecureTransport', 'false'],
  // Binary
  ['BinaryEquals', 'aws:RequestTag/bin', 'QmluYXJ5'],
  // IP
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '2001:db8::/32']],
  ['NotIpAddress', 'aws:SourceIp', '10.1.0.0/16'],
  ['IpAddressIfExists', 'aws:SourceIp', '192.168.0.0/16'],
  // ARN
  ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'],
  ['ArnEquals', 'aws:PrincipalArn', ALICE_ARN],
  ['ArnNotLike', 'aws:PrincipalArn', `arn:aws:iam::${B}:*`],
  ['ArnNotEqualsIfExists', 'aws:SourceArn', 'arn:aws:s3:::b'],
  // Null
  ['Null', 'aws:PrincipalTag/team', 'true'],
  ['Null', 'aws:TagKeys', 'false'],
  ['Null', 'aws:RequestTag/env', 'false'],
  // Set operators on a multi-valued key
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b']],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b']],
  ['ForAllValues:StringLike', 'aws:TagKeys', 'a*'],
  ['ForAnyValue:StringNotEquals', 'aws:TagKeys', 'a'],
  ['ForAllValues:StringNotLike', 'aws:TagKeys', 'c*'],
  ['ForAnyValue:StringLikeIfExists', 'aws:TagKeys', 'b*'],
  ['ForAllValues:StringEqualsIgnoreCase', 'aws:TagKeys', ['A', 'B']],
];

export type Doc = { Version?: string; Statement: Record<string, unknown>[] };
export type DocType = 'identity' | 'boundary' | 'session' | 'resource' | 'trust' | 'kms' | 'scp' | 'rcp';

export interface DiffCase {
  id: number;
  principal: PrincipalId;
  action: string;
  resource: string;
  resourceAccount: string;
  /** Condition keys as AWS writes them, before the engines' own global keys. */
  context: Record<string, string | string[]>;
  tags: Record<string, string>;
  identity: Doc[];
  boundary?: Doc;
  session?: Doc;
  resourcePolicy?: { kind: 'standard' | 'trust' | 'kms'; doc: Doc };
  /** Per level from the root down: customer policies (FullAWSAccess included when attached). */
  scp?: Doc[][];
  /** Per level: the customer RCPs (RCPFullAWSAccess, always attached in AWS, is added by the harness). */
  rcp?: Doc[][];
}

export const FULL_ACCESS: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function statement(r: Rng, type: DocType, sid: number): Record<string, unknown> {
  const st: Record<string, unknown> = {};
  if (r.chance(0.3)) st.Sid = `S${sid}`;
  st.Effect = type === 'rcp' ? 'Deny' : r.chance(0.72) ? 'Allow' : 'Deny';
  if (type === 'rcp') st.Principal = '*';
  else if (type === 'resource' || type === 'kms' || type === 'trust') {
    // "NotPrincipal must be used with "Effect":"Deny"" (reference_policies_elements_notprincipal).
    if (type === 'resource' && st.Effect === 'Deny' && r.chance(0.25)) st.NotPrincipal = r.pick(PRINCIPALS.filter((p) => p !== '*' && !(typeof p === 'object' && (p as { AWS?: unknown }).AWS === '*')));
    else st.Principal = r.pick(PRINCIPALS);
  }
  // iam-simulate refuses a customer RCP whose Action is "*" (see docs/semantics.md); none is generated.
  const actions = r.some(type === 'rcp' ? RCP_ACTION_PATTERNS : ACTION_PATTERNS, 2);
  if (type !== 'rcp' && r.chance(0.12)) st.NotAction = actions.length === 1 ? actions[0] : actions;
  else st.Action = actions.length === 1 ? actions[0] : actions;
  if (type !== 'trust') {
    const res = r.some(RESOURCE_PATTERNS, 2);
    if (r.chance(0.12)) st.NotResource = res.length === 1 ? res[0] : res;
    else st.Resource = res.length === 1 ? res[0] : res;
  }
  if (r.chance(0.45)) {
    const cond: Record<string, Record<string, string | string[]>> = {};
    for (const [op, key, values] of r.some(CLAUSES, 2)) (cond[op] ??= {})[key] = values;
    st.Condition = cond;
  }
  return st;
}

function doc(r: Rng, type: DocType, max = 3): Doc {
  const n = 1 + r.int(max);
  const d: Doc = { Statement: Array.from({ length: n }, (_, i) => statement(r, type, i)) };
  const v = r.next();
  // RCPs must say 2012-10-17 (RCP syntax: "Every RCP must include a Version element with the value 2012-10-17").
  if (v < 0.9 || type === 'rcp') d.Version = '2012-10-17'; else if (v < 0.96) d.Version = '2008-10-17';
  return d;
}

function pickAccount(r: Rng): string {
  const x = r.next();
  return x < 0.7 ? A : x < 0.9 ? B : MGMT;
}

const TIMES = ['2023-06-01T00:00:00Z', '2024-03-01T12:00:00Z', '2025-01-01T00:00:00Z'];

export function generateCase(id: number, r: Rng): DiffCase {
  const principal = r.pick(CALLERS);
  const op = r.pick(OPS);
  const resourceAccount = op.resource('') === '*' ? (principal === 'bob' || principal === 'rootB' ? B : principal === 'mgmtUser' ? MGMT : A) : pickAccount(r);
  const c: DiffCase = {
    id, principal, action: op.action, resource: op.resource(resourceAccount), resourceAccount,
    context: {}, tags: {}, identity: [],
  };
  // Request context.
  const t = r.pick(TIMES);
  c.context['aws:CurrentTime'] = t;
  c.context['aws:EpochTime'] = String(Math.floor(Date.parse(t) / 1000));
  if (r.chance(0.6)) c.tags.team = r.pick(['eng', 'ops', 'Ops', 'engineering']);
  if (principal !== 'anonymous' && principal !== 'service') {
    if (r.chance(0.7)) c.context['aws:MultiFactorAuthPresent'] = r.chance(0.5) ? 'true' : 'false';
    if (r.chance(0.4)) c.context['aws:MultiFactorAuthAge'] = r.pick(['60', '900', '7200']);
    if ((principal === 'session' || principal === 'fed') && r.chance(0.5)) c.context['aws:TokenIssueTime'] = r.pick(['2024-03-01T00:00:00Z', '2024-02-01T00:00:00Z']);
  }
  if (r.chance(0.7)) c.context['aws:SourceIp'] = r.pick(['10.1.2.3', '10.2.0.1', '192.168.1.1', '203.0.113.9', '2001:db8::1', '2001:db9::1']);
  if (r.chance(0.7)) c.context['aws:SecureTransport'] = r.chance(0.8) ? 'true' : 'false';
  if (r.chance(0.5)) c.context['aws:TagKeys'] = r.pick([[], ['a'], ['a', 'b'], ['a', 'c'], ['c'], ['A']]);
  if (r.chance(0.4)) c.context['aws:RequestTag/env'] = r.pick(['dev', 'prod', 'production']);
  if (r.chance(0.15)) c.context['aws:RequestTag/bin'] = r.pick(['QmluYXJ5', 'T3RoZXI=']);
  if (op.action === 's3:ListBucket') {
    if (r.chance(0.6)) c.context['s3:prefix'] = r.pick(['home/alice/x', 'public/a', 'tmp/', '']);
    if (r.chance(0.6)) c.context['s3:max-keys'] = r.pick(['5', '9', '10', '100']);
  }

  // Policies.
  const hasIdentity = !['anonymous', 'service', 'root', 'rootB'].includes(principal);
  if (hasIdentity) {
    const n = r.int(4);
    for (let i = 0; i < n; i++) c.identity.push(doc(r, 'identity'));
    if (principal !== 'fed' && r.chance(0.25)) c.boundary = doc(r, 'boundary');
    if ((principal === 'session' || principal === 'fed') && r.chance(principal === 'fed' ? 0.8 : 0.3)) c.session = doc(r, 'session');
  }
  if (op.resourcePolicy === 'trust' || op.resourcePolicy === 'kms' || (op.resourcePolicy && r.chance(0.6))) {
    const kind = op.resourcePolicy!;
    c.resourcePolicy = { kind, doc: doc(r, kind === 'standard' ? 'resource' : kind) };
  }
  if (r.chance(0.4)) {
    const levels = 1 + r.int(3);
    c.scp = [];
    for (let l = 0; l < levels; l++) {
      const lvl: Doc[] = [];
      if (r.chance(0.8)) lvl.push(FULL_ACCESS);
      const extra = r.int(3);
      for (let i = 0; i < extra; i++) lvl.push(doc(r, 'scp', 2));
      if (lvl.length === 0) lvl.push(doc(r, 'scp', 2));
      c.scp.push(lvl);
    }
  }
  if (r.chance(0.25)) {
    const levels = 1 + r.int(2);
    c.rcp = [];
    for (let l = 0; l < levels; l++) c.rcp.push(r.chance(0.7) ? [doc(r, 'rcp', 2)] : []);
  }
  return c;
}

export function generateCases(seed: number, count: number): DiffCase[] {
  const r = new Rng(seed);
  return Array.from({ length: count }, (_, i) => generateCase(i, r));
}
