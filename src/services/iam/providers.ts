// IAM identity providers. OpenID Connect: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
// DeleteOpenIDConnectProvider, ListOpenIDConnectProviders, AddClientIDToOpenIDConnectProvider,
// RemoveClientIDFromOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint,
// Tag/Untag/ListOpenIDConnectProviderTags. SAML: CreateSAMLProvider, GetSAMLProvider,
// UpdateSAMLProvider, DeleteSAMLProvider, ListSAMLProviders, Tag/Untag/ListSAMLProviderTags.
// Merged into `roleOperations` (roles.ts). STS federates with these documents
// (AssumeRoleWithWebIdentity / AssumeRoleWithSAML): read them with `getOidcProvider` and
// `getSamlProvider`.
import { randomBytes } from 'node:crypto';
import type { Entity, ReadTx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  entityAlreadyExists, invalidInput, limitExceeded, listAll, mergeTags, noSuchEntity, optStr, paginate, removeTags,
  requestTagKeys, resourceTagKeys, str, tagsOf,
} from './common.js';
import { KIND, iamArn, isoNow, type Tag } from './entities.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_OIDC_PROVIDERS = 100;
export const MAX_SAML_PROVIDERS = 100;
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

export interface SamlPrivateKey { KeyId: string; Timestamp: string }

/** KIND.samlProvider; key = the provider name. */
export interface SamlProviderDoc {
  Name: string;
  Arn: string;
  /** The metadata document as submitted (XML text). */
  SAMLMetadataDocument: string;
  /** The metadata's `entityID` (the IdP's issuer), for STS. */
  EntityId: string;
  SAMLProviderUUID: string;
  CreateDate: string;
  ValidUntil: string;
  AssertionEncryptionMode?: 'Required' | 'Allowed';
  /** Key ids only: the private key material is not kept (no secret box on the call context yet). */
  PrivateKeyList?: SamlPrivateKey[];
  Tags: Tag[];
}

// ---------------------------------------------------------------------------
// ARNs

const OIDC_ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/;
const SAML_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w._-]+)$/;

function oidcNotFound(arn: string) {
  return noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
}

function samlNotFound(arn: string) {
  return noSuchEntity(`Manifest not found for arn ${arn}`);
}

/** The OIDC provider of an ARN in `account`, or undefined. Throws InvalidInput for a malformed ARN. */
export async function getOidcProvider(tx: Pick<ReadTx, 'get'>, account: string, arn: string): Promise<Entity<OidcProviderDoc> | undefined> {
  const m = OIDC_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid OpenIDConnect provider ARN ${arn}`);
  if (m[1] !== account) return undefined;
  return tx.get<OidcProviderDoc>(KIND.oidcProvider, account, m[2]);
}

/** The SAML provider of an ARN in `account`, or undefined. Throws InvalidInput for a malformed ARN. */
export async function getSamlProvider(tx: Pick<ReadTx, 'get'>, account: string, arn: string): Promise<Entity<SamlProviderDoc> | undefined> {
  const m = SAML_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid SAML provider ARN ${arn}`);
  if (m[1] !== account) return undefined;
  return tx.get<SamlProviderDoc>(KIND.samlProvider, account, m[2]);
}

async function oidcOrThrow(tx: ReadTx, ctx: CallContext, input: Record<string, unknown>) {
  const arn = str(input, 'OpenIDConnectProviderArn');
  const p = await getOidcProvider(tx, ctx.caller.accountId, arn);
  return { arn, p };
}

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

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

// ---------------------------------------------------------------------------
// SAML metadata: well-formed XML whose root element is an EntityDescriptor
// (urn:oasis:names:tc:SAML:2.0:metadata). A minimal, non-validating reader: element nesting,
// attributes, comments, CDATA and processing instructions; DTDs are refused (no entity
// expansion). AWS answers unparsable metadata with InvalidInput "Could not parse metadata".

interface RootElement { name: string; attributes: Record<string, string> }

/** The root element of a well-formed XML document, or undefined when it is not well-formed. */
export function readXmlRoot(xml: string): RootElement | undefined {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: string[] = [];
  let root: RootElement | undefined;
  let closedRoot = false;
  const NAME = /[A-Za-z_][\w.:-]*/y;
  const ATTR = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') return undefined;
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) return undefined;
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (xml.startsWith('<!', i)) {
      return undefined;
    } else if (xml.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      if (!m || stack.pop() !== m[0]) return undefined;
      i = NAME.lastIndex;
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (xml[i] !== '>') return undefined;
      i++;
      if (stack.length === 0) closedRoot = true;
    } else {
      if (closedRoot) return undefined;
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) return undefined;
      i = NAME.lastIndex;
      const attributes: Record<string, string> = {};
      for (;;) {
        ATTR.lastIndex = i;
        const a = ATTR.exec(xml);
        if (!a) break;
        if (a[1] in attributes) return undefined;
        attributes[a[1]] = a[3] ?? a[4];
        i = ATTR.lastIndex;
      }
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (stack.length === 0 && root === undefined) root = { name: m[0], attributes };
      if (xml.startsWith('/>', i)) {
        i += 2;
        if (stack.length === 0) closedRoot = true;
      } else if (xml[i] === '>') {
        i++;
        stack.push(m[0]);
      } else {
        return undefined;
      }
    }
  }
  return stack.length === 0 && closedRoot ? root : undefined;
}

