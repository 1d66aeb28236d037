// application/x-www-form-urlencoded text (Query parameters: a form body or a URL's query) as
// name/value pairs, with exactly URLSearchParams' results but at a fraction of its cost: every
// signed Query request is parsed once, and URLSearchParams' generic byte-wise decoder was a
// visible share of the serving thread.

/** Name/value pairs in their order on the wire (repeated names kept). */
export type FormPairs = Array<[string, string]>;

// Text that URLSearchParams first converts (lone surrogates become U+FFFD): left to it.
const SURROGATE = /[\uD800-\uDFFF]/;

/** The value of a hex digit's char code, or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * Text whose every `%` escapes an ASCII byte (`%2F`, `%3A`, `%40`: ARNs, paths, SigV4
 * credentials), decoded by hand: such a byte is its own character in UTF-8. Undefined for any
 * other escape, left to decodeURIComponent.
 */
function decodeAsciiEscapes(text: string, first: number): string | undefined {
  let out = '';
  let from = 0;
  for (let at = first; at !== -1; at = text.indexOf('%', from)) {
    const high = hexDigit(text.charCodeAt(at + 1));
    const low = hexDigit(text.charCodeAt(at + 2));
    if (high < 0 || high > 7 || low < 0) return undefined;
    out += text.slice(from, at) + String.fromCharCode(high * 16 + low);
    from = at + 3;
  }
  return out + text.slice(from);
}

/**
 * One name or value: `+` is a space, then percent-decoding. decodeURIComponent succeeds only
 * when every `%` starts a well-formed escape and the escaped bytes are valid UTF-8, and then
 * gives what the WHATWG decoder gives; undefined otherwise (malformed escapes, invalid UTF-8),
 * which URLSearchParams keeps literally or replaces with U+FFFD.
 */
function decodeComponent(text: string): string | undefined {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  const percent = spaced.indexOf('%');
  if (percent === -1) return spaced;
  const ascii = decodeAsciiEscapes(spaced, percent);
  if (ascii !== undefined) return ascii;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** The pairs of `text`, equal to `[...new URLSearchParams(text)]`. */
export function parseForm(text: string): FormPairs {
  if (SURROGATE.test(text)) return [...new URLSearchParams(text)];
  const out: FormPairs = [];
  // URLSearchParams drops one leading `?`.
  let start = text.charCodeAt(0) === 0x3f ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      // Sliced per pair, so that a search for `=` never runs past its pair.
      const pair = text.slice(start, end);
      const eq = pair.indexOf('=');
      const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
      // The rare malformed text: URLSearchParams' own handling of it, whole.
      if (name === undefined || value === undefined) return [...new URLSearchParams(text)];
      out.push([name, value]);
    }
    start = end + 1;
  }
  return out;
}
