// Server certificates (TLS certificates for load balancers and CloudFront): UploadServerCertificate,
// GetServerCertificate, UpdateServerCertificate, DeleteServerCertificate, ListServerCertificates,
// TagServerCertificate, UntagServerCertificate, ListServerCertificateTags.
//
// The private key is checked against the certificate, kept only encrypted under the master key
// (bound to the certificate id), and never returned.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Entity, ReadTx } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  authorizeCreate, entityAlreadyExists, iamError, limitExceeded, listAll, matchesPathPrefix, mergeTags, noSuchEntity, optStr, paginate,
  pathOf, resourceTagKeys, str, tagsOf,
} from './common.js';
import { KIND, iamArn, isoNow, newId, type Tag } from './entities.js';
import { certificateExpiration, malformedCertificate, parseCertificate, parseCertificateChain } from './certificates.js';
import { secretsOf } from './credential-owner.js';
import { tagOperations, type TaggedFamily } from './tagging.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: "Server
// certificates stored in an AWS account: 20".
export const MAX_SERVER_CERTIFICATES = 20;

export interface ServerCertificateDoc {
  ServerCertificateName: string;
  ServerCertificateId: string;
  Arn: string;
  Path: string;
  UploadDate: string;
  Expiration: string;
  CertificateBody: string;
  CertificateChain?: string;
  /** The private key (PEM), encrypted with the SecretBox; associated data = ServerCertificateId. */
  PrivateKeyEncrypted: string;
  Tags: Tag[];
}

function metadata(d: ServerCertificateDoc): Record<string, unknown> {
  return {
    Path: d.Path, ServerCertificateName: d.ServerCertificateName, ServerCertificateId: d.ServerCertificateId,
    Arn: d.Arn, UploadDate: d.UploadDate, Expiration: d.Expiration,
  };
}

function notFound(name: string) {
  return noSuchEntity(`The Server Certificate with name ${name} cannot be found.`);
}

function arnFor(ctx: CallContext, path: string, name: string): string {
  return iamArn(ctx.caller.accountId, 'server-certificate', path, name);
}

/** Finds the certificate, authorizing `action` on it first (on `server-certificate/NAME` when missing). */
async function authorizedCertificate(
  ctx: CallContext, tx: Pick<ReadTx, 'get'>, name: string, action: string, extra: Record<string, ContextValue | undefined> = {},
): Promise<Entity<ServerCertificateDoc>> {
  const c = await tx.get<ServerCertificateDoc>(KIND.serverCertificate, ctx.caller.accountId, name);
  ctx.authorize(action, c ? c.data.Arn : arnFor(ctx, '/', name), { ...resourceTagKeys(c?.data.Tags), ...extra });
  if (!c) throw notFound(name);
  return c;
}

function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw malformedCertificate('Unable to parse private key. Please ensure the private key is in PEM format and not encrypted.');
  }
}

const CERTIFICATES: TaggedFamily<ServerCertificateDoc> = {
  name: 'ServerCertificate', kind: KIND.serverCertificate, sortTags: false,
  authorized: (ctx, tx, input, action, extra) => authorizedCertificate(ctx, tx, str(input, 'ServerCertificateName'), action, extra),
};

