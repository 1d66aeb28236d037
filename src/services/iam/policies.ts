// IAM managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies, policy versions
// (Create/Get/Delete/List, SetDefaultPolicyVersion), policy tags, attaching them to users,
// groups and roles (Attach*/Detach*/ListAttached*Policies) and ListEntitiesForPolicy.
// Each operation authorizes itself with the action and resource ARN of the Service
// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
//
// AWS managed policies (arn:aws:iam::aws:policy/…) come from the catalog in managed-policies/;
// only their default version is known. Customer managed policies keep AttachmentCount in their
// document; PermissionsBoundaryUsageCount is computed when read (users.ts and roles.ts set
// boundaries without touching the policy).
import type { Entity, ReadTx, Tx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext, OperationHandler, OperationTable } from '../types.js';
import {
  POLICY_LIMITS, checkPolicyDocument, deleteConflict, encodePolicyDocument, entityAlreadyExists, iamError, invalidInput,
  limitExceeded, listAll, matchesPathPrefix, mergeTags, noSuchEntity, optStr, paginate, removeTags, requestTagKeys,
  resourceTagKeys, str, tagsOf,
} from './common.js';
import {
  KIND, iamArn, isoNow, newId, ownerKey, type AttachmentDoc, type GroupDoc, type ManagedPolicyDoc, type OwnerType,
  type PolicyVersionDoc, type RoleDoc, type Tag, type UserDoc,
} from './entities.js';
import { getAwsManagedPolicy, loadAwsManagedPolicies, type AwsManagedPolicy } from './managed-policies/index.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_POLICIES = 1500;
export const MAX_POLICY_VERSIONS = 5;
export const MAX_ATTACHED_POLICIES = 10;

// ---------------------------------------------------------------------------
// Policy ARNs and lookups.

interface ParsedPolicyArn { account: string; path: string; name: string }

/** `arn:aws:iam::123456789012:policy/path/Name` or `arn:aws:iam::aws:policy/…`; InvalidInput otherwise. */
export function parsePolicyArn(arn: string): ParsedPolicyArn {
  const m = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[^/]+\/)*)([^/]+)$/.exec(arn);
  if (!m) throw invalidInput(`ARN ${arn} is not valid.`);
  return { account: m[1], path: m[2], name: m[3] };
}

/** A managed policy: customer managed (in this account) or AWS managed. */
type PolicyRef =
  | { type: 'customer'; arn: string; name: string; path: string; entity: Entity<ManagedPolicyDoc> }
  | { type: 'aws'; arn: string; name: string; path: string; aws: AwsManagedPolicy };

async function findPolicy(tx: Pick<ReadTx, 'get'>, account: string, arn: string): Promise<PolicyRef | undefined> {
  const parsed = parsePolicyArn(arn);
  if (parsed.account === 'aws') {
    const aws = getAwsManagedPolicy(arn);
    return aws ? { type: 'aws', arn, name: aws.PolicyName, path: aws.Path, aws } : undefined;
  }
  if (parsed.account !== account) return undefined;
  const p = await tx.get<ManagedPolicyDoc>(KIND.policy, account, parsed.name);
  if (!p || p.data.Arn !== arn) return undefined;
  return { type: 'customer', arn, name: p.data.PolicyName, path: p.data.Path, entity: p };
}

