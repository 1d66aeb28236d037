// `warden check-no-new-access` / `check-access-not-granted` / `check-no-public-access` as a
// pipeline runs them: child processes, exit codes, text and JSON output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputFiles, warden } from './cli-fixture.js';

const doc = (...sts: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: sts });

const file = inputFiles('warden-check-', {
  'old.json': doc({ Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' }),
  'new.json': doc({ Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' }, { Sid: 'Put', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/in/*' }),
  'bucket.json': doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
  'bad.json': '{"Statement": [',
});

describe('warden check-no-new-access', () => {
  it('exit 1 with the statement and an example request when NEW grants more', async () => {
    const r = await warden('check-no-new-access', file('old.json'), file('new.json'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^FAIL: The modified permissions grant new access/);
    assert.match(r.stdout, /statement 1 \(Put\): New access in the statement with index: 1\. Example request: action s3:putobject; resource arn:aws:s3:::b\/in\//);
  });
  it('exit 0 and JSON when it does not', async () => {
    const r = await warden('check-no-new-access', file('new.json'), file('old.json'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { result: string; reasons: unknown[] };
    assert.equal(out.result, 'PASS');
    assert.deepEqual(out.reasons, []);
  });
  it('exit 2 on an invalid policy or a bad --type', async () => {
    assert.equal((await warden('check-no-new-access', file('old.json'), file('bad.json'))).code, 2);
    assert.equal((await warden('check-no-new-access', file('old.json'), file('new.json'), '--type', 'scp')).code, 2);
  });
});

describe('warden check-access-not-granted', () => {
  it('exit 1 when an action is granted', async () => {
    const r = await warden('check-access-not-granted', file('new.json'), '--action', 's3:PutObject', '--json');
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { result: string; reasons: { statementId?: string }[] };
    assert.equal(out.result, 'FAIL');
    assert.deepEqual(out.reasons.map((x) => x.statementId), ['Put']);
  });
  it('exit 0 when action and resource are not granted together', async () => {
    const r = await warden('check-access-not-granted', file('new.json'), '--action', 's3:PutObject', '--resource', 'arn:aws:s3:::b/out/x');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS/);
  });
  it('exit 2 without --action or --resource', async () => {
    assert.equal((await warden('check-access-not-granted', file('new.json'))).code, 2);
  });
});

describe('warden check-no-public-access', () => {
  it('exit 1 for Principal *', async () => {
    const r = await warden('check-no-public-access', file('bucket.json'));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /grants public access/);
  });
});
