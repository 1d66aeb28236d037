// JSON values <-> model shapes, shared by AWS JSON 1.1 and REST-JSON bodies.
// Wire rules (botocore's JSON serializer/parser, Smithy awsJson1_1 and restJson1): members keyed
// by locationName or model name; timestamps epoch seconds unless the member says otherwise; blobs
// base64; NaN and ±Infinity as strings; null members mean absent.
import { AwsError } from './errors.js';
import { resolveShape, timestampFormatOf, type ServiceModel, type ShapeRef } from './model.js';
import { decodeBase64, encodeBase64, formatTimestamp, parseTimestamp, toDate } from './scalars.js';

/** Thrown inside decoding for a value of the wrong JSON type; callers turn it into a result. */
export class JsonDecodeFailure {
  constructor(readonly error: AwsError) {}
}

function typeMismatch(path: string, expected: string, value: unknown): JsonDecodeFailure {
  const found = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new JsonDecodeFailure(new AwsError('SerializationException', `expected ${expected} for \`${path || 'body'}\`, found ${found}`));
}

const MAX_DEPTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON value decoded per `ref` (Dates for timestamps, Uint8Array for blobs); throws JsonDecodeFailure. */
export function decodeJsonValue(model: ServiceModel, ref: ShapeRef, value: unknown, path: string, depth = 0): unknown {
  if (value === null || value === undefined) return undefined;
  if (depth > MAX_DEPTH) throw new JsonDecodeFailure(new AwsError('SerializationException', 'input nested too deep'));
  const shape = resolveShape(model, ref);
  if (shape.document) return value;
  switch (shape.type) {
    case 'structure': {
      if (!isRecord(value)) throw typeMismatch(path, 'an object', value);
      const out: Record<string, unknown> = {};
      for (const [name, memberRef] of Object.entries(shape.members ?? {})) {
        if (memberRef.location) continue; // REST members bound to the URI, query string or headers
        const key = memberRef.locationName ?? name;
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const v = decodeJsonValue(model, memberRef, value[key], path ? `${path}.${key}` : key, depth + 1);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeMismatch(path, 'an array', value);
      return value.map((item, i) => decodeJsonValue(model, shape.member as ShapeRef, item, `${path}[${i}]`, depth + 1) ?? null);
    }
    case 'map': {
      if (!isRecord(value)) throw typeMismatch(path, 'an object', value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const decoded = decodeJsonValue(model, shape.value as ShapeRef, v, `${path}.${k}`, depth + 1);
        Object.defineProperty(out, k, { value: decoded ?? null, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw typeMismatch(path, 'a string', value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeMismatch(path, 'a boolean', value);
      return value;
    case 'integer': case 'long': case 'short': case 'byte': case 'biginteger':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeMismatch(path, 'an integer', value);
      return value;
    case 'float': case 'double': case 'bigdecimal':
      if (value === 'NaN') return NaN;
      if (value === 'Infinity') return Infinity;
      if (value === '-Infinity') return -Infinity;
      if (typeof value !== 'number') throw typeMismatch(path, 'a number', value);
      return value;
    case 'timestamp': {
      if (typeof value !== 'number' && typeof value !== 'string') throw typeMismatch(path, 'a timestamp', value);
      const date = parseTimestamp(value, timestampFormatOf(ref, shape, 'unixTimestamp'));
      if (!date) throw typeMismatch(path, 'a timestamp', value);
      return date;
    }
    case 'blob': {
      if (typeof value !== 'string') throw typeMismatch(path, 'base64 text', value);
      const bytes = decodeBase64(value);
      if (!bytes) throw typeMismatch(path, 'base64 text', value);
      return bytes;
    }
    default:
      return value;
  }
}

/** A value per `ref` as plain JSON data, ready for JSON.stringify. */
export function encodeJsonValue(model: ServiceModel, ref: ShapeRef, value: unknown, depth = 0): unknown {
  if (value === null || value === undefined || depth > MAX_DEPTH) return undefined;
  const shape = resolveShape(model, ref);
  if (shape.document) return value;
  switch (shape.type) {
    case 'structure': {
      if (!isRecord(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [name, memberRef] of Object.entries(shape.members ?? {})) {
        if (memberRef.location) continue;
        const v = encodeJsonValue(model, memberRef, value[name], depth + 1);
        if (v !== undefined) out[memberRef.locationName ?? name] = v;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((item) => encodeJsonValue(model, shape.member as ShapeRef, item, depth + 1) ?? null) : undefined;
    case 'map': {
      if (!isRecord(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, { value: encodeJsonValue(model, shape.value as ShapeRef, v, depth + 1) ?? null, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'timestamp': {
      const date = toDate(value);
      return date ? formatTimestamp(date, timestampFormatOf(ref, shape, 'unixTimestamp')) : undefined;
    }
    case 'blob':
      return encodeBase64(value);
    case 'float': case 'double': case 'bigdecimal':
      if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
      return value;
    default:
      return value;
  }
}
