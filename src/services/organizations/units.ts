// Organizational units and the tree: CreateOrganizationalUnit, UpdateOrganizationalUnit,
// DeleteOrganizationalUnit, DescribeOrganizationalUnit, ListOrganizationalUnitsForParent,
// ListChildren, ListParents.
import type { OperationTable } from '../types.js';
import { listAll } from '../iam/common.js';
import {
  OKIND, ORG_ACCOUNT, authorize, callerOrg, childNotFound, constraint, listOrg, mergeTags, newOuId, orgError, ouArn,
  page, parentNotFound, requestTagKeys, requireManagement, str, optStr, tagsOf,
  type MemberDoc, type OrganizationDoc, type OuDoc,
} from './common.js';
import { attachDefaults, childrenPage, delegableOn, depthOf, detachAll, findParent, pathOf, requestTarget, targetArnFor } from './tree.js';
import type { ReadTx } from '../../store/index.js';

// Organizations quotas: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
export const MAX_OU_DEPTH = 5;
export const MAX_OUS = 2000;

export async function ouOutput(tx: ReadTx, org: OrganizationDoc, o: OuDoc): Promise<Record<string, unknown>> {
  return { Id: o.Id, Arn: o.Arn, Name: o.Name, Path: await pathOf(tx, org, o.Id) };
}

const duplicateOu = () => orgError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');

async function nameTaken(tx: ReadTx, parentId: string, name: string, exceptId?: string): Promise<boolean> {
  const siblings = await listAll<OuDoc>(tx, OKIND.ou, ORG_ACCOUNT, parentId);
  return siblings.some((s) => s.data.Name === name && s.data.Id !== exceptId);
}

export const unitOperations: OperationTable = {
  async CreateOrganizationalUnit(ctx, input) {
    const parentId = str(input, 'ParentId');
    const name = str(input, 'Name');
    const tags = tagsOf(input);
    return ctx.store.transaction(async (tx) => {
      const c = await callerOrg(tx, ctx);
      authorize(ctx, 'organizations:CreateOrganizationalUnit', c ? targetArnFor(c.org, parentId) : '*', requestTagKeys(tags));
      if (tags.length > 0 && c) authorize(ctx, 'organizations:TagResource', targetArnFor(c.org, parentId), requestTagKeys(tags));
      const org = requireManagement(c);
      if (!(await findParent(tx, org, parentId))) throw parentNotFound();
      if ((await depthOf(tx, parentId)) >= MAX_OU_DEPTH) {
        throw constraint('OU_DEPTH_LIMIT_EXCEEDED', `You have exceeded the maximum depth of ${MAX_OU_DEPTH} levels of OUs in the organization.`);
      }
      if ((await listOrg<OuDoc>(tx, OKIND.ou, org.Id)).length >= MAX_OUS) {
        throw constraint('OU_NUMBER_LIMIT_EXCEEDED', 'You have reached the maximum number of OUs in your organization.');
      }
      if (await nameTaken(tx, parentId, name)) throw duplicateOu();
      const id = newOuId(org.RootId);
      const doc: OuDoc = { Id: id, Arn: ouArn(org.MasterAccountId, org.Id, id), Name: name, OrgId: org.Id, ParentId: parentId, Tags: mergeTags([], tags) };
      await tx.insert({ kind: OKIND.ou, account: ORG_ACCOUNT, key: id, id, parent: parentId, data: doc });
      await attachDefaults(tx, org, id, 'ORGANIZATIONAL_UNIT');
      return { OrganizationalUnit: await ouOutput(tx, org, doc) };
    });
  },

  async UpdateOrganizationalUnit(ctx, input) {
    const id = str(input, 'OrganizationalUnitId');
    const name = optStr(input, 'Name');
    return ctx.store.transaction(async (tx) => {
      const { org, target: o } = await requestTarget(tx, ctx, 'management', 'organizations:UpdateOrganizationalUnit', OKIND.ou, id);
      const doc: OuDoc = { ...o.data };
      if (name !== undefined && name !== o.data.Name) {
        if (await nameTaken(tx, o.data.ParentId, name, id)) throw duplicateOu();
        doc.Name = name;
        await tx.update({ kind: OKIND.ou, account: ORG_ACCOUNT, key: id, data: doc });
      }
      return { OrganizationalUnit: await ouOutput(tx, org, doc) };
    });
  },

  async DeleteOrganizationalUnit(ctx, input) {
    const id = str(input, 'OrganizationalUnitId');
    return ctx.store.transaction(async (tx) => {
      await requestTarget(tx, ctx, 'management', 'organizations:DeleteOrganizationalUnit', OKIND.ou, id);
      if ((await tx.count(OKIND.ou, ORG_ACCOUNT, { parent: id })) > 0 || (await tx.count(OKIND.account, ORG_ACCOUNT, { parent: id })) > 0) {
        throw orgError('OrganizationalUnitNotEmptyException',
          'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.');
      }
      await detachAll(tx, id);
      await tx.delete(OKIND.ou, ORG_ACCOUNT, id);
      return undefined;
    });
  },

  async DescribeOrganizationalUnit(ctx, input) {
    const id = str(input, 'OrganizationalUnitId');
    return ctx.store.read(async (tx) => {
      const { org, target: o } = await requestTarget(tx, ctx, 'read', 'organizations:DescribeOrganizationalUnit', OKIND.ou, id);
      return { OrganizationalUnit: await ouOutput(tx, org, o.data) };
    });
  },

  async ListOrganizationalUnitsForParent(ctx, input) {
    const parentId = str(input, 'ParentId');
    return ctx.store.read(async (tx) => {
      const p = await childrenPage(tx, ctx, 'organizations:ListOrganizationalUnitsForParent', parentId, OKIND.ou, input);
      const out = [];
      for (const e of p.items) out.push(await ouOutput(tx, p.org, e.data));
      return { OrganizationalUnits: out, NextToken: p.NextToken };
    });
  },

  async ListChildren(ctx, input) {
    const parentId = str(input, 'ParentId');
    const childType = str(input, 'ChildType');
    return ctx.store.read(async (tx) => {
      const p = await childrenPage(tx, ctx, 'organizations:ListChildren', parentId, childType === 'ACCOUNT' ? OKIND.account : OKIND.ou, input);
      return { Children: p.items.map((e) => ({ Id: e.data.Id, Type: childType })), NextToken: p.NextToken };
    });
  },

  async ListParents(ctx, input) {
    const childId = str(input, 'ChildId');
    return ctx.store.read(async (tx) => {
      const org = await delegableOn(tx, ctx, 'read', 'organizations:ListParents', childId);
      const kind = childId.startsWith('ou-') ? OKIND.ou : OKIND.account;
      const child = await tx.get<MemberDoc | OuDoc>(kind, ORG_ACCOUNT, childId);
      if (!child || child.data.OrgId !== org.Id) throw childNotFound();
      const parentId = child.data.ParentId;
      const parents = [{ Id: parentId, Type: parentId.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }];
      const p = page(parents, (x) => x.Id, input);
      return { Parents: p.items, NextToken: p.NextToken };
    });
  },
};
