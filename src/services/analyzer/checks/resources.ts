// Checks of Resource/NotResource ARNs: prefix, fields, partition, service case, Region, account,
// and the resource part against the service's resource-type ARN formats; redundant resources;
// policy variables in ARNs.
import { globToRegExp, resourceTypesOf, serviceExists } from '../catalog.js';
import { stringsOf, type CheckContext, type Located, type Statement } from './common.js';
import { checkVariables } from './variables.js';

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];
const WILD = /[*?]|\$\{/;
export const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

interface Format { region: string; account: string; resource: RegExp }

const formatCache = new Map<string, Format[]>();
function formatsOf(service: string): Format[] {
  let f = formatCache.get(service);
  if (!f) {
    f = [];
    for (const rt of Object.values(resourceTypesOf(service))) {
      const parts = rt.arn.split(':');
      if (parts.length < 6) continue;
      const resource = parts.slice(5).join(':');
      const src = resource.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
      f.push({ region: parts[3], account: parts[4], resource: new RegExp(`^${src}$`) });
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
  const formats = formatsOf(service);
  if (formats.length === 0) return;
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
    return;
  }
  if (resource === '*' || resource === '') {
    if (resource === '') ctx.report('INVALID_ARN_RESOURCE', 'Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.', r.at);
    return;
  }
  // Wildcards and variables stand for "some text": test a representative string.
  const sample = resource.replace(/\$\{[^}]*\}/g, 'x').replace(/[*?]/g, 'x');
  if (!formats.some((f) => f.resource.test(sample))) {
    ctx.report('INVALID_ARN_RESOURCE', 'Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.', r.at);
  }
}

function redundantResources(ctx: CheckContext, items: Located[]): void {
  const found: Located[] = [];
  items.forEach((x, i) => {
    const covered = items.some((y, j) => {
      if (i === j) return false;
      if (y.value === x.value) return j < i;
      return /[*?]/.test(y.value) && !y.value.includes('${') && globToRegExp(y.value).test(x.value) && !(/[*?]/.test(x.value) && globToRegExp(x.value).test(y.value) && j > i);
    });
    if (covered) found.push(x);
  });
  if (found.length > 0) {
    ctx.report('REDUNDANT_RESOURCE', `The ${found.length} resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)`, ...found.map((f) => f.at));
  }
}
