// DescribeEffectivePolicy for tag policies: the policies attached from the root through each OU
// to the account, merged with the inheritance operators of management policies —
// `@@assign` (replace), `@@append` (add values), `@@remove` (remove values) and
// `@@operators_allowed_for_child_policies` (which of them lower levels may use) — and shown
// without the operators, as Organizations shows an effective policy.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html
import type { OperationTable } from '../types.js';
import type { ReadTx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import {
  OKIND, ORG_ACCOUNT, accessDenied, authorize, callerOrg, getTarget, iso, notInUse, orgError, str, optStr,
  type MemberDoc, type OrgAttachmentDoc, type OrgPolicyDoc, type OrganizationDoc, type OuDoc,
} from './common.js';
import { targetArnFor, targetTypeOf } from './tree.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const OPERATORS = ['@@assign', '@@append', '@@remove'] as const;
type Operator = (typeof OPERATORS)[number];
const ALLOWED = '@@operators_allowed_for_child_policies';

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asList(v: Json | undefined): Json[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Which operators a level may use below a node, given what the node's policy allowed. */
function allowedBelow(node: Obj, inherited: ReadonlySet<Operator>): Set<Operator> {
  const a = node[ALLOWED];
  if (a === undefined) return new Set(inherited);
  const list = isObj(a) ? asList(a['@@assign']) : asList(a);
  if (list.includes('@@all')) return new Set(inherited);
  if (list.includes('@@none')) return new Set();
  return new Set(OPERATORS.filter((o) => inherited.has(o) && list.includes(o)));
}

/**
 * Merges `child` (one attached policy, with operators) into `parent` (the merged policy so far,
 * with operators resolved into `@@assign` values), honouring what the parent allows.
 */
function mergeNode(parent: Obj, child: Obj, allowed: ReadonlySet<Operator>): Obj {
  const out: Obj = { ...parent };
  for (const [key, value] of Object.entries(child)) {
    if (key === ALLOWED) {
      // Narrowing is always possible; a child can never widen what its parent allowed.
      const prev = out[ALLOWED];
      out[ALLOWED] = prev === undefined ? value : prev;
      continue;
    }
    if (!isObj(value)) continue;
    const existing = isObj(out[key]) ? (out[key] as Obj) : undefined;
    const ops = OPERATORS.filter((o) => o in value);
    if (ops.length > 0) {
      const here = existing ? allowedBelow(existing, allowed) : new Set(allowed);
      let current = existing?.['@@assign'];
      for (const op of ops) {
        if (!here.has(op)) continue;
        const v = value[op];
        if (op === '@@assign') current = v;
        else if (op === '@@append') current = [...asList(current), ...asList(v).filter((x) => !asList(current).includes(x))];
        else current = asList(current).filter((x) => !asList(v).includes(x));
      }
      const node: Obj = { ...(existing ?? {}) };
      if (current !== undefined) node['@@assign'] = current;
      if (value[ALLOWED] !== undefined && existing?.[ALLOWED] === undefined) node[ALLOWED] = value[ALLOWED];
      out[key] = node;
    } else {
      out[key] = mergeNode(existing ?? {}, value, existing ? allowedBelow(existing, allowed) : allowed);
    }
  }
  return out;
}

/** The effective policy without operators. */
function strip(node: Obj): Json {
  if ('@@assign' in node) return node['@@assign'];
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@@')) continue;
    if (isObj(v)) out[k] = strip(v);
  }
  return out;
}

async function chainOf(tx: ReadTx, m: MemberDoc): Promise<string[]> {
  const chain: string[] = [m.Id];
  let id: string | undefined = m.ParentId;
  for (let i = 0; id !== undefined && i < 10; i++) {
    chain.unshift(id);
    if (id.startsWith('r-')) break;
    id = (await tx.get<OuDoc>(OKIND.ou, ORG_ACCOUNT, id))?.data.ParentId;
  }
  return chain;
}

const notFound = () => orgError('EffectivePolicyNotFoundException', "We can't find an effective policy of the specified type for the specified target.");

export const effectiveOperations: OperationTable = {
  async DescribeEffectivePolicy(ctx, input) {
    const type = str(input, 'PolicyType');
    const targetId = optStr(input, 'TargetId') ?? ctx.caller.accountId;
    return ctx.store.read(async (tx) => {
      const c = await callerOrg(tx, ctx);
      authorize(ctx, 'organizations:DescribeEffectivePolicy', c ? targetArnFor(c.org, targetId) : '*', { 'organizations:PolicyType': type });
      if (!c) throw notInUse();
      const org: OrganizationDoc = c.org;
      if (targetTypeOf(targetId) !== 'ACCOUNT') {
        throw orgError('InvalidInputException', 'You specified a target that is not supported for this operation.', 'TARGET_NOT_SUPPORTED');
      }
      // Members may see their own effective policy; other accounts' need the management account or a delegated administrator.
      if (targetId !== ctx.caller.accountId && !c.management && !c.delegated) throw accessDenied();
      const m = await getTarget(tx, org, OKIND.account, targetId);
      if (type !== 'TAG_POLICY') throw notFound();
      let merged: Obj = {};
      let found = false;
      let last = '';
      for (const target of await chainOf(tx, m.data)) {
        for (const a of await listAll<OrgAttachmentDoc>(tx, OKIND.attachment, ORG_ACCOUNT, target)) {
          if (a.data.PolicyType !== type) continue;
          const p = await tx.get<OrgPolicyDoc>(OKIND.policy, ORG_ACCOUNT, a.data.PolicyId);
          if (!p) continue;
          let content: Json;
          try { content = JSON.parse(p.data.Content) as Json; } catch { continue; }
          if (!isObj(content)) continue;
          merged = mergeNode(merged, content, new Set(OPERATORS));
          found = true;
          if (p.updatedAt > last) last = p.updatedAt;
          if (a.createdAt > last) last = a.createdAt;
        }
      }
      if (!found) throw notFound();
      return {
        EffectivePolicy: {
          PolicyContent: JSON.stringify(strip(merged)), LastUpdatedTimestamp: last || iso(ctx.now), TargetId: targetId, PolicyType: type,
        },
      };
    });
  },
};
