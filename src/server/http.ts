// The HTTP front: one node:http server for every service. Per request: read the body (bounded),
// authenticate (SigV4), decode the operation in its service's protocol, run it through the
// runtime's operation table, encode the answer — and log one line.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadServiceModel, renderResponse, type ServiceModel } from '../protocol/index.js';
import { authenticate, protocolOf, readSignature } from './authenticate.js';
import { DEFAULT_MAX_BODY_BYTES, readBody } from './body.js';
import {
  fromAwsError, internalFailure, isAwsError, malformedHttpRequest, notImplemented, renderError, requestEntityTooLarge,
  serviceUnavailable, type WireError, type WireProtocol, type WireResponse,
} from './errors.js';
import { createLogger, type Logger, type RequestLogLine } from './log.js';
import {
  defaultModelFor, guessQueryModel, isWriteOperation, parseOperation, queryParameters, type RoutedRequest, type ServiceRoute,
} from './routing.js';
import type { ServiceRuntime } from './service-runtime.js';
// AUDIT HOOK (issue 6): every answered API call is recorded before its answer is sent.
import { operationHint, type AuditCall } from '../services/audit/record.js';
import type { Caller } from '../services/types.js';
// ACCOUNTABILITY (issue 6): the console-style sign-in API, and last-use records of keys and roles.
import { SIGNIN_PATH, serveSignin } from './signin.js';
import { recordAccessKeyUse } from '../services/iam/access-keys.js';
import { recordRoleUse } from '../services/iam/last-accessed.js';
// OUTBOUND FEDERATION: the issuers' public discovery and JWKS documents.
import { ISSUER_PATH_PREFIX, serveIssuerDocument } from './issuer-endpoints.js';

/** Path of the health check: 200 once the runtime serves, 503 before. Not authenticated. */
export const HEALTH_PATH = '/_warden/health';

export interface ServerOptions {
  logger?: Logger;
  /** Largest request body accepted (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Take the source IP from `X-Forwarded-For` and `aws:SecureTransport` from
   * `X-Forwarded-Proto` (only behind a proxy you run; default false: the socket's address).
   */
  trustProxy?: boolean;
  /** The clock (tests). */
  now?: () => Date;
}

export interface WardenServer {
  readonly server: Server;
  /** Whether a runtime is set (the health check answers 200). */
  readonly ready: boolean;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Starts serving API requests with `runtime` (until then they get 503 ServiceUnavailable). */
  setRuntime(runtime: ServiceRuntime): void;
  /**
   * Stops accepting connections and waits for requests in flight (at most `graceMs`, default
   * 10 s, then cuts the remaining connections). Does not close the runtime.
   */
  close(graceMs?: number): Promise<void>;
}

/** What one request has established so far, for its log line and its error answer. */
interface RequestState {
  requestId: string;
  started: number;
  sourceIp: string;
  protocol: WireProtocol;
  model?: ServiceModel;
  service?: string;
  operation?: string;
  accessKeyId?: string;
  /** AUDIT HOOK: what the call's audit event needs, filled in as the request goes. */
  audit: {
    time: Date;
    caller?: Caller;
    region?: string;
    userAgent?: string;
    input?: Record<string, unknown>;
    output?: Record<string, unknown>;
    /** The request once its body is read (only to read the operation name of undecoded requests). */
    routed?: RoutedRequest;
  };
}

function normalizeIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function modelOf(route: ServiceRoute): ServiceModel {
  return loadServiceModel(route.model);
}

