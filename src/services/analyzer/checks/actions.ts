// Checks of Action/NotAction against the catalog, redundant actions, SCP action wildcards, and the
// iam:PassRole / iam:CreateServiceLinkedRole wildcard warnings.
import { actionsOf, globToRegExp, matchingActions, serviceExists, allServices } from '../catalog.js';
import { stringsOf, type At, type CheckContext, type Located, type Statement } from './common.js';

function parseAction(a: string): { service: string; name: string } | undefined {
  const colon = a.indexOf(':');
  if (colon <= 0) return undefined;
  return { service: a.slice(0, colon), name: a.slice(colon + 1) };
}

/** The set of catalog actions (`svc:name` lower case) a policy action stands for; undefined for `*` (all). */
function expand(a: string): Set<string> | undefined {
  if (a === '*') return undefined;
  const p = parseAction(a);
  if (!p) return new Set();
  const services = /[*?]/.test(p.service) ? allServices().filter((s) => globToRegExp(p.service).test(s)) : [p.service.toLowerCase()];
  const out = new Set<string>();
  for (const s of services) for (const act of matchingActions(s, p.name)) out.add(`${s}:${act.name.toLowerCase()}`);
  return out;
}

function closest(service: string, name: string): string | undefined {
  const all = Object.values(actionsOf(service)).map((a) => a.name);
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const cand of all) {
    const d = distance(lower, cand.toLowerCase());
    if (d < bestScore) { bestScore = d; best = cand; }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 4)) ? `${service}:${best}` : undefined;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export function checkActions(ctx: CheckContext, s: Statement): void {
  for (const k of ['Action', 'NotAction'] as const) {
    const e = s.el.get(k);
    if (!e) continue;
    const actions = stringsOf([...s.path, k], e.value);
    for (const a of actions) checkOne(ctx, a);
    if (k === 'Action') redundant(ctx, actions);
  }
  passRoleAndSlr(ctx, s);
}

function checkOne(ctx: CheckContext, a: Located): void {
  const v = a.value;
  if (v === '*') return;
  if (v.includes('${')) {
    const m = /\$\{[^}]*\}?/.exec(v);
    ctx.report('VARIABLE_UNSUPPORTED_IN_ELEMENT', `Policy variables are supported in the Resource and Condition elements. Remove the policy variable ${m?.[0] ?? v} from this element.`, a.at);
    return;
  }
  const p = parseAction(v);
  if (!p || p.name === '') {
    ctx.report('INVALID_ACTION', `The action ${v} does not exist.`, a.at);
    return;
  }
  if (ctx.policyType === 'SERVICE_CONTROL_POLICY' || ctx.policyType === 'RESOURCE_CONTROL_POLICY') {
    const star = p.name.indexOf('*');
    if ((star >= 0 && star < p.name.length - 1) || p.name.includes('?') || /[*?]/.test(p.service)) {
      ctx.report('SCP_SYNTAX_ERROR_ACTION_WILDCARD', `SCP actions can include wildcards (*) only at the end of a string. Update ${v}.`, a.at);
      return;
    }
  }
  if (/[*?]/.test(p.service)) {
    ctx.report('WILDCARD_IN_SERVICE_NAME', 'Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.', a.at);
    return;
  }
  if (!serviceExists(p.service)) {
    const lower = p.service.toLowerCase();
    const guess = allServices().find((s) => distance(lower, s) <= 1);
    ctx.report('INVALID_SERVICE_IN_ACTION', `The service ${p.service} specified in the action does not exist.${guess ? ` Did you mean ${guess}?` : ''}`, a.at);
    return;
  }
  if (matchingActions(p.service, p.name).length === 0) {
    const guess = /[*?]/.test(p.name) ? undefined : closest(p.service.toLowerCase(), p.name);
    ctx.report('INVALID_ACTION', `The action ${v} does not exist.${guess ? ` Did you mean ${guess}?` : ''}`, a.at);
  }
}

