// Loads the shared authorization benchmark scenario (../shared/bench, or bench/data when
// copied into the repository) into compiled engine requests.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AuthorizationRequest, CompiledPolicy, PolicyType } from '../src/policy/index.js';
import * as source from '../src/policy/index.js';

/** The engine module the benchmark measures: the sources, or the compiled package (dist/). */
export type Engine = typeof source;
let engine: Engine = source;

/** Measure `dist/policy` (what `warden/policy` ships) when it has been built, else the sources. */
export async function useBuiltEngine(): Promise<'dist' | 'src'> {
  const built = join(here, '..', 'dist', 'policy', 'index.js');
  if (!existsSync(built)) return 'src';
  engine = (await import(pathToFileURL(built).href)) as Engine;
  return 'dist';
}

/** The engine in use (see useBuiltEngine). */
export function currentEngine(): Engine {
  return engine;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Finds a file of the shared benchmark: `../shared/bench` beside the repository, else `bench/data`. */
export function benchFile(name: string): string {
  for (const dir of [join(here, '..', '..', 'shared', 'bench'), join(process.cwd(), '..', 'shared', 'bench'), join(here, 'data')]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`benchmark file ${name} not found in ../shared/bench or bench/data`);
}

interface NamedPolicy { name: string; policy: unknown }
interface Scenario {
  account: string;
  principal: string;
  identityPolicies: NamedPolicy[];
  permissionBoundary?: NamedPolicy;
  serviceControlPolicies: { orgIdentifier: string; policies: NamedPolicy[] }[];
  bucketPolicies: Record<string, unknown>;
  requests: { action: string; resource: string; context: Record<string, string | string[]>; expected: string }[];
}

export const EXPECTED: Record<string, string> = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' };

function compile(p: NamedPolicy | { name: string; policy: unknown }, type: PolicyType, id = p.name): CompiledPolicy {
  const parsed = engine.parsePolicy(p.policy, { type });
  if (!parsed.ok) throw new Error(`${p.name}: ${JSON.stringify(parsed.issues)}`);
  const c = engine.compilePolicy(parsed.policy, { id, type, name: p.name });
  if (c.issues.length) throw new Error(`${p.name}: ${JSON.stringify(c.issues)}`);
  return c;
}

export function loadScenario(identityOverride?: string): { requests: AuthorizationRequest[]; expected: string[]; statements: number } {
  const s = JSON.parse(readFileSync(benchFile('scenario-20.json'), 'utf8')) as Scenario;
  const identitySource: NamedPolicy[] = identityOverride
    ? JSON.parse(readFileSync(benchFile(identityOverride), 'utf8'))
    : s.identityPolicies;
  const identity = identitySource.map((p) => compile(p, 'identity'));
  const statements = identitySource.reduce((n, p) => {
    const st = (p.policy as { Statement: unknown }).Statement;
    return n + (Array.isArray(st) ? st.length : 1);
  }, 0);
  const boundary = s.permissionBoundary ? compile(s.permissionBoundary, 'boundary') : undefined;
  const scp = s.serviceControlPolicies.map((l) => ({
    target: l.orgIdentifier,
    policies: l.policies.map((p) => compile(p, 'scp', `${l.orgIdentifier}/${p.name}`)),
  }));
  const buckets = new Map<string, CompiledPolicy>();
  for (const [bucket, doc] of Object.entries(s.bucketPolicies)) buckets.set(bucket, compile({ name: bucket, policy: doc }, 'resource'));
  const principal = { kind: 'user' as const, accountId: s.account, arn: s.principal };
  const requests: AuthorizationRequest[] = s.requests.map((r) => {
    let resource: CompiledPolicy | undefined;
    if (r.resource.startsWith('arn:aws:s3:::')) {
      const rest = r.resource.slice('arn:aws:s3:::'.length);
      resource = buckets.get(rest.split('/')[0]);
    }
    return {
      principal,
      action: r.action,
      resource: r.resource,
      context: engine.normalizeContext(r.context),
      policies: { identity, boundary, scp, resource },
    };
  });
  return { requests, expected: s.requests.map((r) => EXPECTED[r.expected]), statements };
}

export function checkScenario(requests: AuthorizationRequest[], expected: string[]): { correct: number; wrong: string[] } {
  let correct = 0;
  const wrong: string[] = [];
  requests.forEach((r, i) => {
    const e = engine.authorize(r);
    if (e.decision === expected[i]) correct++;
    else wrong.push(`#${i} ${r.action} ${r.resource}: got ${e.decision}, expected ${expected[i]} (${e.message})`);
  });
  return { correct, wrong };
}
