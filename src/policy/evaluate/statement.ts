// Does one compiled statement apply to a request? Action is settled by the per-action index
// (CompiledPolicy.statementsFor); this checks Principal, Resource and Condition.
import type { Principal, RequestContext, StatementRef } from '../types.js';
import type { CompiledStatement } from '../compile.js';
import { matchPrincipal, notPrincipalApplies, type PrincipalMatch } from './principal.js';

export interface EvalRequest {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly context: RequestContext;
  /** The caller has a permissions boundary (NotPrincipal with Deny always applies to it). */
  readonly hasBoundary: boolean;
}

export function resourceMatches(st: CompiledStatement, resource: string, ctx: RequestContext): boolean {
  const rs = st.resources;
  if (rs === undefined) return true;
  let any = false;
  for (let i = 0; i < rs.length; i++) if (rs[i].test(resource, ctx)) { any = true; break; }
  return st.notResource ? !any : any;
}

export function conditionsMatch(st: CompiledStatement, ctx: RequestContext): boolean {
  const cs = st.conditions;
  for (let i = 0; i < cs.length; i++) if (!cs[i].test(ctx)) return false;
  return true;
}

/**
 * How the statement's Principal/NotPrincipal names the caller: a PrincipalMatch, or undefined
 * when it does not apply. Statements without a principal element (identity-side policies)
 * return 'direct'.
 */
export function principalMatches(st: CompiledStatement, p: Principal, hasBoundary = false): PrincipalMatch | undefined {
  const cp = st.principal;
  if (cp === undefined) return 'direct';
  // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
  // permissions boundary policy attached, regardless of the values specified in the NotPrincipal
  // element." (reference_policies_elements_notprincipal.html)
  if (st.notPrincipal) return hasBoundary && st.ref.effect === 'Deny' || notPrincipalApplies(cp, p) ? 'direct' : undefined;
  return matchPrincipal(cp, p);
}

/** What one policy says about one request. Arrays are allocated only when something matched. */
export interface PolicyVerdict {
  allows: StatementRef[] | undefined;
  denies: StatementRef[] | undefined;
  /** For each entry of `allows`, how its Principal named the caller. */
  allowKinds: PrincipalMatch[] | undefined;
}

/** Anything that yields the statements matching an action: a CompiledPolicy or a PolicyGroup. */
export interface StatementSource {
  candidatesFor(action: string, resource: string): readonly CompiledStatement[];
}

export function evaluatePolicy(policy: StatementSource, req: EvalRequest, out: PolicyVerdict): void {
  const sts = policy.candidatesFor(req.action, req.resource);
  for (let i = 0; i < sts.length; i++) {
    const st = sts[i];
    const pm = principalMatches(st, req.principal, req.hasBoundary);
    if (pm === undefined) continue;
    if (!resourceMatches(st, req.resource, req.context)) continue;
    if (!conditionsMatch(st, req.context)) continue;
    if (st.ref.effect === 'Deny') {
      (out.denies ??= []).push(st.ref);
    } else {
      (out.allows ??= []).push(st.ref);
      (out.allowKinds ??= []).push(pm);
    }
  }
}

export function newVerdict(): PolicyVerdict {
  return { allows: undefined, denies: undefined, allowKinds: undefined };
}
