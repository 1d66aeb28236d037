// What a CLI command is.
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
