// The IAM policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy,
// GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy — decided by the same engine
// (`authorize` from src/policy) that enforces every call, with AWS's response shapes.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
//
// Choices, following AWS's documentation of the simulator:
// - The simulator evaluates the policies it is given (or that are attached to PolicySourceArn),
//   never the "root user has full access" shortcut of enforcement: the simulated caller is always
//   an IAM user (CallerArn must be a user ARN), a role session of the source role, or — for
//   SimulateCustomPolicy without CallerArn — an unnamed IAM user of the caller's account. The
//   root user is not a policy source (its ARN is not a user, group or role: InvalidInput).
// - The request context holds exactly the ContextEntries given: the simulator does not invent
//   global keys (aws:CurrentTime, aws:SourceIp, aws:username…). Condition keys and policy
//   variables that the relevant statements (Action, Resource and Principal match) use and the
//   request lacks are reported in MissingContextValues, as AWS does — SCP statements included.
// - SimulatePrincipalPolicy includes the SCPs that apply to the account (OrganizationsDecisionDetail);
//   SimulateCustomPolicy includes OrderedOrganizationPolicyInputList, one level per entry.
// - MatchedStatements name the identity, boundary and resource policy statements that decided
//   (Allows for `allowed`, Denies for `explicitDeny`, none for `implicitDeny`); SCP statements are
//   summarised by OrganizationsDecisionDetail only. PolicyInputList entries are named
//   `PolicyInputList.N` with SourcePolicyType `IAM Policy`, which is what IAM really returns
//   (outside the model's enum); attached policies by name with user/group/role/aws-managed/
//   user-managed, the resource policy as `ResourcePolicy`/`resource`.
// - Positions: IAM reports the column just after the statement's `{` as StartPosition and the
//   column just after its `}` as EndPosition (1-based lines and columns; the AWS CLI's documented
//   example `{"Version":…,"Statement":{…}}` gives 38 and 167 for a statement spanning 37–166).
// - One EvaluationResult per (action, resource) pair, actions first; with ResourceArns each carries
//   its ResourceSpecificResults entry. EvalDecisionDetails appear for simulations with resource
//   ARNs (per policy type for cross-account ones, empty within one account), as documented.
import {
  accountOfArn, authorize, loadPolicy, normalizeContext, parsePolicy,
  type CompiledPolicy, type ContextValue, type Explanation, type PolicyLevel, type PolicyType, type Principal,
  type Statement, type StatementRef,
} from '../../policy/index.js';
import { parseDate } from '../../policy/conditions/date.js';
import { parseDecimal } from '../../policy/conditions/numeric.js';
import { isIpAddress, parseCidr } from '../../policy/conditions/ip-address.js';
import { isBase64 } from '../../policy/conditions/binary.js';
import { parseTemplateParts } from '../../policy/variables.js';
import type { ReadTx } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import { OrganizationView } from '../authz/organization.js';
import { getAwsManagedPolicy } from './managed-policies/index.js';
import { decodeMarker, encodeMarker, iamError, invalidInput, listAll, noSuchEntity, optStr, str } from './common.js';
import {
  KIND, ownerKey, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc, type ManagedPolicyDoc, type MembershipDoc,
  type OwnerType, type PolicyVersionDoc, type RoleDoc, type UserDoc,
} from './entities.js';

// ---------------------------------------------------------------------------
// A small JSON scanner that keeps the offsets of every value, for statement positions and for
// pointing at a JSON path in `warden validate`.

export interface JsonNode {
  /** Offset of the value's first character. */
  start: number;
  /** Offset of the value's last character. */
  end: number;
  kind: 'object' | 'array' | 'scalar';
  /** Object members (the last of duplicate keys wins, as JSON.parse does). */
  members?: Map<string, JsonNode>;
  items?: JsonNode[];
}

class ScanError extends Error {}

