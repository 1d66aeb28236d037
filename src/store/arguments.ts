// Checks and encodings of method arguments, shared by both backends. They throw before any SQL
// runs, so a bad argument never aborts a PostgreSQL transaction.

/** `data` as JSON text; it must be a plain JSON object. */
export function encodeDocument(data: unknown, what: string): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError(`${what} must be a JSON object`);
  }
  return JSON.stringify(data);
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
