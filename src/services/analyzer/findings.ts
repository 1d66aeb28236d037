// Findings: ListFindings, ListFindingsV2, GetFinding, GetFindingV2, UpdateFindings and
// ApplyArchiveRule — and `analyzerAdminOperations`, every analyzer-administration operation.
//
// Findings are recomputed on read: the analysis (external-access.ts, unused-access.ts) gives the
// findings as they are now, and `refresh` reconciles them with the stored ones (kind
// AKIND.finding, child of the analyzer): new ones are stored ACTIVE (ARCHIVED when an archive
// rule matches), stored ones no longer found become RESOLVED, resolved ones found again become
// ACTIVE again. A finding's id is derived from what it says (analyzer, resource, principal,
// action, conditions — or the unused-access type and key), so a policy change that alters the
// access resolves the old finding and opens a new one. External access depends only on what is
// stored, so its refresh is skipped while the store's revision is unchanged.
import type { Store } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  AKIND, DEFAULT_UNUSED_ACCESS_AGE, analyzerByArn, analyzerKey, analyzerOperationsOnly, authorize, checkFilter, isExternalAccess, isOrganizationWide, iso, notFound,
  organizationAccounts, pagedOutput, stableId, validation, type AnalyzerDoc, type ArchiveRuleDoc, type FilterMap,
} from './analyzers.js';
import { archiveRuleOperations, getArchiveRule, matchesFilter, type FilterFields } from './archive-rules.js';
import { analyzeTrustPolicy, analyzedRoles, externalAccessFindings } from './external-access.js';
import { randomUUID } from 'node:crypto';
import { KIND, type RoleDoc } from '../iam/entities.js';
import { policyGenerationOperations } from './policy-generation.js';
import { unusedAccessFindings, type UnusedAccessExclusion } from './unused-access.js';

export type FindingStatus = 'ACTIVE' | 'ARCHIVED' | 'RESOLVED';

export interface FindingDoc {
  id: string;
  analyzerArn: string;
  findingType: 'ExternalAccess' | 'UnusedIAMRole' | 'UnusedIAMUserAccessKey' | 'UnusedIAMUserPassword' | 'UnusedPermission';
  resource: string;
  resourceType: string;
  resourceOwnerAccount: string;
  principal?: Record<string, string>;
  action?: string[];
  condition?: Record<string, string>;
  isPublic?: boolean;
  /** FindingDetails members (GetFindingV2). */
  details: Record<string, unknown>[];
  status: FindingStatus;
  createdAt: string;
  updatedAt: string;
  analyzedAt: string;
}

type Content = Omit<FindingDoc, 'status' | 'createdAt' | 'updatedAt' | 'analyzedAt'>;

/** The attributes filters and archive rules can name. */
export function filterFields(f: Pick<FindingDoc, 'id' | 'status' | 'resource' | 'resourceType' | 'resourceOwnerAccount' | 'findingType' | 'principal' | 'action' | 'condition' | 'isPublic'>): FilterFields {
  const out: Record<string, string | readonly string[] | undefined> = {
    id: f.id, status: f.status, resource: f.resource, resourceType: f.resourceType, resourceOwnerAccount: f.resourceOwnerAccount,
    findingType: f.findingType, action: f.action, isPublic: f.isPublic === undefined ? undefined : String(f.isPublic),
  };
  for (const [k, v] of Object.entries(f.principal ?? {})) out[`principal.${k}`] = v;
  for (const [k, v] of Object.entries(f.condition ?? {})) out[`condition.${k}`] = v;
  return out;
}

const lastRefresh = new WeakMap<Store, Map<string, number>>();

