// The transaction object of the PostgreSQL backend: one pooled client inside BEGIN … COMMIT.
// INVARIANT: no statement here may fail on purpose. An error aborts a PostgreSQL transaction, so
// conflicts are detected with ON CONFLICT DO NOTHING and checks, never by catching an error; that
// keeps a transaction usable after a refused write, as in SQLite.
import type pg from 'pg';
import { encodeDocument, encodeEventData, encodeValue, normaliseLimit } from './arguments.js';
import { META_KIND, PendingChanges, pruneThrough } from './change-log.js';
import { insertedRow, updatedRow, type EntityRowOf } from './entity-row.js';
import { storedEvent } from './stored-event.js';
import {
  AlreadyExistsError, ClosedError, foldKey,
  type Change, type ChangeSet, type CountOptions, type Entity, type EntityUpdate, type JsonObject, type ListOptions,
  type NewEncodedEvent, type NewEntity, type NewEvent, type StoredEvent, type Tx,
} from './types.js';

export type EntityRow = EntityRowOf<unknown>;

export interface EventRow { seq: string; id: string; time: string; account: string; data: JsonObject }

export function toEntity<D>(row: EntityRow): Entity<D> {
  return {
    kind: row.kind, account: row.account, key: row.key, id: row.id, parent: row.parent,
    data: row.data as D, version: row.version, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export function toEvent(row: EventRow): StoredEvent {
  return { seq: Number(row.seq), id: row.id, time: row.time, account: row.account, data: row.data };
}

/** WHERE clause and parameters for `list`/`count` filters. */
function entityFilter(kind: string, account: string, options: CountOptions): [string, unknown[]] {
  const params: unknown[] = [kind, account];
  let where = 'kind = $1 AND account = $2';
  if (options.parent !== undefined) {
    params.push(foldKey(options.parent));
    where += ` AND parent = $${params.length}`;
  }
  if (options.keyPrefix !== undefined) {
    params.push(foldKey(options.keyPrefix));
    where += ` AND key >= $${params.length} AND left(key, length($${params.length})) = $${params.length}`;
  }
  return [where, params];
}

export class PostgresTx implements Tx {
  private readonly pending = new PendingChanges();
  private ended = false;

  /** `s` is the quoted schema name. */
  constructor(private readonly client: pg.PoolClient, private readonly s: string) {}

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.ended) throw new ClosedError('transaction used after it ended');
    return this.client.query<R>(sql, params);
  }

  async get<D = JsonObject>(kind: string, account: string, key: string): Promise<Entity<D> | undefined> {
    const { rows } = await this.query<EntityRow>(`SELECT * FROM ${this.s}.entities WHERE kind = $1 AND account = $2 AND key = $3`, [kind, account, foldKey(key)]);
    return rows[0] && toEntity<D>(rows[0]);
  }

  async getById<D = JsonObject>(kind: string, id: string): Promise<Entity<D> | undefined> {
    const { rows } = await this.query<EntityRow>(`SELECT * FROM ${this.s}.entities WHERE kind = $1 AND id = $2`, [kind, id]);
    return rows[0] && toEntity<D>(rows[0]);
  }

  async list<D = JsonObject>(kind: string, account: string, options: ListOptions = {}): Promise<Entity<D>[]> {
    let [where, params] = entityFilter(kind, account, options);
    if (options.after !== undefined) {
      params.push(foldKey(options.after));
      where += ` AND key > $${params.length}`;
    }
    params.push(normaliseLimit(options.limit, -1) < 0 ? null : options.limit); // LIMIT NULL: no limit
    const { rows } = await this.query<EntityRow>(`SELECT * FROM ${this.s}.entities WHERE ${where} ORDER BY key LIMIT $${params.length}`, params);
    return rows.map((row) => toEntity<D>(row));
  }

  async count(kind: string, account: string, options: CountOptions = {}): Promise<number> {
    const [where, params] = entityFilter(kind, account, options);
    const { rows } = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.entities WHERE ${where}`, params);
    return Number(rows[0].n);
  }

  async getMeta<T = unknown>(name: string): Promise<T | undefined> {
    const { rows } = await this.query<{ value: T }>(`SELECT value FROM ${this.s}.meta WHERE name = $1`, [name]);
    return rows[0]?.value;
  }

  async revision(): Promise<number> {
    const { rows } = await this.query<{ revision: string }>(`SELECT revision FROM ${this.s}.state`);
    return Number(rows[0].revision);
  }

  async lastEvent(): Promise<StoredEvent | undefined> {
    const { rows } = await this.query<EventRow>(`SELECT * FROM ${this.s}.events ORDER BY seq DESC LIMIT 1`);
    return rows[0] && toEvent(rows[0]);
  }

  async insert<D = JsonObject>(entity: NewEntity<D>): Promise<Entity<D>> {
    const key = foldKey(entity.key);
    const json = encodeDocument(entity.data, 'entity data');
    const now = new Date().toISOString();
    const row: EntityRow = insertedRow(entity, key, JSON.parse(json), now);
    // Without a conflict target, DO NOTHING covers the key and the id alike.
    const result = await this.query(`INSERT INTO ${this.s}.entities (kind, account, key, id, parent, data, version, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6::json, 1, $7, $7) ON CONFLICT DO NOTHING`,
    [row.kind, row.account, key, row.id, row.parent, json, now]);
    if (result.rowCount === 0) throw new AlreadyExistsError(entity.kind, entity.account, key);
    this.pending.record(entity.kind, entity.account, key, 'insert');
    return toEntity<D>(row);
  }

  async update<D = JsonObject>(entity: EntityUpdate<D>): Promise<Entity<D>> {
    const key = foldKey(entity.key);
    const json = encodeDocument(entity.data, 'entity data');
    const { rows } = await this.query<EntityRow>(`SELECT * FROM ${this.s}.entities WHERE kind = $1 AND account = $2 AND key = $3`, [entity.kind, entity.account, key]);
    const row: EntityRow = { ...(await updatedRow(entity, key, rows[0], (id) => this.getById(entity.kind, id))), data: JSON.parse(json) };
    await this.query(`UPDATE ${this.s}.entities SET id = $4, parent = $5, data = $6::json, version = $7, updated_at = $8
      WHERE kind = $1 AND account = $2 AND key = $3`,
    [row.kind, row.account, key, row.id, row.parent, json, row.version, row.updated_at]);
    this.pending.record(entity.kind, entity.account, key, 'update');
    return toEntity<D>(row);
  }

  async delete(kind: string, account: string, key: string): Promise<boolean> {
    const folded = foldKey(key);
    const result = await this.query(`DELETE FROM ${this.s}.entities WHERE kind = $1 AND account = $2 AND key = $3`, [kind, account, folded]);
    if (result.rowCount === 0) return false;
    this.pending.record(kind, account, folded, 'delete');
    return true;
  }

  async deleteChildren(kind: string, account: string, parent: string): Promise<number> {
    const { rows } = await this.query<{ key: string }>(
      `DELETE FROM ${this.s}.entities WHERE kind = $1 AND account = $2 AND parent = $3 RETURNING key`, [kind, account, foldKey(parent)]);
    for (const row of rows) this.pending.record(kind, account, row.key, 'delete');
    return rows.length;
  }

  async setMeta(name: string, value: unknown): Promise<void> {
    const json = encodeValue(value, `meta \`${name}\``);
    await this.query(`INSERT INTO ${this.s}.meta (name, value) VALUES ($1, $2::json) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [name, json]);
    this.pending.record(META_KIND, '', name, 'update');
  }

  async appendEvents(events: ReadonlyArray<NewEvent | NewEncodedEvent>): Promise<StoredEvent[]> {
    // Check every event before writing any, so a failed append writes nothing.
    const encoded = events.map(encodeEventData);
    if (events.length === 0) return [];
    const ids = events.map((event) => event.id);
    if (new Set(ids).size !== ids.length) throw await this.duplicateEvent(events, ids);
    // One statement (one round trip) for the whole batch, which inserts nothing if any id is
    // taken (a unique violation would abort the transaction: see the header). Rows are
    // inserted, and given their seq, in the order of `events`.
    const { rows } = await this.query<{ seq: string; id: string }>(
      `INSERT INTO ${this.s}.events (id, time, account, data)
       SELECT id, time, account, data::json FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e (id, time, account, data, n)
       WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.events WHERE id = ANY($1::text[]))
       ORDER BY n RETURNING seq, id`,
      [ids, events.map((event) => event.time), events.map((event) => event.account), encoded]);
    if (rows.length === 0) throw await this.duplicateEvent(events, ids);
    const seqs = new Map(rows.map((row) => [row.id, Number(row.seq)]));
    return events.map((event, i) => storedEvent(seqs.get(event.id)!, event, encoded[i]));
  }

  /** The error for an append with a taken id: one already stored if any, else one given twice. */
  private async duplicateEvent(events: ReadonlyArray<NewEvent | NewEncodedEvent>, ids: string[]): Promise<AlreadyExistsError> {
    const { rows: taken } = await this.query<{ id: string }>(`SELECT id FROM ${this.s}.events WHERE id = ANY($1::text[]) LIMIT 1`, [ids]);
    const duplicate = taken[0]?.id ?? ids.find((id, i) => ids.indexOf(id) !== i)!;
    return new AlreadyExistsError('event', events.find((event) => event.id === duplicate)!.account, duplicate);
  }

  /**
   * Records the change feed rows, advances the revision and queues the notification (PostgreSQL
   * delivers it on commit), if anything was written. Returns the new revision, or undefined.
   */
  async finish(): Promise<number | undefined> {
    if (this.pending.size === 0) {
      this.ended = true;
      return undefined;
    }
    const { rows } = await this.query<{ revision: string }>(`UPDATE ${this.s}.state SET revision = revision + 1 RETURNING revision`);
    const revision = Number(rows[0].revision);
    const changes = this.pending.list();
    await this.query(`INSERT INTO ${this.s}.changes (revision, kind, account, key, op)
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])`,
    [revision, changes.map((c) => c.kind), changes.map((c) => c.account), changes.map((c) => c.key), changes.map((c) => c.op)]);
    const through = pruneThrough(revision);
    if (through !== undefined) {
      await this.query(`DELETE FROM ${this.s}.changes WHERE revision <= $1`, [through]);
      await this.query(`UPDATE ${this.s}.state SET pruned_through = greatest(pruned_through, $1)`, [through]);
    }
    await this.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, String(revision)]);
    this.ended = true;
    return revision;
  }

  /** The store's `changesSince`, on this transaction's snapshot. */
  async changesSince(revision: number): Promise<ChangeSet> {
    const { rows: state } = await this.query<{ revision: string; pruned_through: string }>(`SELECT revision, pruned_through FROM ${this.s}.state`);
    const { rows } = await this.query<Change & { revision: string }>(
      `SELECT * FROM ${this.s}.changes WHERE revision > $1 ORDER BY revision, kind, account, key`, [revision]);
    return {
      revision: Number(state[0].revision),
      changes: rows.map((row) => ({ ...row, revision: Number(row.revision) })),
      truncated: revision < Number(state[0].pruned_through),
    };
  }

  /** The store's `pruneChanges` (not a change itself: the revision stays). */
  async pruneChanges(revision: number): Promise<void> {
    await this.query(`DELETE FROM ${this.s}.changes WHERE revision <= $1`, [revision]);
    await this.query(`UPDATE ${this.s}.state SET pruned_through = greatest(pruned_through, $1)`, [revision]);
  }

  /** Makes any later call fail (after commit or rollback). */
  end(): void {
    this.ended = true;
  }
}

/** The LISTEN/NOTIFY channel; the payload is the new revision. */
export const NOTIFY_CHANNEL = 'warden_changes';
