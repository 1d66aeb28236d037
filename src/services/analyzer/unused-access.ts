// Unused-access analysis (ACCOUNT_UNUSED_ACCESS analyzers), from Warden's audit trail:
// - UnusedIAMRole: a role no session of which made a call (and that was not assumed) within
//   unusedAccessAge days;
// - UnusedIAMUserAccessKey: an active access key of an IAM user not used within the window;
// - UnusedIAMUserPassword: a user's console password (login profile) without a successful
//   console sign-in within the window;
// - UnusedPermission: for a user or role in use, the services its identity policies allow that
//   it made no call to within the window (one finding per principal, one detail per service).
// Entities younger than the window are not judged (they have not had the chance to be used).
// Last access comes from the trail (400 days back, as Access Advisor tracks) and from what IAM
// keeps (RoleLastUsed, AccessKeyLastUsed, PasswordLastUsed).
import type { Store } from '../../store/index.js';
import { forEachRecord } from '../audit/records.js';
import { listAll } from '../iam/common.js';
import {
  KIND, ownerKey, type AccessKeyDoc, type RoleDoc, type UserDoc,
} from '../iam/entities.js';
import { TRACKING_DAYS, allowedNamespaces, grantsOf, namespaceOf, ownerDocuments, principalArnOf, userDocuments } from '../iam/last-accessed.js';
import type { LoginProfileDoc } from '../iam/login-profiles.js';

export type UnusedFindingType = 'UnusedIAMRole' | 'UnusedIAMUserAccessKey' | 'UnusedIAMUserPassword' | 'UnusedPermission';

export interface UnusedAccessFinding {
  findingType: UnusedFindingType;
  resource: string;
  resourceType: 'AWS::IAM::Role' | 'AWS::IAM::User';
  resourceOwnerAccount: string;
  /** What tells this finding from others of the same resource and type (the access key id). */
  discriminator: string;
  /** FindingDetails members, as GetFindingV2 returns them. */
  details: Record<string, unknown>[];
}

const DAY = 86_400_000;

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

interface Usage {
  role: Map<string, string>;
  key: Map<string, string>;
  console: Map<string, string>;
  /** principal ARN (lower-case) → namespace → last time. */
  service: Map<string, Map<string, string>>;
}

async function usageOf(store: Store, account: string, now: Date): Promise<Usage> {
  const u: Usage = { role: new Map(), key: new Map(), console: new Map(), service: new Map() };
  const bump = (m: Map<string, string>, k: string, t: string) => m.set(k, later(m.get(k), t)!);
  await forEachRecord(store, account, new Date(now.getTime() - TRACKING_DAYS * DAY).toISOString(), (r) => {
    if (Date.parse(r.eventTime) > now.getTime()) return;
    const id = r.userIdentity;
    if (r.eventName === 'ConsoleLogin') {
      if (r.errorCode === undefined && id.type === 'IAMUser' && id.arn) bump(u.console, id.arn.toLowerCase(), r.eventTime);
      return;
    }
    if (id.type === 'IAMUser' && id.accessKeyId) bump(u.key, id.accessKeyId, r.eventTime);
    if (id.type === 'AssumedRole' && id.sessionContext?.sessionIssuer?.arn) bump(u.role, id.sessionContext.sessionIssuer.arn.toLowerCase(), r.eventTime);
    const who = principalArnOf(r);
    if (who) {
      const k = who.toLowerCase();
      let per = u.service.get(k);
      if (!per) u.service.set(k, (per = new Map()));
      bump(per, namespaceOf(r), r.eventTime);
    }
  });
  return u;
}

function unusedPermissionDetails(namespaces: Iterable<string>, used: Map<string, string> | undefined, cutoff: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const ns of [...namespaces].sort()) {
    const last = used?.get(ns);
    if (last !== undefined && Date.parse(last) >= cutoff) continue;
    const d: Record<string, unknown> = { serviceNamespace: ns };
    if (last !== undefined) d.lastAccessed = last;
    out.push({ unusedPermissionDetails: d });
  }
  return out;
}

/** The analyzer's analysisRule exclusions: accounts, and sets of tags an excluded user or role carries all of. */
export interface UnusedAccessExclusion { accountIds?: string[]; resourceTags?: Array<Record<string, string>> }

