// What OIDC providers (oidc-providers.ts) and SAML providers (saml-providers.ts) share: both are
// found by an ARN in the input, authorized with their tags, and tagged by the same three
// operations (Tag…, Untag…, List…Tags, from tagging.ts).
import type { Entity, ReadTx, Tx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext, OperationTable } from '../types.js';
import { entityAlreadyExists, invalidInput, limitExceeded, resourceTagKeys, str } from './common.js';
import type { Tag } from './entities.js';
import { tagOperations } from './tagging.js';

/** One kind of identity provider. */
export interface ProviderFamily<D extends { Tags: Tag[] }> {
  /** As the operation names spell it: `OpenIDConnectProvider` or `SAMLProvider`. */
  name: string;
  /** The store kind. */
  kind: string;
  /** The input member holding the provider's ARN. */
  arnMember: string;
  /** The provider of an ARN in `account`, or undefined; InvalidInput for a malformed ARN. */
  find(tx: Pick<ReadTx, 'get'>, account: string, arn: string): Promise<Entity<D> | undefined>;
  notFound(arn: string): Error;
  /** Providers of this kind an account may have, and the quota's name in LimitExceeded. */
  quota: { max: number; name: string };
}

/**
 * The reader of one kind of provider: the provider of an ARN (matching `arnPattern`: account,
 * then key) in `account`, or undefined; InvalidInput `Invalid <label> ARN …` for a malformed ARN.
 */
export function providerReader<D>(
  kind: string, arnPattern: RegExp, label: string,
): (tx: Pick<ReadTx, 'get'>, account: string, arn: string) => Promise<Entity<D> | undefined> {
  return async (tx, account, arn) => {
    const m = arnPattern.exec(arn);
    if (!m) throw invalidInput(`Invalid ${label} ARN ${arn}`);
    if (m[1] !== account) return undefined;
    return tx.get<D>(kind, account, m[2]);
  };
}

/** Looks the provider up, authorizes `action` on its ARN with its tags and `extra`, then throws NoSuchEntity if it is missing. */
export async function authorizedProvider<D extends { Tags: Tag[] }>(
  family: ProviderFamily<D>, ctx: CallContext, tx: Pick<ReadTx, 'get'>, input: Record<string, unknown>, action: string,
  extra: Record<string, ContextValue | undefined> = {},
): Promise<Entity<D>> {
  const arn = str(input, family.arnMember);
  const p = await family.find(tx, ctx.caller.accountId, arn);
  ctx.authorize(action, arn, { ...resourceTagKeys(p?.data.Tags), ...extra });
  if (!p) throw family.notFound(arn);
  return p;
}

/**
 * Stores a new provider (inside the write): the account's quota first, then the key —
 * EntityAlreadyExists with `exists` when it is taken. Answers as Create<name> does: its ARN and tags.
 */
export async function insertProvider<D extends { Arn: string; Tags: Tag[] }>(
  family: ProviderFamily<D>, tx: Tx, account: string, key: string, doc: D, exists: string,
): Promise<Record<string, unknown>> {
  const { max, name } = family.quota;
  if ((await tx.count(family.kind, account)) >= max) throw limitExceeded(`Cannot exceed quota for ${name}: ${max}`);
  try {
    await tx.insert({ kind: family.kind, account, key, data: doc });
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw entityAlreadyExists(exists);
    throw e;
  }
  const out: Record<string, unknown> = { [`${family.name}Arn`]: doc.Arn };
  if (doc.Tags.length > 0) out.Tags = doc.Tags;
  return out;
}

/** Tag<name>, Untag<name> and List<name>Tags (tagging.ts), tags listed by key. */
export function providerTagOperations<D extends { Arn: string; Tags: Tag[] }>(family: ProviderFamily<D>): OperationTable {
  return tagOperations({
    name: family.name, kind: family.kind, sortTags: true,
    authorized: (ctx, tx, input, action, extra) => authorizedProvider(family, ctx, tx, input, action, extra),
  });
}
