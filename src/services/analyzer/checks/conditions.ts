// Checks of the Condition block: operators, qualifiers, keys (global and per service, from the
// catalog), operator/key type compatibility, values against the operator's type, and the
// suggestions about empty, redundant and wildcard values.
import type { JsonNode } from '../json-locations.js';
import { globalConditionKey, serviceConditionKey, serviceExists } from '../catalog.js';
import { at, type At, type CheckContext, type Located, type Statement } from './common.js';
import { REGION } from './resources.js';
import { checkVariables } from './variables.js';

type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
const OPERATORS: Record<string, Family> = {
  stringequals: 'String', stringnotequals: 'String', stringequalsignorecase: 'String', stringnotequalsignorecase: 'String', stringlike: 'String', stringnotlike: 'String',
  numericequals: 'Numeric', numericnotequals: 'Numeric', numericlessthan: 'Numeric', numericlessthanequals: 'Numeric', numericgreaterthan: 'Numeric', numericgreaterthanequals: 'Numeric',
  dateequals: 'Date', datenotequals: 'Date', datelessthan: 'Date', datelessthanequals: 'Date', dategreaterthan: 'Date', dategreaterthanequals: 'Date',
  bool: 'Bool', binaryequals: 'Binary', ipaddress: 'Ip', notipaddress: 'Ip',
  arnequals: 'Arn', arnlike: 'Arn', arnnotequals: 'Arn', arnnotlike: 'Arn', null: 'Null',
};

/** Operator families a catalog key type may be compared with. */
function familiesFor(type: string): Family[] | undefined {
  const t = type.replace(/^ArrayOf/, '').toLowerCase();
  switch (t) {
    case 'string': return ['String'];
    case 'arn': return ['Arn', 'String'];
    case 'numeric': case 'long': case 'integer': return ['Numeric'];
    case 'date': return ['Date'];
    case 'bool': case 'boolean': return ['Bool'];
    case 'ipaddress': return ['Ip'];
    case 'binary': return ['Binary'];
    default: return undefined;
  }
}

const FAMILY_NAME: Record<Family, string> = { String: 'String', Numeric: 'Numeric', Date: 'Date', Bool: 'Bool', Binary: 'Binary', Ip: 'IpAddress', Arn: 'Arn', Null: 'Null' };

export function checkConditions(ctx: CheckContext, s: Statement): void {
  const c = s.el.get('Condition');
  if (!c || c.value.kind !== 'object') return;
  const base = [...s.path, 'Condition'];
  for (const opEntry of c.value.entries) {
    const opName = opEntry.key;
    const opPath = [...base, opName];
    const opAt: At = { path: opPath, start: opEntry.keyStart, end: opEntry.keyEnd };
    let rest = opName;
    let qualifier: 'ForAllValues' | 'ForAnyValue' | undefined;
    const q = /^(ForAllValues|ForAnyValue):/i.exec(rest);
    if (q) { qualifier = q[1].toLowerCase() === 'forallvalues' ? 'ForAllValues' : 'ForAnyValue'; rest = rest.slice(q[0].length); }
    let ifExists = false;
    if (/IfExists$/i.test(rest)) { ifExists = true; rest = rest.slice(0, -'IfExists'.length); }
    const family = Object.hasOwn(OPERATORS, rest.toLowerCase()) ? OPERATORS[rest.toLowerCase()] : undefined;
    if (!family) {
      ctx.report('INVALID_CONDITION_OPERATOR', `The condition operator ${opName} is not valid. Use a valid condition operator.`, opAt);
      continue;
    }
    if (family === 'Null' && ifExists) ctx.report('NULL_WITH_IF_EXISTS', 'The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.', opAt);
    if (family === 'Null' && qualifier) ctx.report('NULL_WITH_QUALIFIER', 'Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.', opAt);
    if (opEntry.value.kind !== 'object') {
      ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type Object.', at(opPath, opEntry.value));
      continue;
    }
    // Keys that differ only in case inside one operator block.
    const byLower = new Map<string, typeof opEntry.value.entries>();
    for (const k of opEntry.value.entries) {
      const l = k.key.toLowerCase();
      byLower.set(l, [...(byLower.get(l) ?? []), k]);
    }
    for (const list of byLower.values()) {
      if (list.length > 1 && new Set(list.map((k) => k.key)).size > 1) {
        ctx.report('DUPLICATE_KEYS_WITH_DIFFERENT_CASE', 'The condition key appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.',
          ...list.map((k) => ({ path: [...opPath, k.key], start: k.keyStart, end: k.keyEnd })));
      }
    }
    for (const k of opEntry.value.entries) {
      checkKey(ctx, s, { opName, family, qualifier, ifExists }, k.key, { path: [...opPath, k.key], start: k.keyStart, end: k.keyEnd }, [...opPath, k.key], k.value);
    }
  }
}

