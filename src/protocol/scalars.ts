// Scalar encodings shared by the protocols: timestamps and base64 blobs.
import type { TimestampFormat } from './model.js';

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const EPOCH = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function fromEpochSeconds(seconds: number): Date | undefined {
  const d = new Date(seconds * 1000);
  return Number.isFinite(seconds) && !Number.isNaN(d.getTime()) ? d : undefined;
}

function fromIso(raw: string): Date | undefined {
  const m = ISO_8601.exec(raw);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const z = zone === 'Z' || zone === 'z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = frac ? `.${frac.slice(1, 4).padEnd(3, '0')}` : '';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${z}`);
  if (Number.isNaN(date.getTime())) return undefined;
  // Reject calendar overflow such as 2015-02-30 (Date would roll it into March).
  if (z === 'Z' && (date.getUTCDate() !== Number(d) || date.getUTCMonth() + 1 !== Number(mo))) return undefined;
  return date;
}

/**
 * A timestamp from its wire text in `format`; the other two formats are accepted as well, as
 * AWS's frontends do. Undefined when the text is no timestamp.
 */
export function parseTimestamp(raw: string | number, format: TimestampFormat): Date | undefined {
  if (typeof raw === 'number') return fromEpochSeconds(raw);
  const text = raw.trim();
  if (format === 'unixTimestamp' && EPOCH.test(text)) return fromEpochSeconds(Number(text));
  const iso = fromIso(text);
  if (iso) return iso;
  if (EPOCH.test(text)) return fromEpochSeconds(Number(text));
  if (/^[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}:\d{2}\s+(GMT|UTC|[+-]\d{4})$/.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** A Date from what a service hands to a serializer: Date, epoch seconds, or ISO text. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return fromEpochSeconds(value);
  if (typeof value === 'string') return parseTimestamp(value, 'iso8601');
  return undefined;
}

/** ISO 8601 in UTC with `Z`, milliseconds only when not zero (`2015-01-25T08:00:00Z`). */
export function formatIso8601(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** A timestamp in `format` for the wire: ISO text, RFC 822 text, or epoch seconds. */
export function formatTimestamp(date: Date, format: TimestampFormat): string | number {
  if (format === 'unixTimestamp') return date.getTime() / 1000;
  if (format === 'rfc822') return date.toUTCString();
  return formatIso8601(date);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Bytes of standard base64 text (padding optional), or undefined for anything else. */
export function decodeBase64(raw: string): Uint8Array | undefined {
  const text = raw.replace(/[\r\n]/g, '');
  if (!BASE64.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Base64 of bytes, or of a string's UTF-8 bytes. */
export function encodeBase64(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return Buffer.from(String(value), 'utf8').toString('base64');
}
