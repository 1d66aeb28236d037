// An SMT-LIB encoding of "some request is allowed by B and not by A", written directly from
// the policy JSON and AWS's documented matching rules — independent of the reasoner's automata —
// for the cvc5 differential test and the bench. Covers the generator's fragment: Action/
// NotAction, Resource/NotResource, String/Arn/Numeric/Date/Bool/IpAddress(v4)/Null conditions
// with IfExists, single-valued keys. Strings use regular-expression membership (str.in_re).

type Doc = { Statement: Record<string, unknown>[] | Record<string, unknown> };

const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
/** A character outside the printable range is written as a \u{…} escape in SMT-LIB 2.6 strings. */
function lit(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c < 32 || c > 126 || ch === '\\' ? `\\u{${c.toString(16)}}` : ch;
  }
  return q(out);
}

const NOCOLON = '(re.union (re.range "\\u{20}" "9") (re.range ";" "~"))';

/** A glob as a regular expression; `noColon`: wildcards exclude `:`. */
function globRe(p: string, noColon = false, wild = true): string {
  const any = noColon ? NOCOLON : 're.allchar';
  const parts: string[] = [];
  let buf = '';
  const flush = () => { if (buf) parts.push(`(str.to_re ${lit(buf)})`); buf = ''; };
  for (const ch of p) {
    if (wild && ch === '*') { flush(); parts.push(`(re.* ${any})`); }
    else if (wild && ch === '?') { flush(); parts.push(any); }
    else buf += ch;
  }
  flush();
  if (parts.length === 0) return '(str.to_re "")';
  return parts.length === 1 ? parts[0] : `(re.++ ${parts.join(' ')})`;
}

function splitSegs(p: string): string[] {
  const out: string[] = [];
  let rest = p;
  for (let i = 0; i < 5; i++) {
    const c = rest.indexOf(':');
    if (c < 0) break;
    out.push(rest.slice(0, c));
    rest = rest.slice(c + 1);
  }
  out.push(rest);
  return out;
}

function segRe(segs: string[], lastNoColon: boolean): string {
  const parts: string[] = [];
  segs.forEach((s, i) => {
    const last = i === segs.length - 1;
    parts.push(globRe(s, last ? lastNoColon : true));
    if (!last) parts.push('(str.to_re ":")');
  });
  return `(re.++ ${parts.join(' ')})`;
}

/** Whether a glob matches the string `*` (for resources that are not ARNs). */
function globMatchesStar(p: string): boolean {
  const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 's');
  return re.test('*');
}

/** Resources with policy variables: a free Boolean per distinct pattern (the reasoner's abstraction). */
const atomNames = new Map<string, string>();
function atomFor(p: string): string {
  let n = atomNames.get(p);
  if (!n) atomNames.set(p, (n = `atom_${atomNames.size}`));
  return n;
}

function resourceMatch(p: string): string {
  if (p === '*') return 'true';
  if (p.includes('${')) return atomFor(p);
  const wild = p.includes('*') || p.includes('?');
  if (!wild) return `(= res ${lit(p)})`;
  const segs = splitSegs(p);
  const star = globMatchesStar(p) ? '(= res "*")' : 'false';
  if (segs.length < 6 && !segs[segs.length - 1].endsWith('*')) return star;
  return `(or ${star} (and (not (= res "*")) (str.in_re res ${segRe(segs, false)})))`;
}

