// External-access analysis: which principals outside the zone of trust a resource policy lets in,
// and under which conditions. The resource policies Warden holds that Access Analyzer covers are
// IAM role trust policies (resource type AWS::IAM::Role); the organization's delegation policy
// has no Access Analyzer resource type.
//
// The zone of trust is the analyzer's account (ACCOUNT) or its organization's accounts
// (ORGANIZATION). Following "Identifying resources shared with an external entity":
// - an AWS principal (account id, root, user or role ARN) of an account outside the zone is
//   external; `"*"` is external (public unless its conditions name who may come in);
// - federated principals (SAML and OIDC providers, web identity providers) are external: the
//   identities they vouch for are outside the zone;
// - service principals and principals of the zone are not.
// Each candidate is confirmed by the engine: `sts:AssumeRole` (…WithSAML / …WithWebIdentity)
// against the whole trust policy, for a principal of that kind from outside the zone, with the
// statement's conditions satisfied (keys that describe the caller itself — aws:PrincipalAccount,
// aws:PrincipalOrgID, aws:PrincipalArn… — are not: they come from the outsider). A statement
// whose conditions confine it to the zone, or that a Deny overrides, yields no finding.
import {
  authorize as decide, buildRequestContext, compilePolicy, parsePolicy, type CompiledPolicy, type ConditionClause, type ContextValue,
  type Principal, type Statement,
} from '../../policy/index.js';
import type { ReadTx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import { KIND, type RoleDoc } from '../iam/entities.js';

export interface ExternalAccessFinding {
  resource: string;
  resourceType: 'AWS::IAM::Role';
  resourceOwnerAccount: string;
  principal: Record<string, string>;
  action: string[];
  condition: Record<string, string>;
  isPublic: boolean;
}

/** The STS actions a trust policy governs, by the kind of principal that calls them. */
const AWS_ACTIONS = ['sts:AssumeRole', 'sts:SetContext', 'sts:SetSourceIdentity', 'sts:TagSession'];
const SAML_ACTIONS = ['sts:AssumeRoleWithSAML', 'sts:SetSourceIdentity', 'sts:TagSession'];
const OIDC_ACTIONS = ['sts:AssumeRoleWithWebIdentity', 'sts:SetSourceIdentity', 'sts:TagSession'];

/** Keys describing the caller itself: an outsider cannot choose them, so they are not "satisfied". */
const CALLER_KEYS = new Set([
  'aws:principalaccount', 'aws:principalarn', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:userid', 'aws:username',
  'aws:principaltype', 'aws:principalisawsservice', 'aws:principalservicename', 'aws:principalservicenamelist',
]);

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(value);
}

function statementActions(s: Statement, candidates: readonly string[]): string[] {
  if (s.action) return candidates.filter((a) => s.action!.some((p) => globMatch(p, a)));
  if (s.notAction) return candidates.filter((a) => !s.notAction!.some((p) => globMatch(p, a)));
  return [];
}

function accountOfPrincipal(v: string): string | undefined {
  if (/^\d{12}$/.test(v)) return v;
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(v);
  return m ? m[1] : undefined;
}

/** A value that satisfies one condition clause (undefined: leave the key absent). */
function satisfying(c: ConditionClause): ContextValue | undefined {
  const op = c.operator.replace(/^For(?:Any|All)Values:/i, '').replace(/IfExists$/i, '');
  const multi = /^For(?:Any|All)Values:/i.test(c.operator);
  const first = c.values[0];
  if (first === undefined) return undefined;
  const text = String(first);
  let v: string | undefined;
  switch (op.toLowerCase()) {
    case 'stringequals': case 'stringequalsignorecase': case 'arnequals': case 'binaryequals': case 'bool': case 'numericequals':
    case 'dateequals': case 'numericlessthanequals': case 'numericgreaterthanequals': case 'datelessthanequals': case 'dategreaterthanequals':
      v = text; break;
    case 'stringlike': case 'arnlike':
      v = text.replace(/[*?]/g, 'x'); break;
    case 'numericlessthan': v = String(Number(text) - 1); break;
    case 'numericgreaterthan': v = String(Number(text) + 1); break;
    case 'datelessthan': v = new Date(Date.parse(/^\d+$/.test(text) ? new Date(Number(text) * 1000).toISOString() : text) - 1000).toISOString(); break;
    case 'dategreaterthan': v = new Date(Date.parse(/^\d+$/.test(text) ? new Date(Number(text) * 1000).toISOString() : text) + 1000).toISOString(); break;
    case 'ipaddress': v = text.replace(/\/\d+$/, ''); break;
    case 'null': v = text === 'true' ? undefined : 'x'; break;
    case 'stringnotequals': case 'stringnotequalsignorecase': case 'stringnotlike': case 'arnnotequals': case 'arnnotlike':
    case 'numericnotequals': case 'datenotequals': case 'notipaddress':
      v = undefined; break;
    default:
      v = text;
  }
  if (v === undefined) return undefined;
  return multi ? [v] : v;
}

