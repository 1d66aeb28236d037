// Permissions boundaries: the policy must be a managed policy that exists (customer managed in
// the account, or AWS managed).
import type { ReadTx } from '../../store/index.js';
import { iamError } from './common.js';
import { KIND, type ManagedPolicyDoc, type PermissionsBoundary } from './entities.js';
import { getAwsManagedPolicy } from './managed-policies/index.js';

/** The customer managed policy of an ARN in this account, or undefined. */
export async function customerPolicyByArn(tx: Pick<ReadTx, 'get'>, account: string, arn: string) {
  const m = /^arn:aws:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m || m[1] !== account) return undefined;
  const p = await tx.get<ManagedPolicyDoc>(KIND.policy, account, m[2]);
  return p && p.data.Arn === arn ? p : undefined;
}

export async function checkBoundaryPolicy(tx: Pick<ReadTx, 'get'>, account: string, arn: string): Promise<PermissionsBoundary> {
  const exists = getAwsManagedPolicy(arn) !== undefined || (await customerPolicyByArn(tx, account, arn)) !== undefined;
  if (!exists) throw iamError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
  return { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn };
}
