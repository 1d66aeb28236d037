// AWS's authentication errors, as data. The wire codes, HTTP statuses and message
// texts follow what IAM and STS return (AWS "Common Errors" page of the IAM and STS
// API references: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
// and https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).

/** The AWS error codes this library produces (plus the ones a server needs for key lookup). */
export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'RequestExpired'
  | 'ExpiredToken'
  | 'XAmzContentSHA256Mismatch';

/** An authentication failure, ready to be rendered by the server's one error writer. */
export interface SigV4Error {
  code: SigV4ErrorCode;
  message: string;
  /** HTTP status: 400 for `IncompleteSignature`/`RequestExpired` (as AWS documents them), 403 otherwise. */
  status: 400 | 403;
}

/** `MissingAuthenticationToken`: no Authorization header and no presigned query. */
export const MISSING_AUTHENTICATION_TOKEN_MESSAGE = 'Request is missing Authentication Token';
/** `InvalidClientTokenId`: the access key (or session token) is unknown. */
export const INVALID_CLIENT_TOKEN_ID_MESSAGE = 'The security token included in the request is invalid.';
/** `ExpiredToken`: the temporary credentials' session token has expired. */
export const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';
/** `SignatureDoesNotMatch`: the recomputed signature differs. */
export const SIGNATURE_DOES_NOT_MATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
/** `RequestExpired`: a presigned request used after `X-Amz-Date` + `X-Amz-Expires`. */
export const REQUEST_EXPIRED_MESSAGE = 'Request has expired.';

const STATUS: Record<SigV4ErrorCode, 400 | 403> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  // INVARIANT: 400 as in the IAM/STS Common Errors pages ("RequestExpired ... HTTP Status Code: 400").
  RequestExpired: 400,
  ExpiredToken: 403,
  XAmzContentSHA256Mismatch: 400,
};

/** Builds a `SigV4Error` with the status AWS uses for `code`. */
export function sigv4Error(code: SigV4ErrorCode, message: string): SigV4Error {
  return { code, message, status: STATUS[code] };
}

/** The error a server returns when the access key id is not known. */
export function invalidClientTokenIdError(): SigV4Error {
  return sigv4Error('InvalidClientTokenId', INVALID_CLIENT_TOKEN_ID_MESSAGE);
}
