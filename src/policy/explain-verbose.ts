// Verbose explanations: for every statement that could have mattered, why it did not match.
// Not on the hot path; it walks every statement of every applicable policy.
import type { AuthorizationRequest, NonMatch, PolicyType, RequestContext } from './types.js';
import type { CompiledPolicy, CompiledStatement } from './compile.js';
import { matchesAction } from './compile.js';
import { principalMatches, resourceMatches } from './evaluate/statement.js';

function describeValue(ctx: RequestContext, key: string): string {
  const v = ctx[key];
  if (v === undefined) return 'absent';
  return typeof v === 'string' ? `\`${v}\`` : `[${v.map((x) => `\`${x}\``).join(', ')}]`;
}

function whyNot(st: CompiledStatement, request: AuthorizationRequest, type: PolicyType): NonMatch | undefined {
  const lower = request.action.toLowerCase();
  if (!matchesAction(st, lower)) {
    const element = st.notAction ? 'NotAction' : 'Action';
    return { statement: st.ref, element, message: `${element} does not match \`${request.action}\`` };
  }
  if (type === 'resource' || type === 'trust' || type === 'rcp') {
    if (principalMatches(st, request.principal, request.policies.boundary !== undefined) === undefined) {
      const element = st.notPrincipal ? 'NotPrincipal' : 'Principal';
      return { statement: st.ref, element, message: `${element} does not match the caller` };
    }
  }
  if (!resourceMatches(st, request.resource, request.context)) {
    const element = st.notResource ? 'NotResource' : 'Resource';
    return { statement: st.ref, element, message: `${element} does not match \`${request.resource}\`` };
  }
  for (const c of st.conditions) {
    if (!c.test(request.context)) {
      const nm: NonMatch = {
        statement: st.ref, element: 'Condition', operator: c.operator.name, key: c.keyAsWritten,
        message: `condition \`${c.operator.name}\` on \`${c.keyAsWritten}\` is false (request value ${describeValue(request.context, c.key)})`,
      };
      const v = request.context[c.key];
      if (v !== undefined) nm.requestValue = v;
      return nm;
    }
  }
  return undefined;
}

export function explainNonMatches(request: AuthorizationRequest): NonMatch[] {
  const ps = request.policies;
  const all: CompiledPolicy[] = [];
  const add = (p: unknown) => { if (p) all.push(p as CompiledPolicy); };
  (ps.identity ?? []).forEach(add);
  add(ps.boundary);
  (ps.session ?? []).forEach(add);
  add(ps.resource);
  (ps.scp ?? []).forEach((l) => l.policies.forEach(add));
  (ps.rcp ?? []).forEach((l) => l.policies.forEach(add));
  const out: NonMatch[] = [];
  for (const pol of all) {
    for (const st of pol.statements) {
      const nm = whyNot(st, request, pol.type);
      if (nm) out.push(nm);
    }
  }
  return out;
}