/** Scans JSON text into value spans; undefined when the text is not JSON. */
export function scanJson(text: string): JsonNode | undefined {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const fail = (): never => { throw new ScanError(); };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, JsonNode>();
      ws();
      if (text[i] === '}') { i++; return { start, end: i - 1, kind: 'object', members }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = readString();
        ws();
        if (text[i] !== ':') fail();
        i++;
        members.set(key, value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { start, end: i - 1, kind: 'object', members }; }
        fail();
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') { i++; return { start, end: i - 1, kind: 'array', items }; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return { start, end: i - 1, kind: 'array', items }; }
        fail();
      }
    }
    if (c === '"') { readString(); return { start, end: i - 1, kind: 'scalar' }; }
    while (i < text.length && !',]} \t\n\r'.includes(text[i])) i++;
    if (i === start) fail();
    return { start, end: i - 1, kind: 'scalar' };
  };
  try {
    const root = value();
    ws();
    return i === text.length ? root : undefined;
  } catch (e) {
    if (e instanceof ScanError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** The node at a JSON path (keys and array indexes), or the deepest node on the way. */
export function nodeAt(root: JsonNode, path: readonly (string | number)[]): JsonNode {
  let n = root;
  for (const p of path) {
    const next = typeof p === 'number' ? n.items?.[p] : n.members?.get(p);
    if (!next) break;
    n = next;
  }
  return n;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { Line: number; Column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  return { Line: line, Column: offset - lineStart + 1 };
}

/** Each statement's span (offsets of its `{` and `}`), indexed as the parser numbers statements. */
export function statementSpans(text: string): { start: number; end: number }[] {
  const root = scanJson(text);
  const st = root?.members?.get('Statement');
  if (!st) return [];
  if (st.kind === 'object') return [{ start: st.start, end: st.end }];
  return (st.items ?? []).map((n) => ({ start: n.start, end: n.end }));
}

// ---------------------------------------------------------------------------
// The simulation itself: pure, shared by the API operations and `warden simulate`.

/** A policy taking part in a simulation, with its text (for positions) and how IAM names it. */
export interface SimPolicy {
  /** SourcePolicyId: `PolicyInputList.1`, an inline policy's name, a managed policy's name. */
  sourceId: string;
  /** SourcePolicyType. */
  sourceType: string;
  text: string;
  compiled: CompiledPolicy;
}

export interface SimulationSpec {
  principal: Principal;
  identity: SimPolicy[];
  boundary?: SimPolicy;
  resourcePolicy?: SimPolicy;
  /** SCP levels (root → account); undefined when SCPs do not apply. */
  scp?: readonly PolicyLevel[];
  managementAccountId?: string;
  actions: readonly string[];
  /** Empty: the actions are simulated on `*`. */
  resources: readonly string[];
  /** The account owning resources whose ARN does not say (ResourceOwner), else the caller's. */
  resourceOwner?: string;
  /** As given (keys as written); lower-cased for the engine. */
  context: Readonly<Record<string, ContextValue>>;
}

export interface SimulationResult {
  action: string;
  resource: string;
  explanation: Explanation;
  /** The statements behind MatchedStatements, in the same order. */
  matched: StatementRef[];
  /** The EvaluationResult in AWS's shape. */
  output: Record<string, unknown>;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export function awsDecision(e: Explanation): Decision {
  return e.decision === 'Allow' ? 'allowed' : e.decision === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';
}

/** Compiles one submitted policy; InvalidInput naming the list entry when it is not valid. */
export function simPolicy(text: string, type: PolicyType, sourceId: string, sourceType: string): SimPolicy {
  const r = loadPolicy(text, { id: sourceId, type, name: sourceId });
  if (!r.ok) {
    const first = r.issues[0];
    throw invalidInput(`${sourceId} is not a valid ${type === 'resource' ? 'resource-based ' : ''}policy: ${first?.message ?? 'syntax errors in policy'}.`.replace('..', '.'));
  }
  return { sourceId, sourceType, text, compiled: r.policy };
}

function matchedStatements(spec: SimulationSpec, reasons: readonly StatementRef[], refs: StatementRef[]): Record<string, unknown>[] {
  const byId = new Map<string, SimPolicy>();
  for (const p of spec.identity) byId.set(p.compiled.id, p);
  if (spec.boundary) byId.set(spec.boundary.compiled.id, spec.boundary);
  if (spec.resourcePolicy) byId.set(spec.resourcePolicy.compiled.id, spec.resourcePolicy);
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const r of reasons) {
    if (r.policyType === 'scp' || r.policyType === 'rcp') continue;
    const p = byId.get(r.policyId);
    if (!p) continue;
    const k = `${r.policyId}\u0000${r.statementIndex}`;
    if (seen.has(k)) continue;
    seen.add(k);
    refs.push(r);
    const m: Record<string, unknown> = { SourcePolicyId: p.sourceId, SourcePolicyType: p.sourceType };
    const span = statementSpans(p.text)[r.statementIndex];
    if (span) {
      // The column just after `{` and just after `}` (see the header).
      m.StartPosition = lineColumn(p.text, span.start + 1);
      m.EndPosition = lineColumn(p.text, span.end + 1);
    }
    out.push(m);
  }
  return out;
}

/** The condition keys (as written) of a parsed statement, and the policy variables it uses. */
function statementKeys(st: Statement, variables: boolean): string[] {
  const keys: string[] = [];
  for (const c of st.conditions) {
    keys.push(c.key);
    if (variables) for (const v of c.values) if (typeof v === 'string') keys.push(...variablesOf(v));
  }
  if (variables) for (const r of [...(st.resource ?? []), ...(st.notResource ?? [])]) keys.push(...variablesOf(r));
  return keys;
}

function variablesOf(text: string): string[] {
  const out: string[] = [];
  for (const p of parseTemplateParts(text, true)) if (p.kind === 'variable') out.push(p.name);
  return out;
}

function dedupe(keys: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of keys) {
    const l = k.toLowerCase();
    if (!seen.has(l)) { seen.add(l); out.push(k); }
  }
  return out;
}

/** Keys used by the statements whose Action and Resource match, but absent from the context. */
function missingContextValues(spec: SimulationSpec, action: string, resource: string): string[] {
  const ctx = normalizeContext(spec.context);
  const keys: string[] = [];
  const probe = authorizeProbe(action, resource, spec);
  for (const pol of allCompiled(spec)) {
    for (const st of pol.statements) {
      const nm = probe.get(st);
      // A statement is relevant unless it fails on Action/Resource/Principal.
      if (nm !== undefined && nm !== 'Condition') continue;
      keys.push(...statementKeys(st.source, st.variables));
    }
  }
  return dedupe(keys).filter((k) => ctx[k.toLowerCase()] === undefined);
}

/**
 * Every policy of the simulation, SCPs included: a condition key an SCP needs is reported as
 * missing too (AWS's simulator leaves SCP keys out of MissingContextValues, aws/aws-cli#10525 —
 * reported as a bug; here the decision never depends on a key the answer does not name).
 */
function allCompiled(spec: SimulationSpec): CompiledPolicy[] {
  const out: CompiledPolicy[] = spec.identity.map((p) => p.compiled);
  if (spec.boundary) out.push(spec.boundary.compiled);
  if (spec.resourcePolicy) out.push(spec.resourcePolicy.compiled);
  for (const l of spec.scp ?? []) for (const p of l.policies) out.push(p as CompiledPolicy);
  return out;
}

/** For every statement, the element that made it not match (from the engine's verbose explanation). */
function authorizeProbe(action: string, resource: string, spec: SimulationSpec): Map<unknown, string> {
  const e = decide(spec, action, resource, true);
  const out = new Map<unknown, string>();
  const index = new Map<string, unknown>();
  for (const pol of allCompiled(spec)) {
    for (const st of pol.statements) index.set(`${pol.id}\u0000${st.ref.statementIndex}`, st);
  }
  for (const nm of e.nonMatches ?? []) {
    const st = index.get(`${nm.statement.policyId}\u0000${nm.statement.statementIndex}`);
    if (st) out.set(st, nm.element);
  }
  return out;
}

function resourceAccountOf(spec: SimulationSpec, resource: string): string | undefined {
  return accountOfArn(resource) ?? spec.resourceOwner ?? spec.principal.accountId;
}

function decide(spec: SimulationSpec, action: string, resource: string, verbose = false): Explanation {
  const identity = spec.identity.map((p) => p.compiled);
  return authorize({
    principal: spec.principal,
    action,
    resource,
    resourceAccount: resourceAccountOf(spec, resource),
    context: normalizeContext(spec.context),
    policies: {
      identity,
      ...(spec.boundary ? { boundary: spec.boundary.compiled } : {}),
      ...(spec.resourcePolicy ? { resource: spec.resourcePolicy.compiled, resourcePolicyKind: 'standard' as const } : {}),
      ...(spec.scp ? { scp: spec.scp } : {}),
    },
    organization: { managementAccountId: spec.managementAccountId },
  }, { verbose });
}

function layerDecision(e: Explanation, layer: 'identity' | 'resource'): Decision {
  const l = e.layers.find((x) => x.layer === layer);
  return l?.outcome === 'allow' ? 'allowed' : l?.outcome === 'deny' ? 'explicitDeny' : 'implicitDeny';
}

/** Decides one action on one resource and builds AWS's EvaluationResult. */
export function simulateOne(spec: SimulationSpec, action: string, resource: string): SimulationResult {
  const explanation = decide(spec, action, resource);
  const decision = awsDecision(explanation);
  const refs: StatementRef[] = [];
  const matched = decision === 'implicitDeny' ? [] : matchedStatements(spec, explanation.reasons, refs);
  const missing = missingContextValues(spec, action, resource);
  const out: Record<string, unknown> = {
    EvalActionName: action, EvalResourceName: resource, EvalDecision: decision,
    MatchedStatements: matched, MissingContextValues: missing,
  };
  const scpLayers = explanation.layers.filter((l) => l.layer === 'scp' && l.outcome !== 'not-applicable');
  if (scpLayers.length > 0) out.OrganizationsDecisionDetail = { AllowedByOrganizations: scpLayers.every((l) => l.outcome === 'allow') };
  let boundaryDetail: Record<string, unknown> | undefined;
  if (spec.boundary) {
    const b = explanation.layers.find((l) => l.layer === 'boundary');
    boundaryDetail = { AllowedByPermissionsBoundary: b?.outcome === 'allow' };
    out.PermissionsBoundaryDecisionDetail = boundaryDetail;
  }
  if (spec.resources.length > 0) {
    const cross = resourceAccountOf(spec, resource) !== spec.principal.accountId;
    const details: Record<string, string> = {};
    if (cross) {
      details['IAM Policy'] = layerDecision(explanation, 'identity');
      details['Resource Policy'] = spec.resourcePolicy ? layerDecision(explanation, 'resource') : 'implicitDeny';
    }
    out.EvalDecisionDetails = details;
    const rs: Record<string, unknown> = {
      EvalResourceName: resource, EvalResourceDecision: decision, MatchedStatements: matched, MissingContextValues: missing,
      EvalDecisionDetails: details,
    };
    if (boundaryDetail) rs.PermissionsBoundaryDecisionDetail = boundaryDetail;
    out.ResourceSpecificResults = [rs];
  }
  return { action, resource, explanation, matched: refs, output: out };
}

/** Every (action, resource) pair, actions first. */
export function simulate(spec: SimulationSpec): SimulationResult[] {
  const resources = spec.resources.length > 0 ? spec.resources : ['*'];
  const out: SimulationResult[] = [];
  for (const a of spec.actions) for (const r of resources) out.push(simulateOne(spec, a, r));
  return out;
}

/** The condition keys and policy variables used by policies (as written, deduplicated case-insensitively). */
export function contextKeysOf(texts: readonly string[]): string[] {
  const keys: string[] = [];
  for (const text of texts) {
    const parsed = parsePolicy(text, { type: 'identity' });
    if (!parsed.ok) continue;
    const variables = parsed.policy.version === '2012-10-17';
    for (const st of parsed.policy.statements) keys.push(...statementKeys(st, variables));
  }
  return dedupe(keys);
}

// ---------------------------------------------------------------------------
// ContextEntries: typed values, checked as IAM checks them.

const CONTEXT_TYPES = new Set(['string', 'numeric', 'boolean', 'date', 'ip', 'binary']);

function checkContextValue(type: string, value: string, name: string): void {
  const bad = (what: string): never => { throw invalidInput(`Invalid value ${value} for context key ${name}: expected ${what}.`); };
  switch (type) {
    case 'numeric': if (Number.isNaN(parseDecimal(value))) bad('a number'); break;
    case 'boolean': if (value.toLowerCase() !== 'true' && value.toLowerCase() !== 'false') bad('true or false'); break;
    case 'date': if (Number.isNaN(parseDate(value))) bad('a date (ISO 8601 or epoch seconds)'); break;
    case 'ip': if (!isIpAddress(value) && parseCidr(value) === undefined) bad('an IP address or CIDR range'); break;
    case 'binary': if (!isBase64(value)) bad('base64-encoded binary'); break;
    default: break;
  }
}

/** ContextEntries → the request context (keys as written). InvalidInput for malformed entries. */
export function contextFromEntries(entries: unknown): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw invalidInput('ContextEntries must be a list.');
  for (const e of entries as Record<string, unknown>[]) {
    const name = typeof e?.ContextKeyName === 'string' ? e.ContextKeyName : undefined;
    const type = typeof e?.ContextKeyType === 'string' ? e.ContextKeyType : undefined;
    const values = Array.isArray(e?.ContextKeyValues) ? (e.ContextKeyValues as unknown[]).map(String) : undefined;
    if (!name) throw invalidInput('ContextKeyName is required in every context entry.');
    if (!type) throw invalidInput(`ContextKeyType is required for context key ${name}.`);
    if (!values || values.length === 0) throw invalidInput(`ContextKeyValues is required for context key ${name}.`);
    const list = type.endsWith('List');
    const base = list ? type.slice(0, -4) : type;
    if (!CONTEXT_TYPES.has(base)) throw invalidInput(`Invalid ContextKeyType ${type} for context key ${name}.`);
    if (!list && values.length > 1) {
      throw invalidInput(`Context key ${name} of type ${type} takes a single value; use ${type}List for several.`);
    }
    for (const v of values) checkContextValue(base, v, name);
    const norm = base === 'boolean' ? values.map((v) => v.toLowerCase()) : values;
    out[name] = list ? norm : norm[0];
  }
  return out;
}

// ---------------------------------------------------------------------------
// Principals: the policies of a user (and its groups), group or role, read from the store.

const SOURCE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(user|group|role)(\/(?:[^/]*\/)*)?([^/]+)$/;
const USER_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):user(\/(?:[^/]*\/)*)?([^/]+)$/;
const ACCOUNT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

