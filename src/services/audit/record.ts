// One API call → one CloudTrail record ("CloudTrail record contents for management events",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
// and "CloudTrail userIdentity element",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
import { randomUUID } from 'node:crypto';
import type { Caller } from '../types.js';
import { redact, redactMessage } from './redact.js';

/** What the server knows about one API call when it answers it; the input of `buildRecord`. */
export interface AuditCall {
  requestId: string;
  /** When the request arrived. */
  time: Date;
  /** The SigV4 signing name (`iam`, `sts`, `organizations`, `cloudtrail`, `access-analyzer`), if known. */
  service?: string;
  /** The model's operation name, if the request got that far (or could be read from it). */
  operation?: string;
  /** The credential scope's region (IAM and STS: us-east-1). */
  region?: string;
  sourceIp: string;
  userAgent?: string;
  /** The access key id the request was signed with, if it was signed. */
  accessKeyId?: string;
  /** The authenticated caller; absent when authentication failed. */
  caller?: Caller;
  /** The account the call was for when no caller is known (e.g. a failed sign-in names its account). */
  account?: string;
  /** The decoded input (absent when it did not decode). */
  input?: Record<string, unknown>;
  /** The operation's output (success only). */
  output?: Record<string, unknown>;
  /** The HTTP status answered. */
  status: number;
  errorCode?: string;
  errorMessage?: string;
}

/** Who signed a request that failed authentication, when the access key is known. */
export interface KeyOwner {
  accountId: string;
  /** Absent for the root user. */
  userName?: string;
  /** AIDA… for users, the account id for root. */
  principalId: string;
  arn: string;
}

/** CloudTrail's `userIdentity` element. */
export interface UserIdentity {
  type: 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'AWSAccount' | 'SAMLUser' | 'WebIdentityUser' | 'Unknown';
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: {
    sessionIssuer?: { type: 'Role' | 'IAMUser' | 'Root'; principalId: string; arn: string; accountId: string; userName?: string };
    attributes: { creationDate: string; mfaAuthenticated: 'true' | 'false' };
    sourceIdentity?: string;
  };
}

/** A CloudTrail management-event record, as stored and as `LookupEvents` returns it in `CloudTrailEvent`. */
export interface CloudTrailRecord {
  eventVersion: '1.08';
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: unknown;
  responseElements: unknown;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  /** `AwsConsoleSignIn` for the sign-in API's ConsoleLogin events. */
  eventType: 'AwsApiCall' | 'AwsConsoleSignIn';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
}

const EVENT_SOURCES: Readonly<Record<string, string>> = {
  iam: 'iam.amazonaws.com',
  sts: 'sts.amazonaws.com',
  organizations: 'organizations.amazonaws.com',
  cloudtrail: 'cloudtrail.amazonaws.com',
  'access-analyzer': 'access-analyzer.amazonaws.com',
};

/** `eventSource` of a signing name. */
export function eventSourceOf(service: string | undefined): string {
  if (service === undefined || service === '') return 'unknown';
  return Object.prototype.hasOwnProperty.call(EVENT_SOURCES, service) ? EVENT_SOURCES[service] : `${service}.amazonaws.com`;
}

// CloudTrail's readOnly: true for calls that change nothing (Get*, List*, Describe*, Lookup*, …);
// STS calls that hand out credentials are recorded as read-only too.
const READ_ONLY = /^(?:Get|List|Describe|Lookup|Simulate|Decode|Check|Validate|Search|Preview)[A-Z]/;
const READ_ONLY_NAMES: ReadonlySet<string> = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot']);

/** CloudTrail's `readOnly` for an operation name. */
export function isReadOnly(operation: string): boolean {
  return READ_ONLY.test(operation) || READ_ONLY_NAMES.has(operation);
}

// CloudTrail keeps `responseElements` for calls that change something ("responseElements: the
// response element for actions that make changes (create, update, or delete actions)"; reads
// have null) — and for STS calls that hand out credentials, whose key id and assumed-role user
// it records (their secrets are removed by `redact`).
const CREDENTIAL_OPERATIONS: ReadonlySet<string> = new Set([
  'AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken',
]);

/** Whether the record of `operation` carries its response elements. */
export function keepsResponseElements(operation: string): boolean {
  return CREDENTIAL_OPERATIONS.has(operation) || !READ_ONLY.test(operation);
}

/**
 * The `userIdentity` of a call: from the authenticated caller, else from the owner of the
 * access key it was signed with (failed signatures), else `Unknown`.
 */
