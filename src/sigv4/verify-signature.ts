// Parsed SigV4 authentication + the caller's secret → accepted or an AWS error.
// Recomputes the signature as in "Create a signed AWS API request"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) and
// compares it in constant time; checks the time window first.

import type { SignableRequest, SignedRequestAuth } from './types.js';
import {
  sigv4Error, REQUEST_EXPIRED_MESSAGE, SIGNATURE_DOES_NOT_MATCH_MESSAGE, type SigV4Error,
} from './errors.js';
import { firstHeader, lowercaseHeaders } from './headers.js';
import { formatAmzDate, parseAmzDate } from './amz-date.js';
import {
  buildStringToSign, canonicalRequestWithHeaders, credentialScope, hashPayload, UNSIGNED_PAYLOAD,
} from './canonical-request.js';
import { prepareSigningKey, signWithKey } from './signing-key.js';

/** Options of `verifySignature`. */
export interface VerifySignatureOptions {
  /** The server's current time. */
  now: Date;
  /**
   * Allowed clock skew in seconds, both directions (default 900: "the request must reach
   * AWS within five minutes of the time stamp ... up to 15 minutes", SigV4 doc, "Time stamp";
   * IAM/STS enforce 15 minutes).
   */
  skewSeconds?: number;
  /** The service(s) the endpoint serves; another scope service is rejected. */
  service?: string | readonly string[];
  /** The region(s) the endpoint accepts (IAM: us-east-1); another scope region is rejected. */
  region?: string | readonly string[];
  /** Normalise the URI path. Default: true for every service but `s3`. */
  normalizePath?: boolean;
  /**
   * Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` (body not covered by the signature).
   * Default: only for `s3`. When not accepted, the body's real hash is used instead,
   * so such a request fails with SignatureDoesNotMatch.
   */
  allowUnsignedPayload?: boolean;
  /**
   * Also accept a presigned request whose `X-Amz-Security-Token` was appended after
   * signing (not in the canonical query), as the SigV4 doc allows for some services
   * ("some services require ... in the canonical query string. For other services, you
   * add it at the end, after you calculate the signature"). Default false: IAM and STS
   * sign it.
   */
  allowUnsignedSecurityToken?: boolean;
}

/** Result of `verifySignature`. */
export type VerifySignatureResult = { ok: true } | { ok: false; error: SigV4Error };

const DEFAULT_SKEW_SECONDS = 900;
/** Query parameters left out of a presigned request's canonical query (the signature itself). */
const PRESIGNED_OMIT: readonly string[] = ['X-Amz-Signature'];
/** The same, when the security token may have been appended after signing. */
const PRESIGNED_OMIT_WITH_TOKEN: readonly string[] = ['X-Amz-Signature', 'X-Amz-Security-Token'];

function fail(error: SigV4Error): VerifySignatureResult {
  return { ok: false, error };
}

function matches(expected: string | readonly string[], actual: string): boolean {
  return typeof expected === 'string' ? expected === actual : expected.includes(actual);
}

