// npm run bench:http [-- --json] [-- --seconds S] [-- --concurrency C[,C2…]] [-- --rounds R]
//
// Requests per second of the whole HTTP path — SigV4 parse and verify, credential lookup, Query
// decode, authorization through the engine, the operation, XML encode, and (by default) the
// durable, hash-chained audit event — side by side, in the same run, with a bare `node:http`
// hello-world server. Both servers run as their own processes (the compiled `dist/` Warden when
// built, else the sources through tsx); this process only generates load with node:http's client,
// alternating rounds between the servers so the shared machine's noise falls on both alike.
// Reported: median requests/s per scenario and the ratio to the bare server (with the range of
// the rounds' own ratios, each round measuring every server back to back), at each concurrency
// (default 32 and 128 connections: an audited answer waits for its group's fsync, so at a given
// concurrency its rate is bounded by connections ÷ latency before the CPU is; the bare server is
// bounded by the client at both).
//
// Each row also gives the server's CPU per request (user + system, all its threads, read from
// /proc before and after each round; medians): a figure that depends far less than requests per
// second on what else this shared machine is running, so changes to the server show in it. For
// node:http's client, a second table adds the client's CPU and the whole machine's (every process
// and the kernel, from /proc/stat) per request and how many CPUs were busy, and a last line says
// how much of the machine's CPU per request a rate of 60 % of the bare server's would leave.
//
// Scenarios: a signed read (IAM GetUser as an IAM user with a policy, over a presigned GET that
// the server verifies on every request), the same read with WARDEN_AUDIT=off (the cost of the
// audit trail), and signed writes (IAM TagUser of another user, signed per request, so that
// the read's answer is the same on both servers).
//
// The load generator matters on a 2-core machine: node:http's client costs about as much CPU
// per request as the bare server, so the bare server's rate is the client's, and Warden gets the
// other core. `npm run bench:audit` measures with a light raw-socket generator instead.
import { Agent, request } from 'node:http';
import { getRequest, runLoad } from './load.js';
import { cpuSeconds, iamCall, machineBusySeconds, median, presignedGetUser, serverPids, setUpUser, startBare, startWarden, stopAll, type Creds } from './servers.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const json = process.argv.includes('--json');
const seconds = option('seconds', 3);
const concurrencyArg = process.argv.indexOf('--concurrency');
const concurrencies = (concurrencyArg === -1 ? '32,128' : process.argv[concurrencyArg + 1]).split(',').map(Number);
if (concurrencies.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--concurrency: positive integers, comma-separated');
const rounds = option('rounds', 3);

const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...concurrencies) });

