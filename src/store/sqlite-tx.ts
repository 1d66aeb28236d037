// The transaction object of the SQLite backend: every method is one synchronous better-sqlite3
// call, wrapped in a promise to match the `Tx` interface.
import type Database from 'better-sqlite3';
import { encodeDocument, encodeEventData, encodeValue, normaliseLimit } from './arguments.js';
import { META_KIND, PendingChanges, pruneThrough } from './change-log.js';
import { insertedRow, updatedRow, type EntityRowOf } from './entity-row.js';
import { storedEvent } from './stored-event.js';
import {
  AlreadyExistsError, ClosedError, foldKey,
  type CountOptions, type Entity, type EntityUpdate, type JsonObject, type ListOptions,
  type NewEncodedEvent, type NewEntity, type NewEvent, type StoredEvent, type Tx,
} from './types.js';

type EntityRow = EntityRowOf<string>;

interface EventRow { seq: number; id: string; time: string; account: string; data: string }

export function toEntity<D>(row: EntityRow): Entity<D> {
  return {
    kind: row.kind, account: row.account, key: row.key, id: row.id, parent: row.parent,
    data: JSON.parse(row.data) as D, version: row.version, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export function toEvent(row: EventRow): StoredEvent {
  return { seq: row.seq, id: row.id, time: row.time, account: row.account, data: JSON.parse(row.data) as JsonObject };
}

/** WHERE clause and parameters for `list`/`count` filters. */
function entityFilter(kind: string, account: string, options: CountOptions): [string, unknown[]] {
  let where = 'kind = ? AND account = ?';
  const params: unknown[] = [kind, account];
  if (options.parent !== undefined) {
    where += ' AND parent = ?';
    params.push(foldKey(options.parent));
  }
  if (options.keyPrefix !== undefined) {
    const prefix = foldKey(options.keyPrefix);
    where += ' AND key >= ? AND substr(key, 1, length(?)) = ?'; // length in characters, as substr counts
    params.push(prefix, prefix, prefix);
  }
  return [where, params];
}

/**
 * A LIMIT whose row count is the statement's last parameter. Not `LIMIT ?`: SQLite (3.53, as
 * better-sqlite3 builds it) lets the query planner read a bound LIMIT's value, and a statement
 * whose plan read a parameter is recompiled on the next step after that parameter is bound again
 * — any value, the same one too — and better-sqlite3 binds every parameter on every run. So every
 * list and event query was compiled anew each time it ran: an empty `list` took 7.4 µs instead of
 * 2.4, and the authorization snapshot's reload of an account after each write runs nine of them.
 * Inside a CAST the value is not the planner's to read, and the statement stays compiled.
 */
export const LIMIT_PARAMETER = 'LIMIT CAST(? AS INTEGER)';

/** Most rows one INSERT of `appendEvents` writes (4 parameters each). */
const EVENT_ROWS = 64;
const eventInsertSql: string[] = [];

/** The INSERT of `rows` events (the text kept, so that the statement cache finds it cheaply). */
function insertEventsSql(rows: number): string {
  return (eventInsertSql[rows] ??= `INSERT INTO events (id, time, account, data) VALUES ${Array(rows).fill('(?, ?, ?, ?)').join(', ')}`);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Prepared statements are cached per connection and SQL text. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

export class SqliteTx implements Tx {
  private readonly pending = new PendingChanges();
  private ended = false;

  constructor(private readonly sql: Statements) {}

  private check(): void {
    if (this.ended) throw new ClosedError('transaction used after it ended');
  }

  async get<D = JsonObject>(kind: string, account: string, key: string): Promise<Entity<D> | undefined> {
    this.check();
    const row = this.sql.get('SELECT * FROM entities WHERE kind = ? AND account = ? AND key = ?')
      .get(kind, account, foldKey(key)) as EntityRow | undefined;
    return row && toEntity<D>(row);
  }

  async getById<D = JsonObject>(kind: string, id: string): Promise<Entity<D> | undefined> {
    this.check();
    const row = this.sql.get('SELECT * FROM entities WHERE kind = ? AND id = ?').get(kind, id) as EntityRow | undefined;
    return row && toEntity<D>(row);
  }

  async list<D = JsonObject>(kind: string, account: string, options: ListOptions = {}): Promise<Entity<D>[]> {
    this.check();
    let [where, params] = entityFilter(kind, account, options);
    if (options.after !== undefined) {
      where += ' AND key > ?';
      params.push(foldKey(options.after));
    }
    const limit = normaliseLimit(options.limit, -1); // -1: no limit in SQLite
    const rows = this.sql.get(`SELECT * FROM entities WHERE ${where} ORDER BY key ${LIMIT_PARAMETER}`).all(...params, limit) as EntityRow[];
    return rows.map((row) => toEntity<D>(row));
  }

  async count(kind: string, account: string, options: CountOptions = {}): Promise<number> {
    this.check();
    const [where, params] = entityFilter(kind, account, options);
    return (this.sql.get(`SELECT count(*) AS n FROM entities WHERE ${where}`).get(...params) as { n: number }).n;
  }

  async getMeta<T = unknown>(name: string): Promise<T | undefined> {
    this.check();
    const row = this.sql.get('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined;
    return row && (JSON.parse(row.value) as T);
  }

  async revision(): Promise<number> {
    this.check();
    return (this.sql.get('SELECT revision FROM state').get() as { revision: number }).revision;
  }

  async lastEvent(): Promise<StoredEvent | undefined> {
    this.check();
    const row = this.sql.get('SELECT * FROM events ORDER BY seq DESC LIMIT 1').get() as EventRow | undefined;
    // Its data parsed only if read: the LookupEvents head needs the seq alone.
    return row && storedEvent(row.seq, row, row.data);
  }

  async insert<D = JsonObject>(entity: NewEntity<D>): Promise<Entity<D>> {
    this.check();
    const key = foldKey(entity.key);
    const now = new Date().toISOString();
    const row: EntityRow = insertedRow(entity, key, encodeDocument(entity.data, 'entity data'), now);
    // ON CONFLICT DO NOTHING covers both the key and the id: no row written means taken.
    const result = this.sql.get(`INSERT INTO entities (kind, account, key, id, parent, data, version, created_at, updated_at)
      VALUES (@kind, @account, @key, @id, @parent, @data, @version, @created_at, @updated_at) ON CONFLICT DO NOTHING`).run(row);
    if (result.changes === 0) throw new AlreadyExistsError(entity.kind, entity.account, key);
    this.pending.record(entity.kind, entity.account, key, 'insert');
    return toEntity<D>(row);
  }

  async update<D = JsonObject>(entity: EntityUpdate<D>): Promise<Entity<D>> {
    this.check();
    const key = foldKey(entity.key);
    const current = this.sql.get('SELECT * FROM entities WHERE kind = ? AND account = ? AND key = ?')
      .get(entity.kind, entity.account, key) as EntityRow | undefined;
    const checked = await updatedRow(entity, key, current, (id) => this.getById(entity.kind, id));
    const row: EntityRow = { ...checked, data: encodeDocument(entity.data, 'entity data') };
    this.sql.get(`UPDATE entities SET id = @id, parent = @parent, data = @data, version = @version, updated_at = @updated_at
      WHERE kind = @kind AND account = @account AND key = @key`).run(row);
    this.pending.record(entity.kind, entity.account, key, 'update');
    return toEntity<D>(row);
  }

  async delete(kind: string, account: string, key: string): Promise<boolean> {
    this.check();
    const folded = foldKey(key);
    const result = this.sql.get('DELETE FROM entities WHERE kind = ? AND account = ? AND key = ?').run(kind, account, folded);
    if (result.changes === 0) return false;
    this.pending.record(kind, account, folded, 'delete');
    return true;
  }

  async deleteChildren(kind: string, account: string, parent: string): Promise<number> {
    this.check();
    const rows = this.sql.get('DELETE FROM entities WHERE kind = ? AND account = ? AND parent = ? RETURNING key')
      .all(kind, account, foldKey(parent)) as { key: string }[];
    for (const row of rows) this.pending.record(kind, account, row.key, 'delete');
    return rows.length;
  }

  async setMeta(name: string, value: unknown): Promise<void> {
    this.check();
    const json = encodeValue(value, `meta \`${name}\``);
    this.sql.get('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, json);
    this.pending.record(META_KIND, '', name, 'update');
  }

  async appendEvents(events: ReadonlyArray<NewEvent | NewEncodedEvent>): Promise<StoredEvent[]> {
    this.check();
    // Check every event before writing any, so a failed append writes nothing.
    const encoded = events.map(encodeEventData);
    if (events.length === 0) return [];
    let last: number;
    try {
      last = this.insertEvents(events, encoded);
    } catch (error) {
      // The UNIQUE index on id refused one (already stored, or twice in `events`); nothing of
      // this append was kept (see insertEvents). Name it as the store contract asks.
      const duplicate = isUniqueViolation(error) ? this.firstDuplicate(events) : undefined;
      if (duplicate) throw new AlreadyExistsError('event', duplicate.account, duplicate.id);
      throw error;
    }
    // Rows of one transaction get consecutive seqs (AUTOINCREMENT: one more than the largest
    // ever used, and this transaction holds the write lock), in VALUES order.
    const first = last - events.length + 1;
    return events.map((event, i) => storedEvent(first + i, event, encoded[i]));
  }

  /**
   * Inserts all of `events` or none, and returns the seq of the last one. One multi-row INSERT
   * per call (up to EVENT_ROWS rows): a statement that fails undoes all of its rows, so no
   * existence check is needed beforehand; longer appends run in a savepoint.
   */
  private insertEvents(events: ReadonlyArray<NewEvent | NewEncodedEvent>, encoded: string[]): number {
    if (events.length <= EVENT_ROWS) return this.insertEventRows(events, encoded, 0, events.length);
    this.sql.get('SAVEPOINT append_events').run();
    try {
      let last = 0;
      for (let from = 0; from < events.length; from += EVENT_ROWS) {
        last = this.insertEventRows(events, encoded, from, Math.min(from + EVENT_ROWS, events.length));
      }
      this.sql.get('RELEASE append_events').run();
      return last;
    } catch (error) {
      this.sql.get('ROLLBACK TO append_events').run();
      this.sql.get('RELEASE append_events').run();
      throw error;
    }
  }

  private insertEventRows(events: ReadonlyArray<NewEvent | NewEncodedEvent>, encoded: string[], from: number, to: number): number {
    const params: unknown[] = [];
    for (let i = from; i < to; i++) params.push(events[i].id, events[i].time, events[i].account, encoded[i]);
    return Number(this.sql.get(insertEventsSql(to - from)).run(params).lastInsertRowid);
  }

  /** The first event of `events` whose id is taken, by a stored event or an earlier one of `events`. */
  private firstDuplicate(events: ReadonlyArray<NewEvent | NewEncodedEvent>): NewEvent | NewEncodedEvent | undefined {
    const seen = new Set<string>();
    const exists = this.sql.get('SELECT 1 FROM events WHERE id = ?');
    for (const event of events) {
      if (seen.has(event.id) || exists.get(event.id)) return event;
      seen.add(event.id);
    }
    return undefined;
  }

  /**
   * Records the change feed rows and advances the revision, if anything was written; the caller
   * commits right after. Returns the new revision, or undefined. Synchronous, so nothing can run
   * between this and COMMIT.
   */
  finish(): number | undefined {
    this.check();
    this.ended = true;
    if (this.pending.size === 0) return undefined;
    const revision = (this.sql.get('SELECT revision FROM state').get() as { revision: number }).revision + 1;
    this.sql.get('UPDATE state SET revision = ?').run(revision);
    const insert = this.sql.get('INSERT INTO changes (revision, kind, account, key, op) VALUES (?, ?, ?, ?, ?)');
    for (const change of this.pending.list()) insert.run(revision, change.kind, change.account, change.key, change.op);
    const through = pruneThrough(revision);
    if (through !== undefined) {
      this.sql.get('DELETE FROM changes WHERE revision <= ?').run(through);
      this.sql.get('UPDATE state SET pruned_through = max(pruned_through, ?)').run(through);
    }
    return revision;
  }

  /** Makes any later call fail (after commit or rollback). */
  end(): void {
    this.ended = true;
  }
}
