// The storage contract every Warden service is written against. Two backends implement it
// (sqlite.ts, postgres.ts) and one behavioural suite (contract.ts) checks both.
//
// Everything IAM, STS and Organizations keep is an *entity*: a JSON document addressed by
// (kind, account, key). `kind` is a free string chosen by the service ('user', 'accessKey',
// 'policyVersion', …); the store attaches no meaning to it.

/** A JSON object as stored in `Entity.data` (must survive `JSON.stringify`/`JSON.parse`). */
export type JsonObject = { [name: string]: unknown };

/** A stored entity. `key` is always case-folded (see `foldKey`). */
export interface Entity<D = JsonObject> {
  kind: string;
  /** Owning AWS account id; '' for things that belong to no account. */
  account: string;
  /** Case-folded name, unique within (kind, account); AWS names are unique case-insensitively. */
  key: string;
  /** Globally unique id (`AIDA…`, an access key id, …), unique within `kind`; null if the entity has none. */
  id: string | null;
  /** Case-folded key of the owning entity (the user of an access key, the policy of a version), or null. */
  parent: string | null;
  data: D;
  /** 1 on insert, +1 on every update; pass it back to `update` for an optimistic check. */
  version: number;
  /** ISO-8601 UTC, set by the store. */
  createdAt: string;
  /** ISO-8601 UTC, set by the store. */
  updatedAt: string;
}

/** What `insert` takes. The key (and parent) are folded by the store; keep the display name in `data`. */
export interface NewEntity<D = JsonObject> {
  kind: string;
  account: string;
  key: string;
  id?: string | null;
  parent?: string | null;
  data: D;
}

/**
 * What `update` takes: `data` replaces the stored document; `id`/`parent` change only when given.
 * With `version`, the update fails with `ConflictError` unless the stored version is that one.
 */
export interface EntityUpdate<D = JsonObject> extends NewEntity<D> {
  version?: number;
}

/** Filters for `list`; results are ordered by key (byte order of the folded key). */
export interface ListOptions {
  /** Only children of this (case-folded) parent key. */
  parent?: string;
  /** Only keys starting with this prefix (folded). */
  keyPrefix?: string;
  /** Only keys strictly after this one (folded): pass the last key of a page to get the next. */
  after?: string;
  /** At most this many entities. */
  limit?: number;
}

/** Filters for `count`. */
export interface CountOptions {
  parent?: string;
  keyPrefix?: string;
}

/** An audit event as appended; `time` is ISO-8601 UTC (`Date#toISOString`), so text order is time order. */
export interface NewEvent {
  /** Unique (CloudTrail's eventId). */
  id: string;
  time: string;
  account: string;
  data: JsonObject;
}

/**
 * An audit event whose data is JSON text already: `json` is what `JSON.stringify` makes of a
 * JSON object, and is stored as is (the audit writer builds it by concatenation, without
 * serialising the record once more). Read back, it is that object.
 */
export interface NewEncodedEvent {
  id: string;
  time: string;
  account: string;
  json: string;
}

/** An audit event as stored: `seq` gives the total order of the log, increasing with commit order. */
export interface StoredEvent extends NewEvent {
  seq: number;
}

/** Filters for `readEvents`; results are ordered by `seq`. */
export interface EventQuery {
  /** Only events with seq > after. */
  after?: number;
  /** At most this many events (default 1000). */
  limit?: number;
  /** Only events with time >= from (ISO-8601 UTC). */
  from?: string;
  /** Only events with time < to (ISO-8601 UTC). */
  to?: string;
  account?: string;
}

export type ChangeOp = 'insert' | 'update' | 'delete';

/** One entity (or meta key, with kind `'@meta'`) written by the transaction that made `revision`. */
export interface Change {
  revision: number;
  kind: string;
  account: string;
  key: string;
  /** The last operation on that key in that transaction. */
  op: ChangeOp;
}

/** What `changesSince` returns. */
export interface ChangeSet {
  /** The revision the changes lead up to (the current one when read). */
  revision: number;
  /** Ordered by revision. */
  changes: Change[];
  /** True when changes after the asked revision were pruned: reload everything instead. */
  truncated: boolean;
}

