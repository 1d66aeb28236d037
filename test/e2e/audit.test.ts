// The audit trail end to end: a real `warden serve`, driven by the AWS CLI. A denied call's
// event is found with `aws cloudtrail lookup-events` with errorCode AccessDenied; failed
// authentication is recorded; malformed lookups get CloudTrail's errors; the CLI pages with
// NextToken; and tampering with one stored event makes `warden audit verify` name it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { awsCli, hasAwsCli } from './aws-cli.js';
import { startWarden, type Credentials, type WardenProcess } from './harness.js';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface LookupEvent { EventId: string; EventName: string; Username?: string; AccessKeyId?: string; CloudTrailEvent: string }

describe('audit trail end to end (warden serve + AWS CLI)', { timeout: 240_000 }, () => {
  let w: WardenProcess;
  let dataDir: string;
  const { aws, must } = awsCli(() => w.endpoint, { AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard' });
  const lookup = async (args: string[]): Promise<LookupEvent[]> =>
    (await must(w.rootCredentials, 'cloudtrail', 'lookup-events', ...args) as { Events: LookupEvent[] }).Events;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'warden-e2e-audit-'));
    w = await startWarden({ dataDir });
  });
  after(async () => {
    await w?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a denied call\'s event with lookup-events (errorCode AccessDenied)', async (t) => {
    if (!hasAwsCli) { t.skip('the AWS CLI is not installed'); return; }
    await must(w.rootCredentials, 'iam', 'create-user', '--user-name', 'mallory');
    const key = await must(w.rootCredentials, 'iam', 'create-access-key', '--user-name', 'mallory');
    const k = (key as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } }).AccessKey;
    const mallory: Credentials = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
    const denied = await aws(mallory, 'iam', 'create-user', '--user-name', 'backdoor');
    assert.ok(!denied.ok);
    assert.match(denied.err, /AccessDenied/);

    const events = await lookup(['--lookup-attributes', 'AttributeKey=Username,AttributeValue=mallory']);
    assert.equal(events.length, 1);
    assert.equal(events[0].EventName, 'CreateUser');
    assert.equal(events[0].AccessKeyId, mallory.accessKeyId);
    const record = JSON.parse(events[0].CloudTrailEvent) as Record<string, unknown>;
    assert.equal(record.errorCode, 'AccessDenied');
    assert.match(String(record.errorMessage), /mallory is not authorized to perform: iam:CreateUser/);
    assert.deepEqual(record.requestParameters, { userName: 'backdoor' });
    assert.equal((record.userIdentity as Record<string, unknown>).type, 'IAMUser');
    assert.match(String(record.userAgent), /aws-cli/);
    // The key's secret never made it into the trail.
    const all = await lookup([]);
    assert.ok(!JSON.stringify(all).includes(mallory.secretAccessKey));
    assert.ok(!w.logs().includes(mallory.secretAccessKey));
  });

  it('records failed authentication (SignatureDoesNotMatch, InvalidClientTokenId)', async (t) => {
    if (!hasAwsCli) { t.skip('the AWS CLI is not installed'); return; }
    const wrong = await aws({ accessKeyId: w.rootCredentials.accessKeyId, secretAccessKey: 'not-the-secret-00000000000000000000000' }, 'iam', 'list-roles');
    assert.match(wrong.err, /SignatureDoesNotMatch/);
    const unknown = await aws({ accessKeyId: 'AKIAE2EUNKNOWNKEY000', secretAccessKey: 'x'.repeat(40) }, 'iam', 'list-roles');
    assert.match(unknown.err, /InvalidClientTokenId/);

    const byName = await lookup(['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=ListRoles']);
    const codes = byName.map((e) => (JSON.parse(e.CloudTrailEvent) as { errorCode?: string }).errorCode);
    assert.deepEqual(codes, ['InvalidClientTokenId', 'SignatureDoesNotMatch']);
    const byKey = await lookup(['--lookup-attributes', 'AttributeKey=AccessKeyId,AttributeValue=AKIAE2EUNKNOWNKEY000']);
    assert.equal(byKey.length, 1);
    assert.equal((JSON.parse(byKey[0].CloudTrailEvent) as { userIdentity: { type: string } }).userIdentity.type, 'Unknown');
  });

  it('answers malformed lookups with CloudTrail\'s errors', async (t) => {
    if (!hasAwsCli) { t.skip('the AWS CLI is not installed'); return; }
    const cases: Array<[string[], RegExp]> = [
      [['--lookup-attributes', 'AttributeKey=ReadOnly,AttributeValue=maybe'], /InvalidLookupAttributesException/],
      [['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=ListRoles', 'AttributeKey=Username,AttributeValue=root'], /InvalidLookupAttributesException/],
      [['--start-time', '2026-01-02T00:00:00Z', '--end-time', '2026-01-01T00:00:00Z'], /InvalidTimeRangeException/],
      [['--starting-token', 'bm90LWEtdG9rZW4'], /InvalidNextTokenException/],
    ];
    for (const [args, expected] of cases) {
      const r = await aws(w.rootCredentials, 'cloudtrail', 'lookup-events', ...args);
      assert.ok(!r.ok, args.join(' '));
      assert.match(r.err, expected, args.join(' '));
    }
  });

  it('pages through NextToken with the CLI', async (t) => {
    if (!hasAwsCli) { t.skip('the AWS CLI is not installed'); return; }
    const all = await lookup(['--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=iam.amazonaws.com']);
    assert.ok(all.length >= 5, `${all.length} events`);
    // --page-size 2: the CLI follows NextToken until it has every event.
    const paged = await lookup(['--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=iam.amazonaws.com', '--page-size', '2']);
    assert.deepEqual(paged.map((e) => e.EventId), all.map((e) => e.EventId));
  });

  it('warden audit verify names the one stored event that was tampered with', async () => {
    const verify = () => run(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'audit', 'verify', '--data-dir', dataDir], { cwd: REPO })
      .then((r) => ({ code: 0, stdout: r.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
    const intact = await verify();
    assert.equal(intact.code, 0, intact.stdout);
    // Rewrite history: the denied CreateUser now looks like an allowed one (server still running).
    const db = new Database(join(dataDir, 'warden.db'));
    let target: { seq: number; id: string } | undefined;
    try {
      target = db.prepare("SELECT seq, id FROM events WHERE data LIKE '%\"errorCode\":\"AccessDenied\"%' ORDER BY seq LIMIT 1").get() as { seq: number; id: string } | undefined;
      assert.ok(target, 'the denied event is stored');
      db.prepare("UPDATE events SET data = replace(data, '\"errorCode\":\"AccessDenied\"', '\"errorCode\":null') WHERE seq = ?").run(target.seq);
    } finally {
      db.close();
    }
    const broken = await verify();
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`first bad event: seq ${target.seq}, eventID ${target.id}`));
    assert.match(broken.stdout, /altered/);
  });
});
