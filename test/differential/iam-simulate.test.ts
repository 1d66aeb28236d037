// Differential test: Warden's policy engine against @cloud-copilot/iam-simulate.
//
//   node --import tsx --test test/differential/iam-simulate.test.ts
//   WARDEN_DIFF_CASES=50000 WARDEN_DIFF_SEED=7 node --import tsx --test test/differential/iam-simulate.test.ts
//
// Cases (cases.ts) are generated from a fixed seed: identity policies with Allow/Deny,
// Action/NotAction and Resource/NotResource with wildcards, conditions from every operator
// family (multi-valued keys with ForAllValues/ForAnyValue, IfExists, Null), permissions
// boundaries, session policies, SCP and RCP levels, standard resource policies, role trust
// policies and KMS key policies, callers of the same and of another account.
//
// Both engines decide every case. A disagreement is never waved through: it must fall into a
// KNOWN category (docs/semantics.md, "Differential test against iam-simulate", says which
// engine the AWS documentation supports for each). A category is recognised by re-running the
// case with the one difference it names taken away (e.g. iam-simulate given the root user's
// implicit full access, or SCPs withheld from a service-linked role): the disagreement belongs
// to the category only if the engines then agree. The test fails on any UNCLASSIFIED
// disagreement and prints the counts per category.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';

import { RCP_SERVICES } from '../../src/policy/index.js';
import { generateCases, type DiffCase, type Doc } from './cases.js';
import {
  CALLERS, contextOf, runSim, runWarden, simInput, TO_SIM, type SimDecision, type SimInputOptions,
} from './engines.js';
import type { Explanation } from '../../src/policy/types.js';

const COUNT = Math.max(10_000, Number(process.env.WARDEN_DIFF_CASES ?? 10_000));
const SEED = Number(process.env.WARDEN_DIFF_SEED ?? 20261122);

interface Outcome {
  warden: Explanation;
  sim: SimDecision;
}

/** Runs both engines. iam-simulate drops condition keys that do not apply to the action; Warden gets the same context. */
async function decideBoth(c: DiffCase, o: SimInputOptions = {}): Promise<Outcome> {
  const context = contextOf(c);
  const s = await runSim(simInput(c, context, o));
  const wctx = { ...context };
  for (const k of s.ignoredContextKeys) delete wctx[k];
  return { warden: runWarden(c, wctx), sim: s.decision };
}

const agree = (o: Outcome) => TO_SIM[o.warden.decision] === o.sim;

// ---------------------------------------------------------------------------
// Case rewriting helpers for the categories

function mapDocs(c: DiffCase, f: (d: Doc) => Doc): DiffCase {
  const x: DiffCase = structuredClone(c);
  x.identity = x.identity.map(f);
  if (x.boundary) x.boundary = f(x.boundary);
  if (x.session) x.session = f(x.session);
  if (x.resourcePolicy) x.resourcePolicy.doc = f(x.resourcePolicy.doc);
  if (x.scp) x.scp = x.scp.map((l) => l.map(f));
  if (x.rcp) x.rcp = x.rcp.map((l) => l.map(f));
  return x;
}

function allDocs(c: DiffCase): Doc[] {
  return [
    ...c.identity, ...(c.boundary ? [c.boundary] : []), ...(c.session ? [c.session] : []),
    ...(c.resourcePolicy ? [c.resourcePolicy.doc] : []), ...(c.scp ?? []).flat(), ...(c.rcp ?? []).flat(),
  ];
}

type Cond = Record<string, Record<string, unknown>>;
function mapConditions(d: Doc, f: (op: string, key: string, v: unknown) => unknown | undefined): Doc {
  return {
    ...d,
    Statement: d.Statement.map((st) => {
      if (!st.Condition) return st;
      const cond: Cond = {};
      for (const [op, kv] of Object.entries(st.Condition as Cond)) {
        for (const [key, v] of Object.entries(kv)) {
          const nv = f(op, key, v);
          if (nv !== undefined) (cond[op] ??= {})[key] = nv;
        }
      }
      const out = { ...st };
      if (Object.keys(cond).length > 0) out.Condition = cond; else delete out.Condition;
      return out;
    }),
  };
}

const EPOCH = /^\d+$/;