/** What the analysis finds now, as finding contents with their ids. */
async function analyze(ctx: CallContext, a: AnalyzerDoc): Promise<Content[]> {
  const account = ctx.caller.accountId;
  if (isExternalAccess(a.type)) {
    const found = await ctx.store.read(async (tx) => {
      const accounts = isOrganizationWide(a.type) && a.organizationId ? await organizationAccounts(tx, a.organizationId) : [account];
      if (!accounts.includes(account)) accounts.push(account);
      return externalAccessFindings(tx, accounts, new Set(accounts), isOrganizationWide(a.type) ? a.organizationId : undefined);
    });
    return found.map((f) => ({
      id: stableId(a.arn, 'ExternalAccess', f.resource, JSON.stringify(f.principal), JSON.stringify(f.action), JSON.stringify(f.condition)),
      analyzerArn: a.arn, findingType: 'ExternalAccess', resource: f.resource, resourceType: f.resourceType, resourceOwnerAccount: f.resourceOwnerAccount,
      principal: f.principal, action: f.action, condition: f.condition, isPublic: f.isPublic,
      details: [{ externalAccessDetails: { action: f.action, condition: f.condition, isPublic: f.isPublic, principal: f.principal, sources: [{ type: 'POLICY' }] } }],
    }));
  }
  const age = a.configuration?.unusedAccess?.unusedAccessAge ?? DEFAULT_UNUSED_ACCESS_AGE;
  const rule = a.configuration?.unusedAccess?.analysisRule as { exclusions?: UnusedAccessExclusion[] } | undefined;
  const accounts = isOrganizationWide(a.type) && a.organizationId
    ? await ctx.store.read((tx) => organizationAccounts(tx, a.organizationId!))
    : [account];
  const found = [];
  for (const acct of accounts) found.push(...(await unusedAccessFindings(ctx.store, acct, age, ctx.now, rule?.exclusions ?? [])));
  return found.map((f) => ({
    id: stableId(a.arn, f.findingType, f.resource, f.discriminator),
    analyzerArn: a.arn, findingType: f.findingType, resource: f.resource, resourceType: f.resourceType, resourceOwnerAccount: f.resourceOwnerAccount,
    details: f.details,
  }));
}

function archivedBy(rules: readonly ArchiveRuleDoc[], f: FindingDoc): boolean {
  const fields = filterFields({ ...f, status: 'ACTIVE' });
  return rules.some((r) => matchesFilter(fields, r.filter));
}

