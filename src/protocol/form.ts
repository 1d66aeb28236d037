// application/x-www-form-urlencoded text (Query parameters: a form body or a URL's query) as
// name/value pairs, with exactly URLSearchParams' results but at a fraction of its cost: every
// signed Query request is parsed once, and URLSearchParams' generic byte-wise decoder was a
// visible share of the serving thread.

import { tryUriDecode } from '../sigv4/uri-encode.js';

/** Name/value pairs in their order on the wire (repeated names kept). */
export type FormPairs = Array<[string, string]>;

// Text that URLSearchParams first converts (lone surrogates become U+FFFD): left to it.
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * One name or value: `+` is a space, then percent-decoding. decodeURIComponent succeeds only
 * when every `%` starts a well-formed escape and the escaped bytes are valid UTF-8, and then
 * gives what the WHATWG decoder gives; undefined otherwise (malformed escapes, invalid UTF-8),
 * which URLSearchParams keeps literally or replaces with U+FFFD.
 */
function decodeComponent(text: string): string | undefined {
  return tryUriDecode(text.includes('+') ? text.replaceAll('+', ' ') : text);
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