interface SourceEntity {
  type: OwnerType;
  name: string;
  arn: string;
  accountId: string;
  /** Policies with their text: inline and attached, and for users their groups'. */
  policies: { sourceId: string; sourceType: string; text: string; key: string }[];
  boundary?: { sourceId: string; text: string };
}

async function managedText(tx: ReadTx, account: string, arn: string): Promise<{ text: string; aws: boolean } | undefined> {
  if (arn.includes(':aws:policy/')) {
    const p = getAwsManagedPolicy(arn);
    return p ? { text: p.Document, aws: true } : undefined;
  }
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const pol = await tx.get<ManagedPolicyDoc>(KIND.policy, account, name);
  if (!pol || pol.data.Arn !== arn) return undefined;
  const v = await tx.get<PolicyVersionDoc>(KIND.policyVersion, account, `${name}|${pol.data.DefaultVersionId}`);
  return v ? { text: v.data.Document, aws: false } : undefined;
}

async function ownPolicies(tx: ReadTx, account: string, type: OwnerType, name: string): Promise<SourceEntity['policies']> {
  const owner = ownerKey(type, name);
  const out: SourceEntity['policies'] = [];
  for (const e of await listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account, owner)) {
    out.push({ sourceId: e.data.PolicyName, sourceType: type, text: e.data.PolicyDocument, key: `${owner}|${e.data.PolicyName}` });
  }
  for (const e of await listAll<AttachmentDoc>(tx, KIND.attachment, account, owner)) {
    const m = await managedText(tx, account, e.data.PolicyArn);
    if (m) out.push({ sourceId: e.data.PolicyName, sourceType: m.aws ? 'aws-managed' : 'user-managed', text: m.text, key: `${owner}|${e.data.PolicyArn}` });
  }
  return out;
}