/** Reconciles the stored findings of `a` with the analysis; returns them all. */
export async function refresh(ctx: CallContext, a: AnalyzerDoc): Promise<FindingDoc[]> {
  const account = ctx.caller.accountId;
  const key = analyzerKey(a.region, a.name);
  const external = isExternalAccess(a.type);
  let seen = lastRefresh.get(ctx.store);
  if (!seen) lastRefresh.set(ctx.store, (seen = new Map()));
  if (external && seen.get(a.arn) === (await ctx.store.revision())) {
    return ctx.store.read(async (tx) => (await listAll<FindingDoc>(tx, AKIND.finding, account, key)).map((e) => e.data));
  }
  const current = await analyze(ctx, a);
  const now = iso(ctx.now);
  const result = await ctx.store.transaction(async (tx) => {
    const stored = new Map((await listAll<FindingDoc>(tx, AKIND.finding, account, key)).map((e) => [e.data.id, e.data]));
    const rules = (await listAll<ArchiveRuleDoc>(tx, AKIND.archiveRule, account, key)).map((e) => e.data);
    const out: FindingDoc[] = [];
    const ids = new Set<string>();
    for (const c of current) {
      if (ids.has(c.id)) continue;
      ids.add(c.id);
      const old = stored.get(c.id);
      if (!old) {
        const doc: FindingDoc = { ...c, status: 'ACTIVE', createdAt: now, updatedAt: now, analyzedAt: now };
        if (archivedBy(rules, doc)) doc.status = 'ARCHIVED';
        await tx.insert<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${c.id}`, parent: key, data: doc });
        out.push(doc);
      } else if (old.status === 'RESOLVED' || JSON.stringify(old.details) !== JSON.stringify(c.details)) {
        const doc: FindingDoc = { ...old, ...c, updatedAt: now, analyzedAt: now };
        if (old.status === 'RESOLVED') doc.status = archivedBy(rules, doc) ? 'ARCHIVED' : 'ACTIVE';
        await tx.update<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${c.id}`, data: doc });
        out.push(doc);
      } else {
        out.push(old);
      }
    }
    for (const old of stored.values()) {
      if (ids.has(old.id)) continue;
      if (old.status === 'RESOLVED') { out.push(old); continue; }
      const doc: FindingDoc = { ...old, status: 'RESOLVED', updatedAt: now, analyzedAt: now };
      await tx.update<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${old.id}`, data: doc });
      out.push(doc);
    }
    return out;
  });
  if (external) seen.set(a.arn, await ctx.store.revision());
  return result;
}

// ---------------------------------------------------------------------------
// Outputs.

function summaryV1(f: FindingDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id, principal: f.principal ?? {}, action: f.action ?? [], resource: f.resource, isPublic: f.isPublic ?? false,
    resourceType: f.resourceType, condition: f.condition ?? {}, createdAt: f.createdAt, analyzedAt: f.analyzedAt, updatedAt: f.updatedAt,
    status: f.status, resourceOwnerAccount: f.resourceOwnerAccount, sources: [{ type: 'POLICY' }],
  };
  return out;
}

function summaryV2(f: FindingDoc): Record<string, unknown> {
  return {
    analyzedAt: f.analyzedAt, createdAt: f.createdAt, id: f.id, resource: f.resource, resourceType: f.resourceType,
    resourceOwnerAccount: f.resourceOwnerAccount, status: f.status, updatedAt: f.updatedAt, findingType: f.findingType,
  };
}

const SORTABLE = new Set(['id', 'status', 'resource', 'resourceType', 'resourceOwnerAccount', 'createdAt', 'updatedAt', 'analyzedAt', 'findingType', 'isPublic']);

function sortFindings(items: FindingDoc[], sort: unknown): FindingDoc[] {
  const s = (sort ?? {}) as { attributeName?: string; orderBy?: 'ASC' | 'DESC' };
  const attr = s.attributeName ?? 'createdAt';
  if (!SORTABLE.has(attr)) throw validation(`Invalid sort attribute: ${attr}.`, 'fieldValidationFailed');
  const dir = s.orderBy === 'DESC' ? -1 : 1;
  const val = (f: FindingDoc) => String((f as unknown as Record<string, unknown>)[attr] ?? '');
  return [...items].sort((x, y) => dir * (val(x).localeCompare(val(y)) || x.resource.localeCompare(y.resource) || x.id.localeCompare(y.id)));
}

function filtered(items: FindingDoc[], filter: unknown): FindingDoc[] {
  if (filter === undefined) return items;
  const f: FilterMap = checkFilter(filter);
  return items.filter((x) => matchesFilter(filterFields(x), f));
}

async function findingsOf(ctx: CallContext, arn: string, action: string): Promise<{ analyzer: AnalyzerDoc; findings: FindingDoc[] }> {
  authorize(ctx, action, arn);
  const analyzer = await ctx.store.read((tx) => analyzerByArn(tx, ctx, arn));
  return { analyzer, findings: await refresh(ctx, analyzer) };
}

function findingNotFound(id: string) {
  return notFound('Finding', id, `Finding ${id} not found.`);
}

export const findingOperations: OperationTable = {
  async ListFindings(ctx, input) {
    const { analyzer, findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:ListFindings');
    if (!isExternalAccess(analyzer.type)) throw validation('ListFindings supports external access analyzers only; use ListFindingsV2.', 'notSupported');
    return pagedOutput('findings', sortFindings(filtered(findings, input.filter), input.sort), input, summaryV1);
  },

  async ListFindingsV2(ctx, input) {
    const { findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:ListFindings');
    return pagedOutput('findings', sortFindings(filtered(findings, input.filter), input.sort), input, summaryV2);
  },

  async GetFinding(ctx, input) {
    const id = String(input.id);
    const { analyzer, findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:GetFinding');
    const f = findings.find((x) => x.id === id);
    if (!f) throw findingNotFound(id);
    if (!isExternalAccess(analyzer.type)) throw validation('GetFinding supports external access findings only; use GetFindingV2.', 'notSupported');
    return { finding: summaryV1(f) };
  },

  async GetFindingV2(ctx, input) {
    const id = String(input.id);
    const { findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:GetFinding');
    const f = findings.find((x) => x.id === id);
    if (!f) throw findingNotFound(id);
    return { ...summaryV2(f), ...pagedOutput('findingDetails', f.details, input) };
  },

  async UpdateFindings(ctx, input) {
    const arn = String(input.analyzerArn);
    const status = String(input.status) as 'ACTIVE' | 'ARCHIVED';
    const ids = Array.isArray(input.ids) ? (input.ids as unknown[]).map(String) : undefined;
    const resourceArn = typeof input.resourceArn === 'string' ? input.resourceArn : undefined;
    if ((ids === undefined || ids.length === 0) && resourceArn === undefined) throw validation('Either ids or resourceArn must be specified.', 'fieldValidationFailed');
    const { analyzer, findings } = await findingsOf(ctx, arn, 'access-analyzer:UpdateFindings');
    const byId = new Map(findings.map((f) => [f.id, f]));
    for (const id of ids ?? []) if (!byId.has(id)) throw findingNotFound(id);
    const targets = findings.filter((f) => (ids?.includes(f.id) ?? false) || (resourceArn !== undefined && f.resource === resourceArn));
    const key = analyzerKey(analyzer.region, analyzer.name);
    const now = iso(ctx.now);
    await ctx.store.transaction(async (tx) => {
      for (const f of targets) {
        if (f.status === 'RESOLVED' || f.status === status) continue;
        const e = await tx.get<FindingDoc>(AKIND.finding, ctx.caller.accountId, `${key}|${f.id}`);
        if (!e) continue;
        await tx.update<FindingDoc>({ kind: AKIND.finding, account: ctx.caller.accountId, key: `${key}|${f.id}`, data: { ...e.data, status, updatedAt: now } });
      }
    });
    return {};
  },

  async ApplyArchiveRule(ctx, input) {
    const arn = String(input.analyzerArn);
    const ruleName = String(input.ruleName);
    const { analyzer, findings } = await findingsOf(ctx, arn, 'access-analyzer:ApplyArchiveRule');
    const key = analyzerKey(analyzer.region, analyzer.name);
    const account = ctx.caller.accountId;
    const now = iso(ctx.now);
    await ctx.store.transaction(async (tx) => {
      const { rule } = await getArchiveRule(tx, analyzer, account, ruleName);
      for (const f of findings) {
        if (f.status !== 'ACTIVE' || !matchesFilter(filterFields(f), rule.filter)) continue;
        await tx.update<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${f.id}`, data: { ...f, status: 'ARCHIVED', updatedAt: now } });
      }
    });
    return {};
  },
};

