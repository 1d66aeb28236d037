import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND } from './entities.js';
import { serverCertificateOperations as ops, type ServerCertificateDoc } from './server-certificates.js';
import { CA_CERT, LEAF_CERT, LEAF_CERT_EXPIRATION, LEAF_KEY, OTHER_KEY, SIGNING_CERTS } from './certificate-fixtures.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

type Meta = Record<string, string>;

describe('server certificates', () => {
  let f: CredentialFixture;
  before(async () => {
    f = await openCredentialFixture();
    await f.addUser('reader', ['iam:GetServerCertificate', 'iam:ListServerCertificates']);
    await f.addUser('tagger', ['iam:UploadServerCertificate', 'iam:TagServerCertificate'], 'arn:aws:iam::*:server-certificate/tagged/*');
  });
  after(async () => { await f.close(); });

  it('uploads a certificate with its chain: metadata, expiration from the certificate, the key encrypted', async () => {
    const out = await ops.UploadServerCertificate(f.root(), {
      ServerCertificateName: 'Web', Path: '/cdn/', CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY, CertificateChain: CA_CERT,
      Tags: [{ Key: 'env', Value: 'prod' }],
    }) as { ServerCertificateMetadata: Meta; Tags: unknown[] };
    const m = out.ServerCertificateMetadata;
    assert.equal(m.Arn, `arn:aws:iam::${f.accountId}:server-certificate/cdn/Web`);
    assert.equal(m.Path, '/cdn/');
    assert.match(m.ServerCertificateId, /^ASCA[A-Z2-7]{17}$/);
    assert.equal(m.Expiration, LEAF_CERT_EXPIRATION);
    assert.deepEqual(out.Tags, [{ Key: 'env', Value: 'prod' }]);
    const stored = await f.store.read((tx) => tx.get<ServerCertificateDoc>(KIND.serverCertificate, f.accountId, 'web'));
    assert.ok(stored && !JSON.stringify(stored.data).includes(LEAF_KEY.split('\n')[1]), 'no clear private key at rest');
    assert.match(f.secrets.decrypt(stored!.data.PrivateKeyEncrypted, m.ServerCertificateId), /BEGIN PRIVATE KEY/);
  });

  it('GetServerCertificate returns body, chain and tags, never the private key', async () => {
    const out = await ops.GetServerCertificate(await f.user('reader'), { ServerCertificateName: 'web' }) as { ServerCertificate: Record<string, unknown> };
    const sc = out.ServerCertificate;
    assert.equal(sc.CertificateBody, LEAF_CERT);
    assert.equal(sc.CertificateChain, CA_CERT);
    assert.deepEqual(sc.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.ok(!JSON.stringify(out).includes('PRIVATE KEY'));
  });

  const errors = [
    { name: 'a key that does not match', input: { CertificateBody: LEAF_CERT, PrivateKey: OTHER_KEY }, code: 'KeyPairMismatch' },
    { name: 'a body that is not a certificate', input: { CertificateBody: 'junk', PrivateKey: LEAF_KEY }, code: 'MalformedCertificate' },
    { name: 'a private key that is not PEM', input: { CertificateBody: LEAF_CERT, PrivateKey: 'junk' }, code: 'MalformedCertificate' },
    { name: 'a chain that did not sign the body', input: { CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY, CertificateChain: SIGNING_CERTS[0] }, code: 'MalformedCertificate' },
    { name: 'a name taken case-insensitively', input: { ServerCertificateName: 'WEB', CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY }, code: 'EntityAlreadyExists' },
  ];
  for (const c of errors) {
    it(`UploadServerCertificate answers ${c.code} for ${c.name}, writing nothing`, async () => {
      const before = await f.dump();
      const e = await awsErrorOf(() => ops.UploadServerCertificate(f.root(), { ServerCertificateName: 'other', ...c.input }));
      assert.equal(e.code, c.code, e.message);
      assert.equal(await f.dump(), before);
    });
  }

  it('authorizes uploads on the certificate ARN with the request tags', async () => {
    const tagger = await f.user('tagger');
    const denied = await awsErrorOf(() => ops.UploadServerCertificate(tagger, { ServerCertificateName: 'x', CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY }));
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, /on resource: arn:aws:iam::\d{12}:server-certificate\/x /);
    await ops.UploadServerCertificate(tagger, { ServerCertificateName: 'x', Path: '/tagged/', CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY, Tags: [{ Key: 'a', Value: 'b' }] });
  });

  it('renames and moves, keeping id and tags; the old name is gone', async () => {
    await ops.UpdateServerCertificate(f.root(), { ServerCertificateName: 'web', NewServerCertificateName: 'web2', NewPath: '/' });
    const out = await ops.GetServerCertificate(f.root(), { ServerCertificateName: 'web2' }) as { ServerCertificate: { ServerCertificateMetadata: Meta; Tags: unknown[] } };
    assert.equal(out.ServerCertificate.ServerCertificateMetadata.Arn, `arn:aws:iam::${f.accountId}:server-certificate/web2`);
    assert.equal(out.ServerCertificate.ServerCertificateMetadata.ServerCertificateName, 'web2');
    assert.deepEqual(out.ServerCertificate.Tags, [{ Key: 'env', Value: 'prod' }]);
    const e = await awsErrorOf(() => ops.GetServerCertificate(f.root(), { ServerCertificateName: 'web' }));
    assert.equal(e.code, 'NoSuchEntity');
    assert.equal(e.message, 'The Server Certificate with name web cannot be found.');
    const taken = await awsErrorOf(() => ops.UpdateServerCertificate(f.root(), { ServerCertificateName: 'web2', NewServerCertificateName: 'X' }));
    assert.equal(taken.code, 'EntityAlreadyExists');
  });

  it('tags, untags and lists tags', async () => {
    await ops.TagServerCertificate(f.root(), { ServerCertificateName: 'web2', Tags: [{ Key: 'team', Value: 'edge' }, { Key: 'ENV', Value: 'dev' }] });
    const tags = await ops.ListServerCertificateTags(f.root(), { ServerCertificateName: 'web2' }) as { Tags: { Key: string }[] };
    assert.deepEqual(tags.Tags.sort((a, b) => a.Key.localeCompare(b.Key)), [{ Key: 'ENV', Value: 'dev' }, { Key: 'team', Value: 'edge' }]);
    await ops.UntagServerCertificate(f.root(), { ServerCertificateName: 'web2', TagKeys: ['env'] });
    const after = await ops.ListServerCertificateTags(f.root(), { ServerCertificateName: 'web2' }) as { Tags: unknown[] };
    assert.deepEqual(after.Tags, [{ Key: 'team', Value: 'edge' }]);
  });

  it('lists with PathPrefix and pages', async () => {
    const all = await ops.ListServerCertificates(await f.user('reader'), {}) as { ServerCertificateMetadataList: Meta[] };
    assert.deepEqual(all.ServerCertificateMetadataList.map((m) => m.ServerCertificateName), ['web2', 'x']);
    const tagged = await ops.ListServerCertificates(f.root(), { PathPrefix: '/tagged/' }) as { ServerCertificateMetadataList: Meta[] };
    assert.deepEqual(tagged.ServerCertificateMetadataList.map((m) => m.ServerCertificateName), ['x']);
    const p1 = await ops.ListServerCertificates(f.root(), { MaxItems: 1 }) as { ServerCertificateMetadataList: Meta[]; IsTruncated: boolean; Marker: string };
    const p2 = await ops.ListServerCertificates(f.root(), { MaxItems: 1, Marker: p1.Marker }) as { ServerCertificateMetadataList: Meta[]; IsTruncated: boolean };
    assert.deepEqual([p1.ServerCertificateMetadataList[0].ServerCertificateName, p1.IsTruncated, p2.ServerCertificateMetadataList[0].ServerCertificateName, p2.IsTruncated], ['web2', true, 'x', false]);
  });

  it('refuses a 21st certificate (ServerCertificatesPerAccount: 20)', async () => {
    for (let i = 0; i < 18; i++) await ops.UploadServerCertificate(f.root(), { ServerCertificateName: `n${i}`, CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY });
    const before = await f.dump();
    const e = await awsErrorOf(() => ops.UploadServerCertificate(f.root(), { ServerCertificateName: 'one-too-many', CertificateBody: LEAF_CERT, PrivateKey: LEAF_KEY }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for ServerCertificatesPerAccount: 20');
    assert.equal(await f.dump(), before);
  });

  it('deletes; a missing certificate is NoSuchEntity', async () => {
    await ops.DeleteServerCertificate(f.root(), { ServerCertificateName: 'WEB2' });
    const e = await awsErrorOf(() => ops.DeleteServerCertificate(f.root(), { ServerCertificateName: 'web2' }));
    assert.equal(e.code, 'NoSuchEntity');
  });
});
