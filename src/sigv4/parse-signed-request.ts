// Request → what its SigV4 signature claims (no secret needed yet): the
// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header
// ("Signature Version 4 authorization header",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html) or the
// presigned query parameters X-Amz-Algorithm/-Credential/-Date/-Expires/-SignedHeaders/
// -Signature/-Security-Token ("Query string parameters",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#add-signature-to-request).
// Error codes and texts are those AWS's front ends return for the same mistakes.

import type { SignableRequest, SignedRequestAuth } from './types.js';
import { sigv4Error, MISSING_AUTHENTICATION_TOKEN_MESSAGE, type SigV4Error } from './errors.js';
import { firstHeader, lowercaseHeaders, type LowercaseHeaders } from './headers.js';
import { httpDateToAmzDate, parseAmzDate } from './amz-date.js';
import { SCOPE_TERMINATOR, SIGV4_ALGORITHM } from './canonical-request.js';
import { uriDecode } from './uri-encode.js';

/** Result of `parseSignedRequest`. */
export type ParseSignedRequestResult =
  | { ok: true; auth: SignedRequestAuth }
  | { ok: false; error: SigV4Error };

/** Longest presigned validity AWS allows: 7 days (SigV4 doc, "X-Amz-Expires"). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604800;

/** The presigned authentication parameters this parser reads, by index into `AuthQuery`. */
const ALGORITHM = 0, CREDENTIAL = 1, SIGNATURE = 2, SIGNED_HEADERS = 3, DATE = 4, EXPIRES = 5, SECURITY_TOKEN = 6;
const AUTH_QUERY_NAMES = [
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date',
  'X-Amz-Expires', 'X-Amz-Security-Token',
] as const;
/** The parameters a presigned request must have, in the order AWS lists the missing ones. */
const PRESIGN_PARAMS = [ALGORITHM, CREDENTIAL, SIGNATURE, SIGNED_HEADERS, DATE] as const;

/** Decoded values of the parameters of `AUTH_QUERY_NAMES` (undefined: absent), by the same index. */
type AuthQuery = (string | undefined)[];

function fail(error: SigV4Error): ParseSignedRequestResult {
  return { ok: false, error };
}

function isSeparator(c: number): boolean {
  return c === 44 /* , */ || c === 32 || c === 9 || c === 10 || c === 13;
}
/** A run of the characters `isSeparator` accepts. */
const SEPARATOR_RUN = /[, \t\n\r]+/;

/** The index in AUTH_QUERY_NAMES of the raw name `query[start, end)`, or -1 (by length first: at most two names share one). */
function authQueryIndex(query: string, start: number, end: number): number {
  switch (end - start) {
    case 10: return query.startsWith('X-Amz-Date', start) ? DATE : -1;
    case 13: return query.startsWith('X-Amz-Expires', start) ? EXPIRES : -1;
    case 15:
      if (query.startsWith('X-Amz-Algorithm', start)) return ALGORITHM;
      return query.startsWith('X-Amz-Signature', start) ? SIGNATURE : -1;
    case 16: return query.startsWith('X-Amz-Credential', start) ? CREDENTIAL : -1;
    case 19: return query.startsWith('X-Amz-SignedHeaders', start) ? SIGNED_HEADERS : -1;
    case 20: return query.startsWith('X-Amz-Security-Token', start) ? SECURITY_TOKEN : -1;
    default: return -1;
  }
}

/**
 * The X-Amz-* authentication parameters of a raw query (first occurrence wins), decoded;
 * undefined when there is none. Names are matched as sent, not decoded.
 */
function readAuthQueryParameters(query: string): AuthQuery | undefined {
  if (query.indexOf('X-Amz-') === -1) return undefined;
  let found: AuthQuery | undefined;
  let start = 0;
  const n = query.length;
  while (start < n) {
    let end = query.indexOf('&', start);
    if (end === -1) end = n;
    if (query.startsWith('X-Amz-', start)) {
      const eq = query.indexOf('=', start);
      const nameEnd = eq === -1 || eq > end ? end : eq;
      const k = authQueryIndex(query, start, nameEnd);
      if (k >= 0) {
        found ??= new Array<string | undefined>(AUTH_QUERY_NAMES.length).fill(undefined);
        if (found[k] === undefined) found[k] = nameEnd === end ? '' : uriDecode(query.slice(eq + 1, end));
      }
    }
    start = end + 1;
  }
  return found;
}

