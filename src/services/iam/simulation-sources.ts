// The simulator's policy sources (PolicySourceArn): the policies of a user (and its groups),
// group or role, read from the store, with the user's or role's permissions boundary.
import type { ReadTx } from '../../store/index.js';
import { getAwsManagedPolicy } from './managed-policies/index.js';
import { invalidInput, listAll, noSuchEntity } from './common.js';
import {
  KIND, ownerKey, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc, type ManagedPolicyDoc, type MembershipDoc,
  type OwnerType, type PolicyVersionDoc, type RoleDoc, type UserDoc,
} from './entities.js';

const SOURCE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(user|group|role)(\/(?:[^/]*\/)*)?([^/]+)$/;
export const USER_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):user(\/(?:[^/]*\/)*)?([^/]+)$/;
export const ACCOUNT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

interface SourceEntity {
  type: OwnerType;
  name: string;
  arn: string;
  accountId: string;
  /** Policies with their text: inline and attached, and for users their groups'. */
  policies: { sourceId: string; sourceType: string; text: string; key: string }[];
  boundary?: { sourceId: string; text: string };
}

async function managedText(tx: ReadTx, account: string, arn: string): Promise<{ text: string; aws: boolean } | undefined> {
  if (arn.includes(':aws:policy/')) {
    const p = getAwsManagedPolicy(arn);
    return p ? { text: p.Document, aws: true } : undefined;
  }
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const pol = await tx.get<ManagedPolicyDoc>(KIND.policy, account, name);
  if (!pol || pol.data.Arn !== arn) return undefined;
  const v = await tx.get<PolicyVersionDoc>(KIND.policyVersion, account, `${name}|${pol.data.DefaultVersionId}`);
  return v ? { text: v.data.Document, aws: false } : undefined;
}

async function ownPolicies(tx: ReadTx, account: string, type: OwnerType, name: string): Promise<SourceEntity['policies']> {
  const owner = ownerKey(type, name);
  const out: SourceEntity['policies'] = [];
  for (const e of await listAll<InlinePolicyDoc>(tx, KIND.inlinePolicy, account, owner)) {
    out.push({ sourceId: e.data.PolicyName, sourceType: type, text: e.data.PolicyDocument, key: `${owner}|${e.data.PolicyName}` });
  }
  for (const e of await listAll<AttachmentDoc>(tx, KIND.attachment, account, owner)) {
    const m = await managedText(tx, account, e.data.PolicyArn);
    if (m) out.push({ sourceId: e.data.PolicyName, sourceType: m.aws ? 'aws-managed' : 'user-managed', text: m.text, key: `${owner}|${e.data.PolicyArn}` });
  }
  return out;
}

export async function loadSource(tx: ReadTx, account: string, arn: string): Promise<SourceEntity> {
  const m = SOURCE_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid ARN ${arn}: PolicySourceArn must be the ARN of an IAM user, group or role.`);
  const [, acct, type, , name] = m as unknown as [string, string, OwnerType, string, string];
  const label = type === 'user' ? 'user' : type === 'group' ? 'group' : 'role';
  const missing = () => noSuchEntity(`The ${label} with name ${name} cannot be found.`);
  if (acct !== account) throw missing();
  const src: SourceEntity = { type, name, arn, accountId: acct, policies: [] };
  let boundaryArn: string | undefined;
  if (type === 'user') {
    const u = await tx.get<UserDoc>(KIND.user, account, name);
    if (!u || u.data.Arn !== arn) throw missing();
    src.name = u.data.UserName;
    boundaryArn = u.data.PermissionsBoundary?.PermissionsBoundaryArn;
    src.policies.push(...await ownPolicies(tx, account, 'user', u.data.UserName));
    for (const g of await listAll<MembershipDoc>(tx, KIND.userGroup, account, ownerKey('user', u.data.UserName))) {
      const group = await tx.get<GroupDoc>(KIND.group, account, g.data.GroupName);
      if (group) src.policies.push(...await ownPolicies(tx, account, 'group', group.data.GroupName));
    }
  } else if (type === 'group') {
    const g = await tx.get<GroupDoc>(KIND.group, account, name);
    if (!g || g.data.Arn !== arn) throw missing();
    src.name = g.data.GroupName;
    src.policies.push(...await ownPolicies(tx, account, 'group', g.data.GroupName));
  } else {
    const r = await tx.get<RoleDoc>(KIND.role, account, name);
    if (!r || r.data.Arn !== arn) throw missing();
    src.name = r.data.RoleName;
    boundaryArn = r.data.PermissionsBoundary?.PermissionsBoundaryArn;
    src.policies.push(...await ownPolicies(tx, account, 'role', r.data.RoleName));
  }
  if (boundaryArn) {
    const b = await managedText(tx, account, boundaryArn);
    if (b) src.boundary = { sourceId: boundaryArn.slice(boundaryArn.lastIndexOf('/') + 1), text: b.text };
  }
  return src;
}
