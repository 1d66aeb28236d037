// IAM instance profiles: CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile,
// ListInstanceProfiles, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
// ListInstanceProfilesForRole, TagInstanceProfile, UntagInstanceProfile, ListInstanceProfileTags.
// Merged into `roleOperations` (roles.ts).
import type { Entity, ReadTx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  authorizeCreate, deleteConflict, entityAlreadyExists, limitExceeded, listAll, matchesPathPrefix, mergeTags, noSuchEntity, optStr,
  paginate, pathOf, resourceTagKeys, str, tagsOf,
} from './common.js';
import { KIND, iamArn, isoNow, newId } from './entities.js';
import {
  assertModifiable, authorizedRole, getRoleEntity, instanceProfileOutput, instanceProfilesOfRole, type InstanceProfileDoc,
} from './role-shapes.js';
import { tagOperations, type TaggedFamily } from './tagging.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_INSTANCE_PROFILES = 1000;
/** Roles per instance profile: 1 (not adjustable). */
export const MAX_ROLES_PER_INSTANCE_PROFILE = 1;

async function getProfile(tx: Pick<ReadTx, 'get'>, account: string, name: string): Promise<Entity<InstanceProfileDoc>> {
  const p = await tx.get<InstanceProfileDoc>(KIND.instanceProfile, account, name);
  if (!p) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return p;
}

/** The instance profile (NoSuchEntity when missing), once `action` is authorized on it with its tags and `extra`. */
async function authorizedProfile(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, name: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<Entity<InstanceProfileDoc>> {
  const p = await getProfile(tx, ctx.caller.accountId, name);
  ctx.authorize(action, p.data.Arn, { ...resourceTagKeys(p.data.Tags), ...extra });
  return p;
}

/** A page of instance profiles as the List operations answer it. */
async function profilePage(
  tx: ReadTx, account: string, profiles: Entity<InstanceProfileDoc>[], input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const page = paginate(profiles, (p) => p.key, input);
  const items: Record<string, unknown>[] = [];
  for (const p of page.items) items.push(await instanceProfileOutput(tx, account, p.data, false));
  return { InstanceProfiles: items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

const PROFILES: TaggedFamily<InstanceProfileDoc> = {
  name: 'InstanceProfile', kind: KIND.instanceProfile, sortTags: true,
  authorized: (ctx, tx, input, action, extra) => authorizedProfile(ctx, tx, str(input, 'InstanceProfileName'), action, extra),
};

export const instanceProfileOperations: OperationTable = {
  async CreateInstanceProfile(ctx, input) {
    const name = str(input, 'InstanceProfileName');
    const path = pathOf(input);
    const tags = tagsOf(input);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'instance-profile', path, name);
    authorizeCreate(ctx, 'iam:CreateInstanceProfile', 'iam:TagInstanceProfile', arn, tags);
    const doc: InstanceProfileDoc = {
      InstanceProfileName: name, InstanceProfileId: newId('AIPA'), Arn: arn, Path: path, CreateDate: isoNow(ctx.now),
      Roles: [], Tags: mergeTags([], tags),
    };
    return ctx.store.transaction(async (tx) => {
      if ((await tx.count(KIND.instanceProfile, account)) >= MAX_INSTANCE_PROFILES) {
        throw limitExceeded(`Cannot exceed quota for InstanceProfilesPerAccount: ${MAX_INSTANCE_PROFILES}`);
      }
      try {
        await tx.insert({ kind: KIND.instanceProfile, account, key: name, id: doc.InstanceProfileId, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`Instance Profile ${name} already exists.`);
        throw e;
      }
      return { InstanceProfile: await instanceProfileOutput(tx, account, doc, true) };
    });
  },

  async GetInstanceProfile(ctx, input) {
    const name = str(input, 'InstanceProfileName');
    const account = ctx.caller.accountId;
    return ctx.store.read(async (tx) => {
      const p = await tx.get<InstanceProfileDoc>(KIND.instanceProfile, account, name);
      ctx.authorize('iam:GetInstanceProfile', p ? p.data.Arn : iamArn(account, 'instance-profile', '/', name), resourceTagKeys(p?.data.Tags));
      if (!p) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
      return { InstanceProfile: await instanceProfileOutput(tx, account, p.data, true) };
    });
  },

  async DeleteInstanceProfile(ctx, input) {
    const name = str(input, 'InstanceProfileName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProfile(ctx, tx, name, 'iam:DeleteInstanceProfile');
      if (p.data.Roles.length > 0) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
      await tx.delete(KIND.instanceProfile, account, p.key);
      return undefined;
    });
  },

  async ListInstanceProfiles(ctx, input) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListInstanceProfiles', `arn:aws:iam::${account}:instance-profile${optStr(input, 'PathPrefix') ?? '/'}`);
    return ctx.store.read(async (tx) => {
      const all = await listAll<InstanceProfileDoc>(tx, KIND.instanceProfile, account);
      return profilePage(tx, account, all.filter((p) => matchesPathPrefix(p.data.Path, input)), input);
    });
  },

  async AddRoleToInstanceProfile(ctx, input) {
    const name = str(input, 'InstanceProfileName');
    const roleName = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProfile(ctx, tx, name, 'iam:AddRoleToInstanceProfile');
      const r = await getRoleEntity(tx, account, roleName);
      // "The caller of this operation must be granted the PassRole permission on the IAM role"
      // (AddRoleToInstanceProfile, IAM API Reference); the profile is for EC2.
      ctx.authorize('iam:PassRole', r.data.Arn, { ...resourceTagKeys(r.data.Tags), 'iam:PassedToService': 'ec2.amazonaws.com' });
      assertModifiable(r.data);
      if (p.data.Roles.length >= MAX_ROLES_PER_INSTANCE_PROFILE) {
        throw limitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${MAX_ROLES_PER_INSTANCE_PROFILE}`);
      }
      await tx.update({ kind: KIND.instanceProfile, account, key: p.key, data: { ...p.data, Roles: [...p.data.Roles, r.data.RoleName] } });
      return undefined;
    });
  },

  async RemoveRoleFromInstanceProfile(ctx, input) {
    const name = str(input, 'InstanceProfileName');
    const roleName = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProfile(ctx, tx, name, 'iam:RemoveRoleFromInstanceProfile');
      const r = await getRoleEntity(tx, account, roleName);
      assertModifiable(r.data);
      const lower = roleName.toLowerCase();
      if (!p.data.Roles.some((n) => n.toLowerCase() === lower)) {
        throw noSuchEntity(`The role with name ${roleName} cannot be found in instance profile ${p.data.InstanceProfileName}.`);
      }
      const roles = p.data.Roles.filter((n) => n.toLowerCase() !== lower);
      await tx.update({ kind: KIND.instanceProfile, account, key: p.key, data: { ...p.data, Roles: roles } });
      return undefined;
    });
  },

  async ListInstanceProfilesForRole(ctx, input) {
    const roleName = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    return ctx.store.read(async (tx) => {
      const r = await authorizedRole(ctx, tx, roleName, 'iam:ListInstanceProfilesForRole');
      return profilePage(tx, account, await instanceProfilesOfRole(tx, account, r.data.RoleName), input);
    });
  },

  ...tagOperations(PROFILES),
};
