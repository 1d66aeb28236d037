// The centralized root access state (root-access.ts) on both store backends: a real SQLite file
// and the real PostgreSQL (WARDEN_TEST_POSTGRES, default the local test database; a fresh
// schema per run, dropped afterwards). Features are written in one transaction, survive a
// reopen, and the standing of an account reads the organization's trusted access and IAM's
// delegated administrator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TEST_POSTGRES_URL, dropSchemas, testSchema } from '../../store/postgres-fixture.js';
import { openStore, type Store } from '../../store/index.js';
import { OKIND, ORG_ACCOUNT, type MemberDoc, type OrganizationDoc } from './common.js';
import { IAM_SERVICE_PRINCIPAL, activeMemberOf, featuresOf, rootAccessStanding, setFeature } from './root-access.js';

const schema = testSchema('warden_test_rootaccess');
const dataDir = mkdtempSync(join(tmpdir(), 'warden-rootaccess-'));

const ORG: OrganizationDoc = {
  Id: 'o-abcdefghij', Arn: 'arn:aws:organizations::111111111111:organization/o-abcdefghij', FeatureSet: 'ALL',
  MasterAccountArn: '', MasterAccountId: '111111111111', MasterAccountEmail: 'm@example.com', RootId: 'r-abcd', CreatedDate: '2024-01-01T00:00:00Z',
};
const member = (id: string, status: MemberDoc['Status'] = 'ACTIVE'): MemberDoc => ({
  Id: id, Arn: '', Email: `${id}@example.com`, Name: id, Status: status, State: status === 'ACTIVE' ? 'ACTIVE' : 'SUSPENDED',
  JoinedMethod: 'CREATED', JoinedTimestamp: '2024-01-01T00:00:00Z', OrgId: ORG.Id, ParentId: ORG.RootId, Tags: [],
});

const backends: { name: string; open: () => Promise<Store> }[] = [
  { name: 'sqlite', open: () => openStore({ dataDir }) },
  { name: 'postgres', open: () => openStore({ url: TEST_POSTGRES_URL, schema }) },
];

after(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await dropSchemas(schema);
});

for (const b of backends) {
  describe(`centralized root access state (${b.name})`, () => {
    it('an account in no organization has no standing', async () => {
      const s = await b.open();
      try {
        assert.equal(await s.read((tx) => rootAccessStanding(tx, '111111111111')), undefined);
      } finally { await s.close(); }
    });

    it('features are set in one transaction and survive a reopen', async () => {
      let s = await b.open();
      try {
        await s.transaction(async (tx) => {
          await tx.insert({ kind: OKIND.organization, account: ORG_ACCOUNT, key: ORG.Id, data: ORG });
          for (const m of [member('111111111111'), member('222222222222'), member('333333333333', 'SUSPENDED')]) {
            await tx.insert({ kind: OKIND.account, account: ORG_ACCOUNT, key: m.Id, parent: ORG.RootId, data: m });
          }
        });
        assert.deepEqual(await s.transaction((tx) => setFeature(tx, ORG.Id, 'RootSessions', true)), ['RootSessions']);
        assert.deepEqual(await s.transaction((tx) => setFeature(tx, ORG.Id, 'RootCredentialsManagement', true)), ['RootCredentialsManagement', 'RootSessions']);
        // A failing transaction leaves nothing behind.
        await assert.rejects(s.transaction(async (tx) => { await setFeature(tx, ORG.Id, 'RootSessions', false); throw new Error('abort'); }), /abort/);
      } finally { await s.close(); }
      s = await b.open();
      try {
        assert.deepEqual(await s.read((tx) => featuresOf(tx, ORG.Id)), ['RootCredentialsManagement', 'RootSessions']);
        assert.deepEqual(await s.transaction((tx) => setFeature(tx, ORG.Id, 'RootSessions', false)), ['RootCredentialsManagement']);
        assert.deepEqual(await s.read((tx) => featuresOf(tx, ORG.Id)), ['RootCredentialsManagement']);
      } finally { await s.close(); }
    });

    it('the standing reads trusted access and IAM\'s delegated administrator; members are active non-management accounts', async () => {
      const s = await b.open();
      try {
        const before = await s.read((tx) => rootAccessStanding(tx, '222222222222'));
        assert.deepEqual({ ...before, org: before?.org.Id }, { org: ORG.Id, management: false, iamDelegatedAdmin: false, trustedAccess: false, features: ['RootCredentialsManagement'] });
        await s.transaction(async (tx) => {
          await tx.insert({ kind: OKIND.serviceAccess, account: ORG_ACCOUNT, key: `${ORG.Id}|${IAM_SERVICE_PRINCIPAL}`, parent: ORG.Id, data: { OrgId: ORG.Id } });
          await tx.insert({ kind: OKIND.delegatedAdmin, account: ORG_ACCOUNT, key: `222222222222|${IAM_SERVICE_PRINCIPAL}`, parent: '222222222222', data: { OrgId: ORG.Id } });
        });
        const da = await s.read((tx) => rootAccessStanding(tx, '222222222222'));
        assert.equal(da?.iamDelegatedAdmin, true);
        assert.equal(da?.trustedAccess, true);
        const mgmt = await s.read((tx) => rootAccessStanding(tx, '111111111111'));
        assert.equal(mgmt?.management, true);
        assert.equal(mgmt?.iamDelegatedAdmin, false);
        const members = await s.read(async (tx) => [
          await activeMemberOf(tx, ORG, '111111111111'), await activeMemberOf(tx, ORG, '222222222222'), await activeMemberOf(tx, ORG, '333333333333'),
          await activeMemberOf(tx, ORG, '444444444444'),
        ]);
        assert.deepEqual(members.map((m) => m?.Id), [undefined, '222222222222', undefined, undefined]);
      } finally { await s.close(); }
    });
  });
}
