// AssumeRoleWithWebIdentity: an unsigned call (no caller) that trades an OIDC ID token for a
// role session. The token's `iss` names an OIDC provider registered in the role's account, its
// `aud` must be one of the provider's client ids, its signature must verify against the
// issuer's JWKS (discovered, see oidc-discovery.ts) and it must be within its validity; then
// the role's trust policy — evaluated with the federated principal and the token's claims as
// condition keys — must allow `sts:AssumeRoleWithWebIdentity`.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
//
// The helpers shared with AssumeRoleWithSAML (role lookup, duration, session policies, trust
// evaluation, issuing the role session) live here too.
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import {
  authorize, buildRequestContext, compilePolicy, parsePolicy,
  type CompiledPolicy, type ContextValue, type Principal,
} from '../../policy/index.js';
import { AwsError } from '../../protocol/index.js';
import type { Store } from '../../store/index.js';
import { iamArn, KIND, type RoleDoc } from '../iam/entities.js';
import type { CallContext, OperationTable } from '../types.js';
import { accessDenied, checkPackedSize, checkSessionPolicies, policyArnsOf, packedPolicySize, stsError, validationError } from './common.js';
import { issueSessionCredentials } from './credentials.js';
import { OidcDiscoveryError, OidcKeyResolver, providerIdOfIssuer, type OidcDiscoveryOptions } from './oidc-discovery.js';

export const invalidIdentityToken = (m: string) => stsError('InvalidIdentityToken', m);
export const idpRejectedClaim = (m: string) => stsError('IDPRejectedClaim', m);
export const idpCommunicationError = (m: string) => stsError('IDPCommunicationError', m);
export const expiredTokenException = (m: string) => stsError('ExpiredTokenException', m);
export const malformedPolicyDocument = (m: string) => stsError('MalformedPolicyDocument', m);

// ---------------------------------------------------------------------------
// Shared by the federation operations.

/** The role an `arn:aws:iam::ACCOUNT:role/path/name` names, or undefined when it is no role ARN. */
export function parseRoleArn(arn: string): { accountId: string; roleName: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  return m ? { accountId: m[1], roleName: m[2] } : undefined;
}

/** The role named by `roleArn` (exact ARN, path included), or undefined. */
export async function findRole(store: Store, roleArn: string): Promise<RoleDoc | undefined> {
  const parsed = parseRoleArn(roleArn);
  if (!parsed) return undefined;
  const entity = await store.read((tx) => tx.get<RoleDoc>(KIND.role, parsed.accountId, parsed.roleName));
  if (!entity || entity.data.Arn !== roleArn) return undefined;
  return entity.data;
}

/** DurationSeconds: 900 (the model's minimum) to the role's MaxSessionDuration; default 3,600. */
export function sessionDuration(input: Record<string, unknown>, role: RoleDoc, cap?: number): number {
  const max = role.MaxSessionDuration || 3600;
  const asked = typeof input.DurationSeconds === 'number' ? input.DurationSeconds : undefined;
  if (asked !== undefined && asked > max) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  let d = asked ?? 3600;
  if (asked === undefined && d > max) d = max;
  if (cap !== undefined && d > cap) d = cap;
  return d;
}

export interface SessionPolicies {
  policy?: string;
  policyArns?: string[];
  /** PackedPolicySize (percent of the packed limit) when any session policy or tag was given. */
  packedPolicySize?: number;
}

/**
 * Validates the session policies (`Policy`, `PolicyArns`) of an assume-role call as AssumeRole
 * does (common.ts): a Policy must be a valid session policy (MalformedPolicyDocument); the
 * packed size of policies and session tags must stay within the limit (PackedPolicyTooLarge).
 */
export function sessionPolicies(
  input: Record<string, unknown>, tags: Readonly<Record<string, string>> = {}, transitive: readonly string[] = [],
): SessionPolicies {
  const policy = typeof input.Policy === 'string' ? input.Policy : undefined;
  const arns = policyArnsOf(input);
  checkSessionPolicies(policy, arns);
  const out: SessionPolicies = {};
  if (policy !== undefined) out.policy = policy;
  if (arns.length > 0) out.policyArns = arns;
  if (policy !== undefined || arns.length > 0 || Object.keys(tags).length > 0) {
    const size = packedPolicySize(policy, arns, tags, transitive);
    checkPackedSize(size);
    out.packedPolicySize = size;
  }
  return out;
}

const trustCache = new Map<string, CompiledPolicy | null>();

