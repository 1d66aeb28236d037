// Runs one differential case through Warden's engine and through @cloud-copilot/iam-simulate.
//
// iam-simulate is AGPL and a devDependency: only test/differential imports it, never src/.
// Its public API (README, dist/*.d.ts): runSimulation({ request: { principal, action,
// resource: { resource, accountId }, contextVariables }, identityPolicies, sessionPolicy,
// permissionBoundaryPolicies, serviceControlPolicies, resourceControlPolicies, resourcePolicy })
// → { resultType: 'single', overallResult: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied',
// result: { ignoredContextKeys } } or { resultType: 'error', errors }.
import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

import { authorize, buildRequestContext, compilePolicy, normalizeContext, parsePolicy } from '../../src/policy/index.js';
import type {
  AuthorizationRequest, CompiledPolicyRef, Decision, Explanation, PolicySet, PolicyType, Principal,
} from '../../src/policy/types.js';
import {
  A, ALICE_ARN, B, BOB_ARN, FED_ARN, MGMT, ROLE_ARN, SESSION_ARN, SLR_ROLE_ARN, SLR_SESSION_ARN,
  type DiffCase, type Doc, type PrincipalId,
} from './cases.js';

export const RCP_FULL_ACCESS: Doc = {
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
};

export interface Caller {
  warden: Principal;
  /** iam-simulate's principal: an ARN, a service principal, or its anonymous marker. */
  sim: Simulation['request']['principal'];
  userName?: string;
}

export const CALLERS: Record<PrincipalId, Caller> = {
  alice: { warden: { kind: 'user', accountId: A, arn: ALICE_ARN }, sim: ALICE_ARN, userName: 'alice' },
  bob: { warden: { kind: 'user', accountId: B, arn: BOB_ARN }, sim: BOB_ARN, userName: 'bob' },
  mgmtUser: { warden: { kind: 'user', accountId: MGMT, arn: `arn:aws:iam::${MGMT}:user/admin` }, sim: `arn:aws:iam::${MGMT}:user/admin`, userName: 'admin' },
  session: { warden: { kind: 'assumedRole', accountId: A, arn: SESSION_ARN, roleArn: ROLE_ARN }, sim: SESSION_ARN },
  slr: { warden: { kind: 'assumedRole', accountId: A, arn: SLR_SESSION_ARN, roleArn: SLR_ROLE_ARN, serviceLinkedRole: true }, sim: SLR_SESSION_ARN },
  root: { warden: { kind: 'root', accountId: A, arn: `arn:aws:iam::${A}:root` }, sim: `arn:aws:iam::${A}:root` },
  rootB: { warden: { kind: 'root', accountId: B, arn: `arn:aws:iam::${B}:root` }, sim: `arn:aws:iam::${B}:root` },
  fed: { warden: { kind: 'federatedUser', accountId: A, arn: FED_ARN }, sim: FED_ARN },
  anonymous: { warden: { kind: 'anonymous' }, sim: anonymousPrincipal },
  service: { warden: { kind: 'service', service: 's3.amazonaws.com' }, sim: 's3.amazonaws.com' },
};

/** The condition keys buildRequestContext writes, as AWS spells them. */
const CANONICAL: Record<string, string> = {
  'aws:principalarn': 'aws:PrincipalArn',
  'aws:principalaccount': 'aws:PrincipalAccount',
  'aws:principaltype': 'aws:PrincipalType',
  'aws:principalisawsservice': 'aws:PrincipalIsAWSService',
  'aws:principalservicename': 'aws:PrincipalServiceName',
  'aws:username': 'aws:username',
  'aws:userid': 'aws:userid',
  'aws:principaltag/team': 'aws:PrincipalTag/team',
  'aws:currenttime': 'aws:CurrentTime',
  'aws:epochtime': 'aws:EpochTime',
};

/**
 * The request context both engines see, with the keys as AWS writes them: the global keys
 * Warden's builder derives from the caller, then the case's own keys.
 */
export function contextOf(c: DiffCase): Record<string, string | string[]> {
  const caller = CALLERS[c.principal];
  const built = buildRequestContext({
    principal: caller.warden,
    ...(caller.userName ? { userName: caller.userName } : {}),
    ...(Object.keys(c.tags).length > 0 && caller.warden.kind !== 'anonymous' && caller.warden.kind !== 'service' ? { tags: c.tags } : {}),
    currentTime: c.context['aws:CurrentTime'] as string,
  });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(built)) {
    if (v === undefined) continue;
    const name = CANONICAL[k];
    if (name === undefined) throw new Error(`no canonical spelling for ${k}`);
    out[name] = v as string | string[];
  }
  for (const [k, v] of Object.entries(c.context)) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------
// Warden

function compile(doc: Doc, type: PolicyType, id: string, managed = false): CompiledPolicyRef {
  const parsed = parsePolicy(doc, managed ? { type, managed: true } : { type });
  if (!parsed.ok) throw new Error(`case policy ${id} (${type}) does not parse: ${JSON.stringify(parsed.issues)}\n${JSON.stringify(doc)}`);
  const compiled = compilePolicy(parsed.policy, { id, type, name: id });
  return compiled;
}

