import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND } from './entities.js';
import { mfaOperations as ops, consecutiveStep, enableRootMfaDevice, INVALID_CODE_MESSAGE } from './mfa.js';
import { mfaListingOperations as listing } from './mfa-listing.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';
import { totp, verifyMfa, base32Decode } from '../sts/mfa.js';

type Created = { VirtualMFADevice: { SerialNumber: string; Base32StringSeed: Buffer; QRCodePNG: Buffer; Tags?: unknown[] } };

const at = (now: Date, steps: number) => new Date(now.getTime() + steps * 30_000);

describe('virtual MFA devices', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openCredentialFixture();
    await f.addUser('alice');
    await f.addUser('bob', ['iam:ListVirtualMFADevices']);
  });
  after(async () => { await f.close(); });

  async function create(name: string, extra: Record<string, unknown> = {}) {
    const out = await ops.CreateVirtualMFADevice(f.root(), { VirtualMFADeviceName: name, ...extra }) as Created;
    return { serial: out.VirtualMFADevice.SerialNumber, seed: out.VirtualMFADevice.Base32StringSeed.toString('utf8'), out };
  }

  it('creates a device with a real 160-bit Base32 seed and a PNG QR code; the seed is stored encrypted', async () => {
    const { serial, seed, out } = await create('alice-phone', { Path: '/team/', Tags: [{ Key: 'owner', Value: 'alice' }] });
    assert.equal(serial, `arn:aws:iam::${f.accountId}:mfa/team/alice-phone`);
    assert.match(seed, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(seed).length, 20);
    assert.deepEqual([...out.VirtualMFADevice.QRCodePNG.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(out.VirtualMFADevice.Tags, [{ Key: 'owner', Value: 'alice' }]);
    assert.ok(!(await f.dump()).includes(seed), 'the seed is not stored in clear');
  });

  const failures: { name: string; input: () => Record<string, unknown>; code: string; message?: RegExp }[] = [
    { name: 'same path and name, other case', input: () => ({ VirtualMFADeviceName: 'ALICE-PHONE', Path: '/team/' }), code: 'EntityAlreadyExists', message: /same path and name already exists/ },
  ];
  for (const c of failures) {
    it(`CreateVirtualMFADevice refuses: ${c.name}`, async () => {
      const before = await f.dump();
      const e = await awsErrorOf(() => ops.CreateVirtualMFADevice(f.root(), c.input()));
      assert.equal(e.code, c.code);
      if (c.message) assert.match(e.message, c.message);
      assert.equal(await f.dump(), before);
    });
  }

  it('a user without permission gets AccessDenied', async () => {
    const bob = await f.user('bob');
    const e = await awsErrorOf(() => ops.CreateVirtualMFADevice(bob, { VirtualMFADeviceName: 'bobs' }));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /is not authorized to perform: iam:CreateVirtualMFADevice/);
  });

  it('EnableMFADevice takes two consecutive codes; wrong, swapped or distant codes are InvalidAuthenticationCode and write nothing', async () => {
    const { serial, seed } = await create('alice-enable');
    const now = new Date();
    const bad: [string, string, string][] = [
      ['wrong codes', '000000', '111111'],
      ['swapped', totp(seed, now), totp(seed, at(now, -1))],
      ['not consecutive', totp(seed, at(now, -2)), totp(seed, now)],
      ['far in the past', totp(seed, at(now, -30)), totp(seed, at(now, -29))],
    ];
    for (const [name, c1, c2] of bad) {
      if (c1 === c2) continue;
      const before = await f.dump();
      const e = await awsErrorOf(() => ops.EnableMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
      assert.equal(e.code, 'InvalidAuthenticationCode', name);
      assert.equal(e.message, INVALID_CODE_MESSAGE);
      assert.equal(await f.dump(), before, name);
    }
    await ops.EnableMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: totp(seed, at(now, -1)), AuthenticationCode2: totp(seed, now) });
    const listed = await listing.ListMFADevices(f.root(), { UserName: 'alice' }) as { MFADevices: { SerialNumber: string; UserName: string }[] };
    assert.deepEqual(listed.MFADevices.map((d) => [d.UserName, d.SerialNumber]), [['alice', serial]]);
    const virtual = await listing.ListVirtualMFADevices(f.root(), { AssignmentStatus: 'Assigned' }) as { VirtualMFADevices: { SerialNumber: string; User?: { UserName: string } }[] };
    assert.deepEqual(virtual.VirtualMFADevices.map((d) => [d.SerialNumber, d.User?.UserName]), [[serial, 'alice']]);
    const got = await listing.GetMFADevice(f.root(), { SerialNumber: serial, UserName: 'alice' }) as { UserName: string };
    assert.equal(got.UserName, 'alice');

    // Enabled again, or for another user: in use.
    const again = await awsErrorOf(() => ops.EnableMFADevice(f.root(now), { UserName: 'bob', SerialNumber: serial, AuthenticationCode1: totp(seed, at(now, 1)), AuthenticationCode2: totp(seed, at(now, 2)) }));
    assert.equal(again.code, 'EntityAlreadyExists');

    // Replay: STS refuses the step already used to enable, accepts the next one once.
    await assert.rejects(verifyMfa(f.store, f.secrets, f.accountId, 'alice', serial, totp(seed, now), now), /invalid MFA one time pass code/);
    await verifyMfa(f.store, f.secrets, f.accountId, 'alice', serial, totp(seed, at(now, 1)), now);
    await assert.rejects(verifyMfa(f.store, f.secrets, f.accountId, 'alice', serial, totp(seed, at(now, 1)), now), /invalid MFA one time pass code/);

    // Resync: already-used codes are refused; later consecutive codes are accepted.
    const replay = await awsErrorOf(() => ops.ResyncMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: totp(seed, now), AuthenticationCode2: totp(seed, at(now, 1)) }));
    assert.equal(replay.code, 'InvalidAuthenticationCode');
    await ops.ResyncMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: totp(seed, at(now, 5)), AuthenticationCode2: totp(seed, at(now, 6)) });
    await assert.rejects(verifyMfa(f.store, f.secrets, f.accountId, 'alice', serial, totp(seed, at(now, 1)), at(now, 1)), /invalid MFA/);

    // In use: cannot be deleted; deactivated, it can.
    const conflict = await awsErrorOf(() => ops.DeleteVirtualMFADevice(f.root(), { SerialNumber: serial }));
    assert.equal(conflict.code, 'DeleteConflict');
    const wrongUser = await awsErrorOf(() => ops.DeactivateMFADevice(f.root(), { UserName: 'bob', SerialNumber: serial }));
    assert.equal(wrongUser.code, 'NoSuchEntity');
    await ops.DeactivateMFADevice(f.root(), { UserName: 'alice', SerialNumber: serial });
    const none = await listing.ListMFADevices(f.root(), { UserName: 'alice' }) as { MFADevices: unknown[] };
    assert.deepEqual(none.MFADevices, []);
    const unassigned = await listing.ListVirtualMFADevices(f.root(), { AssignmentStatus: 'Unassigned' }) as { VirtualMFADevices: { SerialNumber: string }[] };
    assert.ok(unassigned.VirtualMFADevices.some((d) => d.SerialNumber === serial));
    await ops.DeleteVirtualMFADevice(f.root(), { SerialNumber: serial });
    const gone = await awsErrorOf(() => ops.DeleteVirtualMFADevice(f.root(), { SerialNumber: serial }));
    assert.equal(gone.code, 'NoSuchEntity');
  });

  it('NoSuchEntity for unknown users and devices', async () => {
    const { serial, seed } = await create('nobody-device');
    const now = new Date();
    const codes = { AuthenticationCode1: totp(seed, at(now, -1)), AuthenticationCode2: totp(seed, now) };
    const cases: [string, () => Promise<unknown>][] = [
      ['unknown user', () => ops.EnableMFADevice(f.root(now), { UserName: 'ghost', SerialNumber: serial, ...codes })],
      ['unknown device', () => ops.EnableMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial + 'x', ...codes })],
      ['resync unassigned', () => ops.ResyncMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial, ...codes })],
      ['deactivate unassigned', () => ops.DeactivateMFADevice(f.root(now), { UserName: 'alice', SerialNumber: serial })],
      ['tag unknown', () => ops.TagMFADevice(f.root(), { SerialNumber: serial + 'x', Tags: [{ Key: 'a', Value: 'b' }] })],
    ];
    for (const [name, call] of cases) {
      const e = await awsErrorOf(call);
      assert.equal(e.code, 'NoSuchEntity', name);
    }
  });

  it('tags a device, lists its tags page by page, untags', async () => {
    const { serial } = await create('tagged');
    await ops.TagMFADevice(f.root(), { SerialNumber: serial, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }] });
    const p1 = await ops.ListMFADeviceTags(f.root(), { SerialNumber: serial, MaxItems: 2 }) as { Tags: unknown[]; IsTruncated: boolean; Marker: string };
    assert.deepEqual(p1.Tags, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    assert.equal(p1.IsTruncated, true);
    const p2 = await ops.ListMFADeviceTags(f.root(), { SerialNumber: serial, MaxItems: 2, Marker: p1.Marker }) as { Tags: unknown[]; IsTruncated: boolean };
    assert.deepEqual(p2.Tags, [{ Key: 'c', Value: '3' }]);
    await ops.UntagMFADevice(f.root(), { SerialNumber: serial, TagKeys: ['A', 'b'] });
    const rest = await ops.ListMFADeviceTags(f.root(), { SerialNumber: serial }) as { Tags: unknown[] };
    assert.deepEqual(rest.Tags, [{ Key: 'c', Value: '3' }]);
  });

  it('LimitExceeded beyond 8 devices in use by a user', async () => {
    const now = new Date();
    await f.addUser('carol');
    for (let i = 0; i < 9; i++) {
      const { serial, seed } = await create(`carol-${i}`);
      const call = () => ops.EnableMFADevice(f.root(now), { UserName: 'carol', SerialNumber: serial, AuthenticationCode1: totp(seed, at(now, -1)), AuthenticationCode2: totp(seed, now) });
      if (i < 8) await call();
      else assert.equal((await awsErrorOf(call)).code, 'LimitExceeded');
    }
    const rows = await f.store.read((tx) => tx.count(KIND.mfaDevice, f.accountId));
    assert.ok(rows >= 9);
  });

  it('the root user assigns a device to itself with the console call; its listing and STS see it', async () => {
    const { serial, seed } = await create('root-account-mfa-device');
    const now = new Date();
    const codes = { SerialNumber: serial, AuthenticationCode1: totp(seed, at(now, -1)), AuthenticationCode2: totp(seed, now) };
    const notRoot = await awsErrorOf(async () => enableRootMfaDevice(await f.user('alice', now), codes));
    assert.equal(notRoot.code, 'AccessDenied');
    await enableRootMfaDevice(f.root(now), codes);
    const own = await listing.ListMFADevices(f.root(), {}) as { MFADevices: { SerialNumber: string; UserName?: string; EnableDate?: string }[] };
    assert.deepEqual(own.MFADevices, [{ SerialNumber: serial, EnableDate: own.MFADevices[0].EnableDate }]);
    await verifyMfa(f.store, f.secrets, f.accountId, '', serial, totp(seed, at(now, 1)), now);
    await assert.rejects(verifyMfa(f.store, f.secrets, f.accountId, 'alice', serial, totp(seed, at(now, 2)), at(now, 2)), /unable to validate MFA code/);
    await ops.DeactivateMFADevice(f.root(), { SerialNumber: serial });
    assert.deepEqual((await listing.ListMFADevices(f.root(), {}) as { MFADevices: unknown[] }).MFADevices, []);
  });

  it('consecutiveStep: the step of the second code, never a used one', () => {
    const seed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const now = new Date(1_700_000_000_000);
    const step = Math.floor(now.getTime() / 30_000);
    assert.equal(consecutiveStep(seed, totp(seed, at(now, -1)), totp(seed, now), now, 10), step);
    assert.equal(consecutiveStep(seed, totp(seed, at(now, -1)), totp(seed, now), now, 10, step - 1), undefined);
    assert.equal(consecutiveStep(seed, totp(seed, at(now, 11)), totp(seed, at(now, 12)), now, 10), undefined);
  });
});
