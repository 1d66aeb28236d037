// Access Analyzer analyzers: CreateAnalyzer, GetAnalyzer, ListAnalyzers, DeleteAnalyzer,
// UpdateAnalyzer and the analyzer tagging operations (how analyzers are stored and found is in
// analyzer-store.ts).
import type { ContextValue } from '../../policy/index.js';
import type { ReadTx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  AKIND, DEFAULT_UNUSED_ACCESS_AGE, SUPPORTED_TYPES, analyzerArn, analyzerKey, isOrganizationWide, isUnusedAccess, organizationOf, parseAnalyzerArn,
  type AnalyzerDoc, type AnalyzerType,
} from './analyzer-store.js';
import { MAX_ARCHIVE_RULES, checkFilter, insertArchiveRule } from './archive-rules.js';
import { accessDenied, authorize, conflict, iso, notFound, pagedOutput, quotaExceeded, validation } from './wire.js';

/** AWS's range of unusedAccessAge (days). */
export const MAX_UNUSED_ACCESS_AGE = 365;
/** AWS's quota: analyzers of each type per Region (external access: one per account/org zone). */
export const MAX_ANALYZERS_PER_TYPE = 1;

export function summaryOf(a: AnalyzerDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { arn: a.arn, name: a.name, type: a.type, createdAt: a.createdAt, status: a.status, tags: { ...a.tags } };
  if (a.configuration) out.configuration = a.configuration;
  return out;
}

function tagsInput(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = String(val);
  return out;
}

export const MAX_TAGS = 50;

function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw validation(`Number of tags exceeds the limit of ${MAX_TAGS}.`, 'fieldValidationFailed');
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) throw validation('Tag keys must be between 1 and 128 characters.', 'fieldValidationFailed');
    if (v.length > 256) throw validation('Tag values must be at most 256 characters.', 'fieldValidationFailed');
    if (k.toLowerCase().startsWith('aws:')) throw validation('Tag keys must not start with aws:.', 'fieldValidationFailed');
  }
}

function requestTagKeys(tags: Record<string, string>): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = { 'aws:TagKeys': Object.keys(tags) };
  for (const [k, v] of Object.entries(tags)) out[`aws:RequestTag/${k}`] = v;
  return out;
}

function resourceTagKeys(tags: Record<string, string>): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(tags)) out[`aws:ResourceTag/${k}`] = v;
  return out;
}

function configurationOf(type: AnalyzerType, v: unknown): AnalyzerDoc['configuration'] {
  const c = (v && typeof v === 'object' ? v : {}) as { unusedAccess?: { unusedAccessAge?: number; analysisRule?: unknown }; internalAccess?: unknown };
  if (c.internalAccess !== undefined) throw validation('internalAccess configuration applies to internal access analyzers only.');
  if (!isUnusedAccess(type)) {
    if (c.unusedAccess !== undefined) throw validation('unusedAccess configuration applies to unused access analyzers only.');
    return undefined;
  }
  const age = c.unusedAccess?.unusedAccessAge ?? DEFAULT_UNUSED_ACCESS_AGE;
  if (!Number.isInteger(age) || age < 1 || age > MAX_UNUSED_ACCESS_AGE) {
    throw validation(`unusedAccessAge must be between 1 and ${MAX_UNUSED_ACCESS_AGE} days.`, 'fieldValidationFailed');
  }
  const out: NonNullable<AnalyzerDoc['configuration']> = { unusedAccess: { unusedAccessAge: age } };
  if (c.unusedAccess?.analysisRule !== undefined) out.unusedAccess!.analysisRule = c.unusedAccess.analysisRule;
  return out;
}

