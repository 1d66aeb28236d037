// AssumeRoleWithSAML: an unsigned call (no caller) that trades a SAML 2.0 response, signed by
// the identity provider, for a role session. The signature must verify against a certificate of
// the SAML provider's metadata (xml-crypto); values are read only from the XML the signature
// covers (so a wrapped, unsigned copy of an assertion is never what we read); then the
// assertion's issuer, audience, recipient and validity window, its Role attribute (which must
// name the requested role/provider pair) and RoleSessionName attribute are checked, and the
// role's trust policy — evaluated with the `saml:*` keys — must allow sts:AssumeRoleWithSAML.
// Metadata and response parsing and the signature check are saml-response.ts.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
import { createHash } from 'node:crypto';
import type { ContextValue, Principal } from '../../policy/index.js';
import type { Store } from '../../store/index.js';
import { KIND } from '../iam/entities.js';
import type { CallContext, OperationTable } from '../types.js';
import { accessDenied } from './common.js';
import {
  RejectedError, SamlError, SignatureError, parseSamlMetadata, verifySamlResponse, type SamlMetadata, type VerifiedAssertion,
} from './saml-response.js';
import {
  expiredTokenException, findRole, idpRejectedClaim, invalidIdentityToken, issueRoleSession,
  parseRoleArn, requestTagKeys, sessionDuration, sessionPolicies, trustAllows,
} from './web-identity.js';

const ATTR = 'https://aws.amazon.com/SAML/Attributes/';
const ACTION = 'sts:AssumeRoleWithSAML';
const NOT_AUTHORIZED = `Not authorized to perform ${ACTION}`;
/** Clock skew tolerated on NotBefore / NotOnOrAfter, seconds. */
const CLOCK_SKEW_SECONDS = 60;

/** Audiences AWS accepts as its own service-provider identifiers. */
const AWS_AUDIENCES = new Set(['urn:amazon:webservices', 'https://signin.aws.amazon.com/saml']);

/** AWS's sign-in endpoint (global, or regional: https://us-east-2.signin.aws.amazon.com/saml). */
function isAwsSigninEndpoint(url: string): boolean {
  return /^https:\/\/([a-z0-9-]+\.)?signin\.aws\.amazon\.com\/saml$/.test(url);
}

// SAML attributes that AWS turns into `saml:*` condition keys, by attribute name (OID or friendly).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
const ATTRIBUTE_KEYS: Record<string, string> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'edupersonaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': 'edupersonnickname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': 'edupersonorgdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': 'edupersonorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': 'edupersonprimaryaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'edupersonprincipalname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'edupersonentitlement',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': 'edupersonprimaryorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'edupersonscopedaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'edupersontargetedid',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': 'edupersonassurance',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.2': 'eduorghomepageuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.3': 'eduorgidentityauthnpolicyuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.4': 'eduorglegalname',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.5': 'eduorgsuperioruri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.6': 'eduorgwhitepagesuri',
  'urn:oid:2.5.4.3': 'cn',
  'urn:oid:2.5.4.4': 'surname',
  'urn:oid:2.5.4.42': 'givenName',
  'urn:oid:2.5.4.10': 'organizationStatus',
  'urn:oid:0.9.2342.19200300.100.1.1': 'uid',
  'urn:oid:0.9.2342.19200300.100.1.3': 'mail',
  'urn:oid:2.16.840.1.113730.3.1.241': 'displayName',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.12': 'edupersonuniqueid',
};

// ---------------------------------------------------------------------------
// Providers as IAM keeps them (services/iam/saml-providers.ts writes them).

export interface SamlProviderView {
  arn: string;
  name: string;
  accountId: string;
  metadata: SamlMetadata;
}

const metadataCache = new Map<string, SamlMetadata>();

function metadataOf(xml: string): SamlMetadata {
  let m = metadataCache.get(xml);
  if (!m) {
    m = parseSamlMetadata(xml);
    if (metadataCache.size > 1_000) metadataCache.clear();
    metadataCache.set(xml, m);
  }
  return m;
}

