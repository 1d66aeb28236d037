// IAM users: CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers, TagUser, UntagUser,
// ListUserTags, PutUserPermissionsBoundary, DeleteUserPermissionsBoundary.
// Each operation authorizes itself with the action and resource ARN of the Service
// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
import type { ContextValue } from '../../policy/index.js';
import type { Entity, Tx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  authorizeCreate, entityAlreadyExists, limitExceeded, listAll, matchesPathPrefix, mergeTags, noSuchEntity, optStr,
  paginate, pathOf, resourceTagKeys, str, tagsOf, invalidInput,
} from './common.js';
import { KIND, iamArn, isoNow, newId, ownerKey, rootArn, type AccountDoc, type PermissionsBoundary, type UserDoc } from './entities.js';
import { checkBoundaryPolicy } from './boundaries.js';
import { deleteChildless, storeRenamed, type OwnerChild } from './owners.js';
import { tagOperations, type TaggedFamily } from './tagging.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_USERS = 5000;

/** The user's children by parent = ownerKey('user', name): what must go before the user can. */
const USER_CHILDREN: OwnerChild[] = [
  { kind: KIND.loginProfile, what: 'must delete login profile first' },
  { kind: KIND.accessKey, what: 'must delete access keys first' },
  { kind: KIND.userGroup, what: 'must remove users from group first' },
  { kind: KIND.attachment, what: 'must detach all policies first' },
  { kind: KIND.inlinePolicy, what: 'must delete policies first' },
  { kind: KIND.mfaDevice, what: 'must delete MFA device first' },
  { kind: KIND.signingCertificate, what: 'must delete signing certificates first' },
  { kind: KIND.sshPublicKey, what: 'must delete SSH public keys first' },
  { kind: KIND.serviceSpecificCredential, what: 'must delete service-specific credentials first' },
];

/** A user as output shapes show it; listing omits tags and boundary, as AWS does. */
export function userOutput(d: UserDoc, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { Path: d.Path, UserName: d.UserName, UserId: d.UserId, Arn: d.Arn, CreateDate: d.CreateDate };
  if (d.PasswordLastUsed) out.PasswordLastUsed = d.PasswordLastUsed;
  if (full) {
    if (d.PermissionsBoundary) out.PermissionsBoundary = d.PermissionsBoundary;
    if (d.Tags.length > 0) out.Tags = d.Tags;
  }
  return out;
}

export async function getUserEntity(tx: Pick<Tx, 'get'>, account: string, name: string): Promise<Entity<UserDoc>> {
  const u = await tx.get<UserDoc>(KIND.user, account, name);
  if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return u;
}

