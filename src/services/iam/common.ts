// What every IAM operation shares: the model, AWS's errors, pagination, names and paths, tags,
// and policy-document validation with AWS's MalformedPolicyDocument messages and size limits.
import { loadServiceModel, modelError, type AwsError } from '../../protocol/index.js';
import { parsePolicy, compilePolicy, type ContextValue, type PolicyType } from '../../policy/index.js';
import type { CallContext } from '../types.js';
import type { Entity, ReadTx } from '../../store/index.js';
import type { Tag } from './entities.js';

export const IAM = loadServiceModel('iam');

export function iamError(code: string, message: string): AwsError {
  return modelError(IAM, code, message);
}

export const noSuchEntity = (message: string) => iamError('NoSuchEntity', message);
export const entityAlreadyExists = (message: string) => iamError('EntityAlreadyExists', message);
export const limitExceeded = (message: string) => iamError('LimitExceeded', message);
export const deleteConflict = (message: string) => iamError('DeleteConflict', message);
export const invalidInput = (message: string) => iamError('InvalidInput', message);
export const malformedPolicy = (message: string) => iamError('MalformedPolicyDocument', message);

// ---------------------------------------------------------------------------
// Pagination: Marker / MaxItems / IsTruncated. Markers are opaque to clients; ours encode the
// last key returned. MaxItems defaults to 100 (IAM's documented default) and is 1–1000 (the
// model validates the range).

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

