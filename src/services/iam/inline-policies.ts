// IAM inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy.
// Each operation authorizes itself with the action and resource ARN of the Service
// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
import type { OperationHandler, OperationTable } from '../types.js';
import {
  POLICY_LIMITS, checkPolicyDocument, encodePolicyDocument, limitExceeded, listAll, noSuchEntity, paginate, policySize, str,
} from './common.js';
import { KIND, type InlinePolicyDoc, type OwnerType } from './entities.js';
import { authorizedOwner, checkModifiable, ownerNameOf } from './owners.js';

/**
 * The aggregate size of an entity's inline policies, counted without whitespace.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
const AGGREGATE_LIMIT: Record<OwnerType, number> = {
  user: POLICY_LIMITS.userInline,
  group: POLICY_LIMITS.groupInline,
  role: POLICY_LIMITS.roleInline,
};

const TITLE: Record<OwnerType, string> = { user: 'User', group: 'Group', role: 'Role' };

const policyNotFound = (type: OwnerType, name: string) => noSuchEntity(`The ${type} policy with name ${name} cannot be found.`);

function putPolicy(type: OwnerType): OperationHandler {
  return async (ctx, input) => {
    const ownerName = ownerNameOf(type, input);
    const policyName = str(input, 'PolicyName');
    const text = str(input, 'PolicyDocument');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, ownerName, `iam:Put${TITLE[type]}Policy`);
      checkModifiable(owner);
      // Grammar only here: the size limit is on the aggregate of the entity's inline policies.
      checkPolicyDocument(text, 'identity', Number.MAX_SAFE_INTEGER);
      const key = `${owner.key}|${policyName}`;
      let total = policySize(text);
      for (const p of await listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account, owner.key)) {
        if (p.key !== key.toLowerCase()) total += policySize(p.data.PolicyDocument);
      }
      const limit = AGGREGATE_LIMIT[type];
      if (total > limit) throw limitExceeded(`Maximum policy size of ${limit} bytes exceeded for ${type} ${owner.name}`);
      const data: InlinePolicyDoc = { OwnerType: type, OwnerName: owner.name, PolicyName: policyName, PolicyDocument: text };
      if (await tx.get(KIND.inlinePolicy, account, key)) {
        await tx.update({ kind: KIND.inlinePolicy, account, key, data });
      } else {
        await tx.insert({ kind: KIND.inlinePolicy, account, key, parent: owner.key, data });
      }
      return undefined;
    });
  };
}

function getPolicy(type: OwnerType): OperationHandler {
  return async (ctx, input) => {
    const ownerName = ownerNameOf(type, input);
    const policyName = str(input, 'PolicyName');
    const account = ctx.caller.accountId;
    return ctx.store.read(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, ownerName, `iam:Get${TITLE[type]}Policy`);
      const p = await tx.get<InlinePolicyDoc>(KIND.inlinePolicy, account, `${owner.key}|${policyName}`);
      if (!p) throw policyNotFound(type, policyName);
      return {
        [`${TITLE[type]}Name`]: owner.name,
        PolicyName: p.data.PolicyName,
        PolicyDocument: encodePolicyDocument(p.data.PolicyDocument),
      };
    });
  };
}

function deletePolicy(type: OwnerType): OperationHandler {
  return async (ctx, input) => {
    const ownerName = ownerNameOf(type, input);
    const policyName = str(input, 'PolicyName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, ownerName, `iam:Delete${TITLE[type]}Policy`);
      checkModifiable(owner);
      if (!(await tx.delete(KIND.inlinePolicy, account, `${owner.key}|${policyName}`))) throw policyNotFound(type, policyName);
      return undefined;
    });
  };
}

function listPolicies(type: OwnerType): OperationHandler {
  return async (ctx, input) => {
    const ownerName = ownerNameOf(type, input);
    const account = ctx.caller.accountId;
    const policies = await ctx.store.read(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, ownerName, `iam:List${TITLE[type]}Policies`);
      return listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account, owner.key);
    });
    const page = paginate(policies, (p) => p.key, input);
    return { PolicyNames: page.items.map((p) => p.data.PolicyName), IsTruncated: page.IsTruncated, Marker: page.Marker };
  };
}

export const inlinePolicyOperations: OperationTable = {
  PutUserPolicy: putPolicy('user'),
  GetUserPolicy: getPolicy('user'),
  DeleteUserPolicy: deletePolicy('user'),
  ListUserPolicies: listPolicies('user'),
  PutGroupPolicy: putPolicy('group'),
  GetGroupPolicy: getPolicy('group'),
  DeleteGroupPolicy: deletePolicy('group'),
  ListGroupPolicies: listPolicies('group'),
  PutRolePolicy: putPolicy('role'),
  GetRolePolicy: getPolicy('role'),
  DeleteRolePolicy: deletePolicy('role'),
  ListRolePolicies: listPolicies('role'),
};
