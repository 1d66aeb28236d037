// The AWS CLI pointed at a Warden, as the CLI end-to-end tests drive it: credentials from the
// environment only (no config or credentials file, no pager), JSON output.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether the `aws` command is installed (tests that need it skip otherwise). */
export const hasAwsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

export interface CliCredentials { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string }
export interface CliResult { ok: boolean; out: Record<string, unknown>; err: string }

/** `endpoint` is read at each call (servers start in `before`). */
export function awsCli(endpoint: () => string) {
  /** The environment the CLI runs with for `c`. */
  const env = (c: CliCredentials): Record<string, string> => {
    const e: Record<string, string> = {
      ...process.env as Record<string, string>, AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '',
    };
    delete e.AWS_PROFILE;
    if (c.SessionToken) e.AWS_SESSION_TOKEN = c.SessionToken; else delete e.AWS_SESSION_TOKEN;
    return e;
  };
  /** Runs the CLI; resolves with its output (never rejects). */
  const aws = async (c: CliCredentials, ...args: string[]): Promise<CliResult> => {
    try {
      const { stdout } = await run('aws', ['--endpoint-url', endpoint(), '--output', 'json', ...args], { env: env(c), timeout: 60_000 });
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
  return { env, aws, must };
}
