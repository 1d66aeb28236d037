// The credential report: GenerateCredentialReport, GetCredentialReport. One CSV line per IAM user
// and one for the root user (`<root_account>`), with AWS's columns in AWS's order and its value
// conventions (IAM User Guide, "Generate credential reports for your AWS account"):
// `N/A` where a credential does not exist or was never used, `no_information` for a password never
// used, `not_supported` for the root user's password columns; times ISO 8601 with `+00:00`.
//
// A report is generated at once and kept (kind CREDENTIAL_REPORT_KIND, key 'current') for four
// hours: GenerateCredentialReport answers STARTED when it made a new one and COMPLETE while the
// kept one is fresh; GetCredentialReport answers ReportNotPresent without a report and
// ReportExpired once it is older than four hours.
import type { Entity, ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { iamError, listAll } from './common.js';
import { KIND, ROOT_OWNER, isoNow, ownerKey, rootArn, type AccessKeyDoc, type AccountDoc, type UserDoc } from './entities.js';
import type { LoginProfileDoc } from './login-profiles.js';
import type { MfaDeviceDoc } from './mfa-listing.js';
import type { SigningCertificateDoc } from './certificates.js';
import { getPasswordPolicy, passwordExpiresAt, type PasswordPolicyDoc } from './password-policy.js';

export const CREDENTIAL_REPORT_KIND = 'credential-report';
const REPORT_KEY = 'current';
/** Reports are regenerated, and expire, after four hours. */
export const REPORT_MAX_AGE_MS = 4 * 3600_000;

export const REPORT_COLUMNS = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed', 'password_next_rotation',
  'mfa_active',
  'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date', 'access_key_1_last_used_region', 'access_key_1_last_used_service',
  'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date', 'access_key_2_last_used_region', 'access_key_2_last_used_service',
  'cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated',
] as const;

export interface CredentialReportDoc {
  GeneratedTime: string;
  /** The CSV text. */
  Content: string;
}

const NA = 'N/A';

/** `2024-05-01T12:00:00Z` → `2024-05-01T12:00:00+00:00`, as the report writes times. */
export function reportTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return NA;
  return isoNow(d).replace(/Z$/, '+00:00');
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The access key and certificate columns of an owner (the two oldest of each, by creation). */
function keyColumns(keys: readonly AccessKeyDoc[], certs: readonly SigningCertificateDoc[]): string[] {
  const out: string[] = [];
  const k = [...keys].sort((a, b) => (a.CreateDate < b.CreateDate ? -1 : a.CreateDate > b.CreateDate ? 1 : 0));
  for (let i = 0; i < 2; i++) {
    const key = k[i];
    if (!key) { out.push('false', NA, NA, NA, NA); continue; }
    const used = key.LastUsed;
    out.push(
      String(key.Status === 'Active'), reportTime(key.CreateDate),
      used ? reportTime(used.LastUsedDate) : NA, used ? used.Region : NA, used ? used.ServiceName : NA,
    );
  }
  const c = [...certs].sort((a, b) => (a.UploadDate < b.UploadDate ? -1 : a.UploadDate > b.UploadDate ? 1 : 0));
  for (let i = 0; i < 2; i++) {
    const cert = c[i];
    out.push(cert ? String(cert.Status === 'Active') : 'false', cert ? reportTime(cert.UploadDate) : NA);
  }
  return out;
}

async function ownerCredentials(tx: ReadTx, account: string, parent: string) {
  const keys = (await listAll<AccessKeyDoc>(tx, KIND.accessKey, account, parent)).map((e) => e.data);
  const certs = (await listAll<SigningCertificateDoc>(tx, KIND.signingCertificate, account, parent)).map((e) => e.data);
  const mfa = (await listAll<MfaDeviceDoc>(tx, KIND.mfaDevice, account, parent)).some((d) => d.data.UserName !== undefined && d.data.EnableDate !== undefined);
  return { keys, certs, mfa };
}

