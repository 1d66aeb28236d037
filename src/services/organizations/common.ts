// What every Organizations operation shares: the model and its errors, the stored kinds and
// documents, identifiers and ARNs, the AWS managed policies, pagination, tags, and the checks of
// who may call (management account, delegated administrators, members).
//
// STORAGE: every Organizations entity lives under account '' (the organization spans accounts;
// ids are globally unique). Kinds all start with `org-`, which is how the authorization snapshot
// knows to reload the organization view (see authz/organization.ts). Several organizations can
// coexist in one Warden (any standalone account may create one); `org-account` (key = account id)
// says which organization an account belongs to.
import { randomBytes } from 'node:crypto';
import { AwsError, loadServiceModel, modelError } from '../../protocol/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { Entity, ReadTx } from '../../store/index.js';
import type { CallContext } from '../types.js';
import type { Tag } from '../iam/entities.js';
import { listAll } from '../iam/common.js';

export const ORGS = loadServiceModel('organizations');

/** The account all Organizations entities are stored under. */
export const ORG_ACCOUNT = '';

export const OKIND = {
  /** key = organization id. */
  organization: 'org-organization',
  /** key = root id, parent = organization id. */
  root: 'org-root',
  /** key = OU id, parent = parent id (root or OU). */
  ou: 'org-ou',
  /** An account's membership; key = account id, parent = parent id (root or OU). */
  account: 'org-account',
  /** Customer policy; key = policy id, parent = organization id. */
  policy: 'org-policy',
  /** A policy attached to a target; key `target|policy`, parent = target id. */
  attachment: 'org-attachment',
  /** The same attachment seen from the policy; key `policy|target`, parent `org/policy`. */
  policyTarget: 'org-policy-target',
  /** CreateAccount request; key = car- id, parent = organization id. */
  createStatus: 'org-create-status',
  /** Delegated administrator; key `account|servicePrincipal`, parent = account id. */
  delegatedAdmin: 'org-delegated-admin',
  /** Trusted service access; key `org|servicePrincipal`, parent = organization id. */
  serviceAccess: 'org-service-access',
  /** Handshake (invitation, all-features migration); key = h- id, parent = organization id. */
  handshake: 'org-handshake',
  /** The organization's resource-based (delegation) policy; key = organization id. */
  resourcePolicy: 'org-resource-policy',
  /** IAM's centralized root access features of the organization; key = organization id (root-access.ts). */
  rootAccess: 'org-root-access',
} as const;

