// Long-term access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
// GetAccessKeyLastUsed, and the last-use record the server writes after authenticating a call.
// The secret access key is returned once, by CreateAccessKey, and kept only encrypted under the
// master key (SecretBox, no associated data: the runtime decrypts it to verify signatures).
import type { Store } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { limitExceeded, str } from './common.js';
import { KIND, isoNow, newAccessKeyId, newSecretAccessKey, type AccessKeyDoc, type UserDoc } from './entities.js';
import { resolveOwner, secretsOf, userNameMember } from './credential-owner.js';
import {
  credentialNotFound, deleteCredentialOperation, listCredentialsOperation, updateStatusOperation, type CredentialFamily,
} from './owned-credentials.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: "Access keys
// assigned to an IAM user: 2" (the root user has the same limit).
export const MAX_ACCESS_KEYS = 2;

function metadata(d: AccessKeyDoc): Record<string, unknown> {
  return { ...userNameMember(d.UserName), AccessKeyId: d.AccessKeyId, Status: d.Status, CreateDate: d.CreateDate };
}

const ACCESS_KEYS: CredentialFamily = { kind: KIND.accessKey, what: 'Access Key', idMember: 'AccessKeyId', owner: { allowRoot: true } };

export const accessKeyOperations: OperationTable = {
  async CreateAccessKey(ctx, input) {
    const account = ctx.caller.accountId;
    const secrets = secretsOf(ctx);
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:CreateAccessKey', { allowRoot: true });
      if ((await tx.count(KIND.accessKey, account, { parent: owner.parent })) >= MAX_ACCESS_KEYS) {
        throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`);
      }
      const secret = newSecretAccessKey();
      const doc: AccessKeyDoc = {
        UserName: owner.userName,
        AccessKeyId: newAccessKeyId(),
        Status: 'Active',
        CreateDate: isoNow(ctx.now),
        SecretEncrypted: secrets.encrypt(secret),
      };
      await tx.insert({ kind: KIND.accessKey, account, key: doc.AccessKeyId, id: doc.AccessKeyId, parent: owner.parent, data: doc });
      return {
        AccessKey: { ...userNameMember(doc.UserName), AccessKeyId: doc.AccessKeyId, Status: doc.Status, SecretAccessKey: secret, CreateDate: doc.CreateDate },
      };
    });
  },

  UpdateAccessKey: updateStatusOperation(ACCESS_KEYS, 'iam:UpdateAccessKey'),

  DeleteAccessKey: deleteCredentialOperation(ACCESS_KEYS, 'iam:DeleteAccessKey'),

  ListAccessKeys: listCredentialsOperation<AccessKeyDoc>(ACCESS_KEYS, 'iam:ListAccessKeys', 'AccessKeyMetadata', metadata),

  async GetAccessKeyLastUsed(ctx, input) {
    const account = ctx.caller.accountId;
    const id = str(input, 'AccessKeyId');
    const found = await ctx.store.read(async (tx) => {
      const k = await tx.get<AccessKeyDoc>(KIND.accessKey, account, id);
      if (!k) return undefined;
      const user = k.data.UserName === '' ? undefined : await tx.get<UserDoc>(KIND.user, account, k.data.UserName);
      return { key: k.data, user: user?.data };
    });
    // The resource is the key's owner (Service Authorization Reference: GetAccessKeyLastUsed, user*).
    const arn = !found ? `arn:aws:iam::${account}:user/*`
      : found.user ? found.user.Arn
      : found.key.UserName === '' ? `arn:aws:iam::${account}:root` : `arn:aws:iam::${account}:user/${found.key.UserName}`;
    ctx.authorize('iam:GetAccessKeyLastUsed', arn);
    if (!found) throw credentialNotFound(ACCESS_KEYS, id);
    const used = found.key.LastUsed;
    // Never used: AWS answers Region and ServiceName "N/A" and no date.
    const AccessKeyLastUsed = used
      ? { LastUsedDate: used.LastUsedDate, ServiceName: used.ServiceName, Region: used.Region }
      : { ServiceName: 'N/A', Region: 'N/A' };
    return { ...userNameMember(found.key.UserName), AccessKeyLastUsed };
  },
};

// ---------------------------------------------------------------------------
// Last use. The server calls recordAccessKeyUse after a call authenticated with a long-term key.
// Each write reloads the account's authorization snapshot, so writes are debounced: at most one
// per key per minute per node (and none while the stored date is less than a minute old, which
// also covers other nodes' writes).

export const LAST_USED_DEBOUNCE_MS = 60_000;
const MAX_TRACKED_KEYS = 10_000;
const lastWritten = new Map<string, number>();

/**
 * Records that `accessKeyId` was used for `service` (e.g. `iam`, `sts`) in `region` at `now`.
 * Returns whether it wrote. Unknown keys (temporary `ASIA…` keys, deleted keys) are ignored.
 */
export async function recordAccessKeyUse(store: Store, accessKeyId: string, service: string, region: string, now: Date): Promise<boolean> {
  const t = now.getTime();
  const last = lastWritten.get(accessKeyId);
  if (last !== undefined && t - last < LAST_USED_DEBOUNCE_MS && t >= last) return false;
  if (lastWritten.size >= MAX_TRACKED_KEYS) {
    for (const [id, at] of lastWritten) if (t - at >= LAST_USED_DEBOUNCE_MS) lastWritten.delete(id);
    if (lastWritten.size >= MAX_TRACKED_KEYS) lastWritten.clear();
  }
  lastWritten.set(accessKeyId, t);
  return store.transaction(async (tx) => {
    const k = await tx.getById<AccessKeyDoc>(KIND.accessKey, accessKeyId);
    if (!k) return false;
    const prev = k.data.LastUsed ? Date.parse(k.data.LastUsed.LastUsedDate) : NaN;
    if (!Number.isNaN(prev) && t - prev < LAST_USED_DEBOUNCE_MS && t >= prev
      && k.data.LastUsed?.ServiceName === service && k.data.LastUsed.Region === region) return false;
    const LastUsed = { LastUsedDate: isoNow(now), ServiceName: service, Region: region };
    await tx.update({ kind: KIND.accessKey, account: k.account, key: k.key, data: { ...k.data, LastUsed } });
    return true;
  });
}

/** Forgets the debounce state (tests). */
export function resetAccessKeyUseDebounce(): void {
  lastWritten.clear();
}
