// What IAM keeps, as store entities: the kinds, their keys and their documents. Every IAM
// operation and the authorization snapshot read and write through these shapes.
//
// Keys are case-folded by the store, so names are unique case-insensitively, as in AWS.
// Documents keep AWS's member names so that outputs can be built from them directly.
import { randomBytes } from 'node:crypto';

export const KIND = {
  account: 'account',
  user: 'user',
  group: 'group',
  /** A user's membership of a group; key `user|group`, parent = ownerKey('user', user). */
  userGroup: 'user-group',
  /** The same membership seen from the group; key `group|user`, parent = ownerKey('group', group). */
  groupMember: 'group-member',
  role: 'role',
  /** Customer managed policy; key = policy name (unique in the account). The account entity itself
   *  is kind 'account' with account '' and key = the account id. */
  policy: 'policy',
  /** A managed policy version; key `policyName|v1`, parent = policy key. */
  policyVersion: 'policy-version',
  /** An inline policy; key `owner|name`, parent = owner (see ownerKey). */
  inlinePolicy: 'inline-policy',
  /** A managed policy attached to a user/group/role; key `owner|policyArn`, parent = owner. */
  attachment: 'attachment',
  /** The same attachment seen from the policy; key `policyArn|owner`, parent = policy ARN. */
  policyAttachment: 'policy-attachment',
  /**
   * Long-term access key; key = access key id, id = access key id, parent = ownerKey('user', name)
   * or ROOT_OWNER. Every per-user credential kind below uses the same parent convention, so that
   * renaming or deleting a user finds all of them by parent.
   */
  accessKey: 'access-key',
  loginProfile: 'login-profile',
  mfaDevice: 'mfa-device',
  sshPublicKey: 'ssh-public-key',
  signingCertificate: 'signing-certificate',
  serverCertificate: 'server-certificate',
  serviceSpecificCredential: 'service-specific-credential',
  instanceProfile: 'instance-profile',
  oidcProvider: 'oidc-provider',
  samlProvider: 'saml-provider',
  accountAlias: 'account-alias',
  passwordPolicy: 'password-policy',
} as const;

/** The parent key used for the root user's access keys, signing certificates and MFA devices. */
export const ROOT_OWNER = '<root>';

export type OwnerType = 'user' | 'group' | 'role';

/** Key of the owner of inline policies and attachments: `user:alice`, `role:admin`. */
export function ownerKey(type: OwnerType, name: string): string {
  return `${type}:${name.toLowerCase()}`;
}

export interface Tag { Key: string; Value: string }

export interface PermissionsBoundary {
  PermissionsBoundaryType: 'PermissionsBoundaryPolicy';
  PermissionsBoundaryArn: string;
}

export interface AccountDoc {
  AccountId: string;
  /** ISO 8601. */
  CreateDate: string;
  /** Root user's ARN: arn:aws:iam::ACCOUNT:root. */
  RootArn: string;
}

export interface UserDoc {
  UserName: string;
  UserId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  PasswordLastUsed?: string;
  PermissionsBoundary?: PermissionsBoundary;
  Tags: Tag[];
}

export interface GroupDoc {
  GroupName: string;
  GroupId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
}

export interface MembershipDoc { UserName: string; GroupName: string }

export interface RoleDoc {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  /** The trust policy as submitted (decoded JSON text). */
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundary?: PermissionsBoundary;
  Tags: Tag[];
  RoleLastUsed?: { LastUsedDate?: string; Region?: string };
  /** For service-linked roles: the service principal that owns it. */
  ServiceLinked?: string;
}

export interface ManagedPolicyDoc {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  Tags: Tag[];
  /** Next version number to allocate (v1, v2, … never reused). */
  NextVersion: number;
}

export interface PolicyVersionDoc {
  PolicyArn: string;
  VersionId: string;
  /** Decoded JSON text as submitted. */
  Document: string;
  IsDefaultVersion: boolean;
  CreateDate: string;
}

export interface InlinePolicyDoc {
  OwnerType: OwnerType;
  OwnerName: string;
  PolicyName: string;
  /** Decoded JSON text as submitted. */
  PolicyDocument: string;
}

export interface AttachmentDoc {
  OwnerType: OwnerType;
  OwnerName: string;
  PolicyArn: string;
  PolicyName: string;
}

export interface AccessKeyDoc {
  /** '' for the root user's keys. */
  UserName: string;
  AccessKeyId: string;
  Status: 'Active' | 'Inactive';
  CreateDate: string;
  /** The secret access key, encrypted under the master key (see crypto/secrets.ts). */
  SecretEncrypted: string;
  LastUsed?: { LastUsedDate: string; ServiceName: string; Region: string };
}

// ---------------------------------------------------------------------------
// Identifiers. AWS unique ids are a 4-letter prefix and 17 base-32 characters (A–Z, 2–7);
// access key ids are AKIA/ASIA and 16 more.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += B32[bytes[i] & 31];
  return s;
}

export type IdPrefix = 'AIDA' | 'AGPA' | 'AROA' | 'ANPA' | 'ANVA' | 'AIPA' | 'ASCA' | 'APKA' | 'ACCA' | 'AKIA' | 'ASIA';

/** A new unique id: `newId('AIDA')` → `AIDAJQABLZS4A3QDU576Q` (21 characters). */
export function newId(prefix: IdPrefix): string {
  return prefix + base32(17);
}

/** A new access key id: `AKIA` + 16 (20 characters). */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
  return prefix + base32(16);
}

/** A new secret access key: 40 characters of base64 alphabet, as AWS issues them. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

export function iamArn(account: string, type: 'user' | 'group' | 'role' | 'policy' | 'instance-profile' | 'server-certificate' | 'mfa' | 'oidc-provider' | 'saml-provider', path: string, name: string): string {
  return `arn:aws:iam::${account}:${type}${path}${name}`;
}

export function rootArn(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

/** AWS's timestamp format in responses and documents: ISO 8601 with seconds, UTC. */
export function isoNow(now: Date = new Date()): string {
  // toISOString always ends in `.sssZ` (extended years included): cut the milliseconds without a regex.
  return now.toISOString().slice(0, -5) + 'Z';
}
