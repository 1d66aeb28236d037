import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND } from './entities.js';
import { roleOperations as ops } from './roles.js';
import { getOidcProvider, MAX_OIDC_PROVIDERS, type OidcProviderDoc } from './oidc-providers.js';
import { getSamlProvider } from './saml-providers.js';
import { readXmlRoot } from './saml-metadata.js';
import { awsErrorOf, openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

type Out = Record<string, unknown>;

const THUMB = 'a'.repeat(40);

/** SAML metadata of at least 1,000 characters (the model's minimum). */
function metadata(entityId = 'https://idp.example.com/saml', extra = ''): string {
  const cert = 'MIIC'.padEnd(900, 'A');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- test identity provider -->
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}"${extra}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

describe('OpenID Connect providers', () => {
  let f: CredentialFixture;
  let arn: string;
  before(async () => {
    f = await openCredentialFixture();
    await f.addUser('nobody');
  });
  after(async () => { await f.close(); });

  it('creates a provider whose ARN is the URL without https://', async () => {
    const out = await ops.CreateOpenIDConnectProvider(f.root(), {
      Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [THUMB], Tags: [{ Key: 'ci', Value: 'gh' }],
    }) as { OpenIDConnectProviderArn: string; Tags: Out[] };
    arn = out.OpenIDConnectProviderArn;
    assert.equal(arn, `arn:aws:iam::${f.accountId}:oidc-provider/token.actions.githubusercontent.com`);
    assert.deepEqual(out.Tags, [{ Key: 'ci', Value: 'gh' }]);
    const got = await ops.GetOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: arn }) as Out;
    assert.equal(got.Url, 'token.actions.githubusercontent.com');
    assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com']);
    assert.deepEqual(got.ThumbprintList, [THUMB]);
    assert.ok(got.CreateDate);
    const stored = await f.store.read((tx) => getOidcProvider(tx, f.accountId, arn));
    assert.deepEqual(stored?.data.ClientIDList, ['sts.amazonaws.com'], 'STS reads the client ids from the document');
  });

  it('keeps a trailing slash, as issuers such as Auth0 write it', async () => {
    const out = await ops.CreateOpenIDConnectProvider(f.root(), { Url: 'https://tenant.auth0.example.com/', ClientIDList: ['c'] }) as { OpenIDConnectProviderArn: string };
    assert.equal(out.OpenIDConnectProviderArn, `arn:aws:iam::${f.accountId}:oidc-provider/tenant.auth0.example.com/`);
    const got = await ops.GetOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: out.OpenIDConnectProviderArn }) as Out;
    assert.equal(got.Url, 'tenant.auth0.example.com/');
    await ops.DeleteOpenIDConnectProvider(f.root(), out);
  });

  it('thumbprints are optional', async () => {
    const out = await ops.CreateOpenIDConnectProvider(f.root(), { Url: 'https://oidc.example.com/realms/a' }) as { OpenIDConnectProviderArn: string };
    assert.equal(out.OpenIDConnectProviderArn, `arn:aws:iam::${f.accountId}:oidc-provider/oidc.example.com/realms/a`);
    const got = await ops.GetOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: out.OpenIDConnectProviderArn }) as Out;
    assert.deepEqual(got.ThumbprintList, []);
  });

  const failures: { name: string; op: string; input: () => Out; code: string; message?: string | (() => string) }[] = [
    { name: 'a URL that exists already', op: 'CreateOpenIDConnectProvider', input: () => ({ Url: 'https://token.actions.githubusercontent.com' }), code: 'EntityAlreadyExists', message: 'Provider with url https://token.actions.githubusercontent.com already exists.' },
    { name: 'a URL that is not https', op: 'CreateOpenIDConnectProvider', input: () => ({ Url: 'http://insecure.example.com' }), code: 'InvalidInput' },
    { name: 'a URL with a query', op: 'CreateOpenIDConnectProvider', input: () => ({ Url: 'https://x.example.com/?a=b' }), code: 'InvalidInput' },
    { name: 'a thumbprint that is not hex', op: 'CreateOpenIDConnectProvider', input: () => ({ Url: 'https://y.example.com', ThumbprintList: ['z'.repeat(40)] }), code: 'InvalidInput' },
    { name: 'six thumbprints', op: 'CreateOpenIDConnectProvider', input: () => ({ Url: 'https://y.example.com', ThumbprintList: ['1', '2', '3', '4', '5', '6'].map((d) => d.repeat(40)) }), code: 'LimitExceeded', message: 'Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5' },
    { name: 'an unknown provider', op: 'GetOpenIDConnectProvider', input: () => ({ OpenIDConnectProviderArn: `arn:aws:iam::${f.accountId}:oidc-provider/nope.example.com` }), code: 'NoSuchEntity', message: () => `OpenIDConnect Provider not found for arn arn:aws:iam::${f.accountId}:oidc-provider/nope.example.com` },
    { name: 'another account\'s provider', op: 'GetOpenIDConnectProvider', input: () => ({ OpenIDConnectProviderArn: 'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com' }), code: 'NoSuchEntity' },
    { name: 'a malformed ARN', op: 'GetOpenIDConnectProvider', input: () => ({ OpenIDConnectProviderArn: 'arn:aws:iam::123:user/x-y-z-w' }), code: 'InvalidInput' },
    { name: 'a client id on an unknown provider', op: 'AddClientIDToOpenIDConnectProvider', input: () => ({ OpenIDConnectProviderArn: `arn:aws:iam::${f.accountId}:oidc-provider/nope.example.com`, ClientID: 'a' }), code: 'NoSuchEntity' },
  ];
  for (const c of failures) {
    it(`refuses ${c.name} and writes nothing`, async () => {
      const before = await f.dump();
      const e = await awsErrorOf(() => ops[c.op](f.root(), c.input()));
      assert.equal(e.code, c.code, e.message);
      if (c.message) assert.equal(e.message, typeof c.message === 'function' ? c.message() : c.message);
      assert.equal(await f.dump(), before);
    });
  }

  it('adds and removes client ids idempotently, replaces thumbprints', async () => {
    const id = { OpenIDConnectProviderArn: arn };
    await ops.AddClientIDToOpenIDConnectProvider(f.root(), { ...id, ClientID: 'app' });
    await ops.AddClientIDToOpenIDConnectProvider(f.root(), { ...id, ClientID: 'app' });
    await ops.RemoveClientIDFromOpenIDConnectProvider(f.root(), { ...id, ClientID: 'sts.amazonaws.com' });
    await ops.RemoveClientIDFromOpenIDConnectProvider(f.root(), { ...id, ClientID: 'never-there' });
    await ops.UpdateOpenIDConnectProviderThumbprint(f.root(), { ...id, ThumbprintList: ['b'.repeat(40), 'c'.repeat(40)] });
    const got = await ops.GetOpenIDConnectProvider(f.root(), id) as Out;
    assert.deepEqual(got.ClientIDList, ['app']);
    assert.deepEqual(got.ThumbprintList, ['b'.repeat(40), 'c'.repeat(40)]);
  });

  it('tags: add, list, remove', async () => {
    await ops.TagOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: arn, Tags: [{ Key: 'a', Value: '1' }] });
    const tags = await ops.ListOpenIDConnectProviderTags(f.root(), { OpenIDConnectProviderArn: arn }) as { Tags: Out[] };
    assert.deepEqual(tags.Tags, [{ Key: 'a', Value: '1' }, { Key: 'ci', Value: 'gh' }]);
    await ops.UntagOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: arn, TagKeys: ['CI'] });
    const after = await ops.ListOpenIDConnectProviderTags(f.root(), { OpenIDConnectProviderArn: arn }) as { Tags: Out[] };
    assert.deepEqual(after.Tags, [{ Key: 'a', Value: '1' }]);
  });

  it('lists ARNs; a user without permission is denied on oidc-provider/*', async () => {
    const list = await ops.ListOpenIDConnectProviders(f.root(), {}) as { OpenIDConnectProviderList: Out[] };
    assert.deepEqual(list.OpenIDConnectProviderList.map((p) => p.Arn), [
      `arn:aws:iam::${f.accountId}:oidc-provider/oidc.example.com/realms/a`,
      `arn:aws:iam::${f.accountId}:oidc-provider/token.actions.githubusercontent.com`,
    ]);
    const e = await awsErrorOf(async () => ops.ListOpenIDConnectProviders(await f.user('nobody'), {}));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /iam:ListOpenIDConnectProviders on resource: arn:aws:iam::\d{12}:oidc-provider\/\* because/);
  });

  it('deletes, and deleting again is not an error', async () => {
    await ops.DeleteOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: arn });
    await ops.DeleteOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: arn });
    assert.equal((await awsErrorOf(() => ops.GetOpenIDConnectProvider(f.root(), { OpenIDConnectProviderArn: arn }))).code, 'NoSuchEntity');
  });

  it(`refuses provider number ${MAX_OIDC_PROVIDERS + 1}`, async () => {
    await f.store.transaction(async (tx) => {
      const have = await tx.count(KIND.oidcProvider, f.accountId);
      for (let i = have; i < MAX_OIDC_PROVIDERS; i++) {
        const key = `filler${i}.example.com`;
        const doc: OidcProviderDoc = { Url: key, Arn: `arn:aws:iam::${f.accountId}:oidc-provider/${key}`, ClientIDList: [], ThumbprintList: [], CreateDate: '2024-01-01T00:00:00Z', Tags: [] };
        await tx.insert({ kind: KIND.oidcProvider, account: f.accountId, key, data: doc });
      }
    });
    const e = await awsErrorOf(() => ops.CreateOpenIDConnectProvider(f.root(), { Url: 'https://last.example.com' }));
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(e.message, 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100');
  });
});

