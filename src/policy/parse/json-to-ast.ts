// JSON text → policy AST. Every grammar problem is returned as an Issue, never thrown.
//
// AWS's grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// Element rules:  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
// Per-type restrictions (what each policy type may contain) are in policy-types.ts.
import type {
  ConditionClause,
  ConditionScalar,
  Effect,
  Issue,
  ParseResult,
  Policy,
  PolicyType,
  PolicyVersion,
  PrincipalBlock,
  Statement,
} from '../types.js';
import { parseOperator } from '../conditions/registry.js';
import { checkStatementForType } from './policy-types.js';

export interface ParseOptions {
  type: PolicyType;
  /**
   * AWS-managed policies (such as `RCPFullAWSAccess`) may use forms customers cannot
   * (an Allow in an RCP); set this when parsing them.
   */
  managed?: boolean;
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource',
  'Principal', 'NotPrincipal', 'Condition',
]);
const PRINCIPAL_KINDS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

type Path = (string | number)[];

function issue(issues: Issue[], code: string, path: Path, message: string): void {
  issues.push({ code, path, message });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a policy document (JSON text or an already-parsed value) into its AST.
 * `ok` is false when any issue is an error; the issues say what and where.
 */
export function parsePolicy(input: string | unknown, opts: ParseOptions): ParseResult {
  const issues: Issue[] = [];
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      issue(issues, 'invalid_json', [], `policy is not valid JSON: ${(e as Error).message}`);
      return { ok: false, issues };
    }
  }
  if (!isPlainObject(doc)) {
    issue(issues, 'not_an_object', [], 'a policy must be a JSON object');
    return { ok: false, issues };
  }
  for (const k of Object.keys(doc)) {
    if (!TOP_LEVEL.has(k)) issue(issues, 'unknown_element', [k], `unknown policy element \`${k}\``);
  }

  let version: PolicyVersion = '2008-10-17';
  const versionGiven = 'Version' in doc;
  if (versionGiven) {
    const v = doc.Version;
    if (v === '2012-10-17' || v === '2008-10-17') version = v;
    else issue(issues, 'invalid_version', ['Version'], `Version must be \`2012-10-17\` or \`2008-10-17\`, not \`${String(v)}\``);
  }

  // "Every RCP must include a Version element with the value 2012-10-17."
  // (orgs_manage_policies_rcps_syntax.html)
  if (opts.type === 'rcp' && version !== '2012-10-17' && !issues.some((i) => i.code === 'invalid_version')) {
    issue(issues, 'invalid_version', ['Version'], 'an RCP must have `"Version": "2012-10-17"`');
  }

  let id: string | undefined;
  if ('Id' in doc) {
    if (typeof doc.Id === 'string') id = doc.Id;
    else issue(issues, 'invalid_type', ['Id'], 'Id must be a string');
  }

  const statements: Statement[] = [];
  if (!('Statement' in doc)) {
    issue(issues, 'missing_statement', ['Statement'], 'a policy must have a Statement element');
  } else {
    const raw = doc.Statement;
    const list: unknown[] | undefined = Array.isArray(raw) ? raw : isPlainObject(raw) ? [raw] : undefined;
    if (!list) {
      issue(issues, 'invalid_type', ['Statement'], 'Statement must be an object or an array of objects');
    } else {
      if (list.length === 0) issue(issues, 'empty_statement', ['Statement'], 'Statement must not be empty');
      const sids = new Set<string>();
      list.forEach((s, i) => {
        const path: Path = Array.isArray(raw) ? ['Statement', i] : ['Statement'];
        const st = parseStatement(s, i, path, version, opts, issues);
        if (!st) return;
        if (st.sid !== undefined && st.sid !== '') {
          if (sids.has(st.sid)) issue(issues, 'duplicate_sid', [...path, 'Sid'], `Sid \`${st.sid}\` is not unique in the policy`);
          sids.add(st.sid);
        }
        statements.push(st);
      });
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  const policy: Policy = { version, versionGiven, statements };
  if (id !== undefined) policy.id = id;
  return { ok: true, policy, issues };
}

function parseStatement(
  raw: unknown, index: number, path: Path, version: PolicyVersion, opts: ParseOptions, issues: Issue[],
): Statement | undefined {
  if (!isPlainObject(raw)) {
    issue(issues, 'invalid_type', path, 'a statement must be a JSON object');
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(k)) issue(issues, 'unknown_element', [...path, k], `unknown statement element \`${k}\``);
  }
  let effect: Effect = 'Deny';
  if (!('Effect' in raw)) {
    issue(issues, 'missing_effect', [...path, 'Effect'], 'a statement must have an Effect');
  } else if (raw.Effect === 'Allow' || raw.Effect === 'Deny') {
    effect = raw.Effect;
  } else {
    issue(issues, 'invalid_effect', [...path, 'Effect'], `Effect must be \`Allow\` or \`Deny\`, not \`${String(raw.Effect)}\``);
  }

  const st: Statement = { index, effect, conditions: [] };
  if ('Sid' in raw) {
    if (typeof raw.Sid === 'string') st.sid = raw.Sid;
    else issue(issues, 'invalid_type', [...path, 'Sid'], 'Sid must be a string');
  }

  const hasAction = 'Action' in raw;
  const hasNotAction = 'NotAction' in raw;
  if (hasAction && hasNotAction) issue(issues, 'action_and_not_action', path, 'a statement must not have both Action and NotAction');
  else if (!hasAction && !hasNotAction) issue(issues, 'missing_action', path, 'a statement must have Action or NotAction');
  if (hasAction) st.action = parseActions(raw.Action, [...path, 'Action'], issues);
  if (hasNotAction) st.notAction = parseActions(raw.NotAction, [...path, 'NotAction'], issues);

  const hasResource = 'Resource' in raw;
  const hasNotResource = 'NotResource' in raw;
  if (hasResource && hasNotResource) issue(issues, 'resource_and_not_resource', path, 'a statement must not have both Resource and NotResource');
  if (hasResource) st.resource = parseResources(raw.Resource, [...path, 'Resource'], issues);
  if (hasNotResource) st.notResource = parseResources(raw.NotResource, [...path, 'NotResource'], issues);

  const hasPrincipal = 'Principal' in raw;
  const hasNotPrincipal = 'NotPrincipal' in raw;
  if (hasPrincipal && hasNotPrincipal) issue(issues, 'principal_and_not_principal', path, 'a statement must not have both Principal and NotPrincipal');
  if (hasPrincipal) st.principal = parsePrincipal(raw.Principal, [...path, 'Principal'], issues);
  if (hasNotPrincipal) st.notPrincipal = parsePrincipal(raw.NotPrincipal, [...path, 'NotPrincipal'], issues);

  if ('Condition' in raw) st.conditions = parseConditions(raw.Condition, [...path, 'Condition'], version, issues);

  checkStatementForType(st, raw, path, opts, issues);
  return st;
}

