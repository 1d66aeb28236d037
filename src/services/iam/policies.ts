// IAM managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies and policy tags.
// Their versions (policy-versions.ts) and their attachments to users, groups and roles
// (policy-attachments.ts) are merged into `policyOperations` below. Each operation authorizes
// itself with the action and resource ARN of the Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
//
// AWS managed policies (arn:aws:iam::aws:policy/…) come from the catalog in managed-policies/;
// only their default version is known. How policies are found by ARN and counted: policy-refs.ts.
import { AlreadyExistsError } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import {
  authorizeCreate, POLICY_LIMITS, checkPolicyDocument, deleteConflict, entityAlreadyExists, limitExceeded, listAll, matchesPathPrefix,
  mergeTags, optStr, paginate, str, tagsOf,
} from './common.js';
import { KIND, iamArn, isoNow, newId, type ManagedPolicyDoc, type PolicyVersionDoc } from './entities.js';
import { loadAwsManagedPolicies } from './managed-policies/index.js';
import {
  attachmentCounts, authorizedCustomerPolicy, authorizedPolicy, awsDate, boundaryUsage, type PolicyRef,
} from './policy-refs.js';
import { policyVersionOperations } from './policy-versions.js';
import { policyAttachmentOperations } from './policy-attachments.js';
import { tagOperations, type TaggedFamily } from './tagging.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_POLICIES = 1500;

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

// ---------------------------------------------------------------------------

const POLICIES: TaggedFamily<ManagedPolicyDoc> = {
  name: 'Policy', kind: KIND.policy, sortTags: false,
  authorized: async (ctx, tx, input, action, extra) => (await authorizedCustomerPolicy(ctx, tx, str(input, 'PolicyArn'), action, extra)).entity,
};

const managedPolicyOperations: OperationTable = {
  async CreatePolicy(ctx, input) {
    const name = str(input, 'PolicyName');
    const path = optStr(input, 'Path') || '/';
    const text = str(input, 'PolicyDocument');
    const description = optStr(input, 'Description');
    const tags = tagsOf(input);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'policy', path, name);
    authorizeCreate(ctx, 'iam:CreatePolicy', 'iam:TagPolicy', arn, tags);
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

  ...tagOperations(POLICIES),
};

export const policyOperations: OperationTable = {
  ...managedPolicyOperations,
  ...policyVersionOperations,
  ...policyAttachmentOperations,
};