function httpCall(port: number, method: string, path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Call = () => Promise<number>;
/** A scenario: its name, the server's port, and one call. */
type Scenario = [string, number, Call];

/** Requests per second for `seconds`, `concurrency` in flight, and how many; every answer must be 200. */
async function measure(call: Call, concurrency: number): Promise<{ rps: number; requests: number }> {
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const status = await call();
      if (status !== 200) throw new Error(`status ${status}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: count / ((performance.now() - t0) / 1000), requests: count };
}

/** CPU per request of one round (µs): the server's (all its threads), this load generator's, and the whole machine's (busy, every process and the kernel). */
interface CpuSample { server?: number; client: number; machine?: number; busyCpus?: number }

/**
 * Runs `run` and adds its CPU per request to `cpu`: the server's (user + system, all its threads,
 * from /proc) which, unlike requests per second, hardly depends on what else the machine is doing;
 * the client's own (this process); and the machine's (all CPUs' busy time from /proc/stat), with
 * how many CPUs were busy on average — what shows whether a rate is bounded by the machine's CPU.
 */
async function withCpu(port: number, cpu: CpuSample[], run: () => Promise<{ rps: number; requests: number }>): Promise<number> {
  const pid = serverPids.get(port);
  const c0 = pid !== undefined ? cpuSeconds(pid) : undefined;
  const m0 = machineBusySeconds();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await run();
  const wall = (performance.now() - t0) / 1000;
  const u1 = process.cpuUsage();
  const m1 = machineBusySeconds();
  const c1 = pid !== undefined ? cpuSeconds(pid) : undefined;
  if (r.requests > 0) {
    cpu.push({
      server: c0 !== undefined && c1 !== undefined ? ((c1 - c0) * 1e6) / r.requests : undefined,
      client: (u1.user + u1.system - u0.user - u0.system) / r.requests,
      machine: m0 !== undefined && m1 !== undefined ? ((m1 - m0) * 1e6) / r.requests : undefined,
      busyCpus: m0 !== undefined && m1 !== undefined ? (m1 - m0) / wall : undefined,
    });
  }
  return r.rps;
}

try {
  const bare = await startBare();
  const audited = (await startWarden({})).port;
  const unaudited = (await startWarden({ WARDEN_AUDIT: 'off' })).port;
  const keys = new Map<number, Creds>();
  for (const port of [audited, unaudited]) keys.set(port, await setUpUser(port));

  const presigned = (port: number): Call => {
    const path = presignedGetUser(port, keys.get(port)!);
    const headers = { host: `127.0.0.1:${port}` };
    return () => httpCall(port, 'GET', path, headers, '');
  };
  let tag = 0;
  const write = (port: number): Call => async () => (await iamCall(port, keys.get(port)!, {
    Action: 'TagUser', UserName: 'bench-tagged', 'Tags.member.1.Key': `k${tag++ % 40}`, 'Tags.member.1.Value': 'v',
  }, agent)).status;
  const scenarios: Scenario[] = [
    ['bare node:http hello world', bare, () => httpCall(bare, 'GET', '/', { host: `127.0.0.1:${bare}` }, '')],
    ['signed read, audit on (GetUser)', audited, presigned(audited)],
    ['signed read, audit off', unaudited, presigned(unaudited)],
    ['signed write, audit on (TagUser)', audited, write(audited)],
  ];
  for (const [, , call] of scenarios) await measure(call, concurrencies[0]).catch(() => 0); // warm-up
  // The same reads from the light raw-socket generator (bench/load.ts): what the servers do when
  // the client takes little CPU — the bare server is then limited by its own core, not the client's.
  const light: Array<[string, number, Buffer]> = [
    ['bare node:http hello world', bare, getRequest(bare, '/')],
    ['signed read, audit on (GetUser)', audited, getRequest(audited, presignedGetUser(audited, keys.get(audited)!))],
    ['signed read, audit off', unaudited, getRequest(unaudited, presignedGetUser(unaudited, keys.get(unaudited)!))],
  ];
  for (const concurrency of concurrencies) {
    const rates = new Map<string, number[]>(scenarios.map(([n]) => [n, []]));
    const cpus = new Map<string, CpuSample[]>(scenarios.map(([n]) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, port, call] of scenarios) rates.get(name)!.push(await withCpu(port, cpus.get(name)!, () => measure(call, concurrency)));
    }
    const lightRates = new Map<string, number[]>(light.map(([n]) => [n, []]));
    const lightCpus = new Map<string, CpuSample[]>(light.map(([n]) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, port, bytes] of light) lightRates.get(name)!.push(await withCpu(port, lightCpus.get(name)!, () => runLoad(port, bytes, concurrency, seconds)));
    }
    // Medians of one field over the rounds (undefined unless every round had it).
    const cpuOf = (xs: CpuSample[], field: keyof CpuSample = 'server', digits = 0): number | undefined => {
      const ys = xs.map((x) => x[field]).filter((y): y is number => y !== undefined);
      return ys.length === rounds ? +median(ys).toFixed(digits) : undefined;
    };
    const cpuFields = (xs: CpuSample[]) => ({ serverCpuUsPerRequest: cpuOf(xs), clientCpuUsPerRequest: cpuOf(xs, 'client'), machineCpuUsPerRequest: cpuOf(xs, 'machine'), busyCpus: cpuOf(xs, 'busyCpus', 2) });

    // Each round measures the bare server and then every other one, back to back: the spread of
    // the rounds' ratios shows how far this machine's noise moves the ratio of the medians.
    const roundRatios = (all: Map<string, number[]>, name: string, bareName: string): [number, number] => {
      const xs = all.get(name)!.map((x, i) => x / all.get(bareName)![i]);
      return [+Math.min(...xs).toFixed(3), +Math.max(...xs).toFixed(3)];
    };
    const base = median(rates.get(scenarios[0][0])!);
    const results = scenarios.map(([name]) => ({ scenario: name, rps: Math.round(median(rates.get(name)!)), ratioToBare: +(median(rates.get(name)!) / base).toFixed(3), roundRatios: roundRatios(rates, name, scenarios[0][0]), ...cpuFields(cpus.get(name)!) }));
    const lightBase = median(lightRates.get(light[0][0])!);
    const lightResults = light.map(([name]) => ({ scenario: name, client: 'raw socket', rps: Math.round(median(lightRates.get(name)!)), ratioToBare: +(median(lightRates.get(name)!) / lightBase).toFixed(3), roundRatios: roundRatios(lightRates, name, light[0][0]), ...cpuFields(lightCpus.get(name)!) }));
    if (json) for (const r of [...results.map((x) => ({ ...x, client: 'node:http' })), ...lightResults]) console.log(JSON.stringify({ ...r, concurrency, seconds, rounds }));
    else {
      console.log(`HTTP path, concurrency ${concurrency}, ${rounds} rounds of ${seconds} s per scenario (medians), servers in their own processes`);
      console.log('node:http client (as an SDK):');
      // The server's CPU per request, and as a multiple of the bare server's in the same run (the
      // machine's speed varies from run to run; the multiple much less).
      const cpuText = (us: number | undefined, bareUs: number | undefined): string => (us === undefined ? ''
        : `   server CPU ${String(us).padStart(4)} µs/req${bareUs ? ` (${(us / bareUs).toFixed(1)}× bare)` : ''}`);
      // The bare row's rounds are all 100 %: blank instead, so the columns still line up.
      const spread = ([lo, hi]: [number, number]): string => (lo === 1 && hi === 1 ? ' '.repeat(17)
        : `(rounds ${(100 * lo).toFixed(0).padStart(3)}–${(100 * hi).toFixed(0).padStart(3)}%)`);
      for (const r of results) console.log(`  ${r.scenario.padEnd(36)} ${String(r.rps).padStart(7)} req/s   ${(100 * r.ratioToBare).toFixed(1).padStart(5)}% of bare ${spread(r.roundRatios)}${cpuText(r.serverCpuUsPerRequest, results[0].serverCpuUsPerRequest)}`);
      // Where the CPU went, and what 60 % of the bare server's rate would leave per request: the
      // machine's busy CPUs at their most in this run, shared by that many requests a second.
      console.log('  CPU per request, µs (server, this client, the whole machine) and busy CPUs:');
      for (const r of results) {
        const f = (x: number | undefined): string => (x === undefined ? '   –' : String(x).padStart(4));
        console.log(`    ${r.scenario.padEnd(34)} ${f(r.serverCpuUsPerRequest)} ${f(r.clientCpuUsPerRequest)} ${f(r.machineCpuUsPerRequest)}   ${r.busyCpus?.toFixed(2) ?? '–'} busy`);
      }
      const busiest = Math.max(...results.map((r) => r.busyCpus ?? 0));
      if (busiest > 0) {
        const target = 0.6 * results[0].rps;
        console.log(`  60% of bare is ${Math.round(target)} req/s: with ${busiest.toFixed(2)} CPUs busy (this run's most), ${Math.round((busiest * 1e6) / target)} µs of machine CPU per request`);
      }
      console.log('light raw-socket client (bench/load.ts):');
      for (const r of lightResults) console.log(`  ${r.scenario.padEnd(36)} ${String(r.rps).padStart(7)} req/s   ${(100 * r.ratioToBare).toFixed(1).padStart(5)}% of bare ${spread(r.roundRatios)}${cpuText(r.serverCpuUsPerRequest, lightResults[0].serverCpuUsPerRequest)}`);
    }
  }
} finally {
  agent.destroy();
  await stopAll();
}
