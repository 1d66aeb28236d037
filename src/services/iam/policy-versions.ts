// Versions of managed policies: CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions,
// DeletePolicyVersion, SetDefaultPolicyVersion. An AWS managed policy has only its default
// version (the catalog in managed-policies/ knows no other).
// Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
import type { Entity, ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import {
  POLICY_LIMITS, checkPolicyDocument, deleteConflict, encodePolicyDocument, limitExceeded, listAll, noSuchEntity, paginate, str,
} from './common.js';
import { KIND, isoNow, type ManagedPolicyDoc, type PolicyVersionDoc } from './entities.js';
import type { AwsManagedPolicy } from './managed-policies/index.js';
import { authorizedCustomerPolicy, authorizedPolicy, awsDate, type CustomerPolicyRef } from './policy-refs.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_POLICY_VERSIONS = 5;

const versionNotFound = (arn: string, v: string) => noSuchEntity(`Policy ${arn} version ${v} does not exist or is not attachable.`);

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

async function versionsOf(tx: ReadTx, account: string, ref: CustomerPolicyRef): Promise<Entity<PolicyVersionDoc>[]> {
  const all = await listAll<PolicyVersionDoc>(tx, KIND.policyVersion, account, ref.entity.key);
  return all.sort((a, b) => versionNumber(a.data.VersionId) - versionNumber(b.data.VersionId));
}

/** One stored version of a customer managed policy; NoSuchEntity when it does not exist. */
async function storedVersion(
  tx: Pick<ReadTx, 'get'>, account: string, ref: CustomerPolicyRef, versionId: string,
): Promise<Entity<PolicyVersionDoc>> {
  const v = await tx.get<PolicyVersionDoc>(KIND.policyVersion, account, `${ref.entity.key}|${versionId}`);
  if (!v || v.data.VersionId !== versionId) throw versionNotFound(ref.arn, versionId);
  return v;
}

// ---------------------------------------------------------------------------

export const policyVersionOperations: OperationTable = {
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
      const v = await storedVersion(tx, account, ref, versionId);
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
      const v = await storedVersion(tx, account, ref, versionId);
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
};
