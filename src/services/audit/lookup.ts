// CloudTrail's LookupEvents over the audit log (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
// at most one lookup attribute, StartTime/EndTime (inclusive), MaxResults 1–50 (default 50),
// NextToken, newest first, only the caller's account's events.
import { createHash } from 'node:crypto';
import { AwsError } from '../../protocol/index.js';
import type { StoredEvent, Store } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import type { ChainedEventData } from './chain.js';
import type { CloudTrailRecord } from './record.js';

const DEFAULT_MAX_RESULTS = 50;
/** Events read per step while scanning backwards. */
const WINDOW = 500;

function invalidAttributes(message: string): AwsError {
  return new AwsError('InvalidLookupAttributesException', message, { status: 400 });
}

const LOOKUP_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type LookupKey = (typeof LOOKUP_KEYS)[number];

/** One `Resources` entry of a LookupEvents event. */
export interface LookupResource {
  ResourceType: string;
  ResourceName: string;
}

// Request parameters that name a resource, and its CloudFormation-style type (what CloudTrail
// puts in `Resources` for IAM, STS and Organizations events).
const RESOURCE_PARAMETERS: ReadonlyArray<readonly [string, string]> = [
  ['userName', 'AWS::IAM::User'],
  ['groupName', 'AWS::IAM::Group'],
  ['roleName', 'AWS::IAM::Role'],
  ['policyArn', 'AWS::IAM::Policy'],
  ['instanceProfileName', 'AWS::IAM::InstanceProfile'],
  ['accessKeyId', 'AWS::IAM::AccessKey'],
  ['serialNumber', 'AWS::IAM::MFADevice'],
  ['virtualMFADeviceName', 'AWS::IAM::MFADevice'],
  ['serverCertificateName', 'AWS::IAM::ServerCertificate'],
  ['sAMLProviderArn', 'AWS::IAM::SAMLProvider'],
  ['openIDConnectProviderArn', 'AWS::IAM::OIDCProvider'],
  ['roleArn', 'AWS::IAM::Role'],
  ['policyId', 'AWS::Organizations::Policy'],
  ['accountId', 'AWS::Organizations::Account'],
  ['organizationalUnitId', 'AWS::Organizations::OrganizationalUnit'],
];

/** The resources an event names (from its request parameters). */
export function resourcesOf(record: CloudTrailRecord): LookupResource[] {
  const params = record.requestParameters;
  if (params === null || typeof params !== 'object') return [];
  const p = params as Record<string, unknown>;
  const out: LookupResource[] = [];
  for (const [name, type] of RESOURCE_PARAMETERS) {
    const v = p[name];
    if (typeof v === 'string' && v !== '') out.push({ ResourceType: type, ResourceName: v });
  }
  return out;
}

/** LookupEvents' `Username`: the IAM user's name, `root`, the role session's name, or the federated user's. */
export function usernameOf(record: CloudTrailRecord): string | undefined {
  const u = record.userIdentity;
  switch (u.type) {
    case 'IAMUser':
      return u.userName;
    case 'Root':
      return 'root';
    case 'AssumedRole':
    case 'FederatedUser':
      return u.arn?.slice(u.arn.lastIndexOf('/') + 1) ?? u.principalId?.split(':')[1];
    default:
      return u.userName;
  }
}

function matches(record: CloudTrailRecord, key: LookupKey | undefined, value: string): boolean {
  switch (key) {
    case undefined:
      return true;
    case 'EventId':
      return record.eventID === value;
    case 'EventName':
      return record.eventName === value;
    case 'ReadOnly':
      return String(record.readOnly) === value;
    case 'Username':
      return usernameOf(record) === value;
    case 'EventSource':
      return record.eventSource === value;
    case 'AccessKeyId':
      return record.userIdentity.accessKeyId === value;
    case 'ResourceType':
      return resourcesOf(record).some((r) => r.ResourceType === value);
    case 'ResourceName':
      return resourcesOf(record).some((r) => r.ResourceName === value);
  }
}

interface TokenState {
  /** Continue with events whose seq is below this. */
  before: number;
  /** Fingerprint of the request's filters and account. */
  f: string;
}

