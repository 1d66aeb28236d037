// URI encoding and path normalisation for the canonical request.
//
// AWS rule (Signature Version 4, "Create a canonical request",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
// URI-encode every byte except the unreserved characters of RFC 3986
// (A-Z a-z 0-9 - _ . ~), as %XY with uppercase hex; '/' is kept in paths; a space
// is %20, never '+'. Characters outside ASCII are encoded as their UTF-8 bytes.

const HEX = '0123456789ABCDEF';

/** UNRESERVED[c] is 1 when the ASCII code c is RFC 3986 unreserved. */
export const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
      ch === '-' || ch === '_' || ch === '.' || ch === '~') {
    UNRESERVED[c] = 1;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** ENCODED[b] is the byte b as it appears in encoded output: the character itself when unreserved, else `%XY`. */
const ENCODED: string[] = [];
for (let b = 0; b < 256; b++) {
  ENCODED.push(b < 128 && UNRESERVED[b] === 1 ? String.fromCharCode(b) : '%' + HEX[b >> 4] + HEX[b & 15]);
}

/** The UTF-8 encoding of code point cp, percent-encoded. */
function encodeCodePoint(cp: number): string {
  if (cp < 0x80) return ENCODED[cp] as string;
  if (cp < 0x800) return (ENCODED[0xc0 | (cp >> 6)] as string) + ENCODED[0x80 | (cp & 63)];
  if (cp < 0x10000) {
    return (ENCODED[0xe0 | (cp >> 12)] as string) + ENCODED[0x80 | ((cp >> 6) & 63)] + ENCODED[0x80 | (cp & 63)];
  }
  return (ENCODED[0xf0 | (cp >> 18)] as string) + ENCODED[0x80 | ((cp >> 12) & 63)] +
    ENCODED[0x80 | ((cp >> 6) & 63)] + ENCODED[0x80 | (cp & 63)];
}

/**
 * Percent-encodes `s` the SigV4 way. With `decodeFirst`, valid `%XY` escapes are
 * decoded first (so an already-encoded value is normalised rather than encoded
 * twice); invalid escapes keep their '%' literally (encoded as %25). With
 * `keepSlash`, '/' is left as is. Never throws: a lone surrogate becomes U+FFFD.
 */
export function uriEncode(s: string, keepSlash: boolean, decodeFirst: boolean): string {
  // Fast path: nothing to encode (the common case for IAM/STS paths and query values).
  let i = 0;
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && UNRESERVED[c] === 1) continue;
    if (c === 47 && keepSlash) continue;
    break;
  }
  if (i === n) return s;
  return encodeFrom(s, i, keepSlash, decodeFirst);
}

/** The slow path of `uriEncode` from index `from` (the first character that needs work). */
function encodeFrom(s: string, from: number, keepSlash: boolean, decodeFirst: boolean): string {
  const n = s.length;
  let out = '';
  // Characters that stay as they are are copied in runs [runStart, i), not one by one.
  let runStart = 0;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c < 128 && UNRESERVED[c] === 1) || (c === 47 && keepSlash)) continue;
    if (runStart < i) out += s.slice(runStart, i);
    if (c < 128) {
      if (c === 37 && decodeFirst && i + 2 < n) {
        const h = hexValue(s.charCodeAt(i + 1));
        const l = hexValue(s.charCodeAt(i + 2));
        if (h >= 0 && l >= 0) {
          const b = (h << 4) | l;
          // A decoded '/' inside a path segment must stay encoded, or the segment would split.
          out += ENCODED[b];
          i += 2;
          runStart = i + 1;
          continue;
        }
      }
      out += ENCODED[c];
      runStart = i + 1;
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) cp = 0xfffd;
    out += encodeCodePoint(cp);
    runStart = i + 1;
  }
  if (runStart < n) out += s.slice(runStart, n);
  return out;
}

/**
 * Decodes a string whose escapes are all valid and below %80 (e.g. the %2F of a presigned
 * X-Amz-Credential): each is then one ASCII character, as decodeURIComponent would give,
 * without its UTF-8 machinery. Undefined when some escape is not of that kind.
 */
function decodeAsciiEscapes(s: string, first: number): string | undefined {
  let out = '';
  let runStart = 0;
  for (let p = first; p !== -1; p = s.indexOf('%', runStart)) {
    const h = hexValue(s.charCodeAt(p + 1));
    const l = hexValue(s.charCodeAt(p + 2));
    if (h < 0 || h > 7 || l < 0) return undefined;
    out += s.slice(runStart, p) + String.fromCharCode((h << 4) | l);
    runStart = p + 3;
  }
  return out + s.slice(runStart);
}

/**
 * `decodeURIComponent(s)`, or undefined where it would throw (a malformed escape, escaped bytes
 * that are not UTF-8) — with a fast path for text whose escapes are all ASCII. (The Query
 * protocol's form decoding uses it too, with its own handling of the undefined: protocol/form.ts.)
 */
export function tryUriDecode(s: string): string | undefined {
  const first = s.indexOf('%');
  if (first === -1) return s;
  const ascii = decodeAsciiEscapes(s, first);
  if (ascii !== undefined) return ascii;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Decodes `%XY` escapes (as UTF-8) without throwing; invalid escapes and invalid
 * UTF-8 are kept/replaced rather than rejected. '+' is a literal plus (RFC 3986).
 */
export function uriDecode(s: string): string {
  const decoded = tryUriDecode(s);
  if (decoded !== undefined) return decoded;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length) {
      const h = hexValue(s.charCodeAt(i + 1));
      const l = hexValue(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) { bytes.push((h << 4) | l); i += 2; continue; }
    }
    if (c < 128) bytes.push(c);
    else for (const b of Buffer.from(s[i] as string, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** True when the path needs dot-segment removal or slash collapsing. */
function needsNormalizing(path: string): boolean {
  const n = path.length;
  if (n === 0 || path.charCodeAt(0) !== 47) return true;
  for (let i = 0; i < n; i++) {
    if (path.charCodeAt(i) !== 47) continue;
    const next = i + 1 < n ? path.charCodeAt(i + 1) : -1;
    if (next === 47) return true; // '//'
    if (next === 46) { // '/.'
      const a = i + 2 < n ? path.charCodeAt(i + 2) : -1;
      if (a === -1 || a === 47) return true; // '/.' or '/./'
      if (a === 46) {
        const b = i + 3 < n ? path.charCodeAt(i + 3) : -1;
        if (b === -1 || b === 47) return true; // '/..' or '/../'
      }
    }
  }
  return false;
}

/**
 * Normalises a URI path as AWS does for every service but S3 (SigV4 doc: "Normalize
 * URI paths according to RFC 3986. Remove redundant and relative path components."):
 * removes '.' and '..' segments and empty segments ('//'), keeps a trailing '/',
 * and returns '/' for an empty result.
 */
export function normalizePath(path: string): string {
  if (!needsNormalizing(path)) return path;
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { segments.pop(); continue; }
    segments.push(seg);
  }
  if (segments.length === 0) return '/';
  const trailing = path.endsWith('/') ? '/' : '';
  return '/' + segments.join('/') + trailing;
}
