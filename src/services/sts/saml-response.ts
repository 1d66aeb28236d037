// The SAML side of AssumeRoleWithSAML (saml.ts): reading an identity provider's metadata (its
// entity id and signing certificates) and verifying a SAML response against it, reading values
// only from the XML the signature covers (so a wrapped, unsigned copy of an assertion is never
// what is read). XML with a DTD is refused (no entity expansion).
import { X509Certificate } from 'node:crypto';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
} as const;

const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

// ---------------------------------------------------------------------------
// XML helpers

export class SamlError extends Error {}

function parseXml(text: string, what: string): Document {
  // No DTDs: they are how entity-expansion and external-entity attacks get in.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new SamlError(`${what} must not contain a DOCTYPE`);
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new SamlError(`${what} is not well-formed XML: ${message}`);
      },
    }).parseFromString(text, 'text/xml');
    if (!doc.documentElement) throw new SamlError(`${what} is empty`);
    return doc;
  } catch (e) {
    if (e instanceof SamlError) throw e;
    throw new SamlError(`${what} is not well-formed XML`);
  }
}

function children(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const c = n as Element;
      if (c.namespaceURI === ns && c.localName === local) out.push(c);
    }
  }
  return out;
}

function child(el: Element, ns: string, local: string): Element | undefined {
  return children(el, ns, local)[0];
}

function descendants(root: Document | Element, ns: string, local: string): Element[] {
  const list = root.getElementsByTagNameNS(ns, local);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  return out;
}

function text(el: Element | undefined): string | undefined {
  return el ? (el.textContent ?? '').trim() : undefined;
}

function attr(el: Element | undefined, name: string): string | undefined {
  if (!el || !el.hasAttribute(name)) return undefined;
  return el.getAttribute(name) ?? undefined;
}

function time(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new SamlError(`${what} is not a valid time`);
  return t;
}

// ---------------------------------------------------------------------------
// Metadata: the entity id and the signing certificates of the IdP.

export interface SamlMetadata {
  entityId?: string;
  /** PEM certificates usable to verify the IdP's signatures. */
  certificates: string[];
}