export type PolicyTypeName = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY' | 'TAG_POLICY';
export const SUPPORTED_POLICY_TYPES: readonly PolicyTypeName[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY', 'TAG_POLICY'];

export interface OrganizationDoc {
  Id: string;
  Arn: string;
  FeatureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  MasterAccountArn: string;
  MasterAccountId: string;
  MasterAccountEmail: string;
  RootId: string;
  CreatedDate: string;
}

export interface PolicyTypeSummary { Type: PolicyTypeName; Status: 'ENABLED' | 'PENDING_ENABLE' | 'PENDING_DISABLE' }

export interface RootDoc {
  Id: string;
  Arn: string;
  Name: string;
  OrgId: string;
  PolicyTypes: PolicyTypeSummary[];
  Tags: Tag[];
}

export interface OuDoc {
  Id: string;
  Arn: string;
  Name: string;
  OrgId: string;
  ParentId: string;
  Tags: Tag[];
}

export interface MemberDoc {
  Id: string;
  Arn: string;
  Email: string;
  Name: string;
  Status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  State: 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';
  JoinedMethod: 'INVITED' | 'CREATED';
  JoinedTimestamp: string;
  OrgId: string;
  ParentId: string;
  Tags: Tag[];
}

/** A customer managed policy: what an AWS managed one has (`Content` as submitted), plus owner and tags. */
export interface OrgPolicyDoc extends AwsManagedOrgPolicy {
  OrgId: string;
  Tags: Tag[];
}

export interface OrgAttachmentDoc {
  OrgId: string;
  PolicyId: string;
  PolicyType: PolicyTypeName;
  TargetId: string;
  TargetType: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';
}

export interface CreateStatusDoc {
  Id: string;
  OrgId: string;
  AccountName: string;
  State: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  RequestedTimestamp: string;
  CompletedTimestamp?: string;
  AccountId?: string;
  FailureReason?: string;
}

export interface DelegatedAdminDoc { OrgId: string; AccountId: string; ServicePrincipal: string; DelegationEnabledDate: string }
export interface ServiceAccessDoc { OrgId: string; ServicePrincipal: string; DateEnabled: string }

// ---------------------------------------------------------------------------
// Errors (shape names of the model; JSON 1.1 `__type` is the shape name).

export function orgError(code: string, message: string, reason?: string): AwsError {
  return modelError(ORGS, code, message, reason !== undefined ? { Reason: reason } : undefined);
}

// Messages as the Organizations API reference words them.
export const notInUse = () => orgError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
export const accessDenied = () => orgError('AccessDeniedException', "You don't have permissions to access this resource.");
export const accountNotFound = () => orgError('AccountNotFoundException', "You specified an account that doesn't exist.");
export const ouNotFound = () => orgError('OrganizationalUnitNotFoundException', "You specified an organizational unit that doesn't exist.");
export const parentNotFound = () => orgError('ParentNotFoundException', "You specified parent that doesn't exist.");
export const childNotFound = () => orgError('ChildNotFoundException', "You specified a child that doesn't exist.");
export const policyNotFound = () => orgError('PolicyNotFoundException', "You specified a policy that doesn't exist.");
export const targetNotFound = () => orgError('TargetNotFoundException', "You specified a target that doesn't exist.");
export const rootNotFound = () => orgError('RootNotFoundException', "You specified a root that doesn't exist.");
export const constraint = (reason: string, message: string) => orgError('ConstraintViolationException', message, reason);
export const invalidInput = (reason: string, message: string) => orgError('InvalidInputException', message, reason);

/**
 * `ctx.authorize` for Organizations. Organizations answers an IAM denial with its generic
 * `AccessDeniedException` "You don't have permissions to access this resource." — not IAM's
 * "User: … is not authorized to perform: …" — and authorizes before any other check.
 */
export function authorize(ctx: CallContext, action: string, resource: string, extra?: Record<string, ContextValue | undefined>): AuthzCheck {
  try {
    ctx.authorize(action, resource, extra);
  } catch (e) {
    if (e instanceof AwsError && e.code === 'AccessDenied') throw accessDenied();
    throw e;
  }
  return { action, resource, extra };
}

/** One authorization of a call (action, resource, condition keys), for `requireDelegable`. */
export interface AuthzCheck { action: string; resource: string; extra?: Record<string, ContextValue | undefined> }

// ---------------------------------------------------------------------------
// Identifiers (patterns from the model) and ARNs (Organizations user guide, "ARN formats").

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomLower(n: number): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += LOWER[b[i] % 36];
  return s;
}

export const newOrgId = () => `o-${randomLower(10)}`;
export const newRootId = () => `r-${randomLower(4)}`;
export const newOuId = (rootId: string) => `ou-${rootId.slice(2)}-${randomLower(8)}`;
export const newPolicyId = () => `p-${randomLower(8)}`;
export const newCreateRequestId = () => `car-${randomLower(32)}`;

export const orgArn = (mgmt: string, orgId: string) => `arn:aws:organizations::${mgmt}:organization/${orgId}`;
export const rootArnOf = (mgmt: string, orgId: string, rootId: string) => `arn:aws:organizations::${mgmt}:root/${orgId}/${rootId}`;
export const ouArn = (mgmt: string, orgId: string, ouId: string) => `arn:aws:organizations::${mgmt}:ou/${orgId}/${ouId}`;
export const accountArn = (mgmt: string, orgId: string, accountId: string) => `arn:aws:organizations::${mgmt}:account/${orgId}/${accountId}`;

const TYPE_SEGMENT: Record<PolicyTypeName, string> = {
  SERVICE_CONTROL_POLICY: 'service_control_policy',
  RESOURCE_CONTROL_POLICY: 'resource_control_policy',
  TAG_POLICY: 'tag_policy',
};