/** Date conditions on aws:EpochTime rewritten to aws:CurrentTime (the same instant, in ISO 8601). */
function epochTimeAsCurrentTime(d: Doc): Doc {
  return {
    ...d,
    Statement: d.Statement.map((st) => {
      if (!st.Condition) return st;
      const cond: Cond = {};
      for (const [op, kv] of Object.entries(st.Condition as Cond)) {
        cond[op] = {};
        for (const [key, v] of Object.entries(kv)) cond[op][isDateOp(op) && key === 'aws:EpochTime' ? 'aws:CurrentTime' : key] = v;
      }
      return { ...st, Condition: cond };
    }),
  };
}
const isDateOp = (op: string) => /(^|:)Date/.test(op);
const hasVariable = (d: Doc) => JSON.stringify(d.Statement).includes('${');

// ---------------------------------------------------------------------------
// The known categories. Each says when it can apply and how to take its difference away.

/** A case with one category's difference taken away. */
interface Neutralized {
  /** The case both engines get (rewritten so that Warden's decision is unchanged, where possible). */
  c: DiffCase;
  /** How iam-simulate's input is built. */
  o?: SimInputOptions;
  /** Changes Warden's input only (the category is Warden's own rule). */
  wardenOverride?: (c: DiffCase) => DiffCase;
  /** Changes iam-simulate's input only (iam-simulate is given what Warden reads). */
  simOverride?: (c: DiffCase) => DiffCase;
}

interface Category {
  name: string;
  /** Which engine the AWS documentation supports (details in docs/semantics.md). */
  right: 'warden' | 'iam-simulate' | 'undocumented';
  applies(c: DiffCase, o: Outcome): boolean;
  /** The case (and iam-simulate input options) with this category's difference removed. */
  without(c: DiffCase): Neutralized;
}

