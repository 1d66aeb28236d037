// The organization's tree: roots, OUs and accounts as targets of policies and parents of
// children; paths (`o-…/r-…/ou-…/`) as Organizations and the aws:*OrgPaths keys write them.
import type { Entity, ReadTx, Tx } from '../../store/index.js';
import {
  OKIND, ORG_ACCOUNT, authorize, callerOrg, defaultPolicyOf, getTarget, ouArn, accountArn, page, parentNotFound, requireDelegable,
  requireManagement, resourceTagKeys, rootArnOf, type AuthzCheck, type CallerOrg, type MemberDoc, type OrgAttachmentDoc, type OrganizationDoc, type OuDoc, type PolicyTypeName,
  type RootDoc, type TargetDocs,
} from './common.js';
import type { Tag } from '../iam/entities.js';
import { listAll } from '../iam/common.js';
import type { CallContext } from '../types.js';

export type TargetType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

export interface Target {
  type: TargetType;
  id: string;
  arn: string;
  name: string;
  parentId?: string;
  tags: Tag[];
  entity: Entity<RootDoc> | Entity<OuDoc> | Entity<MemberDoc>;
}

export function targetTypeOf(id: string): TargetType | undefined {
  if (/^r-/.test(id)) return 'ROOT';
  if (/^ou-/.test(id)) return 'ORGANIZATIONAL_UNIT';
  if (/^\d{12}$/.test(id)) return 'ACCOUNT';
  return undefined;
}

/** A root, OU or account of `org` by id, or undefined (also for another organization's). */
export async function findTarget(tx: ReadTx, org: OrganizationDoc, id: string): Promise<Target | undefined> {
  const type = targetTypeOf(id);
  if (type === 'ROOT') {
    const r = await tx.get<RootDoc>(OKIND.root, ORG_ACCOUNT, id);
    if (!r || r.data.OrgId !== org.Id) return undefined;
    return { type, id: r.data.Id, arn: r.data.Arn, name: r.data.Name, tags: r.data.Tags, entity: r };
  }
  if (type === 'ORGANIZATIONAL_UNIT') {
    const o = await tx.get<OuDoc>(OKIND.ou, ORG_ACCOUNT, id);
    if (!o || o.data.OrgId !== org.Id) return undefined;
    return { type, id: o.data.Id, arn: o.data.Arn, name: o.data.Name, parentId: o.data.ParentId, tags: o.data.Tags, entity: o };
  }
  if (type === 'ACCOUNT') {
    const a = await tx.get<MemberDoc>(OKIND.account, ORG_ACCOUNT, id);
    if (!a || a.data.OrgId !== org.Id) return undefined;
    return { type, id: a.data.Id, arn: a.data.Arn, name: a.data.Name, parentId: a.data.ParentId, tags: a.data.Tags, entity: a };
  }
  return undefined;
}

/** The ARN a target would have (for authorizing requests about targets that may not exist). */
export function targetArnFor(org: OrganizationDoc, id: string): string {
  const type = targetTypeOf(id);
  if (type === 'ROOT') return rootArnOf(org.MasterAccountId, org.Id, id);
  if (type === 'ORGANIZATIONAL_UNIT') return ouArn(org.MasterAccountId, org.Id, id);
  if (type === 'ACCOUNT') return accountArn(org.MasterAccountId, org.Id, id);
  return '*';
}

/**
 * Authorizes `action` on the root, OU or account `id`, with its tags as aws:ResourceTag keys.
 * It runs before the target is known to be the caller's organization's (AWS authorizes first),
 * so the tags are read from whatever is stored under the id.
 */
export async function authorizeTarget(
  tx: ReadTx, ctx: CallContext, c: CallerOrg | undefined, action: string, kind: keyof TargetDocs, id: string,
): Promise<AuthzCheck> {
  const existing = c ? await tx.get<TargetDocs[typeof kind]>(kind, ORG_ACCOUNT, id) : undefined;
  return authorize(ctx, action, c ? targetArnFor(c.org, id) : '*', resourceTagKeys(existing?.data.Tags));
}

/**
 * The caller's organization for a request whose resource is the root, OU or account `id` (with
 * `extra` condition keys): authorized on the ARN that target would have ('*' outside an
 * organization) before anything is looked up, then `requireDelegable`.
 */
export async function delegableOn(
  tx: ReadTx, ctx: CallContext, mode: 'read' | 'write', action: string, id: string, extra?: AuthzCheck['extra'],
): Promise<OrganizationDoc> {
  const c = await callerOrg(tx, ctx);
  const check = authorize(ctx, action, c ? targetArnFor(c.org, id) : '*', extra);
  return requireDelegable(tx, ctx, c, mode, [check]);
}

/**
 * The root, OU or account `id` of `kind` that a request is about: `authorizeTarget`, then the
 * caller must be the management account (`management`) or one `requireDelegable` lets read, then
 * the target must be in the caller's organization (`getTarget`).
 */