const policyNotFound = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);
const notAttachable = (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
const versionNotFound = (arn: string, v: string) => noSuchEntity(`Policy ${arn} version ${v} does not exist or is not attachable.`);

/** Looks a policy up, authorizes `action` on its ARN, then throws NoSuchEntity if it is missing. */
async function authorizedPolicy(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, arn: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<PolicyRef> {
  parsePolicyArn(arn);
  const ref = await findPolicy(tx, ctx.caller.accountId, arn);
  ctx.authorize(action, arn, { ...(ref?.type === 'customer' ? resourceTagKeys(ref.entity.data.Tags) : {}), ...extra });
  if (!ref) throw policyNotFound(arn);
  return ref;
}

/** The customer managed policy an operation modifies; AWS managed ones cannot be modified. */
async function authorizedCustomerPolicy(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, arn: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<Extract<PolicyRef, { type: 'customer' }>> {
  const ref = await authorizedPolicy(ctx, tx, arn, action, extra);
  if (ref.type !== 'customer') throw policyNotFound(arn);
  return ref;
}

// ---------------------------------------------------------------------------
// Usage counts.

/** How many users and roles use each policy ARN as their permissions boundary. */
export async function boundaryUsage(tx: ReadTx, account: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const users = await listAll<UserDoc>(tx, KIND.user, account);
  const roles = await listAll<RoleDoc>(tx, KIND.role, account);
  for (const e of [...users, ...roles]) {
    const arn = e.data.PermissionsBoundary?.PermissionsBoundaryArn;
    if (arn) out.set(arn, (out.get(arn) ?? 0) + 1);
  }
  return out;
}

/** How many users, groups and roles each policy ARN is attached to. */
async function attachmentCounts(tx: ReadTx, account: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const a of await listAll<AttachmentDoc>(tx, KIND.policyAttachment, account)) {
    out.set(a.data.PolicyArn, (out.get(a.data.PolicyArn) ?? 0) + 1);
  }
  return out;
}

/** Recounts a customer managed policy's attachments into its document (inside the write). */
async function refreshAttachmentCount(tx: Tx, account: string, ref: PolicyRef): Promise<void> {
  if (ref.type !== 'customer') return;
  const p = await tx.get<ManagedPolicyDoc>(KIND.policy, account, ref.entity.key);
  if (!p) return;
  const n = await tx.count(KIND.policyAttachment, account, { parent: ref.arn });
  await tx.update({ kind: KIND.policy, account, key: p.key, data: { ...p.data, AttachmentCount: n } });
}

// ---------------------------------------------------------------------------
// Outputs.

/** AWS's timestamp format (the catalog has milliseconds). */
function awsDate(d: string | undefined): string | undefined {
  return d?.replace(/\.\d{3}Z$/, 'Z');
}

/** A policy as output shapes show it; listing omits Description and Tags, as AWS does. */
function policyOutput(ref: PolicyRef, attachments: number, boundaries: number, full: boolean): Record<string, unknown> {
  if (ref.type === 'customer') return customerPolicyOutput(ref.entity.data, attachments, boundaries, full);
  const a = ref.aws;
  const out: Record<string, unknown> = {
    PolicyName: a.PolicyName, PolicyId: a.PolicyId, Arn: a.Arn, Path: a.Path, DefaultVersionId: a.DefaultVersionId,
    AttachmentCount: attachments, PermissionsBoundaryUsageCount: boundaries, IsAttachable: true,
  };
  if (full && a.Description !== undefined) out.Description = a.Description;
  if (a.CreateDate) out.CreateDate = awsDate(a.CreateDate);
  if (a.UpdateDate) out.UpdateDate = awsDate(a.UpdateDate);
  return out;
}

function customerPolicyOutput(d: ManagedPolicyDoc, attachments: number, boundaries: number, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    PolicyName: d.PolicyName, PolicyId: d.PolicyId, Arn: d.Arn, Path: d.Path, DefaultVersionId: d.DefaultVersionId,
    AttachmentCount: attachments, PermissionsBoundaryUsageCount: boundaries, IsAttachable: d.IsAttachable,
    CreateDate: d.CreateDate, UpdateDate: d.UpdateDate,
  };
  if (full && d.Description !== undefined) out.Description = d.Description;
  if (full && d.Tags.length > 0) out.Tags = d.Tags;
  return out;
}

function versionOutput(v: PolicyVersionDoc, withDocument: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate };
  if (withDocument) out.Document = encodePolicyDocument(v.Document);
  return out;
}

function awsVersion(a: AwsManagedPolicy): PolicyVersionDoc {
  return {
    PolicyArn: a.Arn, VersionId: a.DefaultVersionId, Document: a.Document, IsDefaultVersion: true,
    CreateDate: awsDate(a.DefaultVersionCreateDate ?? a.UpdateDate ?? a.CreateDate) ?? '',
  };
}

function versionNumber(v: string): number {
  return Number(v.slice(1));
}

