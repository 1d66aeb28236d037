// Access Analyzer analyzers: CreateAnalyzer, GetAnalyzer, ListAnalyzers, DeleteAnalyzer,
// UpdateAnalyzer and the analyzer tagging operations, plus what the findings, archive-rule and
// policy-generation families share (errors, authorization, pagination, the stored documents).
//
// Analyzers are regional: entity kind AKIND.analyzer, account = the caller's, key
// `region/name` (names are case-folded by the store), parent = the region. Findings and
// archive rules are children of their analyzer (parent = the analyzer's key).
import { createHash } from 'node:crypto';
import { AwsError, loadServiceModel, modelError } from '../../protocol/index.js';
import type { ContextValue } from '../../policy/index.js';
import { AlreadyExistsError, type ReadTx, type Tx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import { ORG_ACCOUNT, OKIND, type DelegatedAdminDoc, type MemberDoc, type OrganizationDoc } from '../organizations/common.js';
import type { CallContext, OperationTable } from '../types.js';

export const AA = loadServiceModel('accessanalyzer');

export const AKIND = {
  analyzer: 'aa-analyzer',
  /** key `analyzerKey|ruleName`, parent = analyzer key. */
  archiveRule: 'aa-archive-rule',
  /** key `analyzerKey|findingId`, parent = analyzer key. */
  finding: 'aa-finding',
  /** key `analyzerKey|previewId`, parent = analyzer key. */
  accessPreview: 'aa-access-preview',
  /** key = job id, parent = principal ARN. */
  policyGeneration: 'aa-policy-generation',
} as const;

export type AnalyzerType = 'ACCOUNT' | 'ORGANIZATION' | 'ACCOUNT_UNUSED_ACCESS' | 'ORGANIZATION_UNUSED_ACCESS' | 'ACCOUNT_INTERNAL_ACCESS' | 'ORGANIZATION_INTERNAL_ACCESS';

export const SUPPORTED_TYPES: ReadonlySet<string> = new Set(['ACCOUNT', 'ORGANIZATION', 'ACCOUNT_UNUSED_ACCESS', 'ORGANIZATION_UNUSED_ACCESS']);

/** Default unusedAccessAge (days) and AWS's range. */
export const DEFAULT_UNUSED_ACCESS_AGE = 90;
export const MAX_UNUSED_ACCESS_AGE = 365;
/** AWS's quota: analyzers of each type per Region (external access: one per account/org zone). */
export const MAX_ANALYZERS_PER_TYPE = 1;

export type Criterion = { eq?: string[]; neq?: string[]; contains?: string[]; exists?: boolean };
export type FilterMap = Record<string, Criterion>;

export interface AnalyzerDoc {
  arn: string;
  name: string;
  type: AnalyzerType;
  region: string;
  createdAt: string;
  status: 'ACTIVE';
  tags: Record<string, string>;
  configuration?: { unusedAccess?: { unusedAccessAge?: number; analysisRule?: unknown } };
  /** For ORGANIZATION analyzers: the organization whose accounts are the zone of trust. */
  organizationId?: string;
}

export interface ArchiveRuleDoc {
  ruleName: string;
  filter: FilterMap;
  createdAt: string;
  updatedAt: string;
}

// ---------------------------------------------------------------------------
// Errors, authorization, pagination.

export function validation(message: string, reason = 'other'): AwsError {
  return modelError(AA, 'ValidationException', message, { reason });
}
export function notFound(resourceType: string, resourceId: string, message: string): AwsError {
  return modelError(AA, 'ResourceNotFoundException', message, { resourceId, resourceType });
}
export function conflict(resourceType: string, resourceId: string, message: string): AwsError {
  return modelError(AA, 'ConflictException', message, { resourceId, resourceType });
}
export function quotaExceeded(resourceType: string, resourceId: string, message: string): AwsError {
  return modelError(AA, 'ServiceQuotaExceededException', message, { resourceId, resourceType });
}
export function accessDenied(message: string): AwsError {
  return modelError(AA, 'AccessDeniedException', message);
}

/** Authorizes through the engine; Access Analyzer answers a denial with AccessDeniedException. */
export function authorize(ctx: CallContext, action: string, resource: string, extra?: Record<string, ContextValue | undefined>): void {
  try {
    ctx.authorize(action, resource, extra);
  } catch (e) {
    if (e instanceof AwsError && e.code === 'AccessDenied') throw accessDenied(e.message);
    throw e;
  }
}

/** AWS's timestamps: ISO 8601 in UTC with milliseconds dropped. */
export function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function encodeToken(offset: number): string {
  return Buffer.from(`aa1:${offset}`).toString('base64');
}

/** One page of `items` (nextToken / maxResults, as Access Analyzer's list operations take them). */
function page<T>(items: readonly T[], input: Record<string, unknown>, defaultMax = 100): { items: T[]; nextToken?: string } {
  let start = 0;
  if (typeof input.nextToken === 'string' && input.nextToken !== '') {
    const m = /^aa1:(\d{1,9})$/.exec(Buffer.from(input.nextToken, 'base64').toString('utf8'));
    if (!m || Number(m[1]) > items.length) throw validation('Invalid pagination token.');
    start = Number(m[1]);
  }
  const max = typeof input.maxResults === 'number' ? input.maxResults : defaultMax;
  if (max < 1) throw validation('maxResults must be at least 1.', 'fieldValidationFailed');
  const end = Math.min(items.length, start + max);
  return end < items.length ? { items: items.slice(start, end), nextToken: encodeToken(end) } : { items: items.slice(start, end) };
}

/** A list operation's output: one page of `items`, each through `map`, as `member`, with nextToken when more follow. */
export function pagedOutput<T>(member: string, items: readonly T[], input: Record<string, unknown>, map: (item: T) => unknown = (item) => item): Record<string, unknown> {
  const p = page(items, input);
  const out: Record<string, unknown> = { [member]: p.items.map((item) => map(item)) };
  if (p.nextToken) out.nextToken = p.nextToken;
  return out;
}

/** A stable UUID-shaped id from the parts that identify a finding. */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------
// Analyzers.

export const analyzerKey = (region: string, name: string) => `${region}/${name}`;
export const analyzerArn = (region: string, account: string, name: string) => `arn:aws:access-analyzer:${region}:${account}:analyzer/${name}`;

/** Parses an analyzer ARN: region, account and name. */
export function parseAnalyzerArn(arn: string): { region: string; account: string; name: string } | undefined {
  const m = /^arn:aws:access-analyzer:([a-z0-9-]+):(\d{12}):analyzer\/([A-Za-z_][A-Za-z0-9_.-]{0,254})$/.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}

export async function getAnalyzer(tx: ReadTx, account: string, region: string, name: string): Promise<AnalyzerDoc> {
  const e = await tx.get<AnalyzerDoc>(AKIND.analyzer, account, analyzerKey(region, name));
  if (!e || e.data.name !== name) throw notFound('Analyzer', name, `Analyzer ${name} not found.`);
  return e.data;
}

/** The analyzer an `analyzerArn` input names, in the caller's account and Region. */
export async function analyzerByArn(tx: ReadTx, ctx: CallContext, arn: string): Promise<AnalyzerDoc> {
  const p = parseAnalyzerArn(arn);
  if (!p || p.account !== ctx.caller.accountId || p.region !== ctx.region) throw notFound('Analyzer', arn, `Analyzer ${arn} not found.`);
  const a = await getAnalyzer(tx, p.account, p.region, p.name);
  if (a.arn !== arn) throw notFound('Analyzer', arn, `Analyzer ${arn} not found.`);
  return a;
}

/** The analyzer an `analyzerArn` input names, once `action` on that ARN is authorized. */
export async function authorizedAnalyzerByArn(ctx: CallContext, arn: string, action: string): Promise<AnalyzerDoc> {
  authorize(ctx, action, arn);
  return ctx.store.read((tx) => analyzerByArn(tx, ctx, arn));
}

export function isExternalAccess(type: string): boolean {
  return type === 'ACCOUNT' || type === 'ORGANIZATION';
}

export function isUnusedAccess(type: string): boolean {
  return type === 'ACCOUNT_UNUSED_ACCESS' || type === 'ORGANIZATION_UNUSED_ACCESS';
}

/** Organization analyzers: their zone (and, for unused access, their scope) is the organization's accounts. */
export function isOrganizationWide(type: string): boolean {
  return type.startsWith('ORGANIZATION');
}

/** The organization of `account`, and whether it may create organization analyzers (management or delegated admin). */
export async function organizationOf(tx: ReadTx, account: string): Promise<{ org: OrganizationDoc; admin: boolean } | undefined> {
  const m = await tx.get<MemberDoc>(OKIND.account, ORG_ACCOUNT, account);
  if (!m) return undefined;
  const org = (await tx.get<OrganizationDoc>(OKIND.organization, ORG_ACCOUNT, m.data.OrgId))?.data;
  if (!org) return undefined;
  if (org.MasterAccountId === account) return { org, admin: true };
  const delegations = await listAll<DelegatedAdminDoc>(tx, OKIND.delegatedAdmin, ORG_ACCOUNT, account);
  return { org, admin: delegations.some((d) => d.data.ServicePrincipal === 'access-analyzer.amazonaws.com') };
}

/** The accounts of an organization (its zone of trust). */
export async function organizationAccounts(tx: ReadTx, orgId: string): Promise<string[]> {
  return (await listAll<MemberDoc>(tx, OKIND.account, ORG_ACCOUNT)).filter((m) => m.data.OrgId === orgId).map((m) => m.data.Id);
}

/**
 * An external access analyzer's zone of trust: the accounts of its organization (for an
 * organization analyzer) or `account` alone, `account` always in it; and the organization.
 */
export async function zoneOf(tx: ReadTx, a: AnalyzerDoc, account: string): Promise<{ accounts: string[]; organizationId?: string }> {
  const accounts = isOrganizationWide(a.type) && a.organizationId ? await organizationAccounts(tx, a.organizationId) : [account];
  if (!accounts.includes(account)) accounts.push(account);
  return { accounts, organizationId: isOrganizationWide(a.type) ? a.organizationId : undefined };
}

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

/** Checks an archive rule's filter: criteria keys and one criterion each. */
export function checkFilter(filter: unknown): FilterMap {
  if (!filter || typeof filter !== 'object') throw validation('filter is required.', 'fieldValidationFailed');
  const out: FilterMap = {};
  for (const [k, c] of Object.entries(filter as Record<string, Criterion>)) {
    if (!c || typeof c !== 'object' || (c.eq === undefined && c.neq === undefined && c.contains === undefined && c.exists === undefined)) {
      throw validation(`Invalid filter criterion for ${k}: specify eq, neq, contains or exists.`, 'fieldValidationFailed');
    }
    out[k] = c;
  }
  return out;
}

export async function insertArchiveRule(tx: Tx, a: AnalyzerDoc, account: string, ruleName: string, filter: FilterMap, now: string): Promise<void> {
  const key = analyzerKey(a.region, a.name);
  try {
    await tx.insert<ArchiveRuleDoc>({
      kind: AKIND.archiveRule, account, key: `${key}|${ruleName}`, parent: key,
      data: { ruleName, filter, createdAt: now, updatedAt: now },
    });
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw conflict('ArchiveRule', ruleName, `An archive rule with the name ${ruleName} already exists.`);
    throw e;
  }
}

export const MAX_ARCHIVE_RULES = 100;

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