function excluded(exclusions: readonly UnusedAccessExclusion[], account: string, tags: ReadonlyArray<{ Key: string; Value: string }>): boolean {
  const have = new Map(tags.map((t) => [t.Key, t.Value]));
  return exclusions.some((x) => {
    if (x.accountIds?.includes(account)) return true;
    return (x.resourceTags ?? []).some((set) => Object.keys(set).length > 0 && Object.entries(set).every(([k, v]) => have.get(k) === v));
  });
}

/** The unused-access findings of `account` at `now` for a window of `ageDays`. */
export async function unusedAccessFindings(
  store: Store, account: string, ageDays: number, now: Date, exclusions: readonly UnusedAccessExclusion[] = [],
): Promise<UnusedAccessFinding[]> {
  const cutoff = now.getTime() - ageDays * DAY;
  const old = (created: string) => Date.parse(created) < cutoff;
  const usage = await usageOf(store, account, now);
  const out: UnusedAccessFinding[] = [];
  await store.read(async (tx) => {
    for (const r of await listAll<RoleDoc>(tx, KIND.role, account)) {
      const role = r.data;
      if (role.ServiceLinked || !old(role.CreateDate) || excluded(exclusions, account, role.Tags ?? [])) continue;
      const last = later(usage.role.get(role.Arn.toLowerCase()), role.RoleLastUsed?.LastUsedDate);
      if (last === undefined || Date.parse(last) < cutoff) {
        out.push({
          findingType: 'UnusedIAMRole', resource: role.Arn, resourceType: 'AWS::IAM::Role', resourceOwnerAccount: account, discriminator: '',
          details: [{ unusedIamRoleDetails: last !== undefined ? { lastAccessed: last } : {} }],
        });
        continue;
      }
      const namespaces = allowedNamespaces(grantsOf(await ownerDocuments(tx, account, ownerKey('role', role.RoleName))));
      const details = unusedPermissionDetails(namespaces, usage.service.get(role.Arn.toLowerCase()), cutoff);
      if (details.length > 0) {
        out.push({ findingType: 'UnusedPermission', resource: role.Arn, resourceType: 'AWS::IAM::Role', resourceOwnerAccount: account, discriminator: '', details });
      }
    }
    for (const e of await listAll<UserDoc>(tx, KIND.user, account)) {
      const user = e.data;
      if (excluded(exclusions, account, user.Tags ?? [])) continue;
      const owner = ownerKey('user', user.UserName);
      for (const k of await listAll<AccessKeyDoc>(tx, KIND.accessKey, account, owner)) {
        if (k.data.Status !== 'Active' || !old(k.data.CreateDate)) continue;
        const last = later(usage.key.get(k.data.AccessKeyId), k.data.LastUsed?.LastUsedDate);
        if (last === undefined || Date.parse(last) < cutoff) {
          const d: Record<string, unknown> = { accessKeyId: k.data.AccessKeyId };
          if (last !== undefined) d.lastAccessed = last;
          out.push({
            findingType: 'UnusedIAMUserAccessKey', resource: user.Arn, resourceType: 'AWS::IAM::User', resourceOwnerAccount: account,
            discriminator: k.data.AccessKeyId, details: [{ unusedIamUserAccessKeyDetails: d }],
          });
        }
      }
      const profile = await tx.get<LoginProfileDoc>(KIND.loginProfile, account, owner);
      if (profile && old(profile.data.CreateDate)) {
        const last = later(usage.console.get(user.Arn.toLowerCase()), user.PasswordLastUsed);
        if (last === undefined || Date.parse(last) < cutoff) {
          out.push({
            findingType: 'UnusedIAMUserPassword', resource: user.Arn, resourceType: 'AWS::IAM::User', resourceOwnerAccount: account, discriminator: '',
            details: [{ unusedIamUserPasswordDetails: last !== undefined ? { lastAccessed: last } : {} }],
          });
        }
      }
      if (!old(user.CreateDate)) continue;
      const documents = await userDocuments(tx, account, user.UserName);
      const details = unusedPermissionDetails(allowedNamespaces(grantsOf(documents)), usage.service.get(user.Arn.toLowerCase()), cutoff);
      if (details.length > 0) {
        out.push({ findingType: 'UnusedPermission', resource: user.Arn, resourceType: 'AWS::IAM::User', resourceOwnerAccount: account, discriminator: '', details });
      }
    }
  });
  return out;
}
