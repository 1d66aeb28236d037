// IAM groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AddUserToGroup,
// RemoveUserFromGroup, ListGroupsForUser.
// Each operation authorizes itself with the action and resource ARN of the Service
// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
import type { Entity, ReadTx, Tx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  entityAlreadyExists, limitExceeded, listAll, matchesPathPrefix, noSuchEntity, optStr, paginate,
  pathOf, resourceTagKeys, str,
} from './common.js';
import {
  KIND, iamArn, isoNow, newId, ownerKey, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc, type MembershipDoc,
  type UserDoc,
} from './entities.js';
import { getUserEntity, userOutput } from './users.js';
import { deleteChildless, storeRenamed, type OwnerChild } from './owners.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_GROUPS = 300;
export const MAX_GROUPS_PER_USER = 10;

/** What must go before a group can be deleted, by kind under parent = ownerKey('group', name). */
const GROUP_CHILDREN: OwnerChild[] = [
  { kind: KIND.groupMember, what: 'must remove users from group first' },
  { kind: KIND.inlinePolicy, what: 'must delete policies first' },
  { kind: KIND.attachment, what: 'must detach all policies first' },
];

export function groupOutput(d: GroupDoc): Record<string, unknown> {
  return { Path: d.Path, GroupName: d.GroupName, GroupId: d.GroupId, Arn: d.Arn, CreateDate: d.CreateDate };
}

export function groupNotFound(name: string) {
  return noSuchEntity(`The group with name ${name} cannot be found.`);
}

export async function getGroupEntity(tx: Pick<ReadTx, 'get'>, account: string, name: string): Promise<Entity<GroupDoc>> {
  const g = await tx.get<GroupDoc>(KIND.group, account, name);
  if (!g) throw groupNotFound(name);
  return g;
}

/**
 * Looks the group up, authorizes `action` on its ARN (or, when it does not exist, on the ARN it
 * would have at path `/`, so that a caller without permission learns nothing), then throws
 * NoSuchEntity if it is missing.
 */
async function authorizedGroup(ctx: CallContext, tx: Pick<ReadTx, 'get'>, name: string, action: string): Promise<Entity<GroupDoc>> {
  const account = ctx.caller.accountId;
  const g = await tx.get<GroupDoc>(KIND.group, account, name);
  ctx.authorize(action, g ? g.data.Arn : iamArn(account, 'group', '/', name));
  if (!g) throw groupNotFound(name);
  return g;
}

