// The finding operations: ListFindings, ListFindingsV2, GetFinding, GetFindingV2, UpdateFindings
// and GetFindingsStatistics, over the findings as of now (finding-refresh.ts).
import type { OperationTable } from '../types.js';
import { AKIND, analyzerKey, isExternalAccess, type FilterMap } from './analyzer-store.js';
import { checkFilter, matchesFilter } from './archive-rules.js';
import { filterFields, type FindingDoc, type FindingStatus } from './finding-doc.js';
import { findingsOf } from './finding-refresh.js';
import { iso, notFound, pagedOutput, validation } from './wire.js';

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
