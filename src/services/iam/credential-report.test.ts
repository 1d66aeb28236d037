import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentialOperations as ops } from './credentials.js';
import { userOperations } from './users.js';
import { passwordPolicyOperations } from './password-policy.js';
import { recordAccessKeyUse, resetAccessKeyUseDebounce } from './access-keys.js';
import { REPORT_COLUMNS, reportTime } from './credential-report.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';
import { totp } from '../sts/mfa.js';

const HEADER = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,'
  + 'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,'
  + 'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,'
  + 'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

type Row = Record<string, string>;

function parse(csv: string): Row[] {
  const [head, ...lines] = csv.split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('credential report', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openCredentialFixture();
    await f.addUser('nobody-allowed');
  });
  after(async () => { await f.close(); });

  it('ReportNotPresent before any report', async () => {
    const e = await awsErrorOf(() => ops.GetCredentialReport(f.root(), {}));
    assert.equal(e.code, 'ReportNotPresent');
    assert.equal(e.status, 410);
  });

  it('a user without permission gets AccessDenied for both operations', async () => {
    const u = await f.user('nobody-allowed');
    for (const op of ['GenerateCredentialReport', 'GetCredentialReport'] as const) {
      const e = await awsErrorOf(() => ops[op](u, {}));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, new RegExp(`iam:${op}`));
    }
  });

  it("writes AWS's columns and value conventions: root line, passwords, MFA, keys used and unused", async () => {
    const now = new Date();
    const root = f.root(now);
    await passwordPolicyOperations.UpdateAccountPasswordPolicy(root, { MaxPasswordAge: 90 });
    await userOperations.CreateUser(root, { UserName: 'alice' });
    await userOperations.CreateUser(root, { UserName: 'bob', Path: '/ops/' });
    await ops.CreateLoginProfile(root, { UserName: 'alice', Password: 'Alice-pw-1' });
    // Created a second apart: key 1 is the older one.
    const k1 = await ops.CreateAccessKey(f.root(new Date(now.getTime() - 1000)), { UserName: 'alice' }) as { AccessKey: { AccessKeyId: string } };
    await ops.CreateAccessKey(root, { UserName: 'alice' });
    resetAccessKeyUseDebounce();
    await recordAccessKeyUse(f.store, k1.AccessKey.AccessKeyId, 'iam', 'us-east-1', now);
    const dev = await ops.CreateVirtualMFADevice(root, { VirtualMFADeviceName: 'alice' }) as { VirtualMFADevice: { SerialNumber: string; Base32StringSeed: Buffer } };
    const seed = dev.VirtualMFADevice.Base32StringSeed.toString();
    await ops.EnableMFADevice(root, {
      UserName: 'alice', SerialNumber: dev.VirtualMFADevice.SerialNumber,
      AuthenticationCode1: totp(seed, new Date(now.getTime() - 30_000)), AuthenticationCode2: totp(seed, now),
    });

    assert.deepEqual(await ops.GenerateCredentialReport(root, {}), { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' });
    assert.deepEqual(await ops.GenerateCredentialReport(root, {}), { State: 'COMPLETE' });
    const got = await ops.GetCredentialReport(root, {}) as { Content: Buffer; ReportFormat: string; GeneratedTime: string };
    assert.equal(got.ReportFormat, 'text/csv');
    const csv = got.Content.toString('utf8');
    assert.equal(csv.split('\n')[0], HEADER);
    assert.equal(REPORT_COLUMNS.join(','), HEADER);
    const rows = parse(csv);
    assert.deepEqual(rows.map((r) => r.user), ['<root_account>', 'alice', 'bob', 'nobody-allowed']);

    const r = rows[0];
    assert.equal(r.arn, `arn:aws:iam::${f.accountId}:root`);
    assert.match(r.user_creation_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.deepEqual([r.password_enabled, r.password_last_used, r.password_last_changed, r.password_next_rotation], ['not_supported', 'no_information', 'not_supported', 'not_supported']);

    const a = rows[1];
    assert.equal(a.password_enabled, 'true');
    assert.equal(a.password_last_used, 'no_information');
    assert.equal(a.password_last_changed, reportTime(now.toISOString()));
    assert.equal(a.password_next_rotation, reportTime(new Date(Date.parse(now.toISOString().replace(/\.\d+Z/, 'Z')) + 90 * 86_400_000).toISOString()));
    assert.equal(a.mfa_active, 'true');
    assert.equal(a.access_key_1_active, 'true');
    assert.equal(a.access_key_1_last_used_date, reportTime(now.toISOString()));
    assert.equal(a.access_key_1_last_used_region, 'us-east-1');
    assert.equal(a.access_key_1_last_used_service, 'iam');
    assert.equal(a.access_key_2_active, 'true');
    assert.deepEqual([a.access_key_2_last_used_date, a.access_key_2_last_used_region, a.access_key_2_last_used_service], ['N/A', 'N/A', 'N/A']);
    assert.deepEqual([a.cert_1_active, a.cert_1_last_rotated, a.cert_2_active, a.cert_2_last_rotated], ['false', 'N/A', 'false', 'N/A']);

    const b = rows[2];
    assert.equal(b.arn, `arn:aws:iam::${f.accountId}:user/ops/bob`);
    assert.deepEqual([b.password_enabled, b.password_last_used, b.password_last_changed, b.password_next_rotation, b.mfa_active], ['false', 'N/A', 'N/A', 'N/A', 'false']);
    assert.deepEqual([b.access_key_1_active, b.access_key_1_last_rotated, b.access_key_1_last_used_date], ['false', 'N/A', 'N/A']);
    assert.equal(Object.keys(b).length, 22);
  });

  it('ReportExpired after four hours; a new report is then STARTED', async () => {
    const later = new Date(Date.now() + 4 * 3600_000 + 1000);
    const e = await awsErrorOf(() => ops.GetCredentialReport(f.root(later), {}));
    assert.equal(e.code, 'ReportExpired');
    const again = await ops.GenerateCredentialReport(f.root(later), {}) as { State: string };
    assert.equal(again.State, 'STARTED');
    const got = await ops.GetCredentialReport(f.root(later), {}) as { GeneratedTime: string };
    assert.equal(Date.parse(got.GeneratedTime), Math.floor(later.getTime() / 1000) * 1000);
  });
});
