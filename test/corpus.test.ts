// The decision corpus: cases written from AWS's documentation (each file cites its pages),
// run against the policy engine. A case names a request, the policies that apply to it and
// the decision AWS documents, with the layer that denied and the statements that decided.
//
//   node --import tsx --test test/corpus.test.ts
//
// The corpus's own shape is checked first, so that a broken file fails loudly rather than
// silently contributing no cases.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { authorize, buildRequestContext, compilePolicy, parsePolicy } from '../src/policy/index.js';
import type {
  AuthorizationRequest,
  CompiledPolicyRef,
  Decision,
  Layer,
  PolicySet,
  PolicyType,
  Principal,
  StatementRef,
} from '../src/policy/types.js';

const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const MIN_CASES = 320;

const DECISIONS: readonly Decision[] = ['Allow', 'ExplicitDeny', 'ImplicitDeny'];
const LAYERS: readonly Layer[] = ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'];
const RESOURCE_KINDS = ['standard', 'trust', 'kms'] as const;
type ResourceKind = (typeof RESOURCE_KINDS)[number];

interface PolicyDoc {
  id: string;
  document: unknown;
  /** An AWS-managed policy (RCPFullAWSAccess): parsed with the forms only AWS may use. */
  managed?: boolean;
}
interface ResourcePolicyDoc extends PolicyDoc {
  kind?: ResourceKind;
}
interface LevelDoc {
  target: string;
  policies: PolicyDoc[];
}
interface PrincipalInfo {
  userName?: string;
  userId?: string;
  tags?: Record<string, string>;
  orgId?: string;
  orgPaths?: string[];
  mfaPresent?: boolean;
  mfaAuthAge?: number;
  tokenIssueTime?: string;
  sourceIp?: string;
  region?: string;
  secureTransport?: boolean;
  currentTime?: string;
}
interface ExpectedReason {
  policyId: string;
  sid?: string;
  statementIndex?: number;
}
interface CorpusCase {
  name: string;
  note?: string;
  request: {
    principal: Principal;
    principalInfo?: PrincipalInfo;
    action: string;
    resource: string;
    resourceAccount?: string;
    context?: Record<string, string | string[]>;
    organization?: { managementAccountId?: string };
  };
  policies?: {
    identity?: PolicyDoc[];
    boundary?: PolicyDoc;
    session?: PolicyDoc[];
    resource?: ResourcePolicyDoc;
    scp?: LevelDoc[];
    rcp?: LevelDoc[];
  };
  expected: {
    decision: Decision;
    deniedBy?: Layer;
    deniedAt?: string;
    reasons?: ExpectedReason[];
  };
}
interface CorpusFile {
  source: string[];
  description: string;
  cases: CorpusCase[];
}

// ---------------------------------------------------------------------------
// Loading and shape validation

function loadCorpus(): { file: string; corpus: CorpusFile }[] {
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
    let corpus: CorpusFile;
    try {
      corpus = JSON.parse(text) as CorpusFile;
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    return { file, corpus };
  });
}