interface Op { opName: string; family: Family; qualifier?: 'ForAllValues' | 'ForAnyValue'; ifExists: boolean }

function checkKey(ctx: CheckContext, s: Statement, op: Op, key: string, keyAt: At, valuePath: (string | number)[], value: JsonNode): void {
  // The key.
  let type: string | undefined;
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) {
    ctx.report('INVALID_CONDITION_KEY_FORMAT', 'The condition key format is not valid. Use the format service:keyname.', keyAt);
  } else {
    const service = key.slice(0, colon);
    const global = globalConditionKey(key);
    if (global) type = global.type;
    else if (service.toLowerCase() === 'aws') {
      if (key.toLowerCase() === 'aws:arn') ctx.report('UNSUPPORTED_GLOBAL_CONDITION_KEY', 'The condition key aws:ARN is not supported. Use aws:PrincipalArn or aws:SourceArn instead.', keyAt);
      else ctx.report('INVALID_GLOBAL_CONDITION_KEY', `The condition key ${key} does not exist. Use a valid condition key.`, keyAt);
    } else if (!serviceExists(service)) {
      ctx.report('INVALID_SERVICE', `The service ${service} does not exist. Use a valid service name.`, keyAt);
    } else {
      const sk = serviceConditionKey(key);
      if (!sk) ctx.report('INVALID_SERVICE_CONDITION_KEY', `The condition key ${key} does not exist in the service ${service}. Use a valid condition key.`, keyAt);
      else type = sk.type;
    }
  }
  if (type && op.family !== 'Null') {
    const allowed = familiesFor(type);
    if (allowed && !allowed.includes(op.family)) {
      ctx.report('TYPE_MISMATCH', `Use the operator type ${FAMILY_NAME[allowed[0]]} instead of operator ${op.opName} for the condition key ${key}.`, keyAt);
    }
    if (!op.qualifier && /^ArrayOf/i.test(type)) {
      ctx.report('MISSING_QUALIFIER', `The request context key ${key} has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.`, keyAt);
    }
    if (op.qualifier === 'ForAllValues' && !/^ArrayOf/i.test(type) && s.effect === 'Allow') {
      ctx.report('FORALLVALUES_WITH_SINGLE_VALUED_KEY', `Using ForAllValues qualifier with the single-valued condition key ${key} can be overly permissive. We recommend that you remove ForAllValues:.`, keyAt);
    }
  }

  // The values.
  let values: Located<JsonNode>[];
  if (value.kind === 'array') {
    values = value.items.map((n, k) => ({ value: n, at: at([...valuePath, k], n) }));
    if (values.length === 0) {
      if (op.qualifier === 'ForAllValues') ctx.report('EMPTY_ARRAY_CONDITION_FORALLVALUES', `The ForAllValues prefix with an empty condition key matches only if the key ${key} is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.`, at(valuePath, value));
      else if (op.qualifier === 'ForAnyValue') ctx.report('EMPTY_ARRAY_CONDITION_FORANYVALUE', `The ForAnyValue prefix with an empty condition key ${key} never matches the request context and it does not affect the policy. Specify conditions.`, at(valuePath, value));
      else if (op.ifExists) ctx.report('EMPTY_ARRAY_CONDITION_IFEXISTS', `The IfExists suffix with an empty condition key matches only if the key ${key} is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.`, at(valuePath, value));
      else ctx.report('EMPTY_ARRAY_CONDITION', `There are no values for the condition key ${key} and it does not affect the policy. Specify conditions.`, at(valuePath, value));
      return;
    }
  } else values = [{ value, at: at(valuePath, value) }];
  const bad = values.filter((v) => v.value.kind === 'object' || v.value.kind === 'array' || v.value.kind === 'null');
  for (const b of bad) ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', b.at);
  if (bad.length > 0) return;
  if (new Set(values.map((v) => v.value.kind)).size > 1) {
    ctx.report('INVALID_CONDITION_DATA_TYPE', 'The condition value data types do not match. Use condition values of the same JSON data type.', at(valuePath, value));
    return;
  }
  const scalars = values.map((v) => ({ value: scalarText(v.value), at: v.at, node: v.value }));
  for (const v of scalars) {
    if (!v.value.includes('${')) continue;
    if (op.family === 'String' || op.family === 'Arn') checkVariables(ctx, v);
    else ctx.report('INVALID_VARIABLE_FOR_OPERATOR', 'Policy variables can only be used with String and ARN operators.', v.at);
  }
  const plain = scalars.filter((v) => !v.value.includes('${'));
  switch (op.family) {
    case 'Numeric': {
      const nums: { n: number; v: Located }[] = [];
      for (const v of plain) {
        if (!/^-?\d+(?:\.\d+)?$/.test(v.value.trim())) ctx.report('TYPE_MISMATCH_NUMBER', `Add a valid numeric value for the condition operator ${op.opName}.`, v.at);
        else nums.push({ n: Number(v.value), v });
      }
      const lower = op.opName.toLowerCase();
      if (nums.length > 1 && /(lessthan|greaterthan)/.test(lower)) {
        const greatest = lower.includes('lessthan');
        ctx.report('REDUNDANT_CONDITION_VALUE_NUM', `Multiple values in ${op.opName} are redundant. Replace with the ${greatest ? 'greatest' : 'least'} single value for ${key}.`, at(valuePath, value));
      }
      break;
    }
    case 'Date':
      for (const v of plain) {
        if (v.node.kind === 'number' || /^-?\d+$/.test(v.value)) ctx.report('INVALID_DATE_VALUE', `The date ${v.value} might not resolve as expected. We recommend that you use the YYYY-MM-DD format.`, v.at);
        else if (!/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(v.value) || Number.isNaN(Date.parse(v.value))) {
          ctx.report('TYPE_MISMATCH_DATE', 'The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.', v.at);
        }
      }
      break;
    case 'Bool':
    case 'Null': {
      const seen = new Set<string>();
      for (const v of plain) {
        const l = v.value.toLowerCase();
        if (l !== 'true' && l !== 'false') ctx.report('TYPE_MISMATCH_BOOLEAN', `Add a valid Boolean value (true or false) for the condition operator ${op.opName}.`, v.at);
        else seen.add(l);
      }
      if (op.family === 'Bool' && seen.size > 1) ctx.report('INVALID_CONDITION_MULTIPLE_BOOLEAN', 'The condition key does not support multiple Boolean values. Use a single Boolean value.', at(valuePath, value));
      break;
    }
    case 'Binary':
      for (const v of plain) {
        if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v.value) || v.value === '') ctx.report('TYPE_MISMATCH_STRING', `Add a valid base64-encoded string value for the condition operator ${op.opName}.`, v.at);
      }
      break;
    case 'Ip': ipValues(ctx, op, key, plain, at(valuePath, value)); break;
    case 'String': {
      const lower = op.opName.toLowerCase();
      if (!lower.includes('like')) {
        const wild = plain.find((v) => /[*?]/.test(v.value));
        if (wild) ctx.report('WILDCARD_WITHOUT_LIKE_OPERATOR', 'Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.', wild.at);
      }
      if (key.toLowerCase() === 'aws:requestedregion') {
        for (const v of plain) if (!/[*?]/.test(v.value) && !REGION.test(v.value)) ctx.report('INVALID_REGION', `The Region ${v.value} is not valid. Update the condition value to a suported Region.`, v.at);
      }
      break;
    }
    case 'Arn': break;
  }
}

