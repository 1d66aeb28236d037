// Tag<Name>, Untag<Name> and List<Name>Tags of the IAM entities that carry tags in their document:
// users, roles, managed policies, instance profiles, server certificates, OIDC and SAML providers.
// (Virtual MFA devices page their tags by position and keep their own operations, mfa.ts.)
// Each family says how to find and authorize its entity; the operations are the same for all.
import type { Entity, ReadTx } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext, OperationTable } from '../types.js';
import { mergeTags, paginate, removeTags, requestTagKeys, stringList, tagsOf } from './common.js';
import type { Tag } from './entities.js';

/** One family of tagged entities. */
export interface TaggedFamily<D extends { Tags: Tag[] }> {
  /** As the operation names spell it: `User`, `Role`, `Policy`, `SAMLProvider`… */
  name: string;
  /** The store kind. */
  kind: string;
  /**
   * The entity the input names, once `action` is authorized on it with its resource tags and
   * `extra`; NoSuchEntity when it does not exist.
   */
  authorized(ctx: CallContext, tx: Pick<ReadTx, 'get'>, input: Record<string, unknown>, action: string,
    extra: Record<string, ContextValue | undefined>): Promise<Entity<D>>;
  /** List<Name>Tags answers the tags sorted by key (case-insensitively) rather than as stored. */
  sortTags: boolean;
}

export function tagOperations<D extends { Tags: Tag[] }>(family: TaggedFamily<D>): OperationTable {
  const { name, kind } = family;
  return {
    async [`Tag${name}`](ctx, input) {
      const tags = tagsOf(input);
      return ctx.store.transaction(async (tx) => {
        const e = await family.authorized(ctx, tx, input, `iam:Tag${name}`, requestTagKeys(tags));
        await tx.update({ kind, account: ctx.caller.accountId, key: e.key, data: { ...e.data, Tags: mergeTags(e.data.Tags, tags) } });
        return undefined;
      });
    },

    async [`Untag${name}`](ctx, input) {
      const keys = stringList(input.TagKeys);
      return ctx.store.transaction(async (tx) => {
        const e = await family.authorized(ctx, tx, input, `iam:Untag${name}`, { 'aws:TagKeys': keys });
        await tx.update({ kind, account: ctx.caller.accountId, key: e.key, data: { ...e.data, Tags: removeTags(e.data.Tags, keys) } });
        return undefined;
      });
    },

    async [`List${name}Tags`](ctx, input) {
      const e = await ctx.store.read((tx) => family.authorized(ctx, tx, input, `iam:List${name}Tags`, {}));
      const tags = family.sortTags ? [...e.data.Tags].sort((a, b) => (a.Key.toLowerCase() < b.Key.toLowerCase() ? -1 : 1)) : e.data.Tags;
      const page = paginate(tags, (t) => t.Key.toLowerCase(), input);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}