async function versionsOf(tx: ReadTx, account: string, ref: Extract<PolicyRef, { type: 'customer' }>): Promise<Entity<PolicyVersionDoc>[]> {
  const all = await listAll<PolicyVersionDoc>(tx, KIND.policyVersion, account, ref.entity.key);
  return all.sort((a, b) => versionNumber(a.data.VersionId) - versionNumber(b.data.VersionId));
}

// ---------------------------------------------------------------------------
// Owners of attachments (and of inline policies, see inline-policies.ts): users, groups, roles.

export interface Owner {
  type: OwnerType;
  /** Display name as stored. */
  name: string;
  /** ownerKey(type, name). */
  key: string;
  arn: string;
  path: string;
  id: string;
  tags: Tag[];
  /** For service-linked roles: the service that owns the role. */
  serviceLinked?: string;
}

const OWNER_LABEL: Record<OwnerType, { member: string; title: string; kind: string }> = {
  user: { member: 'UserName', title: 'User', kind: KIND.user },
  group: { member: 'GroupName', title: 'Group', kind: KIND.group },
  role: { member: 'RoleName', title: 'Role', kind: KIND.role },
};

/** The input member naming the owner: UserName, GroupName or RoleName. */
export function ownerNameOf(type: OwnerType, input: Record<string, unknown>): string {
  return str(input, OWNER_LABEL[type].member);
}

export async function findOwner(tx: Pick<ReadTx, 'get'>, account: string, type: OwnerType, name: string): Promise<Owner | undefined> {
  const e = await tx.get<Record<string, unknown>>(OWNER_LABEL[type].kind, account, name);
  if (!e) return undefined;
  if (type === 'user') {
    const d = e.data as unknown as UserDoc;
    return { type, name: d.UserName, key: ownerKey(type, d.UserName), arn: d.Arn, path: d.Path, id: d.UserId, tags: d.Tags ?? [] };
  }
  if (type === 'group') {
    const d = e.data as unknown as GroupDoc;
    return { type, name: d.GroupName, key: ownerKey(type, d.GroupName), arn: d.Arn, path: d.Path, id: d.GroupId, tags: [] };
  }
  const d = e.data as unknown as RoleDoc;
  const o: Owner = { type, name: d.RoleName, key: ownerKey(type, d.RoleName), arn: d.Arn, path: d.Path, id: d.RoleId, tags: d.Tags ?? [] };
  if (d.ServiceLinked) o.serviceLinked = d.ServiceLinked;
  return o;
}

export function ownerNotFound(type: OwnerType, name: string) {
  return noSuchEntity(`The ${type} with name ${name} cannot be found.`);
}

/**
 * Looks the owner up, authorizes `action` on its ARN (on the ARN it would have at path `/` when
 * it does not exist) with its tags and `extra`, then throws NoSuchEntity if it is missing.
 */
export async function authorizedOwner(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, type: OwnerType, name: string, action: string,
  extra: Record<string, ContextValue | undefined> = {},
): Promise<Owner> {
  const account = ctx.caller.accountId;
  const o = await findOwner(tx, account, type, name);
  ctx.authorize(action, o ? o.arn : iamArn(account, type, '/', name), { ...resourceTagKeys(o?.tags), ...extra });
  if (!o) throw ownerNotFound(type, name);
  return o;
}

/** Service-linked roles are changed only by their service. */
export function checkModifiable(o: Owner): void {
  if (o.serviceLinked) {
    throw iamError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${o.name}' - this role is only modifiable by AWS`);
  }
}

// ---------------------------------------------------------------------------
// Attach / Detach / ListAttached*Policies, one handler per owner type.

