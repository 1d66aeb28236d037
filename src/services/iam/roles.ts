// IAM roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
// DeleteRole, ListRoles, TagRole, UntagRole, ListRoleTags, PutRolePermissionsBoundary,
// DeleteRolePermissionsBoundary; service-linked roles (CreateServiceLinkedRole,
// DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus). The
// instance-profile and identity-provider families are merged into `roleOperations` below.
// Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import {
  authorizeCreate, checkPolicyDocument, deleteConflict, entityAlreadyExists, iamError, invalidInput, limitExceeded,
  listAll, matchesPathPrefix, mergeTags, noSuchEntity, optStr, paginate, pathOf, policySize, POLICY_LIMITS,
  resourceTagKeys, str, tagsOf, malformedPolicy,
} from './common.js';
import {
  KIND, iamArn, isoNow, newId, ownerKey, type AttachmentDoc, type ManagedPolicyDoc, type PermissionsBoundary, type RoleDoc,
} from './entities.js';
import { checkBoundaryPolicy, customerPolicyByArn } from './boundaries.js';
import { getAwsManagedPolicy } from './managed-policies/index.js';
import { instanceProfileOperations } from './instance-profiles.js';
import { assertModifiable, authorizedRole, getRoleEntity, instanceProfilesOfRole, noSuchRole, roleOutput } from './role-shapes.js';
import { providerOperations } from './providers.js';
import { insertAttachment } from './policy-attachments.js';
import { tagOperations, type TaggedFamily } from './tagging.js';

export { roleOutput, getRoleEntity, noSuchRole, assertModifiable } from './role-shapes.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_ROLES = 1000;
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** Kind of a service-linked role deletion task (key = the task id). Not read by the snapshot. */
export const SLR_DELETION_KIND = 'slr-deletion-task';

interface DeletionTaskDoc {
  DeletionTaskId: string;
  RoleArn: string;
  Status: 'SUCCEEDED';
  CreateDate: string;
}

/**
 * A trust policy: the trust grammar (Principal required, no Resource), then its own quota —
 * AWS reports an oversized trust policy as `Cannot exceed quota for ACLSizePerRole: 2048`.
 */
