// Random authorization scenarios over a small vocabulary, for the property tests.
//
// A scenario is plain JSON (policy documents, a principal, a request) so that it can be
// shrunk and printed by fast-check, edited (add a Deny, remove an Allow) and compiled afresh.
import fc from 'fast-check';

import { authorize, buildRequestContext, compilePolicy, parsePolicy } from '../../src/policy/index.js';
import type {
  AuthorizationRequest, CompiledPolicyRef, Explanation, PolicySet, PolicyType, Principal,
} from '../../src/policy/types.js';

export const ACCT_A = '111122223333';
export const ACCT_B = '444455556666';
export const ACCT_MGMT = '999999999999';

export type Doc = { Version?: string; Statement: Record<string, unknown>[] };
export type ResourceKind = 'standard' | 'trust' | 'kms';

export interface PolicyDocs {
  identity: Doc[];
  boundary?: Doc;
  session?: Doc[];
  resource?: { kind: ResourceKind; doc: Doc };
  scp?: Doc[][];
  rcp?: Doc[][];
}

export interface Scenario {
  principal: Principal;
  action: string;
  resource: string;
  resourceAccount?: string;
  context: {
    tags?: Record<string, string>;
    mfaPresent?: boolean;
    sourceIp?: string;
    secureTransport?: boolean;
    currentTime: string;
    extra: Record<string, string | string[]>;
  };
  managementAccountId?: string;
  policies: PolicyDocs;
}

// ---------------------------------------------------------------------------
// Vocabulary

const ROLE_ARN = `arn:aws:iam::${ACCT_A}:role/R`;
const SESSION_ARN = `arn:aws:sts::${ACCT_A}:assumed-role/R/s`;
const ALICE = `arn:aws:iam::${ACCT_A}:user/alice`;
const BOB = `arn:aws:iam::${ACCT_B}:user/bob`;
const FED = `arn:aws:sts::${ACCT_A}:federated-user/fed`;

export const PRINCIPALS: readonly Principal[] = [
  { kind: 'user', accountId: ACCT_A, arn: ALICE },
  { kind: 'user', accountId: ACCT_B, arn: BOB },
  { kind: 'user', accountId: ACCT_MGMT, arn: `arn:aws:iam::${ACCT_MGMT}:user/admin` },
  { kind: 'assumedRole', accountId: ACCT_A, arn: SESSION_ARN, roleArn: ROLE_ARN },
  {
    kind: 'assumedRole', accountId: ACCT_A, serviceLinkedRole: true,
    arn: `arn:aws:sts::${ACCT_A}:assumed-role/AWSServiceRoleForX/x`,
    roleArn: `arn:aws:iam::${ACCT_A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX`,
  },
  { kind: 'root', accountId: ACCT_A, arn: `arn:aws:iam::${ACCT_A}:root` },
  { kind: 'federatedUser', accountId: ACCT_A, arn: FED },
  { kind: 'anonymous' },
  { kind: 'service', service: 's3.amazonaws.com' },
];

const ACTIONS = [
  's3:GetObject', 's3:PutObject', 's3:ListBucket', 'iam:GetUser', 'sqs:SendMessage',
  'ec2:DescribeInstances', 'sts:AssumeRole', 'kms:Decrypt',
];
const RESOURCES = [
  'arn:aws:s3:::b/k', 'arn:aws:s3:::b/x/y', 'arn:aws:s3:::b', `arn:aws:iam::${ACCT_A}:user/alice`,
  `arn:aws:sqs:us-east-1:${ACCT_B}:q`, '*', `arn:aws:kms:us-east-1:${ACCT_A}:key/k1`, ROLE_ARN,
];
const ACTION_PATTERNS = [
  '*', 's3:*', 's3:Get*', 's3:GetObject', 'S3:getobject', 's3:PutObject', 's3:List*', 'iam:*',
  'sqs:Send?essage', 'ec2:Describe*', 'kms:*', 'sts:AssumeRole', '*:Get*',
];
const RESOURCE_PATTERNS = [
  '*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b', 'arn:aws:s3:::*', 'arn:aws:s3:::b/x/*',
  'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}', 'arn:aws:iam::*:user/*',
  'arn:aws:sqs:*:*:q', `arn:aws:kms:*:${ACCT_A}:key/*`, 'arn:aws:*:*:*:*', `arn:aws:iam::${ACCT_A}:role/*`,
];

