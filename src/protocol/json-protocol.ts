// AWS JSON 1.1 protocol (Organizations, CloudTrail): POST /, `X-Amz-Target: <targetPrefix>.<Op>`,
// `Content-Type: application/x-amz-json-1.1`, the input shape as a JSON object, errors as
// `{"__type": "<Code>", "message": "…"}` with the model's HTTP status.
import { AwsError, errorInfo, errorInfoByCode } from './errors.js';
import { decodeJsonValue, encodeJsonValue, JsonDecodeFailure } from './json-shapes.js';
import type { ServiceModel } from './model.js';
import type { ParseResult } from './query-input.js';
import { validateInput, type FormatOptions } from './validate.js';
import { validationError } from './validation-error.js';

/** Content type of AWS JSON 1.1 requests and responses. */
export const JSON_11_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Errors raised by AWS's request frontend itself carry this namespace in `__type`. */
const FRONTEND_ERRORS = new Set(['UnknownOperationException', 'SerializationException']);

export interface JsonParseOptions extends FormatOptions {
  /** Skip constraint validation (decode only). */
  skipValidation?: boolean;
}

/** JSON.parse that reports instead of throwing. */
export function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false } {
  if (body.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/** Decode `value` as the input of `operation` and validate it; shared with REST-JSON. */
export function decodeAndValidate(model: ServiceModel, operation: string, value: unknown, base: Record<string, unknown>, options: JsonParseOptions): ParseResult {
  const op = model.operations[operation];
  let input: Record<string, unknown> = { ...base };
  if (op.input) {
    try {
      const decoded = decodeJsonValue(model, op.input, value, '');
      input = { ...(decoded as Record<string, unknown> | undefined), ...base };
    } catch (e) {
      if (e instanceof JsonDecodeFailure) return { ok: false, error: e.error };
      throw e;
    }
  }
  if (!options.skipValidation) {
    const issues = validateInput(model, op.input, input);
    if (issues.length > 0) return { ok: false, error: validationError(model, issues, options) };
  }
  return { ok: true, operation: op.name, input };
}

/**
 * The operation and decoded input of an AWS JSON 1.1 request: `target` is the X-Amz-Target
 * header, `body` the request body. Unknown target → UnknownOperationException; a body that is
 * not a JSON object → SerializationException; constraint violations → the service's
 * validation error. Never throws on user input.
 */
export function parseJsonRequest(model: ServiceModel, target: string | undefined, body: string, options: JsonParseOptions = {}): ParseResult {
  const prefix = `${model.metadata.targetPrefix ?? ''}.`;
  const name = target?.startsWith(prefix) ? target.slice(prefix.length) : undefined;
  if (name === undefined || !Object.prototype.hasOwnProperty.call(model.operations, name)) {
    return { ok: false, error: new AwsError('UnknownOperationException', '') };
  }
  const parsed = parseJsonBody(body);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { ok: false, error: new AwsError('SerializationException', '') };
  }
  return decodeAndValidate(model, name, parsed.value, {}, options);
}

/** The JSON body of a successful response of `operation` (`{}` when there is no output). */
export function serializeJsonResponse(model: ServiceModel, operation: string, output: Record<string, unknown> | undefined): string {
  const op = model.operations[operation];
  if (!op?.output) return '{}';
  return JSON.stringify(encodeJsonValue(model, op.output, output ?? {}) ?? {});
}

/** What a JSON error carries. */
export interface JsonErrorInput {
  code: string;
  message: string;
  fields?: Readonly<Record<string, unknown>>;
}

/**
 * The JSON body of an error: `{"__type": code, "message": …, …fields}`. With the model, the
 * message key and extra fields follow the exception shape (Organizations says `Message`).
 * Frontend errors (UnknownOperationException, SerializationException) carry AWS's
 * `com.amazon.coral.service#` namespace, and no message when there is none.
 */
export function serializeJsonError(error: JsonErrorInput, model?: ServiceModel): string {
  const type = FRONTEND_ERRORS.has(error.code) ? `com.amazon.coral.service#${error.code}` : error.code;
  const info = model ? errorInfo(model, error.code) ?? errorInfoByCode(model, error.code) : undefined;
  const shape = info && model ? model.shapes[info.shapeName] : undefined;
  const members = shape?.members ?? {};
  const messageKey = 'Message' in members && !('message' in members) ? 'Message' : 'message';
  const body: Record<string, unknown> = { __type: type };
  if (error.message !== '') body[messageKey] = error.message;
  for (const [k, v] of Object.entries(error.fields ?? {})) {
    const ref = members[k];
    body[ref?.locationName ?? k] = ref && model ? encodeJsonValue(model, ref, v) : v;
  }
  return JSON.stringify(body);
}
