// Policies: CreatePolicy, DescribePolicy, UpdatePolicy, DeletePolicy, ListPolicies,
// ListPoliciesForTarget, ListTargetsForPolicy, AttachPolicy, DetachPolicy, EnablePolicyType,
// DisablePolicyType. Service control policies and resource control policies are validated with
// the engine's grammar for their type; tag policies are stored after a JSON check.
import type { CallContext, OperationTable } from '../types.js';
import type { ReadTx } from '../../store/index.js';
import { parsePolicy } from '../../policy/index.js';
import { listAll } from '../iam/common.js';
import {
  AWS_MANAGED, OKIND, ORG_ACCOUNT, SUPPORTED_POLICY_TYPES, authorize, awsManagedById, callerOrg, constraint, defaultPolicyOf,
  getTarget, invalidInput, listOrg, mergeTags, newPolicyId, orgError, page, policyArn, policyNotFound, requestTagKeys, requireDelegable,
  resourceTagKeys, str, optStr, tagsOf, targetNotFound,
  type AwsManagedOrgPolicy, type MemberDoc, type OrgAttachmentDoc, type OrgPolicyDoc, type OrganizationDoc, type OuDoc,
  type PolicyTypeName, type RootDoc,
} from './common.js';
import { attach, delegableOn, detach, enabledTypes, findTarget, targetArnFor } from './tree.js';
import { rootOutput } from './organization.js';

// Organizations quotas: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
export const MAX_POLICY_SIZE: Record<PolicyTypeName, number> = {
  SERVICE_CONTROL_POLICY: 5120,
  RESOURCE_CONTROL_POLICY: 5120,
  TAG_POLICY: 10000,
};
/** Policies of one type attached to one root, OU or account (AWS managed RCPFullAWSAccess not counted). */
export const MAX_ATTACHMENTS = 5;
/** Policies of one type in an organization. */
export const MAX_POLICIES = 1000;

type AnyPolicy = { doc: OrgPolicyDoc | AwsManagedOrgPolicy; managed: boolean };

function summary(p: AnyPolicy): Record<string, unknown> {
  const d = p.doc;
  return { Id: d.Id, Arn: d.Arn, Name: d.Name, Description: d.Description, Type: d.Type, AwsManaged: p.managed };
}

/** A policy visible to `org` (its own, or AWS managed), or undefined. */
async function findPolicy(tx: ReadTx, org: OrganizationDoc, id: string): Promise<AnyPolicy | undefined> {
  const m = awsManagedById(id);
  if (m) return { doc: m, managed: true };
  const p = await tx.get<OrgPolicyDoc>(OKIND.policy, ORG_ACCOUNT, id);
  return p && p.data.OrgId === org.Id ? { doc: p.data, managed: false } : undefined;
}

function policyArnFor(org: OrganizationDoc, id: string, existing: AnyPolicy | undefined): string {
  if (existing) return existing.doc.Arn;
  return `arn:aws:organizations::${org.MasterAccountId}:policy/${org.Id}/*/${id}`;
}

function isSupported(type: string): type is PolicyTypeName {
  return (SUPPORTED_POLICY_TYPES as readonly string[]).includes(type);
}

const notAvailable = () => orgError('PolicyTypeNotAvailableForOrganizationException',
  "You can't use the specified policy type with the feature set currently enabled for this organization.");