const CATEGORIES: Category[] = [
  {
    // "By default, all requests are implicitly denied with the exception of the AWS account
    // root user, which has full access." iam-simulate gives the root user no implicit access.
    name: 'root user has full access in its own account (iam-simulate: no implicit access)',
    right: 'warden',
    applies: (c) => c.principal === 'root' || c.principal === 'rootB',
    without: (c) => ({ c, o: { rootFullAccess: true } }),
  },
  {
    // "SCPs do not affect any service-linked role." — iam-simulate applies SCPs (and RCPs) to them.
    name: 'SCPs and RCPs do not apply to service-linked roles (iam-simulate applies them)',
    right: 'warden',
    applies: (c) => c.principal === 'slr' && (c.scp !== undefined || c.rcp !== undefined),
    without: (c) => ({ c, o: { dropScps: true, dropRcps: true } }),
  },
  {
    // "RCPs apply to actions for the following AWS services: Amazon S3, AWS STS, AWS KMS,
    // Amazon SQS, AWS Secrets Manager, …" — iam-simulate applies RCPs to every service.
    name: 'RCPs apply only to the services RCPs support (iam-simulate applies them to all)',
    right: 'warden',
    applies: (c) => c.rcp !== undefined && !RCP_SERVICES.has(c.action.split(':')[0].toLowerCase()),
    without: (c) => ({ c, o: { dropRcps: true } }),
  },
  {
    // "Permissions granted directly to a session are not limited by an implicit deny in an
    // identity-based policy, a permissions boundary, or session policy." iam-simulate lets the
    // session policy block them.
    name: 'session policy does not limit a resource-policy grant naming the role or federated-user session ARN (iam-simulate lets it block)',
    right: 'warden',
    applies: (c, o) => sessionGrant(c, o) === 'named',
    without: (c) => ({ c, o: { dropSession: true } }),
  },
  {
    // The same, for a grant by Principal "*" / {"AWS": "*"}: Warden reads the wildcard as naming
    // the session too; AWS documents only grants to the session ARN.
    name: 'session policy does not limit a resource-policy grant to Principal "*" (Warden reads "*" as naming the session; iam-simulate lets it block)',
    right: 'undocumented',
    applies: (c, o) => sessionGrant(c, o) === 'wildcard',
    without: (c) => ({ c, o: { dropSession: true } }),
  },
  {
    // GetFederationToken: "if you do not pass any session policies, then the resulting federated
    // user session has no permissions." iam-simulate treats the federated user like a user.
    name: 'federated user session without a session policy has no permissions (iam-simulate: identity policies apply alone)',
    right: 'warden',
    applies: (c) => c.principal === 'fed' && c.session === undefined,
    without: (c) => ({
      c,
      wardenOverride: (x) => ({ ...x, session: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }),
    }),
  },
  {
    // "If you don't include the Version element and set it to an appropriate version date,
    // variables like ${aws:username} are treated as literal strings in the policy."
    name: 'policy variables in a 2008-10-17 (or versionless) policy are literal text (iam-simulate substitutes them)',
    right: 'warden',
    applies: (c) => allDocs(c).some((d) => d.Version !== '2012-10-17' && hasVariable(d)),
    // Spell the literal text so that no engine can take it for a variable: `${` → `$(`. Warden's
    // decision cannot change (the text was literal already, and no request value holds either).
    without: (c) => ({
      c: mapDocs(c, (d) => (d.Version !== '2012-10-17' && hasVariable(d)
        ? { ...d, Statement: JSON.parse(JSON.stringify(d.Statement).replaceAll('${', '$(')) as Doc['Statement'] }
        : d)),
    }),
  },
  {
    // "BinaryEquals … compares the value of the specified key byte for byte against a base-64
    // encoded representation of the binary value in the policy."
    name: 'BinaryEquals (iam-simulate does not compare base-64 values byte for byte)',
    right: 'warden',
    applies: (c) => allDocs(c).some((d) => JSON.stringify(d.Statement).includes('BinaryEquals')),
    // The generator only sends canonical base-64 request values, for which BinaryEquals and
    // StringEquals mean the same to Warden: rewriting one into the other keeps Warden's decision.
    without: (c) => ({
      c: mapDocs(c, (d) => ({
        ...d,
        Statement: JSON.parse(JSON.stringify(d.Statement).replaceAll('"BinaryEquals"', '"StringEquals"')) as Doc['Statement'],
      })),
    }),
  },
  {
    // "You must specify date/time values with one of the W3C implementations of the ISO 8601
    // date formats or in epoch (UNIX) time."
    name: 'epoch (UNIX) time in Date conditions (iam-simulate does not read policy epoch values as instants)',
    right: 'warden',
    applies: (c) => allDocs(c).some((d) => {
      const text = JSON.stringify(d.Statement);
      return text.match(/"Date[A-Za-z]*":\{[^}]*"\d+"/) !== null || /"Date[A-Za-z]*":\{[^}]*"aws:EpochTime"/.test(text);
    }),
    // Policy epoch values become ISO 8601; aws:EpochTime (an epoch request value) becomes
    // aws:CurrentTime, the same instant in ISO 8601.
    without: (c) => ({
      c: mapDocs(c, (d) => epochTimeAsCurrentTime(mapConditions(d, (op, _k, v) => {
        if (!isDateOp(op)) return v;
        const iso = (x: unknown) => (typeof x === 'string' && EPOCH.test(x) ? new Date(Number(x) * 1000).toISOString().replace(/\.000Z$/, 'Z') : x);
        return Array.isArray(v) ? v.map(iso) : iso(v);
      }))),
    }),
  },
  {
    // AWS: ForAllValues "returns true if there are no context keys in the request or if the
    // context key value resolves to a null dataset, such as an empty string"; for Null it says
    // only "key is present / not present". Warden treats an empty list as an absent key for every
    // operator (condition.ts); iam-simulate treats [] as a present key with no values.
    name: 'an empty multi-valued key ([]) is an absent key (iam-simulate: present with no values)',
    right: 'undocumented',
    applies: (c) => Object.values(c.context).some((v) => Array.isArray(v) && v.length === 0),
    without: (c) => {
      const x = structuredClone(c);
      for (const [k, v] of Object.entries(x.context)) if (Array.isArray(v) && v.length === 0) delete x.context[k];
      return { c: x };
    },
  },
  {
    // NotPrincipal: "you must also specify the account ARN of the not-denied principal.
    // Otherwise, the policy might deny access to the entire account containing the principal.
    // … If an assumed-role user … is being evaluated, AWS might validate the account first,
    // then the role, and then the assumed-role user." iam-simulate exempts a caller named by
    // any one of its identities.
    name: 'NotPrincipal exempts a caller only when its account (and role) are listed too (iam-simulate: any one identity)',
    right: 'warden',
    applies: (c) => (c.resourcePolicy?.doc.Statement ?? []).some((st) => partiallyListed(c, st.NotPrincipal)),
    // iam-simulate is given what Warden reads: the Deny applies to this caller (Principal "*").
    without: (c) => ({
      c,
      simOverride: (x) => {
        const y = structuredClone(x);
        y.resourcePolicy!.doc.Statement = y.resourcePolicy!.doc.Statement.map((st) => {
          if (!partiallyListed(c, st.NotPrincipal)) return st;
          const { NotPrincipal: _np, ...rest } = st;
          return { ...rest, Principal: '*' };
        });
        return y;
      },
    }),
  },
  {
    // "If AWS cannot resolve a variable this might cause the entire statement to be invalid"
    // (reference_policies_variables). Warden: the ARN holding the unresolved variable matches
    // nothing, so a NotResource listing it holds and the statement applies; iam-simulate drops
    // the statement.
    name: 'NotResource with an unresolvable policy variable (Warden: the ARN matches nothing, so NotResource holds)',
    right: 'undocumented',
    applies: (c) => allDocs(c).some((d) => d.Version === '2012-10-17' && d.Statement.some((st) => unresolved(c, st.NotResource).length > 0)),
    without: (c) => ({
      c: mapDocs(c, (d) => (d.Version !== '2012-10-17' ? d : {
        ...d,
        Statement: d.Statement.map((st) => {
          const bad = unresolved(c, st.NotResource);
          if (bad.length === 0) return st;
          const list = (Array.isArray(st.NotResource) ? st.NotResource : [st.NotResource]) as string[];
          return { ...st, NotResource: list.map((r) => (bad.includes(r) ? 'arn:aws:s3:::zz-never-matches/*' : r)) };
        }),
      })),
    }),
  },
];