export const policyArn = (mgmt: string, orgId: string, type: PolicyTypeName, policyId: string) =>
  `arn:aws:organizations::${mgmt}:policy/${orgId}/${TYPE_SEGMENT[type]}/${policyId}`;

// ---------------------------------------------------------------------------
// AWS managed policies: attached by AWS when a policy type is enabled.

export interface AwsManagedOrgPolicy {
  Id: string;
  Arn: string;
  Name: string;
  Description: string;
  Type: PolicyTypeName;
  Content: string;
}

export const FULL_AWS_ACCESS: AwsManagedOrgPolicy = {
  Id: 'p-FullAWSAccess',
  Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
  Name: 'FullAWSAccess',
  Description: 'Allows access to every operation',
  Type: 'SERVICE_CONTROL_POLICY',
  Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
};

export const RCP_FULL_AWS_ACCESS: AwsManagedOrgPolicy = {
  Id: 'p-RCPFullAWSAccess',
  Arn: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
  Name: 'RCPFullAWSAccess',
  Description: 'Allows access to every operation',
  Type: 'RESOURCE_CONTROL_POLICY',
  Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
};

export const AWS_MANAGED: readonly AwsManagedOrgPolicy[] = [FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS];

export function awsManagedById(id: string): AwsManagedOrgPolicy | undefined {
  return AWS_MANAGED.find((p) => p.Id.toLowerCase() === id.toLowerCase());
}

/** The policy attached by default to every target when a type is enabled. */
export function defaultPolicyOf(type: PolicyTypeName): AwsManagedOrgPolicy | undefined {
  if (type === 'SERVICE_CONTROL_POLICY') return FULL_AWS_ACCESS;
  if (type === 'RESOURCE_CONTROL_POLICY') return RCP_FULL_AWS_ACCESS;
  return undefined;
}

// ---------------------------------------------------------------------------
// Pagination: NextToken / MaxResults (1–20, validated by the model). Tokens encode the last key.

const DEFAULT_MAX_RESULTS = 20;

export function page<T>(items: readonly T[], keyOf: (t: T) => string, input: Record<string, unknown>): { items: T[]; NextToken?: string } {
  const token = input.NextToken;
  let start = 0;
  if (typeof token === 'string' && token !== '') {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    if (Buffer.from(after, 'utf8').toString('base64url') !== token || after === '') {
      throw invalidInput('INVALID_NEXT_TOKEN', 'You provided an invalid value for the NextToken parameter.');
    }
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const max = typeof input.MaxResults === 'number' ? input.MaxResults : DEFAULT_MAX_RESULTS;
  const slice = items.slice(start, start + max);
  const out: { items: T[]; NextToken?: string } = { items: slice };
  if (start + max < items.length && slice.length > 0) out.NextToken = Buffer.from(keyOf(slice[slice.length - 1]), 'utf8').toString('base64url');
  return out;
}

// ---------------------------------------------------------------------------
// Tags: 50 per resource (Organizations quotas), keys unique.

export const MAX_TAGS = 50;

/** The request's tags, read as IAM reads them. */
export { tagsOf } from '../iam/common.js';

export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const t of added) {
    if (seen.has(t.Key)) throw invalidInput('DUPLICATE_TAG_KEY', 'You provided duplicate tag keys.');
    seen.add(t.Key);
  }
  const out = existing.filter((t) => !seen.has(t.Key));
  out.push(...added);
  if (out.length > MAX_TAGS) throw constraint('MAX_TAG_LIMIT_EXCEEDED', 'You have exceeded the maximum number of tags allowed on this resource.');
  return out;
}

/** aws:RequestTag/… and aws:TagKeys, as IAM sets them. */
export { requestTagKeys } from '../iam/common.js';

export function resourceTagKeys(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[`aws:ResourceTag/${t.Key}`] = t.Value;
  return out;
}

// ---------------------------------------------------------------------------
// Who is calling: the caller's organization and role in it.

export interface CallerOrg {
  org: OrganizationDoc;
  /** The caller's account is the management account. */
  management: boolean;
  /** The caller's account is a delegated administrator for some service. */
  delegated: boolean;
}