/** Reads, inside `read` or a `transaction`. */
export interface ReadTx {
  get<D = JsonObject>(kind: string, account: string, key: string): Promise<Entity<D> | undefined>;
  getById<D = JsonObject>(kind: string, id: string): Promise<Entity<D> | undefined>;
  list<D = JsonObject>(kind: string, account: string, options?: ListOptions): Promise<Entity<D>[]>;
  count(kind: string, account: string, options?: CountOptions): Promise<number>;
  getMeta<T = unknown>(name: string): Promise<T | undefined>;
  /** The revision this transaction sees (in a write transaction: before its own writes). */
  revision(): Promise<number>;
  /** The newest audit event, for chaining the next one. */
  lastEvent(): Promise<StoredEvent | undefined>;
}

/** Reads and writes, inside `transaction`. A failing write leaves the transaction usable. */
export interface Tx extends ReadTx {
  /** Throws `AlreadyExistsError` if (kind, account, key) or (kind, id) is taken. */
  insert<D = JsonObject>(entity: NewEntity<D>): Promise<Entity<D>>;
  /** Throws `NotFoundError` if absent, `ConflictError` on a version mismatch. */
  update<D = JsonObject>(entity: EntityUpdate<D>): Promise<Entity<D>>;
  /** Whether it existed. */
  delete(kind: string, account: string, key: string): Promise<boolean>;
  /** Deletes the entities of `kind` whose parent is `parent`; returns how many. */
  deleteChildren(kind: string, account: string, parent: string): Promise<number>;
  /** Any JSON value; recorded in the change feed as kind `'@meta'`. */
  setMeta(name: string, value: unknown): Promise<void>;
  /** Appends to the audit log (does not advance the revision). Throws `AlreadyExistsError` on a duplicate id. */
  appendEvents(events: ReadonlyArray<NewEvent | NewEncodedEvent>): Promise<StoredEvent[]>;
}

/** Called after a commit, with a revision newer than any it was called with before. */
export type ChangeListener = (revision: number) => void;

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Runs `fn` as one all-or-nothing transaction, serialised with every other transaction on the
   * same database (also from other processes or nodes), so counts read inside it stay true until
   * commit. An exception rolls back and is rethrown. A transaction that wrote an entity or meta
   * key advances the revision by exactly one.
   * `fn` must not call `transaction` or `read` of the same store: it would
   * wait for itself, so the store refuses with a `StoreError`.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T>;
  /** Runs `fn` on one consistent snapshot, without blocking writers. */
  read<T>(fn: (tx: ReadTx) => Promise<T> | T): Promise<T>;
  /** The latest committed revision (0 for a new database). */
  revision(): Promise<number>;
  /**
   * Changes committed after `revision`. Change rows are pruned on their own (every 1000 revisions,
   * those more than 10000 behind) and by `pruneChanges`; a caller that fell behind that gets
   * `truncated` and must reload.
   */
  changesSince(revision: number): Promise<ChangeSet>;
  /**
   * Calls `listener` once a newer revision is committed — by this instance (right after commit) or
   * by another one on the same database (within about a second). Several commits may be reported
   * as one call; read `changesSince` to see them all. Returns the unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void;
  /** Audit events in `seq` order. */
  readEvents(query?: EventQuery): Promise<StoredEvent[]>;
  /** Deletes change rows up to and including `revision` (readers before it get `truncated`). */
  pruneChanges(revision: number): Promise<void>;
  /** Waits for running transactions, then releases connections, listeners and timers. Idempotent. */
  close(): Promise<void>;
}

/** Base of the errors the store throws on purpose; services map them to AWS errors. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** The key or id is taken; services answer `EntityAlreadyExists`. */
export class AlreadyExistsError extends StoreError {
  override name = 'AlreadyExistsError';
  constructor(readonly kind: string, readonly account: string, readonly key: string) {
    super(`${kind} \`${key}\` already exists in account \`${account}\``);
  }
}

/** `update` of an entity that does not exist; services answer `NoSuchEntity`. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  constructor(readonly kind: string, readonly account: string, readonly key: string) {
    super(`${kind} \`${key}\` does not exist in account \`${account}\``);
  }
}

/** `update` with a `version` that is no longer the stored one; services usually retry or answer `ConcurrentModification`. */
export class ConflictError extends StoreError {
  override name = 'ConflictError';
  constructor(readonly kind: string, readonly account: string, readonly key: string, readonly expected: number, readonly actual: number) {
    super(`${kind} \`${key}\` is at version ${actual}, not ${expected}`);
  }
}

/** The store was closed, or a transaction object was used after its transaction ended. */
export class ClosedError extends StoreError {
  override name = 'ClosedError';
}

/** How keys are compared: AWS names are unique case-insensitively. Lower-case, locale-independent. */
export function foldKey(key: string): string {
  return key.toLowerCase();
}