/**
 * For a role or federated-user session with a session policy that Warden allows through a
 * resource-policy statement: whether the statements that grant name the session ARN or only
 * `"*"`.
 */
function sessionGrant(c: DiffCase, o: Outcome): 'named' | 'wildcard' | undefined {
  if ((c.principal !== 'session' && c.principal !== 'fed') || c.session === undefined || o.warden.decision !== 'Allow') return undefined;
  const granting = o.warden.reasons.filter((r) => r.policyType === 'resource' || r.policyType === 'trust');
  if (granting.length === 0 || !c.resourcePolicy) return undefined;
  const arn = CALLERS[c.principal].warden.arn!;
  const named = granting.some((r) => {
    const p = c.resourcePolicy!.doc.Statement[r.statementIndex]?.Principal as { AWS?: string | string[] } | string | undefined;
    const aws = typeof p === 'object' && p !== null ? p.AWS : undefined;
    return (Array.isArray(aws) ? aws : aws === undefined ? [] : [aws]).includes(arn);
  });
  return named ? 'named' : 'wildcard';
}

/** The caller's identities that a NotPrincipal must list to exempt it. */
function identitiesOf(c: DiffCase): string[] {
  const p = CALLERS[c.principal].warden;
  const out: string[] = [];
  if (p.arn && p.kind !== 'root') out.push(p.arn);
  if (p.roleArn) out.push(p.roleArn);
  if (p.accountId) out.push(p.accountId, `arn:aws:iam::${p.accountId}:root`);
  return out;
}

function partiallyListed(c: DiffCase, block: unknown): boolean {
  if (block === undefined || typeof block !== 'object' || block === null) return false;
  const aws = (block as { AWS?: string | string[] }).AWS;
  const listed = aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
  const ids = identitiesOf(c);
  return ids.some((i) => listed.includes(i));
}

/** The entries of a Resource/NotResource list whose variables the case's context cannot resolve. */
function unresolved(c: DiffCase, list: unknown): string[] {
  if (list === undefined) return [];
  const entries = (Array.isArray(list) ? list : [list]) as string[];
  const ctx = Object.fromEntries(Object.entries(contextOf(c)).map(([k, v]) => [k.toLowerCase(), v]));
  return entries.filter((e) => [...e.matchAll(/\$\{([^}]+)\}/g)].some((m) => typeof ctx[m[1].toLowerCase()] !== 'string'));
}

