#!/usr/bin/env node
// `warden <command> [options]`: the command table. Each command is a module with a run
// function; later ones (`audit verify`, `validate`, `simulate`, …) are added to COMMANDS.
import { readFileSync } from 'node:fs';
import { auditCommand } from './audit.js';
import { checkAccessNotGrantedCommand, checkNoNewAccessCommand, checkNoPublicAccessCommand } from './check.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';
import { validateCommand } from './validate.js';
import type { Command } from './command.js';

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: serveCommand,
  audit: auditCommand,
  validate: validateCommand,
  simulate: simulateCommand,
  'check-no-new-access': checkNoNewAccessCommand,
  'check-access-not-granted': checkAccessNotGrantedCommand,
  'check-no-public-access': checkNoPublicAccessCommand,
};

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: warden <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    'Run `warden <command> --help` for the options of a command.\n';
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`warden ${version()}\n`);
    return 0;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`warden: unknown command \`${name}\`\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    // `serve` keeps running until a signal; other commands end here.
    if (code !== undefined) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`warden: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
