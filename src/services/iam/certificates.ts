// X.509 signing certificates of IAM users and the root user: UploadSigningCertificate,
// UpdateSigningCertificate, DeleteSigningCertificate, ListSigningCertificates; and the PEM
// certificate parsing that server certificates (server-certificates.ts) share.
import { X509Certificate, randomBytes } from 'node:crypto';
import type { OperationTable } from '../types.js';
import { iamError, limitExceeded, listAll, str } from './common.js';
import { KIND, isoNow } from './entities.js';
import { resolveOwner, userNameMember } from './credential-owner.js';
import {
  deleteCredentialOperation, listCredentialsOperation, updateStatusOperation, type CredentialFamily,
} from './owned-credentials.js';

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

const CERTIFICATES: CredentialFamily = { kind: KIND.signingCertificate, what: 'Certificate', idMember: 'CertificateId', owner: { allowRoot: true } };

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

  UpdateSigningCertificate: updateStatusOperation(CERTIFICATES, 'iam:UpdateSigningCertificate'),

  DeleteSigningCertificate: deleteCredentialOperation(CERTIFICATES, 'iam:DeleteSigningCertificate'),

  ListSigningCertificates: listCredentialsOperation<SigningCertificateDoc>(CERTIFICATES, 'iam:ListSigningCertificates', 'Certificates', certificateOutput),
};
