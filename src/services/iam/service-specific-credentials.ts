// Service-specific credentials: CreateServiceSpecificCredential, ListServiceSpecificCredentials,
// UpdateServiceSpecificCredential, DeleteServiceSpecificCredential, ResetServiceSpecificCredential.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html
//
// Two kinds exist: a user name and password (CodeCommit Git credentials, Amazon Keyspaces), and
// API keys (Amazon Bedrock, CloudWatch Logs) with an alias and a secret, optionally expiring after
// CredentialAgeDays. The password or secret is returned once (by Create and Reset) and kept only
// encrypted under the master key.
import { randomBytes } from 'node:crypto';
import type { CallContext, OperationTable } from '../types.js';
import { iamError, invalidInput, limitExceeded, listAll, optStr, paginate, str } from './common.js';
import { KIND, isoNow, newId } from './entities.js';
import { resolveOwner, secretsOf } from './credential-owner.js';
import { deleteCredentialOperation, ownedCredential, updateStatusOperation, type CredentialFamily } from './owned-credentials.js';

// "You can have a maximum of two sets of service-specific credentials for each supported
// service per user." (API reference, CreateServiceSpecificCredential)
export const MAX_PER_SERVICE = 2;

/** Supported services and the kind of credential each gets. */
export const SUPPORTED_SERVICES: Readonly<Record<string, 'password' | 'api-key'>> = {
  'codecommit.amazonaws.com': 'password',
  'cassandra.amazonaws.com': 'password',
  'bedrock.amazonaws.com': 'api-key',
  'logs.amazonaws.com': 'api-key',
};

export interface ServiceSpecificCredentialDoc {
  UserName: string;
  ServiceSpecificCredentialId: string;
  ServiceName: string;
  /** Password services. */
  ServiceUserName?: string;
  /** API-key services. */
  ServiceCredentialAlias?: string;
  Status: 'Active' | 'Inactive';
  CreateDate: string;
  ExpirationDate?: string;
  /** The password or API key secret, encrypted (purpose `service-specific-credential`, associated data = id). */
  SecretEncrypted: string;
}

const PURPOSE = 'service-specific-credential';

const CREDENTIALS: CredentialFamily = {
  kind: KIND.serviceSpecificCredential, what: 'Service Specific Credential', idMember: 'ServiceSpecificCredentialId', owner: {},
};

/** Expired once ExpirationDate has passed, whatever the stored status. */
function statusAt(d: ServiceSpecificCredentialDoc, now: Date): 'Active' | 'Inactive' | 'Expired' {
  if (d.ExpirationDate && Date.parse(d.ExpirationDate) <= now.getTime()) return 'Expired';
  return d.Status;
}

function metadata(d: ServiceSpecificCredentialDoc, now: Date): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UserName: d.UserName, Status: statusAt(d, now), CreateDate: d.CreateDate,
    ServiceSpecificCredentialId: d.ServiceSpecificCredentialId, ServiceName: d.ServiceName,
  };
  if (d.ServiceUserName !== undefined) out.ServiceUserName = d.ServiceUserName;
  if (d.ServiceCredentialAlias !== undefined) out.ServiceCredentialAlias = d.ServiceCredentialAlias;
  if (d.ExpirationDate !== undefined) out.ExpirationDate = d.ExpirationDate;
  return out;
}

/** The full credential with its secret in clear: only Create and Reset return it. */
function withSecret(d: ServiceSpecificCredentialDoc, secret: string, now: Date): Record<string, unknown> {
  const out = metadata(d, now);
  if (SUPPORTED_SERVICES[d.ServiceName] === 'api-key') out.ServiceCredentialSecret = secret;
  else out.ServicePassword = secret;
  return out;
}

/** A new secret: 32 random bytes, base64 (44 characters) — API keys carry the alias too, Bedrock-style. */
function newSecret(d: Pick<ServiceSpecificCredentialDoc, 'ServiceName' | 'ServiceCredentialAlias'>): string {
  const random = randomBytes(32).toString('base64');
  if (SUPPORTED_SERVICES[d.ServiceName] === 'api-key') return 'ABSK' + Buffer.from(`${d.ServiceCredentialAlias}:${random}`).toString('base64');
  return random;
}

function encryptSecret(ctx: CallContext, id: string, secret: string): string {
  return secretsOf(ctx).forPurpose(PURPOSE).encrypt(secret, id);
}

