// Which service a request is for, which protocol it speaks, and which operation it names.
// One Warden endpoint serves every service: the SigV4 credential scope's service name
// (`…/us-east-1/iam/aws4_request`) says which one, as AWS's SDKs sign with the service's
// signing name whatever the endpoint URL is.
import {
  loadServiceModel, parseForm, parseJsonRequest, parseQueryRequest, parseRestJsonRequest, type FormPairs, type ParseResult, type ServiceModel,
  type ServiceName,
} from '../protocol/index.js';
import type { WireProtocol } from './errors.js';
import type { ServiceRuntime } from './service-runtime.js';

/** A service Warden answers for. */
export interface ServiceRoute {
  /** The credential scope's service (the signing name). */
  signingName: string;
  /** The AWS model that decodes its requests. */
  model: ServiceName;
  protocol: WireProtocol;
  /** Its operation table in the runtime. */
  table: keyof ServiceRuntime['operations'];
}

/** Every service by signing name; the complete list of what the endpoint serves. */
export const SERVICE_ROUTES: Readonly<Record<string, ServiceRoute>> = Object.freeze({
  iam: { signingName: 'iam', model: 'iam', protocol: 'query', table: 'iam' },
  sts: { signingName: 'sts', model: 'sts', protocol: 'query', table: 'sts' },
  organizations: { signingName: 'organizations', model: 'organizations', protocol: 'json', table: 'organizations' },
  cloudtrail: { signingName: 'cloudtrail', model: 'cloudtrail', protocol: 'json', table: 'cloudtrail' },
  'access-analyzer': { signingName: 'access-analyzer', model: 'accessanalyzer', protocol: 'rest-json', table: 'accessanalyzer' },
});

/** The route of a credential scope's service, or undefined when Warden does not serve it. */
export function routeForService(signingName: string): ServiceRoute | undefined {
  return Object.prototype.hasOwnProperty.call(SERVICE_ROUTES, signingName) ? SERVICE_ROUTES[signingName] : undefined;
}

/** The parts of a request that routing looks at. */
export interface RoutedRequest {
  method: string;
  /** Raw path, without the query. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

function header(req: RoutedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The protocol to answer in before the service is known (e.g. the request is not signed):
 * JSON 1.1 when it names an X-Amz-Target, REST-JSON for JSON bodies to a non-root path,
 * otherwise Query.
 */
export function guessProtocol(req: Pick<RoutedRequest, 'path' | 'headers'>): WireProtocol {
  const r = req as RoutedRequest;
  if (header(r, 'x-amz-target') !== undefined) return 'json';
  const type = header(r, 'content-type') ?? '';
  if (type.startsWith('application/x-amz-json')) return 'json';
  if (req.path !== '/' && req.path !== '' && type.startsWith('application/json')) return 'rest-json';
  return 'query';
}

/** The model whose namespace and error shapes errors of `protocol` use when the service is unknown. */
export function defaultModelFor(protocol: WireProtocol): ServiceModel | undefined {
  return protocol === 'query' ? loadServiceModel('iam') : undefined;
}

/**
 * For an unsigned Query request (its body read): the model its `Version` names — STS's for
 * 2011-06-15, IAM's otherwise — so that its error carries that service's XML namespace.
 */
export function guessQueryModel(req: RoutedRequest): ServiceModel {
  const sts = loadServiceModel('sts');
  return queryParameters(req).get('Version') === sts.metadata.apiVersion ? sts : loadServiceModel('iam');
}

/**
 * Query parameters of a request as name/value pairs: the form body's, then the query string's —
 * what parseOperation decodes, read by parseForm (URLSearchParams' results at a fraction of its
 * cost, on every Query request).
 */
export function queryPairs(req: RoutedRequest): FormPairs {
  const form = req.method === 'POST' && req.body.length > 0 ? parseForm(req.body.toString('utf8')) : [];
  if (req.query === '') return form;
  const query = parseForm(req.query);
  if (form.length === 0) return query;
  for (const pair of query) form.push(pair);
  return form;
}

/** The same parameters as URLSearchParams (`get` gives the first occurrence). */
export function queryParameters(req: RoutedRequest): URLSearchParams {
  return new URLSearchParams(queryPairs(req));
}

/**
 * The operation and decoded input a request names, in its service's protocol. Never throws on
 * user input: bad input is an AwsError result.
 */
export function parseOperation(route: ServiceRoute, req: RoutedRequest): ParseResult {
  const model = loadServiceModel(route.model);
  switch (route.protocol) {
    case 'query':
      return parseQueryRequest(model, queryPairs(req));
    case 'json':
      return parseJsonRequest(model, header(req, 'x-amz-target'), req.body.toString('utf8'));
    case 'rest-json':
      return parseRestJsonRequest(model, {
        method: req.method, path: req.path, query: new URLSearchParams(req.query), headers: { ...req.headers }, body: req.body,
      });
  }
}

// Operation names that only read, by verb. Everything else may write, and is answered only
// once this node's snapshot has caught up with it (read-your-writes).
const READ_OPERATION = /^(?:Get|List|Describe|Simulate|Generate|Lookup|Validate|Check|Decode)[A-Z]/;

// STS operations that hand out credentials: they change nothing authorization reads
// (AssumeRole only records RoleLastUsed, debounced), so they do not wait for the snapshot.
const CREDENTIAL_OPERATIONS: ReadonlySet<string> = new Set(['AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML', 'AssumeRoot']);

/** Whether `operation` may change state (so the answer waits for `runtime.afterWrite()`). */
export function isWriteOperation(operation: string): boolean {
  return !READ_OPERATION.test(operation) && !CREDENTIAL_OPERATIONS.has(operation);
}

// STS operations that take no SigV4 signature: the caller proves itself with a web identity
// token or a SAML assertion instead ("Requesting temporary security credentials", IAM User
// Guide: "AssumeRoleWithWebIdentity … AssumeRoleWithSAML … Caller: Any user; the call does not
// need to be signed").
/** Unsigned STS actions; the STS service authenticates these from their input. */
export const UNSIGNED_STS_ACTIONS: ReadonlySet<string> = new Set(['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);

/**
 * HOOK (STS): the route of an unsigned request that AWS accepts unsigned, or undefined. Such a
 * request runs with the anonymous caller (authenticate.ts `anonymousCaller`); the STS operation
 * authenticates it by its token or assertion.
 */
export function unsignedRoute(req: RoutedRequest): ServiceRoute | undefined {
  if (guessProtocol(req) !== 'query') return undefined;
  const action = queryParameters(req).get('Action');
  return action !== null && UNSIGNED_STS_ACTIONS.has(action) ? SERVICE_ROUTES.sts : undefined;
}
