// Access Advisor: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails,
// GetServiceLastAccessedDetailsWithEntities — which services an entity's policies allow and when
// they were last used, computed from the audit trail (store.readEvents, CloudTrail records). Also
// the roles' RoleLastUsed, written by the server after a call made with a role session.
//
// - Services: the namespaces of the actions that the entity's Allow statements grant (identity
//   policies: inline and attached, for a user also its groups'; a policy job: that policy). An
//   action pattern with a wildcard namespace (`*`, `s3*`) or an Allow NotAction grants every
//   namespace of SERVICE_NAMES it matches — AWS lists every AWS service; Warden lists the ones
//   it knows by name.
// - Last access: the newest audit event of the service made by one of the job's principals —
//   an IAM user (the user's own calls and its GetSessionToken sessions) or a role (its
//   sessions) — within the tracking period (400 days), denied attempts included (AWS: "attempted
//   to access"). Sign-in events are not service calls.
// - Action level: IAM's actions are tracked (the IAM model's operations allowed by the policies);
//   AWS also tracks EC2, Lambda and S3, which Warden does not serve.
// Jobs are computed at once (JobStatus COMPLETED) and kept as entities of kind
// ACCESS_ADVISOR_JOB_KIND, key = JobId.
import { randomUUID } from 'node:crypto';
import type { ReadTx, Store } from '../../store/index.js';
import { forEachRecord } from '../audit/records.js';
import type { CloudTrailRecord } from '../audit/record.js';
import type { OperationTable } from '../types.js';
import { IAM, invalidInput, listAll, noSuchEntity, paginate, str } from './common.js';
import {
  KIND, isoNow, ownerKey, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc, type ManagedPolicyDoc, type MembershipDoc,
  type PolicyVersionDoc, type RoleDoc, type UserDoc,
} from './entities.js';
import { getAwsManagedPolicy } from './managed-policies/index.js';

export const ACCESS_ADVISOR_JOB_KIND = 'access-advisor-job';
/** AWS's tracking period for last accessed information. */
export const TRACKING_DAYS = 400;

/** Service names by namespace, as Access Advisor shows them. */
export const SERVICE_NAMES: Readonly<Record<string, string>> = {
  'access-analyzer': 'IAM Access Analyzer',
  cloudformation: 'AWS CloudFormation',
  cloudtrail: 'AWS CloudTrail',
  cloudwatch: 'Amazon CloudWatch',
  dynamodb: 'Amazon DynamoDB',
  ec2: 'Amazon EC2',
  iam: 'AWS Identity and Access Management',
  kms: 'AWS Key Management Service',
  lambda: 'AWS Lambda',
  logs: 'Amazon CloudWatch Logs',
  organizations: 'AWS Organizations',
  route53: 'Amazon Route 53',
  s3: 'Amazon S3',
  secretsmanager: 'AWS Secrets Manager',
  sns: 'Amazon SNS',
  sqs: 'Amazon SQS',
  sts: 'AWS Security Token Service',
};

/** Namespaces whose actions are tracked one by one (ACTION_LEVEL) and served here. */
const TRACKED: Readonly<Record<string, readonly string[]>> = {
  iam: Object.keys((IAM as unknown as { operations: Record<string, unknown> }).operations).sort(),
};

type EntityType = 'USER' | 'GROUP' | 'ROLE';

interface Principal { arn: string; name: string; type: EntityType; id: string; path: string }

interface ServiceRow {
  ServiceName: string;
  ServiceNamespace: string;
  LastAuthenticated?: string;
  LastAuthenticatedEntity?: string;
  LastAuthenticatedRegion?: string;
  TotalAuthenticatedEntities?: number;
  TrackedActionsLastAccessed?: { ActionName: string; LastAccessedEntity?: string; LastAccessedTime?: string; LastAccessedRegion?: string }[];
  /** Per principal ARN: last access (for WithEntities). */
  Entities: { info: Principal; last?: string }[];
}

export interface AccessAdvisorJob {
  JobId: string;
  JobType: 'SERVICE_LEVEL' | 'ACTION_LEVEL';
  Arn: string;
  JobStatus: 'COMPLETED';
  JobCreationDate: string;
  JobCompletionDate: string;
  Services: ServiceRow[];
}

// ---------------------------------------------------------------------------
// Which services a set of policy documents allows.

