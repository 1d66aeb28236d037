// What the credentials kept under their owner share (access keys, signing certificates, SSH
// public keys, service-specific credentials): finding one of the owner's by id, and the
// Update… (status), Delete… and List… operations, which differ only in names and shapes.
import type { Entity, ReadTx } from '../../store/index.js';
import type { OperationHandler } from '../types.js';
import { invalidInput, listAll, noSuchEntity, paginate, str } from './common.js';
import { resolveOwner, type CredentialOwner } from './credential-owner.js';

/** One family of owned credentials. */
export interface CredentialFamily {
  /** The store kind (key = the credential's id, parent = the owner). */
  kind: string;
  /** How NoSuchEntity names it: `The <what> with id <id> cannot be found.` */
  what: string;
  /** The input member holding the id. */
  idMember: string;
  /** How Update… and Delete… resolve the owner (see resolveOwner). */
  owner: { allowRoot?: boolean; required?: boolean };
}

export function credentialNotFound(family: CredentialFamily, id: string) {
  return noSuchEntity(`The ${family.what} with id ${id} cannot be found.`);
}

/** The owner's credential of `id`; NoSuchEntity when it does not exist or is another owner's. */
export async function ownedCredential<D>(
  family: CredentialFamily, tx: Pick<ReadTx, 'get'>, account: string, owner: CredentialOwner, id: string,
): Promise<Entity<D>> {
  const c = await tx.get<D>(family.kind, account, id);
  if (!c || c.parent !== owner.parent) throw credentialNotFound(family, id);
  return c;
}

/** A status the caller may set: Active or Inactive (Expired is only ever reported). */
export function settableStatus(input: Record<string, unknown>): 'Active' | 'Inactive' {
  const s = str(input, 'Status');
  if (s !== 'Active' && s !== 'Inactive') throw invalidInput(`Status ${s} cannot be set; use Active or Inactive.`);
  return s;
}

/** Update…: sets the credential's Status (a write only when it changes). */
export function updateStatusOperation(family: CredentialFamily, action: string): OperationHandler {
  return async (ctx, input) => {
    const account = ctx.caller.accountId;
    const id = str(input, family.idMember);
    const status = settableStatus(input);
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, action, family.owner);
      const c = await ownedCredential<{ Status: string }>(family, tx, account, owner, id);
      if (c.data.Status !== status) await tx.update({ kind: family.kind, account, key: c.key, data: { ...c.data, Status: status } });
      return undefined;
    });
  };
}

/** Delete…: removes the credential. */
export function deleteCredentialOperation(family: CredentialFamily, action: string): OperationHandler {
  return async (ctx, input) => {
    const account = ctx.caller.accountId;
    const id = str(input, family.idMember);
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, action, family.owner);
      const c = await ownedCredential(family, tx, account, owner, id);
      await tx.delete(family.kind, account, c.key);
      return undefined;
    });
  };
}

/**
 * List…: the credentials of the owner (without UserName, the caller's own: the root user's too),
 * a page of them under `member`, each as `output` shows it.
 */
export function listCredentialsOperation<D>(
  family: CredentialFamily, action: string, member: string, output: (d: D) => Record<string, unknown>,
): OperationHandler {
  return async (ctx, input) => {
    const account = ctx.caller.accountId;
    const all = await ctx.store.read(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, action, { allowRoot: true });
      return listAll<D>(tx, family.kind, account, owner.parent);
    });
    const page = paginate(all, (c) => c.key, input);
    return { [member]: page.items.map((c) => output(c.data)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  };
}