export async function requestTarget<K extends keyof TargetDocs>(
  tx: ReadTx, ctx: CallContext, mode: 'read' | 'management', action: string, kind: K, id: string,
): Promise<{ org: OrganizationDoc; target: Entity<TargetDocs[K]> }> {
  const c = await callerOrg(tx, ctx);
  const check = await authorizeTarget(tx, ctx, c, action, kind, id);
  const org = mode === 'management' ? requireManagement(c) : await requireDelegable(tx, ctx, c, 'read', [check]);
  return { org, target: await getTarget(tx, org, kind, id) };
}

/** A parent (root or OU) of `org`, or undefined. */
export async function findParent(tx: ReadTx, org: OrganizationDoc, id: string): Promise<Target | undefined> {
  const t = await findTarget(tx, org, id);
  return t && t.type !== 'ACCOUNT' ? t : undefined;
}

/**
 * One page (`input`'s MaxResults and NextToken) of the accounts or OUs directly under the root or
 * OU `parentId`, for ListAccountsForParent, ListOrganizationalUnitsForParent and ListChildren:
 * authorized on the parent (`delegableOn`, read), which must be in the caller's organization.
 */
export async function childrenPage<K extends typeof OKIND.account | typeof OKIND.ou>(
  tx: ReadTx, ctx: CallContext, action: string, parentId: string, kind: K, input: Record<string, unknown>,
): Promise<{ org: OrganizationDoc; items: Entity<TargetDocs[K]>[]; NextToken?: string }> {
  const org = await delegableOn(tx, ctx, 'read', action, parentId);
  if (!(await findParent(tx, org, parentId))) throw parentNotFound();
  const p = page(await listAll<TargetDocs[K]>(tx, kind, ORG_ACCOUNT, parentId), (e) => e.key, input);
  return { org, ...p };
}

/** `o-…/r-…/ou-…/…/` down to and including the parent `parentId`. */
export async function pathOf(tx: ReadTx, org: OrganizationDoc, parentId: string): Promise<string> {
  const chain: string[] = [];
  let id: string | undefined = parentId;
  for (let i = 0; id !== undefined && i < 10; i++) {
    chain.unshift(id);
    if (id.startsWith('r-')) break;
    id = (await tx.get<OuDoc>(OKIND.ou, ORG_ACCOUNT, id))?.data.ParentId;
  }
  return `${org.Id}/${chain.join('/')}/`;
}

/** OU depth of a parent: 0 for the root, 1 for an OU directly under it, … */
export async function depthOf(tx: ReadTx, parentId: string): Promise<number> {
  let d = 0;
  let id: string | undefined = parentId;
  while (id !== undefined && id.startsWith('ou-') && d < 10) {
    d++;
    id = (await tx.get<OuDoc>(OKIND.ou, ORG_ACCOUNT, id))?.data.ParentId;
  }
  return d;
}

/** The enabled policy types of the organization's root. */
export async function enabledTypes(tx: ReadTx, org: OrganizationDoc): Promise<Set<PolicyTypeName>> {
  const r = await tx.get<RootDoc>(OKIND.root, ORG_ACCOUNT, org.RootId);
  return new Set((r?.data.PolicyTypes ?? []).filter((t) => t.Status === 'ENABLED').map((t) => t.Type));
}

// ---------------------------------------------------------------------------
// Attachments (both directions, one transaction).

export async function attach(tx: Tx, org: OrganizationDoc, policyId: string, policyType: PolicyTypeName, targetId: string, targetType: TargetType): Promise<boolean> {
  if (await tx.get(OKIND.attachment, ORG_ACCOUNT, `${targetId}|${policyId}`)) return false;
  const data: OrgAttachmentDoc = { OrgId: org.Id, PolicyId: policyId, PolicyType: policyType, TargetId: targetId, TargetType: targetType };
  await tx.insert({ kind: OKIND.attachment, account: ORG_ACCOUNT, key: `${targetId}|${policyId}`, parent: targetId, data });
  await tx.insert({ kind: OKIND.policyTarget, account: ORG_ACCOUNT, key: `${policyId}|${targetId}`, parent: `${org.Id}/${policyId}`, data });
  return true;
}

export async function detach(tx: Tx, policyId: string, targetId: string): Promise<boolean> {
  const existed = await tx.delete(OKIND.attachment, ORG_ACCOUNT, `${targetId}|${policyId}`);
  await tx.delete(OKIND.policyTarget, ORG_ACCOUNT, `${policyId}|${targetId}`);
  return existed;
}

/** Detaches every policy from a target (when it leaves the organization or is deleted). */
export async function detachAll(tx: Tx, targetId: string): Promise<void> {
  for (const a of await tx.list<OrgAttachmentDoc>(OKIND.attachment, ORG_ACCOUNT, { parent: targetId })) {
    await detach(tx, a.data.PolicyId, a.data.TargetId);
  }
}

/** Attaches the default AWS managed policy of each enabled type to a new OU or account, as AWS does. */
export async function attachDefaults(tx: Tx, org: OrganizationDoc, targetId: string, targetType: TargetType): Promise<void> {
  for (const t of await enabledTypes(tx, org)) {
    const d = defaultPolicyOf(t);
    if (d) await attach(tx, org, d.Id, d.Type, targetId, targetType);
  }
}
