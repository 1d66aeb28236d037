// IAM OpenID Connect providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
// DeleteOpenIDConnectProvider, ListOpenIDConnectProviders, AddClientIDToOpenIDConnectProvider,
// RemoveClientIDFromOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint and
// Tag/Untag/ListOpenIDConnectProviderTags (provider-family.ts). STS (AssumeRoleWithWebIdentity)
// reads these documents with `getOidcProvider`.
import type { OperationTable } from '../types.js';
import {
  authorizeCreate, invalidInput, limitExceeded, listAll, mergeTags, noSuchEntity, resourceTagKeys, str, tagsOf, stringList,
} from './common.js';
import { KIND, iamArn, isoNow, type Tag } from './entities.js';
import {
  authorizedProvider, insertProvider, providerReader, providerTagOperations, type ProviderFamily,
} from './provider-family.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_OIDC_PROVIDERS = 100;
export const MAX_CLIENT_IDS = 100;
export const MAX_THUMBPRINTS = 5;

/** KIND.oidcProvider; key = the URL without `https://` (what follows `oidc-provider/` in the ARN). */
export interface OidcProviderDoc {
  /** As IAM shows it: without the scheme, e.g. `token.actions.githubusercontent.com`. */
  Url: string;
  Arn: string;
  ClientIDList: string[];
  ThumbprintList: string[];
  CreateDate: string;
  Tags: Tag[];
}

/** The OIDC provider of an ARN in `account`, or undefined. Throws InvalidInput for a malformed ARN. */
export const getOidcProvider = providerReader<OidcProviderDoc>(
  KIND.oidcProvider, /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/, 'OpenIDConnect provider',
);

const OIDC: ProviderFamily<OidcProviderDoc> = {
  name: 'OpenIDConnectProvider',
  kind: KIND.oidcProvider,
  arnMember: 'OpenIDConnectProviderArn',
  find: getOidcProvider,
  notFound: (arn) => noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`),
  quota: { max: MAX_OIDC_PROVIDERS, name: 'OpenIdConnectProvidersPerAccount' },
};

// ---------------------------------------------------------------------------
// OIDC input checks. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
// The URL must begin with https://, without query or fragment; thumbprints are 40 hex digits.

function oidcKeyOf(url: string): string {
  if (!/^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(url)) {
    throw invalidInput(`Invalid OpenIDConnect provider URL ${url}: it must begin with https:// and have no query or fragment`);
  }
  // Kept as written, trailing slash included: some issuers (Auth0) end in `/`, and STS matches
  // the token's `iss` against this exactly (host case-insensitively).
  return url.slice('https://'.length);
}

function checkThumbprints(list: string[]): void {
  if (list.length > MAX_THUMBPRINTS) throw limitExceeded(`Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: ${MAX_THUMBPRINTS}`);
  for (const t of list) {
    if (!/^[0-9a-fA-F]{40}$/.test(t)) throw invalidInput(`Thumbprint ${t} must be 40 hexadecimal characters`);
  }
}

function uniq(list: readonly string[]): string[] {
  return [...new Set(list)];
}


// ---------------------------------------------------------------------------

export const oidcProviderOperations: OperationTable = {
  async CreateOpenIDConnectProvider(ctx, input) {
    const url = str(input, 'Url');
    const key = oidcKeyOf(url);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'oidc-provider', '/', key);
    const tags = tagsOf(input);
    authorizeCreate(ctx, 'iam:CreateOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider', arn, tags);
    const clientIds = uniq(stringList(input.ClientIDList));
    if (clientIds.length > MAX_CLIENT_IDS) throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
    for (const c of clientIds) if (c.length < 1 || c.length > 255) throw invalidInput(`Client ID ${c} must be 1 to 255 characters`);
    const thumbprints = uniq(stringList(input.ThumbprintList));
    checkThumbprints(thumbprints);
    const doc: OidcProviderDoc = {
      Url: key, Arn: arn, ClientIDList: clientIds, ThumbprintList: thumbprints, CreateDate: isoNow(ctx.now), Tags: mergeTags([], tags),
    };
    return ctx.store.transaction((tx) => insertProvider(OIDC, tx, account, key, doc, `Provider with url ${url} already exists.`));
  },

  async GetOpenIDConnectProvider(ctx, input) {
    const p = await ctx.store.read((tx) => authorizedProvider(OIDC, ctx, tx, input, 'iam:GetOpenIDConnectProvider'));
    const out: Record<string, unknown> = {
      Url: p.data.Url, ClientIDList: p.data.ClientIDList, ThumbprintList: p.data.ThumbprintList, CreateDate: p.data.CreateDate,
    };
    if (p.data.Tags.length > 0) out.Tags = p.data.Tags;
    return out;
  },

  async DeleteOpenIDConnectProvider(ctx, input) {
    // "This operation is idempotent; it does not fail or return an error if you call the operation
    // for a provider that does not exist." (IAM API Reference)
    return ctx.store.transaction(async (tx) => {
      const arn = str(input, OIDC.arnMember);
      const p = await getOidcProvider(tx, ctx.caller.accountId, arn);
      ctx.authorize('iam:DeleteOpenIDConnectProvider', arn, resourceTagKeys(p?.data.Tags));
      if (p) await tx.delete(KIND.oidcProvider, ctx.caller.accountId, p.key);
      return undefined;
    });
  },

  async ListOpenIDConnectProviders(ctx) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListOpenIDConnectProviders', `arn:aws:iam::${account}:oidc-provider/*`);
    const all = await ctx.store.read((tx) => listAll<OidcProviderDoc>(tx, KIND.oidcProvider, account));
    return { OpenIDConnectProviderList: all.map((p) => ({ Arn: p.data.Arn })) };
  },

  async AddClientIDToOpenIDConnectProvider(ctx, input) {
    const clientId = str(input, 'ClientID');
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProvider(OIDC, ctx, tx, input, 'iam:AddClientIDToOpenIDConnectProvider');
      // Idempotent: adding a client id that is there already changes nothing.
      if (p.data.ClientIDList.includes(clientId)) return undefined;
      if (p.data.ClientIDList.length >= MAX_CLIENT_IDS) throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
      await tx.update({ kind: KIND.oidcProvider, account: ctx.caller.accountId, key: p.key, data: { ...p.data, ClientIDList: [...p.data.ClientIDList, clientId] } });
      return undefined;
    });
  },

  async RemoveClientIDFromOpenIDConnectProvider(ctx, input) {
    const clientId = str(input, 'ClientID');
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProvider(OIDC, ctx, tx, input, 'iam:RemoveClientIDFromOpenIDConnectProvider');
      // Idempotent: removing a client id that is not there changes nothing.
      if (!p.data.ClientIDList.includes(clientId)) return undefined;
      const list = p.data.ClientIDList.filter((c) => c !== clientId);
      await tx.update({ kind: KIND.oidcProvider, account: ctx.caller.accountId, key: p.key, data: { ...p.data, ClientIDList: list } });
      return undefined;
    });
  },

  async UpdateOpenIDConnectProviderThumbprint(ctx, input) {
    const thumbprints = uniq(stringList(input.ThumbprintList));
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProvider(OIDC, ctx, tx, input, 'iam:UpdateOpenIDConnectProviderThumbprint');
      checkThumbprints(thumbprints);
      await tx.update({ kind: KIND.oidcProvider, account: ctx.caller.accountId, key: p.key, data: { ...p.data, ThumbprintList: thumbprints } });
      return undefined;
    });
  },

  ...providerTagOperations(OIDC),
};