/** The SAML provider `arn:aws:iam::ACCOUNT:saml-provider/NAME`, if registered. */
export async function findSamlProvider(store: Store, providerArn: string): Promise<SamlProviderView | undefined> {
  const m = /^arn:aws:iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/.exec(providerArn);
  if (!m) return undefined;
  const [, accountId, name] = m;
  const entity = await store.read(async (tx) => {
    const direct = await tx.get(KIND.samlProvider, accountId, name);
    if (direct) return direct;
    const all = await tx.list(KIND.samlProvider, accountId);
    return all.find((e) => (e.data as Record<string, unknown>).Arn === providerArn);
  });
  if (!entity) return undefined;
  const d = entity.data as Record<string, unknown>;
  if (typeof d.Arn === 'string' && d.Arn !== providerArn) return undefined;
  const xml = typeof d.SAMLMetadataDocument === 'string' ? d.SAMLMetadataDocument : '';
  if (typeof d.ValidUntil === 'string' && Date.parse(d.ValidUntil) < Date.now()) return undefined;
  let metadata: SamlMetadata;
  try {
    metadata = metadataOf(xml);
  } catch {
    metadata = { certificates: [] };
  }
  return { arn: providerArn, name, accountId, metadata };
}

/** `saml:namequalifier`: base64(SHA-1(issuer + account id + "/" + provider name)), as AWS documents it. */
export function samlNameQualifier(issuer: string, accountId: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${accountId}/${providerName}`).digest('base64');
}

/** `saml:sub_type`: `persistent`, `transient`, or the Format URI as given. */
function subjectType(format: string | undefined): string | undefined {
  if (format === undefined) return undefined;
  const m = /^urn:oasis:names:tc:SAML:2\.0:nameid-format:(persistent|transient)$/.exec(format);
  return m ? m[1] : format;
}

/** The condition keys of a verified assertion. */
export function samlConditionKeys(a: VerifiedAssertion, provider: SamlProviderView): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = {};
  if (a.recipient !== undefined) keys['saml:aud'] = a.recipient;
  keys['saml:iss'] = a.issuer;
  if (a.subject !== undefined) keys['saml:sub'] = a.subject;
  const st = subjectType(a.subjectType);
  if (st !== undefined) keys['saml:sub_type'] = st;
  keys['saml:namequalifier'] = samlNameQualifier(a.issuer, provider.accountId, provider.name);
  keys['saml:doc'] = `${provider.accountId}/${provider.name}`;
  for (const [name, values] of a.attributes) {
    const key = ATTRIBUTE_KEYS[name] ?? Object.values(ATTRIBUTE_KEYS).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key !== undefined) keys[`saml:${key}`] = values.length === 1 ? values[0] : values;
  }
  return keys;
}

function singleAttribute(a: VerifiedAssertion, name: string): string | undefined {
  const v = a.attributes.get(ATTR + name);
  return v && v.length > 0 ? v[0] : undefined;
}

/** Session tags from `PrincipalTag:*` attributes and `TransitiveTagKeys`. */
function samlSessionTags(a: VerifiedAssertion): { tags: Record<string, string>; transitive: string[] } {
  const tags: Record<string, string> = {};
  for (const [name, values] of a.attributes) {
    if (!name.startsWith(`${ATTR}PrincipalTag:`)) continue;
    const key = name.slice(`${ATTR}PrincipalTag:`.length);
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || values.length !== 1 || values[0].length > 256) {
      throw invalidIdentityToken(`Invalid session tag in SAML assertion: ${key}`);
    }
    tags[key] = values[0];
  }
  if (Object.keys(tags).length > 50) throw invalidIdentityToken('The SAML assertion carries more than 50 session tags.');
  const transitive = a.attributes.get(`${ATTR}TransitiveTagKeys`) ?? [];
  for (const k of transitive) {
    if (!Object.keys(tags).some((t) => t.toLowerCase() === k.toLowerCase())) {
      throw invalidIdentityToken(`Transitive tag key ${k} is not one of the session tags.`);
    }
  }
  return { tags, transitive };
}

async function AssumeRoleWithSAML(ctx: CallContext, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const roleArn = String(input.RoleArn ?? '');
  const principalArn = String(input.PrincipalArn ?? '');
  const provider = await findSamlProvider(ctx.store, principalArn);
  if (!provider) throw invalidIdentityToken('Specified provider doesn\'t exist');

  let a: VerifiedAssertion;
  try {
    a = verifySamlResponse(String(input.SAMLAssertion ?? ''), provider.metadata);
  } catch (e) {
    if (e instanceof RejectedError) throw idpRejectedClaim(`Identity provider rejected the authentication: ${e.message}`);
    if (e instanceof SignatureError) throw invalidIdentityToken('Response signature invalid');
    if (e instanceof SamlError) throw invalidIdentityToken(`Invalid SAML response: ${e.message}`);
    throw e;
  }
  if (provider.metadata.entityId !== undefined && a.issuer !== provider.metadata.entityId) {
    throw invalidIdentityToken('Issuer not present in specified provider');
  }
  const now = ctx.now.getTime();
  const skew = CLOCK_SKEW_SECONDS * 1000;
  if (a.notBefore !== undefined && now + skew < a.notBefore) throw invalidIdentityToken('Invalid SAML response: the assertion is not yet valid (NotBefore)');
  for (const end of [a.notOnOrAfter, a.confirmationNotOnOrAfter]) {
    if (end !== undefined && now - skew >= end) throw expiredTokenException('Token expired: the SAML assertion is past its NotOnOrAfter time');
  }
  if (a.sessionNotOnOrAfter !== undefined && now >= a.sessionNotOnOrAfter) throw expiredTokenException('Token expired: the SAML assertion is past its SessionNotOnOrAfter time');
  if (a.audiences.length > 0 && !a.audiences.some((x) => AWS_AUDIENCES.has(x) || isAwsSigninEndpoint(x))) {
    throw invalidIdentityToken('Invalid SAML response: the audience of the assertion is not AWS');
  }
  if (a.recipient === undefined || !isAwsSigninEndpoint(a.recipient)) {
    throw invalidIdentityToken('Invalid SAML response: the recipient of the assertion is not AWS\'s sign-in endpoint');
  }

  // The Role attribute: "roleArn,providerArn" pairs, in either order.
  const pairs = (a.attributes.get(`${ATTR}Role`) ?? []).map((v) => v.split(',').map((s) => s.trim()));
  const named = pairs.some((p) => p.length === 2 && ((p[0] === roleArn && p[1] === principalArn) || (p[1] === roleArn && p[0] === principalArn)));
  if (!named) throw accessDenied(NOT_AUTHORIZED);
  const sessionName = singleAttribute(a, 'RoleSessionName');
  if (sessionName === undefined) throw invalidIdentityToken('Error: RoleSessionName is required in AuthnResponse');
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw invalidIdentityToken('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');

  const role = await findRole(ctx.store, roleArn);
  if (!role || parseRoleArn(roleArn) === undefined) throw accessDenied(NOT_AUTHORIZED);

  let cap: number | undefined;
  const sd = singleAttribute(a, 'SessionDuration');
  if (sd !== undefined) {
    const n = Number(sd);
    if (!Number.isInteger(n) || n < 900 || n > 43200) throw invalidIdentityToken('Invalid SAML response: SessionDuration must be an integer from 900 to 43200');
    cap = n;
  }
  if (a.sessionNotOnOrAfter !== undefined) {
    const left = Math.floor((a.sessionNotOnOrAfter - now) / 1000);
    cap = cap === undefined ? left : Math.min(cap, left);
  }
  // SessionNotOnOrAfter may leave less than the model's 900-second minimum: the session ends then.
  const durationSeconds = Math.max(1, sessionDuration(input, role, cap));

  const session = samlSessionTags(a);
  const sourceIdentity = singleAttribute(a, 'SourceIdentity');
  const policies = sessionPolicies(input, session.tags, session.transitive);

  const principal: Principal = { kind: 'saml', federatedProvider: provider.arn };
  const extra: Record<string, ContextValue | undefined> = {
    ...samlConditionKeys(a, provider),
    'aws:FederatedProvider': provider.arn,
    'sts:RoleSessionName': sessionName,
    ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
    ...requestTagKeys(session.tags),
    ...(session.transitive.length > 0 ? { 'sts:TransitiveTagKeys': session.transitive } : {}),
  };
  if (!trustAllows(ctx, role, principal, ACTION, extra)) throw accessDenied(NOT_AUTHORIZED);
  if (Object.keys(session.tags).length > 0 && !trustAllows(ctx, role, principal, 'sts:TagSession', extra)) {
    throw accessDenied('Not authorized to perform sts:TagSession');
  }
  if (sourceIdentity !== undefined && !trustAllows(ctx, role, principal, 'sts:SetSourceIdentity', extra)) {
    throw accessDenied('Not authorized to perform sts:SetSourceIdentity');
  }

  const out = issueRoleSession(ctx, {
    role, sessionName, durationSeconds, federatedProvider: provider.arn, policies,
    tags: session.tags, transitiveTagKeys: session.transitive, sourceIdentity,
  });
  const st = subjectType(a.subjectType);
  return {
    ...out,
    ...(a.subject !== undefined ? { Subject: a.subject } : {}),
    ...(st !== undefined ? { SubjectType: st } : {}),
    Issuer: a.issuer,
    Audience: a.recipient,
    NameQualifier: samlNameQualifier(a.issuer, provider.accountId, provider.name),
  };
}

/** AssumeRoleWithSAML. */
export const samlOperations: OperationTable = { AssumeRoleWithSAML };