function scalarText(n: JsonNode): string {
  switch (n.kind) {
    case 'string': return n.value;
    case 'number': return n.raw;
    case 'boolean': return String(n.value);
    default: return '';
  }
}

function parseCidr(s: string): { v4: boolean; bytes: number[]; bits: number } | undefined {
  const [addr, len, ...more] = s.split('/');
  if (more.length) return undefined;
  const m4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  if (m4) {
    const bytes = m4.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    const bits = len === undefined ? 32 : /^\d{1,2}$/.test(len) && Number(len) <= 32 ? Number(len) : NaN;
    return Number.isNaN(bits) ? undefined : { v4: true, bytes, bits };
  }
  if (!/^[0-9a-fA-F:]+$/.test(addr) || !addr.includes(':')) return undefined;
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 255]);
  const bits = len === undefined ? 128 : /^\d{1,3}$/.test(len) && Number(len) <= 128 ? Number(len) : NaN;
  return Number.isNaN(bits) ? undefined : { v4: false, bytes, bits };
}

function isPrivate(c: { v4: boolean; bytes: number[]; bits: number }): boolean {
  const b = c.bytes;
  if (c.v4) {
    return (b[0] === 10 && c.bits >= 8) || (b[0] === 172 && (b[1] & 0xf0) === 16 && c.bits >= 12) || (b[0] === 192 && b[1] === 168 && c.bits >= 16) || (b[0] === 127 && c.bits >= 8);
  }
  return ((b[0] & 0xfe) === 0xfc && c.bits >= 7) || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80 && c.bits >= 10);
}

