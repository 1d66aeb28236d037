// OIDC issuer discovery for AssumeRoleWithWebIdentity: from a token's `iss`, the issuer's
// `/.well-known/openid-configuration` names its `jwks_uri`; the key set behind it (jose's remote
// JWK set: fetched on demand, cached, refetched when a token names an unknown `kid`) verifies
// the token's signature.
//
// Real issuers are HTTPS. Plain HTTP is accepted only for loopback hosts, and only when enabled
// explicitly (`allowHttpLoopback`, or WARDEN_ALLOW_HTTP_OIDC_LOOPBACK=1) — so tests can run a
// local issuer without opening Warden to fetching arbitrary plain-HTTP URLs.
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';

/** Why a key set could not be had: the issuer was unreachable or answered nonsense. */
export class OidcDiscoveryError extends Error {
  /** 'communication': network failure, timeout or HTTP error; 'invalid': unusable configuration. */
  readonly kind: 'communication' | 'invalid';
  constructor(kind: 'communication' | 'invalid', message: string) {
    super(message);
    this.name = 'OidcDiscoveryError';
    this.kind = kind;
  }
}

export interface OidcDiscoveryOptions {
  /** Accept `http://` issuers and JWKS URIs on loopback hosts (default: WARDEN_ALLOW_HTTP_OIDC_LOOPBACK=1). */
  allowHttpLoopback?: boolean;
  /** Timeout of each HTTP request to the issuer, ms (default 5,000). */
  timeoutMs?: number;
  /** How long a discovery document is reused, ms (default 1 hour). */
  discoveryTtlMs?: number;
  /** How long fetched keys are trusted before being refetched, ms (default 1 hour). */
  keysMaxAgeMs?: number;
  /** The HTTP client (tests). */
  fetch?: typeof fetch;
}

/** Whether plain-HTTP loopback issuers are enabled by the environment. */
export function httpLoopbackAllowedByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.WARDEN_ALLOW_HTTP_OIDC_LOOPBACK === '1' || env.WARDEN_ALLOW_HTTP_OIDC_LOOPBACK === 'true';
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether `url` may be fetched for OIDC: HTTPS, or HTTP on a loopback host when allowed. No
 * credentials in the URL, no fragment.
 */
export function isFetchableIssuerUrl(url: string, allowHttpLoopback: boolean): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username !== '' || u.password !== '' || u.hash !== '') return false;
  if (u.protocol === 'https:') return u.hostname !== '';
  return u.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(u.hostname);
}

/**
 * The provider identifier IAM uses for an issuer: the URL without its scheme
 * (`https://token.actions.githubusercontent.com` → `token.actions.githubusercontent.com`),
 * as in the provider's ARN `arn:aws:iam::ACCOUNT:oidc-provider/<this>` and its condition keys.
 */
export function providerIdOfIssuer(issuer: string): string {
  return issuer.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
}

interface CachedIssuer {
  jwksUri: string;
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}

/** Resolves and caches the key sets of OIDC issuers. One per runtime (the cache is per instance). */
export class OidcKeyResolver {
  private readonly allowHttpLoopback: boolean;
  private readonly timeoutMs: number;
  private readonly discoveryTtlMs: number;
  private readonly keysMaxAgeMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly issuers = new Map<string, CachedIssuer>();
  private readonly pending = new Map<string, Promise<CachedIssuer>>();

  constructor(options: OidcDiscoveryOptions = {}) {
    this.allowHttpLoopback = options.allowHttpLoopback ?? httpLoopbackAllowedByEnv();
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.discoveryTtlMs = options.discoveryTtlMs ?? 3_600_000;
    this.keysMaxAgeMs = options.keysMaxAgeMs ?? 3_600_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Whether this resolver would fetch from `url`. */
  canFetch(url: string): boolean {
    return isFetchableIssuerUrl(url, this.allowHttpLoopback);
  }

  /** The key set of `issuer` (its `iss` exactly as in the token). Throws OidcDiscoveryError. */
  async keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const now = Date.now();
    const cached = this.issuers.get(issuer);
    if (cached && now - cached.fetchedAt < this.discoveryTtlMs) return cached.keys;
    let p = this.pending.get(issuer);
    if (!p) {
      p = this.discover(issuer).finally(() => this.pending.delete(issuer));
      this.pending.set(issuer, p);
    }
    try {
      const fresh = await p;
      this.issuers.set(issuer, fresh);
      return fresh.keys;
    } catch (e) {
      // A stale key set beats none when the issuer is briefly unreachable.
      if (cached && e instanceof OidcDiscoveryError && e.kind === 'communication') return cached.keys;
      throw e;
    }
  }

  /** Forgets everything cached (tests, or after an issuer rotated its configuration). */
  clear(): void {
    this.issuers.clear();
  }

  private async discover(issuer: string): Promise<CachedIssuer> {
    if (!this.canFetch(issuer)) throw new OidcDiscoveryError('invalid', `issuer \`${issuer}\` is not an HTTPS URL`);
    const configUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let res: Response;
    try {
      res = await this.fetchImpl(configUrl, { redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (e) {
      throw new OidcDiscoveryError('communication', `could not reach \`${configUrl}\`: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new OidcDiscoveryError('communication', `\`${configUrl}\` answered HTTP ${res.status}`);
    }
    let config: unknown;
    try {
      config = await res.json();
    } catch {
      throw new OidcDiscoveryError('invalid', `\`${configUrl}\` is not JSON`);
    }
    const jwksUri = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).jwks_uri : undefined;
    if (typeof jwksUri !== 'string' || !this.canFetch(jwksUri)) {
      throw new OidcDiscoveryError('invalid', `\`${configUrl}\` names no usable \`jwks_uri\``);
    }
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.timeoutMs,
      cooldownDuration: 30_000,
      cacheMaxAge: this.keysMaxAgeMs,
      [customFetch]: (url, init) => this.fetchImpl(url, init),
    });
    return { jwksUri, keys, fetchedAt: Date.now() };
  }
}
