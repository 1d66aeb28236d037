// Managed policies attached to users, groups and roles: Attach*/Detach*/ListAttached*Policies
// (one handler per owner type) and ListEntitiesForPolicy. An attachment is stored twice: under
// its owner (KIND.attachment) and under its policy (KIND.policyAttachment).
// Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
import type { Tx } from '../../store/index.js';
import type { OperationHandler, OperationTable } from '../types.js';
import { iamError, limitExceeded, listAll, matchesPathPrefix, noSuchEntity, optStr, paginate, str } from './common.js';
import { KIND, type AttachmentDoc, type OwnerType, type RoleDoc, type UserDoc } from './entities.js';
import { OWNER_LABEL, authorizedOwner, checkModifiable, findOwner, ownerNameOf, type Owner } from './owners.js';
import { authorizedPolicy, findPolicy, parsePolicyArn, policyNotFound, refreshAttachmentCount } from './policy-refs.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_ATTACHED_POLICIES = 10;

const notAttachable = (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);

/** Stores an attachment under its owner and under its policy. */
export async function insertAttachment(tx: Tx, account: string, ownerKey: string, data: AttachmentDoc): Promise<void> {
  await tx.insert({ kind: KIND.attachment, account, key: `${ownerKey}|${data.PolicyArn}`, parent: ownerKey, data });
  await tx.insert({ kind: KIND.policyAttachment, account, key: `${data.PolicyArn}|${ownerKey}`, parent: data.PolicyArn, data });
}

/**
 * Attach<Owner>Policy / Detach<Owner>Policy: checks the ARN, then in one transaction authorizes
 * the action on the owner (with iam:PolicyARN), refuses a service-linked role, and runs `change`.
 */
function ownerPolicyChange(
  type: OwnerType, verb: 'Attach' | 'Detach', change: (tx: Tx, account: string, owner: Owner, arn: string) => Promise<void>,
): OperationHandler {
  const action = `iam:${verb}${OWNER_LABEL[type].title}Policy`;
  return async (ctx, input) => {
    const name = ownerNameOf(type, input);
    const arn = str(input, 'PolicyArn');
    const account = ctx.caller.accountId;
    parsePolicyArn(arn);
    return ctx.store.transaction(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, name, action, { 'iam:PolicyARN': arn });
      checkModifiable(owner);
      await change(tx, account, owner, arn);
      return undefined;
    });
  };
}

function attachPolicy(type: OwnerType): OperationHandler {
  return ownerPolicyChange(type, 'Attach', async (tx, account, owner, arn) => {
    const ref = await findPolicy(tx, account, arn);
    if (!ref || (ref.type === 'customer' && !ref.entity.data.IsAttachable)) throw notAttachable(arn);
    // Service role policies belong on service-linked roles only.
    if (ref.type === 'aws' && ref.path === '/aws-service-role/' && !owner.serviceLinked) {
      throw iamError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.');
    }
    // Attaching again succeeds and changes nothing, as in AWS.
    if (await tx.get(KIND.attachment, account, `${owner.key}|${arn}`)) return;
    if ((await tx.count(KIND.attachment, account, { parent: owner.key })) >= MAX_ATTACHED_POLICIES) {
      throw limitExceeded(`Cannot exceed quota for PoliciesPer${OWNER_LABEL[type].title}: ${MAX_ATTACHED_POLICIES}`);
    }
    await insertAttachment(tx, account, owner.key, { OwnerType: type, OwnerName: owner.name, PolicyArn: arn, PolicyName: ref.name });
    await refreshAttachmentCount(tx, account, ref);
  });
}

function detachPolicy(type: OwnerType): OperationHandler {
  return ownerPolicyChange(type, 'Detach', async (tx, account, owner, arn) => {
    const a = await tx.get<AttachmentDoc>(KIND.attachment, account, `${owner.key}|${arn}`);
    if (!a || a.data.PolicyArn !== arn) throw policyNotFound(arn);
    await tx.delete(KIND.attachment, account, a.key);
    await tx.delete(KIND.policyAttachment, account, `${arn}|${owner.key}`);
    const ref = await findPolicy(tx, account, arn);
    if (ref) await refreshAttachmentCount(tx, account, ref);
  });
}

