// Service last accessed data for Organizations: GenerateOrganizationsAccessReport and
// GetOrganizationsAccessReport
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed-view-data-orgs.html).
//
// The entity path names a root, OU or account: `o-…/r-…[/ou-…]*[/account-id]`.
// - Services: without OrganizationsPolicyId, those the SCPs applying to the entity allow — at
//   every level from the root down to the entity some attached SCP must allow the service, and no
//   SCP may deny all of it (an unconditional Deny of `ns:*` or `*` on every resource); with a
//   policy id, those that SCP allows. The management account is not limited by SCPs: its report
//   lists every service and ignores the policy id. `*` and wildcard namespaces expand to the
//   services Warden knows by name (last-accessed.ts SERVICE_NAMES), as for Access Advisor.
// - Accounts: a root or OU covers its member accounts below it except the management account; an
//   account covers itself. With a policy id, only the accounts the SCP applies to (attached to
//   the account or one of its parents); none: the services come without data.
// - Last access: the newest event of the service in those accounts' audit trails within the
//   tracking period, made by an authenticated principal (root user, IAM user, role session,
//   federated user), denied attempts included; EntityPath is the account's path, Region the
//   event's Region, TotalAuthenticatedEntities the number of accounts that used the service.
// - The caller must be the organization's management account and SCPs must be enabled. The
//   report is built by IAM from Organizations data (the dependent actions of the Service
//   Authorization Reference are organizations:List*/Describe*): when the organization does not
//   allow it, the job is FAILED and ErrorDetails carries the Organizations error (code, message).
// - Jobs are computed at once and stored (kind ORG_ACCESS_REPORT_KIND, key = JobId, in the
//   caller's account). While one generation of the account runs, another answers
//   ReportGenerationLimitExceeded (AWS: "the maximum number of concurrent requests for this
//   account are already running"; Warden runs one per account and node at a time).
// Authorized as iam:GenerateOrganizationsAccessReport on `arn:aws:iam::<account>:access-report/<path>`
// with iam:OrganizationsPolicyId, and iam:GetOrganizationsAccessReport on `*`.
import { randomUUID } from 'node:crypto';
import type { ReadTx, Store } from '../../store/index.js';
import { AwsError } from '../../protocol/index.js';
import { forEachRecord } from '../audit/records.js';
import type { CloudTrailRecord } from '../audit/record.js';
import type { OperationTable } from '../types.js';
import {
  OKIND, ORG_ACCOUNT, accessDenied, awsManagedById, listOrg, notInUse, orgError, orgOfAccount, policyNotFound, targetNotFound,
  type MemberDoc, type OrgAttachmentDoc, type OrgPolicyDoc, type OrganizationDoc, type OuDoc,
} from '../organizations/common.js';
import { enabledTypes } from '../organizations/tree.js';
import { iamError, listAll, noSuchEntity, paginate, str } from './common.js';
import { isoNow } from './entities.js';
import { SERVICE_NAMES, allowedNamespaces, asList, grantsOf, namespaceOf, trackingStart } from './last-accessed.js';

export const ORG_ACCESS_REPORT_KIND = 'iam-org-access-report';

interface AccessRow {
  ServiceName: string;
  ServiceNamespace: string;
  LastAuthenticatedTime?: string;
  Region?: string;
  EntityPath?: string;
  TotalAuthenticatedEntities: number;
}

export interface OrgAccessReportJob {
  JobId: string;
  EntityPath: string;
  OrganizationsPolicyId?: string;
  JobStatus: 'COMPLETED' | 'FAILED';
  JobCreationDate: string;
  JobCompletionDate: string;
  ErrorDetails?: { Code: string; Message: string };
  Services: AccessRow[];
}

/** What a report covers: the services listed and the accounts (with their paths) whose use counts. */
interface Scope { namespaces: string[]; accounts: { id: string; path: string }[] }

// ---------------------------------------------------------------------------
// Which services SCPs allow.

