// The tests run the TypeScript sources through tsx, which strips types without checking them;
// this runs the compiler over everything (sources, tests, benchmarks, scripts — tsconfig.json,
// with unused locals and parameters refused) so that a type error fails `npm test` too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

it('the whole project type-checks (tsc --noEmit -p tsconfig.json)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
});