function stringList(v: unknown, path: Path, issues: Issue[], what: string): string[] | undefined {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list) {
    issue(issues, 'invalid_type', path, `${what} must be a string or an array of strings`);
    return undefined;
  }
  if (list.length === 0) {
    issue(issues, 'empty_element', path, `${what} must not be empty`);
    return undefined;
  }
  const out: string[] = [];
  list.forEach((x, i) => {
    if (typeof x === 'string') out.push(x);
    else issue(issues, 'invalid_type', Array.isArray(v) ? [...path, i] : path, `${what} entries must be strings`);
  });
  return out;
}

// An action is `*` or `vendor:action`, where the vendor names the service and the action
// may hold the wildcards `*` and `?`. Action names are case-insensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
function parseActions(v: unknown, path: Path, issues: Issue[]): string[] {
  const list = stringList(v, path, issues, path[path.length - 1] as string) ?? [];
  list.forEach((a, i) => {
    const p = Array.isArray(v) ? [...path, i] : path;
    if (a === '*') return;
    const colon = a.indexOf(':');
    if (colon <= 0 || colon === a.length - 1) {
      issue(issues, 'invalid_action', p, `action \`${a}\` must be \`*\` or \`service:action\``);
    } else if (!/^[A-Za-z0-9*?_-]+$/.test(a.slice(0, colon)) || !/^[A-Za-z0-9*?_-]+$/.test(a.slice(colon + 1))) {
      issue(issues, 'invalid_action', p, `action \`${a}\` has characters not allowed in an action name`);
    }
  });
  return list;
}

