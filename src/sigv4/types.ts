/** An HTTP request as the server received it (or as a client is about to send it). */
export interface SignableRequest {
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** Raw request path as on the wire, without the query (e.g. `/` or `/v20191101/analyzer`). */
  path: string;
  /** Raw query string as on the wire, without the leading `?` (may be empty). */
  query: string;
  /**
   * Headers as received; names in any case. Several values of one header are
   * given as an array (Node's `req.headersDistinct`), not pre-joined with ', '.
   */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The request body (empty string when there is none). */
  body: Buffer | string;
}

/** What a SigV4-signed request claims, read before any secret is known. */
export interface SignedRequestAuth {
  accessKeyId: string;
  /** Credential scope date, `YYYYMMDD`. */
  date: string;
  region: string;
  service: string;
  /** Signed header names, lowercase, in the order the client listed them. */
  signedHeaders: string[];
  /** The signature the client sent (lowercase hex for a well-formed request). */
  signature: string;
  /** The request time the signature covers, ISO 8601 basic: `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** `X-Amz-Security-Token` (header, or query parameter when presigned). */
  securityToken?: string;
  /** True for query-string ("presigned URL") authentication. */
  presigned: boolean;
  /** `X-Amz-Expires` of a presigned request, in seconds. */
  expiresSeconds?: number;
}