/** Namespaces an SCP denies whole: an unconditional Deny of `ns:*` (or `*`) on every resource. */
function deniedNamespaces(content: string): Set<string> {
  const out = new Set<string>();
  let doc: unknown;
  try { doc = JSON.parse(content); } catch { return out; }
  const st = (doc as { Statement?: unknown }).Statement;
  for (const s of Array.isArray(st) ? st : st ? [st] : []) {
    const o = s as Record<string, unknown>;
    if (o.Effect !== 'Deny' || o.Condition !== undefined || o.Action === undefined || !asList(o.Resource).includes('*')) continue;
    for (const a of asList(o.Action)) {
      if (a === '*') Object.keys(SERVICE_NAMES).forEach((ns) => out.add(ns));
      else if (/^[\w-]+:\*$/.test(a)) out.add(a.slice(0, a.indexOf(':')).toLowerCase());
    }
  }
  return out;
}

/** The services a set of SCPs allows, all together at one level (union of Allows, minus whole Denies). */
function levelNamespaces(contents: readonly string[]): Set<string> {
  const allowed = allowedNamespaces(grantsOf(contents));
  for (const c of contents) for (const ns of deniedNamespaces(c)) allowed.delete(ns);
  return allowed;
}

// ---------------------------------------------------------------------------
// The organization: the entity path, its accounts, the SCPs.

/** Thrown inside a job's computation: the job FAILS with these details. */
class ReportFailure extends Error {
  constructor(readonly details: { Code: string; Message: string }) { super(details.Message); }
}
const failWith = (e: AwsError) => new ReportFailure({ Code: e.code, Message: e.message });

/** An SCP of the organization (or AWS managed) by id: its id as stored and its content. */
async function scpOf(tx: ReadTx, org: OrganizationDoc, id: string): Promise<{ id: string; content: string } | undefined> {
  const managed = awsManagedById(id);
  if (managed) return managed.Type === 'SERVICE_CONTROL_POLICY' ? { id: managed.Id, content: managed.Content } : undefined;
  const p = await tx.get<OrgPolicyDoc>(OKIND.policy, ORG_ACCOUNT, id);
  return p && p.data.OrgId === org.Id && p.data.Type === 'SERVICE_CONTROL_POLICY' ? { id: p.data.Id, content: p.data.Content } : undefined;
}

/** The contents of the SCPs attached to a target. */
async function attachedScps(tx: ReadTx, org: OrganizationDoc, target: string): Promise<string[]> {
  const out: string[] = [];
  for (const a of await listAll<OrgAttachmentDoc>(tx, OKIND.attachment, ORG_ACCOUNT, target)) {
    if (a.data.OrgId !== org.Id || a.data.PolicyType !== 'SERVICE_CONTROL_POLICY') continue;
    const p = await scpOf(tx, org, a.data.PolicyId);
    if (p) out.push(p.content);
  }
  return out;
}