export const serviceSpecificCredentialOperations: OperationTable = {
  async CreateServiceSpecificCredential(ctx, input) {
    const account = ctx.caller.accountId;
    const service = str(input, 'ServiceName');
    const ageDays = typeof input.CredentialAgeDays === 'number' ? input.CredentialAgeDays : undefined;
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(ctx, tx, input, 'iam:CreateServiceSpecificCredential', {
        required: true,
        extra: { 'iam:ServiceSpecificCredentialServiceName': service, 'iam:ServiceSpecificCredentialAgeDays': ageDays === undefined ? undefined : String(ageDays) },
      });
      const kind = SUPPORTED_SERVICES[service];
      if (!kind) throw iamError('NotSupportedService', `The service ${service} is not supported for service-specific credentials.`);
      if (ageDays !== undefined && kind !== 'api-key') throw invalidInput(`CredentialAgeDays is not supported for ${service}.`);
      const existing = await listAll<ServiceSpecificCredentialDoc>(tx, KIND.serviceSpecificCredential, account, owner.parent);
      if (existing.filter((c) => c.data.ServiceName === service).length >= MAX_PER_SERVICE) {
        throw limitExceeded(`Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${MAX_PER_SERVICE}`);
      }
      const id = newId('ACCA');
      const doc: ServiceSpecificCredentialDoc = {
        UserName: owner.userName, ServiceSpecificCredentialId: id, ServiceName: service,
        Status: 'Active', CreateDate: isoNow(ctx.now), SecretEncrypted: '',
      };
      // AWS's forms: `alice-at-111122223333` for passwords; API key aliases name the user too.
      if (kind === 'password') doc.ServiceUserName = `${owner.userName}-at-${account}`;
      else doc.ServiceCredentialAlias = `${owner.userName}+${id.slice(-6)}-at-${account}`;
      if (ageDays !== undefined) doc.ExpirationDate = isoNow(new Date(ctx.now.getTime() + ageDays * 86_400_000));
      const secret = newSecret(doc);
      doc.SecretEncrypted = encryptSecret(ctx, id, secret);
      await tx.insert({ kind: KIND.serviceSpecificCredential, account, key: id, id, parent: owner.parent, data: doc });
      return { ServiceSpecificCredential: withSecret(doc, secret, ctx.now) };
    });
  },

  async ListServiceSpecificCredentials(ctx, input) {
    const account = ctx.caller.accountId;
    const service = optStr(input, 'ServiceName');
    const creds = await ctx.store.read(async (tx) => {
      if (input.AllUsers === true) {
        ctx.authorize('iam:ListServiceSpecificCredentials', `arn:aws:iam::${account}:user/*`);
        return listAll<ServiceSpecificCredentialDoc>(tx, KIND.serviceSpecificCredential, account);
      }
      // Without UserName: the caller's own (none for the root user).
      const owner = await resolveOwner(ctx, tx, input, 'iam:ListServiceSpecificCredentials', { allowRoot: true });
      return listAll<ServiceSpecificCredentialDoc>(tx, KIND.serviceSpecificCredential, account, owner.parent);
    });
    if (service !== undefined && !SUPPORTED_SERVICES[service]) {
      throw iamError('NotSupportedService', `The service ${service} is not supported for service-specific credentials.`);
    }
    const wanted = creds.filter((c) => service === undefined || c.data.ServiceName === service);
    const page = paginate(wanted, (c) => c.key, input);
    return { ServiceSpecificCredentials: page.items.map((c) => metadata(c.data, ctx.now)), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  UpdateServiceSpecificCredential: updateStatusOperation(CREDENTIALS, 'iam:UpdateServiceSpecificCredential'),

  DeleteServiceSpecificCredential: deleteCredentialOperation(CREDENTIALS, 'iam:DeleteServiceSpecificCredential'),

  async ResetServiceSpecificCredential(ctx, input) {
    const account = ctx.caller.accountId;
    const id = str(input, 'ServiceSpecificCredentialId');
    return ctx.store.transaction(async (tx) => {
      const c = await ownedCredential<ServiceSpecificCredentialDoc>(CREDENTIALS, tx, account, await resolveOwner(ctx, tx, input, 'iam:ResetServiceSpecificCredential'), id);
      const secret = newSecret(c.data);
      const doc: ServiceSpecificCredentialDoc = { ...c.data, SecretEncrypted: encryptSecret(ctx, id, secret) };
      await tx.update({ kind: KIND.serviceSpecificCredential, account, key: c.key, data: doc });
      return { ServiceSpecificCredential: withSecret(doc, secret, ctx.now) };
    });
  },
};