type Clause = [operator: string, key: string, values: string | string[]];
const CLAUSES: readonly Clause[] = [
  ['StringEquals', 'aws:username', 'alice'],
  ['StringLike', 'aws:PrincipalTag/team', 'eng*'],
  ['StringNotEquals', 'aws:PrincipalTag/team', 'eng'],
  ['StringEqualsIgnoreCase', 'aws:PrincipalTag/team', 'OPS'],
  ['NumericLessThan', 's3:max-keys', '10'],
  ['NumericGreaterThanEqualsIfExists', 's3:max-keys', '10'],
  ['Bool', 'aws:MultiFactorAuthPresent', 'true'],
  ['BoolIfExists', 'aws:SecureTransport', 'false'],
  ['IpAddress', 'aws:SourceIp', '10.0.0.0/8'],
  ['NotIpAddress', 'aws:SourceIp', ['10.1.0.0/16', '2001:db8::/32']],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b']],
  ['ForAllValues:StringLike', 'aws:TagKeys', ['a*']],
  ['ForAllValues:StringNotEquals', 'aws:TagKeys', 'c'],
  ['Null', 'aws:PrincipalTag/team', 'true'],
  ['Null', 's3:prefix', 'false'],
  ['StringEqualsIfExists', 's3:prefix', 'home/'],
  ['StringNotLikeIfExists', 's3:prefix', 'tmp/*'],
  ['DateGreaterThan', 'aws:CurrentTime', '2024-01-01T00:00:00Z'],
  ['DateLessThan', 'aws:CurrentTime', '2024-06-01T00:00:00Z'],
  ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'],
  ['ArnNotEquals', 'aws:PrincipalArn', ALICE],
  ['StringEquals', 'aws:PrincipalAccount', ACCT_A],
  ['StringEquals', 's3:prefix', '${aws:username}/'],
];

const PRINCIPAL_BLOCKS: readonly unknown[] = [
  '*', { AWS: '*' }, { AWS: ALICE }, { AWS: ACCT_A }, { AWS: `arn:aws:iam::${ACCT_A}:root` }, { AWS: ROLE_ARN },
  { AWS: SESSION_ARN }, { AWS: `arn:aws:iam::${ACCT_B}:root` }, { AWS: BOB }, { Service: 's3.amazonaws.com' },
  { AWS: FED }, { AWS: [ALICE, BOB] },
];

// ---------------------------------------------------------------------------
// Arbitraries

const conditionArb: fc.Arbitrary<Record<string, Record<string, string | string[]>> | undefined> = fc
  .option(fc.uniqueArray(fc.constantFrom(...CLAUSES), { minLength: 1, maxLength: 2 }), { freq: 3 })
  .map((cs) => {
    if (cs === null) return undefined;
    const out: Record<string, Record<string, string | string[]>> = {};
    for (const [op, key, values] of cs) (out[op] ??= {})[key] = values;
    return out;
  });

const listOf = (pool: readonly string[]) =>
  fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 2 }).map((xs) => (xs.length === 1 ? xs[0] : xs));

