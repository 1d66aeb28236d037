// Credentials for applications, as an unmodified AWS SDK's default credential chain finds them:
//
// - an IMDSv2-compatible instance metadata endpoint (what EC2 serves on 169.254.169.254):
//   `PUT /latest/api/token` (header `X-aws-ec2-metadata-token-ttl-seconds`, 1–21,600) gives a
//   session token; `GET /latest/meta-data/iam/security-credentials/` (with the token in
//   `X-aws-ec2-metadata-token`) names the role and `GET …/security-credentials/<role>` gives
//   `{Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration}`. Point SDKs at
//   it with AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:PORT.
// - an ECS-style container credentials endpoint: `GET <path>` with the `Authorization` header
//   equal to the configured token gives `{AccessKeyId, SecretAccessKey, Token, Expiration,
//   RoleArn}`. Point SDKs at it with AWS_CONTAINER_CREDENTIALS_FULL_URI and
//   AWS_CONTAINER_AUTHORIZATION_TOKEN.
//
// Both hand out temporary credentials of one configured role, issued as a role session whose
// trust policy must allow the service principal (`ec2.amazonaws.com`, `ecs-tasks.amazonaws.com`)
// to assume it, as for an instance profile or task role; they are re-issued well before expiry
// (SDKs refresh 5–15 minutes before). Both bind to 127.0.0.1 by default.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretBox } from '../crypto/secrets.js';
import type { Principal } from '../policy/index.js';
import type { RoleDoc } from '../services/iam/entities.js';
import { issueSessionCredentials, type SessionCredentials } from '../services/sts/credentials.js';
import { findRole, parseRoleArn, trustAllows } from '../services/sts/web-identity.js';
import type { CallContext } from '../services/types.js';
import type { Store } from '../store/index.js';

export interface CredentialSourceOptions {
  /** The role whose credentials are handed out: `arn:aws:iam::ACCOUNT:role/…`. */
  roleArn: string;
  /** Port to listen on (0: any free one). IMDS default 0; ECS default 0. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Lifetime of each credential set, seconds (default: the role's MaxSessionDuration, at most 6 hours). */
  durationSeconds?: number;
  /** Require the role's trust policy to allow the service principal (default true). */
  checkTrust?: boolean;
}

export interface ImdsOptions extends CredentialSourceOptions {
  /** Also answer IMDSv1 requests (no session token). Default false: IMDSv2 required. */
  allowV1?: boolean;
}

export interface EcsOptions extends CredentialSourceOptions {
  /** Request path of the credentials (default `/v2/credentials/<random id>`). */
  path?: string;
  /** The value the `Authorization` header must carry (default: 32 random bytes, base64url). */
  authorizationToken?: string;
}

export interface CredentialEndpointOptions {
  imds?: ImdsOptions;
  ecs?: EcsOptions;
  /** The clock (tests). */
  now?: () => Date;
  /** Where problems are reported (role deleted, trust no longer allows, …). */
  onError?: (message: string) => void;
  /**
   * Fail the start when the role's first credentials cannot be issued (default true). With
   * false, the problem is reported to `onError` and the endpoints answer once the role exists
   * (e.g. `warden serve` started before the role was created).
   */
  requireRoleAtStart?: boolean;
}

export interface CredentialEndpoints {
  /** `http://127.0.0.1:PORT` — the value for AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  imds?: { endpoint: string; port: number; roleName: string };
  /** The values for AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  ecs?: { fullUri: string; authorizationToken: string; port: number };
  close(): Promise<void>;
}

/** What the endpoints need from the runtime. */
export interface CredentialRuntime {
  store: Store;
  secrets: SecretBox;
}

const MAX_DEFAULT_SECONDS = 6 * 3600;
const IMDS_TOKEN_MAX_TTL = 21_600;
/** Live IMDS session tokens kept at most. */
const MAX_IMDS_TOKENS = 10_000;

/** Keeps one role's credentials fresh: re-issued once half their lifetime has passed. */
class RoleCredentialSource {
  private current?: { creds: SessionCredentials; issued: number; expires: number };
  private pending?: Promise<SessionCredentials>;
  readonly roleName: string;

  constructor(
    private readonly runtime: CredentialRuntime,
    private readonly roleArn: string,
    private readonly service: string,
    private readonly sessionName: string,
    private readonly options: CredentialSourceOptions,
    private readonly now: () => Date,
  ) {
    const parsed = parseRoleArn(roleArn);
    if (!parsed) throw new Error(`not a role ARN: ${roleArn}`);
    this.roleName = parsed.roleName;
  }