describe('SAML providers', () => {
  let f: CredentialFixture;
  let arn: string;
  before(async () => { f = await openCredentialFixture(); });
  after(async () => { await f.close(); });

  it('creates a provider, keeping the metadata for STS', async () => {
    const doc = metadata();
    const out = await ops.CreateSAMLProvider(f.root(), { Name: 'Okta', SAMLMetadataDocument: doc, Tags: [{ Key: 'idp', Value: 'okta' }] }) as { SAMLProviderArn: string };
    arn = out.SAMLProviderArn;
    assert.equal(arn, `arn:aws:iam::${f.accountId}:saml-provider/Okta`);
    const got = await ops.GetSAMLProvider(f.root(), { SAMLProviderArn: arn }) as Out;
    assert.equal(got.SAMLMetadataDocument, doc);
    assert.match(String(got.SAMLProviderUUID), /^[A-Z0-9]{22,64}$/);
    assert.ok(String(got.ValidUntil) > String(got.CreateDate));
    assert.deepEqual(got.Tags, [{ Key: 'idp', Value: 'okta' }]);
    const stored = await f.store.read((tx) => getSamlProvider(tx, f.accountId, arn));
    assert.equal(stored?.data.EntityId, 'https://idp.example.com/saml');
  });

  it('takes validUntil from the metadata', async () => {
    const out = await ops.CreateSAMLProvider(f.root(), { Name: 'dated', SAMLMetadataDocument: metadata('urn:dated', ' validUntil="2030-01-02T03:04:05.000Z"') }) as { SAMLProviderArn: string };
    const list = await ops.ListSAMLProviders(f.root(), {}) as { SAMLProviderList: Out[] };
    const entry = list.SAMLProviderList.find((p) => p.Arn === out.SAMLProviderArn);
    assert.equal(entry?.ValidUntil, '2030-01-02T03:04:05Z');
  });

  const bad: { name: string; doc: string }[] = [
    { name: 'not XML', doc: 'x'.repeat(1200) },
    { name: 'an unclosed element', doc: metadata().replace('</md:EntityDescriptor>', '') },
    { name: 'mismatched tags', doc: metadata().replace('</md:IDPSSODescriptor>', '</md:SPSSODescriptor>') },
    { name: 'another root element', doc: metadata().replaceAll('md:EntityDescriptor', 'md:EntitiesDescriptor') },
    { name: 'no entityID', doc: metadata().replace(' entityID="https://idp.example.com/saml"', '') },
    { name: 'a DTD', doc: '<!DOCTYPE x [<!ENTITY e "e">]>' + metadata().replace('<?xml version="1.0" encoding="UTF-8"?>', '') },
    { name: 'two root elements', doc: metadata() + '<x/>' },
  ];
  for (const c of bad) {
    it(`refuses metadata with ${c.name} and writes nothing`, async () => {
      const before = await f.dump();
      const e = await awsErrorOf(() => ops.CreateSAMLProvider(f.root(), { Name: 'bad', SAMLMetadataDocument: c.doc }));
      assert.equal(e.code, 'InvalidInput');
      assert.equal(e.message, 'Could not parse metadata');
      assert.equal(await f.dump(), before);
    });
  }

  it('readXmlRoot reads a well-formed document with comments, CDATA and self-closing elements', () => {
    assert.deepEqual(readXmlRoot('<?xml version="1.0"?><a x=\'1\' y="2"><!-- c --><b/><![CDATA[<not>]]>text</a>\n'), { name: 'a', attributes: { x: '1', y: '2' } });
    assert.equal(readXmlRoot('<a x="1" x="2"/>'), undefined, 'duplicate attribute');
    assert.equal(readXmlRoot('text<a/>'), undefined, 'text before the root');
  });

  it('refuses a name taken in another case', async () => {
    const e = await awsErrorOf(() => ops.CreateSAMLProvider(f.root(), { Name: 'OKTA', SAMLMetadataDocument: metadata() }));
    assert.equal(e.code, 'EntityAlreadyExists');
  });

  it('updates the metadata', async () => {
    const doc = metadata('https://idp2.example.com/saml');
    const out = await ops.UpdateSAMLProvider(f.root(), { SAMLProviderArn: arn, SAMLMetadataDocument: doc, AssertionEncryptionMode: 'Allowed' });
    assert.deepEqual(out, { SAMLProviderArn: arn });
    const got = await ops.GetSAMLProvider(f.root(), { SAMLProviderArn: arn }) as Out;
    assert.equal(got.SAMLMetadataDocument, doc);
    assert.equal(got.AssertionEncryptionMode, 'Allowed');
    const bad = await awsErrorOf(() => ops.UpdateSAMLProvider(f.root(), { SAMLProviderArn: arn, SAMLMetadataDocument: 'y'.repeat(1000) }));
    assert.equal(bad.code, 'InvalidInput');
    assert.equal((await ops.GetSAMLProvider(f.root(), { SAMLProviderArn: arn }) as Out).SAMLMetadataDocument, doc);
  });

  it('tags: add, list, remove', async () => {
    await ops.TagSAMLProvider(f.root(), { SAMLProviderArn: arn, Tags: [{ Key: 'b', Value: '2' }] });
    await ops.UntagSAMLProvider(f.root(), { SAMLProviderArn: arn, TagKeys: ['IDP'] });
    const tags = await ops.ListSAMLProviderTags(f.root(), { SAMLProviderArn: arn }) as { Tags: Out[] };
    assert.deepEqual(tags.Tags, [{ Key: 'b', Value: '2' }]);
  });

  it('deletes; then it is not found', async () => {
    await ops.DeleteSAMLProvider(f.root(), { SAMLProviderArn: arn });
    for (const op of ['GetSAMLProvider', 'DeleteSAMLProvider', 'ListSAMLProviderTags']) {
      const e = await awsErrorOf(() => ops[op](f.root(), { SAMLProviderArn: arn }));
      assert.equal(e.code, 'NoSuchEntity');
      assert.equal(e.message, `Manifest not found for arn ${arn}`);
    }
    const list = await ops.ListSAMLProviders(f.root(), {}) as { SAMLProviderList: Out[] };
    assert.deepEqual(list.SAMLProviderList.map((p) => p.Arn), [`arn:aws:iam::${f.accountId}:saml-provider/dated`]);
  });
});
