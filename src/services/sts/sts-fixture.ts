// What the STS tests share: a real SQLite store, the bootstrap's account, the service runtime,
// users and roles inserted directly, and call contexts resolved the way the server resolves
// them — long-term callers built like the authenticator's, session callers through
// `runtime.resolveCredentials` with the session token.
import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/index.js';
import type { SecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import type { ServiceRuntime } from '../runtime.js';
import { fixtureRequest as request, openRuntimeFixture, rootCaller, userCaller } from '../runtime-fixture.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  KIND, ROOT_OWNER, iamArn, isoNow, newId, ownerKey, rootArn, type AccountDoc, type InlinePolicyDoc, type RoleDoc, type Tag, type UserDoc,
} from '../iam/entities.js';
import { base32Encode, type MfaDeviceDoc } from './mfa.js';
import type { SessionCredentials } from './credentials.js';

export interface Statement { Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: unknown }

export interface StsFixture {
  store: Store;
  secrets: SecretBox;
  runtime: ServiceRuntime;
  sts: OperationTable;
  accountId: string;
  root(now?: Date, account?: string): CallContext;
  addAccount(id: string): Promise<void>;
  addUser(name: string, statements?: Statement[], opts?: { account?: string; tags?: Tag[] }): Promise<UserDoc>;
  addRole(name: string, trust: unknown, statements?: Statement[], opts?: { account?: string; maxSessionDuration?: number; tags?: Tag[]; path?: string }): Promise<RoleDoc>;
  putRolePolicy(role: string, name: string, statements: Statement[], account?: string): Promise<void>;
  deleteRole(name: string, account?: string): Promise<void>;
  /** An MFA device for `user` ('' = root) with a fresh seed; returns the serial and the Base32 seed. */
  addMfaDevice(user: string, account?: string): Promise<{ serial: string; seed: string }>;
  user(name: string, now?: Date, account?: string): Promise<CallContext>;
  /** A context for session credentials, resolved through the runtime (throws on refusal). */
  session(creds: SessionCredentials, now?: Date): Promise<CallContext>;
  /** The runtime's answer for session credentials. */
  resolve(creds: SessionCredentials, now?: Date): ReturnType<ServiceRuntime['resolveCredentials']>;
  call(op: string, ctx: CallContext, input?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export const trustPolicy = (statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const policyText = (statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** The public URL the fixture's runtime serves under (outbound federation issuers). */
export const FIXTURE_PUBLIC_URL = 'https://warden.example.test';

export async function openStsFixture(): Promise<StsFixture> {
  const { store, secrets, boot, runtime, close } = await openRuntimeFixture('warden-sts-', { publicUrl: FIXTURE_PUBLIC_URL });
  const accountId = boot.accountId;
  const sts = runtime.operations.sts!;

  async function inline(owner: 'user' | 'role', name: string, policyName: string, statements: Statement[], account: string) {
    await store.transaction(async (tx) => {
      const parent = ownerKey(owner, name);
      const policy: InlinePolicyDoc = { OwnerType: owner, OwnerName: name, PolicyName: policyName, PolicyDocument: policyText(statements) };
      const existing = await tx.get(KIND.inlinePolicy, account, `${parent}|${policyName}`);
      if (existing) await tx.update({ kind: KIND.inlinePolicy, account, key: `${parent}|${policyName}`, data: policy });
      else await tx.insert({ kind: KIND.inlinePolicy, account, key: `${parent}|${policyName}`, parent, data: policy });
    });
  }

  const f: StsFixture = {
    store, secrets, runtime, sts, accountId,
    root(now = new Date(), account = accountId) {
      return runtime.createContext(rootCaller(account), request(now));
    },
    async addAccount(id) {
      const data: AccountDoc = { AccountId: id, CreateDate: isoNow(), RootArn: rootArn(id) };
      await store.transaction(async (tx) => { await tx.insert({ kind: KIND.account, account: id, key: id, id, data }); });
      await runtime.afterWrite();
    },
    async addUser(name, statements, opts = {}) {
      const account = opts.account ?? accountId;
      const doc: UserDoc = { UserName: name, UserId: newId('AIDA'), Arn: iamArn(account, 'user', '/', name), Path: '/', CreateDate: isoNow(), Tags: opts.tags ?? [] };
      await store.transaction(async (tx) => { await tx.insert({ kind: KIND.user, account, key: name, id: doc.UserId, data: doc }); });
      if (statements && statements.length > 0) await inline('user', name, 'p', statements, account);
      await runtime.afterWrite();
      return doc;
    },
    async addRole(name, trust, statements, opts = {}) {
      const account = opts.account ?? accountId;
      const path = opts.path ?? '/';
      const doc: RoleDoc = {
        RoleName: name, RoleId: newId('AROA'), Arn: iamArn(account, 'role', path, name), Path: path, CreateDate: isoNow(),
        AssumeRolePolicyDocument: typeof trust === 'string' ? trust : JSON.stringify(trust), MaxSessionDuration: opts.maxSessionDuration ?? 3600, Tags: opts.tags ?? [],
      };
      await store.transaction(async (tx) => { await tx.insert({ kind: KIND.role, account, key: name, id: doc.RoleId, data: doc }); });
      if (statements && statements.length > 0) await inline('role', name, 'p', statements, account);
      await runtime.afterWrite();
      return doc;
    },
    async putRolePolicy(role, name, statements, account = accountId) {
      await inline('role', role, name, statements, account);
      await runtime.afterWrite();
    },
    async deleteRole(name, account = accountId) {
      await store.transaction(async (tx) => {
        await tx.deleteChildren(KIND.inlinePolicy, account, ownerKey('role', name));
        await tx.delete(KIND.role, account, name);
      });
      await runtime.afterWrite();
    },
    async addMfaDevice(user, account = accountId) {
      const seed = base32Encode(randomBytes(20));
      const serial = user === '' ? `arn:aws:iam::${account}:mfa/root-account-mfa-device` : `arn:aws:iam::${account}:mfa/${user}`;
      const data: MfaDeviceDoc = { SerialNumber: serial, UserName: user, EnableDate: isoNow(), SeedEncrypted: secrets.encrypt(seed) };
      await store.transaction(async (tx) => {
        await tx.insert({ kind: KIND.mfaDevice, account, key: serial, id: serial, parent: user === '' ? ROOT_OWNER : ownerKey('user', user), data });
      });
      return { serial, seed };
    },
    async user(name, now = new Date(), account = accountId) {
      return runtime.createContext(await userCaller(runtime, account, name), request(now));
    },
    resolve(creds, now = new Date()) {
      return runtime.resolveCredentials(creds.AccessKeyId, creds.SessionToken, now);
    },
    async session(creds, now = new Date()) {
      const r = await f.resolve(creds, now);
      if (!r.ok) throw new AwsError(r.code, r.message, { status: 403 });
      if (r.secretAccessKey !== creds.SecretAccessKey) throw new Error('the resolved secret differs from the issued one');
      return runtime.createContext(r.caller, request(now));
    },
    async call(op, ctx, input = {}) {
      const h = sts[op];
      if (!h) throw new Error(`no STS operation ${op}`);
      return (await h(ctx, input)) ?? {};
    },
    close,
  };
  return f;
}

export { awsErrorOf } from '../runtime-fixture.js';