/** The statement's fields before the per-type grammar is applied. */
export const statementArb = (effect?: 'Allow' | 'Deny'): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({
    effect: effect ? fc.constant(effect) : fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
    actionNeg: fc.integer({ min: 0, max: 9 }),
    actions: listOf(ACTION_PATTERNS),
    resNeg: fc.integer({ min: 0, max: 9 }),
    resources: listOf(RESOURCE_PATTERNS),
    principal: fc.constantFrom(...PRINCIPAL_BLOCKS),
    notPrincipal: fc.integer({ min: 0, max: 9 }),
    condition: conditionArb,
  }).map((r) => {
    const st: Record<string, unknown> = { Effect: r.effect };
    if (r.actionNeg === 0) st.NotAction = r.actions; else st.Action = r.actions;
    if (r.resNeg === 0) st.NotResource = r.resources; else st.Resource = r.resources;
    st.Principal = r.principal;
    if (r.notPrincipal === 0) st.__notPrincipal = true;
    if (r.condition) st.Condition = r.condition;
    return st;
  });

/** Applies a policy type's grammar to a raw statement (drops or rewrites what it forbids). */
export function shapeFor(type: PolicyType, raw: Record<string, unknown>): Record<string, unknown> {
  const st: Record<string, unknown> = { ...raw };
  const notPrincipal = st.__notPrincipal === true;
  delete st.__notPrincipal;
  if (type === 'resource') {
    // NotPrincipal is only valid with Deny (reference_policies_elements_notprincipal.html).
    if (notPrincipal && st.Effect === 'Deny') { st.NotPrincipal = st.Principal === '*' ? { AWS: ALICE } : st.Principal; delete st.Principal; }
  } else if (type === 'trust') {
    delete st.Resource; delete st.NotResource;
  } else if (type === 'rcp') {
    st.Principal = '*';
    if (st.NotAction) { st.Action = st.NotAction; delete st.NotAction; }
  } else {
    delete st.Principal;
  }
  return st;
}

const docArb = (type: PolicyType, min = 1, max = 4): fc.Arbitrary<Doc> =>
  fc.tuple(fc.array(statementArb(type === 'rcp' ? 'Deny' : undefined), { minLength: min, maxLength: max }), fc.integer({ min: 0, max: 9 }))
    .map(([sts, v]) => {
      const d: Doc = { Statement: sts.map((s, i) => ({ ...(i % 2 === 0 ? { Sid: `S${i}` } : {}), ...shapeFor(type, s) })) };
      // Mostly 2012-10-17; sometimes 2008-10-17 (no policy variables) or none (same thing).
      // RCPs must say 2012-10-17 (orgs_manage_policies_rcps_syntax.html).
      if (v > 1 || type === 'rcp') d.Version = '2012-10-17'; else if (v === 1) d.Version = '2008-10-17';
      return d;
    });

export const FULL_ACCESS: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
export const RCP_FULL_ACCESS: Doc = {
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
};

// An SCP level: FullAWSAccess (usually) plus random policies.
const scpLevelArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(docArb('scp', 1, 2), { maxLength: 2 }))
  .map(([f, docs]) => (f > 0 || docs.length === 0 ? [FULL_ACCESS, ...docs] : docs));
const rcpLevelArb = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.array(docArb('rcp', 1, 2), { maxLength: 1 }))
  .map(([f, docs]) => (f > 0 || docs.length === 0 ? [RCP_FULL_ACCESS, ...docs] : docs));

