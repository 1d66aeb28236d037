// The CLI as a user meets it: usage errors, help, and start failures with clear messages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'warden-cli-'));
  dirs.push(d);
  return d;
}

function warden(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, WARDEN_MASTER_KEY: '', WARDEN_STORE: '', WARDEN_ROOT_ACCESS_KEY_ID: '', WARDEN_ROOT_SECRET_ACCESS_KEY: '', ...env },
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('warden CLI', () => {
  const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; status: number; stdout?: RegExp; stderr?: RegExp }> = [
    { name: 'no command', args: [], status: 2, stdout: /^usage: warden <command>/ },
    { name: 'help', args: ['help'], status: 0, stdout: /serve\s+serve IAM, STS/ },
    { name: 'an unknown command', args: ['frobnicate'], status: 2, stderr: /unknown command `frobnicate`/ },
    { name: 'serve --help', args: ['serve', '--help'], status: 0, stdout: /--port PORT .*default 8411/ },
    { name: 'an unknown option', args: ['serve', '--nope'], status: 2, stderr: /Unknown option '--nope'/ },
    { name: 'a bad port', args: ['serve', '--port', '70000'], status: 2, stderr: /--port must be 0\.\.65535, got `70000`/ },
    { name: 'a bad log level', args: ['serve', '--log-level', 'loud'], status: 2, stderr: /--log-level must be one of debug, info, warn, error/ },
    { name: 'a public URL that is not http(s)', args: ['serve', '--public-url', 'ftp://x.example'], status: 2, stderr: /--public-url must be an http:\/\/ or https:\/\/ URL/ },
    { name: 'a public URL with a query', args: ['serve', '--public-url', 'https://x.example/?a=1'], status: 2, stderr: /without credentials, query or fragment/ },
    { name: 'a store that is not PostgreSQL', args: ['serve', '--store', 'mysql://u:secret@h/db'], status: 2, stderr: /--store must be a postgres:\/\/ or postgresql:\/\/ URL/ },
    { name: 'a short master key', args: ['serve', '--port', '0'], env: { WARDEN_MASTER_KEY: randomBytes(8).toString('base64') }, status: 1, stderr: /WARDEN_MASTER_KEY must hold 32 bytes/ },
    { name: 'a bad account id', args: ['serve', '--port', '0'], env: { WARDEN_ACCOUNT_ID: '42' }, status: 1, stderr: /WARDEN_ACCOUNT_ID must be 12 digits/ },
  ];
  for (const c of cases) {
    it(`handles ${c.name}`, () => {
      const args = c.args[0] === 'serve' && !c.args.includes('--help') ? [...c.args, '--data-dir', tempDir()] : c.args;
      const res = warden(args, c.env);
      assert.equal(res.status, c.status, res.stderr);
      if (c.stdout) assert.match(res.stdout, c.stdout);
      if (c.stderr) assert.match(res.stderr, c.stderr);
    });
  }

  it('does not echo a password given in the store URL', () => {
    const res = warden(['serve', '--store', 'mysql://user:hunter2@host/db']);
    assert.ok(!res.stderr.includes('hunter2'), res.stderr);
  });

  it('refuses to start on a store created with another master key', async () => {
    const dir = tempDir();
    const { openStore } = await import('../store/index.js');
    const { verifyMasterKey } = await import('../crypto/secrets.js');
    const store = await openStore(dir);
    await verifyMasterKey(store, randomBytes(32));
    await store.close();
    const res = warden(['serve', '--port', '0', '--data-dir', dir], { WARDEN_MASTER_KEY: randomBytes(32).toString('base64') });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /the master key does not match the one this store was created with/);
  });
});