/** The finding's condition map: key as written → its values, joined by commas. */
function conditionMap(s: Statement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of s.conditions) {
    const vals = c.values.map(String).join(',');
    out[c.key] = out[c.key] !== undefined ? `${out[c.key]},${vals}` : vals;
  }
  return out;
}

/** Context for an outsider: every condition key the statement uses that the caller can supply. */
function satisfiedContext(s: Statement): Record<string, ContextValue | undefined> {
  const out: Record<string, ContextValue | undefined> = {};
  for (const c of s.conditions) {
    if (CALLER_KEYS.has(c.key.toLowerCase())) continue;
    const v = satisfying(c);
    if (v !== undefined) out[c.key] = v;
  }
  return out;
}

function outsiderAccount(zone: ReadonlySet<string>, preferred: readonly string[]): string {
  for (const a of preferred) if (!zone.has(a)) return a;
  for (let n = 999999999999; ; n--) if (!zone.has(String(n))) return String(n);
}

/** The principal an outsider named by `value` (of principal type `type`) would call as. */
function outsiderPrincipal(type: 'AWS' | 'Federated', value: string, s: Statement, zone: ReadonlySet<string>): Principal {
  if (type === 'Federated') {
    return /:saml-provider\//.test(value) ? { kind: 'saml', federatedProvider: value } : { kind: 'webIdentity', federatedProvider: value };
  }
  if (value === '*') {
    // An outsider the conditions could name (aws:PrincipalAccount / aws:PrincipalArn), else any.
    const preferred: string[] = [];
    let arn: string | undefined;
    for (const c of s.conditions) {
      const k = c.key.toLowerCase();
      if (/not/i.test(c.operator)) continue;
      if (k === 'aws:principalaccount') preferred.push(...c.values.map(String));
      if (k === 'aws:principalarn') {
        for (const v of c.values.map(String)) {
          const acct = accountOfPrincipal(v);
          if (acct && !zone.has(acct)) { arn ??= v; preferred.push(acct); }
        }
      }
    }
    if (arn && !/[*?]/.test(arn)) return principalForArn(arn);
    const account = outsiderAccount(zone, preferred.filter((a) => /^\d{12}$/.test(a)));
    return { kind: 'root', accountId: account, arn: `arn:aws:iam::${account}:root` };
  }
  if (/^\d{12}$/.test(value)) return { kind: 'root', accountId: value, arn: `arn:aws:iam::${value}:root` };
  return principalForArn(value);
}

function principalForArn(arn: string): Principal {
  const account = accountOfPrincipal(arn) ?? '999999999999';
  const role = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (role) return { kind: 'assumedRole', accountId: account, arn: `arn:aws:sts::${account}:assumed-role/${role[1]}/access-analyzer`, roleArn: arn };
  if (/^arn:aws[a-z-]*:iam::\d{12}:user\//.test(arn)) return { kind: 'user', accountId: account, arn };
  if (/^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)\//.test(arn)) {
    const name = /assumed-role\/([^/]+)\//.exec(arn)![1];
    return { kind: 'assumedRole', accountId: account, arn, roleArn: `arn:aws:iam::${account}:role/${name}` };
  }
  if (/^arn:aws[a-z-]*:sts::\d{12}:federated-user\//.test(arn)) return { kind: 'federatedUser', accountId: account, arn };
  return { kind: 'root', accountId: account, arn: `arn:aws:iam::${account}:root` };
}

const ALLOW_ALL: CompiledPolicy = (() => {
  const p = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), { type: 'identity' });
  if (!p.ok) throw new Error('allow-all policy did not parse');
  return compilePolicy(p.policy, { id: 'access-analyzer-outsider', type: 'identity', name: 'access-analyzer-outsider' });
})();

/** The organization an outsider belongs to, when a statement names one (aws:PrincipalOrgID / aws:PrincipalOrgPaths). */
interface OutsiderOrg { orgId: string; orgPaths?: string[] }

/**
 * An organization other than the zone's that the statement's org conditions admit: its members
 * are outside an account zone (or another organization's zone) yet get in.
 */
function outsiderOrg(s: Statement, zoneOrgId: string | undefined): OutsiderOrg | undefined {
  for (const c of s.conditions) {
    if (/not/i.test(c.operator)) continue;
    const k = c.key.toLowerCase();
    for (const v of c.values.map(String)) {
      if (k === 'aws:principalorgid') {
        const orgId = v.replace(/[*?]/g, 'x');
        if (orgId !== zoneOrgId) return { orgId };
      }
      if (k === 'aws:principalorgpaths') {
        const path = v.replace(/[*?]/g, 'x');
        const orgId = path.slice(0, path.indexOf('/') < 0 ? path.length : path.indexOf('/'));
        if (orgId !== zoneOrgId) return { orgId, orgPaths: [path.endsWith('/') ? path : `${path}/`] };
      }
    }
  }
  return undefined;
}

