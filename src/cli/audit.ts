// `warden audit verify [--data-dir DIR | --store URL]`: checks the audit log's hash chain
// offline, reading the store directly (a running server may keep appending meanwhile). Names the
// first altered, removed or inserted event and exits 1 when the chain is broken.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { verifyStoreChain } from '../services/audit/verify.js';
import { openStore, type Store } from '../store/index.js';
import { UsageError, parseCommandLine, runCommand, type Command } from './command.js';

const DEFAULT_DATA_DIR = '.warden';

const HELP = `usage: warden audit verify [options]

  --data-dir DIR   the data directory of a SQLite store (default ./${DEFAULT_DATA_DIR}; WARDEN_DATA_DIR)
  --store URL      postgres://… to read a PostgreSQL store instead (WARDEN_STORE)
  --json           print the verdict as one JSON object
  -h, --help       this help

Exit status: 0 when the chain is intact, 1 when it is broken (the first altered, removed or
inserted event is named), 2 on a usage error.
The chain cannot show events cut off the end of the log: compare the head hash printed here
with one recorded earlier somewhere else.
`;

interface VerifyConfig {
  dataDir: string;
  storeUrl?: string;
  json: boolean;
}

function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): VerifyConfig | 'help' {
  const parsed = parseCommandLine({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (v['data-dir'] !== undefined && v.store !== undefined) throw new UsageError('give --data-dir or --store, not both');
  const storeUrl = v.store ?? (v['data-dir'] === undefined ? env.WARDEN_STORE || undefined : undefined);
  if (storeUrl !== undefined && !/^postgres(ql)?:\/\//i.test(storeUrl)) {
    throw new UsageError(`--store must be a postgres:// or postgresql:// URL, got \`${storeUrl.replace(/\/\/[^@/]*@/, '//…@')}\``);
  }
  return { dataDir: resolve(v['data-dir'] ?? env.WARDEN_DATA_DIR ?? DEFAULT_DATA_DIR), storeUrl, json: v.json === true };
}

async function verify(config: VerifyConfig): Promise<number> {
  if (config.storeUrl === undefined && !existsSync(join(config.dataDir, 'warden.db'))) {
    process.stderr.write(`warden audit verify: no store in \`${config.dataDir}\` (no warden.db)\n`);
    return 2;
  }
  let store: Store | undefined;
  try {
    store = await openStore(config.storeUrl !== undefined ? { url: config.storeUrl } : { dataDir: config.dataDir });
    const verdict = await verifyStoreChain(store);
    if (config.json) {
      process.stdout.write(JSON.stringify(verdict) + '\n');
    } else if (verdict.ok) {
      process.stdout.write(`audit chain intact: ${verdict.count} events, head seq ${verdict.headSeq}, head hash ${verdict.headHash}\n`);
    } else {
      const b = verdict.break;
      process.stdout.write(`audit chain BROKEN after ${verdict.count} intact events: ${b.kind} — ${b.message}\n` +
        `first bad event: seq ${b.seq}, eventID ${b.eventId}\n`);
    }
    return verdict.ok ? 0 : 1;
  } finally {
    await store?.close();
  }
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'audit verify: check the audit log\'s hash chain offline',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    }
    if (sub !== 'verify') {
      process.stderr.write(`warden audit: unknown subcommand \`${sub}\`\n\n${HELP}`);
      return 2;
    }
    return runCommand('audit verify', HELP, () => readConfig(rest, process.env), verify);
  },
};
