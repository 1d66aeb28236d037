// `warden serve`: open the store, check the master key, bootstrap the management account, and
// serve every service on one HTTP endpoint until SIGTERM/SIGINT.
//
// Default port 8411: clear of LocalStack (4566), PostgreSQL (5432), MinIO (9000), and the usual
// development ports (3000, 8000, 8080).
import { resolve } from 'node:path';
import { createSecretBox, ensurePrivateDirectory, loadMasterKey, verifyMasterKey } from '../crypto/secrets.js';
import { bootstrap, formatCredentialsProfile } from '../server/bootstrap.js';
import { startCredentialEndpoints, type CredentialEndpoints } from '../server/credential-endpoints.js';
import { createWardenServer } from '../server/http.js';
import { createLogger, isLogLevel, LOG_LEVELS, type Logger } from '../server/log.js';
import type { CreateServiceRuntime, ServiceRuntime } from '../server/service-runtime.js';
import { createServiceRuntime } from '../services/runtime.js';
import { openStore, type Store } from '../store/index.js';
import { UsageError, parseCommandLine, runCommand, type Command } from './command.js';

/** The default listening port of `warden serve`. */
export const DEFAULT_PORT = 8411;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = '.warden';

const HELP = `usage: warden serve [options]

  --host HOST          address to listen on (default ${DEFAULT_HOST}; WARDEN_HOST)
  --port PORT          port to listen on, 0 for any free one (default ${DEFAULT_PORT}; WARDEN_PORT)
  --data-dir DIR       data directory: SQLite store, master key, root credentials
                       (default ./${DEFAULT_DATA_DIR}; WARDEN_DATA_DIR)
  --store URL          postgres://… to use PostgreSQL instead of SQLite (WARDEN_STORE)
  --log-level LEVEL    ${LOG_LEVELS.join(' | ')} (default info; WARDEN_LOG_LEVEL)
  --trust-proxy        take the source IP and scheme from X-Forwarded-For/-Proto
  --max-body-bytes N   largest request body accepted (default 1048576)
  --imds-role ARN      also serve an IMDSv2-compatible endpoint handing out this role's
                       temporary credentials (WARDEN_IMDS_ROLE); SDKs find it with
                       AWS_EC2_METADATA_SERVICE_ENDPOINT
  --imds-port PORT     its port, 0 for any free one (default 0; WARDEN_IMDS_PORT)
  --ecs-role ARN       also serve an ECS-style container credentials endpoint for this role
                       (WARDEN_ECS_ROLE); SDKs find it with AWS_CONTAINER_CREDENTIALS_FULL_URI
                       and AWS_CONTAINER_AUTHORIZATION_TOKEN (printed on start)
  --ecs-port PORT      its port (default 0; WARDEN_ECS_PORT)
  --credentials-host HOST  address of both credential endpoints (default 127.0.0.1)
  --public-url URL     the URL clients reach this server at (WARDEN_PUBLIC_URL; default
                       http://HOST:PORT as listening): outbound identity federation issuers
                       are <URL>/_warden/issuers/<id>
  -h, --help           this help

First start creates the management account and prints its root access key once (also
written to <data-dir>/root-credentials), unless WARDEN_ROOT_ACCESS_KEY_ID and
WARDEN_ROOT_SECRET_ACCESS_KEY are set. WARDEN_ACCOUNT_ID picks the account id.
The master key comes from WARDEN_MASTER_KEY (base64 of 32 bytes) or <data-dir>/master.key;
nodes sharing one PostgreSQL store need the same key (a wrong key stops the start).
`;

interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  storeUrl?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  trustProxy: boolean;
  maxBodyBytes?: number;
  imdsRole?: string;
  imdsPort: number;
  ecsRole?: string;
  ecsPort: number;
  credentialsHost: string;
  publicUrl?: string;
}

function portOf(flag: string, text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--${flag} must be 0..65535, got \`${text}\``);
  return Number(text);
}