export const groupOperations: OperationTable = {
  async CreateGroup(ctx, input) {
    const name = str(input, 'GroupName');
    const path = pathOf(input);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'group', path, name);
    ctx.authorize('iam:CreateGroup', arn);
    const doc: GroupDoc = { GroupName: name, GroupId: newId('AGPA'), Arn: arn, Path: path, CreateDate: isoNow(ctx.now) };
    return ctx.store.transaction(async (tx) => {
      if (await tx.get(KIND.group, account, name)) throw entityAlreadyExists(`Group with name ${name} already exists.`);
      if ((await tx.count(KIND.group, account)) >= MAX_GROUPS) throw limitExceeded(`Cannot exceed quota for GroupsPerAccount: ${MAX_GROUPS}`);
      try {
        await tx.insert({ kind: KIND.group, account, key: name, id: doc.GroupId, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`Group with name ${name} already exists.`);
        throw e;
      }
      return { Group: groupOutput(doc) };
    });
  },

  async GetGroup(ctx, input) {
    const name = str(input, 'GroupName');
    const account = ctx.caller.accountId;
    const { group, users } = await ctx.store.read(async (tx) => {
      const group = await authorizedGroup(ctx, tx, name, 'iam:GetGroup');
      const members = await listAll<MembershipDoc>(tx, KIND.groupMember, account, ownerKey('group', name));
      const users: Entity<UserDoc>[] = [];
      for (const m of members) {
        const u = await tx.get<UserDoc>(KIND.user, account, m.data.UserName);
        if (u) users.push(u);
      }
      return { group, users };
    });
    const page = paginate(users, (u) => u.key, input);
    return {
      Group: groupOutput(group.data),
      Users: page.items.map((u) => userOutput(u.data, false)),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },

  async ListGroups(ctx, input) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListGroups', `arn:aws:iam::${account}:group/`);
    const all = await ctx.store.read((tx) => listAll<GroupDoc>(tx, KIND.group, account));
    const page = paginate(all.filter((g) => matchesPathPrefix(g.data.Path, input)), (g) => g.key, input);
    return { Groups: page.items.map((g) => groupOutput(g.data)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateGroup(ctx, input) {
    const name = str(input, 'GroupName');
    const newName = optStr(input, 'NewGroupName');
    const newPath = optStr(input, 'NewPath');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const g = await authorizedGroup(ctx, tx, name, 'iam:UpdateGroup');
      const doc: GroupDoc = { ...g.data };
      if (newPath !== undefined) doc.Path = newPath;
      if (newName !== undefined) doc.GroupName = newName;
      doc.Arn = iamArn(account, 'group', doc.Path, doc.GroupName);
      // "To change a group name the requester must have appropriate permissions on both the
      // source object and the target object." (UpdateGroup, IAM API Reference)
      if (doc.Arn !== g.data.Arn) ctx.authorize('iam:UpdateGroup', doc.Arn);
      await storeRenamed(tx, account, 'group', name, newName, doc.GroupId, doc, (to) => renameGroupChildren(tx, account, g.data.GroupName, to));
      return undefined;
    });
  },

  async DeleteGroup(ctx, input) {
    const name = str(input, 'GroupName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      await authorizedGroup(ctx, tx, name, 'iam:DeleteGroup');
      await deleteChildless(tx, account, 'group', name, GROUP_CHILDREN);
      return undefined;
    });
  },

  async AddUserToGroup(ctx, input) {
    const groupName = str(input, 'GroupName');
    const userName = str(input, 'UserName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const g = await authorizedGroup(ctx, tx, groupName, 'iam:AddUserToGroup');
      const u = await getUserEntity(tx, account, userName);
      const membership: MembershipDoc = { UserName: u.data.UserName, GroupName: g.data.GroupName };
      // Adding a member twice succeeds and changes nothing, as in AWS.
      if (await tx.get(KIND.userGroup, account, `${u.data.UserName}|${g.data.GroupName}`)) return undefined;
      const userParent = ownerKey('user', u.data.UserName);
      if ((await tx.count(KIND.userGroup, account, { parent: userParent })) >= MAX_GROUPS_PER_USER) {
        throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
      }
      await tx.insert({ kind: KIND.userGroup, account, key: `${u.data.UserName}|${g.data.GroupName}`, parent: userParent, data: membership });
      await tx.insert({
        kind: KIND.groupMember, account, key: `${g.data.GroupName}|${u.data.UserName}`, parent: ownerKey('group', g.data.GroupName), data: membership,
      });
      return undefined;
    });
  },

  async RemoveUserFromGroup(ctx, input) {
    const groupName = str(input, 'GroupName');
    const userName = str(input, 'UserName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      await authorizedGroup(ctx, tx, groupName, 'iam:RemoveUserFromGroup');
      await getUserEntity(tx, account, userName);
      // Not a member: AWS answers NoSuchEntity naming the user.
      if (!(await tx.delete(KIND.userGroup, account, `${userName}|${groupName}`))) {
        throw noSuchEntity(`The user with name ${userName} cannot be found.`);
      }
      await tx.delete(KIND.groupMember, account, `${groupName}|${userName}`);
      return undefined;
    });
  },

  async ListGroupsForUser(ctx, input) {
    const userName = str(input, 'UserName');
    const account = ctx.caller.accountId;
    const groups = await ctx.store.read(async (tx) => {
      const u = await tx.get<UserDoc>(KIND.user, account, userName);
      ctx.authorize('iam:ListGroupsForUser', u ? u.data.Arn : iamArn(account, 'user', '/', userName), resourceTagKeys(u?.data.Tags));
      if (!u) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
      const out: Entity<GroupDoc>[] = [];
      for (const m of await listAll<MembershipDoc>(tx, KIND.userGroup, account, ownerKey('user', userName))) {
        const g = await tx.get<GroupDoc>(KIND.group, account, m.data.GroupName);
        if (g) out.push(g);
      }
      return out;
    });
    const page = paginate(groups, (g) => g.key, input);
    return { Groups: page.items.map((g) => groupOutput(g.data)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};

/**
 * Moves what hangs off a group (parent = ownerKey('group', old)) to its new name: memberships
 * (both views), inline policies and attachments (both views), rewriting names in documents.
 */
async function renameGroupChildren(tx: Tx, account: string, oldName: string, newName: string): Promise<void> {
  const oldParent = ownerKey('group', oldName);
  const newParent = ownerKey('group', newName);

  for (const m of await listAll<MembershipDoc>(tx, KIND.groupMember, account, oldParent)) {
    const data: MembershipDoc = { UserName: m.data.UserName, GroupName: newName };
    await tx.delete(KIND.groupMember, account, m.key);
    await tx.insert({ kind: KIND.groupMember, account, key: `${newName}|${data.UserName}`, parent: newParent, data });
    await tx.delete(KIND.userGroup, account, `${data.UserName}|${oldName}`);
    await tx.insert({ kind: KIND.userGroup, account, key: `${data.UserName}|${newName}`, parent: ownerKey('user', data.UserName), data });
  }

  for (const p of await listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account, oldParent)) {
    const data: InlinePolicyDoc = { ...p.data, OwnerName: newName };
    await tx.delete(KIND.inlinePolicy, account, p.key);
    await tx.insert({ kind: KIND.inlinePolicy, account, key: `${newParent}|${data.PolicyName}`, id: p.id, parent: newParent, data });
  }

  for (const a of await listAll<AttachmentDoc>(tx, KIND.attachment, account, oldParent)) {
    const data: AttachmentDoc = { ...a.data, OwnerName: newName };
    await tx.delete(KIND.attachment, account, a.key);
    await tx.insert({ kind: KIND.attachment, account, key: `${newParent}|${data.PolicyArn}`, parent: newParent, data });
    await tx.delete(KIND.policyAttachment, account, `${data.PolicyArn}|${oldParent}`);
    await tx.insert({ kind: KIND.policyAttachment, account, key: `${data.PolicyArn}|${newParent}`, parent: data.PolicyArn, data });
  }
}
