// Checks of the policy's shape: Version, Statement, the elements of each statement, their JSON
// types, Sid, Effect, the element combinations each policy type allows, SCP syntax, and
// duplicated statements.
import type { JsonNode, ObjectEntry } from '../json-locations.js';
import { at, type CheckContext, type Path, type Statement } from './common.js';

const TOP = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS = ['2012-10-17', '2008-10-17'];

function canonical(n: JsonNode): string {
  switch (n.kind) {
    case 'object': return `{${n.entries.map((e) => `${JSON.stringify(e.key)}:${canonical(e.value)}`).sort().join(',')}}`;
    case 'array': return `[${n.items.map(canonical).sort().join(',')}]`;
    case 'string': return JSON.stringify(n.value);
    case 'number': return n.raw;
    case 'boolean': return String(n.value);
    case 'null': return 'null';
  }
}

/** Top-level checks; returns the statements found (for the other groups). */
export function checkDocument(ctx: CheckContext): Statement[] {
  const root = ctx.root;
  if (root.kind !== 'object') {
    ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type Object.', at([], root));
    return [];
  }
  for (const e of root.entries) {
    if (!TOP.has(e.key)) ctx.report('INVALID_POLICY_ELEMENT', `The policy element ${e.key} is not valid.`, { path: [e.key], start: e.keyStart, end: e.keyEnd });
  }
  const version = root.entries.find((e) => e.key === 'Version');
  if (!version) {
    ctx.report('MISSING_VERSION', 'We recommend that you specify the Version element to help you with debugging permission issues.', at([], root));
  } else if (version.value.kind !== 'string') {
    ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', at(['Version'], version.value));
  } else if (!VERSIONS.includes(version.value.value)) {
    ctx.report('INVALID_VERSION', `The version ${version.value.value} is not valid. Use one of the following versions: ${VERSIONS.join(', ')}`, at(['Version'], version.value));
  }
  const id = root.entries.find((e) => e.key === 'Id');
  if (id && id.value.kind !== 'string') ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', at(['Id'], id.value));

  const st = root.entries.find((e) => e.key === 'Statement');
  if (!st) {
    ctx.report('MISSING_STATEMENT', 'Add a statement to the policy', at([], root));
    return [];
  }
  const raw: { path: Path; node: JsonNode }[] = [];
  if (st.value.kind === 'array') st.value.items.forEach((n, k) => raw.push({ path: ['Statement', k], node: n }));
  else if (st.value.kind === 'object') raw.push({ path: ['Statement'], node: st.value });
  else {
    ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type Array.', at(['Statement'], st.value));
    return [];
  }
  if (raw.length === 0) ctx.report('MISSING_STATEMENT', 'Add a statement to the policy', at(['Statement'], st.value));

  const statements: Statement[] = [];
  for (const r of raw) {
    if (r.node.kind !== 'object') {
      ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type Object.', at(r.path, r.node));
      continue;
    }
    const el = new Map<string, ObjectEntry>();
    for (const e of r.node.entries) {
      if (!STATEMENT_ELEMENTS.has(e.key)) {
        ctx.report('INVALID_POLICY_ELEMENT', `The policy element ${e.key} is not valid.`, { path: [...r.path, e.key], start: e.keyStart, end: e.keyEnd });
        continue;
      }
      if (!el.has(e.key)) el.set(e.key, e);
    }
    const s: Statement = { path: r.path, node: r.node, el };
    checkStatement(ctx, s);
    statements.push(s);
  }
  checkSids(ctx, statements);
  // Identical statements (compared without their Sid).
  const seen = new Map<string, Statement>();
  for (const s of statements) {
    const key = canonical({ ...s.node, entries: s.node.entries.filter((e) => e.key !== 'Sid') });
    const first = seen.get(key);
    if (first) {
      ctx.report('REDUNDANT_STATEMENT', 'The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.', at(first.path, first.node), at(s.path, s.node));
    } else seen.set(key, s);
  }
  return statements;
}

function isStringOrStrings(n: JsonNode): boolean {
  return n.kind === 'string' || (n.kind === 'array' && n.items.every((i) => i.kind === 'string'));
}

