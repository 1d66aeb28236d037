// Secrets out of audit records: what a request or response carries that must never be stored
// in an event (DESIGN.md "Identities and credentials": nothing secret is ever logged).
//
// CloudTrail leaves secret members out of `responseElements` (CreateAccessKey's
// `accessKey` has no `secretAccessKey`; CreateVirtualMFADevice's `virtualMFADevice` has only its
// serial number) and writes `HIDDEN_DUE_TO_SECURITY_REASONS` in place of secret request
// parameters ("CloudTrail record contents", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html:
// "the field value is replaced with HIDDEN_DUE_TO_SECURITY_REASONS"). Warden does the same, by
// member name, at any depth, case-insensitively.

/** CloudTrail's placeholder for a secret request parameter. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Member names (lower-cased) whose values are secret wherever they appear. */
export const SECRET_MEMBERS: ReadonlySet<string> = new Set([
  'secretaccesskey',
  'password',
  'newpassword',
  'oldpassword',
  'sessiontoken',
  'privatekey',
  'servicepassword',
  'base32stringseed',
  'qrcodepng',
  'authenticationcode1',
  'authenticationcode2',
  'tokencode',
  'samlassertion',
  'webidentitytoken',
  // Service-specific credentials' API keys and the sign-in API's MFA code.
  'servicecredentialsecret',
  'mfacode',
]);

/** Whether a member name names a secret (any case). */
export function isSecretMember(name: string): boolean {
  return SECRET_MEMBERS.has(name.toLowerCase());
}

/**
 * Turns a decoded operation input or output into plain JSON (Dates as ISO-8601 strings, blobs as
 * base64, no undefined) with every secret member replaced (`mode: 'hide'`, request parameters)
 * or left out (`mode: 'omit'`, response elements), and member names in CloudTrail's style
 * (first letter lower-case: `UserName` → `userName`).
 */
export function redact(value: unknown, mode: 'hide' | 'omit'): unknown {
  return clean(value, mode, 0);
}

const MAX_DEPTH = 32;

function clean(value: unknown, mode: 'hide' | 'omit', depth: number): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => clean(v, mode, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      const key = camel(name);
      if (isSecretMember(name)) {
        if (mode === 'hide') out[key] = HIDDEN;
        continue;
      }
      out[key] = clean(v, mode, depth + 1);
    }
    return out;
  }
  return null;
}

function camel(name: string): string {
  return name.length > 0 ? name[0].toLowerCase() + name.slice(1) : name;
}

/**
 * An error message without quoted values of secret members: validation messages may quote the
 * offending value (`Value 'x' at 'password' failed to satisfy constraint: …`).
 */
export function redactMessage(message: string): string {
  return message.replace(/Value '((?:[^']|'(?! at '))*)' at '([^']*)'/g, (whole, _v: string, path: string) => {
    const last = path.split('.').filter((s) => !/^\d+$/.test(s) && s !== 'member').pop() ?? '';
    return isSecretMember(last) ? `Value '${HIDDEN}' at '${path}'` : whole;
  });
}