export async function orgOfAccount(tx: ReadTx, accountId: string): Promise<OrganizationDoc | undefined> {
  const m = await tx.get<MemberDoc>(OKIND.account, ORG_ACCOUNT, accountId);
  if (!m) return undefined;
  return (await tx.get<OrganizationDoc>(OKIND.organization, ORG_ACCOUNT, m.data.OrgId))?.data;
}

/** The caller's organization, or undefined when its account belongs to none. */
export async function callerOrg(tx: ReadTx, ctx: CallContext): Promise<CallerOrg | undefined> {
  const account = ctx.caller.accountId;
  const org = await orgOfAccount(tx, account);
  if (!org) return undefined;
  const management = org.MasterAccountId === account;
  const delegated = !management && (await tx.count(OKIND.delegatedAdmin, ORG_ACCOUNT, { parent: account })) > 0;
  return { org, management, delegated };
}

/** The organization, for operations only the management account may call. */
export function requireManagement(c: CallerOrg | undefined): OrganizationDoc {
  if (!c) throw notInUse();
  if (!c.management) throw accessDenied();
  return c.org;
}

/**
 * For operations AWS lets the organization's delegation policy (PutResourcePolicy) open to member
 * accounts — the policy operations, tagging, and reads: the management account may; for reads a
 * registered delegated administrator may; otherwise the delegation policy must allow the caller
 * as a cross-account resource policy (the caller's own IAM policies were checked by `authorize`,
 * and are checked again here together with the delegation policy).
 */
export async function requireDelegable(
  tx: ReadTx, ctx: CallContext, c: CallerOrg | undefined, mode: 'read' | 'write',
  checks: readonly AuthzCheck[],
): Promise<OrganizationDoc> {
  if (!c) throw notInUse();
  if (c.management || (mode === 'read' && c.delegated)) return c.org;
  const rp = await tx.get<{ Arn: string; Content: string }>(OKIND.resourcePolicy, ORG_ACCOUNT, c.org.Id);
  if (!rp) throw accessDenied();
  for (const k of checks) {
    try {
      ctx.authorize(k.action, k.resource, k.extra, {
        resourcePolicy: { id: rp.data.Arn, document: rp.data.Content, kind: 'standard' }, resourceAccount: c.org.MasterAccountId,
      });
    } catch (e) {
      if (e instanceof AwsError && e.code === 'AccessDenied') throw accessDenied();
      throw e;
    }
  }
  return c.org;
}

/** The document stored under each kind of target (root, OU, account). */
export interface TargetDocs { 'org-root': RootDoc; 'org-ou': OuDoc; 'org-account': MemberDoc }

// AWS's not-found error for each kind of target.
const TARGET_NOT_FOUND: Record<keyof TargetDocs, () => AwsError> = {
  [OKIND.root]: rootNotFound, [OKIND.ou]: ouNotFound, [OKIND.account]: accountNotFound,
};

/**
 * A root, OU or account of `org` by id. One of another organization is as missing as one that
 * does not exist: AWS answers both with the not-found error of the kind asked for.
 */
export async function getTarget<K extends keyof TargetDocs>(tx: ReadTx, org: OrganizationDoc, kind: K, id: string): Promise<Entity<TargetDocs[K]>> {
  const e = await tx.get<TargetDocs[K]>(kind, ORG_ACCOUNT, id);
  if (!e || e.data.OrgId !== org.Id) throw TARGET_NOT_FOUND[kind]();
  return e;
}

/** Entities of a kind in the organization (all stored under account ''), filtered by OrgId. */
export async function listOrg<D extends { OrgId: string }>(tx: ReadTx, kind: string, orgId: string, parent?: string): Promise<Entity<D>[]> {
  return (await listAll<D>(tx, kind, ORG_ACCOUNT, parent)).filter((e) => e.data.OrgId === orgId);
}

/** Input members are read as IAM reads them. */
export { optStr, str } from '../iam/common.js';

/** AWS's timestamp format in documents (ISO 8601, seconds, UTC): IAM's `isoNow`. */
export { isoNow as iso } from '../iam/entities.js';
