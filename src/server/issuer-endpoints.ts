// The public documents of outbound identity federation issuers (services/iam/outbound-issuer.ts):
//
//   GET <public URL>/_warden/issuers/<id>/.well-known/openid-configuration   OpenID provider metadata
//   GET <public URL>/_warden/issuers/<id>/.well-known/jwks.json              the public signing keys
//
// Not authenticated, as AWS's issuer endpoints are not: external services fetch them to verify
// tokens from GetWebIdentityToken. They stay published while the feature is disabled (tokens
// issued before remain verifiable). Only ids of existing issuers answer; anything else is 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DISCOVERY_SUFFIX, discoveryDocumentOf, ISSUER_PATH_PREFIX, issuerUrl, JWKS_SUFFIX, jwksOf, OUTBOUND_FEDERATION_KIND,
  type OutboundFederationDoc,
} from '../services/iam/outbound-issuer.js';
import type { ServiceRuntime } from './service-runtime.js';

export { ISSUER_PATH_PREFIX };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Which document a path asks for, or undefined when it names none. */
export function parseIssuerPath(path: string): { issuerId: string; document: 'discovery' | 'jwks' } | undefined {
  if (!path.startsWith(ISSUER_PATH_PREFIX)) return undefined;
  const rest = path.slice(ISSUER_PATH_PREFIX.length);
  for (const [suffix, document] of [[DISCOVERY_SUFFIX, 'discovery'], [JWKS_SUFFIX, 'jwks']] as const) {
    if (rest.endsWith(suffix)) {
      const issuerId = rest.slice(0, rest.length - suffix.length);
      return UUID.test(issuerId) ? { issuerId, document } : undefined;
    }
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
  return status;
}

/** Answers one request under ISSUER_PATH_PREFIX; returns the status sent. `runtime` absent: not serving yet. */
export async function serveIssuerDocument(req: IncomingMessage, res: ServerResponse, runtime: Pick<ServiceRuntime, 'store' | 'publicUrl'> | undefined, path: string): Promise<number> {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
  if (!runtime) return send(res, 503, { error: 'starting' });
  const asked = parseIssuerPath(path);
  if (!asked || runtime.publicUrl === undefined) return send(res, 404, { error: 'not found' });
  const entity = await runtime.store.read((tx) => tx.getById<OutboundFederationDoc>(OUTBOUND_FEDERATION_KIND, asked.issuerId));
  if (!entity) return send(res, 404, { error: 'not found' });
  const body = asked.document === 'jwks' ? jwksOf(entity.data) : discoveryDocumentOf(issuerUrl(runtime.publicUrl, asked.issuerId));
  return send(res, 200, body, { 'Cache-Control': 'public, max-age=300' });
}
