// The entities row both backends keep, and what `insert` and `update` write into it: the key and
// parent folded, the version counted, the timestamps set. `Data` is the document as the backend
// stores it (a JSON value in PostgreSQL, its text in SQLite).
import { AlreadyExistsError, ConflictError, NotFoundError, foldKey, type EntityUpdate, type NewEntity } from './types.js';

export interface EntityRowOf<Data> {
  kind: string; account: string; key: string; id: string | null; parent: string | null;
  data: Data; version: number; created_at: string; updated_at: string;
}

/** The row `insert` writes: version 1, created and updated `now`; `key` is the folded key. */
export function insertedRow<Data>(entity: NewEntity<unknown>, key: string, data: Data, now: string): EntityRowOf<Data> {
  return {
    kind: entity.kind, account: entity.account, key, id: entity.id ?? null,
    parent: entity.parent == null ? null : foldKey(entity.parent),
    data, version: 1, created_at: now, updated_at: now,
  };
}

/**
 * The row `update` writes over `current` (the stored row of the folded `key`), still holding the
 * old data for the caller to replace, once the checks every backend makes pass: the row exists,
 * it has the version the update expects, and an id it is given is no other row's (`idTaken`).
 */
export async function updatedRow<Data>(
  entity: EntityUpdate<unknown>, key: string, current: EntityRowOf<Data> | undefined, idTaken: (id: string) => Promise<unknown>,
): Promise<EntityRowOf<Data>> {
  if (!current) throw new NotFoundError(entity.kind, entity.account, key);
  if (entity.version !== undefined && entity.version !== current.version) {
    throw new ConflictError(entity.kind, entity.account, key, entity.version, current.version);
  }
  const id = entity.id === undefined ? current.id : entity.id;
  if (id !== null && id !== current.id && (await idTaken(id))) {
    throw new AlreadyExistsError(entity.kind, entity.account, key);
  }
  return {
    ...current, id,
    parent: entity.parent === undefined ? current.parent : entity.parent === null ? null : foldKey(entity.parent),
    version: current.version + 1, updated_at: new Date().toISOString(),
  };
}
