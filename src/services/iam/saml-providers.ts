// IAM SAML providers: CreateSAMLProvider, GetSAMLProvider, UpdateSAMLProvider, DeleteSAMLProvider,
// ListSAMLProviders and Tag/Untag/ListSAMLProviderTags (provider-family.ts). The metadata document
// is read by saml-metadata.ts. STS (AssumeRoleWithSAML) reads these documents with `getSamlProvider`.
import { randomBytes } from 'node:crypto';
import type { OperationTable } from '../types.js';
import { authorizeCreate, invalidInput, limitExceeded, listAll, mergeTags, noSuchEntity, optStr, str, tagsOf } from './common.js';
import { KIND, iamArn, isoNow, type Tag } from './entities.js';
import {
  authorizedProvider, insertProvider, providerReader, providerTagOperations, type ProviderFamily,
} from './provider-family.js';
import { parseSamlMetadata } from './saml-metadata.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
export const MAX_SAML_PROVIDERS = 100;

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

/** The SAML provider of an ARN in `account`, or undefined. Throws InvalidInput for a malformed ARN. */
export const getSamlProvider = providerReader<SamlProviderDoc>(
  KIND.samlProvider, /^arn:aws:iam::(\d{12}):saml-provider\/([\w._-]+)$/, 'SAML provider',
);

const SAML: ProviderFamily<SamlProviderDoc> = {
  name: 'SAMLProvider',
  kind: KIND.samlProvider,
  arnMember: 'SAMLProviderArn',
  find: getSamlProvider,
  notFound: (arn) => noSuchEntity(`Manifest not found for arn ${arn}`),
  quota: { max: MAX_SAML_PROVIDERS, name: 'SAMLProvidersPerAccount' },
};

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

export const samlProviderOperations: OperationTable = {
  async CreateSAMLProvider(ctx, input) {
    const name = str(input, 'Name');
    const metadata = str(input, 'SAMLMetadataDocument');
    const account = ctx.caller.accountId;
    const arn = iamArn(account, 'saml-provider', '/', name);
    const tags = tagsOf(input);
    authorizeCreate(ctx, 'iam:CreateSAMLProvider', 'iam:TagSAMLProvider', arn, tags);
    const parsed = parseSamlMetadata(metadata);
    const doc: SamlProviderDoc = {
      Name: name, Arn: arn, SAMLMetadataDocument: metadata, EntityId: parsed.entityId, SAMLProviderUUID: upperId(26),
      CreateDate: isoNow(ctx.now), ValidUntil: parsed.validUntil ?? defaultValidUntil(ctx.now), Tags: mergeTags([], tags),
    };
    const mode = optStr(input, 'AssertionEncryptionMode');
    if (mode === 'Required' || mode === 'Allowed') doc.AssertionEncryptionMode = mode;
    const keys = addPrivateKey([], optStr(input, 'AddPrivateKey'), ctx.now);
    if (keys.length > 0) doc.PrivateKeyList = keys;
    return ctx.store.transaction((tx) => insertProvider(SAML, tx, account, name, doc, `SAMLProvider with name ${name} already exists.`));
  },

  async GetSAMLProvider(ctx, input) {
    const p = await ctx.store.read((tx) => authorizedProvider(SAML, ctx, tx, input, 'iam:GetSAMLProvider'));
    return samlOutput(p.data);
  },

  async UpdateSAMLProvider(ctx, input) {
    const metadata = optStr(input, 'SAMLMetadataDocument');
    const mode = optStr(input, 'AssertionEncryptionMode');
    const addKey = optStr(input, 'AddPrivateKey');
    const removeKey = optStr(input, 'RemovePrivateKey');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProvider(SAML, ctx, tx, input, 'iam:UpdateSAMLProvider');
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
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      const p = await authorizedProvider(SAML, ctx, tx, input, 'iam:DeleteSAMLProvider');
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

  ...providerTagOperations(SAML),
};