function fingerprint(account: string, input: Record<string, unknown>): string {
  const start = input.StartTime instanceof Date ? input.StartTime.getTime() : null;
  const end = input.EndTime instanceof Date ? input.EndTime.getTime() : null;
  const text = JSON.stringify([account, input.LookupAttributes ?? null, start, end, input.EventCategory ?? null]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

function encodeToken(state: TokenState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

function decodeToken(token: string, f: string): TokenState {
  const bad = (): AwsError => new AwsError('InvalidNextTokenException', 'A token that is not valid, or a token that was previously used in a request with different parameters.', { status: 400 });
  let state: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) throw bad();
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const s = state as Partial<TokenState>;
  if (typeof s !== 'object' || s === null || !Number.isSafeInteger(s.before) || (s.before as number) < 1 || s.f !== f) throw bad();
  return s as TokenState;
}

/** The head of the log (the newest event's seq), read on a snapshot. */
async function headSeq(store: Store): Promise<number> {
  return (await store.read((tx) => tx.lastEvent()))?.seq ?? 0;
}

/** The LookupEvents operation. */
export async function lookupEvents(ctx: CallContext, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  ctx.authorize('cloudtrail:LookupEvents', '*');
  const account = ctx.caller.accountId;

  const attributes = (input.LookupAttributes as Array<{ AttributeKey?: string; AttributeValue?: string }> | undefined) ?? [];
  if (attributes.length > 1) throw invalidAttributes('You can specify only one lookup attribute.');
  let key: LookupKey | undefined;
  let value = '';
  if (attributes.length === 1) {
    const a = attributes[0];
    if (!a.AttributeKey || !(LOOKUP_KEYS as readonly string[]).includes(a.AttributeKey)) {
      throw invalidAttributes(`Lookup attribute key \`${a.AttributeKey ?? ''}\` is not valid.`);
    }
    if (a.AttributeValue === undefined || a.AttributeValue === '') throw invalidAttributes('Lookup attribute value cannot be empty.');
    key = a.AttributeKey as LookupKey;
    value = a.AttributeValue;
    if (key === 'ReadOnly' && value !== 'true' && value !== 'false') {
      throw invalidAttributes('The value of the ReadOnly lookup attribute must be true or false.');
    }
  }
  const start = input.StartTime instanceof Date ? input.StartTime : undefined;
  const end = input.EndTime instanceof Date ? input.EndTime : undefined;
  if (start && end && start.getTime() > end.getTime()) {
    throw new AwsError('InvalidTimeRangeException', 'Start time must be before end time.', { status: 400 });
  }
  const maxResults = typeof input.MaxResults === 'number' ? input.MaxResults : DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
    throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.', { status: 400 });
  }
  // Insight events are not recorded by Warden: that category is always empty.
  if (input.EventCategory === 'insight') return { Events: [] };

  const f = fingerprint(account, input);
  let before = typeof input.NextToken === 'string' ? decodeToken(input.NextToken, f).before : (await headSeq(ctx.store)) + 1;

  const from = start ? start.toISOString() : undefined;
  // EndTime is inclusive; the store's `to` is exclusive.
  const to = end ? new Date(end.getTime() + 1).toISOString() : undefined;
  // The oldest event that can match (account and time range): the scan stops there.
  const oldest = (await ctx.store.readEvents({ account, from, to, limit: 1 }))[0];
  if (!oldest) return { Events: [] };
  const floor = oldest.seq - 1;
  const found: StoredEvent[] = [];
  let more = false;
  while (before - 1 > floor) {
    const low = Math.max(floor, before - 1 - WINDOW);
    const page = await ctx.store.readEvents({ account, after: low, limit: WINDOW, from, to });
    const inWindow = page.filter((e) => e.seq < before).reverse();
    for (const e of inWindow) {
      const record = (e.data as ChainedEventData).event as unknown as CloudTrailRecord;
      if (!record || !matches(record, key, value)) continue;
      if (found.length === maxResults) {
        more = true;
        break;
      }
      found.push(e);
    }
    if (more) break;
    before = low + 1;
  }

  const events = found.map((e) => {
    const record = (e.data as ChainedEventData).event as unknown as CloudTrailRecord;
    return {
      EventId: record.eventID,
      EventName: record.eventName,
      ReadOnly: String(record.readOnly),
      AccessKeyId: record.userIdentity.accessKeyId,
      EventTime: new Date(e.time),
      EventSource: record.eventSource,
      Username: usernameOf(record),
      Resources: resourcesOf(record),
      CloudTrailEvent: JSON.stringify(record),
    };
  });
  const out: Record<string, unknown> = { Events: events };
  if (more) out.NextToken = encodeToken({ before: found[found.length - 1].seq, f });
  return out;
}

/** CloudTrail's operation table (LookupEvents only). */
export const cloudtrailOperations: OperationTable = Object.freeze({
  LookupEvents: async (ctx: CallContext, input: Record<string, unknown>) => {
    try {
      return await lookupEvents(ctx, input);
    } catch (e) {
      // The engine's AccessDenied is CloudTrail's AccessDeniedException (JSON services).
      if (e instanceof AwsError && e.code === 'AccessDenied') throw new AwsError('AccessDeniedException', e.message, { status: 400 });
      throw e;
    }
  },
});