function isHexSha256(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

function minutes(seconds: number): string {
  return `${Math.round(seconds / 60)} min.`;
}

/** The clock checks (SigV4 doc, "Time stamp"; messages as IAM/STS send them). */
function checkTime(auth: SignedRequestAuth, nowMs: number, skewSeconds: number): SigV4Error | undefined {
  const reqMs = parseAmzDate(auth.amzDate);
  if (reqMs === undefined) {
    return sigv4Error('IncompleteSignature',
      `Date must be in ISO-8601 'basic format'. Got '${auth.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  const skewMs = skewSeconds * 1000;
  const now = (): string => formatAmzDate(new Date(nowMs));
  if (reqMs > nowMs + skewMs) {
    return sigv4Error('SignatureDoesNotMatch',
      `Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(new Date(nowMs + skewMs))} (${now()} + ${minutes(skewSeconds)})`);
  }
  if (auth.presigned && auth.expiresSeconds !== undefined) {
    // A presigned request is valid from X-Amz-Date for X-Amz-Expires seconds
    // (SigV4 doc, "X-Amz-Expires"); afterwards AWS answers RequestExpired.
    if (nowMs > reqMs + auth.expiresSeconds * 1000) return sigv4Error('RequestExpired', REQUEST_EXPIRED_MESSAGE);
    return undefined;
  }
  if (reqMs < nowMs - skewMs) {
    return sigv4Error('SignatureDoesNotMatch',
      `Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(new Date(nowMs - skewMs))} (${now()} - ${minutes(skewSeconds)})`);
  }
  return undefined;
}

/**
 * Compares the expected signature with the provided one in time that depends only on
 * their length (public: 64 hex digits), not on where they differ: every character pair is
 * XORed into one accumulator, with no early exit and no Buffer copies.
 */
export function signaturesEqual(expectedHex: string, provided: string): boolean {
  const n = expectedHex.length;
  if (provided.length !== n) return false;
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= expectedHex.charCodeAt(i) ^ provided.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies a parsed SigV4 signature with the caller's secret access key: scope
 * service/region (when given), clock skew or presigned expiry, payload hash, then
 * the recomputed signature in constant time. Never throws.
 */
export function verifySignature(
  req: SignableRequest,
  auth: SignedRequestAuth,
  secretAccessKey: string,
  options: VerifySignatureOptions,
): VerifySignatureResult {
  if (options.service !== undefined && !matches(options.service, auth.service)) {
    const expected = typeof options.service === 'string' ? options.service : (options.service[0] ?? '');
    return fail(sigv4Error('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${expected}'. `));
  }
  if (options.region !== undefined && !matches(options.region, auth.region)) {
    return fail(sigv4Error('SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${auth.region}'. `));
  }
  const nowMs = options.now.getTime();
  if (!Number.isFinite(nowMs)) return fail(sigv4Error('SignatureDoesNotMatch', SIGNATURE_DOES_NOT_MATCH_MESSAGE));
  const timeError = checkTime(auth, nowMs, options.skewSeconds ?? DEFAULT_SKEW_SECONDS);
  if (timeError !== undefined) return fail(timeError);

  const isS3 = auth.service === 's3';
  const headers = lowercaseHeaders(req.headers);
  let claimed = firstHeader(headers, 'x-amz-content-sha256');
  if (claimed === undefined && auth.presigned) {
    // Presigned S3 URLs may carry the payload hash as a query parameter.
    const i = req.query.indexOf('X-Amz-Content-Sha256=');
    if (i === 0 || (i > 0 && req.query.charCodeAt(i - 1) === 38 /* & */)) {
      const start = i + 'X-Amz-Content-Sha256='.length;
      const end = req.query.indexOf('&', start);
      claimed = req.query.slice(start, end === -1 ? undefined : end);
    }
  }
  const allowUnsigned = options.allowUnsignedPayload ?? isS3;
  let payloadHash: string;
  if (claimed !== undefined && isHexSha256(claimed.trim())) {
    // The header is the client's claim about the body; it must be the body's hash
    // ("x-amz-content-sha256 ... the hash of the request payload", Amazon S3 API reference,
    // "Common Request Headers"; a mismatch is XAmzContentSHA256Mismatch).
    payloadHash = claimed.trim();
    if (hashPayload(req.body) !== payloadHash.toLowerCase()) {
      return fail(sigv4Error('XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed."));
    }
  } else if (claimed !== undefined && allowUnsigned && claimed.trim() === UNSIGNED_PAYLOAD) {
    payloadHash = UNSIGNED_PAYLOAD;
  } else if (claimed === undefined && auth.presigned && isS3) {
    // Presigned S3 URLs sign no payload (S3 API reference, "Authenticating Requests: Using Query Parameters").
    payloadHash = UNSIGNED_PAYLOAD;
  } else {
    payloadHash = hashPayload(req.body);
  }

  const signingKey = prepareSigningKey(secretAccessKey, auth.date, auth.region, auth.service);
  const scope = credentialScope(auth.date, auth.region, auth.service);
  const normalize = options.normalizePath ?? !isS3;
  const signedHeaders = auth.signedHeaders;
  const omit = auth.presigned ? PRESIGNED_OMIT : undefined;
  const canonical = canonicalRequestWithHeaders(req, headers, {
    signedHeaders, payloadHash, normalizePath: normalize, decodePath: isS3, omitQueryParameters: omit,
  });
  const expected = signWithKey(signingKey, buildStringToSign(auth.amzDate, scope, canonical));
  if (signaturesEqual(expected, auth.signature)) return { ok: true };

  if (auth.presigned && options.allowUnsignedSecurityToken === true && req.query.indexOf('X-Amz-Security-Token=') !== -1) {
    const retry = canonicalRequestWithHeaders(req, headers, {
      signedHeaders, payloadHash, normalizePath: normalize, decodePath: isS3,
      omitQueryParameters: PRESIGNED_OMIT_WITH_TOKEN,
    });
    const expected2 = signWithKey(signingKey, buildStringToSign(auth.amzDate, scope, retry));
    if (signaturesEqual(expected2, auth.signature)) return { ok: true };
  }
  return fail(sigv4Error('SignatureDoesNotMatch', SIGNATURE_DOES_NOT_MATCH_MESSAGE));
}