export const serverCertificateOperations: OperationTable = {
  async UploadServerCertificate(ctx, input) {
    const account = ctx.caller.accountId;
    const name = str(input, 'ServerCertificateName');
    const path = pathOf(input);
    const tags = tagsOf(input);
    const arn = arnFor(ctx, path, name);
    authorizeCreate(ctx, 'iam:UploadServerCertificate', 'iam:TagServerCertificate', arn, tags);
    const body = str(input, 'CertificateBody').trim();
    const chainText = optStr(input, 'CertificateChain')?.trim();
    const cert = parseCertificate(body);
    const key = parsePrivateKey(str(input, 'PrivateKey'));
    if (!cert.checkPrivateKey(key)) throw iamError('KeyPairMismatch', 'The public key certificate and the private key do not match.');
    if (chainText !== undefined && chainText !== '') {
      // The chain starts with the certificate that signed the body, then each intermediary in order.
      const chain = parseCertificateChain(chainText);
      let child = cert;
      for (let i = 0; i < chain.length; i++) {
        if (!child.checkIssued(chain[i])) {
          throw malformedCertificate('Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, ' +
            `followed by any intermediaries in order. The index within the chain of the invalid certificate is: ${i}`);
        }
        child = chain[i];
      }
    }
    const id = newId('ASCA');
    const doc: ServerCertificateDoc = {
      ServerCertificateName: name, ServerCertificateId: id, Arn: arn, Path: path, UploadDate: isoNow(ctx.now),
      Expiration: certificateExpiration(cert), CertificateBody: body,
      PrivateKeyEncrypted: secretsOf(ctx).encrypt(key.export({ type: 'pkcs8', format: 'pem' }).toString(), id),
      Tags: mergeTags([], tags),
    };
    if (chainText) doc.CertificateChain = chainText;
    return ctx.store.transaction(async (tx) => {
      if (await tx.get(KIND.serverCertificate, account, name)) throw entityAlreadyExists(`The Server Certificate with name ${name} already exists.`);
      if ((await tx.count(KIND.serverCertificate, account)) >= MAX_SERVER_CERTIFICATES) {
        throw limitExceeded(`Cannot exceed quota for ServerCertificatesPerAccount: ${MAX_SERVER_CERTIFICATES}`);
      }
      await tx.insert({ kind: KIND.serverCertificate, account, key: name, id, data: doc });
      const out: Record<string, unknown> = { ServerCertificateMetadata: metadata(doc) };
      if (doc.Tags.length > 0) out.Tags = doc.Tags;
      return out;
    });
  },

  async GetServerCertificate(ctx, input) {
    const name = str(input, 'ServerCertificateName');
    const c = await ctx.store.read((tx) => authorizedCertificate(ctx, tx, name, 'iam:GetServerCertificate'));
    const sc: Record<string, unknown> = { ServerCertificateMetadata: metadata(c.data), CertificateBody: c.data.CertificateBody };
    if (c.data.CertificateChain) sc.CertificateChain = c.data.CertificateChain;
    if (c.data.Tags.length > 0) sc.Tags = c.data.Tags;
    return { ServerCertificate: sc };
  },

  /** Renames and/or moves; the caller needs iam:UpdateServerCertificate on both the old and the new ARN. */
  async UpdateServerCertificate(ctx, input) {
    const account = ctx.caller.accountId;
    const name = str(input, 'ServerCertificateName');
    const newName = optStr(input, 'NewServerCertificateName');
    const newPath = optStr(input, 'NewPath');
    return ctx.store.transaction(async (tx) => {
      const c = await authorizedCertificate(ctx, tx, name, 'iam:UpdateServerCertificate');
      const doc: ServerCertificateDoc = { ...c.data };
      if (newPath !== undefined) doc.Path = newPath;
      if (newName !== undefined) doc.ServerCertificateName = newName;
      doc.Arn = arnFor(ctx, doc.Path, doc.ServerCertificateName);
      if (doc.Arn !== c.data.Arn) ctx.authorize('iam:UpdateServerCertificate', doc.Arn, resourceTagKeys(doc.Tags));
      if (newName !== undefined && newName.toLowerCase() !== name.toLowerCase()) {
        if (await tx.get(KIND.serverCertificate, account, newName)) throw entityAlreadyExists(`The Server Certificate with name ${newName} already exists.`);
        await tx.delete(KIND.serverCertificate, account, c.key);
        await tx.insert({ kind: KIND.serverCertificate, account, key: newName, id: doc.ServerCertificateId, data: doc });
      } else {
        await tx.update({ kind: KIND.serverCertificate, account, key: c.key, data: doc });
      }
      return undefined;
    });
  },

  async DeleteServerCertificate(ctx, input) {
    const name = str(input, 'ServerCertificateName');
    return ctx.store.transaction(async (tx) => {
      const c = await authorizedCertificate(ctx, tx, name, 'iam:DeleteServerCertificate');
      await tx.delete(KIND.serverCertificate, ctx.caller.accountId, c.key);
      return undefined;
    });
  },

  async ListServerCertificates(ctx, input) {
    ctx.authorize('iam:ListServerCertificates', '*');
    const all = await ctx.store.read((tx) => listAll<ServerCertificateDoc>(tx, KIND.serverCertificate, ctx.caller.accountId));
    const page = paginate(all.filter((c) => matchesPathPrefix(c.data.Path, input)), (c) => c.key, input);
    return { ServerCertificateMetadataList: page.items.map((c) => metadata(c.data)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  ...tagOperations(CERTIFICATES),
};