/** Creates the server (not yet listening). */
export function createWardenServer(options: ServerOptions = {}): WardenServer {
  const logger = options.logger ?? createLogger();
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? (() => new Date());
  let runtime: ServiceRuntime | undefined;
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  /** AUDIT HOOK: the audit event's facts for the answer being sent. */
  function auditCallOf(state: RequestState, status: number, errorCode?: string, errorMessage?: string): AuditCall {
    const a = state.audit;
    let operation = state.operation;
    if (operation === undefined && a.routed) {
      const t = a.routed.headers['x-amz-target'];
      const target = Array.isArray(t) ? t[0] : t;
      operation = operationHint(target !== undefined ? { target } : { action: state.protocol === 'query' ? queryParameters(a.routed).get('Action') : undefined });
    }
    return {
      requestId: state.requestId, time: a.time, service: state.service, operation, region: a.region, sourceIp: state.sourceIp,
      userAgent: a.userAgent, accessKeyId: state.accessKeyId, caller: a.caller, input: a.input, output: a.output,
      status, errorCode, errorMessage,
    };
  }

  /**
   * AUDIT HOOK (Vault's rule for audit devices): the event is durable before the answer goes
   * out; if it cannot be written, the caller gets 500 InternalFailure instead of the answer.
   */
  async function send(res: ServerResponse, state: RequestState, response: WireResponse, errorCode?: string, errorMessage?: string): Promise<void> {
    const trail = runtime?.audit;
    if (trail?.enabled && !res.headersSent) {
      try {
        await trail.record(auditCallOf(state, response.status, errorCode, errorMessage));
      } catch (e) {
        logger.error('audit write failed; answering InternalFailure', { requestId: state.requestId, error: e instanceof Error ? e.message : String(e) });
        const failure = internalFailure();
        response = renderError(state.protocol, failure, state.requestId, state.model ?? defaultModelFor(state.protocol));
        errorCode = failure.code;
      }
    }
    if (!res.headersSent) {
      // A string body: Node writes the head and a string body in one send (a Buffer body is a
      // second chunk of a writev).
      const headers: Record<string, string | number> = { ...response.headers, 'Content-Length': Buffer.byteLength(response.body, 'utf8') };
      if (closing) headers.Connection = 'close';
      res.writeHead(response.status, headers);
      res.end(response.body, 'utf8');
    }
    const line: RequestLogLine = {
      requestId: state.requestId,
      method: res.req.method ?? '',
      service: state.service,
      operation: state.operation,
      status: response.status,
      errorCode,
      ms: Math.round((performance.now() - state.started) * 100) / 100,
      accessKeyId: state.accessKeyId,
      sourceIp: state.sourceIp,
    };
    logger.request(line);
  }

  function sendError(res: ServerResponse, state: RequestState, error: WireError): Promise<void> {
    return send(res, state, renderError(state.protocol, error, state.requestId, state.model ?? defaultModelFor(state.protocol)), error.code, error.message);
  }

  function sendHealth(res: ServerResponse, state: RequestState): void {
    const ok = runtime !== undefined && !closing;
    const body = JSON.stringify({ status: ok ? 'ok' : closing ? 'stopping' : 'starting' });
    res.statusCode = ok ? 200 : 503;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    logger.debug('health', { requestId: state.requestId, status: res.statusCode, sourceIp: state.sourceIp });
  }

  /** Fills `state` as the request goes, so that an exception is answered in the right protocol. */
  async function handle(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const requestId = state.requestId;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    const routed: RoutedRequest = {
      method: req.method ?? 'GET',
      path,
      query: rawQuery,
      headers: req.headersDistinct as Record<string, string[] | undefined>,
      body: Buffer.alloc(0),
    };
    if (path === HEALTH_PATH) {
      req.resume();
      sendHealth(res, state);
      return;
    }
    // ACCOUNTABILITY (issue 6): POST /_warden/signin (JSON, not SigV4; audits its own ConsoleLogin events).
    if (path === SIGNIN_PATH) {
      const status = await serveSignin(req, res, closing ? undefined : runtime, {
        requestId, sourceIp: state.sourceIp, userAgent: firstHeader(req, 'user-agent'), now: now(),
      });
      logger.request({ requestId, method: req.method ?? '', service: 'signin', operation: 'ConsoleLogin', status, ms: Math.round((performance.now() - state.started) * 100) / 100, sourceIp: state.sourceIp });
      return;
    }
    // OUTBOUND FEDERATION: GET <issuer>/.well-known/{openid-configuration,jwks.json}, not authenticated.
    if (path.startsWith(ISSUER_PATH_PREFIX)) {
      const status = await serveIssuerDocument(req, res, closing ? undefined : runtime, path);
      logger.request({ requestId, method: req.method ?? '', service: 'issuer', status, ms: Math.round((performance.now() - state.started) * 100) / 100, sourceIp: state.sourceIp });
      return;
    }

    // The signature names the service (and so the protocol of any error) before the body is read.
    const signature = readSignature(routed);
    const known = protocolOf(routed, signature);
    state.protocol = known.protocol;
    if (known.route) {
      state.model = modelOf(known.route);
      state.service = known.route.signingName;
    }
    if (signature.ok) state.accessKeyId = signature.auth.accessKeyId;

    const body = await readBody(req, maxBody);
    if (!body.ok) {
      if (body.reason === 'too-large') {
        // Not drained: the client is still sending; answer and cut the connection.
        if (!body.drained) {
          res.setHeader('Connection', 'close');
          res.once('finish', () => req.socket.destroy());
        }
        await sendError(res, state, requestEntityTooLarge());
      } else {
        await sendError(res, state, malformedHttpRequest());
      }
      return;
    }
    routed.body = body.body;
    state.audit.routed = routed;
    if (!state.model && state.protocol === 'query') state.model = guessQueryModel(routed);

    const current = runtime;
    if (!current || closing) {
      await sendError(res, state, serviceUnavailable());
      return;
    }

    const at = now();
    const authn = await authenticate(current, routed, signature, at);
    if (!authn.ok) {
      state.protocol = authn.protocol;
      if (authn.route) {
        state.model = modelOf(authn.route);
        state.service = authn.route.signingName;
      }
      await sendError(res, state, authn.error);
      return;
    }
    const route = authn.route;
    const model = modelOf(route);
    state.protocol = route.protocol;
    state.model = model;
    state.service = route.signingName;
    state.audit.caller = authn.caller;
    state.audit.region = authn.region;
    // ACCOUNTABILITY (issue 6): last use of long-term keys (GetAccessKeyLastUsed, credential report)
    // and of roles (RoleLastUsed); debounced, off the request's path, never failing it.
    if (!authn.caller.session) {
      recordAccessKeyUse(current.store, authn.caller.accessKeyId, route.signingName, authn.region, at)
        .catch((e: unknown) => logger.warn('access key last use not recorded', { requestId, error: e instanceof Error ? e.message : String(e) }));
    } else if (authn.caller.roleName !== undefined) {
      recordRoleUse(current.store, authn.caller.accountId, authn.caller.roleName, authn.region, at)
        .catch((e: unknown) => logger.warn('role last use not recorded', { requestId, error: e instanceof Error ? e.message : String(e) }));
    }

    const parsed = parseOperation(route, routed);
    if (!parsed.ok) {
      await sendError(res, state, fromAwsError(parsed.error));
      return;
    }
    state.operation = parsed.operation;
    const table = current.operations[route.table];
    const handler = table && Object.prototype.hasOwnProperty.call(table, parsed.operation) ? table[parsed.operation] : undefined;
    if (!handler) {
      state.audit.input = parsed.input;
      await sendError(res, state, notImplemented(`operation \`${parsed.operation}\``));
      return;
    }

    const secureHeader = options.trustProxy ? firstHeader(req, 'x-forwarded-proto') : undefined;
    const ctx = current.createContext(authn.caller, {
      requestId,
      sourceIp: state.sourceIp,
      userAgent: firstHeader(req, 'user-agent'),
      region: authn.region,
      secureTransport: secureHeader !== undefined ? secureHeader.toLowerCase() === 'https' : false,
      now: at,
    });
    state.audit.input = parsed.input;
    const output = await handler(ctx, parsed.input);
    state.audit.output = output;
    if (isWriteOperation(parsed.operation)) await current.afterWrite();

    await send(res, state, renderResponse(model, parsed.operation, output, requestId));
  }

  const server = createServer((req, res) => {
    inFlight++;
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const forwardedFor = options.trustProxy ? firstHeader(req, 'x-forwarded-for')?.split(',')[0]?.trim() : undefined;
    const state: RequestState = {
      requestId,
      started: performance.now(),
      sourceIp: forwardedFor || normalizeIp(req.socket.remoteAddress),
      protocol: 'query',
      audit: { time: now(), userAgent: firstHeader(req, 'user-agent') },
    };
    handle(req, res, state)
      .catch((e: unknown) => {
        if (isAwsError(e)) {
          // An operation's answer, in the protocol of its service.
          return sendError(res, state, fromAwsError(e));
        }
        logger.error('unhandled error', { requestId, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        return sendError(res, state, internalFailure());
      })
      .catch((e: unknown) => {
        logger.error('unhandled error while answering', { requestId, error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0 && drained) drained();
      });
  });
  // Keep idle connections longer than clients do (Node's default is 5 s): an SDK that reuses a
  // pooled connection just as the server closes it gets ECONNRESET. AWS's load balancers keep
  // 60 s; headersTimeout must exceed keepAliveTimeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Unparseable HTTP (no request to answer in a protocol): a bare status, as Node would, and
    // close. Headers or a URL over Node's limit (16 KiB) get 431.
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  return {
    server,
    get ready() {
      return runtime !== undefined;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (e: Error): void => reject(e);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    setRuntime(r) {
      runtime = r;
    },
    close(graceMs = 10_000) {
      closing = true;
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const idle = new Promise<void>((r) => {
          if (inFlight === 0) r();
          else drained = r;
        });
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        void idle.then(() => {
          clearTimeout(timer);
          server.closeIdleConnections();
        });
      });
    },
  };
}
