// REST-JSON protocol (IAM Access Analyzer): members bound to the URI (`location: uri`), the
// query string (`querystring`), headers (`header`, prefixed `headers`), the status code, an
// explicit payload member, or else the JSON body. Defaults (Smithy restJson1): timestamps in
// labels and query ISO 8601, in headers HTTP-date, in the body epoch seconds; header lists
// comma-separated; a `jsonvalue` header is base64 of JSON text. Errors carry
// `x-amzn-ErrorType: <Code>` and a JSON body with the message.
import { AwsError, errorInfo, errorInfoByCode } from './errors.js';
import { decodeAndValidate, parseJsonBody, type JsonErrorInput, type JsonParseOptions } from './json-protocol.js';
import { encodeJsonValue } from './json-shapes.js';
import { resolveShape, timestampFormatOf, type ServiceModel, type Shape, type ShapeRef, type TimestampFormat } from './model.js';
import type { ParseResult } from './query-input.js';
import { matchRestOperation } from './rest-route.js';
import { decodeBase64, encodeBase64, formatTimestamp, parseTimestamp, toDate } from './scalars.js';

export type HeaderValue = string | string[] | undefined;

/** The parts of an HTTP request the server hands in. */
export interface RestRequest {
  method: string;
  /** Raw path, still percent-encoded; a query string after `?` is ignored (pass `query`). */
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, HeaderValue>;
  body?: string | Uint8Array;
}

/** A response for the server to send as is. */
export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

class TextDecodeFailure {
  constructor(readonly error: AwsError) {}
}

function bad(where: string, raw: string): TextDecodeFailure {
  return new TextDecodeFailure(new AwsError('SerializationException', `cannot parse \`${raw}\` for ${where}`));
}

/** A scalar from URI, query or header text. */
function decodeText(model: ServiceModel, ref: ShapeRef, raw: string, tsDefault: TimestampFormat, where: string): unknown {
  const shape = resolveShape(model, ref);
  switch (shape.type) {
    case 'string':
      if (ref.jsonvalue && where.startsWith('header')) {
        const bytes = decodeBase64(raw);
        if (!bytes) throw bad(where, raw);
        return Buffer.from(bytes).toString('utf8');
      }
      return raw;
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw bad(where, raw);
    case 'integer': case 'long': case 'short': case 'byte': case 'biginteger':
      if (!/^-?[0-9]+$/.test(raw)) throw bad(where, raw);
      return Number(raw);
    case 'float': case 'double': case 'bigdecimal': {
      if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return Number(raw);
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw bad(where, raw);
      return n;
    }
    case 'timestamp': {
      const d = parseTimestamp(raw, timestampFormatOf(ref, shape, tsDefault));
      if (!d) throw bad(where, raw);
      return d;
    }
    case 'blob': {
      const bytes = decodeBase64(raw);
      if (!bytes) throw bad(where, raw);
      return bytes;
    }
    default:
      throw bad(where, raw);
  }
}

/** Items of a comma-separated header list; double-quoted items may contain commas. */
export function splitHeaderList(raw: string, httpDates = false): string[] {
  const items: string[] = [];
  let i = 0;
  while (i <= raw.length) {
    while (raw[i] === ' ' || raw[i] === '\t') i++;
    if (raw[i] === '"') {
      let value = '';
      i++;
      while (i < raw.length && raw[i] !== '"') {
        if (raw[i] === '\\' && i + 1 < raw.length) i++;
        value += raw[i++];
      }
      i++;
      while (i < raw.length && raw[i] !== ',') i++;
      items.push(value);
      i++;
    } else {
      const end = raw.indexOf(',', i);
      const stop = end < 0 ? raw.length : end;
      items.push(raw.slice(i, stop).trim());
      i = stop + 1;
    }
  }
  if (!httpDates) return items;
  // HTTP-dates contain a comma after the weekday: rejoin `Mon` with what follows.
  const dates: string[] = [];
  for (let k = 0; k < items.length; k++) {
    if (/^[A-Za-z]{3}$/.test(items[k]) && k + 1 < items.length) dates.push(`${items[k]}, ${items[++k]}`);
    else dates.push(items[k]);
  }
  return dates;
}

function headerLookup(headers: Record<string, HeaderValue>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out.set(k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v);
  }
  return out;
}

function bodyText(body: string | Uint8Array | undefined): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
}

