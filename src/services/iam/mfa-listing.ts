// Listing MFA devices: ListMFADevices, ListVirtualMFADevices, GetMFADevice. Creating, enabling,
// resyncing, deactivating and deleting devices belong to the MFA issue, which writes the
// KIND.mfaDevice entities these operations read.
//
// The entity, as this file expects it (the MFA issue should move MfaDeviceDoc to entities.ts):
// key = SerialNumber (a virtual device's ARN `arn:aws:iam::ACCT:mfa/path/name`, or a hardware
// serial), id = null, parent = ownerKey('user', name) or ROOT_OWNER once assigned and '' (none)
// while an unassigned virtual device.
import type { ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { listAll, noSuchEntity, optStr, paginate, str } from './common.js';
import { KIND, rootArn, type AccountDoc, type Tag, type UserDoc } from './entities.js';
import { resolveOwner, userNameMember } from './credential-owner.js';
import { userOutput } from './users.js';

export interface MfaDeviceDoc {
  SerialNumber: string;
  /** True for virtual (TOTP) devices created with CreateVirtualMFADevice. */
  Virtual: boolean;
  /** The assigned user; '' for the root user; absent while unassigned. */
  UserName?: string;
  /** Set when enabled (assigned). */
  EnableDate?: string;
  Path?: string;
  Tags?: Tag[];
  /** FIDO certifications (GetMFADevice), when known. */
  Certifications?: Record<string, string>;
  /** The TOTP seed, encrypted under the master key (never listed). */
  SeedEncrypted?: string;
}

function assigned(d: MfaDeviceDoc): boolean {
  return d.UserName !== undefined && d.EnableDate !== undefined;
}

/** ListVirtualMFADevices' User member: the user, or the root user as AWS shows it. */
async function assignedUser(tx: ReadTx, account: string, userName: string): Promise<Record<string, unknown> | undefined> {
  if (userName === '') {
    const a = await tx.get<AccountDoc>(KIND.account, account, account);
    return { UserId: account, Arn: rootArn(account), CreateDate: a?.data.CreateDate };
  }
  const u = await tx.get<UserDoc>(KIND.user, account, userName);
  return u ? userOutput(u.data, false) : undefined;
}

export const mfaListingOperations: OperationTable = {
  /** The MFA devices assigned to a user (UserName, or the caller: an IAM user or the root user). */
  async ListMFADevices(ctx, input) {
    const account = ctx.caller.accountId;
    const devices = await ctx.store.read(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:ListMFADevices', { allowRoot: true });
      return listAll<MfaDeviceDoc>(tx, KIND.mfaDevice, account, owner.parent);
    });
    const page = paginate(devices.filter((d) => assigned(d.data)), (d) => d.key, input);
    return {
      MFADevices: page.items.map((d) => ({ ...userNameMember(d.data.UserName ?? ''), SerialNumber: d.data.SerialNumber, EnableDate: d.data.EnableDate })),
      IsTruncated: page.IsTruncated, Marker: page.Marker,
    };
  },

  async ListVirtualMFADevices(ctx, input) {
    ctx.authorize('iam:ListVirtualMFADevices', '*');
    const account = ctx.caller.accountId;
    const status = optStr(input, 'AssignmentStatus') ?? 'Any';
    return ctx.store.read(async (tx) => {
      const all = (await listAll<MfaDeviceDoc>(tx, KIND.mfaDevice, account)).filter((d) => d.data.Virtual);
      const wanted = all.filter((d) => status === 'Any' || (status === 'Assigned') === assigned(d.data));
      const page = paginate(wanted, (d) => d.key, input);
      const VirtualMFADevices: Record<string, unknown>[] = [];
      for (const d of page.items) {
        const out: Record<string, unknown> = { SerialNumber: d.data.SerialNumber };
        if (assigned(d.data)) {
          const user = await assignedUser(tx, account, d.data.UserName ?? '');
          if (user) out.User = user;
          out.EnableDate = d.data.EnableDate;
        }
        if (d.data.Tags && d.data.Tags.length > 0) out.Tags = d.data.Tags;
        VirtualMFADevices.push(out);
      }
      return { VirtualMFADevices, IsTruncated: page.IsTruncated, Marker: page.Marker };
    });
  },

  async GetMFADevice(ctx, input) {
    const account = ctx.caller.accountId;
    const serial = str(input, 'SerialNumber');
    const found = await ctx.store.read(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:GetMFADevice', { allowRoot: true });
      const d = await tx.get<MfaDeviceDoc>(KIND.mfaDevice, account, serial);
      return d && d.parent === owner.parent && assigned(d.data) ? d.data : undefined;
    });
    if (!found) throw noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);
    const out: Record<string, unknown> = { ...userNameMember(found.UserName ?? ''), SerialNumber: found.SerialNumber, EnableDate: found.EnableDate };
    if (found.Certifications) out.Certifications = found.Certifications;
    return out;
  },
};
