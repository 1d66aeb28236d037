// Date condition operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
// DateGreaterThan, DateGreaterThanEquals. "You must specify date/time values with one of the
// W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time"; "Wildcards are not
// permitted"; no policy variables.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
// (W3C profiles: https://www.w3.org/TR/NOTE-datetime)
//
// Both sides are parsed to an instant (milliseconds since the epoch, fractions kept) and
// compared as instants. Accepted forms:
//   YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm, …Thh:mm:ss, …Thh:mm:ss.s+  each time optionally
//   followed by a zone: Z, ±hh:mm, ±hhmm or ±hh (no zone means UTC);
//   epoch seconds: [-]digits[.digits].
// A bare `YYYY` is all digits and therefore read as epoch seconds (the form aws:EpochTime uses).
import { show } from './issues.js';
import { compileOrdered, type OrderedFamily } from './ordered.js';
import type { FamilyCompileResult, FamilyInput } from './types.js';

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Reads `count` digits at `i`; -1 when they are not all digits. */
function digits(s: string, i: number, count: number): number {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const d = digit(s, i + k);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function isEpoch(s: string): boolean {
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  let n = 0;
  while (digit(s, i) >= 0) {
    i++;
    n++;
  }
  if (n === 0) return false;
  if (i < s.length && s.charCodeAt(i) === 46 /* . */) {
    i++;
    let f = 0;
    while (digit(s, i) >= 0) {
      i++;
      f++;
    }
    if (f === 0) return false;
  }
  return i === s.length;
}

/** Parses a date as described above to milliseconds since the epoch; NaN when malformed. Does not allocate. */
export function parseDate(s: string): number {
  if (s.length === 0) return NaN;
  if (isEpoch(s)) return Number(s) * 1000;
  const n = s.length;
  const year = digits(s, 0, 4);
  if (year < 0 || n < 7 || s.charCodeAt(4) !== 45) return NaN;
  const month = digits(s, 5, 2);
  if (month < 1 || month > 12) return NaN;
  let day = 1;
  let i = 7;
  if (i < n) {
    if (s.charCodeAt(i) !== 45 /* - */) return NaN;
    day = digits(s, i + 1, 2);
    if (day < 1 || day > daysInMonth(year, month)) return NaN;
    i += 3;
  }
  let ms = daysFromCivil(year, month, day) * 86_400_000;
  if (i === n) return ms;
  // A date with only a year and month cannot carry a time.
  if (i === 7) return NaN;
  const t = s.charCodeAt(i);
  if (t !== 84 /* T */ && t !== 116 /* t */) return NaN;
  const hour = digits(s, i + 1, 2);
  if (hour < 0 || hour > 23 || s.charCodeAt(i + 3) !== 58 /* : */) return NaN;
  const minute = digits(s, i + 4, 2);
  if (minute < 0 || minute > 59) return NaN;
  i += 6;
  let seconds = 0;
  if (i < n && s.charCodeAt(i) === 58) {
    seconds = digits(s, i + 1, 2);
    if (seconds < 0 || seconds > 59) return NaN;
    i += 3;
    if (i < n && s.charCodeAt(i) === 46 /* . */) {
      i++;
      let scale = 0.1;
      const start = i;
      while (digit(s, i) >= 0) {
        seconds += digit(s, i) * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return NaN;
    }
  }
  ms += hour * 3_600_000 + minute * 60_000 + seconds * 1000;
  if (i === n) return ms;
  const z = s.charCodeAt(i);
  if ((z === 90 /* Z */ || z === 122 /* z */) && i + 1 === n) return ms;
  if (z !== 43 /* + */ && z !== 45 /* - */) return NaN;
  const sign = z === 43 ? 1 : -1;
  const zh = digits(s, i + 1, 2);
  if (zh < 0 || zh > 23) return NaN;
  let zm = 0;
  i += 3;
  if (i < n) {
    if (s.charCodeAt(i) === 58) i++;
    zm = digits(s, i, 2);
    if (zm < 0 || zm > 59) return NaN;
    i += 2;
  }
  if (i !== n) return NaN;
  return ms - sign * (zh * 3_600_000 + zm * 60_000);
}

/** Parses a policy value: a JSON number is epoch seconds, a string any accepted form. */
export function policyDate(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v * 1000 : NaN;
  if (typeof v === 'string') return parseDate(v);
  return NaN;
}

const DATE: OrderedFamily = {
  prefix: 'Date',
  policyValue: policyDate,
  requestValue: parseDate,
  invalid: (v) => `\`${show(v)}\` is not an ISO 8601 date or epoch time`,
};

/** Compiles the values of a Date-family clause. */
export function compileDate(input: FamilyInput): FamilyCompileResult {
  return compileOrdered(DATE, input);
}