function ipValues(ctx: CheckContext, op: Op, key: string, values: Located[], all: At): void {
  let priv = 0;
  let ok = 0;
  for (const v of values) {
    const c = parseCidr(v.value.trim());
    if (!c) { ctx.report('TYPE_MISMATCH_IP_RANGE', `The condition operator ${op.opName} is used with an invalid IP range value. Specify the IP range in standard CIDR format.`, v.at); continue; }
    ok++;
    if (isPrivate(c)) priv++;
    const masked = c.bytes.map((byte, i) => {
      const keep = Math.max(0, Math.min(8, c.bits - i * 8));
      return byte & (keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff);
    });
    if (masked.some((m, i) => m !== c.bytes[i])) {
      const fixed = c.v4 ? `${masked.join('.')}/${c.bits}` : `${Array.from({ length: 8 }, (_, g) => ((masked[2 * g] << 8) | masked[2 * g + 1]).toString(16)).join(':')}/${c.bits}`;
      ctx.report('IMPROVE_IP_RANGE', `The non-zero bits in the IP address after the masked bits are ignored. Replace address with ${fixed}.`, v.at);
    }
  }
  if (key.toLowerCase() !== 'aws:sourceip' || priv === 0) return;
  const not = op.opName.toLowerCase().includes('notipaddress');
  if (priv === ok) {
    if (not) ctx.report('PRIVATE_NOT_IP_ADDRESS', 'The values for condition key aws:SourceIp include only private IP addresses and has no effect. aws:SourceIp works only for public IP address ranges. Update the value to include only public IP addresses.', all);
    else ctx.report('PRIVATE_IP_ADDRESS', 'aws:SourceIp works only for public IP address ranges. The values for condition key aws:SourceIp include only private IP addresses and will not have the desired effect. Update the value to include only public IP addresses.', all);
  } else if (not) {
    ctx.report('PRIVATE_NOT_IP_ADDRESS_SUBSET', 'The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses have no effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.', all);
  } else {
    ctx.report('PRIVATE_IP_ADDRESS_SUBSET', 'The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses will not have the desired effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.', all);
  }
}
