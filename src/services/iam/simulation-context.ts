// The simulator's ContextEntries: typed values, checked as IAM checks them, made into the
// request context of a simulation.
import type { ContextValue } from '../../policy/index.js';
import { parseDate } from '../../policy/conditions/date.js';
import { parseDecimal } from '../../policy/conditions/numeric.js';
import { isIpAddress, parseCidr } from '../../policy/conditions/ip-address.js';
import { isBase64 } from '../../policy/conditions/binary.js';
import { invalidInput } from './common.js';

const CONTEXT_TYPES = new Set(['string', 'numeric', 'boolean', 'date', 'ip', 'binary']);

function checkContextValue(type: string, value: string, name: string): void {
  const bad = (what: string): never => { throw invalidInput(`Invalid value ${value} for context key ${name}: expected ${what}.`); };
  switch (type) {
    case 'numeric': if (Number.isNaN(parseDecimal(value))) bad('a number'); break;
    case 'boolean': if (value.toLowerCase() !== 'true' && value.toLowerCase() !== 'false') bad('true or false'); break;
    case 'date': if (Number.isNaN(parseDate(value))) bad('a date (ISO 8601 or epoch seconds)'); break;
    case 'ip': if (!isIpAddress(value) && parseCidr(value) === undefined) bad('an IP address or CIDR range'); break;
    case 'binary': if (!isBase64(value)) bad('base64-encoded binary'); break;
    default: break;
  }
}

/** ContextEntries → the request context (keys as written). InvalidInput for malformed entries. */
export function contextFromEntries(entries: unknown): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw invalidInput('ContextEntries must be a list.');
  for (const e of entries as Record<string, unknown>[]) {
    const name = typeof e?.ContextKeyName === 'string' ? e.ContextKeyName : undefined;
    const type = typeof e?.ContextKeyType === 'string' ? e.ContextKeyType : undefined;
    const values = Array.isArray(e?.ContextKeyValues) ? (e.ContextKeyValues as unknown[]).map(String) : undefined;
    if (!name) throw invalidInput('ContextKeyName is required in every context entry.');
    if (!type) throw invalidInput(`ContextKeyType is required for context key ${name}.`);
    if (!values || values.length === 0) throw invalidInput(`ContextKeyValues is required for context key ${name}.`);
    const list = type.endsWith('List');
    const base = list ? type.slice(0, -4) : type;
    if (!CONTEXT_TYPES.has(base)) throw invalidInput(`Invalid ContextKeyType ${type} for context key ${name}.`);
    if (!list && values.length > 1) {
      throw invalidInput(`Context key ${name} of type ${type} takes a single value; use ${type}List for several.`);
    }
    for (const v of values) checkContextValue(base, v, name);
    const norm = base === 'boolean' ? values.map((v) => v.toLowerCase()) : values;
    out[name] = list ? norm : norm[0];
  }
  return out;
}