function attachPolicy(type: OwnerType): OperationHandler {
  const title = OWNER_LABEL[type].title;
  return async (ctx, input) => {
    const name = ownerNameOf(type, input);
    const arn = str(input, 'PolicyArn');
    const account = ctx.caller.accountId;
    parsePolicyArn(arn);
    return ctx.store.transaction(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, name, `iam:Attach${title}Policy`, { 'iam:PolicyARN': arn });
      checkModifiable(owner);
      const ref = await findPolicy(tx, account, arn);
      if (!ref || (ref.type === 'customer' && !ref.entity.data.IsAttachable)) throw notAttachable(arn);
      // Service role policies belong on service-linked roles only.
      if (ref.type === 'aws' && ref.path === '/aws-service-role/' && !owner.serviceLinked) {
        throw iamError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.');
      }
      // Attaching again succeeds and changes nothing, as in AWS.
      if (await tx.get(KIND.attachment, account, `${owner.key}|${arn}`)) return undefined;
      if ((await tx.count(KIND.attachment, account, { parent: owner.key })) >= MAX_ATTACHED_POLICIES) {
        throw limitExceeded(`Cannot exceed quota for PoliciesPer${title}: ${MAX_ATTACHED_POLICIES}`);
      }
      const data: AttachmentDoc = { OwnerType: type, OwnerName: owner.name, PolicyArn: arn, PolicyName: ref.name };
      await tx.insert({ kind: KIND.attachment, account, key: `${owner.key}|${arn}`, parent: owner.key, data });
      await tx.insert({ kind: KIND.policyAttachment, account, key: `${arn}|${owner.key}`, parent: arn, data });
      await refreshAttachmentCount(tx, account, ref);
      return undefined;
    });
  };
}

function detachPolicy(type: OwnerType): OperationHandler {
  const title = OWNER_LABEL[type].title;
  return async (ctx, input) => {
    const name = ownerNameOf(type, input);
    const arn = str(input, 'PolicyArn');
    const account = ctx.caller.accountId;
    parsePolicyArn(arn);
    return ctx.store.transaction(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, name, `iam:Detach${title}Policy`, { 'iam:PolicyARN': arn });
      checkModifiable(owner);
      const a = await tx.get<AttachmentDoc>(KIND.attachment, account, `${owner.key}|${arn}`);
      if (!a || a.data.PolicyArn !== arn) throw policyNotFound(arn);
      await tx.delete(KIND.attachment, account, a.key);
      await tx.delete(KIND.policyAttachment, account, `${arn}|${owner.key}`);
      const ref = await findPolicy(tx, account, arn);
      if (ref) await refreshAttachmentCount(tx, account, ref);
      return undefined;
    });
  };
}

function listAttachedPolicies(type: OwnerType): OperationHandler {
  const title = OWNER_LABEL[type].title;
  return async (ctx, input) => {
    const name = ownerNameOf(type, input);
    const account = ctx.caller.accountId;
    const attached = await ctx.store.read(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, name, `iam:ListAttached${title}Policies`);
      return listAll<AttachmentDoc>(tx, KIND.attachment, account, owner.key);
    });
    const filtered = attached.filter((a) => {
      const m = /:policy(\/(?:[^/]+\/)*)[^/]+$/.exec(a.data.PolicyArn);
      return matchesPathPrefix(m ? m[1] : '/', input);
    });
    const page = paginate(filtered, (a) => a.key, input);
    return {
      AttachedPolicies: page.items.map((a) => ({ PolicyName: a.data.PolicyName, PolicyArn: a.data.PolicyArn })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  };
}

// ---------------------------------------------------------------------------