interface SamlMetadata { entityId: string; validUntil?: string }

export function parseSamlMetadata(xml: string): SamlMetadata {
  const root = readXmlRoot(xml);
  const local = root?.name.slice(root.name.indexOf(':') + 1);
  const entityId = root?.attributes.entityID;
  if (!root || local !== 'EntityDescriptor' || !entityId) throw invalidInput('Could not parse metadata');
  const out: SamlMetadata = { entityId };
  const vu = root.attributes.validUntil;
  if (vu !== undefined) {
    const t = Date.parse(vu);
    if (Number.isNaN(t)) throw invalidInput('Could not parse metadata');
    out.validUntil = isoNow(new Date(t));
  }
  return out;
}

/** Without a validUntil in the metadata, IAM's provider stays valid for 100 years. */
function defaultValidUntil(now: Date): string {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 100);
  return isoNow(d);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function upperId(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += B32[bytes[i] & 31];
  return s;
}

function samlOutput(d: SamlProviderDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    SAMLProviderUUID: d.SAMLProviderUUID, SAMLMetadataDocument: d.SAMLMetadataDocument, CreateDate: d.CreateDate, ValidUntil: d.ValidUntil,
  };
  if (d.Tags.length > 0) out.Tags = d.Tags;
  if (d.AssertionEncryptionMode !== undefined) out.AssertionEncryptionMode = d.AssertionEncryptionMode;
  if (d.PrivateKeyList && d.PrivateKeyList.length > 0) out.PrivateKeyList = d.PrivateKeyList;
  return out;
}

/** AddPrivateKey: a PEM private key; only its id and time are recorded (see SamlProviderDoc). */
function addPrivateKey(list: SamlPrivateKey[], pem: string | undefined, now: Date): SamlPrivateKey[] {
  if (pem === undefined) return list;
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) throw invalidInput('Invalid private key: expected a PEM encoded private key');
  if (list.length >= 2) throw limitExceeded('Cannot exceed quota for PrivateKeysPerSAMLProvider: 2');
  return [...list, { KeyId: upperId(26), Timestamp: isoNow(now) }];
}

// ---------------------------------------------------------------------------