/** A policy member that is a string or a list of strings, as a list (other values dropped). */
export function asList(v: unknown): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
}

/** Allowed action patterns (`ns:Action` globs) and NotAction exclusions of policy documents. */
export interface Grants { actions: string[]; notActions: string[][] }

export function grantsOf(documents: readonly string[]): Grants {
  const g: Grants = { actions: [], notActions: [] };
  for (const text of documents) {
    let doc: unknown;
    try { doc = JSON.parse(text); } catch { continue; }
    const st = (doc as { Statement?: unknown }).Statement;
    for (const s of Array.isArray(st) ? st : st ? [st] : []) {
      const o = s as Record<string, unknown>;
      if (o.Effect !== 'Allow') continue;
      if (o.Action !== undefined) g.actions.push(...asList(o.Action));
      else if (o.NotAction !== undefined) g.notActions.push(asList(o.NotAction));
    }
  }
  return g;
}

function allowsAction(g: Grants, action: string): boolean {
  if (g.actions.some((p) => globToRegExp(p).test(action))) return true;
  return g.notActions.some((excluded) => !excluded.some((p) => globToRegExp(p).test(action)));
}

/** The namespaces `g` grants some action of. */
export function allowedNamespaces(g: Grants): Set<string> {
  const out = new Set<string>();
  for (const p of g.actions) {
    const i = p.indexOf(':');
    const ns = i < 0 ? p : p.slice(0, i);
    if (/[*?]/.test(ns)) {
      const re = globToRegExp(ns);
      for (const known of Object.keys(SERVICE_NAMES)) if (re.test(known)) out.add(known);
    } else if (ns !== '') out.add(ns.toLowerCase());
  }
  for (const excluded of g.notActions) {
    for (const known of Object.keys(SERVICE_NAMES)) if (notActionGrants(excluded, known)) out.add(known);
  }
  return out;
}

/** An Allow NotAction grants a namespace unless every action of it is excluded (`ns:*` or `*`). */
function notActionGrants(excluded: readonly string[], ns: string): boolean {
  return !excluded.some((p) => globToRegExp(p).test(`${ns}:*`) && /(^|:)\*$/.test(p));
}

/** Whether `g` grants some action of namespace `ns` (known to Warden or not). */
export function grantsNamespace(g: Grants, ns: string): boolean {
  const lower = ns.toLowerCase();
  for (const p of g.actions) {
    const i = p.indexOf(':');
    if (globToRegExp(i < 0 ? p : p.slice(0, i)).test(lower)) return true;
  }
  return g.notActions.some((excluded) => notActionGrants(excluded, lower));
}

// ---------------------------------------------------------------------------
// The policies and principals of a job's entity.

async function managedDocument(tx: ReadTx, account: string, arn: string): Promise<string | undefined> {
  const aws = getAwsManagedPolicy(arn);
  if (aws) return aws.Document;
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const p = await tx.get<ManagedPolicyDoc>(KIND.policy, account, name);
  if (!p || p.data.Arn !== arn) return undefined;
  return (await tx.get<PolicyVersionDoc>(KIND.policyVersion, account, `${name}|${p.data.DefaultVersionId}`))?.data.Document;
}

/** One identity policy of an owner: inline (no ARN) or attached managed (with its ARN). */
export interface OwnerPolicy { name: string; arn?: string; document: string }

/** The identity policies of an owner: inline ones, then attached managed ones (default versions). */
export async function ownerPolicies(tx: ReadTx, account: string, owner: string): Promise<OwnerPolicy[]> {
  const out: OwnerPolicy[] = (await listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account, owner))
    .map((p) => ({ name: p.data.PolicyName, document: p.data.PolicyDocument }));
  for (const a of await listAll<AttachmentDoc>(tx, KIND.attachment, account, owner)) {
    const d = await managedDocument(tx, account, a.data.PolicyArn);
    if (d !== undefined) out.push({ name: a.data.PolicyName, arn: a.data.PolicyArn, document: d });
  }
  return out;
}

/** The identity policy documents of an owner (inline and attached). */
export async function ownerDocuments(tx: ReadTx, account: string, owner: string): Promise<string[]> {
  return (await ownerPolicies(tx, account, owner)).map((p) => p.document);
}