export const analyzerOperationsOnly: OperationTable = {
  async CreateAnalyzer(ctx, input) {
    const name = String(input.analyzerName);
    const type = String(input.type) as AnalyzerType;
    const account = ctx.caller.accountId;
    const arn = analyzerArn(ctx.region, account, name);
    const tags = tagsInput(input.tags);
    authorize(ctx, 'access-analyzer:CreateAnalyzer', arn, Object.keys(tags).length ? requestTagKeys(tags) : undefined);
    if (!SUPPORTED_TYPES.has(type)) throw validation(`Analyzer type ${type} is not supported by Warden.`);
    checkTags(tags);
    const configuration = configurationOf(type, input.configuration);
    const rules = Array.isArray(input.archiveRules) ? (input.archiveRules as Array<{ ruleName: string; filter: unknown }>) : [];
    if (rules.length > MAX_ARCHIVE_RULES) throw quotaExceeded('ArchiveRule', name, `You can create at most ${MAX_ARCHIVE_RULES} archive rules per analyzer.`);
    const filters = rules.map((r) => ({ ruleName: String(r.ruleName), filter: checkFilter(r.filter) }));
    if (new Set(filters.map((f) => f.ruleName.toLowerCase())).size !== filters.length) throw validation('Archive rule names must be unique.');
    const now = iso(ctx.now);
    await ctx.store.transaction(async (tx) => {
      let organizationId: string | undefined;
      if (isOrganizationWide(type)) {
        const o = await organizationOf(tx, account);
        if (!o) throw validation('You must belong to an organization to create an organization analyzer.', 'notSupported');
        if (!o.admin) {
          throw accessDenied('You must be the management account or a delegated administrator for Access Analyzer to create an organization analyzer.');
        }
        organizationId = o.org.Id;
      }
      const existing = await listAll<AnalyzerDoc>(tx, AKIND.analyzer, account, ctx.region);
      const dup = existing.find((e) => e.data.name.toLowerCase() === name.toLowerCase());
      if (dup) throw conflict('Analyzer', name, `An analyzer with the name ${name} already exists.`);
      if (existing.filter((e) => e.data.type === type).length >= MAX_ANALYZERS_PER_TYPE) {
        throw quotaExceeded('Analyzer', name, `You have reached the limit of ${MAX_ANALYZERS_PER_TYPE} analyzers of type ${type} in this Region.`);
      }
      const doc: AnalyzerDoc = { arn, name, type, region: ctx.region, createdAt: now, status: 'ACTIVE', tags };
      if (configuration) doc.configuration = configuration;
      if (organizationId) doc.organizationId = organizationId;
      await tx.insert<AnalyzerDoc>({ kind: AKIND.analyzer, account, key: analyzerKey(ctx.region, name), parent: ctx.region, data: doc });
      for (const f of filters) await insertArchiveRule(tx, doc, account, f.ruleName, f.filter, now);
    });
    return { arn };
  },

  async GetAnalyzer(ctx, input) {
    const a = await ctx.store.read((tx) => authorizedAnalyzer(tx, ctx, String(input.analyzerName), 'access-analyzer:GetAnalyzer'));
    return { analyzer: summaryOf(a) };
  },

  async ListAnalyzers(ctx, input) {
    authorize(ctx, 'access-analyzer:ListAnalyzers', '*');
    const all = await ctx.store.read((tx) => listAll<AnalyzerDoc>(tx, AKIND.analyzer, ctx.caller.accountId, ctx.region));
    const type = typeof input.type === 'string' ? input.type : undefined;
    const items = all.map((e) => e.data).filter((a) => type === undefined || a.type === type).sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.name.localeCompare(y.name));
    return pagedOutput('analyzers', items, input, summaryOf);
  },

  async DeleteAnalyzer(ctx, input) {
    const name = String(input.analyzerName);
    const account = ctx.caller.accountId;
    const key = analyzerKey(ctx.region, name);
    await ctx.store.transaction(async (tx) => {
      await authorizedAnalyzer(tx, ctx, name, 'access-analyzer:DeleteAnalyzer');
      await tx.deleteChildren(AKIND.archiveRule, account, key);
      await tx.deleteChildren(AKIND.finding, account, key);
      await tx.deleteChildren(AKIND.accessPreview, account, key);
      await tx.delete(AKIND.analyzer, account, key);
    });
    return {};
  },

  async UpdateAnalyzer(ctx, input) {
    const name = String(input.analyzerName);
    const account = ctx.caller.accountId;
    const key = analyzerKey(ctx.region, name);
    return ctx.store.transaction(async (tx) => {
      const a = await authorizedAnalyzer(tx, ctx, name, 'access-analyzer:UpdateAnalyzer');
      if (!isUnusedAccess(a.type)) throw validation('Only unused access analyzers can be updated.', 'notSupported');
      const configuration = configurationOf(a.type, input.configuration ?? {});
      await tx.update<AnalyzerDoc>({ kind: AKIND.analyzer, account, key, data: { ...a, configuration } });
      return { configuration };
    });
  },

  async TagResource(ctx, input) {
    const arn = String(input.resourceArn);
    const tags = tagsInput(input.tags);
    await ctx.store.transaction(async (tx) => {
      const a = await taggable(tx, ctx, arn);
      authorize(ctx, 'access-analyzer:TagResource', arn, { ...resourceTagKeys(a.tags), ...requestTagKeys(tags) });
      const merged = { ...a.tags, ...tags };
      checkTags(merged);
      await tx.update<AnalyzerDoc>({ kind: AKIND.analyzer, account: ctx.caller.accountId, key: analyzerKey(a.region, a.name), data: { ...a, tags: merged } });
    });
    return {};
  },

  async UntagResource(ctx, input) {
    const arn = String(input.resourceArn);
    const keys = Array.isArray(input.tagKeys) ? (input.tagKeys as unknown[]).map(String) : [];
    await ctx.store.transaction(async (tx) => {
      const a = await taggable(tx, ctx, arn);
      authorize(ctx, 'access-analyzer:UntagResource', arn, { ...resourceTagKeys(a.tags), 'aws:TagKeys': keys });
      const tags = { ...a.tags };
      for (const k of keys) delete tags[k];
      await tx.update<AnalyzerDoc>({ kind: AKIND.analyzer, account: ctx.caller.accountId, key: analyzerKey(a.region, a.name), data: { ...a, tags } });
    });
    return {};
  },

  async ListTagsForResource(ctx, input) {
    const arn = String(input.resourceArn);
    const a = await ctx.store.read((tx) => taggable(tx, ctx, arn));
    authorize(ctx, 'access-analyzer:ListTagsForResource', arn, resourceTagKeys(a.tags));
    return { tags: { ...a.tags } };
  },
};

