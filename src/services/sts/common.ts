// What the STS operations share: the model's errors, input helpers, session policy validation,
// the packed-size rule, session tags and duration checks.
import { deflateRawSync } from 'node:zlib';
import { AwsError, loadServiceModel, modelError } from '../../protocol/index.js';
import { checkPolicyDocument } from '../iam/common.js';
import type { Tag } from '../iam/entities.js';

export const STS = loadServiceModel('sts');

export function stsError(code: string, message: string): AwsError {
  return modelError(STS, code, message);
}

/** STS's `ValidationError` (400), the code AWS answers for out-of-range parameters. */
export function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message, { status: 400, type: 'Sender' });
}

export function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, { status: 403, type: 'Sender' });
}

/**
 * GetSessionToken credentials may call only AssumeRole and GetCallerIdentity of STS, and
 * GetFederationToken credentials only GetCallerIdentity (IAM User Guide, "Comparing AWS STS
 * credentials"); AWS answers the others with "Cannot call … with session credentials".
 */
export function refuseLimitedSession(caller: { session?: { type: string } }, operation: string): void {
  const t = caller.session?.type;
  if (t === 'session-token' || t === 'federated-user') throw accessDenied(`Cannot call ${operation} with session credentials`);
}

/** Input members and the request's tags are read as IAM reads them. */
export { optStr, str, tagsOf } from '../iam/common.js';

export function optInt(input: Record<string, unknown>, name: string): number | undefined {
  const v = input[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `PolicyArns` as a list of ARNs (the model's `PolicyDescriptorType` has a lower-case `arn`). */
export function policyArnsOf(input: Record<string, unknown>): string[] {
  const list = input.PolicyArns;
  if (!Array.isArray(list)) return [];
  return list.map((d) => (d && typeof d === 'object' ? String((d as { arn?: unknown }).arn ?? '') : ''));
}

export function stringList(input: Record<string, unknown>, name: string): string[] {
  const v = input[name];
  return Array.isArray(v) ? v.map(String) : [];
}

/** Maximum number of managed session policies (STS API reference, AssumeRole `PolicyArns`). */
export const MAX_POLICY_ARNS = 10;
/** Maximum number of session tags (STS API reference, AssumeRole `Tags`). */
export const MAX_SESSION_TAGS = 50;

const ARN = /^arn:[\w-]+:iam::(\d{12}|aws):policy\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]+$/;

/**
 * Validates the session policy inputs: `PolicyArns` (≤ 10, each a policy ARN) and the inline
 * `Policy` (the grammar of a session policy; MalformedPolicyDocument otherwise).
 */
export function checkSessionPolicies(policy: string | undefined, arns: readonly string[]): void {
  if (arns.length > MAX_POLICY_ARNS) {
    throw validationError(`1 validation error detected: Value '[${arns.map((a) => `PolicyDescriptorType(arn=${a})`).join(', ')}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`);
  }
  for (const a of arns) {
    if (!ARN.test(a)) throw validationError(`Invalid ARN: ${a}`);
  }
  // The inline policy's own size is bounded by the packed-size rule below (AssumeRole's model
  // type is unrestricted); the grammar is a session policy's (no Principal).
  if (policy !== undefined) checkPolicyDocument(policy, 'session', Number.MAX_SAFE_INTEGER);
}

/**
 * The packed size of the session policies and tags, as the percentage AWS reports in
 * `PackedPolicySize`. AWS packs the inline policy, managed policy ARNs and session tags into a
 * binary form whose limit it does not publish ("PackedPolicySize … percentage … of the
 * allowed value"); Warden approximates it with a documented rule: the raw-DEFLATE size of the
 * minified policy, the ARNs and the tags (`key=value`), against a 2,048-byte budget. A
 * 2,048-character policy of typical text packs to well under the budget; 50 tags with long,
 * varied keys and values overflow it, as they do in AWS.
 */
export const PACKED_BUDGET_BYTES = 2048;

export function packedPolicySize(policy: string | undefined, arns: readonly string[], tags: Readonly<Record<string, string>>, transitive: readonly string[]): number {
  let minified = '';
  if (policy !== undefined) {
    try { minified = JSON.stringify(JSON.parse(policy)); } catch { minified = policy; }
  }
  const tagText = Object.keys(tags).map((k) => `${k}=${tags[k]}`).join('\u0000');
  const text = [minified, arns.join(','), tagText, transitive.join(',')].join('\u0001');
  if (text.length <= 3) return 0;
  const bytes = deflateRawSync(Buffer.from(text, 'utf8'), { level: 9 }).length;
  return Math.ceil((bytes * 100) / PACKED_BUDGET_BYTES);
}

/** Throws PackedPolicyTooLarge (AWS's message) when the packed size exceeds 100%. */
export function checkPackedSize(percent: number): void {
  if (percent > 100) {
    throw stsError('PackedPolicyTooLargeException', `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  }
}

/** Session tags as a map; duplicate keys (case-insensitively) are refused, as AWS does. */
export function sessionTagMap(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw validationError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
    out[t.Key] = t.Value;
  }
  return out;
}

/** `aws:RequestTag/…`, `aws:TagKeys` and `sts:TransitiveTagKeys` for sts:TagSession. */
export function tagSessionKeys(tags: Readonly<Record<string, string>>, transitive: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const keys = Object.keys(tags);
  for (const k of keys) out[`aws:RequestTag/${k}`] = tags[k];
  if (keys.length > 0) out['aws:TagKeys'] = keys;
  if (transitive.length > 0) out['sts:TransitiveTagKeys'] = [...transitive];
  return out;
}
