// Temporary credentials: a fresh `ASIA…` key id and secret, and the session token that carries
// them with the session's claims. Every STS operation that hands out credentials (AssumeRole,
// AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetSessionToken, GetFederationToken) goes
// through `issueSessionCredentials`.
import type { SecretBox } from '../../crypto/secrets.js';
import { isoNow, newAccessKeyId, newSecretAccessKey } from '../iam/entities.js';
import { sealSessionToken, tokenBox, type SessionClaimsInput, type SessionTokenClaims } from './token.js';

/** The model's `Credentials` shape. `Expiration` is ISO 8601 (UTC, seconds). */
export interface SessionCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

const boxes = new WeakMap<SecretBox, SecretBox>();

function boxOf(secrets: SecretBox): SecretBox {
  let b = boxes.get(secrets);
  if (!b) { b = tokenBox(secrets); boxes.set(secrets, b); }
  return b;
}

/**
 * Issues temporary credentials for a session described by `claims`, valid `durationSeconds`
 * from `now` (the caller has checked the duration against its operation's limits). The issue
 * time (`aws:TokenIssueTime`) is `now`, to the second.
 */
export function issueSessionCredentials(
  secrets: SecretBox, claims: SessionClaimsInput, now: Date, durationSeconds: number,
): SessionCredentials {
  const issued = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const expires = new Date(issued.getTime() + durationSeconds * 1000);
  const full: SessionTokenClaims = {
    ...claims,
    accessKeyId: newAccessKeyId('ASIA'),
    secretAccessKey: newSecretAccessKey(),
    issuedAt: isoNow(issued),
    expiresAt: isoNow(expires),
  };
  return {
    AccessKeyId: full.accessKeyId,
    SecretAccessKey: full.secretAccessKey,
    SessionToken: sealSessionToken(boxOf(secrets), full),
    Expiration: full.expiresAt,
  };
}

/** The token box of `secrets`, shared with the runtime's verification (one derivation per box). */
export function sessionTokenBox(secrets: SecretBox): SecretBox {
  return boxOf(secrets);
}
