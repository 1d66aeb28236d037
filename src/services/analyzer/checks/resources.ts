// Checks of Resource/NotResource ARNs: prefix, fields, partition, service case, Region, account,
// and the resource part against the service's resource-type ARN formats; redundant resources;
// policy variables in ARNs.
import { globToRegExp, resourceTypesOf, serviceExists } from '../catalog.js';
import { stringsOf, type CheckContext, type Located, type Statement } from './common.js';
import { checkVariables } from './variables.js';

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];
const WILD = /[*?]|\$\{/;
export const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

interface Format { region: string; account: string; resource: Tok[] }

/** A pattern token: a literal character, any one character, or any string (possibly empty). */
type Tok = string | { any: 'one' | 'star' };

/** A policy ARN part: `*` any string, `?` one character, `${var}` any string. */
function policyTokens(s: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      if (close > 0) { out.push({ any: 'star' }); i = close; continue; }
    }
    out.push(s[i] === '*' ? { any: 'star' } : s[i] === '?' ? { any: 'one' } : s[i]);
  }
  return out;
}

/** A catalog ARN format part: `${Name}` is one or more characters. */
function formatTokens(s: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      if (close > 0) { out.push({ any: 'one' }, { any: 'star' }); i = close; continue; }
    }
    out.push(s[i]);
  }
  return out;
}

/** Whether some string matches both patterns (product of the two automata, breadth first). */
export function intersects(a: Tok[], b: Tok[]): boolean {
  const seen = new Set<number>();
  const w = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const id = i * w + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    const starA = typeof ta === 'object' && ta.any === 'star';
    const starB = typeof tb === 'object' && tb.any === 'star';
    if (starA) stack.push([i + 1, j]);
    if (starB) stack.push([i, j + 1]);
    if (ta === undefined || tb === undefined) continue;
    const same = typeof ta === 'object' || typeof tb === 'object' || ta === tb;
    if (same) stack.push([starA ? i : i + 1, starB ? j : j + 1]);
  }
  return false;
}

const formatCache = new Map<string, Format[]>();
function formatsOf(service: string): Format[] {
  let f = formatCache.get(service);
  if (!f) {
    f = [];
    for (const rt of Object.values(resourceTypesOf(service))) {
      const parts = rt.arn.split(':');
      if (parts.length < 6) continue;
      const resource = parts.slice(5).join(':');
      f.push({ region: parts[3], account: parts[4], resource: formatTokens(resource) });
    }
    formatCache.set(service, f);
  }
  return f;
}

export function checkResources(ctx: CheckContext, s: Statement): void {
  for (const k of ['Resource', 'NotResource'] as const) {
    const e = s.el.get(k);
    if (!e) continue;
    const items = stringsOf([...s.path, k], e.value);
    for (const r of items) {
      checkVariables(ctx, r);
      checkArn(ctx, r);
    }
    redundantResources(ctx, items);
  }
}

function checkArn(ctx: CheckContext, r: Located): void {
  const v = r.value;
  if (v === '*' || /^\$\{[^}]*\}$/.test(v)) return;
  if (!v.startsWith('arn:')) {
    if (/^arn:/i.test(v)) {
      ctx.report('INVALID_ARN_PREFIX', 'Add the required prefix (arn) to the resource ARN.', r.at);
    } else ctx.report('INVALID_ARN_PREFIX', 'Add the required prefix (arn) to the resource ARN.', r.at);
    return;
  }
  const parts = v.split(':');
  if (parts.length < 6) {
    // `arn:aws:s3:::*` style shorthand with a trailing wildcard may stand for the rest.
    if (!(parts.length >= 2 && parts[parts.length - 1].endsWith('*'))) {
      ctx.report('MISSING_ARN_FIELD', 'Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource', r.at);
    }
    return;
  }
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (!WILD.test(partition) && !PARTITIONS.includes(partition)) {
    ctx.report('INVALID_PARTITION', `The resource ARN for the service ${service} does not support the partition ${partition}. Use the supported values: ${PARTITIONS.slice(0, 3).join(', ')}`, r.at);
    return;
  }
  if (WILD.test(service)) return;
  if (service !== service.toLowerCase() && serviceExists(service.toLowerCase())) {
    ctx.report('INVALID_ARN_SERVICE_CASE', 'Update the service name in the resource ARN to use all lowercase letters.', r.at);
    return;
  }
  if (!serviceExists(service)) {
    ctx.report('INVALID_SERVICE', `The service ${service} does not exist. Use a valid service name.`, r.at);
    return;
  }
  if (region !== '' && !WILD.test(region) && !REGION.test(region)) {
    ctx.report('INVALID_ARN_REGION', 'The Region is not valid for this resource. Update the resource ARN to include a supported Region.', r.at);
    return;
  }
  if (account !== '' && !WILD.test(account) && !/^\d{12}$/.test(account) && account !== 'aws') {
    ctx.report('INVALID_ARN_ACCOUNT', 'The resource ARN account ID is not valid. Provide a 12-digit account ID.', r.at);
    return;
  }
  const all = formatsOf(service);
  if (all.length === 0) return;
  if (resource === '') {
    ctx.report('INVALID_ARN_RESOURCE', 'Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.', r.at);
    return;
  }
  // The service's ARN formats whose resource part some resource the policy names fits; they
  // decide whether an account or a Region belongs in the ARN.
  const tokens = policyTokens(resource);
  const formats = all.filter((f) => intersects(tokens, f.resource));
  if (formats.length === 0) {
    ctx.report('INVALID_ARN_RESOURCE', 'Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.', r.at);
    return;
  }
  if (account !== '' && account !== '*' && formats.every((f) => f.account === '')) {
    ctx.report('ARN_ACCOUNT_NOT_ALLOWED', `The service ${service} does not support specifying an account ID in the resource ARN.`, r.at);
    return;
  }
  if (region !== '' && region !== '*' && formats.every((f) => f.region === '')) {
    ctx.report('ARN_REGION_NOT_ALLOWED', `The service ${service} does not support specifying a Region in the resource ARN.`, r.at);
    return;
  }
  if (region === '' && formats.every((f) => f.region !== '')) {
    ctx.report('MISSING_ARN_REGION', `Add a Region to the ${service} resource ARN.`, r.at);
  }
}

function redundantResources(ctx: CheckContext, items: Located[]): void {
  const found: Located[] = [];
  const wild = items.map((y) => (/[*?]/.test(y.value) && !y.value.includes('${') ? globToRegExp(y.value) : undefined));
  items.forEach((x, i) => {
    const covered = items.some((y, j) => {
      if (i === j) return false;
      if (y.value === x.value) return j < i;
      const ry = wild[j];
      if (!ry || !ry.test(x.value)) return false;
      // Two wildcards that cover each other: the later one is the redundant one.
      const rx = wild[i];
      return !(rx && rx.test(y.value) && j > i);
    });
    if (covered) found.push(x);
  });
  if (found.length > 0) {
    ctx.report('REDUNDANT_RESOURCE', `The ${found.length} resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)`, ...found.map((f) => f.at));
  }
}