/** The names of the groups user `name` belongs to. */
export async function groupsOfUser(tx: ReadTx, account: string, name: string): Promise<string[]> {
  return (await listAll<MembershipDoc>(tx, KIND.userGroup, account, ownerKey('user', name))).map((g) => g.data.GroupName);
}

/** The identity policy documents that apply to user `name`: its own and its groups'. */
export async function userDocuments(tx: ReadTx, account: string, name: string): Promise<string[]> {
  const documents = await ownerDocuments(tx, account, ownerKey('user', name));
  for (const g of await groupsOfUser(tx, account, name)) documents.push(...(await ownerDocuments(tx, account, ownerKey('group', g))));
  return documents;
}

/** The user, group or role an ARN names in `account` (InvalidInput when it names none). */
export function parseEntityArn(account: string, arn: string, types: readonly string[] = ['user', 'group', 'role', 'policy']): { type: string; name: string } {
  const m = /^arn:aws:iam::(\d{12}|aws):(user|group|role|policy)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m || !types.includes(m[2]) || (m[2] !== 'policy' && m[1] !== account)) throw invalidInput(`ARN ${arn} is not valid.`);
  return { type: m[2], name: m[3] };
}

/** The start of the tracking period ending at `now` (ISO time). */
export function trackingStart(now: Date): string {
  return new Date(now.getTime() - TRACKING_DAYS * 86_400_000).toISOString();
}

const userPrincipal = (u: UserDoc): Principal => ({ arn: u.Arn, name: u.UserName, type: 'USER', id: u.UserId, path: u.Path });
const rolePrincipal = (r: RoleDoc): Principal => ({ arn: r.Arn, name: r.RoleName, type: 'ROLE', id: r.RoleId, path: r.Path });

async function groupMembers(tx: ReadTx, account: string, group: string): Promise<Principal[]> {
  const out: Principal[] = [];
  for (const m of await listAll<MembershipDoc>(tx, KIND.groupMember, account, ownerKey('group', group))) {
    const u = await tx.get<UserDoc>(KIND.user, account, m.data.UserName);
    if (u) out.push(userPrincipal(u.data));
  }
  return out;
}

/** The entity an ARN names: its policy documents and the principals whose use counts. */
async function resolveTarget(tx: ReadTx, account: string, arn: string): Promise<{ documents: string[]; principals: Principal[] }> {
  const { type, name } = parseEntityArn(account, arn);
  const missing = () => noSuchEntity(`The entity ${arn} cannot be found.`);
  switch (type) {
    case 'user': {
      const u = await tx.get<UserDoc>(KIND.user, account, name);
      if (!u || u.data.Arn !== arn) throw missing();
      return { documents: await userDocuments(tx, account, name), principals: [userPrincipal(u.data)] };
    }
    case 'group': {
      const g = await tx.get<GroupDoc>(KIND.group, account, name);
      if (!g || g.data.Arn !== arn) throw missing();
      return { documents: await ownerDocuments(tx, account, ownerKey('group', name)), principals: await groupMembers(tx, account, name) };
    }
    case 'role': {
      const r = await tx.get<RoleDoc>(KIND.role, account, name);
      if (!r || r.data.Arn !== arn) throw missing();
      return { documents: await ownerDocuments(tx, account, ownerKey('role', name)), principals: [rolePrincipal(r.data)] };
    }
    default: {
      const doc = await managedDocument(tx, account, arn);
      if (doc === undefined) throw noSuchEntity(`Policy ${arn} was not found.`);
      const principals: Principal[] = [];
      for (const a of await listAll<AttachmentDoc>(tx, KIND.policyAttachment, account, arn.toLowerCase())) {
        if (a.data.OwnerType === 'user') {
          const u = await tx.get<UserDoc>(KIND.user, account, a.data.OwnerName);
          if (u) principals.push(userPrincipal(u.data));
        } else if (a.data.OwnerType === 'role') {
          const r = await tx.get<RoleDoc>(KIND.role, account, a.data.OwnerName);
          if (r) principals.push(rolePrincipal(r.data));
        } else {
          principals.push(...(await groupMembers(tx, account, a.data.OwnerName)));
        }
      }
      const seen = new Set<string>();
      return { documents: [doc], principals: principals.filter((p) => !seen.has(p.arn) && !!seen.add(p.arn)) };
    }
  }
}