function shapeProblems(file: string, c: CorpusFile): string[] {
  const out: string[] = [];
  const at = (s: string) => out.push(`${file}: ${s}`);
  if (!Array.isArray(c.source) || c.source.length === 0 || !c.source.every((s) => typeof s === 'string' && /^https:\/\/docs\.aws\.amazon\.com\//.test(s))) {
    at('`source` must be a non-empty list of AWS documentation URLs');
  }
  if (typeof c.description !== 'string' || c.description === '') at('`description` is missing');
  if (!Array.isArray(c.cases) || c.cases.length === 0) {
    at('`cases` must be a non-empty list');
    return out;
  }
  const names = new Set<string>();
  c.cases.forEach((k, i) => {
    const where = `case #${i} (${k?.name ?? 'unnamed'})`;
    if (typeof k?.name !== 'string' || k.name === '') at(`${where}: missing name`);
    else if (names.has(k.name)) at(`${where}: duplicate name`);
    else names.add(k.name);
    const r = k?.request;
    if (!r || typeof r !== 'object') { at(`${where}: missing request`); return; }
    if (!r.principal || typeof r.principal.kind !== 'string') at(`${where}: request.principal.kind missing`);
    if (typeof r.action !== 'string' || !r.action.includes(':')) at(`${where}: request.action must be service:Action`);
    if (typeof r.resource !== 'string' || r.resource === '') at(`${where}: request.resource missing`);
    const e = k.expected;
    if (!e || !DECISIONS.includes(e.decision)) { at(`${where}: expected.decision must be one of ${DECISIONS.join(', ')}`); return; }
    if (e.deniedBy !== undefined && !LAYERS.includes(e.deniedBy)) at(`${where}: expected.deniedBy ${e.deniedBy} is not a layer`);
    if (e.decision === 'Allow' && (e.deniedBy !== undefined || e.deniedAt !== undefined)) at(`${where}: an Allow has no deniedBy/deniedAt`);
    if (e.deniedAt !== undefined && e.deniedBy !== 'scp' && e.deniedBy !== 'rcp') at(`${where}: deniedAt only for scp/rcp`);
    if (e.decision === 'ExplicitDeny' && (!Array.isArray(e.reasons) || e.reasons.length === 0)) at(`${where}: an ExplicitDeny lists its Deny statements in reasons`);
    if (e.decision === 'ImplicitDeny' && Array.isArray(e.reasons) && e.reasons.length > 0) at(`${where}: an ImplicitDeny has no reasons`);
    for (const reason of e.reasons ?? []) {
      if (typeof reason.policyId !== 'string' || (reason.sid === undefined && typeof reason.statementIndex !== 'number')) {
        at(`${where}: a reason needs policyId and sid or statementIndex`);
      }
    }
    const p = k.policies ?? {};
    const ids = new Set<string>();
    const docs: PolicyDoc[] = [
      ...(p.identity ?? []), ...(p.boundary ? [p.boundary] : []), ...(p.session ?? []), ...(p.resource ? [p.resource] : []),
      ...(p.scp ?? []).flatMap((l) => l.policies), ...(p.rcp ?? []).flatMap((l) => l.policies),
    ];
    for (const d of docs) {
      if (typeof d.id !== 'string' || d.document === undefined) at(`${where}: every policy needs id and document`);
      // The same managed policy (FullAWSAccess…) may sit at several SCP/RCP levels.
      ids.add(d.id);
    }
    if (p.resource?.kind !== undefined && !RESOURCE_KINDS.includes(p.resource.kind)) at(`${where}: resource.kind ${p.resource.kind}`);
    for (const reason of e.reasons ?? []) {
      if (!ids.has(reason.policyId)) at(`${where}: reason names policy ${reason.policyId}, which the case does not have`);
    }
  });
  return out;
}

const loaded = loadCorpus();

test('corpus: every file is well-formed and there are enough cases', () => {
  assert.ok(loaded.length > 0, `no corpus files in ${CORPUS_DIR}`);
  const problems = loaded.flatMap(({ file, corpus }) => shapeProblems(file, corpus));
  assert.deepEqual(problems, []);
  const total = loaded.reduce((n, { corpus }) => n + (corpus.cases?.length ?? 0), 0);
  assert.ok(total >= MIN_CASES, `the corpus has ${total} cases; it must have at least ${MIN_CASES}`);
});

// ---------------------------------------------------------------------------
// Running the cases

function compile(doc: PolicyDoc, type: PolicyType, where: string): CompiledPolicyRef {
  const parsed = parsePolicy(doc.document, doc.managed === true ? { type, managed: true } : { type });
  if (!parsed.ok) {
    assert.fail(`${where}: policy ${doc.id} (${type}) does not parse: ${JSON.stringify(parsed.issues)}`);
  }
  return compilePolicy(parsed.policy, { id: doc.id, type, name: doc.id });
}

function buildPolicySet(k: CorpusCase, where: string): PolicySet {
  const p = k.policies ?? {};
  const set: {
    -readonly [K in keyof PolicySet]: PolicySet[K];
  } = {};
  if (p.identity) set.identity = p.identity.map((d) => compile(d, 'identity', where));
  if (p.boundary) set.boundary = compile(p.boundary, 'boundary', where);
  if (p.session) set.session = p.session.map((d) => compile(d, 'session', where));
  if (p.resource) {
    const kind = p.resource.kind ?? 'standard';
    set.resource = compile(p.resource, kind === 'trust' ? 'trust' : 'resource', where);
    set.resourcePolicyKind = kind;
  }
  if (p.scp) set.scp = p.scp.map((l) => ({ target: l.target, policies: l.policies.map((d) => compile(d, 'scp', where)) }));
  if (p.rcp) set.rcp = p.rcp.map((l) => ({ target: l.target, policies: l.policies.map((d) => compile(d, 'rcp', where)) }));
  return set;
}

function reasonKey(r: { policyId: string; sid?: string; statementIndex?: number }): string {
  return r.sid !== undefined ? `${r.policyId}#sid:${r.sid}` : `${r.policyId}#${r.statementIndex}`;
}

/**
 * An engine reason matches an expected one by policy and Sid when the case names the Sid,
 * otherwise by policy and statement index.
 */
function actualKeys(actual: readonly StatementRef[], expected: readonly ExpectedReason[]): string[] {
  return actual
    .map((a) => {
      const namedBySid = a.sid !== undefined && expected.some((e) => e.policyId === a.policyId && e.sid === a.sid);
      return namedBySid ? `${a.policyId}#sid:${a.sid}` : `${a.policyId}#${a.statementIndex}`;
    })
    .sort();
}

for (const { file, corpus } of loaded) {
  describe(`corpus/${file}`, () => {
    for (const k of corpus.cases ?? []) {
      const where = `${file} › ${k.name}`;
      test(where, () => {
        const r = k.request;
        const context = buildRequestContext({ principal: r.principal, ...(r.principalInfo ?? {}), extra: r.context });
        const request: AuthorizationRequest = {
          principal: r.principal,
          action: r.action,
          resource: r.resource,
          ...(r.resourceAccount !== undefined ? { resourceAccount: r.resourceAccount } : {}),
          context,
          policies: buildPolicySet(k, where),
          ...(r.organization !== undefined ? { organization: r.organization } : {}),
        };
        const got = authorize(request, { verbose: true });
        const detail = `\n  ${where}${k.note ? `\n  doc: ${k.note}` : ''}\n  engine: ${JSON.stringify({ decision: got.decision, deniedBy: got.deniedBy, deniedAt: got.deniedAt, reasons: got.reasons.map((x) => reasonKey({ policyId: x.policyId, sid: x.sid, statementIndex: x.statementIndex })), message: got.message })}`;
        const e = k.expected;
        assert.equal(got.decision, e.decision, `decision${detail}`);
        if (e.decision !== 'Allow') {
          if (e.deniedBy !== undefined) assert.equal(got.deniedBy, e.deniedBy, `deniedBy${detail}`);
          if (e.deniedAt !== undefined) assert.equal(got.deniedAt, e.deniedAt, `deniedAt${detail}`);
        }
        const expectedReasons = e.reasons ?? [];
        if (e.decision === 'ImplicitDeny') {
          assert.deepEqual(got.reasons.map((x) => reasonKey(x)), [], `an implicit deny has no deciding statements${detail}`);
        } else if (e.reasons !== undefined) {
          assert.deepEqual(actualKeys(got.reasons, expectedReasons), expectedReasons.map(reasonKey).sort(), `reasons${detail}`);
        }
      });
    }
  });
}
