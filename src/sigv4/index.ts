// Public surface of warden/sigv4: AWS Signature Version 4, pure (no I/O; node:crypto only).

/** A request as received or about to be sent: method, raw path, raw query, headers, body. */
export type { SignableRequest, SignedRequestAuth } from './types.js';
/** An authentication error as data: AWS code, AWS message, HTTP status. */
export type { SigV4Error, SigV4ErrorCode } from './errors.js';
/** Builds a SigV4Error with the status AWS uses for its code. */
export { sigv4Error } from './errors.js';
/** The `InvalidClientTokenId` error a server returns for an unknown access key. */
export { invalidClientTokenIdError } from './errors.js';
/** AWS's message texts for the errors a server raises itself. */
export {
  MISSING_AUTHENTICATION_TOKEN_MESSAGE,
  INVALID_CLIENT_TOKEN_ID_MESSAGE,
  EXPIRED_TOKEN_MESSAGE,
  SIGNATURE_DOES_NOT_MATCH_MESSAGE,
  REQUEST_EXPIRED_MESSAGE,
} from './errors.js';

/** Reads the Authorization header or presigned query of a request, without any secret. */
export { parseSignedRequest, MAX_PRESIGNED_EXPIRES_SECONDS } from './parse-signed-request.js';
/** Result of parseSignedRequest. */
export type { ParseSignedRequestResult } from './parse-signed-request.js';

/** Checks time window and signature of a parsed request against the caller's secret key. */
export { verifySignature } from './verify-signature.js';
/** Options and result of verifySignature. */
export type { VerifySignatureOptions, VerifySignatureResult } from './verify-signature.js';

/** Signs a request (returns the headers to add) or presigns it (returns the query string). */
export { signRequest, presignUrl } from './sign-request.js';
/** Options of signRequest and presignUrl. */
export type { SignRequestOptions, PresignUrlOptions } from './sign-request.js';

/** The canonical request and string to sign, for debugging signature mismatches. */
export { buildCanonicalRequest, buildStringToSign, credentialScope, hashPayload } from './canonical-request.js';
/** Options of buildCanonicalRequest. */
export type { CanonicalRequestOptions } from './canonical-request.js';
/** SigV4 constants: algorithm name, empty-body hash, the UNSIGNED-PAYLOAD literal. */
export { SIGV4_ALGORITHM, EMPTY_SHA256, UNSIGNED_PAYLOAD } from './canonical-request.js';

/** Derives (cached) the signing key; sizes the cache of derived keys. */
export { deriveSigningKey, configureSigningKeyCache, signingKeyCacheSize } from './signing-key.js';
/** `YYYYMMDDTHHMMSSZ` formatting and parsing. */
export { formatAmzDate, parseAmzDate } from './amz-date.js';