export function encodeMarker(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeMarker(marker: unknown): string | undefined {
  if (marker === undefined || marker === null || marker === '') return undefined;
  if (typeof marker !== 'string') throw invalidInput('Invalid Marker.');
  const key = Buffer.from(marker, 'base64url').toString('utf8');
  if (encodeMarker(key) !== marker) throw invalidInput('Invalid Marker.');
  return key;
}

/** Pages an already-sorted list of items by their keys. */
export function paginate<T>(items: readonly T[], keyOf: (t: T) => string, input: Record<string, unknown>): Page<T> {
  const after = decodeMarker(input.Marker);
  const max = typeof input.MaxItems === 'number' ? input.MaxItems : 100;
  let start = 0;
  if (after !== undefined) {
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const truncated = start + max < items.length;
  const out: Page<T> = { items: page, IsTruncated: truncated };
  if (truncated && page.length > 0) out.Marker = encodeMarker(keyOf(page[page.length - 1]));
  return out;
}

/** Lists every entity of a kind in an account (optionally under a parent), sorted by key. */
export async function listAll<D>(tx: ReadTx, kind: string, account: string, parent?: string): Promise<Entity<D>[]> {
  const out: Entity<D>[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await tx.list<D>(kind, account, { parent, after, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1].key;
  }
}

// ---------------------------------------------------------------------------
// Paths: `/` or `/…/`, filtered by PathPrefix in List* operations.

export function pathOf(input: Record<string, unknown>): string {
  const p = input.Path;
  return typeof p === 'string' && p !== '' ? p : '/';
}

export function matchesPathPrefix(path: string, input: Record<string, unknown>): boolean {
  const prefix = input.PathPrefix;
  return typeof prefix !== 'string' || prefix === '' || path.startsWith(prefix);
}

// ---------------------------------------------------------------------------
// Tags. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// 50 tags per entity; keys are unique case-insensitively.

export const MAX_TAGS = 50;

export function tagsOf(input: Record<string, unknown>): Tag[] {
  const t = input.Tags;
  if (!Array.isArray(t)) return [];
  return t.map((x) => ({ Key: String((x as Tag).Key), Value: String((x as Tag).Value ?? '') }));
}

/** Merges new tags into existing ones (same key, case-insensitively, is replaced). */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const t of added) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  const out = existing.filter((t) => !seen.has(t.Key.toLowerCase()));
  out.push(...added);
  if (out.length > MAX_TAGS) throw limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  return out;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/** The condition keys of a request that sets tags: aws:RequestTag/k and aws:TagKeys. */
export function requestTagKeys(tags: readonly Tag[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (tags.length === 0) return out;
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value;
  out['aws:TagKeys'] = tags.map((t) => t.Key);
  return out;
}

/**
 * Authorizes creating the entity at `arn` with the request's tags (and `extra` keys) and, when the
 * request has tags, the family's Tag… action on it as well, as AWS does for Create… with Tags.
 */
export function authorizeCreate(
  ctx: Pick<CallContext, 'authorize'>, action: string, tagAction: string, arn: string, tags: readonly Tag[],
  extra: Record<string, ContextValue | undefined> = {},
): void {
  ctx.authorize(action, arn, { ...requestTagKeys(tags), ...extra });
  if (tags.length > 0) ctx.authorize(tagAction, arn, requestTagKeys(tags));
}

/** `iam:ResourceTag/k` (and `aws:ResourceTag/k`) keys of an entity with tags. */
export function resourceTagKeys(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    out[`iam:ResourceTag/${t.Key}`] = t.Value;
    out[`aws:ResourceTag/${t.Key}`] = t.Value;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Policy documents. IAM limits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
// counted without whitespace: managed policy 6,144; role trust policy 2,048; inline policies:
// user 2,048, group 5,120, role 10,240 (aggregate per entity).

export const POLICY_LIMITS = {
  managed: 6144,
  trust: 2048,
  userInline: 2048,
  groupInline: 5120,
  roleInline: 10240,
} as const;

/** Size of a policy document as IAM counts it: characters other than whitespace. */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) n++;
  }
  return n;
}

// AWS's MalformedPolicyDocument messages for the grammar problems the parser reports.
const MALFORMED_MESSAGE: Record<string, string> = {
  invalid_json: 'Syntax errors in policy.',
  not_an_object: 'Syntax errors in policy.',
  invalid_version: 'The policy must contain a valid version string',
  missing_statement: 'Syntax errors in policy.',
  empty_statement: 'Syntax errors in policy.',
  duplicate_sid: 'Statement IDs (SID) in a single policy must be unique.',
  invalid_sid: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  missing_effect: 'Missing required field Effect',
  invalid_effect: 'Invalid effect',
  missing_action: 'Policy statement must contain actions.',
  invalid_action: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  missing_resource: 'Policy statement must contain resources.',
  invalid_resource: 'Resource must be in ARN format or "*".',
  principal_not_allowed: 'Policy document should not specify a principal.',
  missing_principal: 'Missing required field Principal',
  not_principal_not_allowed: 'Has prohibited field NotPrincipal',
  resource_not_allowed: 'Has prohibited field Resource',
  invalid_principal: 'Invalid principal in policy',
  unknown_condition_operator: 'Syntax errors in policy.',
  invalid_condition_value: 'Syntax errors in policy.',
  unknown_element: 'Syntax errors in policy.',
};

/**
 * Validates a policy document for IAM: grammar for its type, then the size limit. Throws
 * MalformedPolicyDocument (or LimitExceeded for size) with AWS's wording.
 */
export function checkPolicyDocument(text: string, type: PolicyType, limit: number, limitName = 'policy'): void {
  const parsed = parsePolicy(text, { type });
  if (!parsed.ok) {
    const first = parsed.issues[0];
    const aws = MALFORMED_MESSAGE[first.code];
    // Resource that is not an ARN: AWS names the offending value.
    if (first.code === 'invalid_resource') {
      throw malformedPolicy(`Resource ${valueAt(text, first.path) ?? ''} must be in ARN format or "*".`.replace('  ', ' '));
    }
    throw malformedPolicy(aws ?? 'Syntax errors in policy.');
  }
  const compiled = compilePolicy(parsed.policy, { id: 'check', type });
  if (compiled.issues.length > 0) throw malformedPolicy('Syntax errors in policy.');
  const size = policySize(text);
  if (size > limit) {
    throw limitExceeded(`Cannot exceed quota for ${limitName}Size: ${limit}`);
  }
}

function valueAt(text: string, path: (string | number)[]): string | undefined {
  try {
    let v: unknown = JSON.parse(text);
    for (const p of path) v = (v as Record<string | number, unknown>)[p];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Policy documents in responses are URL-encoded, as IAM returns them (RFC 3986). */
export function encodePolicyDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** A string member of the input (the model has validated presence and shape). */
export function str(input: Record<string, unknown>, name: string): string {
  const v = input[name];
  return typeof v === 'string' ? v : '';
}

/** A list member of the input as strings (none, or not a list: empty). */
export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** An optional string member of the input. */
export function optStr(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  return typeof v === 'string' ? v : undefined;
}
