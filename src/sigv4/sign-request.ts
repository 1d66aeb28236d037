// Client side: sign a request with the Authorization header, or presign it into a
// query string ("Create a signed AWS API request",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// Used by tests, benchmarks and Warden's own outbound calls.

import type { SignableRequest } from './types.js';
import { formatAmzDate } from './amz-date.js';
import {
  buildCanonicalRequest, buildStringToSign, credentialScope, hashPayload, SIGV4_ALGORITHM, UNSIGNED_PAYLOAD,
} from './canonical-request.js';
import { computeSignature, deriveSigningKey } from './signing-key.js';
import { lowercaseHeaders } from './headers.js';
import { uriEncode } from './uri-encode.js';

/** Credentials and scope to sign with. */
export interface SignRequestOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** Session token of temporary credentials (sent as X-Amz-Security-Token). */
  sessionToken?: string;
  region: string;
  service: string;
  /** Signing time (default: now). */
  now?: Date;
  /** Add and sign `x-amz-content-sha256` (default: only for `s3`). */
  addContentSha256Header?: boolean;
  /**
   * Sign the session token (default true). False adds it after signing, outside the
   * signature, as some services expect.
   */
  signSessionToken?: boolean;
  /** Normalise the URI path (default: true for every service but `s3`). */
  normalizePath?: boolean;
}

/** Options of `presignUrl`: signing options plus the validity. */
export interface PresignUrlOptions extends SignRequestOptions {
  /** Validity in seconds, 1..604800 (default 900). */
  expiresSeconds?: number;
}

/**
 * Headers that are never signed because proxies may change or drop them (the AWS SDKs
 * leave these out of SignedHeaders too).
 */
const UNSIGNABLE = new Set([
  'authorization', 'connection', 'expect', 'keep-alive', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id',
]);

/** Headers this library sets itself; request copies of them are replaced. */
const REPLACED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);

/** The request headers merged by lowercase name, minus the ones signing replaces. */
function baseHeaders(req: SignableRequest): Record<string, string | string[]> {
  const merged = lowercaseHeaders(req.headers);
  const out: Record<string, string | string[]> = Object.create(null);
  for (const key in merged) {
    const v = merged[key];
    if (v === undefined || REPLACED.has(key)) continue;
    out[key] = typeof v === 'string' ? v : [...v];
  }
  return out;
}

function signableNames(headers: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const name in headers) if (!UNSIGNABLE.has(name)) names.push(name);
  if (!names.includes('host') && !names.includes(':authority')) {
    throw new TypeError('sigv4: the request to sign needs a Host header');
  }
  return names.sort();
}

/**
 * Signs `req` with the Authorization header. Returns the headers to add to the request
 * (`Authorization`, `X-Amz-Date`, and `X-Amz-Security-Token` / `x-amz-content-sha256` when
 * used); they replace any copies already present. Throws a TypeError when `req` has no
 * Host header (a programming error, not user input).
 */
export function signRequest(req: SignableRequest, options: SignRequestOptions): Record<string, string> {
  const amzDate = formatAmzDate(options.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const headers = baseHeaders(req);
  const added: Record<string, string> = {};

  added['X-Amz-Date'] = amzDate;
  headers['x-amz-date'] = amzDate;
  const signToken = options.signSessionToken ?? true;
  if (options.sessionToken !== undefined && signToken) headers['x-amz-security-token'] = options.sessionToken;
  const payloadHash = hashPayload(req.body);
  if (options.addContentSha256Header ?? options.service === 's3') {
    headers['x-amz-content-sha256'] = payloadHash;
  }
  const signedHeaders = signableNames(headers);
  const canonical = buildCanonicalRequest({ ...req, headers }, {
    signedHeaders, payloadHash,
    normalizePath: options.normalizePath ?? options.service !== 's3',
    decodePath: options.service === 's3',
  });
  const scope = credentialScope(date, options.region, options.service);
  const key = deriveSigningKey(options.secretAccessKey, date, options.region, options.service);
  const signature = computeSignature(key, buildStringToSign(amzDate, scope, canonical));

  if (options.sessionToken !== undefined) added['X-Amz-Security-Token'] = options.sessionToken;
  if (headers['x-amz-content-sha256'] !== undefined) added['x-amz-content-sha256'] = payloadHash;
  added['Authorization'] = `${SIGV4_ALGORITHM} Credential=${options.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return added;
}

/**
 * Presigns `req`: returns its full query string (the original query followed by
 * X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires, -Security-Token and
 * -Signature) for use as `path + '?' + result`. Every signable header present is signed
 * and must be sent with the URL. Throws a TypeError without a Host header or with an
 * expiry outside 1..604800 seconds.
 */
export function presignUrl(req: SignableRequest, options: PresignUrlOptions): string {
  const expires = options.expiresSeconds ?? 900;
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
    throw new TypeError('sigv4: expiresSeconds must be an integer in 1..604800');
  }
  const amzDate = formatAmzDate(options.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const headers = baseHeaders(req);
  const signedHeaders = signableNames(headers);
  const scope = credentialScope(date, options.region, options.service);
  const enc = (v: string): string => uriEncode(v, false, false);

  let query = req.query;
  const add = (name: string, value: string): void => {
    query += (query.length === 0 ? '' : '&') + name + '=' + enc(value);
  };
  add('X-Amz-Algorithm', SIGV4_ALGORITHM);
  add('X-Amz-Credential', `${options.accessKeyId}/${scope}`);
  add('X-Amz-Date', amzDate);
  add('X-Amz-SignedHeaders', signedHeaders.join(';'));
  add('X-Amz-Expires', String(expires));
  const signToken = options.signSessionToken ?? true;
  if (options.sessionToken !== undefined && signToken) add('X-Amz-Security-Token', options.sessionToken);

  const payloadHash = options.service === 's3' ? UNSIGNED_PAYLOAD : hashPayload(req.body);
  const canonical = buildCanonicalRequest({ ...req, query, headers }, {
    signedHeaders, payloadHash,
    normalizePath: options.normalizePath ?? options.service !== 's3',
    decodePath: options.service === 's3',
  });
  const key = deriveSigningKey(options.secretAccessKey, date, options.region, options.service);
  const signature = computeSignature(key, buildStringToSign(amzDate, scope, canonical));
  if (options.sessionToken !== undefined && !signToken) add('X-Amz-Security-Token', options.sessionToken);
  add('X-Amz-Signature', signature);
  return query;
}
