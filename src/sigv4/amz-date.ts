// Request timestamps. SigV4 signs the request time in ISO 8601 basic format
// (`YYYYMMDDTHHMMSSZ`), taken from `X-Amz-Date` or else the HTTP `Date` header
// ("Handle dates in Signature Version 4",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html).

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Formats a Date as `YYYYMMDDTHHMMSSZ` (UTC). */
export function formatAmzDate(d: Date): string {
  const y = d.getUTCFullYear();
  return (y < 1000 ? String(y).padStart(4, '0') : String(y)) + pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate()) +
    'T' + pad2(d.getUTCHours()) + pad2(d.getUTCMinutes()) + pad2(d.getUTCSeconds()) + 'Z';
}

function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// The last date parsed: verification re-reads the date the parse just checked, and
// concurrent requests mostly carry the same second.
let lastText: string | undefined;
let lastMs = 0;

/** Parses `YYYYMMDDTHHMMSSZ` to epoch milliseconds, or returns undefined when malformed. */
export function parseAmzDate(s: string): number | undefined {
  if (s === lastText) return lastMs;
  const ms = parseAmzDateUncached(s);
  if (ms !== undefined) {
    lastText = s;
    lastMs = ms;
  }
  return ms;
}

function parseAmzDateUncached(s: string): number | undefined {
  if (s.length !== 16 || s.charCodeAt(8) !== 84 /* T */ || s.charCodeAt(15) !== 90 /* Z */) return undefined;
  const y = digits(s, 0, 4), mo = digits(s, 4, 6), d = digits(s, 6, 8);
  const h = digits(s, 9, 11), mi = digits(s, 11, 13), se = digits(s, 13, 15);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) {
    return undefined;
  }
  // Reject dates such as 20150231 that Date.UTC would roll over.
  if (d > daysInMonth(y, mo)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of month `mo` (1-12) of year `y` as Date.UTC reads it (proleptic Gregorian; 0-99 mean 1900-1999). */
function daysInMonth(y: number, mo: number): number {
  if (mo !== 2) return DAYS_IN_MONTH[mo - 1] as number;
  const year = y < 100 ? 1900 + y : y;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : 28;
}

/**
 * Converts an HTTP `Date` header (RFC 7231 IMF-fixdate, e.g. `Sun, 30 Aug 2015 12:36:00 GMT`,
 * or anything `Date.parse` reads unambiguously with a zone) to `YYYYMMDDTHHMMSSZ`;
 * undefined when it cannot be read.
 */
export function httpDateToAmzDate(value: string): string | undefined {
  const v = value.trim();
  if (v.length === 0) return undefined;
  if (parseAmzDate(v) !== undefined) return v; // some clients put the ISO basic form in Date
  // INVARIANT: only zoned forms are accepted, so the result never depends on the host's time zone.
  if (!/(GMT|UTC|Z|[+-]\d{2}:?\d{2})$/.test(v)) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) return undefined;
  return formatAmzDate(new Date(ms));
}
