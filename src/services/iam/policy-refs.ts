// Managed policies by ARN: parsing the ARN, finding the policy (customer managed in this account,
// or AWS managed from the catalog in managed-policies/), authorizing an operation on it, and the
// counts of its use. Shared by policies.ts, policy-versions.ts and policy-attachments.ts.
//
// Customer managed policies keep AttachmentCount in their document; PermissionsBoundaryUsageCount
// is computed when read (users.ts and roles.ts set boundaries without touching the policy).
import type { Entity, ReadTx, Tx } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext } from '../types.js';
import { invalidInput, listAll, noSuchEntity, resourceTagKeys } from './common.js';
import { KIND, type AttachmentDoc, type ManagedPolicyDoc, type RoleDoc, type UserDoc } from './entities.js';
import { getAwsManagedPolicy, type AwsManagedPolicy } from './managed-policies/index.js';


interface ParsedPolicyArn { account: string; path: string; name: string }

/** `arn:aws:iam::123456789012:policy/path/Name` or `arn:aws:iam::aws:policy/…`; InvalidInput otherwise. */
export function parsePolicyArn(arn: string): ParsedPolicyArn {
  const m = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[^/]+\/)*)([^/]+)$/.exec(arn);
  if (!m) throw invalidInput(`ARN ${arn} is not valid.`);
  return { account: m[1], path: m[2], name: m[3] };
}

/** A managed policy: customer managed (in this account) or AWS managed. */
export type PolicyRef =
  | { type: 'customer'; arn: string; name: string; path: string; entity: Entity<ManagedPolicyDoc> }
  | { type: 'aws'; arn: string; name: string; path: string; aws: AwsManagedPolicy };

export async function findPolicy(tx: Pick<ReadTx, 'get'>, account: string, arn: string): Promise<PolicyRef | undefined> {
  const parsed = parsePolicyArn(arn);
  if (parsed.account === 'aws') {
    const aws = getAwsManagedPolicy(arn);
    return aws ? { type: 'aws', arn, name: aws.PolicyName, path: aws.Path, aws } : undefined;
  }
  if (parsed.account !== account) return undefined;
  const p = await tx.get<ManagedPolicyDoc>(KIND.policy, account, parsed.name);
  if (!p || p.data.Arn !== arn) return undefined;
  return { type: 'customer', arn, name: p.data.PolicyName, path: p.data.Path, entity: p };
}

export const policyNotFound = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);

/** Looks a policy up, authorizes `action` on its ARN, then throws NoSuchEntity if it is missing. */
export async function authorizedPolicy(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, arn: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<PolicyRef> {
  parsePolicyArn(arn);
  const ref = await findPolicy(tx, ctx.caller.accountId, arn);
  ctx.authorize(action, arn, { ...(ref?.type === 'customer' ? resourceTagKeys(ref.entity.data.Tags) : {}), ...extra });
  if (!ref) throw policyNotFound(arn);
  return ref;
}

/** A customer managed policy as PolicyRef has it. */
export type CustomerPolicyRef = Extract<PolicyRef, { type: 'customer' }>;

/** The customer managed policy an operation modifies; AWS managed ones cannot be modified. */
export async function authorizedCustomerPolicy(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, arn: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<CustomerPolicyRef> {
  const ref = await authorizedPolicy(ctx, tx, arn, action, extra);
  if (ref.type !== 'customer') throw policyNotFound(arn);
  return ref;
}

// ---------------------------------------------------------------------------
// Usage counts.

/** How many users and roles use each policy ARN as their permissions boundary. */
export async function boundaryUsage(tx: ReadTx, account: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const users = await listAll<UserDoc>(tx, KIND.user, account);
  const roles = await listAll<RoleDoc>(tx, KIND.role, account);
  for (const e of [...users, ...roles]) {
    const arn = e.data.PermissionsBoundary?.PermissionsBoundaryArn;
    if (arn) out.set(arn, (out.get(arn) ?? 0) + 1);
  }
  return out;
}

/** How many users, groups and roles each policy ARN is attached to. */
export async function attachmentCounts(tx: ReadTx, account: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const a of await listAll<AttachmentDoc>(tx, KIND.policyAttachment, account)) {
    out.set(a.data.PolicyArn, (out.get(a.data.PolicyArn) ?? 0) + 1);
  }
  return out;
}

/** Recounts a customer managed policy's attachments into its document (inside the write). */
export async function refreshAttachmentCount(tx: Tx, account: string, ref: PolicyRef): Promise<void> {
  if (ref.type !== 'customer') return;
  const p = await tx.get<ManagedPolicyDoc>(KIND.policy, account, ref.entity.key);
  if (!p) return;
  const n = await tx.count(KIND.policyAttachment, account, { parent: ref.arn });
  await tx.update({ kind: KIND.policy, account, key: p.key, data: { ...p.data, AttachmentCount: n } });
}

// ---------------------------------------------------------------------------
// Dates.

/** AWS's timestamp format (the catalog has milliseconds). */
export function awsDate(d: string | undefined): string | undefined {
  return d?.replace(/\.\d{3}Z$/, 'Z');
}