// What a CLI command is, and what every command does alike: parsing its options, answering
// `--help`, and turning a usage problem or a refused policy into exit code 2.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AwsError } from '../protocol/index.js';

export interface Command {
  name: string;
  /** One line for `warden help`. */
  summary: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

/** A usage problem: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `parseArgs`, with an unknown or malformed option as a UsageError. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * The exit code for an error a command reports itself: a UsageError is printed with the help and an
 * AwsError (a policy the grammar refuses) alone, both exit 2; anything else is a bug and rethrown.
 */
export function failure(name: string, help: string, e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`warden ${name}: ${e.message}\n\n${help}`);
    return 2;
  }
  if (e instanceof AwsError) {
    process.stderr.write(`warden ${name}: ${e.message}\n`);
    return 2;
  }
  throw e;
}

/**
 * Runs a command: `read` makes its configuration from the arguments (or says 'help', which prints
 * `help` and exits 0), then `go` runs with it. A failure of `read` is reported by `failure`.
 */
export async function runCommand<C>(name: string, help: string, read: () => C | 'help', go: (config: C) => Promise<number> | number): Promise<number> {
  let config: C | 'help';
  try {
    config = read();
  } catch (e) {
    return failure(name, help, e);
  }
  if (config === 'help') {
    process.stdout.write(help);
    return 0;
  }
  return go(config);
}

/** The texts of input files (`-` is standard input); undefined, said on stderr, when one cannot be read. */
export function readInputs(name: string, files: readonly string[]): string[] | undefined {
  const texts: string[] = [];
  for (const f of files) {
    try {
      texts.push(readFileSync(f === '-' ? 0 : f, 'utf8'));
    } catch (e) {
      process.stderr.write(`warden ${name}: cannot read \`${f}\`: ${(e as Error).message}\n`);
      return undefined;
    }
  }
  return texts;
}
