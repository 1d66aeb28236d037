// Tags on roots, OUs, accounts and policies: TagResource, UntagResource, ListTagsForResource.
import type { OperationTable } from '../types.js';
import type { Tx } from '../../store/index.js';
import type { Tag } from '../iam/entities.js';
import {
  OKIND, ORG_ACCOUNT, authorize, awsManagedById, callerOrg, invalidInput, mergeTags, page, requestTagKeys, requireDelegable,
  resourceTagKeys, str, tagsOf, targetNotFound, type OrgPolicyDoc, type OrganizationDoc,
} from './common.js';
import { findTarget, targetArnFor } from './tree.js';

interface Taggable { kind: string; key: string; arn: string; tags: Tag[]; data: { Tags: Tag[] } }

async function findTaggable(tx: Pick<Tx, 'get'>, org: OrganizationDoc, id: string): Promise<Taggable | undefined> {
  if (id.startsWith('p-')) {
    if (awsManagedById(id)) throw invalidInput('IMMUTABLE_POLICY', "You specified a policy that is managed by AWS and can't be modified.");
    const p = await tx.get<OrgPolicyDoc>(OKIND.policy, ORG_ACCOUNT, id);
    if (!p || p.data.OrgId !== org.Id) return undefined;
    return { kind: OKIND.policy, key: p.key, arn: p.data.Arn, tags: p.data.Tags, data: p.data };
  }
  const t = await findTarget(tx as Tx, org, id);
  if (!t) return undefined;
  const kind = t.type === 'ROOT' ? OKIND.root : t.type === 'ORGANIZATIONAL_UNIT' ? OKIND.ou : OKIND.account;
  return { kind, key: t.entity.key, arn: t.arn, tags: t.tags, data: t.entity.data };
}

function arnFor(org: OrganizationDoc, id: string, found: Taggable | undefined): string {
  if (found) return found.arn;
  if (id.startsWith('p-')) return `arn:aws:organizations::${org.MasterAccountId}:policy/${org.Id}/*/${id}`;
  return targetArnFor(org, id);
}

export const tagOperations: OperationTable = {
  async TagResource(ctx, input) {
    const id = str(input, 'ResourceId');
    const tags = tagsOf(input);
    return ctx.store.transaction(async (tx) => {
      const c = await callerOrg(tx, ctx);
      const found = c ? await findTaggable(tx, c.org, id) : undefined;
      const check = { action: 'organizations:TagResource', resource: c ? arnFor(c.org, id, found) : '*', extra: { ...resourceTagKeys(found?.tags), ...requestTagKeys(tags) } };
      authorize(ctx, check.action, check.resource, check.extra);
      await requireDelegable(tx, ctx, c, 'write', [check]);
      if (!found) throw targetNotFound();
      await tx.update({ kind: found.kind, account: ORG_ACCOUNT, key: found.key, data: { ...found.data, Tags: mergeTags(found.tags, tags) } });
      return undefined;
    });
  },

  async UntagResource(ctx, input) {
    const id = str(input, 'ResourceId');
    const keys = Array.isArray(input.TagKeys) ? (input.TagKeys as string[]) : [];
    return ctx.store.transaction(async (tx) => {
      const c = await callerOrg(tx, ctx);
      const found = c ? await findTaggable(tx, c.org, id) : undefined;
      const check = { action: 'organizations:UntagResource', resource: c ? arnFor(c.org, id, found) : '*', extra: { ...resourceTagKeys(found?.tags), 'aws:TagKeys': keys } };
      authorize(ctx, check.action, check.resource, check.extra);
      await requireDelegable(tx, ctx, c, 'write', [check]);
      if (!found) throw targetNotFound();
      const drop = new Set(keys);
      await tx.update({ kind: found.kind, account: ORG_ACCOUNT, key: found.key, data: { ...found.data, Tags: found.tags.filter((t) => !drop.has(t.Key)) } });
      return undefined;
    });
  },

  async ListTagsForResource(ctx, input) {
    const id = str(input, 'ResourceId');
    return ctx.store.read(async (tx) => {
      const c = await callerOrg(tx, ctx);
      const found = c ? await findTaggable(tx as unknown as Tx, c.org, id) : undefined;
      const check = { action: 'organizations:ListTagsForResource', resource: c ? arnFor(c.org, id, found) : '*', extra: resourceTagKeys(found?.tags) };
      authorize(ctx, check.action, check.resource, check.extra);
      await requireDelegable(tx, ctx, c, 'read', [check]);
      if (!found) throw targetNotFound();
      const p = page(found.tags, (t) => t.Key, input);
      return { Tags: p.items, NextToken: p.NextToken };
    });
  },
};
