import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import { bootstrap } from '../../server/bootstrap.js';
import { openStore, type Store } from '../../store/index.js';
import { iamOperations } from '../iam/index.js';
import { KIND, rootArn } from '../iam/entities.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import type { Caller, CallContext } from '../types.js';
import { sessionTokenBox } from './credentials.js';
import { verifySessionToken } from './token.js';
import { samlNameQualifier, samlOperations } from './saml.js';
import { parseSamlMetadata } from './saml-response.js';
import { IDP, makeKeyAndCert, metadataXml, RECIPIENT, samlResponseXml, type AssertionOptions } from './saml-fixture.js';

const ACCOUNT = '111122223333';
const PROVIDER_NAME = 'ExampleIdP';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/${PROVIDER_NAME}`;

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

describe('AssumeRoleWithSAML', () => {
  let dir: string;
  let store: Store;
  let runtime: ServiceRuntime;
  let rootCtx: CallContext;
  let idp: { key: string; cert: string; certBody: string };
  let other: { key: string; cert: string; certBody: string };
  let roleArn: string;
  const secrets = createSecretBox(randomBytes(32));

  function anonCtx(): CallContext {
    const caller: Caller = { principal: { kind: 'anonymous' }, accountId: '', accessKeyId: '', userId: 'anonymous' };
    return runtime.createContext(caller, { requestId: 'r', sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: true, now: new Date() });
  }

  async function createRole(name: string, trust: object, max?: number): Promise<string> {
    const out = await iamOperations.CreateRole(rootCtx, { RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust), ...(max ? { MaxSessionDuration: max } : {}) });
    await runtime.afterWrite();
    return ((out as Record<string, Record<string, string>>).Role).Arn;
  }

  function attributes(role = roleArn, extra: Record<string, string[]> = {}): Record<string, string[]> {
    return {
      'https://aws.amazon.com/SAML/Attributes/Role': [`${role},${PROVIDER_ARN}`],
      'https://aws.amazon.com/SAML/Attributes/RoleSessionName': ['alice'],
      ...extra,
    };
  }

  function assertion(o: AssertionOptions = {}): string {
    return b64(samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes(), ...o }));
  }

  async function call(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await samlOperations.AssumeRoleWithSAML(anonCtx(), { RoleArn: roleArn, PrincipalArn: PROVIDER_ARN, ...input }))!;
  }

  async function rejects(input: Record<string, unknown>, code: string, message?: string | RegExp): Promise<void> {
    await assert.rejects(call(input), (e: unknown) => {
      assert.ok(e instanceof AwsError, String(e));
      assert.equal(e.code, code, e.message);
      if (typeof message === 'string') assert.equal(e.message, message);
      else if (message) assert.match(e.message, message);
      return true;
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-saml-'));
    idp = makeKeyAndCert(dir, 'idp');
    other = makeKeyAndCert(dir, 'other');
    store = await openStore({ dataDir: dir });
    await bootstrap({ store, secrets, dataDir: dir, endpoint: 'http://127.0.0.1:1', env: { WARDEN_ACCOUNT_ID: ACCOUNT } });
    runtime = await createServiceRuntime({ store, secrets });
    const root: Caller = { principal: { kind: 'root', accountId: ACCOUNT, arn: rootArn(ACCOUNT) }, accountId: ACCOUNT, accessKeyId: 'AKIAROOT', userId: ACCOUNT };
    rootCtx = runtime.createContext(root, { requestId: 'r', sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: true, now: new Date() });
    await store.transaction((tx) => tx.insert({
      kind: KIND.samlProvider, account: ACCOUNT, key: PROVIDER_NAME,
      data: { Arn: PROVIDER_ARN, Name: PROVIDER_NAME, SAMLMetadataDocument: metadataXml(IDP, idp.certBody), CreateDate: '2026-01-01T00:00:00Z', Tags: [] },
    }));
    roleArn = await createRole('saml-admins', {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': RECIPIENT } },
      }],
    }, 7200);
  });

  after(async () => {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a role session for an assertion signed by the provider', async () => {
    const out = await call({ SAMLAssertion: assertion() });
    const creds = out.Credentials as Record<string, string>;
    assert.match(creds.AccessKeyId, /^ASIA/);
    assert.equal((out.AssumedRoleUser as Record<string, string>).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/saml-admins/alice`);
    assert.equal(out.Subject, 'alice@example.com');
    assert.equal(out.SubjectType, 'persistent');
    assert.equal(out.Issuer, IDP);
    assert.equal(out.Audience, RECIPIENT);
    assert.equal(out.NameQualifier, samlNameQualifier(IDP, ACCOUNT, PROVIDER_NAME));
    const opened = verifySessionToken(sessionTokenBox(secrets), creds.AccessKeyId, creds.SessionToken, new Date());
    assert.ok(opened.ok);
    assert.equal(opened.claims.principal.roleArn, roleArn);
    assert.equal(opened.claims.principal.federatedProvider, PROVIDER_ARN);
    assert.equal(opened.claims.sessionName, 'alice');
  });

  it('accepts a signature over the whole response', async () => {
    await call({ SAMLAssertion: assertion({ sign: 'response' }) });
  });

  it('accepts the Role attribute with the provider first', async () => {
    await call({ SAMLAssertion: assertion({ attributes: attributes(roleArn, { 'https://aws.amazon.com/SAML/Attributes/Role': [`${PROVIDER_ARN},${roleArn}`] }) }) });
  });

  it('caps the session at the SessionDuration attribute and honours DurationSeconds', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const a = await call({ SAMLAssertion: assertion({ attributes: attributes(roleArn, { 'https://aws.amazon.com/SAML/Attributes/SessionDuration': ['1800'] }) }), DurationSeconds: 7200 });
    const expA = Date.parse((a.Credentials as Record<string, string>).Expiration) - now;
    assert.ok(expA >= 1800_000 && expA <= 1802_000, String(expA));
    const b = await call({ SAMLAssertion: assertion(), DurationSeconds: 7200 });
    const expB = Date.parse((b.Credentials as Record<string, string>).Expiration) - now;
    assert.ok(expB >= 7200_000 && expB <= 7202_000, String(expB));
  });

  const wrap = (xml: string): string => {
    // Signature wrapping: keep the signed assertion (hidden in an Extensions element) and put an
    // unsigned, altered copy where a naive reader looks.
    const m = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)!;
    const forged = m[0].replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '').replace('alice</saml:AttributeValue>', 'mallory</saml:AttributeValue>');
    return xml.replace(m[0], `<samlp:Extensions>${m[0]}</samlp:Extensions>${forged}`);
  };

  const negative: { name: string; input: () => Record<string, unknown>; code: string; message?: string | RegExp }[] = [
    { name: 'unsigned assertion', input: () => ({ SAMLAssertion: assertion({ sign: 'none' }) }), code: 'InvalidIdentityToken', message: 'Response signature invalid' },
    { name: 'signed by a key not in the metadata', input: () => ({ SAMLAssertion: assertion({ key: other.key, cert: other.cert }) }), code: 'InvalidIdentityToken', message: 'Response signature invalid' },
    { name: 'attribute changed after signing', input: () => ({ SAMLAssertion: b64(samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes() }).replace('alice</saml:AttributeValue>', 'mallory</saml:AttributeValue>')) }), code: 'InvalidIdentityToken', message: 'Response signature invalid' },
    { name: 'signature wrapping (second assertion)', input: () => ({ SAMLAssertion: b64(wrap(samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes() }))) }), code: 'InvalidIdentityToken' },
    { name: 'signature wrapping with a response signature', input: () => ({ SAMLAssertion: b64(wrap(samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes(), sign: 'response' }))) }), code: 'InvalidIdentityToken' },
    { name: 'expired assertion', input: () => ({ SAMLAssertion: assertion({ now: new Date(Date.now() - 3_600_000) }) }), code: 'ExpiredTokenException' },
    { name: 'not yet valid', input: () => ({ SAMLAssertion: assertion({ notBefore: new Date(Date.now() + 600_000) }) }), code: 'InvalidIdentityToken', message: /NotBefore/ },
    { name: 'audience not AWS', input: () => ({ SAMLAssertion: assertion({ audience: 'https://other-sp.example.com' }) }), code: 'InvalidIdentityToken', message: /audience/ },
    { name: 'recipient not AWS', input: () => ({ SAMLAssertion: assertion({ recipient: 'https://evil.example.com/saml' }) }), code: 'InvalidIdentityToken', message: /recipient/ },
    { name: 'issuer not the metadata entity id', input: () => ({ SAMLAssertion: assertion({ issuer: 'https://other-idp.example.com' }) }), code: 'InvalidIdentityToken', message: 'Issuer not present in specified provider' },
    { name: 'IdP reported failure', input: () => ({ SAMLAssertion: assertion({ status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }) }), code: 'IDPRejectedClaim' },
    { name: 'Role attribute lacks the requested role', input: () => ({ SAMLAssertion: assertion({ attributes: attributes(`arn:aws:iam::${ACCOUNT}:role/other`) }) }), code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithSAML' },
    { name: 'RoleSessionName attribute with a space', input: () => ({ SAMLAssertion: assertion({ attributes: attributes(roleArn, { 'https://aws.amazon.com/SAML/Attributes/RoleSessionName': ['alice smith'] }) }) }), code: 'InvalidIdentityToken', message: 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}' },
    { name: 'no RoleSessionName attribute', input: () => ({ SAMLAssertion: assertion({ attributes: { 'https://aws.amazon.com/SAML/Attributes/Role': [`${roleArn},${PROVIDER_ARN}`] } }) }), code: 'InvalidIdentityToken', message: 'Error: RoleSessionName is required in AuthnResponse' },
    { name: 'unknown provider', input: () => ({ SAMLAssertion: assertion(), PrincipalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Nope` }), code: 'InvalidIdentityToken', message: 'Specified provider doesn\'t exist' },
    { name: 'not base64', input: () => ({ SAMLAssertion: '%%%%' }), code: 'InvalidIdentityToken' },
    { name: 'not XML', input: () => ({ SAMLAssertion: b64('<samlp:Response') }), code: 'InvalidIdentityToken' },
    { name: 'DOCTYPE (entity expansion)', input: () => ({ SAMLAssertion: b64(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes() })}`) }), code: 'InvalidIdentityToken', message: /DOCTYPE/ },
    { name: 'malformed session policy', input: () => ({ SAMLAssertion: assertion(), Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }), code: 'MalformedPolicyDocument' },
    { name: 'DurationSeconds above the role maximum', input: () => ({ SAMLAssertion: assertion(), DurationSeconds: 10800 }), code: 'ValidationError' },
  ];
  for (const c of negative) {
    it(`refuses: ${c.name} → ${c.code}`, async () => {
      await rejects(c.input(), c.code, c.message);
    });
  }

  it('evaluates saml:* keys in the trust policy', async () => {
    const arn = await createRole('saml-sub', {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: {
          'saml:sub': 'alice@example.com', 'saml:sub_type': 'persistent', 'saml:iss': IDP,
          'saml:doc': `${ACCOUNT}/${PROVIDER_NAME}`, 'saml:namequalifier': samlNameQualifier(IDP, ACCOUNT, PROVIDER_NAME),
        } },
      }],
    });
    await call({ RoleArn: arn, SAMLAssertion: b64(samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes(arn) })) });
    await rejects({ RoleArn: arn, SAMLAssertion: b64(samlResponseXml({ key: idp.key, cert: idp.cert, subject: 'bob@example.com', attributes: attributes(arn) })) }, 'AccessDenied');
  });

  it('takes PrincipalTag attributes as session tags when the trust policy allows sts:TagSession', async () => {
    const tagAttrs = { 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department': ['Engineering'] };
    await rejects({ SAMLAssertion: assertion({ attributes: attributes(roleArn, tagAttrs) }) }, 'AccessDenied', 'Not authorized to perform sts:TagSession');
    const arn = await createRole('saml-tags', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'] }],
    });
    const out = await call({ RoleArn: arn, SAMLAssertion: b64(samlResponseXml({ key: idp.key, cert: idp.cert, attributes: attributes(arn, tagAttrs) })) });
    const creds = out.Credentials as Record<string, string>;
    const opened = verifySessionToken(sessionTokenBox(secrets), creds.AccessKeyId, creds.SessionToken, new Date());
    assert.ok(opened.ok);
    assert.deepEqual(opened.claims.tags, { Department: 'Engineering' });
  });
});

describe('parseSamlMetadata', () => {
  it('reads the entity id and signing certificates, skipping encryption keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-saml-md-'));
    try {
      const { certBody } = makeKeyAndCert(dir, 'md');
      const md = parseSamlMetadata(metadataXml('https://idp.example.com', certBody).replace('use="signing"', 'use="encryption"'));
      assert.equal(md.entityId, 'https://idp.example.com');
      assert.equal(md.certificates.length, 0);
      assert.equal(parseSamlMetadata(metadataXml('https://idp.example.com', certBody)).certificates.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