export const providerOperations: OperationTable = {
  async CreateOpenIDConnectProvider(ctx, input) {
    const url = str(input, 'Url');
    const key = oidcKeyOf(url);
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'oidc-provider', '/', key);
    const tags = tagsOf(input);
    ctx.authorize('iam:CreateOpenIDConnectProvider', arn, requestTagKeys(tags));
    if (tags.length > 0) ctx.authorize('iam:TagOpenIDConnectProvider', arn, requestTagKeys(tags));
    const clientIds = uniq(stringList(input.ClientIDList));
    if (clientIds.length > MAX_CLIENT_IDS) throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
    for (const c of clientIds) if (c.length < 1 || c.length > 255) throw invalidInput(`Client ID ${c} must be 1 to 255 characters`);
    const thumbprints = uniq(stringList(input.ThumbprintList));
    checkThumbprints(thumbprints);
    const doc: OidcProviderDoc = {
      Url: key, Arn: arn, ClientIDList: clientIds, ThumbprintList: thumbprints, CreateDate: isoNow(ctx.now), Tags: mergeTags([], tags),
    };
    return ctx.store.transaction(async (tx) => {
      if ((await tx.count(KIND.oidcProvider, account)) >= MAX_OIDC_PROVIDERS) {
        throw limitExceeded(`Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_OIDC_PROVIDERS}`);
      }
      try {
        await tx.insert({ kind: KIND.oidcProvider, account, key, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`Provider with url ${url} already exists.`);
        throw e;
      }
      const out: Record<string, unknown> = { OpenIDConnectProviderArn: arn };
      if (doc.Tags.length > 0) out.Tags = doc.Tags;
      return out;
    });
  },

  async GetOpenIDConnectProvider(ctx, input) {
    const { arn, p } = await ctx.store.read((tx) => oidcOrThrow(tx, ctx, input));
    ctx.authorize('iam:GetOpenIDConnectProvider', arn, resourceTagKeys(p?.data.Tags));
    if (!p) throw oidcNotFound(arn);
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
      const { arn, p } = await oidcOrThrow(tx, ctx, input);
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
      const { arn, p } = await oidcOrThrow(tx, ctx, input);
      ctx.authorize('iam:AddClientIDToOpenIDConnectProvider', arn, resourceTagKeys(p?.data.Tags));
      if (!p) throw oidcNotFound(arn);
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
      const { arn, p } = await oidcOrThrow(tx, ctx, input);
      ctx.authorize('iam:RemoveClientIDFromOpenIDConnectProvider', arn, resourceTagKeys(p?.data.Tags));
      if (!p) throw oidcNotFound(arn);
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
      const { arn, p } = await oidcOrThrow(tx, ctx, input);
      ctx.authorize('iam:UpdateOpenIDConnectProviderThumbprint', arn, resourceTagKeys(p?.data.Tags));
      if (!p) throw oidcNotFound(arn);
      checkThumbprints(thumbprints);
      await tx.update({ kind: KIND.oidcProvider, account: ctx.caller.accountId, key: p.key, data: { ...p.data, ThumbprintList: thumbprints } });
      return undefined;
    });
  },

  async TagOpenIDConnectProvider(ctx, input) {
    const tags = tagsOf(input);
    return ctx.store.transaction(async (tx) => {
      const { arn, p } = await oidcOrThrow(tx, ctx, input);
      ctx.authorize('iam:TagOpenIDConnectProvider', arn, { ...resourceTagKeys(p?.data.Tags), ...requestTagKeys(tags) });
      if (!p) throw oidcNotFound(arn);
      await tx.update({ kind: KIND.oidcProvider, account: ctx.caller.accountId, key: p.key, data: { ...p.data, Tags: mergeTags(p.data.Tags, tags) } });
      return undefined;
    });
  },

  async UntagOpenIDConnectProvider(ctx, input) {
    const keys = stringList(input.TagKeys);
    return ctx.store.transaction(async (tx) => {
      const { arn, p } = await oidcOrThrow(tx, ctx, input);
      ctx.authorize('iam:UntagOpenIDConnectProvider', arn, { ...resourceTagKeys(p?.data.Tags), 'aws:TagKeys': keys });
      if (!p) throw oidcNotFound(arn);
      await tx.update({ kind: KIND.oidcProvider, account: ctx.caller.accountId, key: p.key, data: { ...p.data, Tags: removeTags(p.data.Tags, keys) } });
      return undefined;
    });
  },

  async ListOpenIDConnectProviderTags(ctx, input) {
    const { arn, p } = await ctx.store.read((tx) => oidcOrThrow(tx, ctx, input));
    ctx.authorize('iam:ListOpenIDConnectProviderTags', arn, resourceTagKeys(p?.data.Tags));
    if (!p) throw oidcNotFound(arn);
    const page = paginate([...p.data.Tags].sort((a, b) => (a.Key.toLowerCase() < b.Key.toLowerCase() ? -1 : 1)), (t) => t.Key.toLowerCase(), input);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // -------------------------------------------------------------------------
  // SAML

  async CreateSAMLProvider(ctx, input) {
    const name = str(input, 'Name');
    const metadata = str(input, 'SAMLMetadataDocument');
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'saml-provider', '/', name);
    const tags = tagsOf(input);
    ctx.authorize('iam:CreateSAMLProvider', arn, requestTagKeys(tags));
    if (tags.length > 0) ctx.authorize('iam:TagSAMLProvider', arn, requestTagKeys(tags));
    const parsed = parseSamlMetadata(metadata);
    const doc: SamlProviderDoc = {
      Name: name, Arn: arn, SAMLMetadataDocument: metadata, EntityId: parsed.entityId, SAMLProviderUUID: upperId(26),
      CreateDate: isoNow(ctx.now), ValidUntil: parsed.validUntil ?? defaultValidUntil(ctx.now), Tags: mergeTags([], tags),
    };
    const mode = optStr(input, 'AssertionEncryptionMode');
    if (mode === 'Required' || mode === 'Allowed') doc.AssertionEncryptionMode = mode;
    const keys = addPrivateKey([], optStr(input, 'AddPrivateKey'), ctx.now);
    if (keys.length > 0) doc.PrivateKeyList = keys;
    return ctx.store.transaction(async (tx) => {
      if ((await tx.count(KIND.samlProvider, account)) >= MAX_SAML_PROVIDERS) {
        throw limitExceeded(`Cannot exceed quota for SAMLProvidersPerAccount: ${MAX_SAML_PROVIDERS}`);
      }
      try {
        await tx.insert({ kind: KIND.samlProvider, account, key: name, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`SAMLProvider with name ${name} already exists.`);
        throw e;
      }
      const out: Record<string, unknown> = { SAMLProviderArn: arn };
      if (doc.Tags.length > 0) out.Tags = doc.Tags;
      return out;
    });
  },

  async GetSAMLProvider(ctx, input) {
    const arn = str(input, 'SAMLProviderArn');
    const p = await ctx.store.read((tx) => getSamlProvider(tx, ctx.caller.accountId, arn));
    ctx.authorize('iam:GetSAMLProvider', arn, resourceTagKeys(p?.data.Tags));
    if (!p) throw samlNotFound(arn);
    return samlOutput(p.data);
  },

  async UpdateSAMLProvider(ctx, input) {
    const arn = str(input, 'SAMLProviderArn');
    const metadata = optStr(input, 'SAMLMetadataDocument');
    const mode = optStr(input, 'AssertionEncryptionMode');
    const addKey = optStr(input, 'AddPrivateKey');
    const removeKey = optStr(input, 'RemovePrivateKey');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await getSamlProvider(tx, account, arn);
      ctx.authorize('iam:UpdateSAMLProvider', arn, resourceTagKeys(p?.data.Tags));
      if (!p) throw samlNotFound(arn);
      const doc: SamlProviderDoc = { ...p.data };
      if (metadata !== undefined) {
        const parsed = parseSamlMetadata(metadata);
        doc.SAMLMetadataDocument = metadata;
        doc.EntityId = parsed.entityId;
        doc.ValidUntil = parsed.validUntil ?? defaultValidUntil(ctx.now);
      }
      if (mode === 'Required' || mode === 'Allowed') doc.AssertionEncryptionMode = mode;
      let keys = doc.PrivateKeyList ?? [];
      if (removeKey !== undefined) {
        if (!keys.some((k) => k.KeyId === removeKey)) throw invalidInput(`Private key ${removeKey} not found for this SAML provider`);
        keys = keys.filter((k) => k.KeyId !== removeKey);
      }
      keys = addPrivateKey(keys, addKey, ctx.now);
      if (keys.length > 0) doc.PrivateKeyList = keys; else delete doc.PrivateKeyList;
      await tx.update({ kind: KIND.samlProvider, account, key: p.key, data: doc });
      return { SAMLProviderArn: p.data.Arn };
    });
  },

  async DeleteSAMLProvider(ctx, input) {
    const arn = str(input, 'SAMLProviderArn');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await getSamlProvider(tx, account, arn);
      ctx.authorize('iam:DeleteSAMLProvider', arn, resourceTagKeys(p?.data.Tags));
      if (!p) throw samlNotFound(arn);
      await tx.delete(KIND.samlProvider, account, p.key);
      return undefined;
    });
  },

  async ListSAMLProviders(ctx) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListSAMLProviders', `arn:aws:iam::${account}:saml-provider/*`);
    const all = await ctx.store.read((tx) => listAll<SamlProviderDoc>(tx, KIND.samlProvider, account));
    return { SAMLProviderList: all.map((p) => ({ Arn: p.data.Arn, ValidUntil: p.data.ValidUntil, CreateDate: p.data.CreateDate })) };
  },

  async TagSAMLProvider(ctx, input) {
    const arn = str(input, 'SAMLProviderArn');
    const tags = tagsOf(input);
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await getSamlProvider(tx, account, arn);
      ctx.authorize('iam:TagSAMLProvider', arn, { ...resourceTagKeys(p?.data.Tags), ...requestTagKeys(tags) });
      if (!p) throw samlNotFound(arn);
      await tx.update({ kind: KIND.samlProvider, account, key: p.key, data: { ...p.data, Tags: mergeTags(p.data.Tags, tags) } });
      return undefined;
    });
  },

  async UntagSAMLProvider(ctx, input) {
    const arn = str(input, 'SAMLProviderArn');
    const keys = stringList(input.TagKeys);
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await getSamlProvider(tx, account, arn);
      ctx.authorize('iam:UntagSAMLProvider', arn, { ...resourceTagKeys(p?.data.Tags), 'aws:TagKeys': keys });
      if (!p) throw samlNotFound(arn);
      await tx.update({ kind: KIND.samlProvider, account, key: p.key, data: { ...p.data, Tags: removeTags(p.data.Tags, keys) } });
      return undefined;
    });
  },

  async ListSAMLProviderTags(ctx, input) {
    const arn = str(input, 'SAMLProviderArn');
    const p = await ctx.store.read((tx) => getSamlProvider(tx, ctx.caller.accountId, arn));
    ctx.authorize('iam:ListSAMLProviderTags', arn, resourceTagKeys(p?.data.Tags));
    if (!p) throw samlNotFound(arn);
    const page = paginate([...p.data.Tags].sort((a, b) => (a.Key.toLowerCase() < b.Key.toLowerCase() ? -1 : 1)), (t) => t.Key.toLowerCase(), input);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