export const policiesArb: fc.Arbitrary<PolicyDocs> = fc.record({
  identity: fc.array(docArb('identity'), { maxLength: 3 }),
  boundary: fc.option(docArb('boundary'), { freq: 3, nil: undefined }),
  session: fc.option(fc.array(docArb('session'), { minLength: 1, maxLength: 2 }), { freq: 3, nil: undefined }),
  resource: fc.option(
    fc.constantFrom<ResourceKind>('standard', 'standard', 'standard', 'standard', 'trust', 'kms').chain((kind) =>
      docArb(kind === 'trust' ? 'trust' : 'resource').map((doc) => ({ kind, doc }))),
    { freq: 2, nil: undefined },
  ),
  scp: fc.option(fc.array(scpLevelArb, { minLength: 1, maxLength: 3 }), { freq: 2, nil: undefined }),
  rcp: fc.option(fc.array(rcpLevelArb, { minLength: 1, maxLength: 2 }), { freq: 3, nil: undefined }),
}, { requiredKeys: ['identity'] });

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  // Mostly the same-account user and role session, whose decisions exercise every layer.
  principal: fc.oneof(
    { arbitrary: fc.constantFrom(PRINCIPALS[0], PRINCIPALS[3]), weight: 6 },
    { arbitrary: fc.constantFrom(...PRINCIPALS), weight: 4 },
  ),
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  resourceAccount: fc.constantFrom<string | undefined>(ACCT_A, ACCT_A, ACCT_A, ACCT_A, ACCT_B, ACCT_MGMT, undefined, undefined),
  context: fc.record({
    tags: fc.constantFrom<Record<string, string> | undefined>(undefined, { team: 'eng' }, { team: 'engineering' }, { team: 'ops' }),
    mfaPresent: fc.constantFrom<boolean | undefined>(undefined, true, false),
    sourceIp: fc.constantFrom<string | undefined>(undefined, '10.1.2.3', '10.2.0.1', '192.168.0.1', '2001:db8::1'),
    secureTransport: fc.constantFrom<boolean | undefined>(undefined, true, false),
    currentTime: fc.constantFrom('2023-06-01T00:00:00Z', '2024-03-01T12:00:00Z', '2025-01-01T00:00:00Z'),
    extra: fc.record({
      's3:prefix': fc.constantFrom<string | undefined>(undefined, 'home/', 'alice/', 'tmp/x', ''),
      's3:max-keys': fc.constantFrom<string | undefined>(undefined, '5', '10', '50'),
      'aws:TagKeys': fc.constantFrom<string[] | undefined>(undefined, [], ['a'], ['a', 'b'], ['a', 'c'], ['c']),
    }).map((e) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(e)) if (v !== undefined) out[k] = v;
      return out;
    }),
  }, { requiredKeys: ['currentTime', 'extra'] }),
  managementAccountId: fc.constantFrom<string | undefined>(undefined, ACCT_MGMT),
  policies: policiesArb,
}, { requiredKeys: ['principal', 'action', 'resource', 'context', 'policies'] });

// ---------------------------------------------------------------------------
// Building requests

function compile(doc: Doc, type: PolicyType, id: string, managed = false): CompiledPolicyRef {
  const parsed = parsePolicy(doc, managed ? { type, managed: true } : { type });
  if (!parsed.ok) throw new Error(`generator produced an invalid ${type} policy ${id}: ${JSON.stringify(parsed.issues)}\n${JSON.stringify(doc)}`);
  return compilePolicy(parsed.policy, { id, type, name: id });
}

/** Compiles the scenario's documents (afresh on every call) into a PolicySet. Ids are unique. */
export function buildPolicySet(p: PolicyDocs): PolicySet {
  const set: { -readonly [K in keyof PolicySet]: PolicySet[K] } = {};
  set.identity = p.identity.map((d, i) => compile(d, 'identity', `identity${i}`));
  if (p.boundary) set.boundary = compile(p.boundary, 'boundary', 'boundary');
  if (p.session) set.session = p.session.map((d, i) => compile(d, 'session', `session${i}`));
  if (p.resource) {
    set.resource = compile(p.resource.doc, p.resource.kind === 'trust' ? 'trust' : 'resource', 'resource');
    set.resourcePolicyKind = p.resource.kind;
  }
  if (p.scp) set.scp = p.scp.map((lvl, l) => ({ target: l === 0 ? 'r-root' : `ou-lvl${l}`, policies: lvl.map((d, i) => compile(d, 'scp', `scp${l}.${i}`)) }));
  if (p.rcp) set.rcp = p.rcp.map((lvl, l) => ({ target: l === 0 ? 'r-root' : `ou-lvl${l}`, policies: lvl.map((d, i) => compile(d, 'rcp', `rcp${l}.${i}`, true)) }));
  return set;
}