  async get(): Promise<SessionCredentials> {
    const t = this.now().getTime();
    const c = this.current;
    if (c && t < c.issued + (c.expires - c.issued) / 2) return c.creds;
    this.pending ??= this.issue().finally(() => { this.pending = undefined; });
    try {
      return await this.pending;
    } catch (e) {
      // Keep serving unexpired credentials while the role cannot be refreshed.
      if (c && t < c.expires - 60_000) return c.creds;
      throw e;
    }
  }

  private async issue(): Promise<SessionCredentials> {
    const role = await findRole(this.runtime.store, this.roleArn);
    if (!role) throw new Error(`role ${this.roleArn} does not exist`);
    if (this.options.checkTrust !== false) this.checkTrust(role);
    const accountId = parseRoleArn(role.Arn)!.accountId;
    const duration = this.options.durationSeconds ?? Math.min(role.MaxSessionDuration || 3600, MAX_DEFAULT_SECONDS);
    const now = this.now();
    const creds = issueSessionCredentials(this.runtime.secrets, {
      type: 'assumed-role',
      accountId,
      principal: { kind: 'assumedRole', roleArn: role.Arn, roleName: role.RoleName, roleId: role.RoleId },
      sessionName: this.sessionName,
    }, now, duration);
    const issued = Math.floor(now.getTime() / 1000) * 1000;
    this.current = { creds, issued, expires: Date.parse(creds.Expiration) };
    return creds;
  }

