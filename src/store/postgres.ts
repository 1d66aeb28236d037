// The shared backend: PostgreSQL, for several Warden nodes behind one load balancer.
//
// Serialisation: every write transaction takes one transaction-scoped advisory lock (one key per
// schema) as its first statement, so write transactions run one at a time across all nodes, and
// under READ COMMITTED each statement sees everything committed before the lock was granted: a
// count read inside stays true until commit, the revision counter and the audit log's seq grow in
// commit order. The trade-off: writes do not run in parallel (throughput is one over the
// transaction's duration; about 7-10 ms each on a local server, most of it the commit's fsync), so
// a transaction must not do slow work (password hashing, network calls) inside, and the audit log
// should append in batches; IAM's own write rate is far below that. SERIALIZABLE with retries would
// allow parallel writes but make every service transaction retryable. lock_timeout and
// idle_in_transaction_session_timeout (`transactionTimeoutMs`) bound how long a hung node can
// hold the lock; TCP keepalive lets the server notice a node that vanished.
// Within one process, write transactions also queue in a FIFO before taking a pooled client, so
// waiting writers do not exhaust the pool that reads need. Reads take no lock: REPEATABLE READ
// READ ONLY snapshots.
//
// Durability: an acknowledged commit survives a crash when the server has synchronous_commit on
// (its default); if the server has it off, write transactions turn it on for themselves.
//
// Change feed: a commit that advanced the revision NOTIFYs `warden_changes` (payload: the
// revision); each instance LISTENs on a dedicated connection and also polls, in case the listening
// connection is down. A notification is only a hint (other schemas share the channel): the instance
// reads its own schema's revision before calling listeners.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ChangeFeed } from './change-feed.js';
import { normaliseLimit } from './arguments.js';
import { checkVersion, migrations } from './migrations.js';
import { NOTIFY_CHANNEL, PostgresTx, toEvent, type EventRow } from './postgres-tx.js';
import { Mutex, ReentryGuard } from './serial.js';
import {
  ClosedError, StoreError, type ChangeListener, type ChangeSet, type EventQuery,
  type ReadTx, type Store, type StoredEvent, type Tx,
} from './types.js';

export interface PostgresOptions {
  /** `postgres://…`; a `?schema=name` parameter selects the schema (and is not sent to the server). */
  url: string;
  /** Schema holding Warden's tables (default: the URL's `schema`, else `public`); created if missing. */
  schema?: string;
  /** Most connections in the pool (default 10), besides the one listening. */
  poolSize?: number;
  /** How often to poll the revision in case a notification was missed (default 500 ms). */
  pollMs?: number;
  /**
   * Longest wait for the write lock, and longest idle pause inside a write transaction, before
   * PostgreSQL aborts it (default 30000 ms); a hung node cannot block the others for longer.
   */
  transactionTimeoutMs?: number;
}

/** A bigint advisory lock key derived from a name, so that each schema has its own locks. */
function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

function splitUrl(options: PostgresOptions): { connectionString: string; schema: string } {
  const url = new URL(options.url);
  const fromUrl = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const schema = options.schema ?? fromUrl ?? 'public';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new StoreError(`invalid schema name \`${schema}\``);
  return { connectionString: url.toString(), schema };
}