// A resource is `*` or an ARN (`arn:partition:service:region:account:resource`).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
function parseResources(v: unknown, path: Path, issues: Issue[]): string[] {
  const list = stringList(v, path, issues, path[path.length - 1] as string) ?? [];
  list.forEach((r, i) => {
    const p = Array.isArray(v) ? [...path, i] : path;
    if (r === '*') return;
    if (!r.startsWith('arn:')) {
      issue(issues, 'invalid_resource', p, `resource \`${r}\` must be \`*\` or an ARN`);
      return;
    }
    let colons = 0;
    for (let k = 0; k < r.length && colons < 5; k++) if (r.charCodeAt(k) === 58) colons++;
    if (colons < 5) issue(issues, 'invalid_resource', p, `resource \`${r}\` is not a complete ARN (arn:partition:service:region:account:resource)`);
  });
  return list;
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
function parsePrincipal(v: unknown, path: Path, issues: Issue[]): PrincipalBlock | undefined {
  if (v === '*') return { kind: 'any' };
  if (!isPlainObject(v)) {
    issue(issues, 'invalid_principal', path, 'Principal must be `"*"` or an object such as `{"AWS": "arn:aws:iam::111122223333:root"}`');
    return undefined;
  }
  const block: Extract<PrincipalBlock, { kind: 'map' }> = { kind: 'map' };
  const keys = Object.keys(v);
  if (keys.length === 0) issue(issues, 'invalid_principal', path, 'Principal must name at least one principal');
  for (const k of keys) {
    if (!PRINCIPAL_KINDS.has(k)) {
      issue(issues, 'invalid_principal', [...path, k], `unknown principal type \`${k}\` (expected AWS, Service, Federated or CanonicalUser)`);
      continue;
    }
    const list = stringList(v[k], [...path, k], issues, `Principal ${k}`);
    if (!list) continue;
    list.forEach((p, i) => {
      const pp = Array.isArray(v[k]) ? [...path, k, i] : [...path, k];
      if (k === 'AWS' && !isValidAwsPrincipal(p)) {
        issue(issues, 'invalid_principal', pp, `invalid AWS principal \`${p}\``);
      } else if (p !== '*' && p.includes('*')) {
        issue(issues, 'invalid_principal', pp, `principal \`${p}\` may not contain a wildcard; use \`*\` alone, or a condition`);
      }
    });
    (block as Record<string, unknown>)[k] = list;
  }
  return block;
}

function isValidAwsPrincipal(p: string): boolean {
  if (p === '*') return true;
  if (/^\d{12}$/.test(p)) return true;
  // Unique ids (AIDA…, AROA…) appear when a named principal was deleted; AWS keeps them.
  if (/^A[A-Z0-9]{15,127}$/.test(p)) return true;
  if (!p.startsWith('arn:')) return false;
  const parts = p.split(':');
  if (parts.length < 6) return false;
  const [, partition, service, , account, ...rest] = parts;
  const resource = rest.join(':');
  if (!partition || !/^\d{12}$/.test(account)) return false;
  if (p.includes('*')) return false;
  if (service === 'iam') return resource === 'root' || /^(user|role)\/.+/.test(resource);
  if (service === 'sts') return /^(assumed-role\/[^/]+\/.+|federated-user\/.+)$/.test(resource);
  return false;
}

// Condition: { Operator: { key: value | [values] } }. Operators are checked against the
// registry; values must be JSON scalars. Key names are case-insensitive (compared lower-cased).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
function parseConditions(v: unknown, path: Path, version: PolicyVersion, issues: Issue[]): ConditionClause[] {
  const out: ConditionClause[] = [];
  if (!isPlainObject(v)) {
    issue(issues, 'invalid_type', path, 'Condition must be an object of operators');
    return out;
  }
  void version;
  for (const [op, block] of Object.entries(v)) {
    const opPath = [...path, op];
    if (!parseOperator(op)) {
      issue(issues, 'unknown_condition_operator', opPath, `unknown operator \`${op}\``);
      continue;
    }
    if (!isPlainObject(block)) {
      issue(issues, 'invalid_type', opPath, `operator \`${op}\` must map condition keys to values`);
      continue;
    }
    if (Object.keys(block).length === 0) issue(issues, 'empty_element', opPath, `operator \`${op}\` has no condition keys`);
    for (const [key, raw] of Object.entries(block)) {
      const keyPath = [...opPath, key];
      if (key.length === 0 || key.trim() !== key) {
        issue(issues, 'invalid_condition_key', keyPath, `invalid condition key \`${key}\``);
        continue;
      }
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) {
        issue(issues, 'empty_element', keyPath, `condition key \`${key}\` has no values`);
        continue;
      }
      const values: ConditionScalar[] = [];
      let bad = false;
      list.forEach((x, i) => {
        if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') values.push(x);
        else {
          bad = true;
          issue(issues, 'invalid_condition_value', Array.isArray(raw) ? [...keyPath, i] : keyPath,
            `condition values must be strings, numbers or booleans`);
        }
      });
      if (!bad) out.push({ operator: op, key, values });
    }
  }
  return out;
}
