// What roles and instance profiles share: their output shapes, lookups and the instance profile
// document. Kept apart from roles.ts and instance-profiles.ts so that neither imports the other.
import type { Entity, ReadTx } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext } from '../types.js';
import { encodePolicyDocument, iamError, listAll, noSuchEntity, resourceTagKeys } from './common.js';
import { KIND, type RoleDoc, type Tag } from './entities.js';

/**
 * An instance profile: KIND.instanceProfile, key = name, id = AIPA…. Its role (at most one, as
 * AWS allows) is kept by name in `Roles`; roles cannot be renamed, and a role cannot be deleted
 * while it is in a profile, so the names stay valid.
 */
export interface InstanceProfileDoc {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  /** Role names (display case). */
  Roles: string[];
  Tags: Tag[];
}

/**
 * A role as output shapes show it. GetRole/CreateRole show everything; ListRoles (and the roles
 * inside instance profiles) omit Tags, PermissionsBoundary and RoleLastUsed, as AWS does.
 */
export function roleOutput(d: RoleDoc, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Path: d.Path, RoleName: d.RoleName, RoleId: d.RoleId, Arn: d.Arn, CreateDate: d.CreateDate,
    AssumeRolePolicyDocument: encodePolicyDocument(d.AssumeRolePolicyDocument),
  };
  if (d.Description !== undefined) out.Description = d.Description;
  out.MaxSessionDuration = d.MaxSessionDuration;
  if (full) {
    if (d.PermissionsBoundary) out.PermissionsBoundary = d.PermissionsBoundary;
    if (d.Tags.length > 0) out.Tags = d.Tags;
    out.RoleLastUsed = d.RoleLastUsed ?? {};
  }
  return out;
}

export function noSuchRole(name: string) {
  return noSuchEntity(`The role with name ${name} cannot be found.`);
}

export async function getRoleEntity(tx: Pick<ReadTx, 'get'>, account: string, name: string): Promise<Entity<RoleDoc>> {
  const r = await tx.get<RoleDoc>(KIND.role, account, name);
  if (!r) throw noSuchRole(name);
  return r;
}

/** The role (NoSuchEntity when missing), once `action` is authorized on it with its tags and `extra`. */
export async function authorizedRole(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, name: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<Entity<RoleDoc>> {
  const r = await getRoleEntity(tx, ctx.caller.accountId, name);
  ctx.authorize(action, r.data.Arn, { ...resourceTagKeys(r.data.Tags), ...extra });
  return r;
}

/** Service-linked roles are changed only by their service (and DeleteServiceLinkedRole). */
export function assertModifiable(d: RoleDoc): void {
  if (d.ServiceLinked !== undefined) {
    throw iamError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${d.RoleName}' - this role is only modifiable by AWS`);
  }
}

/** The instance profiles that hold a role (a scan: profiles are few, at most 1,000). */
export async function instanceProfilesOfRole(tx: ReadTx, account: string, roleName: string): Promise<Entity<InstanceProfileDoc>[]> {
  const lower = roleName.toLowerCase();
  const all = await listAll<InstanceProfileDoc>(tx, KIND.instanceProfile, account);
  return all.filter((p) => p.data.Roles.some((r) => r.toLowerCase() === lower));
}

/** An instance profile as output shapes show it, with its roles as they are now. */
export async function instanceProfileOutput(tx: ReadTx, account: string, d: InstanceProfileDoc, full: boolean): Promise<Record<string, unknown>> {
  const roles: Record<string, unknown>[] = [];
  for (const name of d.Roles) {
    const r = await tx.get<RoleDoc>(KIND.role, account, name);
    if (r) roles.push(roleOutput(r.data, false));
  }
  const out: Record<string, unknown> = {
    Path: d.Path, InstanceProfileName: d.InstanceProfileName, InstanceProfileId: d.InstanceProfileId, Arn: d.Arn,
    CreateDate: d.CreateDate, Roles: roles,
  };
  if (full && d.Tags.length > 0) out.Tags = d.Tags;
  return out;
}
