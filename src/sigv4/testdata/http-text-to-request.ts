// Test support: raw HTTP/1.1 request text (as in the SigV4 vector files) → SignableRequest.
// Continuation lines (starting with a space or tab) are kept in the header value with their
// line break, so the canonicaliser's whitespace folding is what is exercised.

import type { SignableRequest } from '../types.js';

/** Parses `METHOD target HTTP/1.1`, header lines, a blank line and the body. */
export function httpTextToRequest(text: string): SignableRequest {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  const sp = first.indexOf(' ');
  const last = first.lastIndexOf(' HTTP/');
  const target = first.slice(sp + 1, last === -1 ? undefined : last);
  const q = target.indexOf('?');
  const headers: Record<string, string | string[]> = {};
  const order: string[] = [];
  let i = 1;
  let prev: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') { i++; break; }
    if ((line.startsWith(' ') || line.startsWith('\t')) && prev !== undefined) {
      const v = headers[prev] as string | string[];
      if (typeof v === 'string') headers[prev] = v + '\n' + line;
      else v[v.length - 1] += '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+/, '');
    const existing = headers[name];
    if (existing === undefined) { headers[name] = value; order.push(name); }
    else if (typeof existing === 'string') headers[name] = [existing, value];
    else existing.push(value);
    prev = name;
  }
  const body = lines.slice(i).join('\n');
  return {
    method: first.slice(0, sp),
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers,
    body,
  };
}

/** Returns `req` with `added` headers set, replacing existing ones whatever their case. */
export function withHeaders(req: SignableRequest, added: Record<string, string>): SignableRequest {
  const headers: Record<string, string | readonly string[]> = {};
  const replaced = new Set(Object.keys(added).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !replaced.has(k.toLowerCase())) headers[k] = v;
  }
  Object.assign(headers, added);
  return { ...req, headers };
}

/** The first value of a header, any case. */
export function headerOf(req: SignableRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.toLowerCase() === name.toLowerCase()) return typeof v === 'string' ? v : v?.[0];
  }
  return undefined;
}