async function loadSource(tx: ReadTx, account: string, arn: string): Promise<SourceEntity> {
  const m = SOURCE_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid ARN ${arn}: PolicySourceArn must be the ARN of an IAM user, group or role.`);
  const [, acct, type, , name] = m as unknown as [string, string, OwnerType, string, string];
  const label = type === 'user' ? 'user' : type === 'group' ? 'group' : 'role';
  const missing = () => noSuchEntity(`The ${label} with name ${name} cannot be found.`);
  if (acct !== account) throw missing();
  const src: SourceEntity = { type, name, arn, accountId: acct, policies: [] };
  let boundaryArn: string | undefined;
  if (type === 'user') {
    const u = await tx.get<UserDoc>(KIND.user, account, name);
    if (!u || u.data.Arn !== arn) throw missing();
    src.name = u.data.UserName;
    boundaryArn = u.data.PermissionsBoundary?.PermissionsBoundaryArn;
    src.policies.push(...await ownPolicies(tx, account, 'user', u.data.UserName));
    for (const g of await listAll<MembershipDoc>(tx, KIND.userGroup, account, ownerKey('user', u.data.UserName))) {
      const group = await tx.get<GroupDoc>(KIND.group, account, g.data.GroupName);
      if (group) src.policies.push(...await ownPolicies(tx, account, 'group', group.data.GroupName));
    }
  } else if (type === 'group') {
    const g = await tx.get<GroupDoc>(KIND.group, account, name);
    if (!g || g.data.Arn !== arn) throw missing();
    src.name = g.data.GroupName;
    src.policies.push(...await ownPolicies(tx, account, 'group', g.data.GroupName));
  } else {
    const r = await tx.get<RoleDoc>(KIND.role, account, name);
    if (!r || r.data.Arn !== arn) throw missing();
    src.name = r.data.RoleName;
    boundaryArn = r.data.PermissionsBoundary?.PermissionsBoundaryArn;
    src.policies.push(...await ownPolicies(tx, account, 'role', r.data.RoleName));
  }
  if (boundaryArn) {
    const b = await managedText(tx, account, boundaryArn);
    if (b) src.boundary = { sourceId: boundaryArn.slice(boundaryArn.lastIndexOf('/') + 1), text: b.text };
  }
  return src;
}

// ---------------------------------------------------------------------------
// The operations.

function stringList(input: Record<string, unknown>, name: string): string[] {
  const v = input[name];
  return Array.isArray(v) ? v.map(String) : [];
}

function inputPolicies(input: Record<string, unknown>): SimPolicy[] {
  return stringList(input, 'PolicyInputList').map((t, i) => simPolicy(t, 'identity', `PolicyInputList.${i + 1}`, 'IAM Policy'));
}

function inputBoundary(input: Record<string, unknown>): SimPolicy | undefined {
  const list = stringList(input, 'PermissionsBoundaryPolicyInputList');
  if (list.length > 1) throw invalidInput('You can input only one permissions boundary when you pass a policy to this operation.');
  return list.length === 1 ? simPolicy(list[0], 'boundary', 'PermissionsBoundaryPolicyInputList.1', 'none') : undefined;
}

function userPrincipal(arn: string): Principal {
  const m = USER_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid CallerArn ${arn}: the simulated caller must be the ARN of an IAM user.`);
  return { kind: 'user', accountId: m[1], arn };
}

