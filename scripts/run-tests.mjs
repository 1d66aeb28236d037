#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (through tsx),
// so that `npm test` ends with the runner's summary. Extra arguments are test files or
// directories to run instead of the whole suite.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const roots = args.length ? args : ['src', 'test'];
const files = [];
for (const r of roots) {
  if (r.endsWith('.ts')) files.push(r); else collect(r, files);
}
files.sort();
if (files.length === 0) { console.error('no test files found'); process.exit(1); }
const res = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec',
  `--test-concurrency=${process.env.WARDEN_TEST_CONCURRENCY ?? 2}`,
  ...files,
], {
  stdio: 'inherit',
  // The store's nested-transaction guard follows callbacks across await in tests (src/store/serial.ts).
  env: { ...process.env, WARDEN_STORE_ASYNC_GUARD: process.env.WARDEN_STORE_ASYNC_GUARD ?? '1' },
});
process.exit(res.status ?? 1);
