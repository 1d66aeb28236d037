// The IAM operations of centralized root access (organizations-features.ts) against a real
// SQLite store and the real Organizations operations: prerequisites and their errors in order,
// enabling, disabling and listing, who may call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallContext } from '../types.js';
import { awsErrorOf, openOrgFixture, type OrgFixture } from '../organizations/org-fixture.js';
import { iamOperations } from './index.js';

type Obj = Record<string, any>;

async function iam(op: string, ctx: CallContext, input: Obj = {}): Promise<Obj> {
  return (await iamOperations[op](ctx, input)) ?? {};
}

const ALL_OPS = [
  'EnableOrganizationsRootCredentialsManagement', 'DisableOrganizationsRootCredentialsManagement',
  'EnableOrganizationsRootSessions', 'DisableOrganizationsRootSessions', 'ListOrganizationsFeatures',
];

describe('IAM centralized root access operations', () => {
  let f: OrgFixture;
  let orgId: string;
  let member: string;
  let other: string;
  before(async () => {
    f = await openOrgFixture();
    await f.addUser('admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    await f.addUser('nobody', []);
  });
  after(async () => { await f.close(); });

  it('without an organization every operation answers OrganizationNotFoundException', async () => {
    for (const op of ALL_OPS) {
      const e = await awsErrorOf(async () => iam(op, await f.user('admin')));
      assert.equal(e.code, 'OrganizationNotFoundException', op);
      assert.equal(e.status, 400);
      assert.equal(e.message, 'The request was rejected because no organization is associated with your account.');
    }
  });

  it('an organization with consolidated billing only answers OrganizationNotInAllFeaturesModeException', async () => {
    orgId = ((await f.org('CreateOrganization', f.root(), { FeatureSet: 'CONSOLIDATED_BILLING' })).Organization as Obj).Id;
    const e = await awsErrorOf(async () => iam('ListOrganizationsFeatures', await f.user('admin')));
    assert.equal(e.code, 'OrganizationNotInAllFeaturesModeException');
    await f.org('DeleteOrganization', f.root());
    orgId = ((await f.org('CreateOrganization', f.root(), { FeatureSet: 'ALL' })).Organization as Obj).Id;
  });

  it('is authorized first: a caller without iam:ListOrganizationsFeatures gets AccessDenied', async () => {
    const e = await awsErrorOf(async () => iam('ListOrganizationsFeatures', await f.user('nobody')));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /is not authorized to perform: iam:ListOrganizationsFeatures on resource: \*/);
  });

  it('without trusted access for IAM: ServiceAccessNotEnabledException', async () => {
    for (const op of ALL_OPS) {
      const e = await awsErrorOf(async () => iam(op, await f.user('admin')));
      assert.equal(e.code, 'ServiceAccessNotEnabledException', op);
    }
  });

  it('a member account that is not IAM\'s delegated administrator: AccountNotManagementOrDelegatedAdministratorException', async () => {
    await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'iam.amazonaws.com' });
    for (const name of ['m1', 'm2']) await f.org('CreateAccount', f.root(), { AccountName: name, Email: `${name}@example.com` });
    const accounts = ((await f.org('ListAccounts', f.root())).Accounts as Obj[]).map((a) => a.Id as string).filter((id) => id !== f.mgmt);
    [member, other] = accounts;
    for (const op of ALL_OPS) {
      const e = await awsErrorOf(() => iam(op, f.root(member)));
      assert.equal(e.code, 'AccountNotManagementOrDelegatedAdministratorException', op);
    }
  });

  it('the management account enables both features, idempotently, and lists them', async () => {
    const admin = await f.user('admin');
    assert.deepEqual(await iam('ListOrganizationsFeatures', admin), { OrganizationId: orgId, EnabledFeatures: [] });
    assert.deepEqual(await iam('EnableOrganizationsRootSessions', admin), { OrganizationId: orgId, EnabledFeatures: ['RootSessions'] });
    assert.deepEqual(await iam('EnableOrganizationsRootCredentialsManagement', admin),
      { OrganizationId: orgId, EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] });
    assert.deepEqual(await iam('EnableOrganizationsRootSessions', admin),
      { OrganizationId: orgId, EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] });
    assert.deepEqual((await iam('ListOrganizationsFeatures', f.root())).EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
  });

  it('IAM\'s delegated administrator lists and disables, but may not enable (CallerIsNotManagementAccountException)', async () => {
    await f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'iam.amazonaws.com' });
    const da = f.root(member);
    assert.deepEqual((await iam('ListOrganizationsFeatures', da)).EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
    assert.deepEqual(await iam('DisableOrganizationsRootSessions', da), { OrganizationId: orgId, EnabledFeatures: ['RootCredentialsManagement'] });
    const e = await awsErrorOf(() => iam('EnableOrganizationsRootSessions', da));
    assert.equal(e.code, 'CallerIsNotManagementAccountException');
    assert.equal(e.status, 400);
    // A delegated administrator for another service is no administrator of root access.
    await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'config.amazonaws.com' });
    await f.org('RegisterDelegatedAdministrator', f.root(), { AccountId: other, ServicePrincipal: 'config.amazonaws.com' });
    const e2 = await awsErrorOf(() => iam('ListOrganizationsFeatures', f.root(other)));
    assert.equal(e2.code, 'AccountNotManagementOrDelegatedAdministratorException');
  });

  it('disabling is idempotent and the state survives a second node', async () => {
    const admin = await f.user('admin');
    assert.deepEqual((await iam('DisableOrganizationsRootCredentialsManagement', admin)).EnabledFeatures, []);
    assert.deepEqual((await iam('DisableOrganizationsRootCredentialsManagement', admin)).EnabledFeatures, []);
    await iam('EnableOrganizationsRootSessions', admin);
    const node = await f.openNode();
    try {
      const admin2 = node.runtime.createContext(admin.caller, { requestId: 'r', sourceIp: '192.0.2.1', region: 'us-east-1', secureTransport: true, now: new Date() });
      assert.deepEqual((await iam('ListOrganizationsFeatures', admin2)).EnabledFeatures, ['RootSessions']);
    } finally {
      await node.close();
    }
  });

  it('disabling trusted access for IAM makes the operations answer ServiceAccessNotEnabledException', async () => {
    await f.org('DeregisterDelegatedAdministrator', f.root(), { AccountId: member, ServicePrincipal: 'iam.amazonaws.com' });
    await f.org('DisableAWSServiceAccess', f.root(), { ServicePrincipal: 'iam.amazonaws.com' });
    const e = await awsErrorOf(async () => iam('ListOrganizationsFeatures', await f.user('admin')));
    assert.equal(e.code, 'ServiceAccessNotEnabledException');
    await f.org('EnableAWSServiceAccess', f.root(), { ServicePrincipal: 'iam.amazonaws.com' });
  });
});