/** The user (NoSuchEntity when missing), once `action` is authorized on it with its tags and `extra`. */
export async function authorizedUser(
  ctx: CallContext, tx: Pick<Tx, 'get'>, name: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<Entity<UserDoc>> {
  const u = await getUserEntity(tx, ctx.caller.accountId, name);
  ctx.authorize(action, u.data.Arn, { ...resourceTagKeys(u.data.Tags), ...extra });
  return u;
}

/** The user an operation targets: UserName, or the caller when omitted (IAM users only). */
export function targetUserName(ctx: CallContext, input: Record<string, unknown>): string {
  const name = optStr(input, 'UserName');
  if (name !== undefined) return name;
  if (ctx.caller.userName !== undefined) return ctx.caller.userName;
  throw invalidInput('Must specify userName when calling with non-User credentials');
}

function userArnFor(ctx: CallContext, name: string, path = '/'): string {
  return iamArn(ctx.caller.accountId, 'user', path, name);
}

const USERS: TaggedFamily<UserDoc> = {
  name: 'User', kind: KIND.user, sortTags: true,
  authorized: (ctx, tx, input, action, extra) => authorizedUser(ctx, tx, str(input, 'UserName'), action, extra),
};

export const userOperations: OperationTable = {
  async CreateUser(ctx, input) {
    const name = str(input, 'UserName');
    const path = pathOf(input);
    const tags = tagsOf(input);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'user', path, name);
    const boundaryArn = optStr(input, 'PermissionsBoundary');
    authorizeCreate(ctx, 'iam:CreateUser', 'iam:TagUser', arn, tags, { 'iam:PermissionsBoundary': boundaryArn });
    const now = isoNow(ctx.now);
    const doc: UserDoc = { UserName: name, UserId: newId('AIDA'), Arn: arn, Path: path, CreateDate: now, Tags: mergeTags([], tags) };
    return ctx.store.transaction(async (tx) => {
      if (boundaryArn !== undefined) doc.PermissionsBoundary = await checkBoundaryPolicy(tx, account, boundaryArn);
      if ((await tx.count(KIND.user, account)) >= MAX_USERS) throw limitExceeded(`Cannot exceed quota for UsersPerAccount: ${MAX_USERS}`);
      try {
        await tx.insert({ kind: KIND.user, account, key: name, id: doc.UserId, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`User with name ${name} already exists.`);
        throw e;
      }
      return { User: userOutput(doc, true) };
    });
  },

  async GetUser(ctx, input) {
    // Called by the root user without UserName, IAM describes the root user itself.
    if (optStr(input, 'UserName') === undefined && ctx.caller.principal.kind === 'root') {
      const account = ctx.caller.accountId;
      // The root user may always describe itself; authorizing still lets an SCP or the task
      // policy of an AssumeRoot session (IAMAuditRootUserCredentials allows iam:GetUser) decide.
      ctx.authorize('iam:GetUser', rootArn(account));
      const acct = await ctx.store.read((tx) => tx.get<AccountDoc>(KIND.account, account, account));
      return { User: { UserId: account, Arn: rootArn(account), CreateDate: acct?.data.CreateDate ?? isoNow(ctx.now) } };
    }
    const name = targetUserName(ctx, input);
    const account = ctx.caller.accountId;
    const u = ctx.principals?.user(account, name) ?? (await ctx.store.read((tx) => tx.get<UserDoc>(KIND.user, account, name)))?.data;
    ctx.authorize('iam:GetUser', u ? u.Arn : userArnFor(ctx, name), resourceTagKeys(u?.Tags));
    if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return { User: userOutput(u, true) };
  },

  async ListUsers(ctx, input) {
    ctx.authorize('iam:ListUsers', `arn:aws:iam::${ctx.caller.accountId}:user/`);
    const all = await ctx.store.read((tx) => listAll<UserDoc>(tx, KIND.user, ctx.caller.accountId));
    const page = paginate(all.filter((u) => matchesPathPrefix(u.data.Path, input)), (u) => u.key, input);
    return { Users: page.items.map((u) => userOutput(u.data, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateUser(ctx, input) {
    const name = str(input, 'UserName');
    const newName = optStr(input, 'NewUserName');
    const newPath = optStr(input, 'NewPath');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const u = await authorizedUser(ctx, tx, name, 'iam:UpdateUser');
      const doc: UserDoc = { ...u.data };
      if (newPath !== undefined) doc.Path = newPath;
      if (newName !== undefined) doc.UserName = newName;
      doc.Arn = iamArn(account, 'user', doc.Path, doc.UserName);
      await storeRenamed(tx, account, 'user', name, newName, doc.UserId, doc, (to) => renameUserChildren(tx, account, name, to));
      return undefined;
    });
  },

  async DeleteUser(ctx, input) {
    const name = str(input, 'UserName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      await authorizedUser(ctx, tx, name, 'iam:DeleteUser');
      await deleteChildless(tx, account, 'user', name, USER_CHILDREN);
      return undefined;
    });
  },

  ...tagOperations(USERS),

  async PutUserPermissionsBoundary(ctx, input) {
    const name = str(input, 'UserName');
    const boundaryArn = str(input, 'PermissionsBoundary');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const u = await authorizedUser(ctx, tx, name, 'iam:PutUserPermissionsBoundary', { 'iam:PermissionsBoundary': boundaryArn });
      const boundary: PermissionsBoundary = await checkBoundaryPolicy(tx, account, boundaryArn);
      await tx.update({ kind: KIND.user, account, key: name, data: { ...u.data, PermissionsBoundary: boundary } });
      return undefined;
    });
  },

  async DeleteUserPermissionsBoundary(ctx, input) {
    const name = str(input, 'UserName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const u = await authorizedUser(ctx, tx, name, 'iam:DeleteUserPermissionsBoundary');
      const { PermissionsBoundary: _, ...rest } = u.data;
      await tx.update({ kind: KIND.user, account, key: name, data: rest as UserDoc });
      return undefined;
    });
  },
};

/**
 * Moves everything that hangs off a user (parent = ownerKey('user', old)) to the new name,
 * rewriting `UserName` in their documents and the user part of their keys.
 */
async function renameUserChildren(tx: Tx, account: string, oldName: string, newName: string): Promise<void> {
  const oldParent = ownerKey('user', oldName);
  const newParent = ownerKey('user', newName);
  for (const c of USER_CHILDREN) {
    for (const e of await listAll<Record<string, unknown>>(tx, c.kind, account, oldParent)) {
      const data: Record<string, unknown> = { ...e.data };
      if ('UserName' in data) data.UserName = newName;
      if (data.OwnerType === 'user') data.OwnerName = newName;
      const key = e.key.startsWith(oldParent) ? newParent + e.key.slice(oldParent.length)
        : e.key.startsWith(oldName.toLowerCase() + '|') ? newName.toLowerCase() + e.key.slice(oldName.length) : e.key;
      await tx.delete(c.kind, account, e.key);
      await tx.insert({ kind: c.kind, account, key, id: e.id, parent: newParent, data });
      if (c.kind === KIND.userGroup) {
        // The group's view of the membership: key `group|user`.
        const group = String(data.GroupName);
        const gParent = ownerKey('group', group);
        await tx.delete(KIND.groupMember, account, `${group}|${oldName}`);
        await tx.insert({ kind: KIND.groupMember, account, key: `${group}|${newName}`, parent: gParent, data });
      }
      if (c.kind === KIND.attachment) {
        const policyArn = String(data.PolicyArn);
        await tx.delete(KIND.policyAttachment, account, `${policyArn}|${oldParent}`);
        await tx.insert({ kind: KIND.policyAttachment, account, key: `${policyArn}|${newParent}`, parent: policyArn, data });
      }
    }
  }
}