/** Members bound outside the body, decoded; throws TextDecodeFailure. */
function bindHttpMembers(model: ServiceModel, shape: Shape, labels: Record<string, string>, query: URLSearchParams, constantKeys: string[], headers: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A query map (httpQueryParams) holds every parameter but those fixed by the URI template,
  // also those a named member binds (as Smithy's protocol tests expect).
  const claimed = new Set(constantKeys);
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const wire = ref.locationName ?? name;
    const memberShape = resolveShape(model, ref);
    if (ref.location === 'uri') {
      if (labels[wire] !== undefined) out[name] = decodeText(model, ref, labels[wire], 'iso8601', `label ${wire}`);
    } else if (ref.location === 'querystring') {
      if (memberShape.type === 'list') {
        const all = query.getAll(wire);
        if (all.length > 0) out[name] = all.map((v) => decodeText(model, memberShape.member as ShapeRef, v, 'iso8601', `query ${wire}`));
      } else if (memberShape.type === 'map') {
        const valueShape = resolveShape(model, memberShape.value as ShapeRef);
        const map: Record<string, unknown> = {};
        for (const key of new Set(query.keys())) {
          if (claimed.has(key)) continue;
          const values = query.getAll(key);
          const v = valueShape.type === 'list' ? values : values[0];
          Object.defineProperty(map, key, { value: v, enumerable: true, writable: true, configurable: true });
        }
        if (Object.keys(map).length > 0) out[name] = map;
      } else {
        const v = query.get(wire);
        if (v !== null) out[name] = decodeText(model, ref, v, 'iso8601', `query ${wire}`);
      }
    } else if (ref.location === 'header') {
      const v = headers.get(wire.toLowerCase());
      if (v === undefined) continue;
      if (memberShape.type === 'list') {
        const itemRef = memberShape.member as ShapeRef;
        const itemShape = resolveShape(model, itemRef);
        const dates = itemShape.type === 'timestamp' && timestampFormatOf(itemRef, itemShape, 'rfc822') === 'rfc822';
        out[name] = v === '' ? [] : splitHeaderList(v, dates).map((item) => decodeText(model, itemRef, item, 'rfc822', `header ${wire}`));
      } else {
        out[name] = decodeText(model, ref, v, 'rfc822', `header ${wire}`);
      }
    } else if (ref.location === 'headers') {
      const prefix = wire.toLowerCase();
      const map: Record<string, unknown> = {};
      for (const [k, v] of headers) {
        if (k.startsWith(prefix)) Object.defineProperty(map, k.slice(prefix.length), { value: v, enumerable: true, writable: true, configurable: true });
      }
      out[name] = map;
    }
  }
  return out;
}

/**
 * The operation and decoded input of a REST-JSON request. No matching operation →
 * UnknownOperationException (404); a body that is not JSON → SerializationException;
 * constraint violations → the service's validation error. Never throws on user input.
 */
export function parseRestJsonRequest(model: ServiceModel, request: RestRequest, options: JsonParseOptions = {}): ParseResult {
  const query = request.query ?? new URLSearchParams(request.path.includes('?') ? request.path.slice(request.path.indexOf('?') + 1) : '');
  const match = matchRestOperation(model, request.method, request.path, query);
  if (!match) return { ok: false, error: new AwsError('UnknownOperationException', '', { status: 404 }) };
  const op = model.operations[match.operation];
  if (!op.input) return decodeAndValidate(model, op.name, {}, {}, options);
  const shape = resolveShape(model, op.input);
  let bound: Record<string, unknown>;
  try {
    bound = bindHttpMembers(model, shape, match.labels, query, match.constantQueryKeys, headerLookup(request.headers ?? {}));
  } catch (e) {
    if (e instanceof TextDecodeFailure) return { ok: false, error: e.error };
    throw e;
  }
  const payloadName = shape.payload;
  if (payloadName && shape.members?.[payloadName]) {
    const payloadRef = shape.members[payloadName];
    const payloadShape = resolveShape(model, payloadRef);
    if (payloadShape.type === 'blob' || (payloadShape.type === 'string' && !payloadShape.document)) {
      const raw = request.body;
      if (raw !== undefined && (typeof raw !== 'string' || raw !== '')) {
        bound[payloadName] = payloadShape.type === 'blob'
          ? (typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'utf8')) : raw)
          : bodyText(raw);
      }
      return decodeAndValidate(model, op.name, {}, bound, options);
    }
    const parsed = parseJsonBody(bodyText(request.body));
    if (!parsed.ok) return { ok: false, error: new AwsError('SerializationException', '') };
    // Clients send `{}` for an unset structure payload.
    const empty = parsed.value !== null && typeof parsed.value === 'object' && !Array.isArray(parsed.value) && Object.keys(parsed.value).length === 0;
    if (bodyText(request.body).trim() === '' || (empty && payloadShape.type === 'structure')) return decodeAndValidate(model, op.name, {}, bound, options);
    return decodeAndValidate(model, op.name, { [payloadRef.locationName ?? payloadName]: parsed.value }, bound, options);
  }
  const parsed = parseJsonBody(bodyText(request.body));
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { ok: false, error: new AwsError('SerializationException', '') };
  }
  return decodeAndValidate(model, op.name, parsed.value, bound, options);
}