export const policyOperations: OperationTable = {
  async CreatePolicy(ctx, input) {
    const name = str(input, 'PolicyName');
    const path = optStr(input, 'Path') || '/';
    const text = str(input, 'PolicyDocument');
    const description = optStr(input, 'Description');
    const tags = tagsOf(input);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'policy', path, name);
    ctx.authorize('iam:CreatePolicy', arn, requestTagKeys(tags));
    if (tags.length > 0) ctx.authorize('iam:TagPolicy', arn, requestTagKeys(tags));
    checkPolicyDocument(text, 'identity', POLICY_LIMITS.managed, 'Policy');
    const now = isoNow(ctx.now);
    const doc: ManagedPolicyDoc = {
      PolicyName: name, PolicyId: newId('ANPA'), Arn: arn, Path: path, DefaultVersionId: 'v1',
      AttachmentCount: 0, PermissionsBoundaryUsageCount: 0, IsAttachable: true,
      CreateDate: now, UpdateDate: now, Tags: mergeTags([], tags), NextVersion: 2,
    };
    if (description !== undefined) doc.Description = description;
    const version: PolicyVersionDoc = { PolicyArn: arn, VersionId: 'v1', Document: text, IsDefaultVersion: true, CreateDate: now };
    return ctx.store.transaction(async (tx) => {
      const exists = () => entityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
      if (await tx.get(KIND.policy, account, name)) throw exists();
      if ((await tx.count(KIND.policy, account)) >= MAX_POLICIES) throw limitExceeded(`Cannot exceed quota for PoliciesPerAccount: ${MAX_POLICIES}`);
      try {
        await tx.insert({ kind: KIND.policy, account, key: name, id: doc.PolicyId, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw exists();
        throw e;
      }
      // Stale versions of a deleted policy of the same name cannot exist: DeletePolicy removes them.
      await tx.insert({ kind: KIND.policyVersion, account, key: `${name}|v1`, parent: name, data: version });
      const out = customerPolicyOutput(doc, 0, 0, false);
      if (doc.Tags.length > 0) out.Tags = doc.Tags;
      return { Policy: out };
    });
  },

  async GetPolicy(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const account = ctx.caller.accountId;
    return ctx.store.read(async (tx) => {
      const ref = await authorizedPolicy(ctx, tx, arn, 'iam:GetPolicy');
      const attachments = await tx.count(KIND.policyAttachment, account, { parent: arn });
      const boundaries = (await boundaryUsage(tx, account)).get(arn) ?? 0;
      return { Policy: policyOutput(ref, attachments, boundaries, true) };
    });
  },

  async ListPolicies(ctx, input) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListPolicies', `arn:aws:iam::${account}:policy/`);
    const scope = optStr(input, 'Scope') ?? 'All';
    const onlyAttached = input.OnlyAttached === true;
    const usage = optStr(input, 'PolicyUsageFilter');
    const { local, attachments, boundaries } = await ctx.store.read(async (tx) => ({
      local: scope === 'AWS' ? [] : await listAll<ManagedPolicyDoc>(tx, KIND.policy, account),
      attachments: await attachmentCounts(tx, account),
      boundaries: await boundaryUsage(tx, account),
    }));
    const refs: PolicyRef[] = [];
    for (const p of local) refs.push({ type: 'customer', arn: p.data.Arn, name: p.data.PolicyName, path: p.data.Path, entity: p });
    if (scope !== 'Local') {
      for (const a of loadAwsManagedPolicies().list) refs.push({ type: 'aws', arn: a.Arn, name: a.PolicyName, path: a.Path, aws: a });
    }
    const selected = refs.filter((r) => {
      if (!matchesPathPrefix(r.path, input)) return false;
      const attached = attachments.get(r.arn) ?? 0;
      const bounding = boundaries.get(r.arn) ?? 0;
      if (usage === 'PermissionsBoundary') return bounding > 0;
      if (onlyAttached) return usage === 'PermissionsPolicy' ? attached > 0 : attached > 0 || bounding > 0;
      return true;
    });
    // Customer managed first (their ARNs name the account), then AWS managed; each by ARN.
    const sortKey = (r: PolicyRef) => r.arn.toLowerCase();
    selected.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    const page = paginate(selected, sortKey, input);
    return {
      Policies: page.items.map((r) => policyOutput(r, attachments.get(r.arn) ?? 0, boundaries.get(r.arn) ?? 0, false)),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },

  async DeletePolicy(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const ref = await authorizedCustomerPolicy(ctx, tx, arn, 'iam:DeletePolicy');
      // A policy in use as a permissions boundary is attached too: deleting it would silently
      // lift the boundary.
      if ((await tx.count(KIND.policyAttachment, account, { parent: arn })) > 0 || ((await boundaryUsage(tx, account)).get(arn) ?? 0) > 0) {
        throw deleteConflict('Cannot delete a policy attached to entities.');
      }
      if ((await tx.count(KIND.policyVersion, account, { parent: ref.entity.key })) > 1) {
        throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
      }
      await tx.deleteChildren(KIND.policyVersion, account, ref.entity.key);
      await tx.delete(KIND.policy, account, ref.entity.key);
      return undefined;
    });
  },

  async CreatePolicyVersion(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const text = str(input, 'PolicyDocument');
    const setAsDefault = input.SetAsDefault === true;
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const ref = await authorizedCustomerPolicy(ctx, tx, arn, 'iam:CreatePolicyVersion');
      checkPolicyDocument(text, 'identity', POLICY_LIMITS.managed, 'Policy');
      const versions = await versionsOf(tx, account, ref);
      if (versions.length >= MAX_POLICY_VERSIONS) {
        throw limitExceeded(`A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
      }
      const p = ref.entity.data;
      const now = isoNow(ctx.now);
      const versionId = `v${p.NextVersion}`;
      const v: PolicyVersionDoc = { PolicyArn: arn, VersionId: versionId, Document: text, IsDefaultVersion: setAsDefault, CreateDate: now };
      if (setAsDefault) {
        for (const old of versions) {
          if (old.data.IsDefaultVersion) {
            await tx.update({ kind: KIND.policyVersion, account, key: old.key, data: { ...old.data, IsDefaultVersion: false } });
          }
        }
      }
      await tx.insert({ kind: KIND.policyVersion, account, key: `${p.PolicyName}|${versionId}`, parent: ref.entity.key, data: v });
      const doc: ManagedPolicyDoc = { ...p, NextVersion: p.NextVersion + 1, UpdateDate: now };
      if (setAsDefault) doc.DefaultVersionId = versionId;
      await tx.update({ kind: KIND.policy, account, key: ref.entity.key, data: doc });
      return { PolicyVersion: versionOutput(v, false) };
    });
  },

  async GetPolicyVersion(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const versionId = str(input, 'VersionId');
    const account = ctx.caller.accountId;
    return ctx.store.read(async (tx) => {
      const ref = await authorizedPolicy(ctx, tx, arn, 'iam:GetPolicyVersion');
      if (ref.type === 'aws') {
        if (ref.aws.DefaultVersionId !== versionId) throw versionNotFound(arn, versionId);
        return { PolicyVersion: versionOutput(awsVersion(ref.aws), true) };
      }
      const v = await tx.get<PolicyVersionDoc>(KIND.policyVersion, account, `${ref.entity.key}|${versionId}`);
      if (!v || v.data.VersionId !== versionId) throw versionNotFound(arn, versionId);
      return { PolicyVersion: versionOutput(v.data, true) };
    });
  },

  async ListPolicyVersions(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const account = ctx.caller.accountId;
    const versions = await ctx.store.read(async (tx) => {
      const ref = await authorizedPolicy(ctx, tx, arn, 'iam:ListPolicyVersions');
      if (ref.type === 'aws') return [awsVersion(ref.aws)];
      return (await versionsOf(tx, account, ref)).map((v) => v.data);
    });
    // Newest first, as AWS lists them; markers are zero-padded reversed version numbers.
    versions.reverse();
    const keyOf = (v: PolicyVersionDoc) => String(1e9 - versionNumber(v.VersionId)).padStart(10, '0');
    const page = paginate(versions, keyOf, input);
    return { Versions: page.items.map((v) => versionOutput(v, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async DeletePolicyVersion(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const versionId = str(input, 'VersionId');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const ref = await authorizedCustomerPolicy(ctx, tx, arn, 'iam:DeletePolicyVersion');
      const v = await tx.get<PolicyVersionDoc>(KIND.policyVersion, account, `${ref.entity.key}|${versionId}`);
      if (!v || v.data.VersionId !== versionId) throw versionNotFound(arn, versionId);
      if (v.data.IsDefaultVersion) throw deleteConflict('Cannot delete the default version of a policy.');
      await tx.delete(KIND.policyVersion, account, v.key);
      return undefined;
    });
  },

  async SetDefaultPolicyVersion(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const versionId = str(input, 'VersionId');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const ref = await authorizedCustomerPolicy(ctx, tx, arn, 'iam:SetDefaultPolicyVersion');
      const versions = await versionsOf(tx, account, ref);
      const target = versions.find((v) => v.data.VersionId === versionId);
      if (!target) throw versionNotFound(arn, versionId);
      for (const v of versions) {
        const isDefault = v === target;
        if (v.data.IsDefaultVersion !== isDefault) {
          await tx.update({ kind: KIND.policyVersion, account, key: v.key, data: { ...v.data, IsDefaultVersion: isDefault } });
        }
      }
      await tx.update({ kind: KIND.policy, account, key: ref.entity.key, data: { ...ref.entity.data, DefaultVersionId: versionId } });
      return undefined;
    });
  },

  async TagPolicy(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const tags = tagsOf(input);
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const ref = await authorizedCustomerPolicy(ctx, tx, arn, 'iam:TagPolicy', requestTagKeys(tags));
      const p = ref.entity.data;
      await tx.update({ kind: KIND.policy, account, key: ref.entity.key, data: { ...p, Tags: mergeTags(p.Tags, tags) } });
      return undefined;
    });
  },

  async UntagPolicy(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const keys = (input.TagKeys as string[] | undefined) ?? [];
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const ref = await authorizedCustomerPolicy(ctx, tx, arn, 'iam:UntagPolicy', { 'aws:TagKeys': keys });
      const p = ref.entity.data;
      await tx.update({ kind: KIND.policy, account, key: ref.entity.key, data: { ...p, Tags: removeTags(p.Tags, keys) } });
      return undefined;
    });
  },

  async ListPolicyTags(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const ref = await ctx.store.read((tx) => authorizedCustomerPolicy(ctx, tx, arn, 'iam:ListPolicyTags'));
    const page = paginate(ref.entity.data.Tags, (t) => t.Key.toLowerCase(), input);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  AttachUserPolicy: attachPolicy('user'),
  AttachGroupPolicy: attachPolicy('group'),
  AttachRolePolicy: attachPolicy('role'),
  DetachUserPolicy: detachPolicy('user'),
  DetachGroupPolicy: detachPolicy('group'),
  DetachRolePolicy: detachPolicy('role'),
  ListAttachedUserPolicies: listAttachedPolicies('user'),
  ListAttachedGroupPolicies: listAttachedPolicies('group'),
  ListAttachedRolePolicies: listAttachedPolicies('role'),

  async ListEntitiesForPolicy(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const filter = optStr(input, 'EntityFilter');
    const usage = optStr(input, 'PolicyUsageFilter');
    const account = ctx.caller.accountId;
    const wanted = (t: OwnerType) => filter === undefined || filter.toLowerCase() === t;
    const owners = await ctx.store.read(async (tx) => {
      await authorizedPolicy(ctx, tx, arn, 'iam:ListEntitiesForPolicy');
      const found = new Map<string, Owner>();
      if (usage !== 'PermissionsBoundary') {
        for (const a of await listAll<AttachmentDoc>(tx, KIND.policyAttachment, account, arn)) {
          if (a.data.PolicyArn !== arn || !wanted(a.data.OwnerType)) continue;
          const o = await findOwner(tx, account, a.data.OwnerType, a.data.OwnerName);
          if (o) found.set(o.key, o);
        }
      }
      if (usage !== 'PermissionsPolicy') {
        for (const type of ['user', 'role'] as const) {
          if (!wanted(type)) continue;
          for (const e of await listAll<UserDoc | RoleDoc>(tx, OWNER_LABEL[type].kind, account)) {
            if (e.data.PermissionsBoundary?.PermissionsBoundaryArn !== arn) continue;
            const o = await findOwner(tx, account, type, type === 'user' ? (e.data as UserDoc).UserName : (e.data as RoleDoc).RoleName);
            if (o) found.set(o.key, o);
          }
        }
      }
      return [...found.values()];
    });
    const selected = owners.filter((o) => matchesPathPrefix(o.path, input)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = paginate(selected, (o) => o.key, input);
    const pick = (t: OwnerType) => page.items.filter((o) => o.type === t);
    return {
      PolicyGroups: pick('group').map((o) => ({ GroupName: o.name, GroupId: o.id })),
      PolicyUsers: pick('user').map((o) => ({ UserName: o.name, UserId: o.id })),
      PolicyRoles: pick('role').map((o) => ({ RoleName: o.name, RoleId: o.id })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};
