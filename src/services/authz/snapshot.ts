// The in-memory, compiled picture of what authorization needs, so that decisions never read
// the database: per account, its users (with groups, inline and attached policies, boundary,
// tags), roles, managed policies and access keys. Refreshed from the store's change feed: the
// entities that changed are read again, key by key, and only the principals and managed
// policies they reach are rebuilt, compiling only the documents that changed (docs/snapshot.md;
// snapshot.test.ts checks it against a load from scratch after random writes).
import type { JsonObject, ReadTx, Store } from '../../store/index.js';
import type { CompiledPolicy } from '../../policy/index.js';
import { KIND, type AccessKeyDoc, type AccountDoc, type RoleDoc, type UserDoc } from '../iam/entities.js';
import { listAll } from '../iam/common.js';
// Each account's entities, indexes and view (see account-view.ts).
import { AccountState, VIEW_KINDS, compiledAwsManaged, type AnyEntity, type Compiled, type PrincipalPolicies } from './account-view.js';
// Organizations: SCP/RCP levels, org ids and paths per account (see organization.ts).
import { OrganizationView, isOrganizationKind } from './organization.js';

export type { PrincipalPolicies } from './account-view.js';

export interface AccessKeyEntry {
  accountId: string;
  /** '' for the root user. */
  userName: string;
  status: 'Active' | 'Inactive';
  secretEncrypted: string;
}

export class AuthzSnapshot {
  /**
   * Per account, the entities its view is built from (VIEW_KINDS) as last read, indexed, and the
   * view. A change to some of them is applied by reading those keys again, not the whole
   * account, and rebuilding only what they reach: an account of 1,000 roles was read, parsed and
   * rebuilt whole after every write to it.
   */
  private accounts = new Map<string, AccountState>();
  private keys = new Map<string, AccessKeyEntry>();
  /** The ids in `keys` of each account's access keys, so that reloading an account drops its own without a scan of every account's. */
  private keysOf = new Map<string, Set<string>>();
  /** Organizations view; reloaded whole when an `org-*` entity changes. */
  private org: OrganizationView = OrganizationView.empty();
  /** Compiled policies by the entity compiled, shared by the accounts (see Compiled). */
  private readonly compiled: Compiled = { identity: new WeakMap(), boundary: new WeakMap() };
  private revision = 0;
  private syncing: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  private constructor(private readonly store: Store) {}

  /** Loads everything and follows the change feed. */
  static async open(store: Store): Promise<AuthzSnapshot> {
    const s = new AuthzSnapshot(store);
    await s.reloadAll();
    s.unsubscribe = store.onChange(() => { void s.sync().catch(() => undefined); });
    return s;
  }

  close(): void {
    this.unsubscribe?.();
  }