/** The role's trust policy, compiled (cached by text); undefined when it does not parse. */
export function compiledTrustPolicy(role: RoleDoc): CompiledPolicy | undefined {
  const text = role.AssumeRolePolicyDocument;
  let c = trustCache.get(text);
  if (c === undefined) {
    const parsed = parsePolicy(text, { type: 'trust' });
    c = parsed.ok ? compilePolicy(parsed.policy, { id: role.RoleId, type: 'trust', name: `${role.RoleName} trust policy` }) : null;
    if (trustCache.size > 5_000) trustCache.clear();
    trustCache.set(text, c);
  }
  return c ?? undefined;
}

/**
 * Whether the role's trust policy allows the federated `principal` `action` on the role, with
 * the request's global keys plus `extra`. Federated callers have no identity side: only the
 * trust policy can allow.
 */
export function trustAllows(
  ctx: CallContext, role: RoleDoc, principal: Principal, action: string,
  extra: Record<string, ContextValue | undefined>,
): boolean {
  const trust = compiledTrustPolicy(role);
  if (!trust) return false;
  const context = buildRequestContext({
    principal,
    sourceIp: ctx.sourceIp,
    region: ctx.region,
    secureTransport: ctx.secureTransport,
    currentTime: ctx.now.toISOString(),
    userAgent: ctx.userAgent,
    extra,
  });
  const decision = authorize({
    principal, action, resource: role.Arn, context,
    policies: { resource: trust, resourcePolicyKind: 'trust' },
    resourceAccount: parseRoleArn(role.Arn)?.accountId,
  });
  return decision.decision === 'Allow';
}

/** Session tags as condition keys: `aws:RequestTag/K` and `aws:TagKeys`. */
export function requestTagKeys(tags: Readonly<Record<string, string>>): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  const keys = Object.keys(tags);
  for (const k of keys) out[`aws:RequestTag/${k}`] = tags[k];
  if (keys.length > 0) out['aws:TagKeys'] = keys;
  return out;
}

export interface RoleSessionInput {
  role: RoleDoc;
  sessionName: string;
  durationSeconds: number;
  federatedProvider: string;
  policies: SessionPolicies;
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
}