// ---------------------------------------------------------------------------
// The audit trail: who used which service, when, where.

/** The IAM user or role ARN an event's call was made as, if any. */
export function principalArnOf(r: CloudTrailRecord): string | undefined {
  const id = r.userIdentity;
  if (id.type === 'IAMUser') return id.arn;
  if (id.type === 'AssumedRole') return id.sessionContext?.sessionIssuer?.arn;
  return undefined;
}

export function namespaceOf(r: CloudTrailRecord): string {
  return r.eventSource.replace(/\.amazonaws\.com$/, '');
}

async function computeJob(store: Store, account: string, arn: string, granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL', now: Date): Promise<ServiceRow[]> {
  const target = await store.read((tx) => resolveTarget(tx, account, arn));
  const grants = grantsOf(target.documents);
  const namespaces = [...allowedNamespaces(grants)].sort();
  const principals = new Map(target.principals.map((p) => [p.arn.toLowerCase(), p]));
  // namespace → principal arn → last (time, region); and tracked action → last (time, entity, region).
  const last = new Map<string, Map<string, { time: string; region: string }>>();
  const actions = new Map<string, { time: string; entity: string; region: string }>();
  const wanted = new Set(namespaces);
  await forEachRecord(store, account, trackingStart(now), (r) => {
    const ns = namespaceOf(r);
    if (!wanted.has(ns)) return;
    const who = principalArnOf(r);
    if (!who || !principals.has(who.toLowerCase())) return;
    const p = principals.get(who.toLowerCase())!;
    let per = last.get(ns);
    if (!per) last.set(ns, (per = new Map()));
    const prev = per.get(p.arn);
    if (!prev || prev.time < r.eventTime) per.set(p.arn, { time: r.eventTime, region: r.awsRegion });
    if (granularity === 'ACTION_LEVEL' && TRACKED[ns]) {
      const key = `${ns}:${r.eventName}`;
      const a = actions.get(key);
      if (!a || a.time < r.eventTime) actions.set(key, { time: r.eventTime, entity: p.arn, region: r.awsRegion });
    }
  });
  return namespaces.map((ns) => {
    const row: ServiceRow = { ServiceName: SERVICE_NAMES[ns] ?? ns, ServiceNamespace: ns, Entities: [] };
    const per = last.get(ns);
    let newest: { arn: string; time: string; region: string } | undefined;
    for (const p of target.principals) {
      const l = per?.get(p.arn);
      row.Entities.push({ info: p, last: l?.time });
      if (l && (!newest || newest.time < l.time)) newest = { arn: p.arn, ...l };
    }
    if (newest) {
      row.LastAuthenticated = newest.time;
      row.LastAuthenticatedEntity = newest.arn;
      row.LastAuthenticatedRegion = newest.region;
      row.TotalAuthenticatedEntities = per!.size;
    } else {
      row.TotalAuthenticatedEntities = 0;
    }
    if (granularity === 'ACTION_LEVEL' && TRACKED[ns]) {
      row.TrackedActionsLastAccessed = TRACKED[ns].filter((a) => allowsAction(grants, `${ns}:${a}`)).map((a) => {
        const used = actions.get(`${ns}:${a}`);
        return used ? { ActionName: a, LastAccessedEntity: used.entity, LastAccessedTime: used.time, LastAccessedRegion: used.region } : { ActionName: a };
      });
    }
    return row;
  });
}

async function jobOf(tx: ReadTx, account: string, jobId: string): Promise<AccessAdvisorJob> {
  const j = await tx.get<AccessAdvisorJob>(ACCESS_ADVISOR_JOB_KIND, account, jobId);
  if (!j) throw noSuchEntity(`No job found with ID ${jobId}.`);
  return j.data;
}

function serviceOutput(s: ServiceRow): Record<string, unknown> {
  const { Entities: _e, TotalAuthenticatedEntities, ...rest } = s;
  const out: Record<string, unknown> = { ...rest };
  // Absent when no principal used the service in the tracking period.
  if (TotalAuthenticatedEntities !== undefined && TotalAuthenticatedEntities > 0) out.TotalAuthenticatedEntities = TotalAuthenticatedEntities;
  return out;
}

