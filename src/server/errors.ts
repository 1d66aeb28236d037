// The one place where errors become wire responses (STYLE.md "Errors": AwsError and the SigV4
// errors map here; anything else is a logged 500 InternalFailure).
import {
  AwsError, JSON_11_CONTENT_TYPE, renderError as renderModelError, serializeJsonError, serializeQueryError, type FaultType, type ServiceModel,
} from '../protocol/index.js';
import type { SigV4Error } from '../sigv4/index.js';

/** How a service speaks: Query (form in, XML out), JSON 1.1, or REST-JSON. */
export type WireProtocol = 'query' | 'json' | 'rest-json';

/** An error ready to be rendered in any protocol. */
export interface WireError {
  code: string;
  message: string;
  status: number;
  type: FaultType;
  fields?: Readonly<Record<string, unknown>>;
}

/** A response to write: status, headers (besides x-amzn-RequestId) and body. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// "Common Errors" (IAM API reference, https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html,
// and every service's copy of that page).
/** InternalFailure's text on AWS's Common Errors pages. */
export const INTERNAL_FAILURE_MESSAGE = 'The request processing has failed because of an unknown error, exception or failure.';
/** ServiceUnavailable's text on AWS's Common Errors pages. */
export const SERVICE_UNAVAILABLE_MESSAGE = 'The request has failed due to a temporary failure of the server.';
/** RequestEntityTooLargeException's text on AWS's Common Errors pages. */
export const REQUEST_ENTITY_TOO_LARGE_MESSAGE = 'Problems with the request at the HTTP level. The request entity is too large.';
/** MalformedHttpRequestException's text on AWS's Common Errors pages. */
export const MALFORMED_HTTP_REQUEST_MESSAGE =
  'Problems with the request at the HTTP level, e.g. we can\'t decompress the body according to the decompression algorithm specified by the content-encoding.';

export function wireError(code: string, message: string, status: number, fields?: Record<string, unknown>): WireError {
  return { code, message, status, type: status >= 500 ? 'Receiver' : 'Sender', fields };
}

/** A bug: logged by the caller with the request id, answered with AWS's generic text. */
export function internalFailure(): WireError {
  return wireError('InternalFailure', INTERNAL_FAILURE_MESSAGE, 500);
}

export function serviceUnavailable(): WireError {
  return wireError('ServiceUnavailable', SERVICE_UNAVAILABLE_MESSAGE, 503);
}

export function requestEntityTooLarge(): WireError {
  return wireError('RequestEntityTooLargeException', REQUEST_ENTITY_TOO_LARGE_MESSAGE, 413);
}

export function malformedHttpRequest(): WireError {
  return wireError('MalformedHttpRequestException', MALFORMED_HTTP_REQUEST_MESSAGE, 400);
}

/** An operation the model has but Warden does not serve (yet), or a service it does not serve. */
export function notImplemented(what: string): WireError {
  return wireError('NotImplemented', `${what} is not implemented by warden`, 501);
}

export function fromAwsError(error: AwsError): WireError {
  return { code: error.code, message: error.message, status: error.status, type: error.type, fields: error.fields };
}

// JSON services name the authentication errors differently from Query services (as seen from
// Organizations, CloudTrail, DynamoDB …: `{"__type":"UnrecognizedClientException","message":
// "The security token included in the request is invalid."}`).
const JSON_AUTH_CODES: Record<string, string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  AccessDenied: 'AccessDeniedException',
};
/** The JSON services' text for a request without any authentication. */
const JSON_MISSING_AUTHENTICATION_TOKEN_MESSAGE = 'Missing Authentication Token';

/** An authentication failure (from sigv4 or from resolving the credentials) in `protocol`'s dialect. */
export function authenticationError(protocol: WireProtocol, code: string, message: string, status: number): WireError {
  if (protocol === 'query') return wireError(code, message, status);
  const jsonCode = JSON_AUTH_CODES[code] ?? code;
  const text = code === 'MissingAuthenticationToken' ? JSON_MISSING_AUTHENTICATION_TOKEN_MESSAGE : message;
  return wireError(jsonCode, text, status);
}

export function fromSigV4Error(protocol: WireProtocol, error: SigV4Error): WireError {
  return authenticationError(protocol, error.code, error.message, error.status);
}

/**
 * Renders `error` for `protocol`. `model` supplies the Query namespace and the JSON error
 * shape's member names (Organizations says `Message`).
 */
export function renderError(protocol: WireProtocol, error: WireError, requestId: string, model?: ServiceModel): WireResponse {
  if (model) {
    const fields = error.fields as Record<string, unknown> | undefined;
    const response = renderModelError(model, new AwsError(error.code, error.message, { status: error.status, type: error.type, fields }), requestId);
    // JSON clients also read the code from this header (REST-JSON already sets it).
    if (protocol !== 'query' && !Object.keys(response.headers).some((h) => h.toLowerCase() === 'x-amzn-errortype')) {
      response.headers['x-amzn-ErrorType'] = error.code;
    }
    return response;
  }
  if (protocol === 'query') {
    return {
      status: error.status,
      headers: { 'Content-Type': 'text/xml' },
      body: serializeQueryError({ type: error.type, code: error.code, message: error.message, fields: error.fields }, requestId, model),
    };
  }
  const body = serializeJsonError({ code: error.code, message: error.message, fields: error.fields }, model);
  return {
    status: error.status,
    headers: {
      'Content-Type': protocol === 'json' ? JSON_11_CONTENT_TYPE : 'application/json',
      'x-amzn-ErrorType': error.code,
    },
    body,
  };
}

/** Whether `e` is an error the services meant to answer with (anything else is a bug). */
export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}
