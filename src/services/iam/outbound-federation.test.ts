import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../../protocol/index.js';
import { FIXTURE_PUBLIC_URL, openStsFixture, type StsFixture } from '../sts/sts-fixture.js';
import type { CallContext } from '../types.js';
import {
  ISSUER_PATH_PREFIX, OUTBOUND_FEDERATION_KEY, OUTBOUND_FEDERATION_KIND, type OutboundFederationDoc,
} from './outbound-issuer.js';

describe('outbound identity federation (IAM)', () => {
  let f: StsFixture;

  async function iam(op: string, ctx: CallContext): Promise<Record<string, unknown>> {
    const h = f.runtime.operations.iam[op];
    assert.ok(h, `no IAM operation ${op}`);
    return (await h(ctx, {})) ?? {};
  }

  async function rejects(op: string, ctx: CallContext, code: string, status: number): Promise<void> {
    await assert.rejects(iam(op, ctx), (e: unknown) => {
      assert.ok(e instanceof AwsError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.status, status);
      return true;
    });
  }

  async function stored(): Promise<OutboundFederationDoc | undefined> {
    return (await f.store.read((tx) => tx.get<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, f.accountId, OUTBOUND_FEDERATION_KEY)))?.data;
  }

  before(async () => {
    f = await openStsFixture();
    await f.addUser('admin', [{ Effect: 'Allow', Action: 'iam:*OutboundWebIdentityFederation*', Resource: '*' }]);
    await f.addUser('reader', [{ Effect: 'Allow', Action: 'iam:GetOutboundWebIdentityFederationInfo', Resource: '*' }]);
    await f.addUser('nobody');
  });
  after(async () => { await f.close(); });

  it('has no issuer before the first enable: Get and Disable answer FeatureDisabled (404)', async () => {
    await rejects('GetOutboundWebIdentityFederationInfo', f.root(), 'FeatureDisabled', 404);
    await rejects('DisableOutboundWebIdentityFederation', f.root(), 'FeatureDisabled', 404);
    assert.equal(await stored(), undefined);
  });

  it('authorizes each operation on `*` (default deny)', async () => {
    const nobody = await f.user('nobody');
    for (const op of ['EnableOutboundWebIdentityFederation', 'DisableOutboundWebIdentityFederation', 'GetOutboundWebIdentityFederationInfo']) {
      await assert.rejects(iam(op, nobody), (e: unknown) => e instanceof AwsError && e.code === 'AccessDenied'
        && new RegExp(`is not authorized to perform: iam:${op} on resource: \\*`).test(e.message));
    }
    await rejects('EnableOutboundWebIdentityFederation', await f.user('reader'), 'AccessDenied', 403);
    assert.equal(await stored(), undefined, 'a denied enable writes nothing');
  });

  let issuer = '';
  it('enable creates an issuer URL under the public URL with an unguessable id, and both signing keys', async () => {
    const out = await iam('EnableOutboundWebIdentityFederation', await f.user('admin'));
    issuer = String(out.IssuerIdentifier);
    const m = new RegExp(`^${FIXTURE_PUBLIC_URL}${ISSUER_PATH_PREFIX}([0-9a-f-]{36})$`).exec(issuer);
    assert.ok(m, issuer);
    const doc = await stored();
    assert.ok(doc);
    assert.equal(doc.IssuerId, m[1]);
    assert.equal(doc.Enabled, true);
    assert.deepEqual(doc.Keys.map((k) => k.alg).sort(), ['ES384', 'RS256']);
    for (const k of doc.Keys) {
      assert.equal('d' in k.publicJwk, false, 'no private member in the public JWK');
      assert.match(k.privateKey, /^v1\./, 'the private key is a SecretBox ciphertext');
      assert.doesNotMatch(k.privateKey, /PRIVATE KEY/);
    }
    assert.equal(doc.Keys.find((k) => k.alg === 'ES384')?.publicJwk.crv, 'P-384');
    assert.equal(doc.Keys.find((k) => k.alg === 'RS256')?.publicJwk.kty, 'RSA');
    // The entity's id is the issuer id: the discovery endpoints find it without the account.
    const byId = await f.store.read((tx) => tx.getById(OUTBOUND_FEDERATION_KIND, doc.IssuerId));
    assert.equal(byId?.account, f.accountId);
  });

  it('a second enable is FeatureEnabled (409)', async () => {
    await rejects('EnableOutboundWebIdentityFederation', f.root(), 'FeatureEnabled', 409);
  });

  it('info names the issuer and JwtVendingEnabled', async () => {
    assert.deepEqual(await iam('GetOutboundWebIdentityFederationInfo', await f.user('reader')), { IssuerIdentifier: issuer, JwtVendingEnabled: true });
  });

  it('disable keeps the issuer and keys; enable again reuses them', async () => {
    const before = await stored();
    assert.deepEqual(await iam('DisableOutboundWebIdentityFederation', f.root()), {});
    assert.deepEqual(await iam('GetOutboundWebIdentityFederationInfo', f.root()), { IssuerIdentifier: issuer, JwtVendingEnabled: false });
    await rejects('DisableOutboundWebIdentityFederation', f.root(), 'FeatureDisabled', 404);
    assert.deepEqual(await iam('EnableOutboundWebIdentityFederation', f.root()), { IssuerIdentifier: issuer });
    const again = await stored();
    assert.deepEqual(again?.Keys, before?.Keys);
    assert.equal(again?.Enabled, true);
  });

  it('is per account: another account has its own issuer', async () => {
    const other = '210987654321';
    await f.addAccount(other);
    await rejects('GetOutboundWebIdentityFederationInfo', f.root(new Date(), other), 'FeatureDisabled', 404);
    const out = await iam('EnableOutboundWebIdentityFederation', f.root(new Date(), other));
    assert.notEqual(out.IssuerIdentifier, issuer);
  });
});