export function userIdentityOf(call: Pick<AuditCall, 'caller' | 'accessKeyId' | 'operation'>, keyOwner?: KeyOwner): UserIdentity {
  const c = call.caller;
  if (!c) {
    if (keyOwner) {
      return keyOwner.userName === undefined
        ? { type: 'Root', principalId: keyOwner.principalId, arn: keyOwner.arn, accountId: keyOwner.accountId, accessKeyId: call.accessKeyId }
        : { type: 'IAMUser', principalId: keyOwner.principalId, arn: keyOwner.arn, accountId: keyOwner.accountId, accessKeyId: call.accessKeyId, userName: keyOwner.userName };
    }
    return call.accessKeyId ? { type: 'Unknown', accessKeyId: call.accessKeyId } : { type: 'Unknown' };
  }
  const p = c.principal;
  const session = c.session as (Caller['session'] & { principal?: { roleId?: string; roleArn?: string; roleName?: string; userName?: string; userId?: string; userArn?: string } }) | undefined;
  const attributes = session ? { creationDate: session.issuedAt, mfaAuthenticated: session.mfaAuthenticated === true ? 'true' as const : 'false' as const } : undefined;
  const base = { accountId: c.accountId, accessKeyId: c.accessKeyId || undefined };
  switch (p.kind) {
    case 'root':
      return { type: 'Root', principalId: c.accountId, arn: p.arn, ...base, ...(attributes ? { sessionContext: { attributes } } : {}) };
    case 'user':
      return { type: 'IAMUser', principalId: c.userId, arn: p.arn, ...base, userName: c.userName, ...(attributes ? { sessionContext: { attributes } } : {}) };
    case 'assumedRole': {
      const roleId = c.userId.split(':')[0];
      const identity: UserIdentity = { type: 'AssumedRole', principalId: c.userId, arn: p.arn, ...base };
      if (attributes) {
        identity.sessionContext = {
          sessionIssuer: { type: 'Role', principalId: roleId, arn: p.roleArn ?? '', accountId: c.accountId, userName: c.roleName },
          attributes,
          ...(session?.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
        };
      }
      return identity;
    }
    case 'federatedUser': {
      const identity: UserIdentity = { type: 'FederatedUser', principalId: c.userId, arn: p.arn, ...base };
      if (attributes) {
        const sp = session?.principal;
        identity.sessionContext = {
          sessionIssuer: sp?.userName !== undefined
            ? { type: 'IAMUser', principalId: sp.userId ?? '', arn: sp.userArn ?? `arn:aws:iam::${c.accountId}:user/${sp.userName}`, accountId: c.accountId, userName: sp.userName }
            : { type: 'Root', principalId: c.accountId, arn: `arn:aws:iam::${c.accountId}:root`, accountId: c.accountId },
          attributes,
        };
      }
      return identity;
    }
    case 'anonymous':
      if (call.operation === 'AssumeRoleWithSAML') return { type: 'SAMLUser' };
      if (call.operation === 'AssumeRoleWithWebIdentity') return { type: 'WebIdentityUser' };
      return { type: 'Unknown' };
    default:
      return { type: 'Unknown', principalId: c.userId, arn: p.arn, ...base };
  }
}

/** The account a call's event belongs to (`recipientAccountId`). */
export function recipientAccountOf(call: AuditCall, keyOwner: KeyOwner | undefined, fallbackAccount: string): string {
  return call.caller?.accountId || keyOwner?.accountId || (call.account && /^\d{12}$/.test(call.account) ? call.account : '') || fallbackAccount;
}

/**
 * The CloudTrail record of `call`. Secrets never reach it: request parameters are redacted
 * (`HIDDEN_DUE_TO_SECURITY_REASONS`), secret response members left out, and values quoted in
 * error messages for secret members replaced.
 */
export function buildRecord(call: AuditCall, options: { keyOwner?: KeyOwner; fallbackAccount: string; eventId?: string; isoTime?: string }): CloudTrailRecord {
  // `isoTime`: `call.time.toISOString()` when the caller has it already. CloudTrail's eventTime
  // has no milliseconds; toISOString always ends in `.sssZ`.
  const iso = options.isoTime ?? call.time.toISOString();
  const failed = call.errorCode !== undefined;
  const operation = call.operation ?? 'Unknown';
  const record: CloudTrailRecord = {
    eventVersion: '1.08',
    userIdentity: userIdentityOf(call, options.keyOwner),
    eventTime: iso.slice(0, -5) + 'Z',
    eventSource: eventSourceOf(call.service),
    eventName: operation,
    awsRegion: call.region ?? 'us-east-1',
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent ?? '',
    requestParameters: call.input !== undefined ? redact(call.input, 'hide') : null,
    responseElements: !failed && call.output !== undefined && keepsResponseElements(operation) ? redact(call.output, 'omit') : null,
    requestID: call.requestId,
    eventID: options.eventId ?? randomUUID(),
    readOnly: isReadOnly(operation),
    eventType: operation === 'ConsoleLogin' ? 'AwsConsoleSignIn' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: recipientAccountOf(call, options.keyOwner, options.fallbackAccount),
    eventCategory: 'Management',
  };
  if (failed) {
    record.errorCode = call.errorCode;
    if (call.errorMessage !== undefined) record.errorMessage = redactMessage(call.errorMessage);
  }
  // An empty input is `null` in CloudTrail ("requestParameters": null for GetCallerIdentity).
  if (record.requestParameters !== null && typeof record.requestParameters === 'object' && Object.keys(record.requestParameters).length === 0) {
    record.requestParameters = null;
  }
  if (record.responseElements !== null && typeof record.responseElements === 'object' && Object.keys(record.responseElements).length === 0) {
    record.responseElements = null;
  }
  return record;
}

/**
 * The operation a request names, read without decoding it (for requests that fail before
 * decoding): the Query `Action`, or the JSON target's operation. Only a plain name is returned.
 */
export function operationHint(params: { action?: string | null; target?: string }): string | undefined {
  const raw = params.target !== undefined ? params.target.slice(params.target.lastIndexOf('.') + 1) : params.action ?? undefined;
  return raw !== undefined && /^[A-Za-z][A-Za-z0-9]{0,127}$/.test(raw) ? raw : undefined;
}