function actionMatch(p: string): string {
  const l = p.toLowerCase();
  return l === '*' ? 'true' : `(str.in_re act ${globRe(l)})`;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
const or = (xs: string[]) => (xs.length === 0 ? 'false' : xs.length === 1 ? xs[0] : `(or ${xs.join(' ')})`);
const and = (xs: string[]) => (xs.length === 0 ? 'true' : xs.length === 1 ? xs[0] : `(and ${xs.join(' ')})`);

/** Names of the SMT variables of a key. */
export function keyVar(key: string): string {
  return 'k_' + key.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

function ipv4(s: string): number {
  return s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function real(n: number): string {
  return n < 0 ? `(- ${(-n).toFixed(3)})` : n.toFixed(3);
}

/** Every upper/lower-case spelling of an ASCII word (Bool compares case-insensitively). */
function caseVariants(w: string): string[] {
  let out = [''];
  for (const ch of w) {
    const up = ch.toUpperCase();
    out = out.flatMap((p) => (up === ch ? [p + ch] : [p + ch, p + up]));
  }
  return out;
}

function clauseFormula(op: string, key: string, values: string[]): string {
  const k = keyVar(key);
  const ifExists = op.endsWith('IfExists');
  const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
  if (base === 'Null') {
    const t = values.map((v) => v.toLowerCase() === 'true');
    return or(t.map((x) => (x ? `(not ${k}_p)` : `${k}_p`)));
  }
  let neg = false;
  let m: string;
  if (base.startsWith('String')) {
    neg = base.startsWith('StringNot');
    const like = base.includes('Like');
    m = or(values.map((v) => (like ? `(str.in_re ${k}_s ${globRe(v)})` : `(= ${k}_s ${lit(v)})`)));
  } else if (base.startsWith('Arn')) {
    neg = base.startsWith('ArnNot');
    m = or(values.map((v) => {
      const segs = splitSegs(v);
      const lastExpands = segs.length === 6 || segs[segs.length - 1].endsWith('*');
      return `(str.in_re ${k}_s ${segRe(segs, !lastExpands)})`;
    }));
  } else if (base.startsWith('Numeric') || base.startsWith('Date')) {
    const fam = base.startsWith('Numeric') ? 'Numeric' : 'Date';
    let cmp = base.slice(fam.length);
    if (cmp === 'NotEquals') { neg = true; cmp = 'Equals'; }
    const rel = { Equals: '=', LessThan: '<', LessThanEquals: '<=', GreaterThan: '>', GreaterThanEquals: '>=' }[cmp]!;
    const num = (v: string) => (fam === 'Numeric' ? Number(v) : Date.parse(v));
    m = `(and ${k}_ok ${or(values.map((v) => `(${rel} ${k}_r ${real(num(v))})`))})`;
  } else if (base === 'Bool') {
    m = or(values.flatMap((v) => caseVariants(v.toLowerCase()).map((x) => `(= ${k}_s ${lit(x)})`)));
  } else if (base === 'IpAddress' || base === 'NotIpAddress') {
    neg = base === 'NotIpAddress';
    m = `(and ${k}_ok ${or(values.map((v) => {
      const [a, bits] = v.split('/');
      const prefix = bits === undefined ? 32 : Number(bits);
      const size = 2 ** (32 - prefix);
      const lo = Math.floor(ipv4(a) / size) * size;
      return `(<= ${lo} ${k}_i ${lo + size - 1})`;
    }))})`;
  } else throw new Error(`smt: unsupported operator ${op}`);
  const present = neg ? `(not ${m})` : m;
  return `(ite ${k}_p ${present} ${ifExists || neg ? 'true' : 'false'})`;
}

/**
 * Principal blocks: who asks is a user (an ARN `arn:aws:iam::ACCOUNT:user/…` in its account),
 * an account's root, a service or an anonymous caller. `*` names everyone; an account id or root
 * ARN names the account's users and root; a user ARN names that user; a service its service.
 */
function principalFormula(p: unknown): string {
  if (p === '*') return 'true';
  const m = p as Record<string, unknown>;
  const parts: string[] = [];
  for (const a of list(m.AWS)) {
    if (a === '*') return 'true';
    const acct = /^\d{12}$/.test(a) ? a : /^arn:aws:iam::(\d{12}):root$/.exec(a)?.[1];
    if (acct) parts.push(`(and (or (= p_kind 0) (= p_kind 1)) (= p_acct ${lit(acct)}))`);
    else parts.push(`(and (= p_kind 0) (= p_arn ${lit(a)}))`);
  }
  for (const sv of list(m.Service)) parts.push(sv === '*' ? 'true' : `(and (= p_kind 2) (= p_svc ${lit(sv.toLowerCase())}))`);
  return or(parts);
}

function statementFormula(st: Record<string, unknown>): string {
  const parts: string[] = [];
  if (st.Principal !== undefined) parts.push(principalFormula(st.Principal));
  if (st.Action !== undefined) parts.push(or(list(st.Action).map(actionMatch)));
  else parts.push(`(not ${or(list(st.NotAction).map(actionMatch))})`);
  if (st.Resource !== undefined) parts.push(or(list(st.Resource).map(resourceMatch)));
  else if (st.NotResource !== undefined) parts.push(`(not ${or(list(st.NotResource).map(resourceMatch))})`);
  const cond = (st.Condition ?? {}) as Record<string, Record<string, unknown>>;
  for (const [op, byKey] of Object.entries(cond)) for (const [key, v] of Object.entries(byKey)) parts.push(clauseFormula(op, key, list(v)));
  return and(parts);
}

function allowed(doc: Doc): string {
  const sts = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const allow = sts.filter((s) => s.Effect === 'Allow').map(statementFormula);
  const deny = sts.filter((s) => s.Effect === 'Deny').map(statementFormula);
  return `(and ${or(allow)} (not ${or(deny)}))`;
}

/** Keys each policy uses, by kind. */
function keysOf(docs: Doc[]): Map<string, 'string' | 'real' | 'ip'> {
  const out = new Map<string, 'string' | 'real' | 'ip'>();
  for (const d of docs) {
    const sts = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
    for (const st of sts) {
      for (const [op, byKey] of Object.entries((st.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
        for (const key of Object.keys(byKey)) {
          const k = key.toLowerCase();
          const kind = /^(Numeric|Date)/.test(op) ? 'real' : /IpAddress/.test(op) ? 'ip' : op.startsWith('Null') ? undefined : 'string';
          if (kind) out.set(k, kind);
          else if (!out.has(k)) out.set(k, 'string');
        }
      }
    }
  }
  return out;
}

/** The declarations every query shares. */
export function smtPreamble(keys: Iterable<[string, 'string' | 'real' | 'ip']>): string {
  const out = ['(set-logic ALL)', '(set-option :produce-models false)', '(declare-const act String)', '(declare-const res String)',
    '(declare-const p_kind Int)', '(declare-const p_arn String)', '(declare-const p_acct String)', '(declare-const p_svc String)',
    '(assert (<= 0 p_kind 3))',
    '(assert (=> (= p_kind 0) (str.prefixof (str.++ "arn:aws:iam::" p_acct ":user/") p_arn)))',
    `(assert (or (= res "*") (str.in_re res (re.++ (str.to_re "arn:") ${Array(4).fill(`(re.* ${NOCOLON}) (str.to_re ":")`).join(' ')} (re.* re.allchar)))))`];
  for (const [key, kind] of keys) {
    const k = keyVar(key);
    out.push(`(declare-const ${k}_p Bool)`);
    if (kind === 'string') out.push(`(declare-const ${k}_s String)`);
    if (kind === 'real') out.push(`(declare-const ${k}_ok Bool)`, `(declare-const ${k}_r Real)`);
    if (kind === 'ip') out.push(`(declare-const ${k}_ok Bool)`, `(declare-const ${k}_i Int)`, `(assert (<= 0 ${k}_i 4294967295))`);
  }
  return out.join('\n');
}

/** Every key the generator's policies may use, with its kind. */
export const GENERATOR_KEYS: [string, 'string' | 'real' | 'ip'][] = [
  ['aws:username', 'string'], ['s3:max-keys', 'real'], ['aws:securetransport', 'string'], ['aws:sourceip', 'ip'],
  ['aws:currenttime', 'real'], ['aws:sourcearn', 'string'],
];

/**
 * The query split by the Allow statements of B: one script per statement s, asserting "s
 * matches, no Deny of B does, and A does not allow" — sat for some script ⇔ sat overall.
 */
export function smtScriptsByStatement(a: string, b: string): string[] {
  const da = JSON.parse(a) as Doc;
  const db = JSON.parse(b) as Doc;
  const keys = keysOf([da, db]);
  const sts = Array.isArray(db.Statement) ? db.Statement : [db.Statement];
  atomNames.clear();
  const deny = or(sts.filter((s) => s.Effect === 'Deny').map(statementFormula));
  const allowedA = allowed(da);
  const bodies = sts.filter((s) => s.Effect === 'Allow').map((s) => `(assert (and ${statementFormula(s)} (not ${deny}) (not ${allowedA})))`);
  const atoms = [...atomNames.values()].map((n) => `(declare-const ${n} Bool)`).join('\n');
  return bodies.map((body) => `${smtPreamble(keys)}\n${atoms}\n${body}\n(check-sat)\n`);
}

/** The assertion "allowed by B and not by A". */
export function smtAssert(a: string, b: string): string {
  return `(assert (and ${allowed(JSON.parse(b) as Doc)} (not ${allowed(JSON.parse(a) as Doc)})))`;
}

/** One query: push, assert "allowed by B and not by A", check-sat, pop. */
export function smtQuery(a: string, b: string): string {
  const da = JSON.parse(a) as Doc;
  const db = JSON.parse(b) as Doc;
  return `(push 1)\n(assert (and ${allowed(db)} (not ${allowed(da)})))\n(check-sat)\n(pop 1)`;
}

/** A whole script for one pair (declarations included). */
export function smtScript(a: string, b: string): string {
  const keys = keysOf([JSON.parse(a) as Doc, JSON.parse(b) as Doc]);
  return smtPreamble(keys) + '\n' + smtAssert(a, b) + '\n(check-sat)\n';
}
