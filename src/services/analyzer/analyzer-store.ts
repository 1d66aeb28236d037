// The stored analyzers and what hangs off them, and how operations find them.
//
// Analyzers are regional: entity kind AKIND.analyzer, account = the caller's, key
// `region/name` (names are case-folded by the store), parent = the region. Findings and
// archive rules are children of their analyzer (parent = the analyzer's key).
import type { ReadTx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import { ORG_ACCOUNT, OKIND, type DelegatedAdminDoc, type MemberDoc, type OrganizationDoc } from '../organizations/common.js';
import type { CallContext } from '../types.js';
import { authorize, notFound } from './wire.js';

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

/** Default unusedAccessAge (days). */
export const DEFAULT_UNUSED_ACCESS_AGE = 90;

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