export function checkTrustPolicy(text: string): void {
  checkPolicyDocument(text, 'trust', Number.MAX_SAFE_INTEGER);
  if (policySize(text) > POLICY_LIMITS.trust) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${POLICY_LIMITS.trust}`);
}

/**
 * IAM checks that the users and roles a trust policy names exist when it is saved; one that does
 * not is `Invalid principal in policy: "AWS":"<arn>"`. Warden checks those of the caller's own
 * account (other accounts may live outside this Warden).
 */
export async function checkTrustPrincipals(tx: Pick<Tx, 'get'>, account: string, text: string): Promise<void> {
  const statements = (JSON.parse(text) as { Statement?: unknown }).Statement;
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    const principal = (st as { Principal?: unknown } | undefined)?.Principal;
    if (principal === null || typeof principal !== 'object') continue;
    const aws = (principal as Record<string, unknown>).AWS;
    for (const arn of Array.isArray(aws) ? aws : [aws]) {
      if (typeof arn !== 'string') continue;
      const m = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (!m || m[1] !== account) continue;
      const e = await tx.get<{ Arn: string }>(m[2] === 'user' ? KIND.user : KIND.role, account, m[3]);
      if (!e || e.data.Arn !== arn) throw malformedPolicy(`Invalid principal in policy: "AWS":"${arn}"`);
    }
  }
}

/** Keeps PermissionsBoundaryUsageCount of a customer managed policy up to date. */
export async function adjustBoundaryUsage(tx: Tx, account: string, arn: string | undefined, delta: number): Promise<void> {
  if (arn === undefined) return;
  const p = await customerPolicyByArn(tx, account, arn);
  if (!p) return;
  const data: ManagedPolicyDoc = { ...p.data, PermissionsBoundaryUsageCount: Math.max(0, p.data.PermissionsBoundaryUsageCount + delta) };
  await tx.update({ kind: KIND.policy, account, key: p.key, data });
}

function listResource(account: string, type: 'role', input: Record<string, unknown>): string {
  const prefix = optStr(input, 'PathPrefix');
  return `arn:aws:iam::${account}:${type}${prefix ?? '/'}`;
}

async function insertRole(tx: Tx, account: string, doc: RoleDoc, exists: () => Error): Promise<void> {
  if ((await tx.count(KIND.role, account)) >= MAX_ROLES) throw limitExceeded(`Cannot exceed quota for RolesPerAccount: ${MAX_ROLES}`);
  try {
    await tx.insert({ kind: KIND.role, account, key: doc.RoleName, id: doc.RoleId, data: doc });
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw exists();
    throw e;
  }
}

/** A new role as CreateRole and CreateServiceLinkedRole answer it: not yet used, so no RoleLastUsed. */
function createdRoleOutput(doc: RoleDoc): Record<string, unknown> {
  const out = roleOutput(doc, true);
  delete out.RoleLastUsed;
  return out;
}

/** A role in an instance profile cannot be deleted. */
async function checkNotInInstanceProfile(tx: Tx, account: string, roleName: string): Promise<void> {
  if ((await instanceProfilesOfRole(tx, account, roleName)).length > 0) {
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  }
}

// ---------------------------------------------------------------------------
// Service-linked roles. https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
// A role named AWSServiceRoleFor<Name> at /aws-service-role/<service principal>/, trusted by that
// service, with the service's AWS managed policy attached. Names and policies of services that
// differ from the default rule, with whether they accept a CustomSuffix.

interface LinkedService { name: string; policy?: string; suffix?: boolean; description?: string }

const LINKED_SERVICES: Record<string, LinkedService> = {
  'autoscaling.amazonaws.com': { name: 'AutoScaling', policy: 'AutoScalingServiceRolePolicy', suffix: true, description: 'Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling' },
  'elasticbeanstalk.amazonaws.com': { name: 'ElasticBeanstalk', policy: 'AWSElasticBeanstalkServiceRolePolicy' },
  'ecs.amazonaws.com': { name: 'ECS', policy: 'AmazonECSServiceRolePolicy' },
  'spot.amazonaws.com': { name: 'EC2Spot', policy: 'AWSEC2SpotServiceRolePolicy' },
  'spotfleet.amazonaws.com': { name: 'EC2SpotFleet' },
  'elasticloadbalancing.amazonaws.com': { name: 'ElasticLoadBalancing', policy: 'AWSElasticLoadBalancingServiceRolePolicy' },
  'rds.amazonaws.com': { name: 'RDS', policy: 'AmazonRDSServiceRolePolicy' },
  'es.amazonaws.com': { name: 'AmazonElasticsearchService', policy: 'AmazonElasticsearchServiceRolePolicy' },
  'opensearchservice.amazonaws.com': { name: 'AmazonOpenSearchService', policy: 'AmazonOpenSearchServiceRolePolicy' },
  'organizations.amazonaws.com': { name: 'Organizations', policy: 'AWSOrganizationsServiceTrustPolicy' },
  'eks.amazonaws.com': { name: 'AmazonEKS', policy: 'AmazonEKSServiceRolePolicy' },
  'config.amazonaws.com': { name: 'Config', policy: 'AWSConfigServiceRolePolicy' },
  'support.amazonaws.com': { name: 'Support', policy: 'AWSSupportServiceRolePolicy' },
  'trustedadvisor.amazonaws.com': { name: 'TrustedAdvisor', policy: 'AWSTrustedAdvisorServiceRolePolicy' },
  'sso.amazonaws.com': { name: 'SSO', policy: 'AWSSSOServiceRolePolicy' },
  'cloudtrail.amazonaws.com': { name: 'CloudTrail', policy: 'CloudTrailServiceRolePolicy' },
  'guardduty.amazonaws.com': { name: 'AmazonGuardDuty', policy: 'AmazonGuardDutyServiceRolePolicy' },
  'access-analyzer.amazonaws.com': { name: 'AccessAnalyzer', policy: 'AccessAnalyzerServiceRolePolicy' },
  'lex.amazonaws.com': { name: 'LexBots', suffix: true },
  'dynamodb.application-autoscaling.amazonaws.com': { name: 'ApplicationAutoScaling_DynamoDBTable', policy: 'AWSApplicationAutoscalingDynamoDBTablePolicy' },
};

const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/;

export function linkedService(serviceName: string): LinkedService {
  const known = LINKED_SERVICES[serviceName];
  if (known) return known;
  if (!SERVICE_PRINCIPAL.test(serviceName)) throw invalidInput(`Invalid service name ${serviceName}: expected a service principal such as elasticbeanstalk.amazonaws.com`);
  // The default rule: the service prefix, capitalised (ec2 → Ec2 would be wrong for some, which
  // is why the table above lists the ones whose names AWS spells otherwise).
  const prefix = serviceName.slice(0, serviceName.indexOf('.'));
  const name = prefix.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  return { name, suffix: true };
}

function serviceTrustPolicy(serviceName: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: serviceName }, Action: 'sts:AssumeRole' }],
  });
}

const DELETION_TASK = /^task\/aws-service-role\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})$/;

// ---------------------------------------------------------------------------

const ROLES: TaggedFamily<RoleDoc> = {
  name: 'Role', kind: KIND.role, sortTags: true,
  authorized: (ctx, tx, input, action, extra) => authorizedRole(ctx, tx, str(input, 'RoleName'), action, extra),
};

const ownRoleOperations: OperationTable = {
  async CreateRole(ctx, input) {
    const name = str(input, 'RoleName');
    const path = pathOf(input);
    const tags = tagsOf(input);
    const trust = str(input, 'AssumeRolePolicyDocument');
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'role', path, name);
    const boundaryArn = optStr(input, 'PermissionsBoundary');
    authorizeCreate(ctx, 'iam:CreateRole', 'iam:TagRole', arn, tags, { 'iam:PermissionsBoundary': boundaryArn });
    checkTrustPolicy(trust);
    const doc: RoleDoc = {
      RoleName: name, RoleId: newId('AROA'), Arn: arn, Path: path, CreateDate: isoNow(ctx.now),
      AssumeRolePolicyDocument: trust,
      MaxSessionDuration: typeof input.MaxSessionDuration === 'number' ? input.MaxSessionDuration : DEFAULT_MAX_SESSION_DURATION,
      Tags: mergeTags([], tags),
    };
    const description = optStr(input, 'Description');
    if (description !== undefined) doc.Description = description;
    return ctx.store.transaction(async (tx) => {
      if (boundaryArn !== undefined) doc.PermissionsBoundary = await checkBoundaryPolicy(tx, account, boundaryArn);
      await checkTrustPrincipals(tx, account, trust);
      await insertRole(tx, account, doc, () => entityAlreadyExists(`Role with name ${name} already exists.`));
      await adjustBoundaryUsage(tx, account, boundaryArn, +1);
      return { Role: createdRoleOutput(doc) };
    });
  },

  async GetRole(ctx, input) {
    const name = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    const r = ctx.principals?.role(account, name) ?? (await ctx.store.read((tx) => tx.get<RoleDoc>(KIND.role, account, name)))?.data;
    ctx.authorize('iam:GetRole', r ? r.Arn : iamArn(account, 'role', '/', name), resourceTagKeys(r?.Tags));
    if (!r) throw noSuchRole(name);
    return { Role: roleOutput(r, true) };
  },

  async ListRoles(ctx, input) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListRoles', listResource(account, 'role', input));
    const all = await ctx.store.read((tx) => listAll<RoleDoc>(tx, KIND.role, account));
    const page = paginate(all.filter((r) => matchesPathPrefix(r.data.Path, input)), (r) => r.key, input);
    return { Roles: page.items.map((r) => roleOutput(r.data, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateRole(ctx, input) {
    const name = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    const description = optStr(input, 'Description');
    const duration = typeof input.MaxSessionDuration === 'number' ? input.MaxSessionDuration : undefined;
    return ctx.store.transaction(async (tx) => {
      const r = await authorizedRole(ctx, tx, name, 'iam:UpdateRole');
      if (duration !== undefined && r.data.ServiceLinked !== undefined) {
        throw iamError('UnmodifiableEntity', `${r.data.RoleName} is an AWS service linked role, max session duration cannot be changed.`);
      }
      const doc: RoleDoc = { ...r.data };
      if (description !== undefined) doc.Description = description;
      if (duration !== undefined) doc.MaxSessionDuration = duration;
      await tx.update({ kind: KIND.role, account, key: r.key, data: doc });
      return {};
    });
  },

  async UpdateRoleDescription(ctx, input) {
    const name = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    const description = str(input, 'Description');
    return ctx.store.transaction(async (tx) => {
      const r = await authorizedRole(ctx, tx, name, 'iam:UpdateRoleDescription');
      const doc: RoleDoc = { ...r.data, Description: description };
      await tx.update({ kind: KIND.role, account, key: r.key, data: doc });
      return { Role: roleOutput(doc, true) };
    });
  },

  async UpdateAssumeRolePolicy(ctx, input) {
    const name = str(input, 'RoleName');
    const text = str(input, 'PolicyDocument');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const r = await authorizedRole(ctx, tx, name, 'iam:UpdateAssumeRolePolicy');
      assertModifiable(r.data);
      checkTrustPolicy(text);
      await checkTrustPrincipals(tx, account, text);
      await tx.update({ kind: KIND.role, account, key: r.key, data: { ...r.data, AssumeRolePolicyDocument: text } });
      return undefined;
    });
  },

  async DeleteRole(ctx, input) {
    const name = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const r = await authorizedRole(ctx, tx, name, 'iam:DeleteRole');
      assertModifiable(r.data);
      await checkNotInInstanceProfile(tx, account, r.data.RoleName);
      const parent = ownerKey('role', r.data.RoleName);
      if ((await tx.count(KIND.attachment, account, { parent })) > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if ((await tx.count(KIND.inlinePolicy, account, { parent })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      await tx.delete(KIND.role, account, r.key);
      await adjustBoundaryUsage(tx, account, r.data.PermissionsBoundary?.PermissionsBoundaryArn, -1);
      return undefined;
    });
  },

  ...tagOperations(ROLES),

  async PutRolePermissionsBoundary(ctx, input) {
    const name = str(input, 'RoleName');
    const boundaryArn = str(input, 'PermissionsBoundary');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const r = await authorizedRole(ctx, tx, name, 'iam:PutRolePermissionsBoundary', { 'iam:PermissionsBoundary': boundaryArn });
      assertModifiable(r.data);
      const boundary: PermissionsBoundary = await checkBoundaryPolicy(tx, account, boundaryArn);
      const previous = r.data.PermissionsBoundary?.PermissionsBoundaryArn;
      await tx.update({ kind: KIND.role, account, key: r.key, data: { ...r.data, PermissionsBoundary: boundary } });
      if (previous !== boundaryArn) {
        await adjustBoundaryUsage(tx, account, previous, -1);
        await adjustBoundaryUsage(tx, account, boundaryArn, +1);
      }
      return undefined;
    });
  },

  async DeleteRolePermissionsBoundary(ctx, input) {
    const name = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const r = await getRoleEntity(tx, account, name);
      const previous = r.data.PermissionsBoundary?.PermissionsBoundaryArn;
      ctx.authorize('iam:DeleteRolePermissionsBoundary', r.data.Arn, { ...resourceTagKeys(r.data.Tags), 'iam:PermissionsBoundary': previous });
      assertModifiable(r.data);
      const { PermissionsBoundary: _, ...rest } = r.data;
      await tx.update({ kind: KIND.role, account, key: r.key, data: rest as RoleDoc });
      await adjustBoundaryUsage(tx, account, previous, -1);
      return undefined;
    });
  },

  async CreateServiceLinkedRole(ctx, input) {
    const serviceName = str(input, 'AWSServiceName');
    const suffix = optStr(input, 'CustomSuffix');
    const account = ctx.caller.accountId;
    const service = linkedService(serviceName);
    const name = `AWSServiceRoleFor${service.name}${suffix !== undefined ? `_${suffix}` : ''}`;
    const path = `/aws-service-role/${serviceName}/`;
    const arn = iamArn(account, 'role', path, name);
    ctx.authorize('iam:CreateServiceLinkedRole', arn, { 'iam:AWSServiceName': serviceName });
    if (suffix !== undefined && service.suffix !== true) throw invalidInput(`Custom suffix is not allowed for ${serviceName}`);
    if (name.length > 64) throw invalidInput(`Role name ${name} is longer than 64 characters; use a shorter custom suffix.`);
    const doc: RoleDoc = {
      RoleName: name, RoleId: newId('AROA'), Arn: arn, Path: path, CreateDate: isoNow(ctx.now),
      AssumeRolePolicyDocument: serviceTrustPolicy(serviceName),
      MaxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
      Tags: [],
      ServiceLinked: serviceName,
    };
    const description = optStr(input, 'Description') ?? service.description;
    if (description !== undefined) doc.Description = description;
    return ctx.store.transaction(async (tx) => {
      await insertRole(tx, account, doc, () => invalidInput(`Service role name ${name} has been taken in this account, please try a different suffix.`));
      const policyArn = service.policy ? `arn:aws:iam::aws:policy/aws-service-role/${service.policy}` : undefined;
      const policy = policyArn ? getAwsManagedPolicy(policyArn) : undefined;
      if (policyArn && policy) {
        await insertAttachment(tx, account, ownerKey('role', name), { OwnerType: 'role', OwnerName: name, PolicyArn: policyArn, PolicyName: policy.PolicyName });
      }
      return { Role: createdRoleOutput(doc) };
    });
  },

  async DeleteServiceLinkedRole(ctx, input) {
    const name = str(input, 'RoleName');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const r = await authorizedRole(ctx, tx, name, 'iam:DeleteServiceLinkedRole');
      if (r.data.ServiceLinked === undefined) throw invalidInput(`Role ${r.data.RoleName} is not a service-linked role; use DeleteRole.`);
      await checkNotInInstanceProfile(tx, account, r.data.RoleName);
      // The service's own policies go with the role (AWS deletes the role's resources with it).
      const owner = ownerKey('role', r.data.RoleName);
      for (const a of await listAll<AttachmentDoc>(tx, KIND.attachment, account, owner)) {
        await tx.delete(KIND.policyAttachment, account, `${a.data.PolicyArn}|${owner}`);
        const p = await customerPolicyByArn(tx, account, a.data.PolicyArn);
        if (p) await tx.update({ kind: KIND.policy, account, key: p.key, data: { ...p.data, AttachmentCount: Math.max(0, p.data.AttachmentCount - 1) } });
      }
      await tx.deleteChildren(KIND.attachment, account, owner);
      await tx.deleteChildren(KIND.inlinePolicy, account, owner);
      await tx.delete(KIND.role, account, r.key);
      await adjustBoundaryUsage(tx, account, r.data.PermissionsBoundary?.PermissionsBoundaryArn, -1);
      const id = `task/aws-service-role/${r.data.ServiceLinked}/${r.data.RoleName}/${randomUUID()}`;
      const task: DeletionTaskDoc = { DeletionTaskId: id, RoleArn: r.data.Arn, Status: 'SUCCEEDED', CreateDate: isoNow(ctx.now) };
      await tx.insert({ kind: SLR_DELETION_KIND, account, key: id, data: task });
      return { DeletionTaskId: id };
    });
  },

  async GetServiceLinkedRoleDeletionStatus(ctx, input) {
    const id = str(input, 'DeletionTaskId');
    const account = ctx.caller.accountId;
    const m = DELETION_TASK.exec(id);
    if (!m) throw invalidInput(`Invalid deletion task id ${id}.`);
    const task = await ctx.store.read((tx) => tx.get<DeletionTaskDoc>(SLR_DELETION_KIND, account, id));
    ctx.authorize('iam:GetServiceLinkedRoleDeletionStatus', task ? task.data.RoleArn : iamArn(account, 'role', `/aws-service-role/${m[1]}/`, m[2]));
    if (!task) throw noSuchEntity(`Deletion task ${id} cannot be found.`);
    return { Status: task.data.Status };
  },
};

export const roleOperations: OperationTable = {
  ...ownRoleOperations,
  ...instanceProfileOperations,
  ...providerOperations,
};
