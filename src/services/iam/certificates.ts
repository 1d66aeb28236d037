// X.509 signing certificates of IAM users and the root user: UploadSigningCertificate,
// UpdateSigningCertificate, DeleteSigningCertificate, ListSigningCertificates; and the PEM
// certificate parsing that server certificates (server-certificates.ts) share.
import { X509Certificate, randomBytes } from 'node:crypto';
import type { Entity, ReadTx } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { iamError, limitExceeded, listAll, noSuchEntity, paginate, str } from './common.js';
import { KIND, isoNow } from './entities.js';
import { resolveOwner, userNameMember, type CredentialOwner } from './credential-owner.js';
import { settableStatus } from './access-keys.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: "Signing
// certificates assigned to an IAM user: 2" (the root user has the same limit).
export const MAX_SIGNING_CERTIFICATES = 2;

export interface SigningCertificateDoc {
  /** '' for the root user's certificates. */
  UserName: string;
  CertificateId: string;
  CertificateBody: string;
  Status: 'Active' | 'Inactive';
  UploadDate: string;
  /** SHA-256 of the DER certificate, to find the same certificate uploaded twice. */
  Fingerprint: string;
}

export const malformedCertificate = (message = 'Unable to parse certificate. Please ensure the certificate is in PEM format.') =>
  iamError('MalformedCertificate', message);

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses one PEM certificate; throws MalformedCertificate. */
export function parseCertificate(pem: string, message?: string): X509Certificate {
  const blocks = pem.match(PEM_CERT);
  if (!blocks || blocks.length !== 1) throw malformedCertificate(message);
  try {
    return new X509Certificate(blocks[0]);
  } catch {
    throw malformedCertificate(message);
  }
}

/** Parses a PEM chain (one or more certificates, in order); throws MalformedCertificate. */
export function parseCertificateChain(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT);
  if (!blocks) throw malformedCertificate('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
  return blocks.map((b) => parseCertificate(b, 'Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.'));
}

/** `notAfter` of a certificate in AWS's timestamp format. */
export function certificateExpiration(cert: X509Certificate): string {
  return isoNow(new Date(Date.parse(cert.validTo)));
}

/** A new certificate id: 32 upper-case letters and digits (the model wants at least 24 word characters). */
export function newCertificateId(): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(32);
  let s = '';
  for (const b of bytes) s += A[b % A.length];
  return s;
}

function certNotFound(id: string) {
  return noSuchEntity(`The Certificate with id ${id} cannot be found.`);
}

async function ownedCertificate(tx: Pick<ReadTx, 'get'>, account: string, owner: CredentialOwner, id: string): Promise<Entity<SigningCertificateDoc>> {
  const c = await tx.get<SigningCertificateDoc>(KIND.signingCertificate, account, id);
  if (!c || c.parent !== owner.parent) throw certNotFound(id);
  return c;
}

function certificateOutput(d: SigningCertificateDoc): Record<string, unknown> {
  return { ...userNameMember(d.UserName), CertificateId: d.CertificateId, CertificateBody: d.CertificateBody, Status: d.Status, UploadDate: d.UploadDate };
}

export const signingCertificateOperations: OperationTable = {
  async UploadSigningCertificate(ctx, input) {
    const account = ctx.caller.accountId;
    const body = str(input, 'CertificateBody').trim();
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:UploadSigningCertificate', { allowRoot: true });
      const cert = parseCertificate(body);
      const fingerprint = cert.fingerprint256;
      // The same certificate may belong to one user (or the root user) of the account only.
      const all = await listAll<SigningCertificateDoc>(tx, KIND.signingCertificate, account);
      if (all.some((c) => c.data.Fingerprint === fingerprint)) {
        throw iamError('DuplicateCertificate', 'The same certificate is already associated with an IAM user in the account.');
      }
      if (all.filter((c) => c.parent === owner.parent).length >= MAX_SIGNING_CERTIFICATES) {
        throw limitExceeded(`Cannot exceed quota for SigningCertificatesPerUser: ${MAX_SIGNING_CERTIFICATES}`);
      }
      const doc: SigningCertificateDoc = {
        UserName: owner.userName, CertificateId: newCertificateId(), CertificateBody: body,
        Status: 'Active', UploadDate: isoNow(ctx.now), Fingerprint: fingerprint,
      };
      await tx.insert({ kind: KIND.signingCertificate, account, key: doc.CertificateId, id: doc.CertificateId, parent: owner.parent, data: doc });
      return { Certificate: certificateOutput(doc) };
    });
  },

  async UpdateSigningCertificate(ctx, input) {
    const account = ctx.caller.accountId;
    const id = str(input, 'CertificateId');
    const status = settableStatus(input);
    return ctx.store.transaction(async (tx) => {
      const c = await ownedCertificate(tx, account, await resolveOwner(ctx, tx, input, 'iam:UpdateSigningCertificate', { allowRoot: true }), id);
      if (c.data.Status !== status) await tx.update({ kind: KIND.signingCertificate, account, key: c.key, data: { ...c.data, Status: status } });
      return undefined;
    });
  },

  async DeleteSigningCertificate(ctx, input) {
    const account = ctx.caller.accountId;
    const id = str(input, 'CertificateId');
    return ctx.store.transaction(async (tx) => {
      const c = await ownedCertificate(tx, account, await resolveOwner(ctx, tx, input, 'iam:DeleteSigningCertificate', { allowRoot: true }), id);
      await tx.delete(KIND.signingCertificate, account, c.key);
      return undefined;
    });
  },

  async ListSigningCertificates(ctx, input) {
    const account = ctx.caller.accountId;
    const certs = await ctx.store.read(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:ListSigningCertificates', { allowRoot: true });
      return listAll<SigningCertificateDoc>(tx, KIND.signingCertificate, account, owner.parent);
    });
    const page = paginate(certs, (c) => c.key, input);
    return { Certificates: page.items.map((c) => certificateOutput(c.data)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
