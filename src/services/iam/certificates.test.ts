import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Entity } from '../../store/index.js';
import { KIND, ROOT_OWNER } from './entities.js';
import { signingCertificateOperations as ops, type SigningCertificateDoc } from './certificates.js';
import { SIGNING_CERTS } from './certificate-fixtures.js';
import { awsErrorOf, itFailsWithoutWriting, openAliceAndBob, type CredentialFixture } from './credentials-fixture.js';

type Out = { Certificate: Record<string, string> };
type ListOut = { Certificates: Record<string, string>[]; IsTruncated: boolean; Marker?: string };

describe('signing certificates', () => {
  let f: CredentialFixture;
  let aliceCert = '';
  before(async () => {
    f = await openAliceAndBob(['iam:*SigningCertificate*']);
  });
  after(async () => { await f.close(); });

  it('uploads a certificate for a user', async () => {
    const out = await ops.UploadSigningCertificate(f.root(), { UserName: 'alice', CertificateBody: SIGNING_CERTS[0] + '\n' }) as Out;
    assert.equal(out.Certificate.UserName, 'alice');
    assert.match(out.Certificate.CertificateId, /^[A-Z0-9]{32}$/);
    assert.equal(out.Certificate.CertificateBody, SIGNING_CERTS[0]);
    assert.equal(out.Certificate.Status, 'Active');
    aliceCert = out.Certificate.CertificateId;
  });

  it('a user lists and updates its own certificates without UserName', async () => {
    const alice = await f.user('alice');
    const list = await ops.ListSigningCertificates(alice, {}) as ListOut;
    assert.deepEqual(list.Certificates.map((c) => [c.UserName, c.CertificateId, c.Status]), [['alice', aliceCert, 'Active']]);
    await ops.UpdateSigningCertificate(alice, { CertificateId: aliceCert, Status: 'Inactive' });
    const after = await ops.ListSigningCertificates(alice, {}) as ListOut;
    assert.equal(after.Certificates[0].Status, 'Inactive');
  });

  it('the root user uploads its own certificate without UserName', async () => {
    const out = await ops.UploadSigningCertificate(f.root(), { CertificateBody: SIGNING_CERTS[1] }) as Out;
    assert.ok(!('UserName' in out.Certificate));
    const stored = await f.store.read((tx) => tx.get<SigningCertificateDoc>(KIND.signingCertificate, f.accountId, out.Certificate.CertificateId)) as Entity<SigningCertificateDoc>;
    assert.equal(stored.parent, ROOT_OWNER);
    const list = await ops.ListSigningCertificates(f.root(), {}) as ListOut;
    assert.deepEqual(list.Certificates.map((c) => c.CertificateId), [out.Certificate.CertificateId]);
    await ops.DeleteSigningCertificate(f.root(), { CertificateId: out.Certificate.CertificateId });
  });

  const errors = [
    { name: 'a body that is not PEM', call: () => ops.UploadSigningCertificate(f.root(), { UserName: 'bob', CertificateBody: 'not a certificate' }), code: 'MalformedCertificate' },
    { name: 'a PEM with a broken body', call: () => ops.UploadSigningCertificate(f.root(), { UserName: 'bob', CertificateBody: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), code: 'MalformedCertificate' },
    { name: 'a certificate already in the account', call: () => ops.UploadSigningCertificate(f.root(), { UserName: 'bob', CertificateBody: SIGNING_CERTS[0] }), code: 'DuplicateCertificate' },
    { name: 'a certificate of another user', call: () => ops.DeleteSigningCertificate(f.root(), { UserName: 'bob', CertificateId: aliceCert }), code: 'NoSuchEntity' },
    { name: 'a missing user', call: () => ops.ListSigningCertificates(f.root(), { UserName: 'nobody' }), code: 'NoSuchEntity' },
    { name: 'a caller without permission', call: async () => ops.ListSigningCertificates(await f.user('bob'), {}), code: 'AccessDenied' },
  ];
  itFailsWithoutWriting(() => f, errors);

  it('refuses a third certificate (SigningCertificatesPerUser: 2), pages, deletes', async () => {
    await ops.UploadSigningCertificate(f.root(), { UserName: 'alice', CertificateBody: SIGNING_CERTS[1] });
    const e = await awsErrorOf(() => ops.UploadSigningCertificate(f.root(), { UserName: 'alice', CertificateBody: SIGNING_CERTS[2] }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for SigningCertificatesPerUser: 2');
    const p1 = await ops.ListSigningCertificates(f.root(), { UserName: 'alice', MaxItems: 1 }) as ListOut;
    const p2 = await ops.ListSigningCertificates(f.root(), { UserName: 'alice', MaxItems: 1, Marker: p1.Marker }) as ListOut;
    assert.deepEqual([p1.Certificates.length, p1.IsTruncated, p2.Certificates.length, p2.IsTruncated], [1, true, 1, false]);
    await ops.DeleteSigningCertificate(f.root(), { UserName: 'alice', CertificateId: aliceCert });
    const left = await ops.ListSigningCertificates(f.root(), { UserName: 'alice' }) as ListOut;
    assert.equal(left.Certificates.length, 1);
  });
});