function resourceOwnerOf(input: Record<string, unknown>): string | undefined {
  const owner = optStr(input, 'ResourceOwner');
  if (owner === undefined) return undefined;
  const m = ACCOUNT_ARN.exec(owner);
  if (m) return m[1];
  if (/^\d{12}$/.test(owner)) return owner;
  throw invalidInput(`Invalid ResourceOwner ${owner}: use the account's ARN, arn:aws:iam::ACCOUNT-ID:root.`);
}

// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html (ResourceHandlingOption)
const RESOURCE_HANDLING = new Set([
  'EC2-VPC-InstanceStore', 'EC2-VPC-InstanceStore-Subnet', 'EC2-VPC-EBS', 'EC2-VPC-EBS-Subnet',
]);

function commonChecks(input: Record<string, unknown>): void {
  const h = optStr(input, 'ResourceHandlingOption');
  if (h !== undefined && !RESOURCE_HANDLING.has(h)) throw invalidInput(`Invalid ResourceHandlingOption ${h}.`);
}

function page(results: SimulationResult[], input: Record<string, unknown>): Record<string, unknown> {
  const startKey = decodeMarker(input.Marker);
  const start = startKey === undefined ? 0 : Number(startKey);
  if (!Number.isInteger(start) || start < 0 || start > results.length) throw invalidInput('Invalid Marker.');
  const max = typeof input.MaxItems === 'number' ? input.MaxItems : 100;
  const slice = results.slice(start, start + max);
  const truncated = start + max < results.length;
  const out: Record<string, unknown> = { EvaluationResults: slice.map((r) => r.output), IsTruncated: truncated };
  if (truncated) out.Marker = encodeMarker(String(start + max));
  return out;
}

