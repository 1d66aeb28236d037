// What the Organizations tests share: a real SQLite store (data directory exposed, so a second
// "node" can open the same database), the bootstrap's management account, the service runtime,
// and call contexts resolved as the server resolves them, in any region.
import { openStore, type Store } from '../../store/index.js';
import type { SecretBox } from '../../crypto/secrets.js';
import { AwsError } from '../../protocol/index.js';
import { createServiceRuntime, type ServiceRuntime } from '../runtime.js';
import { fixtureRequest, openRuntimeFixture, rootCaller, userCaller } from '../runtime-fixture.js';
import type { CallContext, Caller } from '../types.js';
import { KIND, iamArn, isoNow, newId, ownerKey, rootArn, type AccountDoc, type InlinePolicyDoc, type RoleDoc, type UserDoc } from '../iam/entities.js';
import { organizationsOperations } from './index.js';

export interface Statement { Effect: 'Allow' | 'Deny'; Action?: string | string[]; NotAction?: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: unknown }

export const policyText = (statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

export interface OrgFixture {
  dataDir: string;
  store: Store;
  secrets: SecretBox;
  runtime: ServiceRuntime;
  mgmt: string;
  ctx(caller: Caller, region?: string, runtime?: ServiceRuntime): CallContext;
  root(account?: string, region?: string): CallContext;
  /** An IAM user with an inline policy (inserted directly). */
  addUser(name: string, statements: Statement[], account?: string): Promise<UserDoc>;
  addRole(name: string, trust: unknown, statements: Statement[], account: string): Promise<RoleDoc>;
  /** A standalone account (in no organization), registered globally. */
  addAccount(id: string): Promise<void>;
  user(name: string, account?: string, region?: string, runtime?: ServiceRuntime): Promise<CallContext>;
  /** Assumes `roleArn` as `from` and returns the session's caller. */
  assume(from: CallContext, roleArn: string): Promise<Caller>;
  org(op: string, ctx: CallContext, input?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A second runtime (another node) on a second connection to the same database. */
  openNode(): Promise<{ runtime: ServiceRuntime; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** A fixture; `accountId` fixes the management account's id (default: random). */
export async function openOrgFixture(opts: { accountId?: string } = {}): Promise<OrgFixture> {
  const { dataDir, store, secrets, boot, runtime, close } = await openRuntimeFixture('warden-org-', {
    env: opts.accountId ? { WARDEN_ACCOUNT_ID: opts.accountId } : {},
  });
  const mgmt = boot.accountId;
  const request = (region: string) => fixtureRequest(new Date(), region);

  async function inline(owner: 'user' | 'role', name: string, statements: Statement[], account: string) {
    await store.transaction(async (tx) => {
      const parent = ownerKey(owner, name);
      const policy: InlinePolicyDoc = { OwnerType: owner, OwnerName: name, PolicyName: 'p', PolicyDocument: policyText(statements) };
      await tx.insert({ kind: KIND.inlinePolicy, account, key: `${parent}|p`, parent, data: policy });
    });
  }

  const f: OrgFixture = {
    dataDir, store, secrets, runtime, mgmt,
    ctx(caller, region = 'us-east-1', rt = runtime) {
      return rt.createContext(caller, request(region));
    },
    root(account = mgmt, region = 'us-east-1') {
      return f.ctx(rootCaller(account), region);
    },
    async addUser(name, statements, account = mgmt) {
      const doc: UserDoc = { UserName: name, UserId: newId('AIDA'), Arn: iamArn(account, 'user', '/', name), Path: '/', CreateDate: isoNow(), Tags: [] };
      await store.transaction(async (tx) => { await tx.insert({ kind: KIND.user, account, key: name, id: doc.UserId, data: doc }); });
      if (statements.length > 0) await inline('user', name, statements, account);
      await runtime.afterWrite();
      return doc;
    },
    async addRole(name, trust, statements, account) {
      const doc: RoleDoc = {
        RoleName: name, RoleId: newId('AROA'), Arn: iamArn(account, 'role', '/', name), Path: '/', CreateDate: isoNow(),
        AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: 3600, Tags: [],
      };
      await store.transaction(async (tx) => { await tx.insert({ kind: KIND.role, account, key: name, id: doc.RoleId, data: doc }); });
      if (statements.length > 0) await inline('role', name, statements, account);
      await runtime.afterWrite();
      return doc;
    },
    async addAccount(id) {
      const data: AccountDoc = { AccountId: id, CreateDate: isoNow(), RootArn: rootArn(id) };
      await store.transaction(async (tx) => {
        await tx.insert({ kind: KIND.account, account: id, key: id, id, data });
        await tx.insert({ kind: KIND.account, account: '', key: id, data });
      });
      await runtime.afterWrite();
    },
    async user(name, account = mgmt, region = 'us-east-1', rt = runtime) {
      return f.ctx(await userCaller(rt, account, name), region, rt);
    },
    async assume(from, roleArn) {
      await runtime.afterWrite();
      const out = await runtime.operations.sts!.AssumeRole(from, { RoleArn: roleArn, RoleSessionName: 'org-test' }) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
      const r = await runtime.resolveCredentials(out.Credentials.AccessKeyId, out.Credentials.SessionToken, new Date());
      if (!r.ok) throw new AwsError(r.code, r.message, { status: 403 });
      return r.caller;
    },
    async org(op, ctx, input = {}) {
      const h = organizationsOperations[op];
      if (!h) throw new Error(`no Organizations operation ${op}`);
      const out = (await h(ctx, input)) ?? {};
      await runtime.afterWrite();
      return out;
    },
    async openNode() {
      const s2 = await openStore({ dataDir });
      const rt2 = await createServiceRuntime({ store: s2, secrets });
      return { runtime: rt2, async close() { await rt2.close(); await s2.close(); } };
    },
    close,
  };
  return f;
}

export { awsErrorOf } from '../runtime-fixture.js';