function userRow(u: UserDoc, profile: LoginProfileDoc | undefined, policy: PasswordPolicyDoc | undefined, c: Awaited<ReturnType<typeof ownerCredentials>>): string[] {
  const next = profile ? passwordExpiresAt(policy, profile.PasswordLastChanged) : undefined;
  return [
    u.UserName, u.Arn, reportTime(u.CreateDate),
    String(profile !== undefined),
    profile ? (u.PasswordLastUsed ? reportTime(u.PasswordLastUsed) : 'no_information') : NA,
    profile ? reportTime(profile.PasswordLastChanged) : NA,
    next ? reportTime(next.toISOString()) : NA,
    String(c.mfa),
    ...keyColumns(c.keys, c.certs),
  ];
}

/** The report's CSV for `account` (header line, root line, one line per user, `\n`-separated). */
export async function buildCredentialReport(tx: ReadTx, account: string): Promise<string> {
  const lines: string[][] = [[...REPORT_COLUMNS]];
  const acct = await tx.get<AccountDoc>(KIND.account, account, account);
  const root = await ownerCredentials(tx, account, ROOT_OWNER);
  lines.push([
    '<root_account>', rootArn(account), acct ? reportTime(acct.data.CreateDate) : NA,
    'not_supported', 'no_information', 'not_supported', 'not_supported',
    String(root.mfa), ...keyColumns(root.keys, root.certs),
  ]);
  const policy = await getPasswordPolicy(tx, account);
  const users: Entity<UserDoc>[] = await listAll<UserDoc>(tx, KIND.user, account);
  for (const u of users) {
    const parent = ownerKey('user', u.data.UserName);
    const profile = (await tx.get<LoginProfileDoc>(KIND.loginProfile, account, parent))?.data;
    lines.push(userRow(u.data, profile, policy, await ownerCredentials(tx, account, parent)));
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\n');
}

const notPresent = () => iamError('ReportNotPresent', 'Credential report does not exist. Use GenerateCredentialReport to generate a report.');
const expired = () => iamError('ReportExpired', 'The credential report has expired. Use GenerateCredentialReport to generate a new report.');

export const credentialReportOperations: OperationTable = {
  async GenerateCredentialReport(ctx) {
    ctx.authorize('iam:GenerateCredentialReport', '*');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const kept = await tx.get<CredentialReportDoc>(CREDENTIAL_REPORT_KIND, account, REPORT_KEY);
      if (kept && ctx.now.getTime() - Date.parse(kept.data.GeneratedTime) < REPORT_MAX_AGE_MS) return { State: 'COMPLETE' };
      const doc: CredentialReportDoc = { GeneratedTime: isoNow(ctx.now), Content: await buildCredentialReport(tx, account) };
      if (kept) await tx.update({ kind: CREDENTIAL_REPORT_KIND, account, key: REPORT_KEY, data: doc });
      else await tx.insert({ kind: CREDENTIAL_REPORT_KIND, account, key: REPORT_KEY, data: doc });
      return {
        State: 'STARTED',
        Description: kept ? 'Report is older than 4 hours. Starting a new report generation task' : 'No report exists. Starting a new report generation task',
      };
    });
  },

  async GetCredentialReport(ctx) {
    ctx.authorize('iam:GetCredentialReport', '*');
    const account = ctx.caller.accountId;
    const kept = await ctx.store.read((tx) => tx.get<CredentialReportDoc>(CREDENTIAL_REPORT_KIND, account, REPORT_KEY));
    if (!kept) throw notPresent();
    if (ctx.now.getTime() - Date.parse(kept.data.GeneratedTime) >= REPORT_MAX_AGE_MS) throw expired();
    return { Content: Buffer.from(kept.data.Content, 'utf8'), ReportFormat: 'text/csv', GeneratedTime: kept.data.GeneratedTime };
  },
};