/** The analyzer `name` in the caller's account and Region, once `action` on it is authorized (its tags as aws:ResourceTag keys). */
async function authorizedAnalyzer(tx: ReadTx, ctx: CallContext, name: string, action: string): Promise<AnalyzerDoc> {
  const account = ctx.caller.accountId;
  const e = await tx.get<AnalyzerDoc>(AKIND.analyzer, account, analyzerKey(ctx.region, name));
  authorize(ctx, action, analyzerArn(ctx.region, account, e?.data.name ?? name), e ? resourceTagKeys(e.data.tags) : undefined);
  if (!e || e.data.name !== name) throw notFound('Analyzer', name, `Analyzer ${name} not found.`);
  return e.data;
}

/** Analyzers are the taggable resources Warden keeps (archive rules carry no tags). */
async function taggable(tx: ReadTx, ctx: CallContext, arn: string): Promise<AnalyzerDoc> {
  const p = parseAnalyzerArn(arn);
  if (!p || p.account !== ctx.caller.accountId || p.region !== ctx.region) throw notFound('Analyzer', arn, `Analyzer ${arn} not found.`);
  const e = await tx.get<AnalyzerDoc>(AKIND.analyzer, p.account, analyzerKey(p.region, p.name));
  if (!e || e.data.arn !== arn) throw notFound('Analyzer', arn, `Analyzer ${arn} not found.`);
  return e.data;
}