async function scopeOf(tx: ReadTx, account: string, entityPath: string, policyId: string | undefined): Promise<Scope> {
  const org = await orgOfAccount(tx, account);
  if (!org) throw failWith(notInUse());
  if (org.MasterAccountId !== account) throw failWith(accessDenied());
  if (!(await enabledTypes(tx, org)).has('SERVICE_CONTROL_POLICY')) {
    throw failWith(orgError('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.'));
  }

  // The path: the organization, its root, then OUs each a child of the one before, then maybe an account.
  const segments = entityPath.replace(/\/$/, '').split('/');
  if (segments[0] !== org.Id || segments[1] !== org.RootId) throw failWith(targetNotFound());
  const ous = new Map((await listOrg<OuDoc>(tx, OKIND.ou, org.Id)).map((o) => [o.data.Id, o.data]));
  const members = await listOrg<MemberDoc>(tx, OKIND.account, org.Id);
  const chainOf = (parentId: string): string[] => {
    const chain: string[] = [];
    for (let id: string | undefined = parentId, i = 0; id !== undefined && i < 10; i++) {
      chain.unshift(id);
      id = id.startsWith('r-') ? undefined : ous.get(id)?.ParentId;
    }
    return chain;
  };
  for (let i = 2; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    const parent = /^\d{12}$/.test(seg) && last ? members.find((m) => m.data.Id === seg)?.data.ParentId : ous.get(seg)?.ParentId;
    if (parent === undefined || parent !== segments[i - 1]) throw failWith(targetNotFound());
  }
  const entity = segments[segments.length - 1];
  const levels = segments.slice(1);
  const accountPath = (m: MemberDoc) => `${org.Id}/${chainOf(m.ParentId).join('/')}/${m.Id}`;

  // The management account: every service, its own use, no SCP (the policy id is ignored).
  if (entity === org.MasterAccountId) {
    return { namespaces: Object.keys(SERVICE_NAMES), accounts: [{ id: entity, path: entityPath.replace(/\/$/, '') }] };
  }
  const inScope = members.filter((m) => m.data.Id !== org.MasterAccountId && (m.data.Id === entity || chainOf(m.data.ParentId).includes(entity)));

  if (policyId !== undefined) {
    const scp = await scpOf(tx, org, policyId);
    if (!scp) throw failWith(policyNotFound());
    const applied: { id: string; path: string }[] = [];
    for (const m of inScope) {
      const targets = [...chainOf(m.data.ParentId), m.data.Id];
      for (const t of targets) {
        if (await tx.get(OKIND.attachment, ORG_ACCOUNT, `${t}|${scp.id}`)) { applied.push({ id: m.data.Id, path: accountPath(m.data) }); break; }
      }
    }
    return { namespaces: [...levelNamespaces([scp.content])].sort(), accounts: applied };
  }

  let allowed: Set<string> | undefined;
  for (const level of levels) {
    const here = levelNamespaces(await attachedScps(tx, org, level));
    allowed = allowed ? new Set([...allowed].filter((ns) => here.has(ns))) : here;
  }
  return { namespaces: [...(allowed ?? [])].sort(), accounts: inScope.map((m) => ({ id: m.data.Id, path: accountPath(m.data) })) };
}

// ---------------------------------------------------------------------------
// The trail: last use of each service in each account.

const AUTHENTICATED = new Set(['Root', 'IAMUser', 'AssumedRole', 'FederatedUser']);

async function accessRows(store: Store, scope: Scope, now: Date): Promise<AccessRow[]> {
  const wanted = new Set(scope.namespaces);
  // namespace → account → last (time, region)
  const last = new Map<string, Map<string, { time: string; region: string }>>();
  for (const a of scope.accounts) {
    await forEachRecord(store, a.id, trackingStart(now), (r: CloudTrailRecord) => {
      const ns = namespaceOf(r);
      if (!wanted.has(ns) || !AUTHENTICATED.has(r.userIdentity.type)) return;
      let per = last.get(ns);
      if (!per) last.set(ns, (per = new Map()));
      const prev = per.get(a.id);
      if (!prev || prev.time < r.eventTime) per.set(a.id, { time: r.eventTime, region: r.awsRegion });
    });
  }
  const pathOf = new Map(scope.accounts.map((a) => [a.id, a.path]));
  return scope.namespaces.map((ns) => {
    const row: AccessRow = { ServiceName: SERVICE_NAMES[ns] ?? ns, ServiceNamespace: ns, TotalAuthenticatedEntities: 0 };
    const per = last.get(ns);
    if (!per) return row;
    let newest: { id: string; time: string; region: string } | undefined;
    for (const [id, l] of per) if (!newest || newest.time < l.time) newest = { id, ...l };
    if (newest) Object.assign(row, { LastAuthenticatedTime: newest.time, Region: newest.region, EntityPath: pathOf.get(newest.id) });
    row.TotalAuthenticatedEntities = per.size;
    return row;
  });
}

// ---------------------------------------------------------------------------
// Sorting and the answer.

type SortKey = 'SERVICE_NAMESPACE_ASCENDING' | 'SERVICE_NAMESPACE_DESCENDING' | 'LAST_AUTHENTICATED_TIME_ASCENDING' | 'LAST_AUTHENTICATED_TIME_DESCENDING';