export const lastAccessedOperations: OperationTable = {
  async GenerateServiceLastAccessedDetails(ctx, input) {
    const arn = str(input, 'Arn');
    const granularity = input.Granularity === 'ACTION_LEVEL' ? 'ACTION_LEVEL' : 'SERVICE_LEVEL';
    const account = ctx.caller.accountId;
    ctx.authorize('iam:GenerateServiceLastAccessedDetails', arn);
    const created = isoNow(ctx.now);
    const Services = await computeJob(ctx.store, account, arn, granularity, ctx.now);
    const job: AccessAdvisorJob = {
      JobId: randomUUID(), JobType: granularity, Arn: arn, JobStatus: 'COMPLETED', JobCreationDate: created, JobCompletionDate: isoNow(new Date()), Services,
    };
    await ctx.store.transaction((tx) => tx.insert({ kind: ACCESS_ADVISOR_JOB_KIND, account, key: job.JobId, data: job }));
    return { JobId: job.JobId };
  },

  async GetServiceLastAccessedDetails(ctx, input) {
    ctx.authorize('iam:GetServiceLastAccessedDetails', '*');
    const job = await ctx.store.read((tx) => jobOf(tx, ctx.caller.accountId, str(input, 'JobId')));
    const page = paginate(job.Services, (s) => s.ServiceNamespace, input);
    return {
      JobStatus: job.JobStatus, JobType: job.JobType, JobCreationDate: job.JobCreationDate, JobCompletionDate: job.JobCompletionDate,
      ServicesLastAccessed: page.items.map(serviceOutput), IsTruncated: page.IsTruncated, Marker: page.Marker,
    };
  },

  async GetServiceLastAccessedDetailsWithEntities(ctx, input) {
    ctx.authorize('iam:GetServiceLastAccessedDetailsWithEntities', '*');
    const job = await ctx.store.read((tx) => jobOf(tx, ctx.caller.accountId, str(input, 'JobId')));
    const ns = str(input, 'ServiceNamespace').toLowerCase();
    const service = job.Services.find((s) => s.ServiceNamespace === ns);
    const entities = (service?.Entities ?? []).slice().sort((a, b) => (a.info.arn < b.info.arn ? -1 : 1));
    const page = paginate(entities, (e) => e.info.arn.toLowerCase(), input);
    return {
      JobStatus: job.JobStatus, JobCreationDate: job.JobCreationDate, JobCompletionDate: job.JobCompletionDate,
      EntityDetailsList: page.items.map((e) => ({
        EntityInfo: { Arn: e.info.arn, Name: e.info.name, Type: e.info.type, Id: e.info.id, Path: e.info.path },
        ...(e.last ? { LastAuthenticated: e.last } : {}),
      })),
      IsTruncated: page.IsTruncated, Marker: page.Marker,
    };
  },
};

// ---------------------------------------------------------------------------
// RoleLastUsed. The server calls recordRoleUse after a call made with a role session; writes
// are debounced like access keys' last use (at most one per role per minute per node).

const ROLE_DEBOUNCE_MS = 60_000;
const roleWritten = new Map<string, number>();

/** Records that role `roleName` of `account` was used in `region` at `now`; whether it wrote. */
export async function recordRoleUse(store: Store, account: string, roleName: string, region: string, now: Date): Promise<boolean> {
  const key = `${account}\u0000${roleName.toLowerCase()}`;
  const t = now.getTime();
  const prev = roleWritten.get(key);
  if (prev !== undefined && t - prev < ROLE_DEBOUNCE_MS && t >= prev) return false;
  if (roleWritten.size >= 10_000) roleWritten.clear();
  roleWritten.set(key, t);
  return store.transaction(async (tx) => {
    const r = await tx.get<RoleDoc>(KIND.role, account, roleName);
    if (!r) return false;
    const stored = r.data.RoleLastUsed?.LastUsedDate ? Date.parse(r.data.RoleLastUsed.LastUsedDate) : NaN;
    if (Number.isFinite(stored) && t - stored < ROLE_DEBOUNCE_MS && t >= stored && r.data.RoleLastUsed?.Region === region) return false;
    await tx.update({ kind: KIND.role, account, key: r.key, data: { ...r.data, RoleLastUsed: { LastUsedDate: isoNow(now), Region: region } } });
    return true;
  });
}

/** Forgets the debounce state (tests). */
export function resetRoleUseDebounce(): void {
  roleWritten.clear();
}
