// The hash chain against a real SQLite store, tampered with directly in warden.db as an
// attacker with file access would: altered, removed, inserted events; and `warden audit verify`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, type Store } from '../../store/index.js';
import { GENESIS, hashEvent, verifyChain, type ChainedEventData } from './chain.js';
import { canonicalJson } from './canonical-json.js';
import { verifyStoreChain } from './verify.js';
import { AuditWriter } from './writer.js';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const N = 10;

interface Row { seq: number; id: string; time: string; account: string; data: string }

describe('audit hash chain', () => {
  let dir: string;
  let store: Store;
  let ids: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-chain-'));
    store = await openStore({ dataDir: dir });
    const writer = new AuditWriter(store);
    ids = Array.from({ length: N }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
    // Two batches, so that the chain crosses a transaction boundary.
    await Promise.all(ids.slice(0, 4).map((id, i) => writer.append({ id, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), account: '111122223333', record: { eventID: id, eventName: `Op${i}`, sourceIPAddress: '192.0.2.1' } })));
    await Promise.all(ids.slice(4).map((id, i) => writer.append({ id, time: new Date(Date.UTC(2026, 0, 1, 0, 1, i)).toISOString(), account: '111122223333', record: { eventID: id, eventName: `Op${i + 4}`, sourceIPAddress: '192.0.2.1' } })));
    assert.equal(writer.batches, 2);
    await store.close();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `fn` on warden.db directly, then reopens the store and verifies. */
  async function tamper(fn: (db: Database.Database) => void) {
    const db = new Database(join(dir, 'warden.db'));
    try {
      fn(db);
    } finally {
      db.close();
    }
    store = await openStore({ dataDir: dir });
    return verifyStoreChain(store);
  }
  const row = (db: Database.Database, seq: number): Row => db.prepare('SELECT * FROM events WHERE seq = ?').get(seq) as Row;
  /** Re-inserts `rows` at their (possibly new) seqs, after deleting everything from `from` on. */
  const rewriteFrom = (db: Database.Database, from: number, rows: Row[]): void => {
    db.prepare('DELETE FROM events WHERE seq >= ?').run(from);
    const insert = db.prepare('INSERT INTO events (seq, id, time, account, data) VALUES (?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(r.seq, r.id, r.time, r.account, r.data);
  };
  /** A forged event chained onto `prevHash` with a correct hash of its own. */
  const forge = (seq: number, prevHash: string): Row => {
    const id = '99999999-0000-4000-8000-000000000000';
    const record = { eventID: id, eventName: 'DeleteTrail', sourceIPAddress: '203.0.113.9' };
    const time = '2026-01-01T00:00:30.000Z';
    const data: ChainedEventData = { event: record, prevHash, hash: hashEvent(prevHash, { id, time, account: '111122223333', record }) };
    return { seq, id, time, account: '111122223333', data: JSON.stringify(data) };
  };

  it('an intact chain verifies, with its head', async () => {
    const v = await tamper(() => undefined);
    assert.ok(v.ok);
    assert.equal(v.count, N);
    assert.equal(v.headSeq, N);
    const last = (await store.readEvents({ after: N - 1 }))[0];
    assert.equal(v.headHash, (last.data as ChainedEventData).hash);
    const first = (await store.readEvents({ limit: 1 }))[0];
    assert.equal((first.data as ChainedEventData).prevHash, GENESIS);
  });

  const cases: Array<{ name: string; change: (db: Database.Database) => void; kind: string; seq: number; id: () => string }> = [
    {
      name: 'altered: one field of one stored event changed (UPDATE of the row\'s data)',
      change: (db) => db.prepare("UPDATE events SET data = replace(data, '192.0.2.1', '10.0.0.1') WHERE seq = 5").run(),
      kind: 'altered', seq: 5, id: () => ids[4],
    },
    {
      name: 'altered: the event\'s time column changed',
      change: (db) => db.prepare("UPDATE events SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 3").run(),
      kind: 'altered', seq: 3, id: () => ids[2],
    },
    {
      name: 'altered and re-hashed: the next event still names the old hash',
      change: (db) => {
        const r = row(db, 6);
        const d = JSON.parse(r.data) as ChainedEventData;
        d.event.sourceIPAddress = '10.0.0.1';
        d.hash = hashEvent(d.prevHash, { id: r.id, time: r.time, account: r.account, record: d.event });
        db.prepare('UPDATE events SET data = ? WHERE seq = 6').run(JSON.stringify(d));
      },
      kind: 'altered', seq: 6, id: () => ids[5],
    },
    {
      name: 'removed: one event deleted',
      change: (db) => db.prepare('DELETE FROM events WHERE seq = 4').run(),
      kind: 'removed', seq: 5, id: () => ids[4],
    },
    {
      name: 'removed: the first event deleted',
      change: (db) => db.prepare('DELETE FROM events WHERE seq = 1').run(),
      kind: 'removed', seq: 2, id: () => ids[1],
    },
    {
      name: 'inserted: a forged event chained onto its predecessor, later events renumbered',
      change: (db) => {
        const after = db.prepare('SELECT * FROM events WHERE seq >= 5 ORDER BY seq').all() as Row[];
        const prev = (JSON.parse(row(db, 4).data) as ChainedEventData).hash;
        rewriteFrom(db, 5, [forge(5, prev), ...after.map((r) => ({ ...r, seq: r.seq + 1 }))]);
      },
      kind: 'inserted', seq: 5, id: () => '99999999-0000-4000-8000-000000000000',
    },
    {
      name: 'inserted: a copy of an event with a new id and a stale hash',
      change: (db) => {
        const after = db.prepare('SELECT * FROM events WHERE seq >= 7 ORDER BY seq').all() as Row[];
        const copy = { ...row(db, 2), seq: 7, id: '99999999-0000-4000-8000-000000000000' };
        rewriteFrom(db, 7, [copy, ...after.map((r) => ({ ...r, seq: r.seq + 1 }))]);
      },
      kind: 'inserted', seq: 7, id: () => '99999999-0000-4000-8000-000000000000',
    },
    {
      name: 'inserted: a forged event at the start of the log',
      change: (db) => {
        const all = db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[];
        rewriteFrom(db, 1, [forge(1, GENESIS), ...all.map((r) => ({ ...r, seq: r.seq + 1 }))]);
      },
      kind: 'inserted', seq: 1, id: () => '99999999-0000-4000-8000-000000000000',
    },
    {
      // The moved event is out of place where it stands: reported as inserted there.
      name: 'reordered: two events swapped',
      change: (db) => {
        const a = row(db, 3);
        const b = row(db, 4);
        rewriteFrom(db, 3, [{ ...b, seq: 3 }, { ...a, seq: 4 }, ...(db.prepare('SELECT * FROM events WHERE seq >= 5 ORDER BY seq').all() as Row[])]);
      },
      kind: 'inserted', seq: 3, id: () => ids[3],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const v = await tamper(c.change);
      assert.ok(!v.ok, 'the chain must be broken');
      assert.equal(v.break.kind, c.kind, v.break.message);
      assert.equal(v.break.seq, c.seq, v.break.message);
      assert.equal(v.break.eventId, c.id(), v.break.message);
    });
  }

  it('warden audit verify: exit 0 on an intact chain, 1 naming the first altered event, 2 on usage errors', async () => {
    const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'audit', ...args], { cwd: REPO })
      .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    const intact = await cli(['verify', '--data-dir', dir]);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, new RegExp(`intact: ${N} events, head seq ${N}`));
    await tamper((db) => db.prepare("UPDATE events SET data = replace(data, 'Op7', 'Op0') WHERE seq = 8").run());
    await store.close();
    const broken = await cli(['verify', '--data-dir', dir]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /BROKEN after 7 intact events: altered/);
    assert.match(broken.stdout, new RegExp(`first bad event: seq 8, eventID ${ids[7]}`));
    const json = await cli(['verify', '--data-dir', dir, '--json']);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout).break.seq, 8);
    assert.equal((await cli(['verify', '--bogus'])).code, 2);
    assert.equal((await cli(['verify', '--data-dir', join(dir, 'missing')])).code, 2);
    assert.equal((await cli(['frobnicate'])).code, 2);
  });

  it('canonical JSON sorts keys at every depth and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: undefined } }), '{"a":{"d":[1,{"e":2,"f":1}]},"b":1}');
  });

  it('verifies a log longer than one page and the look-back window', async () => {
    store = await openStore({ dataDir: dir });
    const writer = new AuditWriter(store, { maxBatch: 700 });
    await Promise.all(Array.from({ length: 2600 }, (_, i) => writer.append({ id: `bulk-${i}`, time: new Date().toISOString(), account: 'a', record: { n: i } })));
    const v = await verifyChain((after, limit) => store.readEvents({ after, limit }));
    assert.ok(v.ok);
    assert.equal(v.count, N + 2600);
    await store.close();
    const broken = await tamper((db) => db.prepare('DELETE FROM events WHERE seq = 2500').run());
    assert.ok(!broken.ok);
    assert.equal(broken.break.kind, 'removed');
    assert.equal(broken.break.seq, 2501);
  });
});
