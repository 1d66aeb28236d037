import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND, ROOT_OWNER, ownerKey } from './entities.js';
import { mfaListingOperations as ops, type MfaDeviceDoc } from './mfa-listing.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

describe('MFA device listing', () => {
  let f: CredentialFixture;
  let serial: (name: string) => string;
  before(async () => {
    f = await openCredentialFixture();
    serial = (name) => `arn:aws:iam::${f.accountId}:mfa/${name}`;
    await f.addUser('alice', ['iam:ListMFADevices', 'iam:GetMFADevice', 'iam:ListVirtualMFADevices']);
    await f.addUser('bob');
  });
  after(async () => { await f.close(); });

  it('answers empty lists and NoSuchEntity while no device exists', async () => {
    assert.deepEqual(await ops.ListMFADevices(f.root(), { UserName: 'alice' }), { MFADevices: [], IsTruncated: false, Marker: undefined });
    assert.deepEqual(await ops.ListMFADevices(f.root(), {}), { MFADevices: [], IsTruncated: false, Marker: undefined });
    assert.deepEqual(await ops.ListVirtualMFADevices(f.root(), {}), { VirtualMFADevices: [], IsTruncated: false, Marker: undefined });
    const e = await awsErrorOf(() => ops.GetMFADevice(f.root(), { SerialNumber: serial('alice'), UserName: 'alice' }));
    assert.equal(e.code, 'NoSuchEntity');
  });

  it('lists devices written by the MFA operations (assigned, unassigned, root)', async () => {
    const devices: { key: string; parent: string; data: MfaDeviceDoc }[] = [
      { key: serial('alice'), parent: ownerKey('user', 'alice'), data: { SerialNumber: serial('alice'), Virtual: true, UserName: 'alice', EnableDate: '2030-01-01T00:00:00Z', Tags: [{ Key: 'k', Value: 'v' }] } },
      { key: serial('spare'), parent: '', data: { SerialNumber: serial('spare'), Virtual: true } },
      { key: serial('root-account-mfa-device'), parent: ROOT_OWNER, data: { SerialNumber: serial('root-account-mfa-device'), Virtual: true, UserName: '', EnableDate: '2030-01-02T00:00:00Z' } },
      { key: 'GAHT12345678', parent: ownerKey('user', 'alice'), data: { SerialNumber: 'GAHT12345678', Virtual: false, UserName: 'alice', EnableDate: '2030-01-03T00:00:00Z' } },
    ];
    await f.store.transaction(async (tx) => {
      for (const d of devices) await tx.insert({ kind: KIND.mfaDevice, account: f.accountId, key: d.key, parent: d.parent || null, data: d.data });
    });
    const alice = await f.user('alice');
    const own = await ops.ListMFADevices(alice, {}) as { MFADevices: Record<string, string>[] };
    assert.deepEqual(own.MFADevices.map((d) => [d.UserName, d.SerialNumber]), [['alice', serial('alice')], ['alice', 'GAHT12345678']].sort((a, b) => a[1].toLowerCase() < b[1].toLowerCase() ? -1 : 1));
    const root = await ops.ListMFADevices(f.root(), {}) as { MFADevices: Record<string, string>[] };
    assert.deepEqual(root.MFADevices, [{ SerialNumber: serial('root-account-mfa-device'), EnableDate: '2030-01-02T00:00:00Z' }]);

    const cases = [
      { status: undefined, want: [serial('alice'), serial('root-account-mfa-device'), serial('spare')] },
      { status: 'Any', want: [serial('alice'), serial('root-account-mfa-device'), serial('spare')] },
      { status: 'Assigned', want: [serial('alice'), serial('root-account-mfa-device')] },
      { status: 'Unassigned', want: [serial('spare')] },
    ];
    for (const c of cases) {
      const out = await ops.ListVirtualMFADevices(alice, c.status ? { AssignmentStatus: c.status } : {}) as { VirtualMFADevices: Record<string, unknown>[] };
      assert.deepEqual(out.VirtualMFADevices.map((d) => d.SerialNumber), c.want, String(c.status));
    }
    const assignedOut = await ops.ListVirtualMFADevices(f.root(), { AssignmentStatus: 'Assigned' }) as { VirtualMFADevices: Record<string, Record<string, unknown>>[] };
    assert.equal(assignedOut.VirtualMFADevices[0].User.UserName, 'alice');
    assert.deepEqual(assignedOut.VirtualMFADevices[0].Tags, [{ Key: 'k', Value: 'v' }]);
    assert.equal(assignedOut.VirtualMFADevices[1].User.Arn, `arn:aws:iam::${f.accountId}:root`);
    const page = await ops.ListVirtualMFADevices(f.root(), { MaxItems: 2 }) as { VirtualMFADevices: unknown[]; IsTruncated: boolean; Marker: string };
    const rest = await ops.ListVirtualMFADevices(f.root(), { MaxItems: 2, Marker: page.Marker }) as { VirtualMFADevices: unknown[]; IsTruncated: boolean };
    assert.deepEqual([page.VirtualMFADevices.length, page.IsTruncated, rest.VirtualMFADevices.length, rest.IsTruncated], [2, true, 1, false]);
  });

  it('GetMFADevice finds a device of its user only', async () => {
    const out = await ops.GetMFADevice(await f.user('alice'), { SerialNumber: serial('alice') });
    assert.deepEqual(out, { UserName: 'alice', SerialNumber: serial('alice'), EnableDate: '2030-01-01T00:00:00Z' });
    const other = await awsErrorOf(() => ops.GetMFADevice(f.root(), { SerialNumber: serial('alice'), UserName: 'bob' }));
    assert.equal(other.code, 'NoSuchEntity');
    const spare = await awsErrorOf(() => ops.GetMFADevice(f.root(), { SerialNumber: serial('spare') }));
    assert.equal(spare.code, 'NoSuchEntity');
  });

  it('authorizes: a user without permission is denied', async () => {
    const bob = await f.user('bob');
    for (const call of [() => ops.ListMFADevices(bob, {}), () => ops.ListVirtualMFADevices(bob, {}), () => ops.GetMFADevice(bob, { SerialNumber: serial('alice'), UserName: 'alice' })]) {
      assert.equal((await awsErrorOf(call)).code, 'AccessDenied');
    }
  });
});