async function classify(c: DiffCase, first: Outcome): Promise<string | undefined> {
  // Try each category alone, then the applicable ones together (a case can have two).
  const applicable = CATEGORIES.filter((k) => k.applies(c, first));
  for (const k of applicable) {
    if (agree(await decideNeutralized(k.without(c)))) return k.name;
  }
  if (applicable.length > 1) {
    let needed = applicable;
    if (!agree(await decideNeutralized(combine(c, needed)))) return undefined;
    // Name only the categories that are needed: drop each one whose removal keeps agreement.
    for (const k of applicable) {
      const fewer = needed.filter((x) => x !== k);
      if (fewer.length > 0 && agree(await decideNeutralized(combine(c, fewer)))) needed = fewer;
    }
    if (needed.length === 1) return needed[0].name;
    return `several: ${needed.map((k) => k.name.replace(/ \((iam-simulate|Warden)[^)]*\)$/, '')).join(' + ')}`;
  }
  return undefined;
}

/** The case with several categories' differences taken away together. */
function combine(c: DiffCase, categories: readonly Category[]): Neutralized {
  let all: Neutralized = { c };
  for (const k of categories) {
    const w = k.without(all.c);
    all = {
      c: w.c,
      o: { ...all.o, ...w.o },
      wardenOverride: compose(all.wardenOverride, w.wardenOverride),
      simOverride: compose(all.simOverride, w.simOverride),
    };
  }
  return all;
}

function compose(f?: (c: DiffCase) => DiffCase, g?: (c: DiffCase) => DiffCase): ((c: DiffCase) => DiffCase) | undefined {
  if (!f) return g;
  if (!g) return f;
  return (c) => g(f(c));
}

/** Both engines on a neutralized case: the overrides change one engine's input only. */
async function decideNeutralized(n: Neutralized): Promise<Outcome> {
  const simCase = n.simOverride ? n.simOverride(n.c) : n.c;
  const context = contextOf(n.c);
  const s = await runSim(simInput(simCase, context, n.o ?? {}));
  const wctx = { ...context };
  for (const k of s.ignoredContextKeys) delete wctx[k];
  return { warden: runWarden(n.wardenOverride ? n.wardenOverride(n.c) : n.c, wctx), sim: s.decision };
}

test(`differential: Warden agrees with iam-simulate on ${COUNT} generated cases, except in known categories`, async () => {
  const cases = generateCases(SEED, COUNT);
  const counts = new Map<string, number>();
  const decisions = new Map<string, number>();
  const unclassified: { c: DiffCase; o: Outcome }[] = [];
  let disagreements = 0;
  for (const c of cases) {
    const o = await decideBoth(c);
    decisions.set(o.warden.decision, (decisions.get(o.warden.decision) ?? 0) + 1);
    if (agree(o)) continue;
    disagreements++;
    const k = await classify(c, o);
    if (k === undefined) unclassified.push({ c, o });
    else counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const lines = [
    `differential (seed ${SEED}): ${COUNT} cases, ${COUNT - disagreements} agree, ${disagreements} disagree`,
    `  Warden's decisions: ${[...decisions].map(([d, n]) => `${d} ${n}`).join(', ')}`,
    `  (count, who the AWS documentation supports, category — details in docs/semantics.md)`,
    ...[...CATEGORIES.map((k) => k.name), ...[...counts.keys()].filter((k) => k.startsWith('several'))]
      .map((k) => [k, counts.get(k) ?? 0] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `  ${String(n).padStart(5)}  ${(CATEGORIES.find((x) => x.name === k)?.right ?? '-').padEnd(12)}  ${k}`),
    `  ${String(unclassified.length).padStart(5)}  UNCLASSIFIED`,
  ];
  console.log(lines.join('\n'));
  for (const { c, o } of unclassified.slice(0, 5)) {
    console.log(`UNCLASSIFIED case ${c.id}: Warden ${o.warden.decision}${o.warden.deniedBy ? ` (${o.warden.deniedBy})` : ''}, iam-simulate ${o.sim}\n${JSON.stringify(c)}`);
  }
  if (process.env.WARDEN_DIFF_DUMP) writeFileSync(process.env.WARDEN_DIFF_DUMP, JSON.stringify(unclassified, null, 1));
  // The generator must exercise every decision, or the agreement means little.
  for (const d of ['Allow', 'ExplicitDeny', 'ImplicitDeny']) assert.ok((decisions.get(d) ?? 0) >= COUNT / 50, `too few ${d} decisions`);
  assert.equal(unclassified.length, 0, `${unclassified.length} unclassified disagreements (first ids: ${unclassified.slice(0, 10).map((u) => u.c.id).join(', ')})`);
});
