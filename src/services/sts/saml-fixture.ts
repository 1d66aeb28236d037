// Test fixtures for SAML federation: a key and self-signed certificate (openssl, tests only),
// IdP metadata naming it, and SAML responses signed with xml-crypto as an IdP would sign them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';

export const IDP = 'https://idp.example.com/saml';
export const RECIPIENT = 'https://signin.aws.amazon.com/saml';

/** A key and self-signed certificate (openssl, test only). */
export function makeKeyAndCert(dir: string, name: string): { key: string; cert: string; certBody: string } {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  const cert = readFileSync(certFile, 'utf8');
  return { key: readFileSync(keyFile, 'utf8'), cert, certBody: cert.replace(/-----[A-Z ]+-----|\s/g, '') };
}

export function metadataXml(entityId: string, certBody: string): string {
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">`
    + '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
    + `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${entityId}/sso"/>`
    + '</md:IDPSSODescriptor></md:EntityDescriptor>';
}

export interface AssertionOptions {
  issuer?: string;
  subject?: string;
  format?: string;
  recipient?: string;
  audience?: string;
  now?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  sessionNotOnOrAfter?: Date;
  attributes?: Record<string, string[]>;
  status?: string;
  sign?: 'assertion' | 'response' | 'none';
  key?: string;
  cert?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** A SAML response (XML text) with one assertion, signed as asked. */
export function samlResponseXml(o: AssertionOptions): string {
  const now = o.now ?? new Date();
  const nb = (o.notBefore ?? new Date(now.getTime() - 60_000)).toISOString();
  const noa = (o.notOnOrAfter ?? new Date(now.getTime() + 300_000)).toISOString();
  const issuer = o.issuer ?? IDP;
  const attrs = Object.entries(o.attributes ?? {}).map(([n, vs]) => `<saml:Attribute Name="${esc(n)}">${vs.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`).join('');
  const assertionId = `_a${randomUUID().replace(/-/g, '')}`;
  const responseId = `_r${randomUUID().replace(/-/g, '')}`;
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${RECIPIENT}">`
    + `<saml:Issuer>${esc(issuer)}</saml:Issuer>`
    + `<samlp:Status><samlp:StatusCode Value="${o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>`
    + `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${now.toISOString()}">`
    + `<saml:Issuer>${esc(issuer)}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="${o.format ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'}">${esc(o.subject ?? 'alice@example.com')}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${noa}" Recipient="${esc(o.recipient ?? RECIPIENT)}"/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${nb}" NotOnOrAfter="${noa}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? 'urn:amazon:webservices')}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${now.toISOString()}"${o.sessionNotOnOrAfter ? ` SessionNotOnOrAfter="${o.sessionNotOnOrAfter.toISOString()}"` : ''}><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    + `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>`
    + '</saml:Assertion></samlp:Response>';
  const sign = o.sign ?? 'assertion';
  if (sign === 'none') return xml;
  const sig = new SignedXml({
    privateKey: o.key,
    publicCert: o.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const target = sign === 'assertion' ? 'Assertion' : 'Response';
  sig.addReference({
    xpath: `//*[local-name(.)='${target}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `//*[local-name(.)='${target}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