/** Grammar and size check for a policy of `type`; MalformedPolicyDocumentException as AWS words it. */
export function checkContent(type: PolicyTypeName, content: string): void {
  if (content.length > MAX_POLICY_SIZE[type]) {
    throw constraint('POLICY_CONTENT_LIMIT_EXCEEDED', 'You attempted to create a policy larger than the maximum size.');
  }
  const malformed = () => orgError('MalformedPolicyDocumentException', 'The provided policy document does not meet the requirements of the specified policy type.');
  if (type === 'TAG_POLICY') {
    let v: unknown;
    try { v = JSON.parse(content); } catch { throw malformed(); }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed();
    return;
  }
  const parsed = parsePolicy(content, { type: type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp' });
  if (!parsed.ok) throw malformed();
}

/**
 * What DescribePolicy, UpdatePolicy, DeletePolicy and ListTargetsForPolicy share: the policy is
 * the request's resource (its type and its tags as condition keys: the Service Authorization
 * Reference gives `aws:ResourceTag/*` and `organizations:PolicyType` for the policy resource type,
 * so for every action on it) and
 * is authorized before anything else; then it must exist in the caller's organization, and with
 * `own` it must be one the organization may change (not AWS managed).
 */
async function policyRequest(
  tx: ReadTx, ctx: CallContext, action: string, id: string, mode: 'read' | 'write', opts: { own?: boolean } = {},
) {
  const c = await callerOrg(tx, ctx);
  const p = c ? await findPolicy(tx, c.org, id) : undefined;
  const tags = resourceTagKeys(p && !p.managed ? (p.doc as OrgPolicyDoc).Tags : undefined);
  const check = authorize(ctx, action, c ? policyArnFor(c.org, id, p) : '*', { ...tags, 'organizations:PolicyType': p?.doc.Type });
  const org = await requireDelegable(tx, ctx, c, mode, [check]);
  if (!p) throw policyNotFound();
  if (opts.own && p.managed) throw invalidInput('IMMUTABLE_POLICY', "You specified a policy that is managed by AWS and can't be modified.");
  return { org, p };
}

async function targetSummary(tx: ReadTx, a: OrgAttachmentDoc): Promise<Record<string, unknown> | undefined> {
  const kind = a.TargetType === 'ROOT' ? OKIND.root : a.TargetType === 'ORGANIZATIONAL_UNIT' ? OKIND.ou : OKIND.account;
  const t = await tx.get<RootDoc | OuDoc | MemberDoc>(kind, ORG_ACCOUNT, a.TargetId);
  return t ? { TargetId: t.data.Id, Arn: t.data.Arn, Name: t.data.Name, Type: a.TargetType } : undefined;
}

/**
 * What AttachPolicy and DetachPolicy share: the policy and the target are both resources of the
 * request (each with its tags and the policy type as condition keys) and are authorized before
 * anything else; then each must exist in the caller's
 * organization. `attached` says whether the policy is already attached to the target.
 */
async function attachmentRequest(tx: ReadTx, ctx: CallContext, action: string, input: Record<string, unknown>) {
  const id = str(input, 'PolicyId');
  const targetId = str(input, 'TargetId');
  const c = await callerOrg(tx, ctx);
  const p = c ? await findPolicy(tx, c.org, id) : undefined;
  // Each resource's own tags are its aws:ResourceTag keys (read before the decision; existence is
  // only reported after it).
  const policyTags = resourceTagKeys(p && !p.managed ? (p.doc as OrgPolicyDoc).Tags : undefined);
  const targetTags = resourceTagKeys(c ? (await findTarget(tx, c.org, targetId))?.tags : undefined);
  const checks = [
    { action, resource: c ? policyArnFor(c.org, id, p) : '*', extra: { ...policyTags, 'organizations:PolicyType': p?.doc.Type } },
    ...(c ? [{ action, resource: targetArnFor(c.org, targetId), extra: { ...targetTags, 'organizations:PolicyType': p?.doc.Type } }] : []),
  ];
  for (const k of checks) authorize(ctx, k.action, k.resource, k.extra);
  const org = await requireDelegable(tx, ctx, c, 'write', checks);
  if (!p) throw policyNotFound();
  const t = await findTarget(tx, org, targetId);
  if (!t) throw targetNotFound();
  const attached = Boolean(await tx.get(OKIND.attachment, ORG_ACCOUNT, `${t.id}|${p.doc.Id}`));
  return { org, p, t, attached };
}

/** The attachments of policies of `type` to a target. */
async function attachmentsOfType(tx: ReadTx, targetId: string, type: PolicyTypeName) {
  return (await listAll<OrgAttachmentDoc>(tx, OKIND.attachment, ORG_ACCOUNT, targetId)).filter((a) => a.data.PolicyType === type);
}

/**
 * What EnablePolicyType and DisablePolicyType share: the root is the resource (the policy type a
 * condition key), authorized before anything else, and must be the caller's organization's.
 */
async function policyTypeRequest(tx: ReadTx, ctx: CallContext, action: string, rootId: string, type: string) {
  const org = await delegableOn(tx, ctx, 'write', action, rootId, { 'organizations:PolicyType': type });
  return { org, r: await getTarget(tx, org, OKIND.root, rootId) };
}

export const policyOperations: OperationTable = {
  async CreatePolicy(ctx, input) {
    const content = str(input, 'Content');
    const name = str(input, 'Name');
    const description = str(input, 'Description');
    const type = str(input, 'Type');
    const tags = tagsOf(input);
    authorize(ctx, 'organizations:CreatePolicy', '*', { ...requestTagKeys(tags), 'organizations:PolicyType': type });
    if (tags.length > 0) authorize(ctx, 'organizations:TagResource', '*', requestTagKeys(tags));
    return ctx.store.transaction(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'write', [
        { action: 'organizations:CreatePolicy', resource: '*', extra: { ...requestTagKeys(tags), 'organizations:PolicyType': type } },
      ]);
      if (!isSupported(type)) throw notAvailable();
      checkContent(type, content);
      const existing = (await listOrg<OrgPolicyDoc>(tx, OKIND.policy, org.Id, org.Id)).filter((p) => p.data.Type === type);
      if (existing.some((p) => p.data.Name === name)) throw orgError('DuplicatePolicyException', 'A policy with the same name already exists.');
      if (existing.length >= MAX_POLICIES) {
        throw constraint('POLICY_NUMBER_LIMIT_EXCEEDED', 'You attempted to exceed the number of policies that you can have in an organization.');
      }
      const id = newPolicyId();
      const doc: OrgPolicyDoc = {
        Id: id, Arn: policyArn(org.MasterAccountId, org.Id, type, id), Name: name, Description: description, Type: type,
        Content: content, OrgId: org.Id, Tags: mergeTags([], tags),
      };
      await tx.insert({ kind: OKIND.policy, account: ORG_ACCOUNT, key: id, id, parent: org.Id, data: doc });
      return { Policy: { PolicySummary: summary({ doc, managed: false }), Content: content } };
    });
  },

  async DescribePolicy(ctx, input) {
    const id = str(input, 'PolicyId');
    return ctx.store.read(async (tx) => {
      const { p } = await policyRequest(tx, ctx, 'organizations:DescribePolicy', id, 'read');
      return { Policy: { PolicySummary: summary(p), Content: p.doc.Content } };
    });
  },

  async UpdatePolicy(ctx, input) {
    const id = str(input, 'PolicyId');
    const name = optStr(input, 'Name');
    const description = optStr(input, 'Description');
    const content = optStr(input, 'Content');
    return ctx.store.transaction(async (tx) => {
      const { org, p } = await policyRequest(tx, ctx, 'organizations:UpdatePolicy', id, 'write', { own: true });
      const doc: OrgPolicyDoc = { ...(p.doc as OrgPolicyDoc) };
      if (content !== undefined) { checkContent(doc.Type, content); doc.Content = content; }
      if (description !== undefined) doc.Description = description;
      if (name !== undefined && name !== doc.Name) {
        const siblings = await listOrg<OrgPolicyDoc>(tx, OKIND.policy, org.Id, org.Id);
        if (siblings.some((s) => s.data.Type === doc.Type && s.data.Name === name)) throw orgError('DuplicatePolicyException', 'A policy with the same name already exists.');
        doc.Name = name;
      }
      await tx.update({ kind: OKIND.policy, account: ORG_ACCOUNT, key: id, data: doc });
      return { Policy: { PolicySummary: summary({ doc, managed: false }), Content: doc.Content } };
    });
  },

  async DeletePolicy(ctx, input) {
    const id = str(input, 'PolicyId');
    return ctx.store.transaction(async (tx) => {
      const { org } = await policyRequest(tx, ctx, 'organizations:DeletePolicy', id, 'write', { own: true });
      if ((await tx.count(OKIND.policyTarget, ORG_ACCOUNT, { parent: `${org.Id}/${id}` })) > 0) {
        throw orgError('PolicyInUseException',
          'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.');
      }
      await tx.delete(OKIND.policy, ORG_ACCOUNT, id);
      return undefined;
    });
  },

  async ListPolicies(ctx, input) {
    const type = str(input, 'Filter');
    authorize(ctx, 'organizations:ListPolicies', '*', { 'organizations:PolicyType': type });
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [
        { action: 'organizations:ListPolicies', resource: '*', extra: { 'organizations:PolicyType': type } },
      ]);
      const own = (await listOrg<OrgPolicyDoc>(tx, OKIND.policy, org.Id, org.Id)).filter((p) => p.data.Type === type);
      const all: AnyPolicy[] = [
        ...AWS_MANAGED.filter((m) => m.Type === type).map((m) => ({ doc: m, managed: true })),
        ...own.map((p) => ({ doc: p.data, managed: false })),
      ];
      all.sort((a, b) => (a.doc.Id.toLowerCase() < b.doc.Id.toLowerCase() ? -1 : 1));
      const p = page(all, (x) => x.doc.Id.toLowerCase(), input);
      return { Policies: p.items.map(summary), NextToken: p.NextToken };
    });
  },

  async ListPoliciesForTarget(ctx, input) {
    const targetId = str(input, 'TargetId');
    const type = str(input, 'Filter');
    return ctx.store.read(async (tx) => {
      const org = await delegableOn(tx, ctx, 'read', 'organizations:ListPoliciesForTarget', targetId, { 'organizations:PolicyType': type });
      const t = await findTarget(tx, org, targetId);
      if (!t) throw targetNotFound();
      const rows: AnyPolicy[] = [];
      for (const a of await listAll<OrgAttachmentDoc>(tx, OKIND.attachment, ORG_ACCOUNT, t.id)) {
        if (a.data.PolicyType !== type) continue;
        const p = await findPolicy(tx, org, a.data.PolicyId);
        if (p) rows.push(p);
      }
      const p = page(rows, (x) => x.doc.Id.toLowerCase(), input);
      return { Policies: p.items.map(summary), NextToken: p.NextToken };
    });
  },

  async ListTargetsForPolicy(ctx, input) {
    const id = str(input, 'PolicyId');
    return ctx.store.read(async (tx) => {
      const { org, p } = await policyRequest(tx, ctx, 'organizations:ListTargetsForPolicy', id, 'read');
      const rows: Record<string, unknown>[] = [];
      for (const a of await listAll<OrgAttachmentDoc>(tx, OKIND.policyTarget, ORG_ACCOUNT, `${org.Id}/${p.doc.Id}`)) {
        const s = await targetSummary(tx, a.data);
        if (s) rows.push(s);
      }
      const pg = page(rows, (r) => String(r.TargetId).toLowerCase(), input);
      return { Targets: pg.items, NextToken: pg.NextToken };
    });
  },

  async AttachPolicy(ctx, input) {
    return ctx.store.transaction(async (tx) => {
      const { org, p, t, attached } = await attachmentRequest(tx, ctx, 'organizations:AttachPolicy', input);
      if (!(await enabledTypes(tx, org)).has(p.doc.Type)) {
        throw orgError('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.');
      }
      if (attached) {
        throw orgError('DuplicatePolicyAttachmentException', 'A policy with the specified name and type already exists.');
      }
      const counted = (await attachmentsOfType(tx, t.id, p.doc.Type)).filter((a) => a.data.PolicyId !== 'p-RCPFullAWSAccess');
      if (counted.length >= MAX_ATTACHMENTS && !(p.managed && p.doc.Type === 'RESOURCE_CONTROL_POLICY')) {
        throw constraint('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
          'You have attached the maximum number of policies to the specified target.');
      }
      await attach(tx, org, p.doc.Id, p.doc.Type, t.id, t.type);
      return undefined;
    });
  },

  async DetachPolicy(ctx, input) {
    return ctx.store.transaction(async (tx) => {
      const { p, t, attached } = await attachmentRequest(tx, ctx, 'organizations:DetachPolicy', input);
      if (!attached) {
        throw orgError('PolicyNotAttachedException', "The policy isn't attached to the specified target in the specified root.");
      }
      // RCPFullAWSAccess stays attached while RCPs are enabled.
      if (p.managed && p.doc.Type === 'RESOURCE_CONTROL_POLICY') {
        throw invalidInput('NON_DETACHABLE_POLICY', "You can't detach this AWS Managed Policy.");
      }
      // Every root, OU and account keeps at least one SCP.
      if (p.doc.Type === 'SERVICE_CONTROL_POLICY') {
        const scps = await attachmentsOfType(tx, t.id, p.doc.Type);
        if (scps.length <= 1) {
          throw constraint('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
            'You cannot remove the last policy attached to the specified target. You must have at least one attached at all times.');
        }
      }
      await detach(tx, p.doc.Id, t.id);
      return undefined;
    });
  },

  async EnablePolicyType(ctx, input) {
    const type = str(input, 'PolicyType');
    return ctx.store.transaction(async (tx) => {
      const { org, r } = await policyTypeRequest(tx, ctx, 'organizations:EnablePolicyType', str(input, 'RootId'), type);
      if (!isSupported(type)) throw notAvailable();
      if (org.FeatureSet !== 'ALL') {
        throw constraint('ORGANIZATION_NOT_IN_ALL_FEATURES_MODE', 'You attempted to perform an operation that requires the organization to be configured to support all features.');
      }
      if (r.data.PolicyTypes.some((t) => t.Type === type)) {
        throw orgError('PolicyTypeAlreadyEnabledException', 'The specified policy type is already enabled.');
      }
      const doc: RootDoc = { ...r.data, PolicyTypes: [...r.data.PolicyTypes, { Type: type, Status: 'ENABLED' }] };
      await tx.update({ kind: OKIND.root, account: ORG_ACCOUNT, key: doc.Id, data: doc });
      // AWS attaches the type's default policy to the root, every OU and every account.
      const d = defaultPolicyOf(type);
      if (d) {
        await attach(tx, org, d.Id, d.Type, doc.Id, 'ROOT');
        for (const o of await listOrg<OuDoc>(tx, OKIND.ou, org.Id)) await attach(tx, org, d.Id, d.Type, o.data.Id, 'ORGANIZATIONAL_UNIT');
        for (const a of await listOrg<MemberDoc>(tx, OKIND.account, org.Id)) await attach(tx, org, d.Id, d.Type, a.data.Id, 'ACCOUNT');
      }
      return { Root: rootOutput(doc) };
    });
  },

  async DisablePolicyType(ctx, input) {
    const type = str(input, 'PolicyType');
    return ctx.store.transaction(async (tx) => {
      const { org, r } = await policyTypeRequest(tx, ctx, 'organizations:DisablePolicyType', str(input, 'RootId'), type);
      if (!r.data.PolicyTypes.some((t) => t.Type === type)) {
        throw orgError('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.');
      }
      // Disabling a type detaches every policy of that type from every target.
      for (const a of await listOrg<OrgAttachmentDoc>(tx, OKIND.attachment, org.Id)) {
        if (a.data.PolicyType === type) await detach(tx, a.data.PolicyId, a.data.TargetId);
      }
      const doc: RootDoc = { ...r.data, PolicyTypes: r.data.PolicyTypes.filter((t) => t.Type !== type) };
      await tx.update({ kind: OKIND.root, account: ORG_ACCOUNT, key: doc.Id, data: doc });
      return { Root: rootOutput(doc) };
    });
  },
};
