// Request → canonical request → string to sign, as specified in "Create a signed AWS
// API request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
// steps 1–2:
//
//   CanonicalRequest = HTTPMethod \n CanonicalURI \n CanonicalQueryString \n
//                      CanonicalHeaders \n SignedHeaders \n HashedPayload
//   StringToSign     = "AWS4-HMAC-SHA256" \n RequestDateTime \n CredentialScope \n
//                      Hex(SHA256(CanonicalRequest))

import * as crypto from 'node:crypto';
import type { SignableRequest } from './types.js';
import { firstHeader, lowercaseHeaders, type LowercaseHeaders } from './headers.js';
import { normalizePath, UNRESERVED, uriEncode } from './uri-encode.js';

/** The only algorithm this library signs and verifies. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** The fixed last element of every SigV4 credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request';
/** Hex SHA-256 of the empty string (the payload hash of a request without body). */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Payload-hash literal for requests whose body is not signed (S3, presigned URLs). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** How the canonical request is built from a request. */
export interface CanonicalRequestOptions {
  /** Lowercase names of the signed headers, in SignedHeaders order. */
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, or a literal such as `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
  /**
   * Remove '.', '..' and empty path segments. AWS does this for every service except
   * S3 (SigV4 doc, "CanonicalURI"). Default true.
   */
  normalizePath?: boolean;
  /**
   * The raw path is already URI-encoded once and is canonicalised by decoding and
   * re-encoding (S3). Default false: every service but S3 encodes the path as given,
   * so a wire path `/a%20b` becomes `/a%2520b` (SigV4 doc, "CanonicalURI": path segments
   * are URI-encoded twice for every service except Amazon S3, which encodes them once).
   */
  decodePath?: boolean;
  /** Query parameters left out of the canonical query string (`X-Amz-Signature` when presigned). */
  omitQueryParameters?: readonly string[];
}

// One-shot crypto.hash (Node >= 20.12) is markedly cheaper than createHash for small inputs.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;

/** Hex SHA-256 of a string (UTF-8) or bytes. */
function sha256Hex(data: string | Buffer): string {
  if (oneShotHash !== undefined) return oneShotHash('sha256', data, 'hex');
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of a request body. */
export function hashPayload(body: Buffer | string): string {
  if (body.length === 0) return EMPTY_SHA256;
  return sha256Hex(body);
}

/** The canonical URI of a raw path. */
export function canonicalUri(path: string, normalize: boolean, decodePath: boolean): string {
  const p = normalize ? normalizePath(path) : (path === '' ? '/' : path);
  return uriEncode(p, true, decodePath);
}

/** HEX_UPPER[c] is 1 + the value of c as an uppercase hex digit (0-9, A-F), else 0. */
const HEX_UPPER = new Uint8Array(128);
for (let c = 48; c <= 57; c++) HEX_UPPER[c] = c - 47;
for (let c = 65; c <= 70; c++) HEX_UPPER[c] = c - 54;

/**
 * True when `query[start, end)` is a `name=value` pair that canonical encoding leaves as
 * it is: exactly one '=', every other character unreserved or a `%XY` escape (uppercase hex)
 * of a byte that is not unreserved. Query strings from the SDKs are made of such pairs, so
 * they need no decode/re-encode.
 */
function isCanonicalPair(query: string, start: number, end: number): boolean {
  let equals = 0;
  for (let i = start; i < end; i++) {
    const c = query.charCodeAt(i);
    if (c < 128 && UNRESERVED[c] === 1) continue;
    if (c === 61 /* = */) { equals++; continue; }
    if (c !== 37 /* % */ || i + 2 >= end) return false;
    const h = query.charCodeAt(i + 1), l = query.charCodeAt(i + 2);
    if (h >= 128 || l >= 128) return false;
    const hv = HEX_UPPER[h] as number, lv = HEX_UPPER[l] as number;
    if (hv === 0 || lv === 0) return false;
    const b = ((hv - 1) << 4) | (lv - 1);
    if (b < 128 && UNRESERVED[b] === 1) return false; // e.g. %41 decodes to 'A'
    i += 2;
  }
  return equals === 1;
}

/** The canonical `name=value` of the raw pair `query[start, end)`. */
function canonicalPair(query: string, start: number, end: number): string {
  if (isCanonicalPair(query, start, end)) return query.slice(start, end);
  const eq = query.indexOf('=', start);
  if (eq === -1 || eq > end) return uriEncode(query.slice(start, end), false, true) + '=';
  return uriEncode(query.slice(start, eq), false, true) + '=' + uriEncode(query.slice(eq + 1, end), false, true);
}

/**
 * Orders canonical pairs by name, then by value. A canonical pair has exactly one '='
 * (an '=' inside a name or value is encoded), so ordering the whole strings with '='
 * below every other character is the same as comparing names first: where one name ends
 * first, its '=' meets a character of the longer name.
 */
function comparePairs(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 61) return -1;
    if (y === 61) return 1;
    return x - y;
  }
  return a.length - b.length;
}

/** True when the canonical pair's name is one of `names` (which hold no '='). */
function hasName(pair: string, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (pair.length > name.length && pair.charCodeAt(name.length) === 61 && pair.startsWith(name)) return true;
  }
  return false;
}

/**
 * True when the raw pair at `start` is `name=…` for one of `names` made only of unreserved
 * characters: its encoded name is then the name itself whatever the value, so the pair is
 * left out without reading (or encoding) its value, e.g. the 64 digits of X-Amz-Signature.
 */
function startsWithPlainName(query: string, start: number, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (query.charCodeAt(start + name.length) === 61 && query.startsWith(name, start) && isPlain(name)) return true;
  }
  return false;
}

function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] !== 1) return false;
  }
  return true;
}

/**
 * The canonical query string: every parameter (a name without '=' gets an empty value),
 * names and values percent-decoded then re-encoded per RFC 3986 with AWS's rules, sorted
 * by encoded name then encoded value (SigV4 doc, "CanonicalQueryString").
 */
export function canonicalQueryString(query: string, omitParameters?: readonly string[]): string {
  if (query.length === 0) return '';
  const pairs: string[] = [];
  // Clients usually send the parameters in canonical order already: then nothing is sorted.
  let sorted = true;
  let start = 0;
  const n = query.length;
  while (start <= n) {
    let end = query.indexOf('&', start);
    if (end === -1) end = n;
    if (end > start && (omitParameters === undefined || !startsWithPlainName(query, start, omitParameters))) {
      const pair = canonicalPair(query, start, end);
      if (omitParameters === undefined || !hasName(pair, omitParameters)) {
        if (sorted && pairs.length > 0 && comparePairs(pairs[pairs.length - 1] as string, pair) > 0) sorted = false;
        pairs.push(pair);
      }
    }
    start = end + 1;
  }
  if (!sorted) sortPairs(pairs);
  let out = pairs.length === 0 ? '' : pairs[0] as string;
  for (let i = 1; i < pairs.length; i++) out += '&' + pairs[i];
  return out;
}

/** Up to this many pairs are sorted by insertion, which beats Array.prototype.sort's setup for an AWS request's handful. */
const INSERTION_SORT_MAX = 16;

/** Sorts canonical pairs in place (insertion sort when few, so a long query stays O(n log n)). */
function sortPairs(pairs: string[]): void {
  if (pairs.length > INSERTION_SORT_MAX) {
    pairs.sort(comparePairs);
    return;
  }
  for (let i = 1; i < pairs.length; i++) {
    const pair = pairs[i] as string;
    let j = i;
    while (j > 0 && comparePairs(pairs[j - 1] as string, pair) > 0) {
      pairs[j] = pairs[j - 1] as string;
      j--;
    }
    pairs[j] = pair;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/**
 * Matches a header value `trimHeaderValue` changes: a leading or trailing space, two spaces
 * in a row, or any of the other `isSpace` characters (\t \n \v \f \r) anywhere.
 */
const NEEDS_TRIM = /[\t-\r]|^ | $|  /;

/**
 * Trims a header value and collapses every run of whitespace into one space
 * (SigV4 doc, "CanonicalHeaders": "Trimall ... convert sequential spaces to a single
 * space"; the SDKs treat tabs and folded line breaks as spaces too).
 */
export function trimHeaderValue(v: string): string {
  // A regular expression scans natively: session tokens are hundreds of characters long.
  if (!NEEDS_TRIM.test(v)) return v;
  const n = v.length;
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (isSpace(c)) { pendingSpace = out.length > 0; continue; }
    if (pendingSpace) { out += ' '; pendingSpace = false; }
    out += v[i];
  }
  return out;
}

function headerValue(headers: LowercaseHeaders, name: string): string {
  let v = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
  // HTTP/2 carries the host in the ':authority' pseudo-header.
  if (v === undefined && name === 'host') v = firstHeader(headers, ':authority');
  if (v === undefined) return '';
  if (typeof v === 'string') return trimHeaderValue(v);
  // Several values of one header: each trimmed, joined with ',' (SigV4 doc, "CanonicalHeaders").
  let out = '';
  for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + trimHeaderValue(v[i] as string);
  return out;
}

/** The canonical headers block: `name:value\n` for each signed header, in the given order. */
export function canonicalHeaders(headers: LowercaseHeaders, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) out += name + ':' + headerValue(headers, name) + '\n';
  return out;
}

/** Builds the canonical request of `req` (headers may have names in any case). */
export function buildCanonicalRequest(req: SignableRequest, options: CanonicalRequestOptions): string {
  return canonicalRequestWithHeaders(req, lowercaseHeaders(req.headers), options);
}

/** `buildCanonicalRequest` with the request's headers already keyed by lowercase name. */
export function canonicalRequestWithHeaders(req: SignableRequest, headers: LowercaseHeaders, options: CanonicalRequestOptions): string {
  return req.method.toUpperCase() + '\n' +
    canonicalUri(req.path, options.normalizePath ?? true, options.decodePath ?? false) + '\n' +
    canonicalQueryString(req.query, options.omitQueryParameters) + '\n' +
    canonicalHeaders(headers, options.signedHeaders) + '\n' +
    options.signedHeaders.join(';') + '\n' +
    options.payloadHash;
}

/** The credential scope `date/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return date + '/' + region + '/' + service + '/' + SCOPE_TERMINATOR;
}

/** Builds the string to sign from the request time, the credential scope and the canonical request. */
export function buildStringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return SIGV4_ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + sha256Hex(canonicalRequest);
}
