// The account's token issuer for outbound identity federation (IAM User Guide, "Outbound identity
// federation"): Warden plays AWS STS's part of an OpenID Connect issuer whose JWTs AWS principals
// present to external services (STS GetWebIdentityToken).
//
// - One per account, created by IAM EnableOutboundWebIdentityFederation; stored as one entity
//   (kind `outbound-federation`, key `config`) whose unique id is the issuer id, so that the
//   public discovery endpoints find it by id without knowing the account.
// - The issuer id is a random UUID: unguessable, like the `<uuid>` of AWS's
//   `https://<uuid>.tokens.sts.global.api.aws`. The issuer URL is `<public URL>/_warden/issuers/<id>`,
//   derived from the server's public URL at each use (not stored), and it hosts
//   `/.well-known/openid-configuration` and `/.well-known/jwks.json` as AWS's does.
// - Signing keys: one RSA 2048 key (RS256) and one P-384 key (ES384). Private keys are PKCS#8,
//   encrypted at rest with the master key (SecretBox purpose `outbound-signing-key`, the
//   account and key id as associated data); only public JWKs are ever served or returned.
import { generateKeyPair as generateKeyPairCb, createPrivateKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SecretBox } from '../../crypto/secrets.js';
import type { ReadTx } from '../../store/index.js';

const generateKeyPair = promisify(generateKeyPairCb);

/** Entity kind of an account's outbound federation configuration (one per account). */
export const OUTBOUND_FEDERATION_KIND = 'outbound-federation';
/** Its key within the account. */
export const OUTBOUND_FEDERATION_KEY = 'config';
/** Path under which the issuers live on the server, `<public URL>` + this + `/<issuer id>`. */
export const ISSUER_PATH_PREFIX = '/_warden/issuers/';
export const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';
export const JWKS_SUFFIX = '/.well-known/jwks.json';

/** The signing algorithms of GetWebIdentityToken (STS model, `jwtAlgorithmType`). */
export type SigningAlgorithm = 'RS256' | 'ES384';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'ES384'];

export function isSigningAlgorithm(text: string): text is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(text);
}

/** One signing key as stored: the public JWK in clear, the private key sealed. */
export interface StoredSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  /** The public key (kty, n/e or crv/x/y) without kid/alg/use. */
  publicJwk: JWK;
  /** SecretBox ciphertext of the PKCS#8 PEM private key. */
  privateKey: string;
  createdAt: string;
}

/** The stored document (entity data). */
export interface OutboundFederationDoc {
  /** The issuer id (UUID), also the entity's unique id. */
  IssuerId: string;
  /** Whether GetWebIdentityToken may issue tokens (`JwtVendingEnabled`). */
  Enabled: boolean;
  EnabledAt?: string;
  DisabledAt?: string;
  Keys: StoredSigningKey[];
}

const KEY_PURPOSE = 'outbound-signing-key';

function keyBox(secrets: SecretBox): SecretBox {
  return secrets.forPurpose(KEY_PURPOSE);
}

function associatedData(account: string, kid: string): string {
  return `${account}/${kid}`;
}

/** The issuer URL of `issuerId` under the public URL (no trailing slash). */
export function issuerUrl(publicUrl: string, issuerId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${ISSUER_PATH_PREFIX}${issuerId}`;
}

/** The account's configuration, if federation was ever enabled. */
export async function readOutboundFederation(tx: ReadTx, account: string): Promise<OutboundFederationDoc | undefined> {
  return (await tx.get<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, account, OUTBOUND_FEDERATION_KEY))?.data;
}

/** Generates one key of `alg`, its private half sealed for `account`. */
export async function generateSigningKey(secrets: SecretBox, account: string, alg: SigningAlgorithm, now: Date): Promise<StoredSigningKey> {
  const pair = alg === 'RS256'
    ? await generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
    : await generateKeyPair('ec', { namedCurve: 'P-384' });
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { kid, alg, publicJwk, privateKey: keyBox(secrets).encrypt(pem, associatedData(account, kid)), createdAt: now.toISOString() };
}

/** The account's signing keys: one per algorithm. */
export async function generateSigningKeys(secrets: SecretBox, account: string, now: Date): Promise<StoredSigningKey[]> {
  return Promise.all(SIGNING_ALGORITHMS.map((alg) => generateSigningKey(secrets, account, alg, now)));
}

// Unsealed private keys, per SecretBox (master key) and by associated data and ciphertext: a cached key
// is only ever handed to a caller that could unseal it.
const privateKeys = new WeakMap<SecretBox, Map<string, KeyObject>>();
const MAX_CACHED_KEYS = 10_000;

/** The private key of `key` (cached once unsealed). Throws when it was not sealed for `account` under this master key. */
export function signingKeyObject(secrets: SecretBox, account: string, key: StoredSigningKey): KeyObject {
  let cache = privateKeys.get(secrets);
  if (!cache) {
    cache = new Map();
    privateKeys.set(secrets, cache);
  }
  const cacheKey = `${associatedData(account, key.kid)}/${key.privateKey}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const pem = keyBox(secrets).decrypt(key.privateKey, associatedData(account, key.kid));
  const object = createPrivateKey(pem);
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(cacheKey, object);
  return object;
}

/** The current key of `alg` (the newest). */
export function currentKey(doc: OutboundFederationDoc, alg: SigningAlgorithm): StoredSigningKey | undefined {
  let best: StoredSigningKey | undefined;
  for (const k of doc.Keys) if (k.alg === alg && (!best || k.createdAt > best.createdAt)) best = k;
  return best;
}

/** The JWKS document (RFC 7517): every public key with its kid, alg and use. */
export function jwksOf(doc: OutboundFederationDoc): { keys: JWK[] } {
  return { keys: doc.Keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
}

/**
 * The OpenID Provider Metadata (OpenID Connect Discovery 1.0, section 3) of the issuer: the
 * members required there, for an issuer that only signs ID-token-like JWTs and has no
 * authorization endpoint of its own (as AWS's outbound issuer).
 */
export function discoveryDocumentOf(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_SUFFIX}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'https://sts.amazonaws.com/'],
  };
}
