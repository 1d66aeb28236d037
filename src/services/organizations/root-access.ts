// Centralized root access for member accounts: the organization's state that IAM's
// Enable/DisableOrganizationsRoot* operations change and STS AssumeRoot reads.
//
// IAM User Guide, "Centralize root access for member accounts" (id_root-enable-root-access.html):
// the organization must have all features, trusted access for IAM (`iam.amazonaws.com`, through
// Organizations EnableAWSServiceAccess) must be enabled, and the calls come from the management
// account or the account registered as IAM's delegated administrator. Two features:
// `RootCredentialsManagement` (manage member accounts' root credentials) and `RootSessions`
// (privileged root sessions through sts:AssumeRoot).
//
// Stored as one entity per organization (OKIND.rootAccess, key = organization id), deleted with
// the organization.
import type { ReadTx, Tx } from '../../store/index.js';
import { OKIND, ORG_ACCOUNT, orgOfAccount, type MemberDoc, type OrganizationDoc } from './common.js';

export const IAM_SERVICE_PRINCIPAL = 'iam.amazonaws.com';

export type RootAccessFeature = 'RootCredentialsManagement' | 'RootSessions';
/** In the order AWS lists them (the model's `FeatureType` enum). */
export const ROOT_ACCESS_FEATURES: readonly RootAccessFeature[] = ['RootCredentialsManagement', 'RootSessions'];

export interface RootAccessDoc {
  OrgId: string;
  EnabledFeatures: RootAccessFeature[];
}

/** Where an account stands for centralized root access. */
export interface RootAccessStanding {
  org: OrganizationDoc;
  /** The account is the organization's management account. */
  management: boolean;
  /** The account is registered as delegated administrator for IAM (`iam.amazonaws.com`). */
  iamDelegatedAdmin: boolean;
  /** Trusted access for IAM is enabled in the organization. */
  trustedAccess: boolean;
  features: RootAccessFeature[];
}

/** The organization's enabled features (none when never enabled). */
export async function featuresOf(tx: ReadTx, orgId: string): Promise<RootAccessFeature[]> {
  const e = await tx.get<RootAccessDoc>(OKIND.rootAccess, ORG_ACCOUNT, orgId);
  return e ? ROOT_ACCESS_FEATURES.filter((f) => e.data.EnabledFeatures.includes(f)) : [];
}

/** The standing of `accountId`, or undefined when it belongs to no organization. */
export async function rootAccessStanding(tx: ReadTx, accountId: string): Promise<RootAccessStanding | undefined> {
  const org = await orgOfAccount(tx, accountId);
  if (!org) return undefined;
  const management = org.MasterAccountId === accountId;
  const iamDelegatedAdmin = !management && (await tx.get(OKIND.delegatedAdmin, ORG_ACCOUNT, `${accountId}|${IAM_SERVICE_PRINCIPAL}`)) !== undefined;
  const trustedAccess = (await tx.get(OKIND.serviceAccess, ORG_ACCOUNT, `${org.Id}|${IAM_SERVICE_PRINCIPAL}`)) !== undefined;
  return { org, management, iamDelegatedAdmin, trustedAccess, features: await featuresOf(tx, org.Id) };
}

/** Turns `feature` on or off for the organization; returns the features enabled afterwards. */
export async function setFeature(tx: Tx, orgId: string, feature: RootAccessFeature, enabled: boolean): Promise<RootAccessFeature[]> {
  const e = await tx.get<RootAccessDoc>(OKIND.rootAccess, ORG_ACCOUNT, orgId);
  const now = new Set(e?.data.EnabledFeatures ?? []);
  if (enabled) now.add(feature); else now.delete(feature);
  const features = ROOT_ACCESS_FEATURES.filter((f) => now.has(f));
  const data: RootAccessDoc = { OrgId: orgId, EnabledFeatures: features };
  if (e) await tx.update({ kind: OKIND.rootAccess, account: ORG_ACCOUNT, key: orgId, data });
  else await tx.insert({ kind: OKIND.rootAccess, account: ORG_ACCOUNT, key: orgId, parent: orgId, data });
  return features;
}

/** The member record of `accountId` when it is an active member account (not the management account) of `org`. */
export async function activeMemberOf(tx: ReadTx, org: OrganizationDoc, accountId: string): Promise<MemberDoc | undefined> {
  if (accountId === org.MasterAccountId) return undefined;
  const m = await tx.get<MemberDoc>(OKIND.account, ORG_ACCOUNT, accountId);
  return m && m.data.OrgId === org.Id && m.data.Status === 'ACTIVE' ? m.data : undefined;
}
