// `warden simulate --policy FILE … --action A …`: the IAM policy simulator offline — the same
// engine and the same EvaluationResults as SimulateCustomPolicy, from policy files, without a
// server. Prints each decision with the statement that decided it and, for denials, AWS's
// AccessDenied wording. Exit 1 when any decision is not an Allow, so it can gate a pipeline.
import { readFileSync } from 'node:fs';
import type { ContextValue, Principal } from '../policy/index.js';
import { simPolicy, simulate, type SimulationSpec } from '../services/iam/simulation.js';
import { UsageError, parseCommandLine, runCommand, type Command } from './command.js';

const DEFAULT_PRINCIPAL = 'arn:aws:iam::111122223333:user/simulated';

const HELP = `usage: warden simulate --policy FILE [--policy FILE …] --action A [--action A …] [options]

  --policy FILE           an identity-based policy (repeatable)
  --boundary FILE         a permissions boundary
  --resource-policy FILE  a resource-based policy of the resources
  --action A              an action to simulate, e.g. s3:GetObject (repeatable)
  --resource ARN          a resource to simulate on (repeatable; default *)
  --context KEY=VALUE     a request condition key (repeatable; a key given twice is multivalued)
  --principal ARN         the caller: an IAM user or role ARN (default ${DEFAULT_PRINCIPAL})
  --json                  print AWS's EvaluationResults (and the denial messages) as JSON
  -h, --help              this help

Exit status: 0 when every action is allowed on every resource, 1 when any is denied (explicitly or
implicitly), 2 on a usage error or an invalid policy file.
`;

const USER = /^arn:aws[a-z-]*:iam::(\d{12}):user\//;
const ROLE = /^arn:aws[a-z-]*:iam::(\d{12}):role\//;

function principalOf(arn: string): Principal {
  let m = USER.exec(arn);
  if (m) return { kind: 'user', accountId: m[1], arn };
  m = ROLE.exec(arn);
  if (m) return { kind: 'assumedRole', accountId: m[1], arn, roleArn: arn };
  throw new UsageError(`--principal must be an IAM user or role ARN, got \`${arn}\``);
}

function contextOf(pairs: readonly string[]): Record<string, ContextValue> {
  const out: Record<string, string[]> = {};
  const names: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--context takes KEY=VALUE, got \`${p}\``);
    const key = p.slice(0, eq);
    const lower = key.toLowerCase();
    names[lower] ??= key;
    (out[lower] ??= []).push(p.slice(eq + 1));
  }
  const ctx: Record<string, ContextValue> = {};
  for (const [lower, values] of Object.entries(out)) ctx[names[lower]] = values.length === 1 ? values[0] : values;
  return ctx;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read \`${file}\`: ${(e as Error).message}`);
  }
}

function buildSpec(argv: readonly string[]): SimulationSpec | 'help' {
  const parsed = parseCommandLine({
    args: [...argv], allowPositionals: false, strict: true,
    options: {
      policy: { type: 'string', multiple: true },
      boundary: { type: 'string' },
      'resource-policy': { type: 'string' },
      action: { type: 'string', multiple: true },
      resource: { type: 'string', multiple: true },
      context: { type: 'string', multiple: true },
      principal: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.policy?.length && !v['resource-policy']) throw new UsageError('give at least one --policy FILE (or a --resource-policy)');
  if (!v.action?.length) throw new UsageError('give at least one --action');
  const spec: SimulationSpec = {
    principal: principalOf(v.principal ?? DEFAULT_PRINCIPAL),
    identity: (v.policy ?? []).map((f) => simPolicy(read(f), 'identity', f, 'IAM Policy')),
    actions: v.action,
    resources: v.resource ?? [],
    context: contextOf(v.context ?? []),
  };
  if (v.boundary) spec.boundary = simPolicy(read(v.boundary), 'boundary', v.boundary, 'none');
  if (v['resource-policy']) spec.resourcePolicy = simPolicy(read(v['resource-policy']), 'resource', v['resource-policy'], 'resource');
  return spec;
}

type Matched = { SourcePolicyId: string; StartPosition?: { Line: number; Column: number } };

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'simulate --policy FILE --action A: decide requests offline (exit 1 on any denial)',
  run: (argv) => runCommand('simulate', HELP, () => buildSpec(argv), (spec) => {
    const json = argv.includes('--json');
    const results = simulate(spec);
    const denied = results.filter((r) => r.explanation.decision !== 'Allow');
    if (json) {
      process.stdout.write(JSON.stringify({
        EvaluationResults: results.map((r) => r.output),
        Denials: denied.map((r) => ({ EvalActionName: r.action, EvalResourceName: r.resource, Message: r.explanation.message })),
      }) + '\n');
    } else {
      for (const r of results) {
        const d = r.explanation.decision;
        const label = d === 'Allow' ? 'ALLOW' : d === 'ExplicitDeny' ? 'DENY (explicit)' : 'DENY (implicit)';
        process.stdout.write(`${label.padEnd(15)}  ${r.action}  ${r.resource}\n`);
        (r.output.MatchedStatements as Matched[]).forEach((m, i) => {
          const ref = r.matched[i];
          const at = m.StartPosition ? ` at line ${m.StartPosition.Line}, column ${m.StartPosition.Column}` : '';
          const which = `statement ${ref.statementIndex + 1}${ref.sid ? ` (Sid ${ref.sid})` : ''}`;
          process.stdout.write(`    ${d === 'Allow' ? 'allowed' : 'denied'} by ${which} of ${m.SourcePolicyId}${at}\n`);
        });
        if (d !== 'Allow') process.stdout.write(`    ${r.explanation.message}\n`);
        const missing = r.output.MissingContextValues as string[];
        if (missing.length > 0) process.stdout.write(`    missing context values: ${missing.join(', ')}\n`);
      }
      process.stdout.write(`${results.length - denied.length} allowed, ${denied.length} denied\n`);
    }
    return denied.length === 0 ? 0 : 1;
  }),
};