/** Whether the engine lets `principal` call `action` on the role with `extra` in the request. */
function engineAllows(
  policy: CompiledPolicy, roleArn: string, roleAccount: string, principal: Principal, action: string, extra: Record<string, ContextValue | undefined>,
  org?: OutsiderOrg,
): boolean {
  const context = buildRequestContext({
    principal,
    orgId: org?.orgId,
    orgPaths: org?.orgPaths,
    userId: principal.kind === 'root' ? principal.accountId : undefined,
    extra,
  });
  // The outsider's own account lets it do anything: only the trust policy decides.
  const identity = principal.kind === 'user' || principal.kind === 'assumedRole' || principal.kind === 'federatedUser' ? [ALLOW_ALL] : undefined;
  const e = decide({
    principal, action, resource: roleArn, resourceAccount: roleAccount, context,
    policies: { resource: policy, resourcePolicyKind: 'trust', ...(identity ? { identity } : {}) },
  });
  return e.decision === 'Allow';
}

/** The external-access findings of one trust policy (before ids and statuses are attached). */
export function analyzeTrustPolicy(role: { arn: string; account: string; document: string }, zone: ReadonlySet<string>, zoneOrgId?: string): ExternalAccessFinding[] {
  const parsed = parsePolicy(role.document, { type: 'trust' });
  if (!parsed.ok) return [];
  const compiled = compilePolicy(parsed.policy, { id: role.arn, type: 'trust', name: role.arn });
  const out = new Map<string, ExternalAccessFinding>();
  for (const s of parsed.policy.statements) {
    if (s.effect !== 'Allow' || !s.principal) continue;
    const entries: Array<['AWS' | 'Federated', string]> = [];
    if (s.principal.kind === 'any') entries.push(['AWS', '*']);
    else {
      for (const v of s.principal.AWS ?? []) entries.push(['AWS', v]);
      for (const v of s.principal.Federated ?? []) entries.push(['Federated', v]);
    }
    for (const [type, value] of entries) {
      if (type === 'AWS' && value !== '*') {
        const acct = accountOfPrincipal(value);
        if (acct === undefined || zone.has(acct)) continue;
      }
      const candidates = type === 'AWS' ? AWS_ACTIONS : /:saml-provider\//.test(value) ? SAML_ACTIONS : OIDC_ACTIONS;
      const actions = statementActions(s, candidates);
      if (actions.length === 0) continue;
      const primary = actions.includes(candidates[0]) ? candidates[0] : actions[0];
      const principal = outsiderPrincipal(type, value, s, zone);
      if (principal.accountId !== undefined && zone.has(principal.accountId)) continue;
      // With the statement's conditions satisfied: does the outsider get in at all?
      const org = type === 'AWS' ? outsiderOrg(s, zoneOrgId) : undefined;
      if (!engineAllows(compiled, role.arn, role.account, principal, primary, satisfiedContext(s), org)) continue;
      // Public: `*` that lets in an arbitrary outsider, whatever it brings.
      let isPublic = false;
      if (value === '*') {
        const anyone = outsiderAccount(zone, []);
        const stranger: Principal = { kind: 'root', accountId: anyone, arn: `arn:aws:iam::${anyone}:root` };
        isPublic = engineAllows(compiled, role.arn, role.account, stranger, primary, satisfiedContext(s));
      }
      const f: ExternalAccessFinding = {
        resource: role.arn, resourceType: 'AWS::IAM::Role', resourceOwnerAccount: role.account,
        principal: { [type]: value }, action: actions, condition: conditionMap(s), isPublic,
      };
      const key = JSON.stringify([f.principal, f.condition]);
      const prev = out.get(key);
      if (prev) prev.action = [...new Set([...prev.action, ...f.action])].sort();
      else out.set(key, { ...f, action: [...f.action].sort() });
    }
  }
  return [...out.values()];
}

/** Every external-access finding of the roles in `accounts`, for the zone of trust `zone`. */
export async function externalAccessFindings(tx: ReadTx, accounts: readonly string[], zone: ReadonlySet<string>, zoneOrgId?: string): Promise<ExternalAccessFinding[]> {
  const out: ExternalAccessFinding[] = [];
  for (const account of accounts) {
    for (const r of await listAll<RoleDoc>(tx, KIND.role, account)) {
      // Service-linked roles trust only their service.
      if (r.data.ServiceLinked) continue;
      out.push(...analyzeTrustPolicy({ arn: r.data.Arn, account, document: r.data.AssumeRolePolicyDocument }, zone, zoneOrgId));
    }
  }
  return out;
}

/** The resources an external-access analyzer covers: the roles of `accounts` (service-linked roles left out). */
export async function analyzedRoles(tx: ReadTx, accounts: readonly string[]): Promise<Array<{ arn: string; account: string; createdAt: string }>> {
  const out: Array<{ arn: string; account: string; createdAt: string }> = [];
  for (const account of accounts) {
    for (const r of await listAll<RoleDoc>(tx, KIND.role, account)) {
      if (!r.data.ServiceLinked) out.push({ arn: r.data.Arn, account, createdAt: r.data.CreateDate });
    }
  }
  return out;
}
