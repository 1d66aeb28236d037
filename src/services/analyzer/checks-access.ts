// Access Analyzer's custom policy checks — CheckNoNewAccess, CheckAccessNotGranted,
// CheckNoPublicAccess — decided exactly by the reasoner (src/reasoning): a FAIL comes with a
// concrete request the engine allows; a policy outside the decided fragment FAILs with a reason
// saying the check could not be proven, as AWS does when its solver cannot decide. The API's
// result stays PASS | FAIL.
import { PolicyError, checkAccessNotGranted, checkNoNewAccess, checkNoPublicAccess, type Reason, type Witness } from '../../reasoning/index.js';
import type { OperationTable } from '../types.js';
import { authorize, validation } from './wire.js';


function kindOf(policyType: unknown): 'identity' | 'resource' {
  if (policyType === 'IDENTITY_POLICY') return 'identity';
  if (policyType === 'RESOURCE_POLICY') return 'resource';
  throw validation(`Invalid policyType: ${String(policyType)}.`);
}

/** Runs a check, turning a refused policy document into AWS's ValidationException. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PolicyError) throw validation(`The policy document is not valid: ${e.message}`);
    throw e;
  }
}

/** A request a person can read: what the FAIL is about. */
export function describeWitness(w: Witness): string {
  const parts = [`action ${w.action}`, `resource ${w.resource}`];
  if (w.principal) parts.push(`principal ${w.principal.arn ?? w.principal.service ?? w.principal.canonicalUser ?? w.principal.federatedProvider ?? 'anonymous'}`);
  const ctx = Object.entries(w.context);
  parts.push(ctx.length === 0 ? 'no condition keys' : ctx.map(([k, v]) => `${k}=${v}`).join(', '));
  return parts.join('; ');
}

function reasonsOut(reasons: readonly Reason[], text: (r: Reason) => string, w: Witness | undefined): Record<string, unknown>[] {
  return reasons.map((r, i) => {
    const out: Record<string, unknown> = { description: text(r) + (w && i === 0 ? ` Example request: ${describeWitness(w)}.` : '') };
    if (r.statementIndex !== undefined) out.statementIndex = r.statementIndex;
    if (r.statementId !== undefined) out.statementId = r.statementId;
    return out;
  });
}

const UNPROVEN = (r: Reason) => r.description;

export interface AccessCheckResult { result: 'PASS' | 'FAIL'; message: string; reasons: Record<string, unknown>[] }

export function runCheckNoNewAccess(existing: string, next: string, kind: 'identity' | 'resource'): AccessCheckResult {
  const o = guarded(() => checkNoNewAccess(existing, next, kind));
  if (o.verdict === 'PASS') return { result: 'PASS', message: 'The policy document does not grant any new access compared to the existing policy.', reasons: [] };
  if (o.verdict === 'UNKNOWN') return { result: 'FAIL', message: 'Unable to prove that the modified permissions grant no new access compared to your existing policy.', reasons: reasonsOut(o.reasons, UNPROVEN, undefined) };
  return {
    result: 'FAIL', message: 'The modified permissions grant new access compared to your existing policy.',
    reasons: reasonsOut(o.reasons, (r) => `New access in the statement with index: ${r.statementIndex}.`, o.witness),
  };
}

export function runCheckAccessNotGranted(policy: string, access: { actions?: string[]; resources?: string[] }, kind: 'identity' | 'resource'): AccessCheckResult {
  const o = guarded(() => checkAccessNotGranted(policy, access, kind));
  const what = access.actions?.length ? (access.resources?.length ? 'the listed actions on the listed resources' : 'the listed actions') : 'the listed resources';
  if (o.verdict === 'PASS') return { result: 'PASS', message: `The policy document does not grant access to ${what}.`, reasons: [] };
  if (o.verdict === 'UNKNOWN') return { result: 'FAIL', message: `Unable to prove that the policy document does not grant access to ${what}.`, reasons: reasonsOut(o.reasons, UNPROVEN, undefined) };
  return {
    result: 'FAIL', message: `The policy document grants access to ${what}.`,
    reasons: reasonsOut(o.reasons, (r) => `One or more of ${what} in the statement with index: ${r.statementIndex}.`, o.witness),
  };
}

export function runCheckNoPublicAccess(policy: string, resourceType: string): AccessCheckResult {
  const kind = resourceType === 'AWS::IAM::AssumeRolePolicyDocument' ? 'trust' : 'resource';
  const o = guarded(() => checkNoPublicAccess(policy, kind));
  if (o.verdict === 'PASS') return { result: 'PASS', message: 'The resource policy does not grant public access for the given resource type.', reasons: [] };
  if (o.verdict === 'UNKNOWN') return { result: 'FAIL', message: 'Unable to prove that the resource policy does not grant public access for the given resource type.', reasons: reasonsOut(o.reasons, UNPROVEN, undefined) };
  return {
    result: 'FAIL', message: 'The resource policy grants public access for the given resource type.',
    reasons: reasonsOut(o.reasons, (r) => `Public access granted in the following statement with index: ${r.statementIndex}.`, o.witness),
  };
}

function stringList(v: unknown, name: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw validation(`${name} must be a list of strings.`);
  return v as string[];
}

export const accessCheckOperations: OperationTable = {
  async CheckNoNewAccess(ctx, input) {
    authorize(ctx, 'access-analyzer:CheckNoNewAccess', '*');
    const kind = kindOf(input.policyType);
    return { ...runCheckNoNewAccess(String(input.existingPolicyDocument ?? ''), String(input.newPolicyDocument ?? ''), kind) };
  },
  async CheckAccessNotGranted(ctx, input) {
    authorize(ctx, 'access-analyzer:CheckAccessNotGranted', '*');
    const kind = kindOf(input.policyType);
    const list = Array.isArray(input.access) ? (input.access as Record<string, unknown>[]) : [];
    if (list.length === 0) throw validation('access must contain at least one entry.');
    const actions = stringList(list[0].actions, 'actions');
    const resources = stringList(list[0].resources, 'resources');
    if (!actions?.length && !resources?.length) throw validation('Access must specify at least one of actions or resources.');
    const access: { actions?: string[]; resources?: string[] } = {};
    if (actions?.length) access.actions = actions;
    if (resources?.length) access.resources = resources;
    return { ...runCheckAccessNotGranted(String(input.policyDocument ?? ''), access, kind) };
  },
  async CheckNoPublicAccess(ctx, input) {
    authorize(ctx, 'access-analyzer:CheckNoPublicAccess', '*');
    return { ...runCheckNoPublicAccess(String(input.policyDocument ?? ''), String(input.resourceType ?? '')) };
  },
};
