// The AWS CLI pointed at a Warden, as the CLI end-to-end tests drive it: credentials from the
// environment only (no config or credentials file, no pager), JSON output.
import assert from 'node:assert/strict';
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether the `aws` command is installed (tests that need it skip otherwise). */
export const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

/** Credentials as the CLI prints them, or as the SDK (and the harness) spell them. */
export type CliCredentials =
  | { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string }
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
export interface CliResult { ok: boolean; out: Record<string, unknown>; err: string }

/**
 * `endpoint` is read at each call (servers start in `before`). `extra` is added to (and may
 * override) the environment every call runs with, e.g. `{ AWS_MAX_ATTEMPTS: '1' }` or another region.
 */
export function awsCli(endpoint: () => string, extra: Record<string, string> = {}) {
  /** The environment the CLI runs with for `c`. */
  const env = (c: CliCredentials): Record<string, string> => {
    const [id, secret, token] = 'AccessKeyId' in c ? [c.AccessKeyId, c.SecretAccessKey, c.SessionToken] : [c.accessKeyId, c.secretAccessKey, c.sessionToken];
    const e: Record<string, string> = {
      ...process.env as Record<string, string>, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret,
      AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', ...extra,
    };
    delete e.AWS_PROFILE;
    if (token) e.AWS_SESSION_TOKEN = token; else delete e.AWS_SESSION_TOKEN;
    return e;
  };
  const argv = (args: string[]) => ['--endpoint-url', endpoint(), '--output', 'json', ...args];
  /** Runs the CLI; resolves with its output (never rejects). */
  const aws = async (c: CliCredentials, ...args: string[]): Promise<CliResult> => {
    try {
      const { stdout } = await run('aws', argv(args), { env: env(c), timeout: 60_000 });
      return { ok: true, out: stdout.trim() ? JSON.parse(stdout) as Record<string, unknown> : {}, err: '' };
    } catch (e) {
      return { ok: false, out: {}, err: String((e as { stderr?: string }).stderr ?? e) };
    }
  };
  /** Runs the CLI and asserts it succeeded; resolves with its output. */
  const must = async (c: CliCredentials, ...args: string[]): Promise<Record<string, unknown>> => {
    const r = await aws(c, ...args);
    assert.ok(r.ok, `aws ${args.join(' ')} failed: ${r.err}`);
    return r.out;
  };
  /** Runs the CLI synchronously; its exit status, stdout and stderr as they are. */
  const spawn = (c: CliCredentials, ...args: string[]): SpawnSyncReturns<string> =>
    spawnSync('aws', argv(args), { env: env(c), encoding: 'utf8', timeout: 60_000 });
  return { env, aws, must, spawn };
}