export function buildRequest(s: Scenario): AuthorizationRequest {
  const p = s.principal;
  const context = buildRequestContext({
    principal: p,
    ...(s.context.tags ? { tags: s.context.tags } : {}),
    ...(s.context.mfaPresent !== undefined ? { mfaPresent: s.context.mfaPresent } : {}),
    ...(s.context.sourceIp ? { sourceIp: s.context.sourceIp } : {}),
    ...(s.context.secureTransport !== undefined ? { secureTransport: s.context.secureTransport } : {}),
    currentTime: s.context.currentTime,
    extra: s.context.extra,
  });
  const req: AuthorizationRequest = {
    principal: p, action: s.action, resource: s.resource, context, policies: buildPolicySet(s.policies),
  };
  if (s.resourceAccount !== undefined) req.resourceAccount = s.resourceAccount;
  if (s.managementAccountId !== undefined) req.organization = { managementAccountId: s.managementAccountId };
  return req;
}

export function decide(s: Scenario, verbose = false): Explanation {
  return authorize(buildRequest(s), { verbose });
}

// ---------------------------------------------------------------------------
// Edits: the places a statement can be added to or removed from

export type Slot =
  | { layer: 'identity' | 'session'; index: number }
  | { layer: 'boundary' | 'resource' }
  | { layer: 'scp' | 'rcp'; level: number; index: number };

export function typeOfSlot(p: PolicyDocs, slot: Slot): PolicyType {
  if (slot.layer === 'resource') return p.resource!.kind === 'trust' ? 'trust' : 'resource';
  return slot.layer;
}

export function slotsOf(p: PolicyDocs): Slot[] {
  const out: Slot[] = [];
  p.identity.forEach((_, index) => out.push({ layer: 'identity', index }));
  p.session?.forEach((_, index) => out.push({ layer: 'session', index }));
  if (p.boundary) out.push({ layer: 'boundary' });
  if (p.resource) out.push({ layer: 'resource' });
  p.scp?.forEach((lvl, level) => lvl.forEach((_, index) => out.push({ layer: 'scp', level, index })));
  p.rcp?.forEach((lvl, level) => lvl.forEach((_, index) => out.push({ layer: 'rcp', level, index })));
  return out;
}

export function docAt(p: PolicyDocs, slot: Slot): Doc {
  switch (slot.layer) {
    case 'identity': return p.identity[slot.index];
    case 'session': return p.session![slot.index];
    case 'boundary': return p.boundary!;
    case 'resource': return p.resource!.doc;
    case 'scp': return p.scp![slot.level][slot.index];
    case 'rcp': return p.rcp![slot.level][slot.index];
  }
}

/** A copy of the documents with the document at `slot` replaced. */
export function withDoc(p: PolicyDocs, slot: Slot, doc: Doc): PolicyDocs {
  const q: PolicyDocs = structuredClone(p);
  switch (slot.layer) {
    case 'identity': q.identity[slot.index] = doc; break;
    case 'session': q.session![slot.index] = doc; break;
    case 'boundary': q.boundary = doc; break;
    case 'resource': q.resource!.doc = doc; break;
    case 'scp': q.scp![slot.level][slot.index] = doc; break;
    case 'rcp': q.rcp![slot.level][slot.index] = doc; break;
  }
  return q;
}

/**
 * A statement that can never apply (no request uses the `zzz` service), used when removing a
 * statement would leave a policy with none: AWS refuses an empty Statement, and an inert
 * statement has exactly the meaning of its absence.
 */
export function inertStatement(type: PolicyType): Record<string, unknown> {
  const st: Record<string, unknown> = { Effect: type === 'rcp' ? 'Deny' : 'Allow', Action: 'zzz:Nothing' };
  if (type !== 'trust') st.Resource = '*';
  if (type === 'resource' || type === 'trust' || type === 'rcp') st.Principal = '*';
  return st;
}
