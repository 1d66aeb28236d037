// `warden validate FILE [--type T] [--json]`: parses a policy document with the engine's grammar
// for its type, offline, and prints every issue a person can act on — where (line:column and JSON
// path), what (the issue code) and why. Exit 1 when there is any issue, so it can gate a pipeline.
import { compilePolicy, parsePolicy, type Issue, type PolicyType } from '../policy/index.js';
import { lineColumn, nodeAt, scanJson } from '../services/iam/json-positions.js';
import { UsageError, parseCommandLine, readInputs, runCommand, type Command } from './command.js';

const TYPES: readonly PolicyType[] = ['identity', 'resource', 'trust', 'scp', 'rcp', 'boundary', 'session'];

const HELP = `usage: warden validate FILE [options]

  --type T    the policy's type: ${TYPES.join(' | ')} (default identity)
  --json      print the result as one JSON object
  -h, --help  this help

FILE may be - for standard input.
Exit status: 0 when the policy is valid, 1 when it has issues (each printed with its line:column,
JSON path, code and message), 2 on a usage error or an unreadable file.
`;

/** `Statement[0].Condition.StringEquals["aws:SourceIp"]` */
export function jsonPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

export interface LocatedIssue extends Issue {
  jsonPath: string;
  line?: number;
  column?: number;
}

/** Validates policy text for a type: grammar, then what compiling finds (condition values). */
export function validatePolicyText(text: string, type: PolicyType): LocatedIssue[] {
  const issues: Issue[] = [];
  const parsed = parsePolicy(text, { type });
  issues.push(...parsed.issues);
  if (parsed.ok) issues.push(...compilePolicy(parsed.policy, { id: 'validate', type }).issues);
  const root = scanJson(text);
  return issues.map((i) => {
    const li: LocatedIssue = { ...i, jsonPath: jsonPath(i.path) };
    if (root) {
      const pos = lineColumn(text, nodeAt(root, i.path).start);
      li.line = pos.Line;
      li.column = pos.Column;
    }
    return li;
  });
}

function readArgs(argv: readonly string[]): { file: string; type: PolicyType; json: boolean } | 'help' {
  const parsed = parseCommandLine({
    args: [...argv], allowPositionals: true, strict: true,
    options: { type: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError('give exactly one FILE');
  if (parsed.values.type !== undefined && !TYPES.includes(parsed.values.type as PolicyType)) {
    throw new UsageError(`--type must be one of ${TYPES.join(', ')}, got \`${parsed.values.type}\``);
  }
  return { file: parsed.positionals[0], type: (parsed.values.type ?? 'identity') as PolicyType, json: parsed.values.json === true };
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate FILE: check a policy document offline (exit 1 on issues)',
  run: (argv) => runCommand('validate', HELP, () => readArgs(argv), ({ file, type, json }) => {
    const [text] = readInputs('validate', [file]) ?? [];
    if (text === undefined) return 2;
    const issues = validatePolicyText(text, type);
    if (json) {
      process.stdout.write(JSON.stringify({ file, type, valid: issues.length === 0, issues }) + '\n');
    } else if (issues.length === 0) {
      process.stdout.write(`${file}: valid ${type} policy\n`);
    } else {
      for (const i of issues) {
        const where = i.line !== undefined ? `${file}:${i.line}:${i.column}` : file;
        process.stdout.write(`${where}: ${i.code} at ${i.jsonPath}: ${i.message}\n`);
      }
      process.stdout.write(`${issues.length} issue${issues.length === 1 ? '' : 's'} in ${file} (${type} policy)\n`);
    }
    return issues.length === 0 ? 0 : 1;
  }),
};