/** Rows in `key` order; services never accessed count as the oldest, ties by namespace. */
export function sortRows<T extends { ServiceNamespace: string; LastAuthenticatedTime?: string }>(rows: readonly T[], key: SortKey): T[] {
  const byNs = (a: T, b: T) => (a.ServiceNamespace < b.ServiceNamespace ? -1 : a.ServiceNamespace > b.ServiceNamespace ? 1 : 0);
  const t = (r: T) => (r.LastAuthenticatedTime ? Date.parse(r.LastAuthenticatedTime) : -Infinity);
  const cmp: Record<SortKey, (a: T, b: T) => number> = {
    SERVICE_NAMESPACE_ASCENDING: byNs,
    SERVICE_NAMESPACE_DESCENDING: (a, b) => byNs(b, a),
    LAST_AUTHENTICATED_TIME_ASCENDING: (a, b) => (t(a) - t(b)) || byNs(a, b),
    LAST_AUTHENTICATED_TIME_DESCENDING: (a, b) => (t(b) - t(a)) || byNs(a, b),
  };
  return rows.slice().sort(cmp[key]);
}

function accessDetail(r: AccessRow): Record<string, unknown> {
  const { TotalAuthenticatedEntities, ...rest } = r;
  // Absent when no account used the service in the tracking period.
  return TotalAuthenticatedEntities > 0 ? { ...rest, TotalAuthenticatedEntities } : rest;
}

/** Generations running now, per account (this node). */
const running = new Set<string>();

export const organizationsAccessReportOperations: OperationTable = {
  async GenerateOrganizationsAccessReport(ctx, input) {
    const account = ctx.caller.accountId;
    const entityPath = str(input, 'EntityPath');
    const policyId = typeof input.OrganizationsPolicyId === 'string' ? input.OrganizationsPolicyId : undefined;
    ctx.authorize('iam:GenerateOrganizationsAccessReport', `arn:aws:iam::${account}:access-report/${entityPath}`, { 'iam:OrganizationsPolicyId': policyId });
    if (running.has(account)) {
      throw iamError('ReportGenerationLimitExceeded', 'The request failed because the maximum number of concurrent requests for this account are already running.');
    }
    running.add(account);
    try {
      const created = isoNow(ctx.now);
      const job: OrgAccessReportJob = {
        JobId: randomUUID(), EntityPath: entityPath, ...(policyId !== undefined ? { OrganizationsPolicyId: policyId } : {}),
        JobStatus: 'COMPLETED', JobCreationDate: created, JobCompletionDate: created, Services: [],
      };
      try {
        const scope = await ctx.store.read((tx) => scopeOf(tx, account, entityPath, policyId));
        job.Services = await accessRows(ctx.store, scope, ctx.now);
      } catch (e) {
        if (!(e instanceof ReportFailure)) throw e;
        job.JobStatus = 'FAILED';
        job.ErrorDetails = e.details;
      }
      job.JobCompletionDate = isoNow(new Date());
      await ctx.store.transaction((tx) => tx.insert({ kind: ORG_ACCESS_REPORT_KIND, account, key: job.JobId, data: job }));
      return { JobId: job.JobId };
    } finally {
      running.delete(account);
    }
  },

  async GetOrganizationsAccessReport(ctx, input) {
    ctx.authorize('iam:GetOrganizationsAccessReport', '*');
    const jobId = str(input, 'JobId');
    const stored = await ctx.store.read((tx) => tx.get<OrgAccessReportJob>(ORG_ACCESS_REPORT_KIND, ctx.caller.accountId, jobId));
    if (!stored) throw noSuchEntity(`No job found with ID ${jobId}.`);
    const job = stored.data;
    const head = { JobStatus: job.JobStatus, JobCreationDate: job.JobCreationDate, JobCompletionDate: job.JobCompletionDate };
    if (job.JobStatus === 'FAILED') return { ...head, ErrorDetails: job.ErrorDetails };
    const sortKey = (typeof input.SortKey === 'string' ? input.SortKey : 'SERVICE_NAMESPACE_ASCENDING') as SortKey;
    const sorted = sortRows(job.Services, sortKey).map((row, i) => ({ row, key: String(i).padStart(6, '0') }));
    const page = paginate(sorted, (s) => s.key, input);
    return {
      ...head,
      NumberOfServicesAccessible: job.Services.length,
      NumberOfServicesNotAccessed: job.Services.filter((s) => s.TotalAuthenticatedEntities === 0).length,
      AccessDetails: page.items.map((s) => accessDetail(s.row)),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};
