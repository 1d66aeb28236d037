// GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
// their policies, in one paginated answer — what `aws iam get-account-authorization-details`
// exports and `warden import` reads back. Merged into `accountOperations` (account.ts).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
import type { ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { encodePolicyDocument, listAll, paginate } from './common.js';
import {
  KIND, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc, type ManagedPolicyDoc, type MembershipDoc,
  type PolicyVersionDoc, type RoleDoc, type UserDoc,
} from './entities.js';
import { getAwsManagedPolicy } from './managed-policies/index.js';
import { instanceProfileOutput, type InstanceProfileDoc } from './role-shapes.js';

type EntityType = 'User' | 'Group' | 'Role' | 'LocalManagedPolicy' | 'AWSManagedPolicy';
const ALL_TYPES: readonly EntityType[] = ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'];

type Section = 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies';

/** One entry of the answer; `key` orders the whole answer (users, groups, roles, policies) for paging. */
interface Item { key: string; section: Section; value: Record<string, unknown> }

/** What an owner has: inline policies by owner key, attachments by owner key. */
function byOwner<T>(items: { parent: string | null; data: T }[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    if (i.parent === null) continue;
    (m.get(i.parent) ?? m.set(i.parent, []).get(i.parent)!).push(i.data);
  }
  return m;
}

function inlineList(list: InlinePolicyDoc[] | undefined): Record<string, unknown>[] {
  return (list ?? [])
    .slice().sort((a, b) => (a.PolicyName.toLowerCase() < b.PolicyName.toLowerCase() ? -1 : 1))
    .map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: encodePolicyDocument(p.PolicyDocument) }));
}

function attachedList(list: AttachmentDoc[] | undefined): Record<string, unknown>[] {
  return (list ?? []).map((a) => ({ PolicyName: a.PolicyName, PolicyArn: a.PolicyArn }));
}

