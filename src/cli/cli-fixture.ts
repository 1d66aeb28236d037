// What the CLI tests share: `warden` run as a child process, as a pipeline runs it, and the input
// files it reads, written to a scratch directory before the tests and removed after them.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `warden ARGS…` from the source; resolves with its exit code and output. */
export function warden(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** Writes `contents` (file name → text) to a fresh directory before the tests; resolves a name to its path. */
export function inputFiles(prefix: string, contents: Readonly<Record<string, string>>): (name: string) => string {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return (name) => join(dir, name);
}