function pemOf(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Reads the IdP's entity id and signing certificates from a SAML metadata document. */
export function parseSamlMetadata(xml: string): SamlMetadata {
  const doc = parseXml(xml, 'SAML metadata');
  const root = doc.documentElement!;
  const entity = root.localName === 'EntityDescriptor' ? root : descendants(doc, NS.metadata, 'EntityDescriptor')[0];
  const certificates: string[] = [];
  const idps = entity ? children(entity, NS.metadata, 'IDPSSODescriptor') : [];
  for (const idp of idps.length > 0 ? idps : entity ? [entity] : []) {
    for (const kd of descendants(idp, NS.metadata, 'KeyDescriptor')) {
      const use = attr(kd, 'use');
      if (use !== undefined && use !== 'signing') continue;
      for (const c of descendants(kd, NS.dsig, 'X509Certificate')) {
        const b64 = text(c);
        if (!b64) continue;
        const pem = pemOf(b64);
        try {
          new X509Certificate(pem);
          certificates.push(pem);
        } catch {
          // not a certificate: skip
        }
      }
    }
  }
  return { entityId: attr(entity, 'entityID'), certificates };
}

// ---------------------------------------------------------------------------
// Signature verification, reading only what is signed.

/**
 * Verifies a signature (a `ds:Signature` child of `signedParent`) with one of `certificates`
 * and returns the signed element re-parsed from the XML the signature covers, or undefined.
 */
function verifiedElement(xml: string, signature: Element, signedParent: Element, certificates: readonly string[]): Element | undefined {
  const id = attr(signedParent, 'ID');
  if (!id) return undefined;
  for (const cert of certificates) {
    const sig = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    try {
      sig.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      const refs = sig.getReferences();
      // Exactly one reference, to the element that holds the signature.
      if (refs.length !== 1 || refs[0].uri !== `#${id}`) return undefined;
      if (!sig.checkSignature(xml)) continue;
    } catch {
      continue;
    }
    const signed = sig.getSignedReferences();
    if (signed.length !== 1) return undefined;
    let el: Element | undefined;
    try {
      el = parseXml(signed[0], 'signed SAML element').documentElement ?? undefined;
    } catch {
      return undefined;
    }
    if (!el || el.localName !== signedParent.localName || el.namespaceURI !== signedParent.namespaceURI || attr(el, 'ID') !== id) return undefined;
    return el;
  }
  return undefined;
}

export interface VerifiedAssertion {
  issuer: string;
  subject?: string;
  subjectType?: string;
  recipient?: string;
  audiences: string[];
  notBefore?: number;
  notOnOrAfter?: number;
  /** SubjectConfirmationData NotOnOrAfter. */
  confirmationNotOnOrAfter?: number;
  /** AuthnStatement SessionNotOnOrAfter. */
  sessionNotOnOrAfter?: number;
  attributes: Map<string, string[]>;
}

/**
 * Decodes, parses and verifies a base64 SAML response against `metadata`; returns the assertion
 * read from the signed XML. Throws SamlError (invalid) or a `{ rejected: true }` SamlError for a
 * non-success status.
 */
export function verifySamlResponse(base64: string, metadata: SamlMetadata): VerifiedAssertion {
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new SamlError('the SAML response is not valid base64');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  const doc = parseXml(xml, 'the SAML response');
  const response = doc.documentElement!;
  if (response.namespaceURI !== NS.protocol || response.localName !== 'Response') throw new SamlError('the SAML response has no samlp:Response');

  const status = child(response, NS.protocol, 'Status');
  const statusCode = status ? attr(child(status, NS.protocol, 'StatusCode'), 'Value') : undefined;
  if (statusCode !== undefined && statusCode !== STATUS_SUCCESS) throw new RejectedError(`the identity provider reported ${statusCode}`);

  if (descendants(doc, NS.assertion, 'EncryptedAssertion').length > 0) throw new SamlError('encrypted assertions are not supported');
  const all = descendants(doc, NS.assertion, 'Assertion');
  const direct = children(response, NS.assertion, 'Assertion');
  if (all.length !== 1 || direct.length !== 1) throw new SamlError('the SAML response must contain exactly one assertion');
  const assertionInDoc = direct[0];
  // IDs must be unique, or a reference could be made to point at another element.
  const ids = new Set<string>();
  for (const el of descendants(doc, '*', '*')) {
    const id = attr(el, 'ID');
    if (id === undefined) continue;
    if (ids.has(id)) throw new SamlError('the SAML response has duplicate IDs');
    ids.add(id);
  }
  if (metadata.certificates.length === 0) throw new SamlError('the SAML provider metadata has no signing certificate');

  let assertion: Element | undefined;
  const assertionSig = child(assertionInDoc, NS.dsig, 'Signature');
  if (assertionSig) assertion = verifiedElement(xml, assertionSig, assertionInDoc, metadata.certificates);
  if (!assertion) {
    const responseSig = child(response, NS.dsig, 'Signature');
    if (responseSig) {
      const signedResponse = verifiedElement(xml, responseSig, response, metadata.certificates);
      const inner = signedResponse ? children(signedResponse, NS.assertion, 'Assertion') : [];
      if (inner.length === 1 && attr(inner[0], 'ID') === attr(assertionInDoc, 'ID')) assertion = inner[0];
    }
  }
  if (!assertion) throw new SignatureError('the signature of the SAML response could not be verified with the provider\'s metadata');

  const issuer = text(child(assertion, NS.assertion, 'Issuer'));
  if (!issuer) throw new SamlError('the assertion has no Issuer');
  const subjectEl = child(assertion, NS.assertion, 'Subject');
  const nameId = subjectEl ? child(subjectEl, NS.assertion, 'NameID') : undefined;
  let recipient: string | undefined;
  let confirmationNotOnOrAfter: number | undefined;
  for (const sc of subjectEl ? children(subjectEl, NS.assertion, 'SubjectConfirmation') : []) {
    if (attr(sc, 'Method') !== 'urn:oasis:names:tc:SAML:2.0:cm:bearer') continue;
    const data = child(sc, NS.assertion, 'SubjectConfirmationData');
    recipient = attr(data, 'Recipient');
    confirmationNotOnOrAfter = time(attr(data, 'NotOnOrAfter'), 'SubjectConfirmationData NotOnOrAfter');
    break;
  }
  const conditions = child(assertion, NS.assertion, 'Conditions');
  const audiences: string[] = [];
  for (const ar of conditions ? children(conditions, NS.assertion, 'AudienceRestriction') : []) {
    for (const a of children(ar, NS.assertion, 'Audience')) {
      const v = text(a);
      if (v) audiences.push(v);
    }
  }
  const authn = child(assertion, NS.assertion, 'AuthnStatement');
  const attributes = new Map<string, string[]>();
  for (const st of children(assertion, NS.assertion, 'AttributeStatement')) {
    for (const a of children(st, NS.assertion, 'Attribute')) {
      const name = attr(a, 'Name');
      if (!name) continue;
      const values = children(a, NS.assertion, 'AttributeValue').map((v) => text(v) ?? '');
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return {
    issuer,
    subject: text(nameId),
    subjectType: attr(nameId, 'Format'),
    recipient,
    audiences,
    notBefore: time(attr(conditions, 'NotBefore'), 'Conditions NotBefore'),
    notOnOrAfter: time(attr(conditions, 'NotOnOrAfter'), 'Conditions NotOnOrAfter'),
    confirmationNotOnOrAfter,
    sessionNotOnOrAfter: time(attr(authn, 'SessionNotOnOrAfter'), 'SessionNotOnOrAfter'),
    attributes,
  };
}

/** The identity provider answered with a non-success status. */
export class RejectedError extends SamlError {}
/** No signature of the response verifies with the provider's certificates. */
export class SignatureError extends SamlError {}