  /** Applies committed changes not seen yet; concurrent callers share one run. */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing;
    const run = this.syncOnce();
    this.syncing = run;
    try { await run; } finally { this.syncing = undefined; }
  }

  private async syncOnce(): Promise<void> {
    const set = await this.store.changesSince(this.revision);
    if (set.truncated) { await this.reloadAll(); return; }
    if (set.changes.length === 0) { this.revision = Math.max(this.revision, set.revision); return; }
    // Per account touched: the keys of its view's entities that changed (kind, then key), or
    // 'whole' when it is to be read whole (its account entity changed).
    const touched = new Map<string, Map<string, Set<string>> | 'whole'>();
    let orgTouched = false;
    for (const c of set.changes) {
      if (isOrganizationKind(c.kind)) orgTouched = true;
      else if (c.kind === '@meta') {
        if (c.key === 'managementAccountId') { await this.reloadAll(); return; }
      } else if (c.kind === KIND.account) {
        touched.set(c.account === '' ? c.key : c.account, 'whole');
      } else if (VIEW_KINDS.has(c.kind)) {
        let keys = touched.get(c.account);
        if (keys === 'whole') continue;
        if (keys === undefined) touched.set(c.account, (keys = new Map()));
        (keys.get(c.kind) ?? keys.set(c.kind, new Set()).get(c.kind)!).add(c.key);
      }
      // Other kinds (login profiles, MFA devices, SSH keys, …) are not in the view.
    }
    await this.store.read(async (tx) => {
      for (const [a, keys] of touched) await this.loadAccount(tx, a, keys === 'whole' ? undefined : keys);
      if (orgTouched) this.org = await OrganizationView.load(tx);
    });
    this.revision = set.revision;
  }

  private async reloadAll(): Promise<void> {
    const rev = await this.store.revision();
    this.accounts = new Map();
    this.keys = new Map();
    this.keysOf = new Map();
    await this.store.read(async (tx) => {
      // The management account (bootstrap) and any accounts registered globally (Organizations).
      const ids = new Set<string>();
      const mgmt = await tx.getMeta<string>('managementAccountId');
      if (typeof mgmt === 'string') ids.add(mgmt);
      for (const a of await listAll<AccountDoc>(tx, KIND.account, '')) ids.add(a.data.AccountId);
      for (const id of ids) await this.loadAccount(tx, id);
      this.org = await OrganizationView.load(tx);
    });
    this.revision = rev;
  }

  /**
   * (Re)builds an account's view: from its entities read whole, or — `changed` given and its
   * entities read before — from those with only the changed keys read again.
   */
  private async loadAccount(tx: ReadTx, accountId: string, changed?: Map<string, Set<string>>): Promise<void> {
    // An account entity lives in its own account (key = id); global registrations use account ''.
    const acct = (await tx.get<AccountDoc>(KIND.account, accountId, accountId)) ?? (await tx.get<AccountDoc>(KIND.account, '', accountId));
    const state = this.accounts.get(accountId);
    if (!acct) {
      this.dropKeys(accountId);
      this.accounts.delete(accountId);
      return;
    }
    // Everything is read first and applied after, without an await between: a request served
    // meanwhile sees the account as it was, or as it is now, never half of a change.
    if (state === undefined || changed === undefined) {
      const kinds = [...VIEW_KINDS];
      const lists = await Promise.all(kinds.map((kind) => listAll<JsonObject>(tx, kind, accountId)));
      this.dropKeys(accountId);
      const fresh = new AccountState({ account: acct.data, users: new Map(), roles: new Map(), managed: new Map() }, this.compiled);
      kinds.forEach((kind, i) => { for (const e of lists[i]) this.put(fresh, accountId, kind, e.key, e); });
      fresh.rebuildAll();
      this.accounts.set(accountId, fresh);
      return;
    }
    const read: Array<[kind: string, key: string, entity: AnyEntity | undefined]> = [];
    for (const [kind, keys] of changed) {
      for (const key of keys) read.push([kind, key, await tx.get<JsonObject>(kind, accountId, key)]);
    }
    state.view.account = acct.data;
    for (const [kind, key, entity] of read) this.put(state, accountId, kind, key, entity);
    state.rebuild();
  }

  /** Records an entity of an account's view as now stored (undefined: deleted); access keys go to `keys` too. */
  private put(state: AccountState, accountId: string, kind: string, key: string, entity: AnyEntity | undefined): void {
    const old = state.put(kind, key, entity);
    if (kind !== KIND.accessKey || old === entity) return;
    let ids = this.keysOf.get(accountId);
    if (ids === undefined) this.keysOf.set(accountId, (ids = new Set()));
    if (old) {
      const id = (old.data as unknown as AccessKeyDoc).AccessKeyId;
      if (this.keys.get(id)?.accountId === accountId) { this.keys.delete(id); ids.delete(id); }
    }
    if (entity) {
      const d = entity.data as unknown as AccessKeyDoc;
      this.keys.set(d.AccessKeyId, { accountId, userName: d.UserName, status: d.Status, secretEncrypted: d.SecretEncrypted });
      ids.add(d.AccessKeyId);
    }
  }

  /** Drops an account's access keys from `keys`. */
  private dropKeys(accountId: string): void {
    for (const id of this.keysOf.get(accountId) ?? []) this.keys.delete(id);
    this.keysOf.delete(accountId);
  }

  /** The organizations view (SCP/RCP levels, org ids and paths per account). */
  organization(): OrganizationView {
    return this.org;
  }

  accessKey(id: string): AccessKeyEntry | undefined {
    return this.keys.get(id);
  }

  account(id: string): AccountDoc | undefined {
    return this.accounts.get(id)?.view.account;
  }

  user(accountId: string, name: string): { doc: UserDoc; policies: PrincipalPolicies } | undefined {
    return this.accounts.get(accountId)?.view.users.get(name.toLowerCase());
  }

  role(accountId: string, name: string): { doc: RoleDoc; policies: PrincipalPolicies } | undefined {
    return this.accounts.get(accountId)?.view.roles.get(name.toLowerCase());
  }

  /** A managed policy (customer or AWS) by ARN, compiled as an identity policy. */
  managedPolicy(accountId: string, arn: string): CompiledPolicy | undefined {
    return this.accounts.get(accountId)?.view.managed.get(arn) ?? compiledAwsManaged(arn);
  }
}