/** Splits `keyid/date/region/service/aws4_request` (exactly four slashes). */
function parseCredential(credential: string): { parts: [string, string, string, string] } | { error: SigV4Error } {
  const s1 = credential.indexOf('/');
  const s2 = s1 === -1 ? -1 : credential.indexOf('/', s1 + 1);
  const s3 = s2 === -1 ? -1 : credential.indexOf('/', s2 + 1);
  const s4 = s3 === -1 ? -1 : credential.indexOf('/', s3 + 1);
  if (s4 === -1 || credential.indexOf('/', s4 + 1) !== -1) {
    return {
      error: sigv4Error('IncompleteSignature',
        `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`),
    };
  }
  if (credential.length - s4 - 1 !== SCOPE_TERMINATOR.length || !credential.endsWith(SCOPE_TERMINATOR)) {
    return {
      error: sigv4Error('SignatureDoesNotMatch',
        `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${credential.slice(s4 + 1)}'. `),
    };
  }
  return {
    parts: [credential.slice(0, s1), credential.slice(s1 + 1, s2), credential.slice(s2 + 1, s3), credential.slice(s3 + 1, s4)],
  };
}

function badDate(value: string): SigV4Error {
  return sigv4Error('IncompleteSignature',
    `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
}

/**
 * The checks shared by both forms: credential scope shape, request date, scope date =
 * request date ("The date ... must match the date in the credential scope", SigV4 doc,
 * "Credential scope"), and `host` among the signed headers ("The host header must be
 * included as a signed header", SigV4 doc, "Canonical headers").
 */
function finish(
  credential: string,
  amzDate: string,
  signedHeadersText: string,
  signature: string,
  securityToken: string | undefined,
  presigned: boolean,
  expiresSeconds: number | undefined,
): ParseSignedRequestResult {
  const cred = parseCredential(credential);
  if ('error' in cred) return fail(cred.error);
  const [accessKeyId, date, region, service] = cred.parts;
  if (parseAmzDate(amzDate) === undefined) return fail(badDate(amzDate));
  const day = amzDate.slice(0, 8);
  if (date !== day) {
    return fail(sigv4Error('SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${day}', from '${amzDate}'.`));
  }
  const signedHeaders = signedHeadersText.split(';');
  let hasHost = false;
  for (let i = 0; i < signedHeaders.length; i++) {
    const h = signedHeaders[i] as string;
    if (h === 'host' || h === ':authority') hasHost = true;
  }
  if (!hasHost) {
    return fail(sigv4Error('IncompleteSignature',
      `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`));
  }
  const auth: SignedRequestAuth = {
    accessKeyId, date, region, service, signedHeaders, signature, amzDate, presigned,
  };
  if (securityToken !== undefined) auth.securityToken = securityToken;
  if (expiresSeconds !== undefined) auth.expiresSeconds = expiresSeconds;
  return { ok: true, auth };
}

