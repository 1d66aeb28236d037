// Whole HTTP responses (status, headers, body) for any of the three protocols, chosen by the
// model's `metadata.protocol`, so the server maps results and errors in exactly one place.
import { AwsError } from './errors.js';
import { JSON_11_CONTENT_TYPE, serializeJsonError, serializeJsonResponse } from './json-protocol.js';
import type { ServiceModel } from './model.js';
import { serializeQueryError, serializeQueryResponse } from './query-output.js';
import { serializeRestJsonError, serializeRestJsonResponse, type RestResponse } from './rest-json.js';

/** The response of a successful call of `operation` with `output`. */
export function renderResponse(model: ServiceModel, operation: string, output: Record<string, unknown> | undefined, requestId: string): RestResponse {
  switch (model.metadata.protocol) {
    case 'query':
      return { status: 200, headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, body: serializeQueryResponse(model, operation, output, requestId) };
    case 'json':
      return { status: 200, headers: { 'Content-Type': JSON_11_CONTENT_TYPE, 'x-amzn-RequestId': requestId }, body: serializeJsonResponse(model, operation, output) };
    default: {
      const response = serializeRestJsonResponse(model, operation, output);
      return { ...response, headers: { ...response.headers, 'x-amzn-RequestId': requestId } };
    }
  }
}

/**
 * The response for an error. Anything but an AwsError is a defect of ours and becomes a 500
 * `InternalFailure` that reveals nothing (log it before calling this).
 */
export function renderError(model: ServiceModel, error: unknown, requestId: string): RestResponse {
  const e = error instanceof AwsError ? error : new AwsError('InternalFailure', 'An internal error occurred.', { status: 500, type: 'Receiver' });
  switch (model.metadata.protocol) {
    case 'query':
      return { status: e.status, headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, body: serializeQueryError(e, requestId, model) };
    case 'json':
      return { status: e.status, headers: { 'Content-Type': JSON_11_CONTENT_TYPE, 'x-amzn-RequestId': requestId }, body: serializeJsonError(e, model) };
    default: {
      const response = serializeRestJsonError(e, model);
      return { ...response, headers: { ...response.headers, 'x-amzn-RequestId': requestId } };
    }
  }
}