function checkStatement(ctx: CheckContext, s: Statement): void {
  const p = s.path;
  const get = (k: string) => s.el.get(k);
  // JSON types of elements.
  for (const k of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    const e = get(k);
    if (!e) continue;
    if (!isStringOrStrings(e.value)) {
      const bad = e.value.kind === 'array' ? e.value.items.map((n, i) => ({ n, i })).filter((x) => x.n.kind !== 'string') : [{ n: e.value, i: -1 }];
      for (const b of bad) ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', at(b.i < 0 ? [...p, k] : [...p, k, b.i], b.n));
    } else if (e.value.kind === 'array' && e.value.items.length === 0) {
      if (k === 'Action' || k === 'NotAction') ctx.report('EMPTY_ARRAY_ACTION', 'This statement includes no actions and does not affect the policy. Specify actions.', at([...p, k], e.value));
      else ctx.report('EMPTY_ARRAY_RESOURCE', 'This statement includes no resources and does not affect the policy. Specify resources.', at([...p, k], e.value));
    }
  }
  const cond = get('Condition');
  if (cond && cond.value.kind !== 'object') ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type Object.', at([...p, 'Condition'], cond.value));
  else if (cond && cond.value.kind === 'object' && cond.value.entries.length === 0) {
    ctx.report('EMPTY_OBJECT_CONDITION', 'This condition block is empty and it does not affect the policy. Specify conditions.', at([...p, 'Condition'], cond.value));
  }
  // Effect.
  const effect = get('Effect');
  if (!effect) ctx.report('MISSING_EFFECT', 'Add an Effect element to the policy statement with a value of Allow or Deny.', at(p, s.node));
  else if (effect.value.kind !== 'string') ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', at([...p, 'Effect'], effect.value));
  else if (effect.value.value !== 'Allow' && effect.value.value !== 'Deny') {
    ctx.report('INVALID_EFFECT', `The effect ${effect.value.value} is not valid. Use Allow or Deny.`, at([...p, 'Effect'], effect.value));
  } else s.effect = effect.value.value;
  // Element combinations.
  for (const [a, b] of [['Action', 'NotAction'], ['Resource', 'NotResource'], ['Principal', 'NotPrincipal']] as const) {
    const ea = get(a);
    const eb = get(b);
    if (ea && eb) {
      ctx.report('UNSUPPORTED_ELEMENT_COMBINATION', `The policy elements ${a} and ${b} can not be used in the same statement. Remove one of these elements.`,
        { path: [...p, a], start: ea.keyStart, end: ea.keyEnd }, { path: [...p, b], start: eb.keyStart, end: eb.keyEnd });
    }
  }
  if (!get('Action') && !get('NotAction')) ctx.report('MISSING_ACTION', 'Add an Action or NotAction element to the policy statement.', at(p, s.node));

  const type = ctx.policyType;
  const principal = get('Principal') ?? get('NotPrincipal');
  if (type === 'SERVICE_CONTROL_POLICY') {
    if (principal) ctx.report('SCP_SYNTAX_ERROR_PRINCIPAL', 'SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.', { path: [...p, principal.key], start: principal.keyStart, end: principal.keyEnd });
    const nr = get('NotResource');
    if (nr && s.effect !== 'Deny') ctx.report('SCP_SYNTAX_ERROR_NOTRESOURCE', 'SCPs do not support the NotResource element. Update the policy to use Resource instead.', { path: [...p, 'NotResource'], start: nr.keyStart, end: nr.keyEnd });
    if (s.effect === 'Allow') {
      const na = get('NotAction');
      if (na) ctx.report('SCP_SYNTAX_ERROR_ALLOW_NOTACTION', 'SCPs do not support NotAction with effect Allow. Update the element NotAction or the effect.', { path: [...p, 'NotAction'], start: na.keyStart, end: na.keyEnd });
      if (cond) ctx.report('SCP_SYNTAX_ERROR_ALLOW_CONDITION', 'SCPs do not support the Condition element with effect Allow. Update the element Condition or the effect.', { path: [...p, 'Condition'], start: cond.keyStart, end: cond.keyEnd });
      const r = get('Resource');
      if (r && !(r.value.kind === 'string' && r.value.value === '*') && !(r.value.kind === 'array' && r.value.items.length === 1 && r.value.items[0].kind === 'string' && r.value.items[0].value === '*')) {
        ctx.report('SCP_SYNTAX_ERROR_ALLOW_RESOURCE', 'SCPs do not support Resource with effect Allow. Update the element Resource or the effect.', at([...p, 'Resource'], r.value));
      }
    }
    // An SCP may leave out Resource (it defaults to "*").
  } else if (type === 'IDENTITY_POLICY') {
    if (principal) ctx.report('UNSUPPORTED_PRINCIPAL', 'The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element.', { path: [...p, principal.key], start: principal.keyStart, end: principal.keyEnd });
    if (!get('Resource') && !get('NotResource')) ctx.report('MISSING_RESOURCE', 'Add a Resource or NotResource element to the policy statement.', at(p, s.node));
  } else {
    if (!principal) ctx.report('MISSING_PRINCIPAL', 'Add a Principal element to the policy statement.', at(p, s.node));
    const trust = ctx.resourceType === 'AWS::IAM::AssumeRolePolicyDocument';
    if (!trust && !get('Resource') && !get('NotResource')) ctx.report('MISSING_RESOURCE', 'Add a Resource or NotResource element to the policy statement.', at(p, s.node));
  }
}

function checkSids(ctx: CheckContext, statements: Statement[]): void {
  const bySid = new Map<string, Statement[]>();
  for (const s of statements) {
    const sid = s.el.get('Sid');
    if (!sid) continue;
    if (sid.value.kind !== 'string') {
      ctx.report('DATA_TYPE_MISMATCH', 'The text does not match the expected JSON data type String.', at([...s.path, 'Sid'], sid.value));
      continue;
    }
    const v = sid.value.value;
    if (v === '') {
      ctx.report('EMPTY_SID_VALUE', 'Add a value to the empty string in the Sid element.', at([...s.path, 'Sid'], sid.value));
      continue;
    }
    // IAM identity policies and SCPs take only [A-Za-z0-9]; resource policies are freer.
    if ((ctx.policyType === 'IDENTITY_POLICY' || ctx.policyType === 'SERVICE_CONTROL_POLICY') && !/^[A-Za-z0-9]+$/.test(v)) {
      ctx.report('UNSUPPORTED_SID', 'Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]', at([...s.path, 'Sid'], sid.value));
    }
    const list = bySid.get(v) ?? [];
    list.push(s);
    bySid.set(v, list);
  }
  for (const list of bySid.values()) {
    if (list.length < 2) continue;
    const where = list.map((s) => at([...s.path, 'Sid'], s.el.get('Sid')!.value));
    if (ctx.policyType === 'IDENTITY_POLICY' || ctx.policyType === 'SERVICE_CONTROL_POLICY') {
      ctx.report('UNIQUE_SIDS_REQUIRED', 'Duplicate statement IDs are not supported for this policy type. Update the Sid value.', ...where);
    } else {
      ctx.report('UNIQUE_SIDS_RECOMMENDED', 'We recommend that you use statement IDs that are unique to your policy. Update the Sid value.', ...where);
    }
  }
}
