// Principal / NotPrincipal matching for resource-based policies, trust policies and RCPs.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
import type { Principal, PrincipalBlock } from '../types.js';

/**
 * How a resource-policy statement named the caller. It decides what an Allow can do alone
 * within one account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
 * - `direct`: the IAM user, the role session, the federated user session, a service, `*` —
 *   the Allow grants even with an implicit deny in identity policies, boundary or session policies;
 * - `role`: the role ARN of a role session — the boundary and session policies still apply;
 * - `account`: the account (root ARN or account id) — delegates to the identity-based policies.
 */
export type PrincipalMatch = 'direct' | 'role' | 'account';

export interface CompiledPrincipal {
  readonly any: boolean;
  readonly accounts: ReadonlySet<string>;
  readonly arns: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly federated: ReadonlySet<string>;
  readonly canonical: ReadonlySet<string>;
}

const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;

export function compilePrincipal(block: PrincipalBlock): CompiledPrincipal {
  const accounts = new Set<string>();
  const arns = new Set<string>();
  const services = new Set<string>();
  const federated = new Set<string>();
  const canonical = new Set<string>();
  let any = block.kind === 'any';
  if (block.kind === 'map') {
    for (const a of block.AWS ?? []) {
      if (a === '*') { any = true; continue; }
      if (/^\d{12}$/.test(a)) { accounts.add(a); continue; }
      const m = ROOT_ARN.exec(a);
      if (m) accounts.add(m[1]);
      else arns.add(a);
    }
    // Service principal names are compared case-insensitively by AWS in practice; keep lower-case.
    for (const s of block.Service ?? []) { if (s === '*') any = true; else services.add(s.toLowerCase()); }
    for (const f of block.Federated ?? []) { if (f === '*') any = true; else federated.add(f); }
    for (const c of block.CanonicalUser ?? []) { if (c === '*') any = true; else canonical.add(c); }
  }
  return { any, accounts, arns, services, federated, canonical };
}

/** How the block names the principal, or undefined when it does not. */
export function matchPrincipal(cp: CompiledPrincipal, p: Principal): PrincipalMatch | undefined {
  if (cp.any) return 'direct';
  switch (p.kind) {
    case 'user':
    case 'federatedUser':
      if (p.arn !== undefined && cp.arns.has(p.arn)) return 'direct';
      break;
    case 'assumedRole':
      if (p.arn !== undefined && cp.arns.has(p.arn)) return 'direct';
      if (p.roleArn !== undefined && (cp.arns.has(p.roleArn) || cp.arns.has(stripRolePath(p.roleArn)))) return 'role';
      break;
    case 'root':
      break;
    case 'service':
      if (p.service !== undefined && cp.services.has(p.service.toLowerCase())) return 'direct';
      return undefined;
    case 'webIdentity':
    case 'saml':
      if (p.federatedProvider !== undefined && cp.federated.has(p.federatedProvider)) return 'direct';
      return undefined;
    case 'anonymous':
      if (p.canonicalUser !== undefined && cp.canonical.has(p.canonicalUser)) return 'direct';
      return undefined;
  }
  if (p.canonicalUser !== undefined && cp.canonical.has(p.canonicalUser)) return 'direct';
  if (p.kind === 'federatedUser' && p.federatedProvider !== undefined && cp.federated.has(p.federatedProvider)) return 'direct';
  if (p.accountId !== undefined && cp.accounts.has(p.accountId)) return 'account';
  return undefined;
}

// A role ARN in a policy may or may not carry the role's path; AWS resolves both to the role.
function stripRolePath(roleArn: string): string {
  const i = roleArn.indexOf(':role/');
  if (i < 0) return roleArn;
  const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return roleArn.slice(0, i) + ':role/' + name;
}

/**
 * NotPrincipal: the statement applies unless *every* identity of the caller is listed.
 * AWS evaluates a role session as its session ARN, its role ARN and its account, and a user
 * as its user ARN and its account, so exempting a caller needs all of them — the documented
 * reason to list the account too ("you must also include the account ARN").
 */
export function notPrincipalApplies(cp: CompiledPrincipal, p: Principal): boolean {
  if (cp.any) return false;
  switch (p.kind) {
    case 'user':
    case 'federatedUser':
      return !(has(cp.arns, p.arn) && has(cp.accounts, p.accountId));
    case 'assumedRole':
      return !(has(cp.arns, p.arn) && p.roleArn !== undefined
        && (cp.arns.has(p.roleArn) || cp.arns.has(stripRolePath(p.roleArn))) && has(cp.accounts, p.accountId));
    case 'root':
      return !has(cp.accounts, p.accountId);
    case 'service':
      return !(p.service !== undefined && cp.services.has(p.service.toLowerCase()));
    case 'webIdentity':
    case 'saml':
      return !has(cp.federated, p.federatedProvider);
    case 'anonymous':
      return !has(cp.canonical, p.canonicalUser);
  }
}

function has(set: ReadonlySet<string>, v: string | undefined): boolean {
  return v !== undefined && set.has(v);
}
