// IP address condition operators: IpAddress and NotIpAddress, "comparing a key to an IPv4 or
// IPv6 address or range of IP addresses … The value must be in the standard CIDR format (for
// example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64). If you specify an IP address without the
// associated routing prefix, IAM uses the default prefix value of /32" (/128 for IPv6); no
// policy variables.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
//
// An address matches a range of its own family only. AWS does not document IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d), so they get no special treatment: they are IPv6 addresses. Host
// bits set in a policy range (10.1.2.3/8) are ignored, as the prefix says. A request value that
// is not an address matches nothing.
import { invalidValue, show } from './issues.js';
import type { FamilyCompileResult, FamilyInput, Issue } from './types.js';

/** A parsed address: family 4 uses w[3]; family 6 uses w[0..3], most significant first. */
interface Parsed {
  family: 0 | 4 | 6;
  w: Uint32Array;
}

interface Range {
  readonly family: 4 | 6;
  /** The network, masked, most significant word first (one word for IPv4). */
  readonly net: Uint32Array;
  readonly mask: Uint32Array;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses dotted IPv4 in s[from, to) into a 32-bit number; -1 when malformed. */
function parseV4(s: string, from: number, to: number): number {
  let value = 0;
  let octets = 0;
  let i = from;
  while (octets < 4) {
    let n = 0;
    let len = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      len++;
      i++;
      if (len > 3) return -1;
    }
    if (len === 0 || n > 255) return -1;
    value = value * 256 + n;
    octets++;
    if (octets < 4) {
      if (i >= to || s.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

// Scratch space for parsing request values without allocating.
const groups = new Uint16Array(8);

/** Parses IPv6 in s[from, to) into out[0..3]; false when malformed. */
function parseV6(s: string, from: number, to: number, out: Uint32Array): boolean {
  let count = 0;
  let gap = -1; // index in `groups` where `::` stands
  let i = from;
  if (to - from >= 2 && s.charCodeAt(i) === 58 && s.charCodeAt(i + 1) === 58) {
    gap = 0;
    i += 2;
    if (i === to) {
      out.fill(0);
      return true;
    }
  } else if (s.charCodeAt(i) === 58) {
    return false;
  }
  for (;;) {
    // An embedded IPv4 address ends the text and takes two groups.
    let j = i;
    let isV4 = false;
    while (j < to && s.charCodeAt(j) !== 58) {
      if (s.charCodeAt(j) === 46) isV4 = true;
      j++;
    }
    if (isV4) {
      if (j !== to || count > 6) return false;
      const v4 = parseV4(s, i, to);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    const len = j - i;
    if (len < 1 || len > 4 || count >= 8) return false;
    let g = 0;
    for (let k = i; k < j; k++) {
      const h = hexValue(s.charCodeAt(k));
      if (h < 0) return false;
      g = g * 16 + h;
    }
    groups[count++] = g;
    if (j === to) break;
    // j holds ':'
    if (j + 1 < to && s.charCodeAt(j + 1) === 58) {
      if (gap !== -1) return false;
      gap = count;
      i = j + 2;
      if (i === to) break;
    } else {
      i = j + 1;
      if (i === to) return false;
    }
  }
  if (gap === -1 ? count !== 8 : count > 7) return false;
  // Spread the groups around the gap into 8 groups, then into 4 words.
  const zeros = 8 - count;
  for (let w = 0; w < 4; w++) {
    let word = 0;
    for (let h = 0; h < 2; h++) {
      const k = w * 2 + h;
      let g: number;
      if (gap === -1 || k < gap) g = groups[k];
      else if (k < gap + zeros) g = 0;
      else g = groups[k - zeros];
      word = word * 65536 + g;
    }
    out[w] = word >>> 0;
  }
  return true;
}

/** Parses an address (no prefix) into `into`; family 0 when malformed. */
function parseAddress(s: string, from: number, to: number, into: Parsed): void {
  into.family = 0;
  if (from >= to) return;
  const colon = s.indexOf(':', from);
  if (colon !== -1 && colon < to) {
    if (parseV6(s, from, to, into.w)) into.family = 6;
    return;
  }
  const v4 = parseV4(s, from, to);
  if (v4 >= 0) {
    into.w[3] = v4;
    into.family = 4;
  }
}

function maskWord(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses a policy value (`address` or `address/prefix`) into a range; undefined when malformed. */
export function parseCidr(text: string): Range | undefined {
  const slash = text.indexOf('/');
  const end = slash === -1 ? text.length : slash;
  const p: Parsed = { family: 0, w: new Uint32Array(4) };
  parseAddress(text, 0, end, p);
  if (p.family === 0) return undefined;
  const max = p.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return undefined;
    prefix = Number(digits);
    if (prefix > max) return undefined;
  }
  if (p.family === 4) {
    const mask = Uint32Array.of(maskWord(prefix));
    return { family: 4, net: Uint32Array.of((p.w[3] & mask[0]) >>> 0), mask };
  }
  const mask = new Uint32Array(4);
  const net = new Uint32Array(4);
  for (let w = 0; w < 4; w++) {
    mask[w] = maskWord(prefix - w * 32);
    net[w] = (p.w[w] & mask[w]) >>> 0;
  }
  return { family: 6, net, mask };
}

/** True when the text is a single IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  const p: Parsed = { family: 0, w: new Uint32Array(4) };
  parseAddress(text, 0, text.length, p);
  return p.family !== 0;
}


const request: Parsed = { family: 0, w: new Uint32Array(4) };

/** Compiles the values of an IpAddress/NotIpAddress clause. */
export function compileIpAddress(input: FamilyInput): FamilyCompileResult {
  const ranges: Range[] = [];
  const issues: Issue[] = [];
  input.values.forEach((v, i) => {
    const r = typeof v === 'string' ? parseCidr(v) : undefined;
    if (r === undefined) issues.push(invalidValue(input.path, i, `\`${show(v)}\` is not an IP address or CIDR range`));
    else ranges.push(r);
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    kind: 'value',
    matches: (v) => {
      parseAddress(v, 0, v.length, request);
      const fam = request.family;
      if (fam === 0) return false;
      const w = request.w;
      for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i];
        if (r.family !== fam) continue;
        if (fam === 4) {
          if (((w[3] & r.mask[0]) >>> 0) === r.net[0]) return true;
          continue;
        }
        if (
          ((w[0] & r.mask[0]) >>> 0) === r.net[0] &&
          ((w[1] & r.mask[1]) >>> 0) === r.net[1] &&
          ((w[2] & r.mask[2]) >>> 0) === r.net[2] &&
          ((w[3] & r.mask[3]) >>> 0) === r.net[3]
        ) {
          return true;
        }
      }
      return false;
    },
  };
}
