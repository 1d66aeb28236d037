// AWS wire formats driven by AWS's own service models: Query (IAM, STS), JSON 1.1
// (Organizations, CloudTrail) and REST-JSON (Access Analyzer). Pure functions: the server
// hands in parsed request parts and gets strings back.

/** Load the AWS model of one service (cached). */
export { loadServiceModel } from './model.js';
/** Model types: service model, operation, shape, shape reference. */
export type { ServiceModel, ServiceName, Operation, Shape, ShapeRef, ServiceMetadata } from './model.js';

/** The error type services throw or return; the server turns it into the wire format. */
export { AwsError } from './errors.js';
/** Fault side of an error: `Sender` (4xx) or `Receiver` (5xx). */
export type { FaultType, ErrorInfo } from './errors.js';
/** Code, HTTP status and fault side of a model's exception shape, by shape name or wire code. */
export { errorInfo, errorInfoByCode } from './errors.js';
/** An AwsError for a model's exception (status from the model): `modelError(iam, 'NoSuchEntity', msg)`. */
export { modelError } from './errors.js';

/** Constraint validation of decoded input, with AWS's message format. */
export { validateInput, formatValidationMessage } from './validate.js';
/** The error a service answers for constraint violations (ValidationError, InvalidInputException, …). */
export { validationError } from './validation-error.js';
/** One violated constraint, and message options. */
export type { ValidationIssue, FormatOptions } from './validate.js';

/** Query parameters (form body, URL query) as name/value pairs, as URLSearchParams reads them. */
export { parseForm } from './form.js';
export type { FormPairs } from './form.js';
/** Decode and validate an AWS Query request (`Action`, `Version`, dotted parameters). */
export { parseQueryRequest } from './query-input.js';
/** Result of parsing a request: the operation and its input, or an AwsError. */
export type { ParseResult, QueryParseOptions } from './query-input.js';
/** XML bodies of Query responses and Query errors. */
export { serializeQueryResponse, serializeQueryError } from './query-output.js';
/** What a Query error carries. */
export type { QueryErrorInput } from './query-output.js';

/** Content type of AWS JSON 1.1 requests and responses. */
export { JSON_11_CONTENT_TYPE } from './json-protocol.js';
/** Decode and validate an AWS JSON 1.1 request (X-Amz-Target and body). */
export { parseJsonRequest } from './json-protocol.js';
/** JSON bodies of JSON responses and errors (`{"__type": …, "message": …}`). */
export { serializeJsonResponse, serializeJsonError } from './json-protocol.js';
/** Options and error input of the JSON protocols. */
export type { JsonParseOptions, JsonErrorInput } from './json-protocol.js';

/** Which REST operation a method and path name, with its URI labels. */
export { matchRestOperation } from './rest-route.js';
/** An operation matched by method and path. */
export type { RestMatch } from './rest-route.js';
/** Decode and validate a REST-JSON request (labels, query, headers, body). */
export { parseRestJsonRequest } from './rest-json.js';
/** Status, headers and body of REST-JSON responses and errors (`x-amzn-ErrorType`). */
export { serializeRestJsonResponse, serializeRestJsonError } from './rest-json.js';
/** Request parts the server hands in, and the response it sends. */
export type { RestRequest, RestResponse, HeaderValue } from './rest-json.js';

/** Whole responses (status, headers, body) for results and errors, by the model's protocol. */
export { renderResponse, renderError } from './respond.js';