/** The roles an external-access analyzer covers (its zone's accounts). */
async function analyzedResources(ctx: CallContext, a: AnalyzerDoc) {
  if (!isExternalAccess(a.type)) throw validation('Analyzed resources are kept by external access analyzers only.', 'notSupported');
  return ctx.store.read(async (tx) => {
    const accounts = isOrganizationWide(a.type) && a.organizationId ? await organizationAccounts(tx, a.organizationId) : [ctx.caller.accountId];
    if (!accounts.includes(ctx.caller.accountId)) accounts.push(ctx.caller.accountId);
    return analyzedRoles(tx, accounts);
  });
}

export const analyzedResourceOperations: OperationTable = {
  async ListAnalyzedResources(ctx, input) {
    const { analyzer } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:ListAnalyzedResources');
    const type = typeof input.resourceType === 'string' ? input.resourceType : undefined;
    const roles = type === undefined || type === 'AWS::IAM::Role' ? await analyzedResources(ctx, analyzer) : [];
    const items = roles.sort((x, y) => x.arn.localeCompare(y.arn)).map((r) => ({ resourceArn: r.arn, resourceOwnerAccount: r.account, resourceType: 'AWS::IAM::Role' }));
    return pagedOutput('analyzedResources', items, input);
  },

  async GetAnalyzedResource(ctx, input) {
    const resourceArn = String(input.resourceArn);
    const { analyzer, findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:GetAnalyzedResource');
    const role = (await analyzedResources(ctx, analyzer)).find((r) => r.arn === resourceArn);
    if (!role) throw notFound('AnalyzedResource', resourceArn, `Analyzed resource ${resourceArn} not found.`);
    const mine = findings.filter((f) => f.resource === resourceArn && f.status !== 'RESOLVED');
    const active = mine.filter((f) => f.status === 'ACTIVE');
    const latest = mine.reduce((t, f) => (f.updatedAt > t ? f.updatedAt : t), role.createdAt);
    const resource: Record<string, unknown> = {
      resourceArn, resourceType: 'AWS::IAM::Role', createdAt: role.createdAt, analyzedAt: iso(ctx.now), updatedAt: latest,
      isPublic: mine.some((f) => f.isPublic === true), resourceOwnerAccount: role.account,
      actions: [...new Set(mine.flatMap((f) => f.action ?? []))].sort(), sharedVia: [],
    };
    if (mine.length > 0) resource.status = active.length > 0 ? 'ACTIVE' : 'ARCHIVED';
    return { resource };
  },

  async StartResourceScan(ctx, input) {
    const resourceArn = String(input.resourceArn);
    const { analyzer } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:StartResourceScan');
    if (!(await analyzedResources(ctx, analyzer)).some((r) => r.arn === resourceArn)) {
      throw notFound('AnalyzedResource', resourceArn, `Analyzed resource ${resourceArn} not found.`);
    }
    return {};
  },

  async GetFindingsStatistics(ctx, input) {
    const { analyzer, findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:GetFindingsStatistics');
    const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
    const totals = { totalActiveFindings: count('ACTIVE'), totalArchivedFindings: count('ARCHIVED'), totalResolvedFindings: count('RESOLVED') };
    const active = findings.filter((f) => f.status === 'ACTIVE');
    const lastUpdatedAt = findings.reduce((t, f) => (f.updatedAt > t ? f.updatedAt : t), analyzer.createdAt);
    if (isExternalAccess(analyzer.type)) {
      const byType: Record<string, { totalActivePublic: number; totalActiveCrossAccount: number; totalActiveErrors: number }> = {};
      for (const f of active) {
        const t = (byType[f.resourceType] ??= { totalActivePublic: 0, totalActiveCrossAccount: 0, totalActiveErrors: 0 });
        if (f.isPublic) t.totalActivePublic++;
        else t.totalActiveCrossAccount++;
      }
      return { findingsStatistics: [{ externalAccessFindingsStatistics: { resourceTypeStatistics: byType, ...totals } }], lastUpdatedAt };
    }
    const byKind = new Map<string, number>();
    const byAccount = new Map<string, Map<string, number>>();
    for (const f of active) {
      byKind.set(f.findingType, (byKind.get(f.findingType) ?? 0) + 1);
      let m = byAccount.get(f.resourceOwnerAccount);
      if (!m) byAccount.set(f.resourceOwnerAccount, (m = new Map()));
      m.set(f.findingType, (m.get(f.findingType) ?? 0) + 1);
    }
    const unused: Record<string, unknown> = {
      unusedAccessTypeStatistics: [...byKind].sort().map(([unusedAccessType, total]) => ({ unusedAccessType, total })), ...totals,
    };
    const top = [...byAccount].map(([acct, m]) => ({ account: acct, numberOfActiveFindings: [...m.values()].reduce((x, y) => x + y, 0), details: Object.fromEntries(m) }))
      .sort((x, y) => y.numberOfActiveFindings - x.numberOfActiveFindings || x.account.localeCompare(y.account)).slice(0, 10);
    if (top.length > 0) unused.topAccounts = top;
    return { findingsStatistics: [{ unusedAccessFindingsStatistics: unused }], lastUpdatedAt };
  },
};

// ---------------------------------------------------------------------------
// Access previews: the findings a proposed trust policy would give, beside the current ones.
// Kept as AKIND.accessPreview entities (key `analyzerKey|id`, parent = analyzer key).

const ACCESS_PREVIEW_KIND = AKIND.accessPreview;

interface AccessPreviewFinding {
  id: string;
  existingFindingId?: string;
  existingFindingStatus?: FindingStatus;
  principal?: Record<string, string>;
  action?: string[];
  condition?: Record<string, string>;
  resource: string;
  isPublic?: boolean;
  resourceType: string;
  createdAt: string;
  changeType: 'CHANGED' | 'NEW' | 'UNCHANGED';
  status: FindingStatus;
  resourceOwnerAccount: string;
  sources: Array<{ type: string }>;
}

interface AccessPreviewDoc {
  id: string;
  analyzerArn: string;
  configurations: Record<string, unknown>;
  createdAt: string;
  status: 'COMPLETED' | 'FAILED';
  statusReason?: { code: 'INVALID_CONFIGURATION' | 'INTERNAL_ERROR' };
  findings: AccessPreviewFinding[];
}

async function previewOf(ctx: CallContext, a: AnalyzerDoc, id: string): Promise<AccessPreviewDoc> {
  const key = `${analyzerKey(a.region, a.name)}|${id}`;
  const e = await ctx.store.read((tx) => tx.get<AccessPreviewDoc>(ACCESS_PREVIEW_KIND, ctx.caller.accountId, key));
  if (!e) throw notFound('AccessPreview', id, `Access preview ${id} not found.`);
  return e.data;
}

function previewSummary(p: AccessPreviewDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { id: p.id, analyzerArn: p.analyzerArn, createdAt: p.createdAt, status: p.status };
  if (p.statusReason) out.statusReason = p.statusReason;
  return out;
}

export const accessPreviewOperations: OperationTable = {
  async CreateAccessPreview(ctx, input) {
    const arn = String(input.analyzerArn);
    const { analyzer, findings } = await findingsOf(ctx, arn, 'access-analyzer:CreateAccessPreview');
    if (!isExternalAccess(analyzer.type)) throw validation('Access previews are made by external access analyzers only.', 'notSupported');
    const configurations = (input.configurations ?? {}) as Record<string, Record<string, unknown>>;
    const entries = Object.entries(configurations);
    if (entries.length === 0) throw validation('configurations must name at least one resource.', 'fieldValidationFailed');
    const now = iso(ctx.now);
    const id = randomUUID();
    const accounts = await ctx.store.read(async (tx) => {
      const list = isOrganizationWide(analyzer.type) && analyzer.organizationId ? await organizationAccounts(tx, analyzer.organizationId) : [ctx.caller.accountId];
      if (!list.includes(ctx.caller.accountId)) list.push(ctx.caller.accountId);
      return list;
    });
    const zone = new Set(accounts);
    const rules = await ctx.store.read(async (tx) => (await listAll<ArchiveRuleDoc>(tx, AKIND.archiveRule, ctx.caller.accountId, analyzerKey(analyzer.region, analyzer.name))).map((e) => e.data));
    const doc: AccessPreviewDoc = { id, analyzerArn: arn, configurations, createdAt: now, status: 'COMPLETED', findings: [] };
    for (const [resourceArn, config] of entries) {
      const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(resourceArn);
      const roleConfig = config?.iamRole as { trustPolicy?: string } | undefined;
      if (!m || !roleConfig || Object.keys(config).length !== 1) {
        throw validation(`Unsupported configuration for ${resourceArn}: Warden previews IAM role trust policies (iamRole) only.`, 'unsupportedResourceArnFormat');
      }
      if (!zone.has(m[1])) throw validation(`Resource ${resourceArn} is not in the analyzer's zone of trust.`, 'notSupported');
      let trustPolicy = roleConfig.trustPolicy;
      if (trustPolicy === undefined) {
        trustPolicy = (await ctx.store.read((tx) => tx.get<RoleDoc>(KIND.role, m[1], m[2])))?.data.AssumeRolePolicyDocument;
      }
      if (trustPolicy !== undefined) {
        try { JSON.parse(trustPolicy); } catch { doc.status = 'FAILED'; doc.statusReason = { code: 'INVALID_CONFIGURATION' }; break; }
      }
      const proposed = trustPolicy === undefined ? [] : analyzeTrustPolicy({ arn: resourceArn, account: m[1], document: trustPolicy }, zone, isOrganizationWide(analyzer.type) ? analyzer.organizationId : undefined);
      const existing = findings.filter((f) => f.resource === resourceArn && f.status !== 'RESOLVED');
      const seen = new Set<string>();
      for (const p of proposed) {
        const fid = stableId(arn, 'ExternalAccess', p.resource, JSON.stringify(p.principal), JSON.stringify(p.action), JSON.stringify(p.condition));
        seen.add(fid);
        const old = existing.find((f) => f.id === fid);
        const base = { principal: p.principal, action: p.action, condition: p.condition, resource: resourceArn, isPublic: p.isPublic, resourceType: p.resourceType, createdAt: now, resourceOwnerAccount: p.resourceOwnerAccount, sources: [{ type: 'POLICY' }] };
        if (old) {
          doc.findings.push({ id: stableId(id, fid), existingFindingId: old.id, existingFindingStatus: old.status, changeType: 'UNCHANGED', status: old.status, ...base });
        } else {
          const probe = { id: fid, status: 'ACTIVE' as FindingStatus, resource: resourceArn, resourceType: p.resourceType, resourceOwnerAccount: p.resourceOwnerAccount, findingType: 'ExternalAccess' as const, principal: p.principal, action: p.action, condition: p.condition, isPublic: p.isPublic };
          const status: FindingStatus = rules.some((r) => matchesFilter(filterFields(probe), r.filter)) ? 'ARCHIVED' : 'ACTIVE';
          doc.findings.push({ id: stableId(id, fid), changeType: 'NEW', status, ...base });
        }
      }
      for (const old of existing) {
        if (seen.has(old.id)) continue;
        doc.findings.push({
          id: stableId(id, old.id), existingFindingId: old.id, existingFindingStatus: old.status, principal: old.principal, action: old.action, condition: old.condition,
          resource: resourceArn, isPublic: old.isPublic, resourceType: old.resourceType, createdAt: now, changeType: 'CHANGED', status: 'RESOLVED',
          resourceOwnerAccount: old.resourceOwnerAccount, sources: [{ type: 'POLICY' }],
        });
      }
    }
    if (doc.status === 'FAILED') doc.findings = [];
    const key = analyzerKey(analyzer.region, analyzer.name);
    await ctx.store.transaction((tx) => tx.insert<AccessPreviewDoc>({ kind: ACCESS_PREVIEW_KIND, account: ctx.caller.accountId, key: `${key}|${id}`, parent: key, data: doc }));
    return { id };
  },

  async GetAccessPreview(ctx, input) {
    const arn = String(input.analyzerArn);
    authorize(ctx, 'access-analyzer:GetAccessPreview', arn);
    const analyzer = await ctx.store.read((tx) => analyzerByArn(tx, ctx, arn));
    const p = await previewOf(ctx, analyzer, String(input.accessPreviewId));
    return { accessPreview: { ...previewSummary(p), configurations: p.configurations } };
  },

  async ListAccessPreviews(ctx, input) {
    const arn = String(input.analyzerArn);
    authorize(ctx, 'access-analyzer:ListAccessPreviews', arn);
    const analyzer = await ctx.store.read((tx) => analyzerByArn(tx, ctx, arn));
    const all = await ctx.store.read((tx) => listAll<AccessPreviewDoc>(tx, ACCESS_PREVIEW_KIND, ctx.caller.accountId, analyzerKey(analyzer.region, analyzer.name)));
    const items = all.map((e) => e.data).sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id));
    return pagedOutput('accessPreviews', items, input, previewSummary);
  },

  async ListAccessPreviewFindings(ctx, input) {
    const arn = String(input.analyzerArn);
    authorize(ctx, 'access-analyzer:ListAccessPreviewFindings', arn);
    const analyzer = await ctx.store.read((tx) => analyzerByArn(tx, ctx, arn));
    const preview = await previewOf(ctx, analyzer, String(input.accessPreviewId));
    const filter = input.filter === undefined ? undefined : checkFilter(input.filter);
    const items = preview.findings.filter((f) => {
      if (!filter) return true;
      const fields: Record<string, string | readonly string[] | undefined> = {
        ...filterFields({ ...f, findingType: 'ExternalAccess' }), changeType: f.changeType, existingFindingId: f.existingFindingId, existingFindingStatus: f.existingFindingStatus,
      };
      return matchesFilter(fields, filter);
    });
    return pagedOutput('findings', items, input);
  },
};

/** Every analyzer-administration operation: analyzers, tags, archive rules, findings, policy generation. */
export const analyzerAdminOperations: OperationTable = {
  ...analyzerOperationsOnly,
  ...archiveRuleOperations,
  ...findingOperations,
  ...analyzedResourceOperations,
  ...accessPreviewOperations,
  ...policyGenerationOperations,
};