function organizationPolicyLevels(input: Record<string, unknown>, account: string): PolicyLevel[] | undefined {
  const v = input.OrderedOrganizationPolicyInputList;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v.map((lvl, i) => {
    const texts = stringList((lvl ?? {}) as Record<string, unknown>, 'ServiceControlPolicyInputList');
    const policies = texts.map((t, j) => {
      const id = `OrderedOrganizationPolicyInputList.${i + 1}.ServiceControlPolicyInputList.${j + 1}`;
      const r = loadPolicy(t, { id, type: 'scp', name: id });
      if (!r.ok) throw invalidInput(`${id} is not a valid service control policy: ${r.issues[0]?.message ?? 'syntax errors in policy'}`);
      return r.policy;
    });
    return { target: i === v.length - 1 ? account : `level-${i + 1}`, policies };
  });
}

export const simulatorOperations: OperationTable = {
  async SimulatePrincipalPolicy(ctx, input) {
    const sourceArn = str(input, 'PolicySourceArn');
    ctx.authorize('iam:SimulatePrincipalPolicy', sourceArn);
    commonChecks(input);
    const account = ctx.caller.accountId;
    const { source, org } = await ctx.store.read(async (tx) => ({
      source: await loadSource(tx, account, sourceArn),
      org: await OrganizationView.load(tx),
    }));
    const excluded = new Set(stringList(input, 'PolicyExclusionList').map((x) => x.toLowerCase()));
    const identity: SimPolicy[] = [];
    for (const p of source.policies) {
      if (excluded.has(p.sourceId.toLowerCase())) continue;
      const r = loadPolicy(p.text, { id: p.key, type: 'identity', name: p.sourceId });
      if (!r.ok) throw iamError('PolicyEvaluation', `Policy ${p.sourceId} of ${source.arn} could not be evaluated.`);
      identity.push({ sourceId: p.sourceId, sourceType: p.sourceType, text: p.text, compiled: r.policy });
    }
    identity.push(...inputPolicies(input));
    let boundary = inputBoundary(input);
    if (!boundary && source.boundary) {
      const r = loadPolicy(source.boundary.text, { id: `boundary:${source.boundary.sourceId}`, type: 'boundary', name: source.boundary.sourceId });
      if (!r.ok) throw iamError('PolicyEvaluation', `The permissions boundary of ${source.arn} could not be evaluated.`);
      boundary = { sourceId: source.boundary.sourceId, sourceType: 'none', text: source.boundary.text, compiled: r.policy };
    }
    const callerArn = optStr(input, 'CallerArn');
    const resourcePolicyText = optStr(input, 'ResourcePolicy');
    let principal: Principal;
    if (callerArn !== undefined) principal = userPrincipal(callerArn);
    else if (source.type === 'user') principal = { kind: 'user', accountId: account, arn: source.arn };
    else if (resourcePolicyText !== undefined) {
      throw invalidInput('CallerArn is required when you include a ResourcePolicy and PolicySourceArn is not the ARN of an IAM user.');
    } else if (source.type === 'role') principal = { kind: 'assumedRole', accountId: account, arn: source.arn, roleArn: source.arn };
    else principal = { kind: 'user', accountId: account, arn: source.arn };
    const spec: SimulationSpec = {
      principal, identity, actions: stringList(input, 'ActionNames'), resources: stringList(input, 'ResourceArns'),
      context: contextFromEntries(input.ContextEntries), resourceOwner: resourceOwnerOf(input),
    };
    if (boundary) spec.boundary = boundary;
    if (resourcePolicyText !== undefined) spec.resourcePolicy = simPolicy(resourcePolicyText, 'resource', 'ResourcePolicy', 'resource');
    const scp = org.scpLevels(account);
    if (scp) { spec.scp = scp; spec.managementAccountId = org.managementAccountId(account); }
    return page(simulate(spec), input);
  },

  async SimulateCustomPolicy(ctx, input) {
    ctx.authorize('iam:SimulateCustomPolicy', '*');
    commonChecks(input);
    const account = ctx.caller.accountId;
    const callerArn = optStr(input, 'CallerArn');
    const resourcePolicyText = optStr(input, 'ResourcePolicy');
    if (resourcePolicyText !== undefined && callerArn === undefined) {
      throw invalidInput('CallerArn is required when you include a ResourcePolicy.');
    }
    const principal: Principal = callerArn !== undefined ? userPrincipal(callerArn) : { kind: 'user', accountId: account };
    const spec: SimulationSpec = {
      principal, identity: inputPolicies(input), actions: stringList(input, 'ActionNames'),
      resources: stringList(input, 'ResourceArns'), context: contextFromEntries(input.ContextEntries),
      resourceOwner: resourceOwnerOf(input),
    };
    const boundary = inputBoundary(input);
    if (boundary) spec.boundary = boundary;
    if (resourcePolicyText !== undefined) spec.resourcePolicy = simPolicy(resourcePolicyText, 'resource', 'ResourcePolicy', 'resource');
    const scp = organizationPolicyLevels(input, principal.accountId ?? account);
    if (scp) spec.scp = scp;
    return page(simulate(spec), input);
  },

  async GetContextKeysForPrincipalPolicy(ctx, input) {
    const sourceArn = str(input, 'PolicySourceArn');
    ctx.authorize('iam:GetContextKeysForPrincipalPolicy', sourceArn);
    const account = ctx.caller.accountId;
    const source = await ctx.store.read((tx) => loadSource(tx, account, sourceArn));
    const extra = stringList(input, 'PolicyInputList');
    extra.forEach((t, i) => simPolicy(t, 'identity', `PolicyInputList.${i + 1}`, 'IAM Policy'));
    return { ContextKeyNames: contextKeysOf([...source.policies.map((p) => p.text), ...extra]) };
  },

  async GetContextKeysForCustomPolicy(ctx, input) {
    ctx.authorize('iam:GetContextKeysForCustomPolicy', '*');
    const texts = stringList(input, 'PolicyInputList');
    texts.forEach((t, i) => simPolicy(t, 'identity', `PolicyInputList.${i + 1}`, 'IAM Policy'));
    return { ContextKeyNames: contextKeysOf(texts) };
  },
};
