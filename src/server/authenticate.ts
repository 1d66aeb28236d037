// Who is calling: SigV4 parse → credentials lookup → signature check, each failure as the AWS
// error the caller's service would answer with.
import { parseSignedRequest, verifySignature, type ParseSignedRequestResult, type SignedRequestAuth } from '../sigv4/index.js';
import type { Caller } from '../services/types.js';
import { authenticationError, fromSigV4Error, notImplemented, type WireError, type WireProtocol } from './errors.js';
import { guessProtocol, routeForService, unsignedRoute, type RoutedRequest, type ServiceRoute } from './routing.js';
import type { ServiceRuntime } from './service-runtime.js';

/** The region of calls that carry no credential scope (IAM and STS's global endpoints). */
const DEFAULT_REGION = 'us-east-1';

/**
 * The caller of an unsigned request that AWS accepts unsigned (AssumeRoleWithWebIdentity,
 * AssumeRoleWithSAML): `aws:userid` is `anonymous`, as AWS gives anonymous callers. The STS
 * operation authenticates the request from its token or assertion.
 */
export function anonymousCaller(): Caller {
  return { principal: { kind: 'anonymous' }, accountId: '', accessKeyId: '', userId: 'anonymous' };
}

export type AuthenticationResult =
  | {
    ok: true;
    caller: Caller;
    route: ServiceRoute;
    region: string;
    /** Absent for unsigned requests. */
    auth?: SignedRequestAuth;
  }
  | {
    ok: false;
    error: WireError;
    /** The protocol to answer in (the scope's service's, or a guess from the request). */
    protocol: WireProtocol;
    route?: ServiceRoute;
    accessKeyId?: string;
  };

/** What the request's signature claims, read before the body (it needs no secret). */
export function readSignature(req: RoutedRequest): ParseSignedRequestResult {
  return parseSignedRequest({ method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body });
}

/** The protocol to answer in, once the signature (maybe) named a service. */
export function protocolOf(req: RoutedRequest, signature: ParseSignedRequestResult): { protocol: WireProtocol; route?: ServiceRoute } {
  const route = signature.ok ? routeForService(signature.auth.service) : undefined;
  return route ? { protocol: route.protocol, route } : { protocol: guessProtocol(req) };
}

/**
 * Authenticates `req` (whose body has been read): the SigV4 claims in `signature` (from
 * `readSignature`), the caller's credentials from the runtime, then the signature itself
 * (15 minutes of clock skew, constant-time comparison). Never throws on user input.
 */
export async function authenticate(runtime: ServiceRuntime, req: RoutedRequest, signature: ParseSignedRequestResult, now: Date): Promise<AuthenticationResult> {
  if (!signature.ok) {
    if (signature.error.code === 'MissingAuthenticationToken') {
      const route = unsignedRoute(req);
      if (route) return { ok: true, caller: anonymousCaller(), route, region: DEFAULT_REGION };
    }
    const protocol = guessProtocol(req);
    return { ok: false, protocol, error: fromSigV4Error(protocol, signature.error) };
  }
  const auth = signature.auth;
  const route = routeForService(auth.service);
  if (!route) {
    return { ok: false, protocol: guessProtocol(req), error: notImplemented(`service \`${auth.service}\``), accessKeyId: auth.accessKeyId };
  }
  const fail = (error: WireError): AuthenticationResult => ({ ok: false, protocol: route.protocol, route, error, accessKeyId: auth.accessKeyId });

  const resolved = await runtime.resolveCredentials(auth.accessKeyId, auth.securityToken, now);
  if (!resolved.ok) return fail(authenticationError(route.protocol, resolved.code, resolved.message, 403));

  const verified = verifySignature(req, auth, resolved.secretAccessKey, { now });
  if (!verified.ok) return fail(fromSigV4Error(route.protocol, verified.error));
  return { ok: true, caller: resolved.caller, route, region: auth.region, auth };
}