/** Issues the role session's credentials; returns the model's Credentials, AssumedRoleUser and PackedPolicySize. */
export function issueRoleSession(ctx: CallContext, s: RoleSessionInput): Record<string, unknown> {
  if (!ctx.secrets) throw new AwsError('InternalFailure', 'the service runtime has no SecretBox', { status: 500, type: 'Receiver' });
  const accountId = parseRoleArn(s.role.Arn)?.accountId ?? '';
  const credentials = issueSessionCredentials(ctx.secrets, {
    type: 'assumed-role',
    accountId,
    principal: {
      kind: 'assumedRole',
      roleArn: s.role.Arn,
      roleName: s.role.RoleName,
      roleId: s.role.RoleId,
      federatedProvider: s.federatedProvider,
    },
    sessionName: s.sessionName,
    ...(s.policies.policy !== undefined ? { policy: s.policies.policy } : {}),
    ...(s.policies.policyArns ? { policyArns: s.policies.policyArns } : {}),
    ...(s.tags && Object.keys(s.tags).length > 0 ? { tags: s.tags } : {}),
    ...(s.transitiveTagKeys && s.transitiveTagKeys.length > 0 ? { transitiveTagKeys: s.transitiveTagKeys } : {}),
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
  }, ctx.now, s.durationSeconds);
  const out: Record<string, unknown> = {
    Credentials: credentials,
    AssumedRoleUser: {
      AssumedRoleId: `${s.role.RoleId}:${s.sessionName}`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/${s.role.RoleName}/${s.sessionName}`,
    },
  };
  if (s.policies.packedPolicySize !== undefined) out.PackedPolicySize = s.policies.packedPolicySize;
  if (s.sourceIdentity !== undefined) out.SourceIdentity = s.sourceIdentity;
  return out;
}

// ---------------------------------------------------------------------------
// OIDC providers as IAM keeps them (services/iam/oidc-providers.ts writes them).

export interface OidcProviderView {
  arn: string;
  /** The provider id: the URL without its scheme (`token.actions.githubusercontent.com`). */
  id: string;
  clientIds: string[];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The OIDC provider of `issuer` registered in `accountId`, if any. */
export async function findOidcProvider(store: Store, accountId: string, issuer: string): Promise<OidcProviderView | undefined> {
  const wanted = normalizeProviderId(providerIdOfIssuer(issuer));
  const all = await store.read((tx) => tx.list(KIND.oidcProvider, accountId));
  for (const e of all) {
    const d = e.data as Record<string, unknown>;
    const url = typeof d.Url === 'string' ? d.Url : typeof d.url === 'string' ? d.url : e.key;
    const id = providerIdOfIssuer(url);
    if (normalizeProviderId(id) !== wanted) continue;
    const arn = typeof d.Arn === 'string' ? d.Arn : iamArn(accountId, 'oidc-provider', '/', id);
    return { arn, id, clientIds: strings(d.ClientIDList ?? d.ClientIdList ?? d.clientIds) };
  }
  return undefined;
}

/** Host case-folded; the path as written. */
function normalizeProviderId(id: string): string {
  const slash = id.indexOf('/');
  return slash === -1 ? id.toLowerCase() : id.slice(0, slash).toLowerCase() + id.slice(slash);
}

// ---------------------------------------------------------------------------
// AssumeRoleWithWebIdentity

const ACTION = 'sts:AssumeRoleWithWebIdentity';
const NOT_AUTHORIZED = `Not authorized to perform ${ACTION}`;
/** Clock skew tolerated on `exp`, `nbf` and `iat`, seconds. */
const CLOCK_SKEW_SECONDS = 60;
const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

export interface WebIdentityOptions extends OidcDiscoveryOptions {
  /** The key resolver (shared cache); default one per operation table. */
  resolver?: OidcKeyResolver;
}

/** Session tags carried by the token's `https://aws.amazon.com/tags` claim. */
function tokenSessionTags(payload: JWTPayload): { tags: Record<string, string>; transitive: string[] } | undefined {
  const claim = payload[TAGS_CLAIM];
  if (claim === undefined) return undefined;
  if (typeof claim !== 'object' || claim === null) throw invalidIdentityToken('The session tags claim of the web identity token is not valid.');
  const c = claim as Record<string, unknown>;
  const tags: Record<string, string> = {};
  const principalTags = c.principal_tags;
  if (principalTags !== undefined) {
    if (typeof principalTags !== 'object' || principalTags === null) throw invalidIdentityToken('The session tags claim of the web identity token is not valid.');
    for (const [k, v] of Object.entries(principalTags as Record<string, unknown>)) {
      const value = Array.isArray(v) ? v[0] : v;
      if (typeof value !== 'string' || Array.isArray(v) && v.length !== 1) {
        throw invalidIdentityToken('The session tags claim of the web identity token is not valid.');
      }
      if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(k) || value.length > 256) {
        throw invalidIdentityToken(`Invalid session tag key or value: ${k}`);
      }
      tags[k] = value;
    }
  }
  if (Object.keys(tags).length > 50) throw invalidIdentityToken('The token carries more than 50 session tags.');
  const transitive = strings(c.transitive_tag_keys);
  for (const k of transitive) {
    if (!Object.keys(tags).some((t) => t.toLowerCase() === k.toLowerCase())) {
      throw invalidIdentityToken(`Transitive tag key ${k} is not one of the session tags.`);
    }
  }
  return { tags, transitive };
}

function audiences(payload: JWTPayload): string[] {
  return typeof payload.aud === 'string' ? [payload.aud] : strings(payload.aud);
}

/** The condition keys a web identity token's claims give, AWS's list for OIDC providers. */
export function webIdentityConditionKeys(providerId: string, payload: JWTPayload, matchedAudience: string): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = {};
  const azp = typeof payload.azp === 'string' ? payload.azp : undefined;
  // `aud`: the authorized party when the token has one, otherwise the audience that matched;
  // `oaud`: the other audience(s) when `azp` took `aud`'s place.
  keys[`${providerId}:aud`] = azp ?? matchedAudience;
  if (azp !== undefined) {
    const auds = audiences(payload);
    keys[`${providerId}:oaud`] = auds.length === 1 ? auds[0] : auds;
  }
  if (typeof payload.sub === 'string') keys[`${providerId}:sub`] = payload.sub;
  const amr = payload.amr;
  if (typeof amr === 'string') keys[`${providerId}:amr`] = [amr];
  else if (Array.isArray(amr)) keys[`${providerId}:amr`] = strings(amr);
  if (typeof payload.email === 'string') keys[`${providerId}:email`] = payload.email;
  return keys;
}

function epochToText(s: number): string {
  return String(Math.floor(s));
}

/** The operation table with its own key resolver (options: HTTP loopback issuers, timeouts). */
export function createWebIdentityOperations(options: WebIdentityOptions = {}): OperationTable {
  const resolver = options.resolver ?? new OidcKeyResolver(options);

  async function AssumeRoleWithWebIdentity(ctx: CallContext, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const roleArn = String(input.RoleArn ?? '');
    const sessionName = String(input.RoleSessionName ?? '');
    const token = String(input.WebIdentityToken ?? '');
    if (input.ProviderId !== undefined) {
      // OAuth 2.0 access tokens of www.amazon.com / graph.facebook.com: not an OIDC ID token.
      throw invalidIdentityToken(`Provider ${String(input.ProviderId)} is not supported; pass an OpenID Connect ID token without ProviderId.`);
    }

    let payload: JWTPayload;
    try {
      decodeProtectedHeader(token);
      payload = decodeJwt(token);
    } catch {
      throw invalidIdentityToken('The ID Token provided is not a valid JWT.');
    }
    const iss = payload.iss;
    if (typeof iss !== 'string' || iss === '') throw invalidIdentityToken('The ID Token provided has no issuer (iss).');

    const role = await findRole(ctx.store, roleArn);
    const roleAccount = parseRoleArn(roleArn)?.accountId;
    if (!role || roleAccount === undefined) throw accessDenied(NOT_AUTHORIZED);

    const provider = await findOidcProvider(ctx.store, roleAccount, iss);
    if (!provider) throw invalidIdentityToken(`No OpenIDConnect provider found in your account for ${iss}`);
    const auds = audiences(payload);
    const azp = typeof payload.azp === 'string' ? payload.azp : undefined;
    const matched = (azp !== undefined && provider.clientIds.includes(azp) ? azp : undefined)
      ?? auds.find((a) => provider.clientIds.includes(a));
    if (matched === undefined) throw invalidIdentityToken('Incorrect token audience');

    let keys;
    try {
      keys = await resolver.keysFor(iss);
    } catch (e) {
      if (e instanceof OidcDiscoveryError && e.kind === 'communication') {
        throw idpCommunicationError('Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
      }
      throw invalidIdentityToken('Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
    }
    const nowSeconds = Math.floor(ctx.now.getTime() / 1000);
    try {
      await jwtVerify(token, keys, {
        issuer: iss,
        currentDate: ctx.now,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      });
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) {
        throw expiredTokenException(`Token expired: current date/time ${nowSeconds} must be before the expiration date/time${epochToText(Number(payload.exp))}`);
      }
      if (e instanceof joseErrors.JWKSTimeout) throw idpCommunicationError('Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
      if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWKSInvalid || e instanceof joseErrors.JWKSMultipleMatchingKeys) {
        throw invalidIdentityToken('Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
      }
      if (e instanceof joseErrors.JWTClaimValidationFailed) {
        if (e.claim === 'nbf' || e.claim === 'iat') throw invalidIdentityToken('The ID Token provided is not yet valid.');
        throw invalidIdentityToken(`The ID Token provided has an invalid ${e.claim} claim.`);
      }
      if (e instanceof joseErrors.JOSEError) throw invalidIdentityToken('The signature of the ID Token provided is not valid.');
      // fetch failures surface as plain errors from jose's remote key set
      throw idpCommunicationError('Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw idpRejectedClaim('The ID Token provided has no subject (sub).');

    const session = tokenSessionTags(payload);
    const sourceIdentity = typeof payload[SOURCE_IDENTITY_CLAIM] === 'string' ? payload[SOURCE_IDENTITY_CLAIM] as string : undefined;
    const policies = sessionPolicies(input, session?.tags, session?.transitive);
    const durationSeconds = sessionDuration(input, role);

    const principal: Principal = { kind: 'webIdentity', federatedProvider: provider.arn };
    const extra: Record<string, ContextValue | undefined> = {
      ...webIdentityConditionKeys(provider.id, payload, matched),
      'aws:FederatedProvider': provider.arn,
      'sts:RoleSessionName': sessionName,
      ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
      ...(session ? requestTagKeys(session.tags) : {}),
      ...(session && session.transitive.length > 0 ? { 'sts:TransitiveTagKeys': session.transitive } : {}),
    };
    if (!trustAllows(ctx, role, principal, ACTION, extra)) throw accessDenied(NOT_AUTHORIZED);
    if (session && Object.keys(session.tags).length > 0 && !trustAllows(ctx, role, principal, 'sts:TagSession', extra)) {
      throw accessDenied('Not authorized to perform sts:TagSession');
    }
    if (sourceIdentity !== undefined && !trustAllows(ctx, role, principal, 'sts:SetSourceIdentity', extra)) {
      throw accessDenied('Not authorized to perform sts:SetSourceIdentity');
    }

    const out = issueRoleSession(ctx, {
      role, sessionName, durationSeconds, federatedProvider: provider.arn, policies,
      tags: session?.tags, transitiveTagKeys: session?.transitive, sourceIdentity,
    });
    return {
      Credentials: out.Credentials,
      SubjectFromWebIdentityToken: payload.sub,
      AssumedRoleUser: out.AssumedRoleUser,
      ...(out.PackedPolicySize !== undefined ? { PackedPolicySize: out.PackedPolicySize } : {}),
      Provider: provider.arn,
      Audience: matched,
      ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    };
  }

  return { AssumeRoleWithWebIdentity };
}

/** AssumeRoleWithWebIdentity with the default options (loopback HTTP issuers per the environment). */
export const webIdentityOperations: OperationTable = createWebIdentityOperations();
