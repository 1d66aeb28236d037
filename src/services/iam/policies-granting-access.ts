// ListPoliciesGrantingServiceAccess: for each service namespace asked, the identity policies of a
// user, group or role that allow some action of that service
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPoliciesGrantingServiceAccess.html).
//
// - User: its inline and attached managed policies, and those of the groups it belongs to.
//   Group: only the group's own. Role: only the role's own. Permissions boundaries, resource
//   policies, SCPs and trust policies are not used (AWS: "It only applies permissions policy logic").
// - A policy grants a service when an Allow statement's Action matches some action of the
//   namespace (`s3:GetObject`, `s3:*`, `*`, `s*:Get*`), or an Allow NotAction leaves some action of
//   it (the same reading as Access Advisor's service list: last-accessed.ts grantsOf).
// - Managed policies come with PolicyArn; inline ones with EntityType and EntityName (the user,
//   group or role they are embedded in). A managed policy attached both to a user and to one of
//   its groups is listed once.
// - The request has no MaxItems: answers hold at most 100 namespaces (IAM's default page), the
//   rest follow with Marker.
// Authorized as iam:ListPoliciesGrantingServiceAccess on the user, group or role (Service
// Authorization Reference: resource types user*, group*, role*).
import type { ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { noSuchEntity, paginate, str } from './common.js';
import { KIND, ownerKey, type GroupDoc, type RoleDoc, type UserDoc } from './entities.js';
import { grantsNamespace, grantsOf, groupsOfUser, ownerPolicies, parseEntityArn, type Grants } from './last-accessed.js';

type EntityType = 'USER' | 'GROUP' | 'ROLE';

interface Candidate {
  PolicyName: string;
  PolicyType: 'INLINE' | 'MANAGED';
  PolicyArn?: string;
  EntityType?: EntityType;
  EntityName?: string;
  grants: Grants;
}

/** The identity policies that count for the entity `arn` names. */
async function candidatesOf(tx: ReadTx, account: string, arn: string): Promise<Candidate[]> {
  const { type, name } = parseEntityArn(account, arn, ['user', 'group', 'role']);
  const kind = type === 'user' ? KIND.user : type === 'group' ? KIND.group : KIND.role;
  const e = await tx.get<UserDoc | GroupDoc | RoleDoc>(kind, account, name);
  if (!e || e.data.Arn !== arn) throw noSuchEntity(`The entity ${arn} cannot be found.`);
  // The ARN matched the stored one exactly, so its last segment is the entity's name.
  const owners: { type: EntityType; name: string }[] = [{ type: type.toUpperCase() as EntityType, name }];
  if (type === 'user') for (const g of await groupsOfUser(tx, account, name)) owners.push({ type: 'GROUP', name: g });
  const out: Candidate[] = [];
  const managed = new Set<string>();
  for (const o of owners) {
    for (const p of await ownerPolicies(tx, account, ownerKey(o.type.toLowerCase() as 'user' | 'group' | 'role', o.name))) {
      const grants = grantsOf([p.document]);
      if (p.arn === undefined) {
        out.push({ PolicyName: p.name, PolicyType: 'INLINE', EntityType: o.type, EntityName: o.name, grants });
      } else if (!managed.has(p.arn)) {
        managed.add(p.arn);
        out.push({ PolicyName: p.name, PolicyType: 'MANAGED', PolicyArn: p.arn, grants });
      }
    }
  }
  return out;
}

export const policiesGrantingAccessOperations: OperationTable = {
  async ListPoliciesGrantingServiceAccess(ctx, input) {
    const arn = str(input, 'Arn');
    ctx.authorize('iam:ListPoliciesGrantingServiceAccess', arn);
    const candidates = await ctx.store.read((tx) => candidatesOf(tx, ctx.caller.accountId, arn));
    const namespaces = (Array.isArray(input.ServiceNamespaces) ? input.ServiceNamespaces : []).filter((n): n is string => typeof n === 'string');
    const indexed = namespaces.map((ns, i) => ({ ns, key: String(i).padStart(4, '0') }));
    const page = paginate(indexed, (n) => n.key, input);
    return {
      PoliciesGrantingServiceAccess: page.items.map(({ ns }) => ({
        ServiceNamespace: ns,
        Policies: candidates.filter((c) => grantsNamespace(c.grants, ns)).map(({ grants: _g, ...policy }) => policy),
      })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};