function parseAuthorizationHeader(value: string, headers: LowercaseHeaders): ParseSignedRequestResult {
  let sp = 0;
  while (sp < value.length && !isSeparator(value.charCodeAt(sp))) sp++;
  const algorithm = value.slice(0, sp);

  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  if (algorithm === SIGV4_ALGORITHM) {
    // Components are separated by commas and/or whitespace; each must be key=value.
    // One native split rather than a character loop over the ~200 characters.
    const tokens = value.slice(sp).split(SEPARATOR_RUN);
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t] as string;
      if (token.length === 0) continue;
      const eq = token.indexOf('=');
      if (eq === -1) {
        return fail(sigv4Error('IncompleteSignature',
          `'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${value}'.`));
      }
      const key = token.slice(0, eq);
      const v = token.slice(eq + 1);
      if (key === 'Credential') credential ??= v;
      else if (key === 'SignedHeaders') signedHeaders ??= v;
      else if (key === 'Signature') signature ??= v;
    }
  } else if (algorithm.startsWith('AWS4-')) {
    // e.g. SigV4a (AWS4-ECDSA-P256-SHA256): recognised, not supported here.
    return fail(sigv4Error('IncompleteSignature',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.'));
  }

  const xAmzDate = firstHeader(headers, 'x-amz-date');
  const httpDate = xAmzDate === undefined ? firstHeader(headers, 'date') : undefined;
  if (!credential || !signature || !signedHeaders || (xAmzDate === undefined && httpDate === undefined)) {
    const missing: string[] = [];
    if (!credential) missing.push(`Authorization header requires 'Credential' parameter.`);
    if (!signature) missing.push(`Authorization header requires 'Signature' parameter.`);
    if (!signedHeaders) missing.push(`Authorization header requires 'SignedHeaders' parameter.`);
    if (xAmzDate === undefined && httpDate === undefined) {
      missing.push(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
    }
    return fail(sigv4Error('IncompleteSignature', missing.join(' ') + ` Authorization=${value}`));
  }

  let amzDate: string;
  if (xAmzDate !== undefined) amzDate = xAmzDate.trim();
  else {
    const converted = httpDateToAmzDate(httpDate as string);
    if (converted === undefined) return fail(badDate(httpDate as string));
    amzDate = converted;
  }
  return finish(credential as string, amzDate, signedHeaders as string, signature as string,
    firstHeader(headers, 'x-amz-security-token'), false, undefined);
}

function parsePresigned(params: AuthQuery, headers: LowercaseHeaders): ParseSignedRequestResult {
  let complete = true;
  for (const k of PRESIGN_PARAMS) if (!params[k]) complete = false;
  if (!complete) {
    const missing: string[] = [];
    for (const k of PRESIGN_PARAMS) {
      if (!params[k]) missing.push(`AWS query-string parameters must include '${AUTH_QUERY_NAMES[k]}'.`);
    }
    return fail(sigv4Error('IncompleteSignature', missing.join(' ') + ' Re-examine the query-string parameters.'));
  }
  const algorithm = params[ALGORITHM] as string;
  if (algorithm !== SIGV4_ALGORITHM) {
    return fail(sigv4Error('IncompleteSignature', `X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"`));
  }
  let expiresSeconds: number | undefined;
  const expires = params[EXPIRES];
  if (expires !== undefined) {
    // "X-Amz-Expires ... minimum value you can set is 1, and the maximum is 604800 (seven days)"
    // (Amazon S3 API reference, "Authenticating Requests: Using Query Parameters").
    let digitsOnly = expires.length > 0 && expires.length <= 10;
    for (let i = 0; i < expires.length && digitsOnly; i++) {
      const c = expires.charCodeAt(i);
      if (c < 48 || c > 57) digitsOnly = false;
    }
    if (!digitsOnly) {
      if (expires.startsWith('-')) return fail(sigv4Error('IncompleteSignature', 'X-Amz-Expires must be non-negative'));
      return fail(sigv4Error('IncompleteSignature', 'X-Amz-Expires should be a number'));
    }
    expiresSeconds = Number(expires);
    if (expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
      return fail(sigv4Error('IncompleteSignature',
        `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`));
    }
    if (expiresSeconds < 1) {
      return fail(sigv4Error('IncompleteSignature', 'X-Amz-Expires must be at least 1 second'));
    }
  }
  const token = params[SECURITY_TOKEN] ?? firstHeader(headers, 'x-amz-security-token');
  return finish(params[CREDENTIAL] as string, params[DATE] as string,
    params[SIGNED_HEADERS] as string, params[SIGNATURE] as string,
    token, true, expiresSeconds);
}

/**
 * Reads the SigV4 authentication of a request (Authorization header or presigned query)
 * without checking the signature. Never throws: malformed input is an error result.
 */
export function parseSignedRequest(req: SignableRequest): ParseSignedRequestResult {
  const headers = lowercaseHeaders(req.headers);
  const rawAuthorization = firstHeader(headers, 'authorization');
  const authorization = rawAuthorization === undefined ? '' : rawAuthorization.trim();
  const params = typeof req.query === 'string' ? readAuthQueryParameters(req.query) : undefined;
  const presigned = params !== undefined &&
    (params[ALGORITHM] !== undefined || params[CREDENTIAL] !== undefined ||
     params[SIGNATURE] !== undefined || params[SIGNED_HEADERS] !== undefined);

  if (authorization.length > 0 && presigned) {
    return fail(sigv4Error('IncompleteSignature',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
      'Signature query string parameter or the Authorization header should be specified'));
  }
  if (authorization.length > 0) return parseAuthorizationHeader(authorization, headers);
  if (presigned) return parsePresigned(params, headers);
  return fail(sigv4Error('MissingAuthenticationToken', MISSING_AUTHENTICATION_TOKEN_MESSAGE));
}
