// Which REST operation a request names: `http.method` plus `http.requestUri` templates such as
// `/analyzer/{analyzerName}/archive-rule/{ruleName}`, greedy labels `{key+}`, and constant
// query parts (`/x?foo=bar&flag`). The most specific template wins.
import type { ServiceModel } from './model.js';

type Segment = { literal: string } | { label: string; greedy: boolean };

interface Route {
  operation: string;
  method: string;
  segments: Segment[];
  /** Constant query parameters the URI demands: value, or null for "present". */
  query: Array<[string, string | null]>;
  score: number;
}

/** An operation with the values of its URI labels (percent-decoded). */
export interface RestMatch {
  operation: string;
  labels: Record<string, string>;
  /** Query keys fixed by the URI template; they bind to no member. */
  constantQueryKeys: string[];
}

const routeCache = new WeakMap<ServiceModel, Route[]>();

function compile(model: ServiceModel): Route[] {
  const routes: Route[] = [];
  for (const op of Object.values(model.operations)) {
    if (!op.http) continue;
    const [pathPart, queryPart = ''] = op.http.requestUri.split('?', 2);
    const segments: Segment[] = pathPart.split('/').filter((s) => s !== '').map((s) => {
      const m = /^\{([^}+]+)(\+)?\}$/.exec(s);
      return m ? { label: m[1], greedy: m[2] === '+' } : { literal: s };
    });
    const query: Array<[string, string | null]> = queryPart === '' ? [] : queryPart.split('&').map((kv) => {
      const i = kv.indexOf('=');
      return i < 0 ? [kv, null] : [kv.slice(0, i), kv.slice(i + 1)];
    });
    const literals = segments.filter((s) => 'literal' in s).length;
    const greedy = segments.some((s) => 'greedy' in s && s.greedy);
    routes.push({ operation: op.name, method: op.http.method.toUpperCase(), segments, query, score: literals * 100 + query.length * 10 + (greedy ? 0 : 5) + segments.length });
  }
  routes.sort((a, b) => b.score - a.score);
  return routes;
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function matchSegments(route: Route, parts: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (let s = 0; s < route.segments.length; s++) {
    const seg = route.segments[s];
    if ('literal' in seg) {
      if (i >= parts.length || decodeSegment(parts[i]) !== seg.literal) return undefined;
      i++;
    } else if (seg.greedy) {
      const rest = route.segments.length - s - 1; // segments after the greedy label
      const take = parts.length - i - rest;
      if (take < 1) return undefined;
      const value = decodeSegment(parts.slice(i, i + take).join('/'));
      if (value === undefined) return undefined;
      labels[seg.label] = value;
      i += take;
    } else {
      if (i >= parts.length) return undefined;
      const value = decodeSegment(parts[i]);
      if (value === undefined || value === '') return undefined;
      labels[seg.label] = value;
      i++;
    }
  }
  return i === parts.length ? labels : undefined;
}

/**
 * The operation a REST request names, with its URI labels; `path` is the raw (still
 * percent-encoded) path, `query` the query string parameters. Undefined when none matches.
 */
export function matchRestOperation(model: ServiceModel, method: string, path: string, query: URLSearchParams = new URLSearchParams()): RestMatch | undefined {
  let routes = routeCache.get(model);
  if (!routes) {
    routes = compile(model);
    routeCache.set(model, routes);
  }
  const q = path.indexOf('?');
  const rawPath = q < 0 ? path : path.slice(0, q);
  const parts = rawPath.split('/').filter((s) => s !== '');
  const verb = method.toUpperCase();
  for (const route of routes) {
    if (route.method !== verb) continue;
    if (!route.query.every(([k, v]) => (v === null ? query.has(k) : query.get(k) === v))) continue;
    const labels = matchSegments(route, parts);
    if (labels) return { operation: route.operation, labels, constantQueryKeys: route.query.map(([k]) => k) };
  }
  return undefined;
}
