// The merged credential table, and how credentials live with their user: they follow a rename,
// they block DeleteUser, and a key created through the API authenticates under the new name.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentialOperations as ops } from './credentials.js';
import { userOperations } from './users.js';
import { passwordPolicyOperations } from './password-policy.js';
import { KIND } from './entities.js';
import { SIGNING_CERTS } from './certificate-fixtures.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

const RSA_2048 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCTqBThJUmPIxygXkwdooBA2+qkpg/sY8VxfaRD1JoceG4A+uvK6KhaXRzv450GGHtxWf+X6CycSgzqmBXO9xFbcydJWM6E2jD2trvX12JQ8E83rcORPkemww83zPB2uEIFQbJDNNH2mRuI3szEA3xblF1pUgqIsYGc/6vEetuUtQ4ZeSlPn5kvj5Xa3kYAktO0LDk2HTHiZpoPZrs5sjMpp68ny/bvRIYm+30/mJEbDvGfd4KQhI1HbU7P59VRKmliMJ/xi3aUObl/ArExWwuilPILKqPC5G6T/Shz8PxUIyGBTE31g94eduvDQijoWGB8fGtV/WHNmxo3WD+0/A9L';

describe('credential operations', () => {
  let f: CredentialFixture;
  before(async () => { f = await openCredentialFixture(); });
  after(async () => { await f.close(); });

  it('serves every credential operation of the brief', () => {
    const expected = [
      'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey', 'ListAccessKeys', 'GetAccessKeyLastUsed',
      'CreateLoginProfile', 'GetLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile', 'ChangePassword',
      'UpdateAccountPasswordPolicy', 'GetAccountPasswordPolicy', 'DeleteAccountPasswordPolicy',
      'UploadSSHPublicKey', 'GetSSHPublicKey', 'UpdateSSHPublicKey', 'DeleteSSHPublicKey', 'ListSSHPublicKeys',
      'UploadSigningCertificate', 'UpdateSigningCertificate', 'DeleteSigningCertificate', 'ListSigningCertificates',
      'UploadServerCertificate', 'GetServerCertificate', 'UpdateServerCertificate', 'DeleteServerCertificate', 'ListServerCertificates',
      'TagServerCertificate', 'UntagServerCertificate', 'ListServerCertificateTags',
      'CreateServiceSpecificCredential', 'ListServiceSpecificCredentials', 'UpdateServiceSpecificCredential',
      'DeleteServiceSpecificCredential', 'ResetServiceSpecificCredential',
      'ListMFADevices', 'ListVirtualMFADevices', 'GetMFADevice',
      // Registered by the accountability issue (mfa.ts, credential-report.ts, last-accessed.ts).
      'CreateVirtualMFADevice', 'EnableMFADevice', 'ResyncMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice',
      'TagMFADevice', 'UntagMFADevice', 'ListMFADeviceTags', 'GenerateCredentialReport', 'GetCredentialReport',
      'GenerateServiceLastAccessedDetails', 'GetServiceLastAccessedDetails', 'GetServiceLastAccessedDetailsWithEntities',
      // policies-granting-access.ts, organizations-access-report.ts.
      'ListPoliciesGrantingServiceAccess', 'GenerateOrganizationsAccessReport', 'GetOrganizationsAccessReport',
    ];
    assert.deepEqual(Object.keys(ops).sort(), expected.sort());
  });

  it('credentials block DeleteUser, follow UpdateUser renames, and the key still authenticates', async () => {
    await userOperations.CreateUser(f.root(), { UserName: 'alice' });
    const { AccessKey } = await ops.CreateAccessKey(f.root(), { UserName: 'alice' }) as { AccessKey: Record<string, string> };
    await ops.CreateLoginProfile(f.root(), { UserName: 'alice', Password: 'Alice-pw-1' });
    await ops.UploadSSHPublicKey(f.root(), { UserName: 'alice', SSHPublicKeyBody: RSA_2048 });
    await ops.UploadSigningCertificate(f.root(), { UserName: 'alice', CertificateBody: SIGNING_CERTS[0] });
    await ops.CreateServiceSpecificCredential(f.root(), { UserName: 'alice', ServiceName: 'codecommit.amazonaws.com' });

    const conflict = await awsErrorOf(() => userOperations.DeleteUser(f.root(), { UserName: 'alice' }));
    assert.equal(conflict.code, 'DeleteConflict');

    await userOperations.UpdateUser(f.root(), { UserName: 'alice', NewUserName: 'alicia' });
    const keys = await ops.ListAccessKeys(f.root(), { UserName: 'alicia' }) as { AccessKeyMetadata: Record<string, string>[] };
    assert.deepEqual(keys.AccessKeyMetadata.map((k) => [k.UserName, k.AccessKeyId]), [['alicia', AccessKey.AccessKeyId]]);
    const profile = await ops.GetLoginProfile(f.root(), { UserName: 'alicia' }) as { LoginProfile: Record<string, string> };
    assert.equal(profile.LoginProfile.UserName, 'alicia');
    const ssh = await ops.ListSSHPublicKeys(f.root(), { UserName: 'alicia' }) as { SSHPublicKeys: Record<string, string>[] };
    assert.equal(ssh.SSHPublicKeys[0].UserName, 'alicia');
    const certs = await ops.ListSigningCertificates(f.root(), { UserName: 'alicia' }) as { Certificates: Record<string, string>[] };
    assert.equal(certs.Certificates[0].UserName, 'alicia');
    const creds = await ops.ListServiceSpecificCredentials(f.root(), { UserName: 'alicia' }) as { ServiceSpecificCredentials: Record<string, string>[] };
    assert.equal(creds.ServiceSpecificCredentials[0].UserName, 'alicia');

    // The old name is free again, with no credentials of its own.
    await userOperations.CreateUser(f.root(), { UserName: 'alice' });
    const old = await ops.ListAccessKeys(f.root(), { UserName: 'alice' }) as { AccessKeyMetadata: unknown[] };
    assert.deepEqual(old.AccessKeyMetadata, []);
    await ops.CreateLoginProfile(f.root(), { UserName: 'alice', Password: 'Other-pw-2' });

    await f.runtime.afterWrite();
    const auth = await f.runtime.resolveCredentials(AccessKey.AccessKeyId, undefined, new Date());
    assert.ok(auth.ok && auth.caller.userName === 'alicia');
  });

  it('ChangePassword: AllowUsersToChangePassword stands in for an Allow, not against an explicit Deny', async () => {
    await f.addUser('denied');
    await f.store.transaction(async (tx) => {
      await tx.insert({
        kind: KIND.inlinePolicy, account: f.accountId, key: 'user:denied|deny', parent: 'user:denied',
        data: { OwnerType: 'user', OwnerName: 'denied', PolicyName: 'deny', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ChangePassword', Resource: '*' }] }) },
      });
    });
    await ops.CreateLoginProfile(f.root(), { UserName: 'denied', Password: 'Denied-pw-1' });
    await passwordPolicyOperations.UpdateAccountPasswordPolicy(f.root(), { AllowUsersToChangePassword: true });
    const e = await awsErrorOf(async () => ops.ChangePassword(await f.user('denied'), { OldPassword: 'Denied-pw-1', NewPassword: 'Denied-pw-2' }));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /explicit deny/);
  });
});