function roleOf(flag: string, arn: string | undefined): string | undefined {
  if (arn === undefined || arn === '') return undefined;
  if (!/^arn:aws:iam::\d{12}:role\/.+$/.test(arn)) throw new UsageError(`--${flag} must be a role ARN (arn:aws:iam::ACCOUNT:role/NAME), got \`${arn}\``);
  return arn;
}

/** `--public-url`: an http(s) URL without query or fragment; kept without its trailing slash. */
function publicUrlOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--public-url must be an http:// or https:// URL, got \`${text}\``);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new UsageError(`--public-url must be an http:// or https:// URL without credentials, query or fragment, got \`${text}\``);
  }
  return url.href.replace(/\/+$/, '');
}

function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServeConfig | 'help' {
  const parsed = parseCommandLine({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      'log-level': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'max-body-bytes': { type: 'string' },
      'imds-role': { type: 'string' },
      'imds-port': { type: 'string' },
      'ecs-role': { type: 'string' },
      'ecs-port': { type: 'string' },
      'credentials-host': { type: 'string' },
      'public-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const values = parsed.values;
  if (values.help) return 'help';
  const portText = values.port ?? env.WARDEN_PORT ?? String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0..65535, got \`${portText}\``);
  const logLevel = values['log-level'] ?? env.WARDEN_LOG_LEVEL ?? 'info';
  if (!isLogLevel(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got \`${logLevel}\``);
  let maxBodyBytes: number | undefined;
  if (values['max-body-bytes'] !== undefined) {
    if (!/^\d{1,10}$/.test(values['max-body-bytes']) || Number(values['max-body-bytes']) < 1024) {
      throw new UsageError(`--max-body-bytes must be a number of bytes of at least 1024, got \`${values['max-body-bytes']}\``);
    }
    maxBodyBytes = Number(values['max-body-bytes']);
  }
  const storeUrl = values.store ?? (env.WARDEN_STORE || undefined);
  if (storeUrl !== undefined && !/^postgres(ql)?:\/\//i.test(storeUrl)) {
    throw new UsageError(`--store must be a postgres:// or postgresql:// URL (SQLite lives in --data-dir), got \`${storeUrl.replace(/\/\/[^@/]*@/, '//…@')}\``);
  }
  return {
    host: values.host ?? env.WARDEN_HOST ?? DEFAULT_HOST,
    port: Number(portText),
    dataDir: resolve(values['data-dir'] ?? env.WARDEN_DATA_DIR ?? DEFAULT_DATA_DIR),
    storeUrl,
    logLevel,
    trustProxy: values['trust-proxy'] === true,
    maxBodyBytes,
    imdsRole: roleOf('imds-role', values['imds-role'] ?? env.WARDEN_IMDS_ROLE),
    imdsPort: portOf('imds-port', values['imds-port'] ?? env.WARDEN_IMDS_PORT),
    ecsRole: roleOf('ecs-role', values['ecs-role'] ?? env.WARDEN_ECS_ROLE),
    ecsPort: portOf('ecs-port', values['ecs-port'] ?? env.WARDEN_ECS_PORT),
    credentialsHost: values['credentials-host'] ?? env.WARDEN_CREDENTIALS_HOST ?? '127.0.0.1',
    publicUrl: publicUrlOf(values['public-url'] ?? (env.WARDEN_PUBLIC_URL || undefined)),
  };
}

/** The services runtime factory, checked against the shape the server needs. */
const createRuntime: CreateServiceRuntime = createServiceRuntime;

function endpointOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

async function serve(config: ServeConfig, logger: Logger): Promise<number> {
  ensurePrivateDirectory(config.dataDir);
  const master = loadMasterKey({ dataDir: config.dataDir });
  if (master.source === 'file-created') logger.info('master key created', { path: master.path });
  const secrets = createSecretBox(master.key);

  let store: Store | undefined;
  let runtime: ServiceRuntime | undefined;
  let credentialEndpoints: CredentialEndpoints | undefined;
  const server = createWardenServer({ logger, trustProxy: config.trustProxy, maxBodyBytes: config.maxBodyBytes });

  let stopping: Promise<number> | undefined;
  const stop = (signal: string): Promise<number> => {
    stopping ??= (async () => {
      logger.info('stopping', { signal });
      await credentialEndpoints?.close();
      await server.close();
      try {
        await runtime?.close();
      } finally {
        await store?.close();
      }
      logger.info('stopped');
      return 0;
    })();
    return stopping;
  };
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stop(signal).then(
      (code) => process.exit(code),
      (e: unknown) => {
        logger.error('shutdown failed', { error: e instanceof Error ? e.message : String(e) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    const storeOptions = config.storeUrl !== undefined ? { url: config.storeUrl } : { dataDir: config.dataDir };
    store = await openStore(storeOptions);
    await verifyMasterKey(store, master.key);
    const address = await server.listen(config.port, config.host);
    const endpoint = endpointOf(config.host, address.port);
    logger.info('listening', { endpoint, store: store.backend, dataDir: config.dataDir });

    const boot = await bootstrap({ store, secrets, dataDir: config.dataDir, endpoint });
    for (const warning of boot.warnings) logger.warn(warning);
    if (boot.created) logger.info('management account created', { accountId: boot.accountId });
    if (boot.generated) {
      // Printed once, on stdout only; the log names the file, never the secret.
      process.stdout.write(
        `\nWarden created the root access key of management account ${boot.accountId}.\n` +
        `It is shown this once; it is also in ${boot.generated.file} (mode 0600).\n` +
        `Copy it into ~/.aws/credentials, or use the file as it is:\n` +
        `  AWS_SHARED_CREDENTIALS_FILE=${boot.generated.file} AWS_PROFILE=warden aws iam list-users\n\n` +
        formatCredentialsProfile(boot.generated, endpoint) + '\n');
      logger.info('root access key generated', { accessKeyId: boot.generated.accessKeyId, file: boot.generated.file });
    }

    // The audit trail appends on a writer thread with its own connection to the same store.
    runtime = await createRuntime({ store, secrets, accountId: boot.accountId, storeOptions, publicUrl: config.publicUrl ?? endpoint });
    if (stopping) return await stopping;
    server.setRuntime(runtime);
    logger.info('ready', { endpoint, accountId: boot.accountId });
    if (config.imdsRole !== undefined || config.ecsRole !== undefined) {
      const host = config.credentialsHost;
      credentialEndpoints = await startCredentialEndpoints(runtime, {
        ...(config.imdsRole !== undefined ? { imds: { roleArn: config.imdsRole, port: config.imdsPort, host } } : {}),
        ...(config.ecsRole !== undefined ? { ecs: { roleArn: config.ecsRole, port: config.ecsPort, host } } : {}),
        requireRoleAtStart: false,
        onError: (message) => logger.warn(message),
      });
      const { imds, ecs } = credentialEndpoints;
      if (imds) logger.info('instance metadata endpoint', { role: config.imdsRole, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint });
      if (ecs) {
        logger.info('container credentials endpoint', { role: config.ecsRole, AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.fullUri });
        // The authorization token on stdout only, never in the log.
        process.stdout.write(`\nContainer credentials for ${config.ecsRole}:\n` +
          `  export AWS_CONTAINER_CREDENTIALS_FULL_URI=${ecs.fullUri}\n` +
          `  export AWS_CONTAINER_AUTHORIZATION_TOKEN=${ecs.authorizationToken}\n\n`);
      }
    }
  } catch (e) {
    logger.error('start failed', { error: e instanceof Error ? e.message : String(e) });
    process.stderr.write(`warden serve: ${e instanceof Error ? e.message : String(e)}\n`);
    await credentialEndpoints?.close().catch(() => undefined);
    await server.close(0).catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    return 1;
  }
  // Keep running: the signal handlers end the process.
  return new Promise<number>(() => undefined);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve IAM, STS, Organizations, Access Analyzer and CloudTrail over HTTP',
  async run(argv) {
    return runCommand('serve', HELP, () => readConfig(argv, process.env), (config) => serve(config, createLogger({ level: config.logLevel })));
  },
};
