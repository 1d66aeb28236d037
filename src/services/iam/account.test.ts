import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallContext } from '../types.js';
import { KIND, ROOT_OWNER, rootArn } from './entities.js';
import { accountOperations as ops, ACCOUNT_QUOTAS, type AccountAliasDoc } from './account.js';
import { iamOperations } from './index.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

const OTHER = '222233334444';

describe('account aliases', () => {
  let f: CredentialFixture;
  let other: CallContext;
  before(async () => {
    f = await openCredentialFixture();
    other = f.runtime.createContext(
      { principal: { kind: 'root', accountId: OTHER, arn: rootArn(OTHER) }, accountId: OTHER, accessKeyId: 'AKIAOTHEROTHEROTHER1', userId: OTHER },
      { requestId: 'r', sourceIp: '192.0.2.1', region: 'us-east-1', secureTransport: true, now: new Date() },
    );
    await f.addUser('viewer', ['iam:ListAccountAliases', 'iam:GetAccountSummary']);
  });
  after(async () => { await f.close(); });

  const aliases = async (ctx: CallContext) => ((await ops.ListAccountAliases(ctx, {})) as { AccountAliases: string[] }).AccountAliases;

  it('creates and lists the alias', async () => {
    await ops.CreateAccountAlias(f.root(), { AccountAlias: 'example-corp' });
    assert.deepEqual(await aliases(f.root()), ['example-corp']);
    const global = await f.store.read((tx) => tx.get<AccountAliasDoc>(KIND.accountAlias, '', 'example-corp'));
    assert.equal(global?.data.AccountId, f.accountId, 'kept globally for uniqueness');
  });

  it('creating it again is harmless', async () => {
    await ops.CreateAccountAlias(f.root(), { AccountAlias: 'example-corp' });
    assert.deepEqual(await aliases(f.root()), ['example-corp']);
  });

  it('is unique across accounts, and the refused account keeps nothing', async () => {
    const e = await awsErrorOf(() => ops.CreateAccountAlias(other, { AccountAlias: 'example-corp' }));
    assert.equal(e.code, 'EntityAlreadyExists');
    assert.equal(e.message, 'The account alias example-corp already exists.');
    assert.deepEqual(await aliases(other), []);
  });

  it('an account has one alias: a new one replaces it and frees the old name', async () => {
    await ops.CreateAccountAlias(f.root(), { AccountAlias: 'renamed-corp' });
    assert.deepEqual(await aliases(f.root()), ['renamed-corp']);
    await ops.CreateAccountAlias(other, { AccountAlias: 'example-corp' });
    assert.deepEqual(await aliases(other), ['example-corp']);
  });

  it('DeleteAccountAlias removes it, and an unknown alias is NoSuchEntity', async () => {
    const e = await awsErrorOf(() => ops.DeleteAccountAlias(f.root(), { AccountAlias: 'example-corp' }));
    assert.equal(e.code, 'NoSuchEntity', 'another account\'s alias cannot be deleted');
    assert.equal(e.message, 'The account alias example-corp cannot be found.');
    await ops.DeleteAccountAlias(f.root(), { AccountAlias: 'renamed-corp' });
    assert.deepEqual(await aliases(f.root()), []);
    const global = await f.store.read((tx) => tx.get(KIND.accountAlias, '', 'renamed-corp'));
    assert.equal(global, undefined);
  });

  it('is authorized on *', async () => {
    const viewer = await f.user('viewer');
    assert.deepEqual(await aliases(viewer), []);
    const e = await awsErrorOf(() => ops.CreateAccountAlias(viewer, { AccountAlias: 'mine' }));
    assert.equal(e.code, 'AccessDenied');
    assert.equal(e.message, `User: arn:aws:iam::${f.accountId}:user/viewer is not authorized to perform: iam:CreateAccountAlias on resource: * because no identity-based policy allows the iam:CreateAccountAlias action`);
  });
});

describe('GetAccountSummary and STS preferences', () => {
  let f: CredentialFixture;
  before(async () => { f = await openCredentialFixture(); });
  after(async () => { await f.close(); });

  const summary = async () => ((await ops.GetAccountSummary(f.root(), {})) as { SummaryMap: Record<string, number> }).SummaryMap;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

  it('reports AWS quotas and the counts of an empty account', async () => {
    const s = await summary();
    for (const [k, v] of Object.entries(ACCOUNT_QUOTAS)) assert.equal(s[k], v, k);
    assert.equal(s.UsersQuota, 5000);
    assert.equal(s.RolesQuota, 1000);
    assert.equal(s.AssumeRolePolicySizeQuota, 2048);
    const counts = ['Users', 'Groups', 'Roles', 'Policies', 'ServerCertificates', 'InstanceProfiles', 'Providers', 'MFADevices', 'MFADevicesInUse', 'AccountMFAEnabled', 'AccountSigningCertificatesPresent', 'PolicyVersionsInUse'];
    for (const k of counts) assert.equal(s[k], 0, k);
    assert.equal(s.AccountAccessKeysPresent, 1, 'the bootstrap root key');
    assert.equal(s.GlobalEndpointTokenVersion, 1);
  });

  it('counts what the account holds', async () => {
    const iam = iamOperations;
    await iam.CreateUser(f.root(), { UserName: 'u1' });
    await iam.CreateUser(f.root(), { UserName: 'u2' });
    await iam.CreateGroup(f.root(), { GroupName: 'g' });
    await iam.CreateRole(f.root(), { RoleName: 'r', AssumeRolePolicyDocument: trust });
    await iam.AttachRolePolicy(f.root(), { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await iam.CreateInstanceProfile(f.root(), { InstanceProfileName: 'ip' });
    await iam.CreateOpenIDConnectProvider(f.root(), { Url: 'https://oidc.example.com' });
    await iam.CreatePolicy(f.root(), { PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) });
    await f.store.transaction((tx) => tx.insert({ kind: KIND.mfaDevice, account: f.accountId, key: `arn:aws:iam::${f.accountId}:mfa/root`, parent: ROOT_OWNER, data: { SerialNumber: 'x', UserName: '', EnableDate: '2024-01-01T00:00:00Z', SeedEncrypted: '' } }));
    const s = await summary();
    assert.deepEqual(
      [s.Users, s.Groups, s.Roles, s.InstanceProfiles, s.Providers, s.Policies, s.PolicyVersionsInUse, s.MFADevices, s.MFADevicesInUse, s.AccountMFAEnabled],
      [2, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    );
  });

  it('SetSecurityTokenServicePreferences is reflected in the summary', async () => {
    await ops.SetSecurityTokenServicePreferences(f.root(), { GlobalEndpointTokenVersion: 'v2Token' });
    assert.equal((await summary()).GlobalEndpointTokenVersion, 2);
    await ops.SetSecurityTokenServicePreferences(f.root(), { GlobalEndpointTokenVersion: 'v1Token' });
    assert.equal((await summary()).GlobalEndpointTokenVersion, 1);
  });

  it('a user without permission is denied on *', async () => {
    await f.addUser('nobody');
    const nobody = await f.user('nobody');
    for (const op of ['GetAccountSummary', 'SetSecurityTokenServicePreferences']) {
      const e = await awsErrorOf(() => ops[op](nobody, { GlobalEndpointTokenVersion: 'v2Token' }));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, new RegExp(`iam:${op} on resource: \\* because`));
    }
    assert.equal((await summary()).GlobalEndpointTokenVersion, 1);
  });
});
