// Access previews: CreateAccessPreview, GetAccessPreview, ListAccessPreviews and
// ListAccessPreviewFindings — the findings a proposed trust policy would give, beside the current
// ones. Kept as AKIND.accessPreview entities (key `analyzerKey|id`, parent = analyzer key).
import { randomUUID } from 'node:crypto';
import { listAll } from '../iam/common.js';
import { KIND, type RoleDoc } from '../iam/entities.js';
import type { CallContext, OperationTable } from '../types.js';
import { AKIND, analyzerKey, authorizedAnalyzerByArn, isExternalAccess, zoneOf, type AnalyzerDoc } from './analyzer-store.js';
import { archiveRulesOf, archivedBy, checkFilter, matchesFilter } from './archive-rules.js';
import { analyzeTrustPolicy } from './external-access.js';
import { externalAccessFindingId, filterFields, stableId, type FindingStatus } from './finding-doc.js';
import { findingsOf } from './finding-refresh.js';
import { iso, notFound, pagedOutput, validation } from './wire.js';

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
    const { accounts, organizationId } = await ctx.store.read((tx) => zoneOf(tx, analyzer, ctx.caller.accountId));
    const zone = new Set(accounts);
    const rules = await ctx.store.read((tx) => archiveRulesOf(tx, ctx.caller.accountId, analyzerKey(analyzer.region, analyzer.name)));
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
      const proposed = trustPolicy === undefined ? [] : analyzeTrustPolicy({ arn: resourceArn, account: m[1], document: trustPolicy }, zone, organizationId);
      const existing = findings.filter((f) => f.resource === resourceArn && f.status !== 'RESOLVED');
      const seen = new Set<string>();
      for (const p of proposed) {
        const fid = externalAccessFindingId(arn, p);
        seen.add(fid);
        const old = existing.find((f) => f.id === fid);
        const base = { principal: p.principal, action: p.action, condition: p.condition, resource: resourceArn, isPublic: p.isPublic, resourceType: p.resourceType, createdAt: now, resourceOwnerAccount: p.resourceOwnerAccount, sources: [{ type: 'POLICY' }] };
        if (old) {
          doc.findings.push({ id: stableId(id, fid), existingFindingId: old.id, existingFindingStatus: old.status, changeType: 'UNCHANGED', status: old.status, ...base });
        } else {
          const probe = { id: fid, status: 'ACTIVE' as FindingStatus, resource: resourceArn, resourceType: p.resourceType, resourceOwnerAccount: p.resourceOwnerAccount, findingType: 'ExternalAccess' as const, principal: p.principal, action: p.action, condition: p.condition, isPublic: p.isPublic };
          const status: FindingStatus = archivedBy(rules, probe) ? 'ARCHIVED' : 'ACTIVE';
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
    const analyzer = await authorizedAnalyzerByArn(ctx, String(input.analyzerArn), 'access-analyzer:GetAccessPreview');
    const p = await previewOf(ctx, analyzer, String(input.accessPreviewId));
    return { accessPreview: { ...previewSummary(p), configurations: p.configurations } };
  },

  async ListAccessPreviews(ctx, input) {
    const analyzer = await authorizedAnalyzerByArn(ctx, String(input.analyzerArn), 'access-analyzer:ListAccessPreviews');
    const all = await ctx.store.read((tx) => listAll<AccessPreviewDoc>(tx, ACCESS_PREVIEW_KIND, ctx.caller.accountId, analyzerKey(analyzer.region, analyzer.name)));
    const items = all.map((e) => e.data).sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id));
    return pagedOutput('accessPreviews', items, input, previewSummary);
  },

  async ListAccessPreviewFindings(ctx, input) {
    const analyzer = await authorizedAnalyzerByArn(ctx, String(input.analyzerArn), 'access-analyzer:ListAccessPreviewFindings');
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
