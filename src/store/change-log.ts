// What a write transaction records for the change feed, shared by both backends.
import type { ChangeOp } from './types.js';

/** Kind under which `setMeta` writes appear in the change feed. */
export const META_KIND = '@meta';

/** Every this many revisions a commit prunes change rows older than `KEEP_CHANGES` revisions. */
export const PRUNE_EVERY = 1000;
export const KEEP_CHANGES = 10_000;

export interface PendingChange {
  kind: string;
  account: string;
  key: string;
  op: ChangeOp;
}

/** The writes of one transaction, one entry per (kind, account, key) holding its last operation. */
export class PendingChanges {
  private readonly byKey = new Map<string, PendingChange>();

  record(kind: string, account: string, key: string, op: ChangeOp): void {
    const id = JSON.stringify([kind, account, key]);
    this.byKey.delete(id); // re-inserting keeps the map in order of last write
    this.byKey.set(id, { kind, account, key, op });
  }

  get size(): number {
    return this.byKey.size;
  }

  list(): PendingChange[] {
    return [...this.byKey.values()];
  }
}

/** The revision through which a commit at `revision` prunes, or undefined if it prunes nothing. */
export function pruneThrough(revision: number): number | undefined {
  return revision % PRUNE_EVERY === 0 && revision > KEEP_CHANGES ? revision - KEEP_CHANGES : undefined;
}

