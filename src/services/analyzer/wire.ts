// How Access Analyzer answers, for every operation of the service: its errors (typed by the
// model), authorization through the engine, timestamps, and pages of list outputs.
import { AwsError, loadServiceModel, modelError } from '../../protocol/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext } from '../types.js';

export const AA = loadServiceModel('accessanalyzer');

export function validation(message: string, reason = 'other'): AwsError {
  return modelError(AA, 'ValidationException', message, { reason });
}
export function notFound(resourceType: string, resourceId: string, message: string): AwsError {
  return modelError(AA, 'ResourceNotFoundException', message, { resourceId, resourceType });
}
export function conflict(resourceType: string, resourceId: string, message: string): AwsError {
  return modelError(AA, 'ConflictException', message, { resourceId, resourceType });
}
export function quotaExceeded(resourceType: string, resourceId: string, message: string): AwsError {
  return modelError(AA, 'ServiceQuotaExceededException', message, { resourceId, resourceType });
}
export function accessDenied(message: string): AwsError {
  return modelError(AA, 'AccessDeniedException', message);
}

/** Authorizes through the engine; Access Analyzer answers a denial with AccessDeniedException. */
export function authorize(ctx: CallContext, action: string, resource: string, extra?: Record<string, ContextValue | undefined>): void {
  try {
    ctx.authorize(action, resource, extra);
  } catch (e) {
    if (e instanceof AwsError && e.code === 'AccessDenied') throw accessDenied(e.message);
    throw e;
  }
}

/** AWS's timestamps: ISO 8601 in UTC with milliseconds dropped (IAM's `isoNow`). */
export { isoNow as iso } from '../iam/entities.js';

export function encodeToken(offset: number): string {
  return Buffer.from(`aa1:${offset}`).toString('base64');
}

/** One page of `items` (nextToken / maxResults, as Access Analyzer's list operations take them). */
function page<T>(items: readonly T[], input: Record<string, unknown>, defaultMax = 100): { items: T[]; nextToken?: string } {
  let start = 0;
  if (typeof input.nextToken === 'string' && input.nextToken !== '') {
    const m = /^aa1:(\d{1,9})$/.exec(Buffer.from(input.nextToken, 'base64').toString('utf8'));
    if (!m || Number(m[1]) > items.length) throw validation('Invalid pagination token.');
    start = Number(m[1]);
  }
  const max = typeof input.maxResults === 'number' ? input.maxResults : defaultMax;
  if (max < 1) throw validation('maxResults must be at least 1.', 'fieldValidationFailed');
  const end = Math.min(items.length, start + max);
  return end < items.length ? { items: items.slice(start, end), nextToken: encodeToken(end) } : { items: items.slice(start, end) };
}

/** A list operation's output: one page of `items`, each through `map`, as `member`, with nextToken when more follow. */
export function pagedOutput<T>(member: string, items: readonly T[], input: Record<string, unknown>, map: (item: T) => unknown = (item) => item): Record<string, unknown> {
  const p = page(items, input);
  const out: Record<string, unknown> = { [member]: p.items.map((item) => map(item)) };
  if (p.nextToken) out.nextToken = p.nextToken;
  return out;
}