function listAttachedPolicies(type: OwnerType): OperationHandler {
  const title = OWNER_LABEL[type].title;
  return async (ctx, input) => {
    const name = ownerNameOf(type, input);
    const account = ctx.caller.accountId;
    const attached = await ctx.store.read(async (tx) => {
      const owner = await authorizedOwner(ctx, tx, type, name, `iam:ListAttached${title}Policies`);
      return listAll<AttachmentDoc>(tx, KIND.attachment, account, owner.key);
    });
    const filtered = attached.filter((a) => {
      const m = /:policy(\/(?:[^/]+\/)*)[^/]+$/.exec(a.data.PolicyArn);
      return matchesPathPrefix(m ? m[1] : '/', input);
    });
    const page = paginate(filtered, (a) => a.key, input);
    return {
      AttachedPolicies: page.items.map((a) => ({ PolicyName: a.data.PolicyName, PolicyArn: a.data.PolicyArn })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  };
}

// ---------------------------------------------------------------------------

export const policyAttachmentOperations: OperationTable = {
  AttachUserPolicy: attachPolicy('user'),
  AttachGroupPolicy: attachPolicy('group'),
  AttachRolePolicy: attachPolicy('role'),
  DetachUserPolicy: detachPolicy('user'),
  DetachGroupPolicy: detachPolicy('group'),
  DetachRolePolicy: detachPolicy('role'),
  ListAttachedUserPolicies: listAttachedPolicies('user'),
  ListAttachedGroupPolicies: listAttachedPolicies('group'),
  ListAttachedRolePolicies: listAttachedPolicies('role'),

  async ListEntitiesForPolicy(ctx, input) {
    const arn = str(input, 'PolicyArn');
    const filter = optStr(input, 'EntityFilter');
    const usage = optStr(input, 'PolicyUsageFilter');
    const account = ctx.caller.accountId;
    const wanted = (t: OwnerType) => filter === undefined || filter.toLowerCase() === t;
    const owners = await ctx.store.read(async (tx) => {
      await authorizedPolicy(ctx, tx, arn, 'iam:ListEntitiesForPolicy');
      const found = new Map<string, Owner>();
      if (usage !== 'PermissionsBoundary') {
        for (const a of await listAll<AttachmentDoc>(tx, KIND.policyAttachment, account, arn)) {
          if (a.data.PolicyArn !== arn || !wanted(a.data.OwnerType)) continue;
          const o = await findOwner(tx, account, a.data.OwnerType, a.data.OwnerName);
          if (o) found.set(o.key, o);
        }
      }
      if (usage !== 'PermissionsPolicy') {
        for (const type of ['user', 'role'] as const) {
          if (!wanted(type)) continue;
          for (const e of await listAll<UserDoc | RoleDoc>(tx, OWNER_LABEL[type].kind, account)) {
            if (e.data.PermissionsBoundary?.PermissionsBoundaryArn !== arn) continue;
            const o = await findOwner(tx, account, type, type === 'user' ? (e.data as UserDoc).UserName : (e.data as RoleDoc).RoleName);
            if (o) found.set(o.key, o);
          }
        }
      }
      return [...found.values()];
    });
    const selected = owners.filter((o) => matchesPathPrefix(o.path, input)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = paginate(selected, (o) => o.key, input);
    const pick = (t: OwnerType) => page.items.filter((o) => o.type === t);
    return {
      PolicyGroups: pick('group').map((o) => ({ GroupName: o.name, GroupId: o.id })),
      PolicyUsers: pick('user').map((o) => ({ UserName: o.name, UserId: o.id })),
      PolicyRoles: pick('role').map((o) => ({ RoleName: o.name, RoleId: o.id })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};