function headerText(model: ServiceModel, ref: ShapeRef, value: unknown): string | undefined {
  const shape = resolveShape(model, ref);
  switch (shape.type) {
    case 'timestamp': {
      const d = toDate(value);
      return d ? String(formatTimestamp(d, timestampFormatOf(ref, shape, 'rfc822'))) : undefined;
    }
    case 'blob':
      return encodeBase64(value);
    case 'list':
      if (!Array.isArray(value)) return undefined;
      return value.map((v) => {
        const t = headerText(model, shape.member as ShapeRef, v) ?? '';
        return /[",]/.test(t) && resolveShape(model, shape.member as ShapeRef).type !== 'timestamp' ? `"${t.replace(/["\\]/g, '\\$&')}"` : t;
      }).join(', ');
    case 'string':
      return ref.jsonvalue ? encodeBase64(String(value)) : String(value);
    default:
      return typeof value === 'object' ? undefined : String(value);
  }
}

/** Status, headers and JSON body of a successful REST-JSON response of `operation`. */
export function serializeRestJsonResponse(model: ServiceModel, operation: string, output: Record<string, unknown> | undefined): RestResponse {
  const op = model.operations[operation];
  const response: RestResponse = { status: op?.http?.responseCode ?? 200, headers: {}, body: '' };
  if (!op?.output) return response;
  const shape = resolveShape(model, op.output);
  const value = output ?? {};
  let hasBodyMembers = false;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (!ref.location) {
      if (name !== shape.payload) hasBodyMembers = true;
      continue;
    }
    if (v === undefined || v === null) continue;
    if (ref.location === 'statusCode' && typeof v === 'number') response.status = v;
    else if (ref.location === 'header') {
      const text = headerText(model, ref, v);
      if (text !== undefined) response.headers[ref.locationName ?? name] = text;
    } else if (ref.location === 'headers' && typeof v === 'object') {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) response.headers[`${ref.locationName ?? ''}${k}`] = String(item);
    }
  }
  if (shape.payload && shape.members?.[shape.payload]) {
    const ref = shape.members[shape.payload];
    const payloadShape = resolveShape(model, ref);
    const v = value[shape.payload];
    if (v === undefined || v === null) return response;
    if (payloadShape.type === 'blob') {
      response.body = typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8');
      response.headers['Content-Type'] = 'application/octet-stream';
    } else if (payloadShape.type === 'string' && !payloadShape.document) {
      response.body = String(v);
      response.headers['Content-Type'] = 'text/plain';
    } else {
      response.body = JSON.stringify(encodeJsonValue(model, ref, v) ?? {});
      response.headers['Content-Type'] = 'application/json';
    }
    return response;
  }
  if (hasBodyMembers) {
    response.body = JSON.stringify(encodeJsonValue(model, op.output, value) ?? {});
    response.headers['Content-Type'] = 'application/json';
  }
  return response;
}

/**
 * Status, headers (`x-amzn-ErrorType: <Code>`) and JSON body (`message` plus the error
 * shape's other members) of a REST-JSON error.
 */
export function serializeRestJsonError(error: JsonErrorInput & { status?: number }, model?: ServiceModel): RestResponse {
  const info = model ? errorInfo(model, error.code) ?? errorInfoByCode(model, error.code) : undefined;
  const shape = info && model ? model.shapes[info.shapeName] : undefined;
  const members = shape?.members ?? {};
  const messageKey = 'Message' in members && !('message' in members) ? 'Message' : 'message';
  const body: Record<string, unknown> = { [messageKey]: error.message };
  const headers: Record<string, string> = { 'x-amzn-ErrorType': error.code, 'Content-Type': 'application/json' };
  for (const [k, v] of Object.entries(error.fields ?? {})) {
    const ref = members[k];
    if (ref?.location === 'header') {
      const text = model ? headerText(model, ref, v) : undefined;
      if (text !== undefined) headers[ref.locationName ?? k] = text;
    } else {
      body[ref?.locationName ?? k] = ref && model ? encodeJsonValue(model, ref, v) : v;
    }
  }
  return { status: error.status ?? info?.status ?? 400, headers, body: JSON.stringify(body) };
}
