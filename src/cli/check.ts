// `warden check-no-new-access OLD NEW [--type identity|resource] [--json]` and
// `warden check-access-not-granted FILE --action A … [--resource R …] [--type …] [--json]`
// (and `warden check-no-public-access FILE [--resource-type T] [--json]`): Access Analyzer's
// custom policy checks, offline, decided exactly by the reasoner. Exit 0 on PASS, 1 on FAIL
// (with the statements and an example request the engine allows), 2 on a usage error, an
// unreadable file or a policy the grammar refuses — so they gate a pipeline.
import type { ParseArgsConfig } from 'node:util';
import {
  runCheckAccessNotGranted, runCheckNoNewAccess, runCheckNoPublicAccess, type AccessCheckResult,
} from '../services/analyzer/checks-access.js';
import { UsageError, failure, parseCommandLine, readInputs, runCommand, type Command } from './command.js';

const KINDS = ['identity', 'resource'] as const;

function print(out: AccessCheckResult, json: boolean, extra: Record<string, unknown>): void {
  if (json) {
    process.stdout.write(JSON.stringify({ ...extra, ...out }) + '\n');
    return;
  }
  process.stdout.write(`${out.result}: ${out.message}\n`);
  for (const r of out.reasons) {
    const where = r.statementIndex !== undefined ? `  statement ${String(r.statementIndex)}${r.statementId !== undefined ? ` (${String(r.statementId)})` : ''}: ` : '  ';
    process.stdout.write(`${where}${String(r.description)}\n`);
  }
}

/** Shared runner: parses options, reads files, maps errors to exit codes. */
function runCheck(
  name: string, help: string, argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  positionals: number,
  body: (values: Record<string, unknown>, texts: string[], files: string[]) => { out: AccessCheckResult; extra: Record<string, unknown> },
): Promise<number> {
  const read = () => {
    const parsed: { values: Record<string, unknown>; positionals: string[] } = parseCommandLine({
      args: [...argv], allowPositionals: true, strict: true, options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (parsed.values.help) return 'help';
    if (parsed.positionals.length !== positionals) throw new UsageError(positionals === 1 ? 'give exactly one FILE' : 'give OLD and NEW');
    const type = parsed.values.type;
    if (type !== undefined && !KINDS.includes(type as (typeof KINDS)[number])) throw new UsageError(`--type must be one of ${KINDS.join(', ')}, got \`${String(type)}\``);
    return parsed;
  };
  return runCommand(name, help, read, (parsed) => {
    const texts = readInputs(name, parsed.positionals);
    if (!texts) return 2;
    try {
      const { out, extra } = body(parsed.values, texts, parsed.positionals);
      print(out, parsed.values.json === true, extra);
      return out.result === 'PASS' ? 0 : 1;
    } catch (e) {
      return failure(name, help, e);
    }
  });
}

const NO_NEW_HELP = `usage: warden check-no-new-access OLD NEW [options]

  --type T    identity | resource (default identity)
  --json      print the result as one JSON object
  -h, --help  this help

Decides exactly whether NEW allows any request OLD does not (Access Analyzer's CheckNoNewAccess).
Exit status: 0 PASS, 1 FAIL (new access, with an example request; or not provable), 2 usage error
or invalid policy.
`;

export const checkNoNewAccessCommand: Command = {
  name: 'check-no-new-access',
  summary: 'check-no-new-access OLD NEW: does NEW grant access OLD does not (exit 1 if so)',
  run: (argv) => runCheck('check-no-new-access', NO_NEW_HELP, argv, { type: { type: 'string' } }, 2, (v, [oldText, newText], [oldFile, newFile]) => {
    const type = (v.type as 'identity' | 'resource' | undefined) ?? 'identity';
    return { out: runCheckNoNewAccess(oldText, newText, type), extra: { existing: oldFile, new: newFile, type } };
  }),
};

const NOT_GRANTED_HELP = `usage: warden check-access-not-granted FILE --action A [--action …] [--resource R …] [options]

  --action A    an action (may repeat; globs allowed)
  --resource R  a resource ARN (may repeat)
  --type T      identity | resource (default identity)
  --json        print the result as one JSON object
  -h, --help    this help

Decides exactly whether the policy grants any of the actions (on any of the resources).
Exit status: 0 PASS, 1 FAIL (the statements that grant it, with an example request), 2 usage
error or invalid policy.
`;

export const checkAccessNotGrantedCommand: Command = {
  name: 'check-access-not-granted',
  summary: 'check-access-not-granted FILE --action A [--resource R]: exit 1 if the policy grants it',
  run: (argv) => runCheck('check-access-not-granted', NOT_GRANTED_HELP, argv, {
    type: { type: 'string' }, action: { type: 'string', multiple: true }, resource: { type: 'string', multiple: true },
  }, 1, (v, [text], [file]) => {
    const actions = (v.action as string[] | undefined) ?? [];
    const resources = (v.resource as string[] | undefined) ?? [];
    if (actions.length === 0 && resources.length === 0) throw new UsageError('give at least one --action or --resource');
    const type = (v.type as 'identity' | 'resource' | undefined) ?? 'identity';
    const access: { actions?: string[]; resources?: string[] } = {};
    if (actions.length) access.actions = actions;
    if (resources.length) access.resources = resources;
    return { out: runCheckAccessNotGranted(text, access, type), extra: { file, type, access } };
  }),
};

const PUBLIC_HELP = `usage: warden check-no-public-access FILE [options]

  --resource-type T  the resource type, e.g. AWS::S3::Bucket, AWS::IAM::AssumeRolePolicyDocument
                     (default AWS::S3::Bucket)
  --json             print the result as one JSON object
  -h, --help         this help

Decides whether the resource policy grants access to a principal outside every account it
names. Exit status: 0 PASS, 1 FAIL, 2 usage error or invalid policy.
`;

export const checkNoPublicAccessCommand: Command = {
  name: 'check-no-public-access',
  summary: 'check-no-public-access FILE: exit 1 if the resource policy grants public access',
  run: (argv) => runCheck('check-no-public-access', PUBLIC_HELP, argv, { 'resource-type': { type: 'string' } }, 1, (v, [text], [file]) => {
    const resourceType = (v['resource-type'] as string | undefined) ?? 'AWS::S3::Bucket';
    return { out: runCheckNoPublicAccess(text, resourceType), extra: { file, resourceType } };
  }),
};
