// The writer thread: appends made through it are durable and chained when they resolve, the
// server thread's own store sees them, a head appended by another writer is chained onto, and
// a writer thread that cannot open its store fails the start and every append loudly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../../store/index.js';
import { verifyStoreChain } from './verify.js';
import { AuditWriter, newEventId, type PendingEvent } from './writer.js';
import { WorkerAppender } from './worker-appender.js';

function event(i: number): PendingEvent {
  return { id: newEventId(), time: new Date().toISOString(), account: '111122223333', record: { eventName: 'GetUser', n: i, nested: { list: [i, 'x'] } } };
}

describe('audit writer thread', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-writer-thread-'));
    store = await openStore({ dataDir: dir });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends concurrent events durably and chained; each resolves once readable from this thread', async () => {
    const appender = new WorkerAppender({ dataDir: dir });
    await appender.whenReady();
    const events = Array.from({ length: 300 }, (_, i) => event(i));
    const seen = await Promise.all(events.map(async (e) => {
      await appender.append(e);
      const found = await store.readEvents({ limit: 10_000 });
      return found.some((s) => s.id === e.id);
    }));
    assert.ok(seen.every(Boolean), 'an append resolved before its event was readable');
    await appender.close();
    const stored = await store.readEvents({ limit: 10_000 });
    assert.equal(stored.length, 300);
    // Handed over in call order, appended in that order, each record intact.
    assert.deepEqual(stored.map((s) => s.data.event), events.map((e) => e.record));
    assert.deepEqual(stored.map((s) => s.id), events.map((e) => e.id));
    const verdict = await verifyStoreChain(store);
    assert.equal(verdict.ok, true);
  });

  it('hands events over as soon as handOverAt are waiting, and the rest at the end of the turn', async () => {
    const appender = new WorkerAppender({ dataDir: dir }, { handOverAt: 4 });
    await appender.whenReady();
    const events = Array.from({ length: 10 }, (_, i) => event(i));
    await Promise.all(events.map((e) => appender.append(e))); // one turn: 4 + 4, then 2 at its end
    assert.equal(appender.messages, 3);
    await appender.append(event(10)); // alone in its turn: handed over at the turn's end
    assert.equal(appender.messages, 4);
    await appender.close();
    const stored = await store.readEvents({ limit: 10_000 });
    // Still in call order.
    assert.deepEqual(stored.slice(-11).map((s) => s.id).slice(0, 10), events.map((e) => e.id));
    assert.equal((await verifyStoreChain(store)).ok, true);
  });

  it('chains onto events another writer appended in between', async () => {
    const appender = new WorkerAppender({ dataDir: dir });
    await appender.append(event(1));
    await new AuditWriter(store).append(event(2)); // another writer, this thread
    await appender.append(event(3));
    await appender.close();
    assert.equal((await verifyStoreChain(store)).ok, true);
  });

  it('refuses appends after close', async () => {
    const appender = new WorkerAppender({ dataDir: dir });
    await appender.close();
    await assert.rejects(appender.append(event(4)), /closed/);
  });

  it('holds the process open while an append is pending: a script awaiting only that finishes', () => {
    const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
    const script = `
      import { WorkerAppender } from ${JSON.stringify(here('./worker-appender.ts'))};
      import { newEventId } from ${JSON.stringify(here('./writer.ts'))};
      const a = new WorkerAppender({ dataDir: ${JSON.stringify(dir)} });
      await a.append({ id: newEventId(), time: new Date().toISOString(), account: '111122223333', record: { script: true } });
      console.log('appended');
      await a.close();
      console.log('closed');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'appended\nclosed\n');
  });

  it('a writer thread that cannot open its store fails whenReady and every append', async () => {
    const appender = new WorkerAppender({ url: 'postgres://nobody@127.0.0.1:1/none' });
    await assert.rejects(appender.whenReady(), /audit writer thread/);
    await assert.rejects(appender.append(event(5)), /audit writer thread/);
    await appender.close();
  });
});
