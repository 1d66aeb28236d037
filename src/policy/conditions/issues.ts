// The issues condition compilers report: data, never exceptions (see STYLE.md, "Errors").
import type { Issue } from './types.js';

/** `invalid_condition_value` for the value at `index` of a clause. */
export function invalidValue(path: (string | number)[], index: number, message: string): Issue {
  return { code: 'invalid_condition_value', path: [...path, index], message };
}

/** Shows a policy value in a message: strings as written, other JSON as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The text of a scalar policy value (numbers and booleans as their JSON text); undefined otherwise. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}