const LEVEL = (l: number) => (l === 0 ? 'r-root' : l === 1 ? 'ou-ab12-11111111' : 'ou-ab12-22222222');

export function wardenRequest(c: DiffCase, context: Record<string, string | string[]>): AuthorizationRequest {
  const ps: { -readonly [K in keyof PolicySet]: PolicySet[K] } = {};
  ps.identity = c.identity.map((d, i) => compile(d, 'identity', `identity${i}`));
  if (c.boundary) ps.boundary = compile(c.boundary, 'boundary', 'boundary');
  if (c.session) ps.session = [compile(c.session, 'session', 'session')];
  if (c.resourcePolicy) {
    ps.resource = compile(c.resourcePolicy.doc, c.resourcePolicy.kind === 'trust' ? 'trust' : 'resource', 'resource');
    ps.resourcePolicyKind = c.resourcePolicy.kind;
  }
  if (c.scp) ps.scp = c.scp.map((lvl, l) => ({ target: LEVEL(l), policies: lvl.map((d, i) => compile(d, 'scp', `scp${l}.${i}`)) }));
  if (c.rcp) {
    ps.rcp = c.rcp.map((lvl, l) => ({
      target: LEVEL(l),
      policies: [compile(RCP_FULL_ACCESS, 'rcp', 'RCPFullAWSAccess', true), ...lvl.map((d, i) => compile(d, 'rcp', `rcp${l}.${i}`))],
    }));
  }
  return {
    principal: CALLERS[c.principal].warden,
    action: c.action,
    resource: c.resource,
    resourceAccount: c.resourceAccount,
    context: normalizeContext(context),
    policies: ps,
    organization: { managementAccountId: MGMT },
  };
}

export function runWarden(c: DiffCase, context: Record<string, string | string[]>): Explanation {
  return authorize(wardenRequest(c, context));
}

// ---------------------------------------------------------------------------
// iam-simulate

export type SimDecision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export const TO_SIM: Record<Decision, SimDecision> = {
  Allow: 'Allowed', ExplicitDeny: 'ExplicitlyDenied', ImplicitDeny: 'ImplicitlyDenied',
};

/** How the harness builds iam-simulate's input; categories re-run it with one of these changed. */
export interface SimInputOptions {
  /** Leave out the SCPs (service-linked role check). */
  dropScps?: boolean;
  /** Leave out the session policy. */
  dropSession?: boolean;
  /** Leave out the RCPs. */
  dropRcps?: boolean;
  /** Add an identity policy allowing everything (the root user's implicit full access). */
  rootFullAccess?: boolean;
}

/**
 * iam-simulate's input for a case. Its contract is "the SCPs/RCPs that apply": it has no notion
 * of the organization's management account, which SCPs and RCPs never affect ("SCPs don't affect
 * users or roles in the management account"; "RCPs don't affect resources in the management
 * account"), so none are passed for it.
 */
export function simInput(c: DiffCase, context: Record<string, string | string[]>, o: SimInputOptions = {}): Simulation {
  const caller = CALLERS[c.principal];
  const principalAccount = caller.warden.accountId;
  const scpApplies = !o.dropScps && !(principalAccount === MGMT) && principalAccount !== undefined;
  const rcpApplies = !o.dropRcps && c.resourceAccount !== MGMT;
  const sim: Simulation = {
    request: {
      principal: caller.sim,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: c.identity.map((d, i) => ({ name: `identity${i}`, policy: d })),
    serviceControlPolicies: scpApplies && c.scp
      ? c.scp.map((lvl, l) => ({ orgIdentifier: LEVEL(l), policies: lvl.map((d, i) => ({ name: `scp${l}.${i}`, policy: d })) }))
      : [],
    resourceControlPolicies: rcpApplies && c.rcp
      ? c.rcp.map((lvl, l) => ({ orgIdentifier: LEVEL(l), policies: lvl.map((d, i) => ({ name: `rcp${l}.${i}`, policy: d })) }))
      : [],
  };
  if (o.rootFullAccess) sim.identityPolicies.push({ name: 'root-full-access', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } });
  if (c.boundary) sim.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.boundary }];
  if (c.session && !o.dropSession) sim.sessionPolicy = c.session;
  if (c.resourcePolicy) sim.resourcePolicy = c.resourcePolicy.doc;
  return sim;
}

export interface SimOutcome {
  decision: SimDecision;
  ignoredContextKeys: string[];
}

export async function runSim(sim: Simulation): Promise<SimOutcome> {
  const r = await runSimulation(sim, {});
  if (r.resultType === 'error') throw new Error(`iam-simulate refused the case: ${JSON.stringify(r.errors)}`);
  if (r.resultType === 'wildcard') throw new Error('iam-simulate ran a wildcard simulation; the harness sends none');
  return { decision: r.overallResult, ignoredContextKeys: r.result.ignoredContextKeys ?? [] };
}
