// Stateless session tokens: the claims of a temporary-credential session (principal, policies,
// tags, source identity, MFA, issue and expiry times and the session's secret), JSON-encoded and
// sealed with AES-256-GCM under a key derived (HKDF) from the master key for this purpose only.
// The session's access key id is the AEAD's associated data, so a token is valid only with
// its own `ASIA…` key id. Any node holding the master key verifies a token without reading the
// database (DESIGN.md "Identities and credentials").
import type { SecretBox } from '../../crypto/secrets.js';
import type { SessionClaims } from '../types.js';

/** The SecretBox purpose of session tokens (its own HKDF-derived key). */
export const SESSION_TOKEN_PURPOSE = 'sts-session-token';
/** Version marker inside the sealed JSON, so the claims format can change later. */
const CLAIMS_VERSION = 1;
/** Prefix of every token Warden issues (recognisable in logs without revealing anything). */
const TOKEN_PREFIX = 'WSTS';

export const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';
export const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';

/** Who the session acts as. */
export interface SessionPrincipalClaims {
  /** `assumedRole` (AssumeRole*), `user` / `root` (GetSessionToken; `root` also AssumeRoot), `federatedUser` (GetFederationToken). */
  kind: 'assumedRole' | 'user' | 'root' | 'federatedUser';
  /** Role sessions: the role's ARN, name and unique id (AROA…). */
  roleArn?: string;
  roleName?: string;
  roleId?: string;
  /** IAM users (GetSessionToken, and the user behind GetFederationToken): name, id (AIDA…), ARN. */
  userName?: string;
  userId?: string;
  userArn?: string;
  /** GetFederationToken: the federated user's name (the `Name` parameter). */
  federatedUserName?: string;
  /** Web identity / SAML: the provider (ARN or issuer) the session came through, if any. */
  federatedProvider?: string;
}

/** Everything a session token holds. Extends the claims the call contract knows (`caller.session`). */
export interface SessionTokenClaims extends SessionClaims {
  /** The session's `ASIA…` access key id (the token is bound to it). */
  accessKeyId: string;
  /** The session's secret access key. */
  secretAccessKey: string;
  /** The account the session belongs to. */
  accountId: string;
  principal: SessionPrincipalClaims;
  /** RoleSessionName (role sessions). */
  sessionName?: string;
}

/** What the issuer supplies; the key pair and the times are filled in by `issueSessionCredentials`. */
export type SessionClaimsInput = Omit<SessionTokenClaims, 'accessKeyId' | 'secretAccessKey' | 'issuedAt' | 'expiresAt'>;

export type VerifyTokenResult =
  | { ok: true; claims: SessionTokenClaims }
  | { ok: false; code: 'InvalidClientTokenId' | 'ExpiredToken'; message: string };

/** The box that seals session tokens (derived from the runtime's SecretBox). */
export function tokenBox(secrets: SecretBox): SecretBox {
  return secrets.forPurpose(SESSION_TOKEN_PURPOSE);
}

/** Seals `claims` into a session token bound to `claims.accessKeyId`. */
export function sealSessionToken(box: SecretBox, claims: SessionTokenClaims): string {
  const sealed = box.encrypt(JSON.stringify({ v: CLAIMS_VERSION, ...claims }), claims.accessKeyId);
  // `v1.<nonce>.<ciphertext>` → `WSTS<nonce>.<ciphertext>`: one opaque header-safe string.
  return TOKEN_PREFIX + sealed.slice(sealed.indexOf('.') + 1);
}

function isClaims(x: unknown, accessKeyId: string): x is SessionTokenClaims & { v: number } {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  const p = c.principal as Record<string, unknown> | undefined;
  return c.v === CLAIMS_VERSION && c.accessKeyId === accessKeyId && typeof c.secretAccessKey === 'string'
    && typeof c.accountId === 'string' && typeof c.issuedAt === 'string' && typeof c.expiresAt === 'string'
    && (c.type === 'assumed-role' || c.type === 'federated-user' || c.type === 'session-token' || c.type === 'assumed-root')
    && typeof p === 'object' && p !== null && typeof p.kind === 'string';
}

/**
 * Opens and checks a session token presented with `accessKeyId`: tampered, foreign, or used
 * with another key id → InvalidClientTokenId; past its expiry at `now` → ExpiredToken.
 */
export function verifySessionToken(box: SecretBox, accessKeyId: string, token: string, now: Date): VerifyTokenResult {
  const invalid = { ok: false as const, code: 'InvalidClientTokenId' as const, message: INVALID_TOKEN_MESSAGE };
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 16_384) return invalid;
  const plain = box.tryDecrypt(`v1.${token.slice(TOKEN_PREFIX.length)}`, accessKeyId);
  if (plain === undefined) return invalid;
  let parsed: unknown;
  try { parsed = JSON.parse(plain); } catch { return invalid; }
  if (!isClaims(parsed, accessKeyId)) return invalid;
  const { v: _v, ...claims } = parsed;
  const expires = Date.parse(claims.expiresAt);
  if (!Number.isFinite(expires)) return invalid;
  if (now.getTime() >= expires) return { ok: false, code: 'ExpiredToken', message: EXPIRED_TOKEN_MESSAGE };
  return { ok: true, claims };
}
