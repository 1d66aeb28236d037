// Checks and encodings of method arguments, shared by both backends. They throw before any SQL
// runs, so a bad argument never aborts a PostgreSQL transaction.
import type { NewEncodedEvent, NewEvent } from './types.js';

/** `data` as JSON text; it must be a plain JSON object. */
export function encodeDocument(data: unknown, what: string): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError(`${what} must be a JSON object`);
  }
  return JSON.stringify(data);
}

/** An event's data as JSON text: its encoded text as given, or its `data` serialised. */
export function encodeEventData(event: NewEvent | NewEncodedEvent): string {
  if (!('json' in event)) return encodeDocument(event.data, 'event data');
  // Trusted to be JSON.stringify's text (the audit writer's); only its being an object is checked.
  if (typeof event.json !== 'string' || event.json[0] !== '{' || event.json[event.json.length - 1] !== '}') {
    throw new TypeError('event data must be a JSON object');
  }
  return event.json;
}

/** `value` as JSON text; it must be JSON-serialisable. */
export function encodeValue(value: unknown, what: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`${what} must be a JSON value`);
  return json;
}

/** `limit` as a non-negative integer, or `fallback` when absent. */
export function normaliseLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, not \`${limit}\``);
  return limit;
}