async function collect(tx: ReadTx, account: string, types: ReadonlySet<EntityType>): Promise<Item[]> {
  const items: Item[] = [];
  const [inline, attachments] = await Promise.all([
    listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account),
    listAll<AttachmentDoc>(tx, KIND.attachment, account),
  ]);
  const inlineBy = byOwner(inline);
  const attachedBy = byOwner(attachments);

  if (types.has('User')) {
    const memberships = byOwner(await listAll<MembershipDoc>(tx, KIND.userGroup, account));
    for (const u of await listAll<UserDoc>(tx, KIND.user, account)) {
      const owner = `user:${u.key}`;
      const d = u.data;
      const value: Record<string, unknown> = {
        Path: d.Path, UserName: d.UserName, UserId: d.UserId, Arn: d.Arn, CreateDate: d.CreateDate,
        UserPolicyList: inlineList(inlineBy.get(owner)),
        GroupList: (memberships.get(owner) ?? []).map((m) => m.GroupName),
        AttachedManagedPolicies: attachedList(attachedBy.get(owner)),
        Tags: d.Tags,
      };
      if (d.PermissionsBoundary) value.PermissionsBoundary = d.PermissionsBoundary;
      items.push({ key: `1|${u.key}`, section: 'UserDetailList', value });
    }
  }

  if (types.has('Group')) {
    for (const g of await listAll<GroupDoc>(tx, KIND.group, account)) {
      const owner = `group:${g.key}`;
      const d = g.data;
      items.push({
        key: `2|${g.key}`, section: 'GroupDetailList',
        value: {
          Path: d.Path, GroupName: d.GroupName, GroupId: d.GroupId, Arn: d.Arn, CreateDate: d.CreateDate,
          GroupPolicyList: inlineList(inlineBy.get(owner)),
          AttachedManagedPolicies: attachedList(attachedBy.get(owner)),
        },
      });
    }
  }

  if (types.has('Role')) {
    const profilesOf = new Map<string, InstanceProfileDoc[]>();
    for (const p of await listAll<InstanceProfileDoc>(tx, KIND.instanceProfile, account)) {
      for (const r of p.data.Roles) {
        const k = r.toLowerCase();
        (profilesOf.get(k) ?? profilesOf.set(k, []).get(k)!).push(p.data);
      }
    }
    for (const r of await listAll<RoleDoc>(tx, KIND.role, account)) {
      const owner = `role:${r.key}`;
      const d = r.data;
      const profiles: Record<string, unknown>[] = [];
      for (const p of profilesOf.get(r.key) ?? []) profiles.push(await instanceProfileOutput(tx, account, p, true));
      const value: Record<string, unknown> = {
        Path: d.Path, RoleName: d.RoleName, RoleId: d.RoleId, Arn: d.Arn, CreateDate: d.CreateDate,
        AssumeRolePolicyDocument: encodePolicyDocument(d.AssumeRolePolicyDocument),
        InstanceProfileList: profiles,
        RolePolicyList: inlineList(inlineBy.get(owner)),
        AttachedManagedPolicies: attachedList(attachedBy.get(owner)),
        Tags: d.Tags,
        RoleLastUsed: d.RoleLastUsed ?? {},
      };
      if (d.PermissionsBoundary) value.PermissionsBoundary = d.PermissionsBoundary;
      items.push({ key: `3|${r.key}`, section: 'RoleDetailList', value });
    }
  }

  if (types.has('LocalManagedPolicy')) {
    const versions = byOwner(await listAll<PolicyVersionDoc>(tx, KIND.policyVersion, account));
    for (const p of await listAll<ManagedPolicyDoc>(tx, KIND.policy, account)) {
      const d = p.data;
      const value: Record<string, unknown> = {
        PolicyName: d.PolicyName, PolicyId: d.PolicyId, Arn: d.Arn, Path: d.Path, DefaultVersionId: d.DefaultVersionId,
        AttachmentCount: d.AttachmentCount, PermissionsBoundaryUsageCount: d.PermissionsBoundaryUsageCount, IsAttachable: d.IsAttachable,
        CreateDate: d.CreateDate, UpdateDate: d.UpdateDate,
        PolicyVersionList: (versions.get(p.key) ?? [])
          .slice().sort((a, b) => Number(b.VersionId.slice(1)) - Number(a.VersionId.slice(1)))
          .map((v) => ({ Document: encodePolicyDocument(v.Document), VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate })),
      };
      if (d.Description !== undefined) value.Description = d.Description;
      items.push({ key: `4|${d.Arn.toLowerCase()}`, section: 'Policies', value });
    }
  }

  if (types.has('AWSManagedPolicy')) {
    // Only the AWS managed policies attached to something in the account, as AWS answers.
    const attachedCount = new Map<string, number>();
    for (const a of attachments) {
      if (getAwsManagedPolicy(a.data.PolicyArn)) attachedCount.set(a.data.PolicyArn, (attachedCount.get(a.data.PolicyArn) ?? 0) + 1);
    }
    const boundaryCount = new Map<string, number>();
    if (attachedCount.size > 0) {
      const bounded = [
        ...(await listAll<UserDoc>(tx, KIND.user, account)).map((u) => u.data.PermissionsBoundary),
        ...(await listAll<RoleDoc>(tx, KIND.role, account)).map((r) => r.data.PermissionsBoundary),
      ];
      for (const b of bounded) if (b) boundaryCount.set(b.PermissionsBoundaryArn, (boundaryCount.get(b.PermissionsBoundaryArn) ?? 0) + 1);
    }
    for (const [arn, n] of attachedCount) {
      const p = getAwsManagedPolicy(arn)!;
      const created = p.CreateDate ?? p.UpdateDate ?? '2015-02-06T18:39:46Z';
      const value: Record<string, unknown> = {
        PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path, DefaultVersionId: p.DefaultVersionId,
        AttachmentCount: n, PermissionsBoundaryUsageCount: boundaryCount.get(arn) ?? 0, IsAttachable: true,
        CreateDate: created, UpdateDate: p.UpdateDate ?? created,
        PolicyVersionList: [{
          Document: encodePolicyDocument(p.Document), VersionId: p.DefaultVersionId, IsDefaultVersion: true,
          CreateDate: p.DefaultVersionCreateDate ?? p.UpdateDate ?? created,
        }],
      };
      if (p.Description !== undefined) value.Description = p.Description;
      items.push({ key: `4|${arn.toLowerCase()}`, section: 'Policies', value });
    }
  }

  return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const accountAuthorizationDetailsOperations: OperationTable = {
  async GetAccountAuthorizationDetails(ctx, input) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:GetAccountAuthorizationDetails', '*');
    const filter = Array.isArray(input.Filter) && input.Filter.length > 0 ? (input.Filter as EntityType[]) : ALL_TYPES;
    const items = await ctx.store.read((tx) => collect(tx, account, new Set(filter)));
    const page = paginate(items, (i) => i.key, input);
    const out: Record<Section, Record<string, unknown>[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
    for (const i of page.items) out[i.section].push(i.value);
    return { ...out, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};