  private checkTrust(role: RoleDoc): void {
    const principal: Principal = { kind: 'service', service: this.service };
    const ctx = { sourceIp: '127.0.0.1', region: 'us-east-1', secureTransport: true, now: this.now() } as CallContext;
    if (!trustAllows(ctx, role, principal, 'sts:AssumeRole', { 'sts:RoleSessionName': this.sessionName })) {
      throw new Error(`the trust policy of ${role.Arn} does not allow ${this.service} to assume it`);
    }
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain', headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function instanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The IMDSv2 request handler. */
function imdsHandler(source: RoleCredentialSource, options: ImdsOptions, now: () => Date, onError: (m: string) => void) {
  const tokens = new Map<string, number>();
  const credsPath = '/latest/meta-data/iam/security-credentials/';
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const t = now().getTime();
    if (path === '/latest/api/token') {
      if (req.method !== 'PUT') return send(res, 405, '', 'text/plain', { Allow: 'OPTIONS, PUT' });
      // As EC2: a token request that went through a proxy is refused.
      if (header(req, 'x-forwarded-for') !== undefined) return send(res, 403, 'Forbidden');
      const ttlText = header(req, 'x-aws-ec2-metadata-token-ttl-seconds');
      const ttl = ttlText !== undefined && /^\d{1,5}$/.test(ttlText) ? Number(ttlText) : NaN;
      if (!(ttl >= 1 && ttl <= IMDS_TOKEN_MAX_TTL)) return send(res, 400, 'Bad Request');
      for (const [k, exp] of tokens) if (exp <= t) tokens.delete(k);
      // Bounded: the oldest live token goes first (Map keeps insertion order).
      if (tokens.size >= MAX_IMDS_TOKENS) tokens.delete(tokens.keys().next().value as string);
      const token = randomBytes(42).toString('base64');
      tokens.set(token, t + ttl * 1000);
      return send(res, 200, token, 'text/plain', { 'X-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '', 'text/plain', { Allow: 'OPTIONS, GET, HEAD' });
    const token = header(req, 'x-aws-ec2-metadata-token');
    if (token !== undefined) {
      const exp = tokens.get(token);
      if (exp === undefined || exp <= t) return send(res, 401, 'Unauthorized');
    } else if (!options.allowV1) {
      return send(res, 401, 'Unauthorized');
    }
    if (path === credsPath || path === credsPath.slice(0, -1)) return send(res, 200, source.roleName);
    if (path.startsWith(credsPath)) {
      const name = decodeURIComponent(path.slice(credsPath.length).replace(/\/$/, ''));
      if (name !== source.roleName) return send(res, 404, 'Not Found');
      let creds: SessionCredentials;
      try {
        creds = await source.get();
      } catch (e) {
        onError(`instance metadata credentials: ${e instanceof Error ? e.message : String(e)}`);
        return send(res, 404, 'Not Found');
      }
      const body = {
        Code: 'Success',
        LastUpdated: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Type: 'AWS-HMAC',
        AccessKeyId: creds.AccessKeyId,
        SecretAccessKey: creds.SecretAccessKey,
        Token: creds.SessionToken,
        Expiration: creds.Expiration,
      };
      return send(res, 200, JSON.stringify(body, null, 2), 'text/plain');
    }
    if (path === '/latest/meta-data/iam/info') {
      const account = parseRoleArn(options.roleArn)?.accountId ?? '';
      return send(res, 200, JSON.stringify({
        Code: 'Success',
        LastUpdated: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        InstanceProfileArn: `arn:aws:iam::${account}:instance-profile/${source.roleName}`,
      }, null, 2), 'text/plain');
    }
    if (path === '/latest/meta-data/placement/region' || path === '/latest/meta-data/placement/availability-zone') {
      return send(res, 200, path.endsWith('region') ? 'us-east-1' : 'us-east-1a');
    }
    return send(res, 404, 'Not Found');
  };
}

function ecsHandler(source: RoleCredentialSource, roleArn: string, path: string, authorization: string, onError: (m: string) => void) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const p = (req.url ?? '/').split('?')[0];
    if (p !== path) return send(res, 404, JSON.stringify({ code: 'NotFound', message: 'Not Found' }), 'application/json');
    if (req.method !== 'GET') return send(res, 405, '', 'text/plain', { Allow: 'GET' });
    const given = header(req, 'authorization');
    if (given === undefined || !safeEqual(given, authorization)) {
      return send(res, 401, JSON.stringify({ code: 'Unauthorized', message: 'The authorization token is missing or not valid' }), 'application/json');
    }
    let creds: SessionCredentials;
    try {
      creds = await source.get();
    } catch (e) {
      onError(`container credentials: ${e instanceof Error ? e.message : String(e)}`);
      return send(res, 500, JSON.stringify({ code: 'InternalError', message: 'Credentials are not available' }), 'application/json');
    }
    return send(res, 200, JSON.stringify({
      AccessKeyId: creds.AccessKeyId,
      SecretAccessKey: creds.SecretAccessKey,
      Token: creds.SessionToken,
      Expiration: creds.Expiration,
      RoleArn: roleArn,
    }), 'application/json');
  };
}

function serve(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>, onError: (m: string) => void): Server {
  return createServer((req, res) => {
    req.resume();
    handler(req, res).catch((e: unknown) => {
      onError(`credential endpoint: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
    });
  });
}

/**
 * Starts the instance metadata and/or container credentials endpoints for `runtime`. The
 * first credentials are issued before this resolves, so a missing role or a trust policy that
 * does not allow the service fails the start.
 */
export async function startCredentialEndpoints(runtime: CredentialRuntime, options: CredentialEndpointOptions): Promise<CredentialEndpoints> {
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => undefined);
  const servers: Server[] = [];
  const out: CredentialEndpoints = {
    async close() {
      await Promise.all(servers.map(closeServer));
    },
  };
  const firstIssue = async (source: RoleCredentialSource, what: string): Promise<void> => {
    try {
      await source.get();
    } catch (e) {
      if (options.requireRoleAtStart !== false) throw e;
      onError(`${what} credentials: ${e instanceof Error ? e.message : String(e)} (the endpoint answers once this is fixed)`);
    }
  };
  try {
    if (options.imds) {
      const o = options.imds;
      const source = new RoleCredentialSource(runtime, o.roleArn, 'ec2.amazonaws.com', instanceId(), o, now);
      await firstIssue(source, 'instance metadata');
      const server = serve(imdsHandler(source, o, now, onError), onError);
      servers.push(server);
      const host = o.host ?? '127.0.0.1';
      const addr = await listen(server, o.port ?? 0, host);
      out.imds = { endpoint: `http://${urlHost(host)}:${addr.port}`, port: addr.port, roleName: source.roleName };
    }
    if (options.ecs) {
      const o = options.ecs;
      const taskId = randomBytes(16).toString('hex');
      const source = new RoleCredentialSource(runtime, o.roleArn, 'ecs-tasks.amazonaws.com', taskId, o, now);
      await firstIssue(source, 'container');
      const path = o.path ?? `/v2/credentials/${randomBytes(12).toString('hex')}`;
      if (!path.startsWith('/')) throw new Error(`the container credentials path must start with /, got ${path}`);
      const authorizationToken = o.authorizationToken ?? randomBytes(32).toString('base64url');
      const server = serve(ecsHandler(source, o.roleArn, path, authorizationToken, onError), onError);
      servers.push(server);
      const host = o.host ?? '127.0.0.1';
      const addr = await listen(server, o.port ?? 0, host);
      out.ecs = { fullUri: `http://${urlHost(host)}:${addr.port}${path}`, authorizationToken, port: addr.port };
    }
  } catch (e) {
    await out.close();
    throw e;
  }
  return out;
}
