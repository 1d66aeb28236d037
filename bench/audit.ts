// npm run bench:audit [-- --json] [-- --seconds S] [-- --connections C] [-- --rounds R]
//
// What the durable, hash-chained audit trail costs the server: requests per second of signed IAM
// reads (GetUser over a presigned GET the server verifies every time, as an IAM user with a
// policy: SigV4, authorization, the operation, XML, and with the trail on the CloudTrail record,
// durable — committed and the WAL fsynced — and chained before the answer) from two `warden
// serve` processes on SQLite, one with the trail on and one with WARDEN_AUDIT=off, in
// alternating rounds so that the machine's noise falls on both. The load comes from a light
// raw-socket generator in this process (bench/load.ts) that takes little CPU from the servers;
// node:http's client would take about a core of the machine's two (bench:http uses it). The
// server's CPU per request (user + system, all its threads, from /proc) is reported too.
// At the end `warden audit verify` checks the audited server's chain. Target: cost < 30 %.
import { getRequest, runLoad } from './load.js';
import { cpuSeconds, median, presignedGetUser, setUpUser, startWarden, stopAll, verifyAudit } from './servers.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const json = process.argv.includes('--json');
const seconds = option('seconds', 4);
const connections = option('connections', 32);
const rounds = option('rounds', 5);

interface Round { rps: number; cpuUsPerRequest?: number }

try {
  const on = await startWarden({});
  const off = await startWarden({ WARDEN_AUDIT: 'off' });
  const servers = { on, off };
  const requests = {
    on: getRequest(on.port, presignedGetUser(on.port, await setUpUser(on.port))),
    off: getRequest(off.port, presignedGetUser(off.port, await setUpUser(off.port))),
  };
  const round = async (which: 'on' | 'off'): Promise<Round> => {
    const s = servers[which];
    const c0 = cpuSeconds(s.pid);
    const r = await runLoad(s.port, requests[which], connections, seconds);
    const c1 = cpuSeconds(s.pid);
    return { rps: r.rps, cpuUsPerRequest: c0 !== undefined && c1 !== undefined ? ((c1 - c0) * 1e6) / r.requests : undefined };
  };
  await round('off'); // warm-up
  await round('on');
  const results: Record<'on' | 'off', Round[]> = { on: [], off: [] };
  for (let r = 0; r < rounds; r++) {
    results.off.push(await round('off'));
    results.on.push(await round('on'));
  }
  const chain = await verifyAudit(on.dataDir);

  const mOff = median(results.off.map((r) => r.rps));
  const mOn = median(results.on.map((r) => r.rps));
  const cost = 1 - mOn / mOff;
  const cpu = (rs: Round[]): number | undefined => (rs.every((r) => r.cpuUsPerRequest !== undefined) ? median(rs.map((r) => r.cpuUsPerRequest!)) : undefined);
  const cpuOff = cpu(results.off);
  const cpuOn = cpu(results.on);
  if (json) {
    console.log(JSON.stringify({ connections, seconds, rounds, off: results.off, on: results.on, medianOff: mOff, medianOn: mOn, cost, cpuOff, cpuOn, chain }));
  } else {
    console.log(`audit trail cost: IAM GetUser (presigned, IAM user), ${connections} connections, ${rounds} rounds of ${seconds} s, servers in their own processes (SQLite, WAL fsynced per commit group)`);
    for (let r = 0; r < rounds; r++) {
      const f = (x: Round): string => `${x.rps.toFixed(0).padStart(6)} req/s${x.cpuUsPerRequest !== undefined ? ` (${x.cpuUsPerRequest.toFixed(0)} µs CPU/req)` : ''}`;
      console.log(`  round ${r + 1}: audit off ${f(results.off[r])}   audit on ${f(results.on[r])}`);
    }
    console.log(`  median: off ${mOff.toFixed(0)} req/s, on ${mOn.toFixed(0)} req/s → cost ${(cost * 100).toFixed(1)} % of throughput (target < 30 %)`);
    if (cpuOff !== undefined && cpuOn !== undefined) console.log(`  server CPU per request: off ${cpuOff.toFixed(0)} µs, on ${cpuOn.toFixed(0)} µs (+${(100 * (cpuOn / cpuOff - 1)).toFixed(0)} %)`);
    console.log(`  audited server's chain: ${chain}`);
  }
} finally {
  await stopAll();
}
