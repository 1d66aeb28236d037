// Case-insensitive access to request headers without copying them in the common case.

/** Headers keyed by lowercase name. */
export type LowercaseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

function hasUppercase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/**
 * Returns the headers keyed by lowercase name. When every name is already lowercase
 * (what Node's HTTP server gives) the object itself is returned; otherwise a copy in
 * which names differing only in case are merged into one array of values.
 */
export function lowercaseHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): LowercaseHeaders {
  let needCopy = false;
  for (const name in headers) {
    if (hasUppercase(name)) { needCopy = true; break; }
  }
  if (!needCopy) return headers;
  const out: Record<string, string | string[]> = Object.create(null);
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    const key = name.toLowerCase();
    const prev = out[key];
    if (prev === undefined) out[key] = typeof v === 'string' ? v : [...v];
    else {
      const list = typeof prev === 'string' ? [prev] : prev;
      if (typeof v === 'string') list.push(v); else list.push(...v);
      out[key] = list;
    }
  }
  return out;
}

/** The first value of a header (by lowercase name), or undefined when absent. */
export function firstHeader(headers: LowercaseHeaders, name: string): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return v.length > 0 ? v[0] : undefined;
}