function redundant(ctx: CheckContext, actions: Located[]): void {
  const sets = actions.map((a) => ({ a, set: expand(a.value) }));
  const found: Located[] = [];
  sets.forEach((x, i) => {
    if (x.set !== undefined && x.set.size === 0) return;
    const covered = sets.some((y, j) => {
      if (i === j) return false;
      if (y.set !== undefined && y.set.size === 0) return false;
      if (x.set === undefined) return y.set === undefined && j < i;
      const same = y.set === undefined ? false : y.set.size === x.set.size;
      if (same && j > i) return false; // of two equal entries, the later one is the redundant one
      return y.set === undefined || [...x.set].every((m) => y.set!.has(m));
    });
    if (covered) found.push(x.a);
  });
  if (found.length > 0) {
    ctx.report('REDUNDANT_ACTION', `The ${found.length} action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ${found[0].value}.`, ...found.map((f) => f.at));
  }
}

const SAMPLE_ROLE = 'arn:aws:iam::111122223333:role/zz-any-role';

function passRoleAndSlr(ctx: CheckContext, s: Statement): void {
  if (s.effect !== 'Allow') return;
  const cond = s.el.get('Condition');
  const condKeys = new Set<string>();
  if (cond?.value.kind === 'object') for (const op of cond.value.entries) if (op.value.kind === 'object') for (const k of op.value.entries) condKeys.add(k.key.toLowerCase());
  const action = s.el.get('Action');
  const notAction = s.el.get('NotAction');
  const resource = s.el.get('Resource');
  const notResource = s.el.get('NotResource');
  for (const [target, exempt, prefix] of [['iam:PassRole', 'iam:passedtoservice', 'PASS_ROLE'], ['iam:CreateServiceLinkedRole', 'iam:awsservicename', 'CREATE_SLR']] as const) {
    if (condKeys.has(exempt)) continue;
    let actionAt: At | undefined;
    let star = false;
    let via: 'action' | 'notaction' | undefined;
    if (action) {
      for (const a of stringsOf([...s.path, 'Action'], action.value)) {
        if (a.value.toLowerCase() === target.toLowerCase()) { actionAt = a.at; star = false; via = 'action'; break; }
        if (/[*?]/.test(a.value) && globToRegExp(a.value).test(target)) { actionAt ??= a.at; star = true; via = 'action'; }
      }
    } else if (notAction) {
      const excluded = stringsOf([...s.path, 'NotAction'], notAction.value).some((a) => globToRegExp(a.value).test(target));
      if (!excluded) { via = 'notaction'; actionAt = { path: [...s.path, 'NotAction'], start: notAction.value.start, end: notAction.value.end }; }
    }
    if (!via || !actionAt) continue;
    let resAt: At | undefined;
    let kind: 'star' | 'not' | undefined;
    if (resource) {
      const r = stringsOf([...s.path, 'Resource'], resource.value).find((x) => x.value === '*' || (/[*?]/.test(x.value) && globToRegExp(x.value).test(SAMPLE_ROLE)));
      if (r) { resAt = r.at; kind = 'star'; }
    } else if (notResource) {
      const covers = stringsOf([...s.path, 'NotResource'], notResource.value).some((x) => globToRegExp(x.value).test(SAMPLE_ROLE));
      if (!covers) { resAt = { path: [...s.path, 'NotResource'], start: notResource.value.start, end: notResource.value.end }; kind = 'not'; }
    }
    if (!kind || !resAt) continue;
    const code = via === 'notaction'
      ? (kind === 'star' ? `${prefix}_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION` : `${prefix}_WITH_NOT_ACTION_AND_NOT_RESOURCE`)
      : star
        ? (kind === 'star' ? `${prefix}_WITH_STAR_IN_ACTION_AND_RESOURCE` : `${prefix}_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE`)
        : (kind === 'star' ? `${prefix}_WITH_STAR_IN_RESOURCE` : `${prefix}_WITH_NOT_RESOURCE`);
    ctx.report(code, MESSAGES[code], actionAt, resAt);
  }
}

const PR_TAIL = 'We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.';
const MESSAGES: Record<string, string> = {
  PASS_ROLE_WITH_STAR_IN_RESOURCE: `Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. ${PR_TAIL}`,
  PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE: `Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. ${PR_TAIL}`,
  PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: `Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. ${PR_TAIL}`,
  PASS_ROLE_WITH_NOT_RESOURCE: 'Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
  PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: 'Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
  PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE: 'Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead.',
  CREATE_SLR_WITH_STAR_IN_RESOURCE: 'Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.',
  CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE: 'Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.',
  CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: 'Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.',
  CREATE_SLR_WITH_NOT_RESOURCE: 'Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead.',
  CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: 'Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
  CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE: 'Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
};
