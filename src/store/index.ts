// The store's public surface: open a store, and the types and errors services program against.
import { openSqliteStore } from './sqlite.js';
import { openPostgresStore } from './postgres.js';
import type { Store } from './types.js';

/** Where the store lives: a PostgreSQL URL, or a data directory for SQLite. */
export interface OpenOptions {
  /** `postgres://…` or `postgresql://…`; may carry `?schema=name`. */
  url?: string;
  /** SQLite: `<dataDir>/warden.db`. Ignored when `url` is given. */
  dataDir?: string;
  /** PostgreSQL schema (default `public`, or the URL's `?schema=`). */
  schema?: string;
  /** SQLite: fsync and wait for the write lock on the calling thread (see SqliteOptions.blocking). */
  blocking?: boolean;
}

/** Opens (and creates or migrates) the store: PostgreSQL for a postgres URL, otherwise SQLite in a directory. */
export async function openStore(target: string | OpenOptions): Promise<Store> {
  const options: OpenOptions = typeof target === 'string'
    ? (/^postgres(ql)?:\/\//i.test(target) ? { url: target } : { dataDir: target })
    : target;
  if (options.url !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(options.url)) throw new Error('store url must start with `postgres://` or `postgresql://`');
    return openPostgresStore({ url: options.url, schema: options.schema });
  }
  if (options.dataDir === undefined) throw new Error('store needs a `url` or a `dataDir`');
  return openSqliteStore({ dataDir: options.dataDir, blocking: options.blocking });
}

/** Options of each backend, for callers that need their knobs (poll interval, pool size). */
export type { SqliteOptions } from './sqlite.js';
export type { PostgresOptions } from './postgres.js';
/** Opens the SQLite backend directly. */
export { openSqliteStore } from './sqlite.js';
/** Opens the PostgreSQL backend directly. */
export { openPostgresStore } from './postgres.js';
/** Store contract types; see types.ts for each. */
export type {
  Change, ChangeListener, ChangeOp, ChangeSet, CountOptions, Entity, EntityUpdate, EventQuery,
  JsonObject, ListOptions, NewEncodedEvent, NewEntity, NewEvent, ReadTx, Store, StoredEvent, Tx,
} from './types.js';
/** Errors the store throws on purpose. */
export { AlreadyExistsError, ClosedError, ConflictError, NotFoundError, StoreError } from './types.js';
/** The case folding the store applies to keys. */
export { foldKey } from './types.js';
