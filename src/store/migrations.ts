// The schema, as numbered migrations per backend. Each backend applies, in one transaction, the
// migrations above the highest version recorded in its `schema_migrations` table.
// INVARIANT: a released migration is never edited; change the schema by appending one.

export interface Migration {
  version: number;
  sqlite: string[];
  /** `${s}` stands for the quoted schema name. */
  postgres: string[];
}

export const migrations: Migration[] = [
  {
    version: 1,
    sqlite: [
      `CREATE TABLE entities (
         kind TEXT NOT NULL, account TEXT NOT NULL, key TEXT NOT NULL,
         id TEXT, parent TEXT, data TEXT NOT NULL, version INTEGER NOT NULL,
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         PRIMARY KEY (kind, account, key)) WITHOUT ROWID`,
      `CREATE UNIQUE INDEX entities_id ON entities (kind, id) WHERE id IS NOT NULL`,
      `CREATE INDEX entities_parent ON entities (kind, account, parent, key) WHERE parent IS NOT NULL`,
      `CREATE TABLE state (one INTEGER PRIMARY KEY CHECK (one = 1), revision INTEGER NOT NULL, pruned_through INTEGER NOT NULL)`,
      `INSERT INTO state (one, revision, pruned_through) VALUES (1, 0, 0)`,
      `CREATE TABLE changes (
         revision INTEGER NOT NULL, kind TEXT NOT NULL, account TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL,
         PRIMARY KEY (revision, kind, account, key)) WITHOUT ROWID`,
      `CREATE TABLE events (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL,
         account TEXT NOT NULL, data TEXT NOT NULL)`,
      `CREATE INDEX events_time ON events (time)`,
      `CREATE INDEX events_account ON events (account, seq)`,
      `CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    ],
    postgres: [
      // COLLATE "C": byte order, so keys sort as in SQLite. json, not jsonb: documents come back
      // exactly as written (key order, `\u0000`), as in SQLite.
      `CREATE TABLE \${s}.entities (
         kind text COLLATE "C" NOT NULL, account text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
         id text COLLATE "C", parent text COLLATE "C", data json NOT NULL, version integer NOT NULL,
         created_at text NOT NULL, updated_at text NOT NULL,
         PRIMARY KEY (kind, account, key))`,
      `CREATE UNIQUE INDEX entities_id ON \${s}.entities (kind, id) WHERE id IS NOT NULL`,
      `CREATE INDEX entities_parent ON \${s}.entities (kind, account, parent, key) WHERE parent IS NOT NULL`,
      `CREATE TABLE \${s}.state (one integer PRIMARY KEY CHECK (one = 1), revision bigint NOT NULL, pruned_through bigint NOT NULL)`,
      `INSERT INTO \${s}.state (one, revision, pruned_through) VALUES (1, 0, 0)`,
      `CREATE TABLE \${s}.changes (
         revision bigint NOT NULL, kind text COLLATE "C" NOT NULL, account text COLLATE "C" NOT NULL,
         key text COLLATE "C" NOT NULL, op text NOT NULL,
         PRIMARY KEY (revision, kind, account, key))`,
      `CREATE TABLE \${s}.events (
         seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id text NOT NULL UNIQUE, time text COLLATE "C" NOT NULL,
         account text COLLATE "C" NOT NULL, data json NOT NULL)`,
      `CREATE INDEX events_time ON \${s}.events (time)`,
      `CREATE INDEX events_account ON \${s}.events (account, seq)`,
      `CREATE TABLE \${s}.meta (name text COLLATE "C" PRIMARY KEY, value json NOT NULL)`,
    ],
  },
  {
    // events_time is written with every appended event (one more index page per commit, and its
    // B-tree insert: ~7 µs of the audit writer thread's CPU per event, measured) and read by
    // nothing on SQLite: every event query filtering on time names an account too (LookupEvents,
    // the trail readers of records.ts), and SQLite's planner takes events_account (account, seq)
    // for those — ordered by seq, stopping at the LIMIT — not a time range that must then be
    // sorted. PostgreSQL keeps it: its planner may choose it for a narrow time range, and its
    // index writes are the database server's, not the writer thread's.
    version: 2,
    sqlite: ['DROP INDEX IF EXISTS events_time'],
    postgres: [],
  },
];

/** The newest schema version this code knows. */
export const latestVersion = migrations[migrations.length - 1].version;

/** Fails when the database was migrated by a newer Warden than this one. */
export function checkVersion(current: number): void {
  if (current > latestVersion) {
    throw new Error(`database schema version ${current} is newer than this warden's (${latestVersion}); upgrade warden`);
  }
}
