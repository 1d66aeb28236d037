// The owners of attached managed policies and of inline policies (inline-policies.ts): users,
// groups and roles, looked up and authorized alike.
import type { ReadTx, Tx } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext } from '../types.js';
import { deleteConflict, entityAlreadyExists, iamError, noSuchEntity, resourceTagKeys, str } from './common.js';
import { KIND, iamArn, ownerKey, type GroupDoc, type OwnerType, type RoleDoc, type Tag, type UserDoc } from './entities.js';

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

export const OWNER_LABEL: Record<OwnerType, { member: string; title: string; kind: string }> = {
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

/** A kind of entity kept under an owner (parent = ownerKey(type, name)) that must go before the owner can. */
export interface OwnerChild { kind: string; what: string }

/**
 * Deletes a user or group (DeleteUser, DeleteGroup) — DeleteConflict `Cannot delete entity, <what>.`
 * for the first kind of `children` it still has.
 */
export async function deleteChildless(
  tx: Tx, account: string, type: 'user' | 'group', name: string, children: readonly OwnerChild[],
): Promise<void> {
  const parent = ownerKey(type, name);
  for (const c of children) {
    if ((await tx.count(c.kind, account, { parent })) > 0) throw deleteConflict(`Cannot delete entity, ${c.what}.`);
  }
  await tx.delete(OWNER_LABEL[type].kind, account, name);
}

/**
 * Stores an updated user or group (UpdateUser, UpdateGroup). A new name (other than by case) moves
 * the entity to its new key — EntityAlreadyExists when that is taken — and `moveChildren` moves
 * what hangs off it; otherwise the entity is updated in place.
 */
export async function storeRenamed(
  tx: Tx, account: string, type: 'user' | 'group', name: string, newName: string | undefined, id: string, doc: object,
  moveChildren: (newName: string) => Promise<void>,
): Promise<void> {
  const { kind, title } = OWNER_LABEL[type];
  if (newName !== undefined && newName.toLowerCase() !== name.toLowerCase()) {
    if (await tx.get(kind, account, newName)) throw entityAlreadyExists(`${title} with name ${newName} already exists.`);
    await tx.delete(kind, account, name);
    await tx.insert({ kind, account, key: newName, id, data: doc });
    await moveChildren(newName);
  } else {
    await tx.update({ kind, account, key: name, data: doc });
  }
}