async function migrate(pool: pg.Pool, schema: string, s: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Nodes starting at once take turns; the later ones find the schema current.
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`warden:migrate:${schema}`)]);
    // Only when missing: CREATE SCHEMA needs the CREATE privilege on the database even with IF NOT EXISTS.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`);
    const { rows } = await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${s}.schema_migrations`);
    checkVersion(rows[0].v);
    for (const migration of migrations) {
      if (migration.version <= rows[0].v) continue;
      for (const statement of migration.postgres) await client.query(statement.replaceAll('${s}', s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [migration.version, new Date().toISOString()]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const { connectionString, schema } = splitUrl(options);
  // keepAlive: a node that vanishes mid-transaction is noticed, and its lock freed, by the server.
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, keepAlive: true });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (error) => process.emitWarning(`warden store: idle connection failed: ${error.message}`));
  const s = `"${schema}"`;
  try {
    await migrate(pool, schema, s);
    const { rows } = await pool.query<{ revision: string }>(`SELECT revision FROM ${s}.state`);
    const { rows: sync } = await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    const durable = sync[0].synchronous_commit !== 'off';
    return new PostgresStore(pool, connectionString, schema, s, Number(rows[0].revision), {
      durableCommits: durable, pollMs: options.pollMs ?? 500, transactionTimeoutMs: options.transactionTimeoutMs ?? 30_000,
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
}

class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  private readonly inTransaction = new ReentryGuard('transaction or read');
  private readonly queue = new Mutex();
  private readonly feed: ChangeFeed;
  private readonly writeLock: string;
  private readonly running = new Set<Promise<unknown>>();
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;
  private readonly durableCommits: boolean;
  private readonly transactionTimeoutMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly schema: string,
    private readonly s: string,
    revision: number,
    settings: { durableCommits: boolean; pollMs: number; transactionTimeoutMs: number },
  ) {
    this.durableCommits = settings.durableCommits;
    this.transactionTimeoutMs = settings.transactionTimeoutMs;
    this.writeLock = lockKey(`warden:write:${schema}`);
    this.feed = new ChangeFeed(revision, {
      readRevision: async () => {
        void this.listen(); // re-establish a lost listening connection
        return this.revision();
      },
      start: () => void this.listen(),
      stop: () => this.unlisten(),
    }, settings.pollMs);
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError('store is closed');
  }

  /** Opens the listening connection unless it is open or opening. */
  private listen(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    this.listening ??= this.connectListener().finally(() => { this.listening = undefined; });
    return this.listening;
  }

  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: `warden-listen:${this.schema}` });
    let dropped = false;
    const drop = () => {
      if (this.listener === client) this.listener = undefined;
      if (!dropped) client.end().catch(() => undefined);
      dropped = true;
    };
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', () => void this.feed.check());
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      if (this.closed) throw new ClosedError('store is closed');
      this.listener = client;
      void this.feed.check(); // a commit may have come before LISTEN took effect
    } catch {
      drop(); // the next poll retries
    }
  }

  private async unlisten(): Promise<void> {
    await this.listening;
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    this.inTransaction.check();
    this.ensureOpen();
    return this.track(this.queue.run(() => this.runTransaction(fn)));
  }

  private async runTransaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    this.ensureOpen();
    return this.withClient(async (client) => {
      const tx = new PostgresTx(client, this.s);
      try {
        // One round trip. The timeouts bound how long a hung or partitioned node can hold the lock.
        const timeout = Math.floor(this.transactionTimeoutMs);
        await client.query(`BEGIN; SET LOCAL lock_timeout = ${timeout}; SET LOCAL idle_in_transaction_session_timeout = ${timeout};
          ${this.durableCommits ? '' : 'SET LOCAL synchronous_commit = on;'} SELECT pg_advisory_xact_lock(${this.writeLock})`);
        const result = await this.inTransaction.run(() => fn(tx));
        const revision = await tx.finish();
        const commit = await client.query('COMMIT');
        // COMMIT of a transaction an error has aborted answers ROLLBACK instead of failing.
        if (commit.command !== 'COMMIT') throw new StoreError('transaction was aborted by an earlier error and rolled back');
        if (revision !== undefined) this.feed.advance(revision);
        return result;
      } finally {
        tx.end();
      }
    });
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T> | T): Promise<T> {
    this.inTransaction.check();
    this.ensureOpen();
    return this.track(this.runRead(fn));
  }

  private async runRead<T>(fn: (tx: ReadTx) => Promise<T> | T): Promise<T> {
    return this.withClient(async (client) => {
      const tx = new PostgresTx(client, this.s);
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const result = await this.inTransaction.run(() => fn(tx));
        await client.query('COMMIT');
        return result;
      } finally {
        tx.end();
      }
    });
  }

  /**
   * Runs `work` on a pooled client; rolls back if it throws, and discards the client if its
   * connection failed. pg emits 'error' on a checked-out client whose connection dies while idle
   * (e.g. the server ends an idle transaction); without a listener that would crash the process.
   */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => { broken ??= error; };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      if (!broken) await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async revision(): Promise<number> {
    this.ensureOpen();
    const { rows } = await this.pool.query<{ revision: string }>(`SELECT revision FROM ${this.s}.state`);
    return Number(rows[0].revision);
  }

  async changesSince(revision: number): Promise<ChangeSet> {
    this.ensureOpen();
    return this.track(this.runRead((tx) => (tx as PostgresTx).changesSince(revision)));
  }

  onChange(listener: ChangeListener): () => void {
    this.ensureOpen();
    return this.feed.subscribe(listener);
  }

  async readEvents(query: EventQuery = {}): Promise<StoredEvent[]> {
    this.ensureOpen();
    const params: unknown[] = [query.after ?? 0];
    let where = 'seq > $1';
    if (query.from !== undefined) { params.push(query.from); where += ` AND time >= $${params.length}`; }
    if (query.to !== undefined) { params.push(query.to); where += ` AND time < $${params.length}`; }
    if (query.account !== undefined) { params.push(query.account); where += ` AND account = $${params.length}`; }
    params.push(normaliseLimit(query.limit, 1000));
    const { rows } = await this.pool.query<EventRow>(`SELECT * FROM ${this.s}.events WHERE ${where} ORDER BY seq LIMIT $${params.length}`, params);
    return rows.map(toEvent);
  }

  async pruneChanges(revision: number): Promise<void> {
    await this.transaction((tx) => (tx as PostgresTx).pruneChanges(revision));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed.close();
    await Promise.allSettled(this.running);
    await this.pool.end();
  }
}
