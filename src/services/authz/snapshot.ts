// The in-memory, compiled picture of what authorization needs, so that decisions never read
// the database: per account, its users (with groups, inline and attached policies, boundary,
// tags), roles, managed policies and access keys. Refreshed from the store's change feed: the
// entities that changed are read again, key by key, and only the principals and managed
// policies they reach are rebuilt, compiling only the documents that changed (docs/snapshot.md;
// snapshot.test.ts checks it against a load from scratch after random writes).
import type { Entity, JsonObject, ReadTx, Store } from '../../store/index.js';
import { compilePolicy, parsePolicy, type CompiledPolicy, type PolicyType } from '../../policy/index.js';
import { getAwsManagedPolicy } from '../iam/managed-policies/index.js';
import {
  KIND, ownerKey, type AccessKeyDoc, type AccountDoc, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc,
  type ManagedPolicyDoc, type MembershipDoc, type PolicyVersionDoc, type RoleDoc, type Tag, type UserDoc,
} from '../iam/entities.js';
import { listAll } from '../iam/common.js';
// Organizations: SCP/RCP levels, org ids and paths per account (see organization.ts).
import { OrganizationView, isOrganizationKind } from './organization.js';

/** What a user or role is allowed by: compiled and ready for the engine. */
export interface PrincipalPolicies {
  /** Identity policies (inline and attached; for users also those of their groups). Stable array. */
  identity: readonly CompiledPolicy[];
  boundary?: CompiledPolicy;
  tags: Readonly<Record<string, string>>;
}

export interface AccessKeyEntry {
  accountId: string;
  /** '' for the root user. */
  userName: string;
  status: 'Active' | 'Inactive';
  secretEncrypted: string;
}

interface AccountView {
  account: AccountDoc;
  users: Map<string, { doc: UserDoc; policies: PrincipalPolicies }>;
  roles: Map<string, { doc: RoleDoc; policies: PrincipalPolicies }>;
  /** Customer managed policies by ARN: their default version, compiled. */
  managed: Map<string, CompiledPolicy>;
}

/**
 * The value `cache` holds for `key`, computed and kept on first use (null kept for a document
 * that does not compile, so it is not tried again).
 */
function cachedCompile<K>(cache: { get(key: K): CompiledPolicy | null | undefined; set(key: K, value: CompiledPolicy | null): unknown }, key: K, compile: () => CompiledPolicy | undefined): CompiledPolicy | undefined {
  let c = cache.get(key);
  if (c === undefined) cache.set(key, (c = compile() ?? null));
  return c ?? undefined;
}

const awsManagedCache = { identity: new Map<string, CompiledPolicy | null>(), boundary: new Map<string, CompiledPolicy | null>() };

/** An AWS managed policy, compiled once per process as an identity policy (or as a boundary). */
export function compiledAwsManaged(arn: string, type: 'identity' | 'boundary' = 'identity'): CompiledPolicy | undefined {
  return cachedCompile(awsManagedCache[type], arn, () => {
    const p = getAwsManagedPolicy(arn);
    return p ? compileText(p.Document, type, arn, p.PolicyName, arn) : undefined;
  });
}

function compileText(text: string, type: PolicyType, id: string, name?: string, arn?: string): CompiledPolicy | undefined {
  const parsed = parsePolicy(text, { type });
  if (!parsed.ok) return undefined;
  return compilePolicy(parsed.policy, { id, type, name, arn });
}

function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.Key] = t.Value;
  return out;
}

/** The kinds an account's view is built from (loadAccount). */
const VIEW_KINDS: ReadonlySet<string> = new Set([
  KIND.user, KIND.group, KIND.userGroup, KIND.role, KIND.policy, KIND.policyVersion, KIND.inlinePolicy, KIND.attachment,
  KIND.accessKey,
]);

type AnyEntity = Entity<JsonObject>;

/** Entities grouped under a name (an owner, an ARN, a user), by entity key; in key order on demand. */
class Grouped {
  private readonly groups = new Map<string, Map<string, AnyEntity>>();

  add(name: string, e: AnyEntity): void {
    let g = this.groups.get(name);
    if (g === undefined) this.groups.set(name, (g = new Map()));
    g.set(e.key, e);
  }

  remove(name: string, e: AnyEntity): void {
    const g = this.groups.get(name);
    if (g?.get(e.key) === e) {
      g.delete(e.key);
      if (g.size === 0) this.groups.delete(name);
    }
  }

  /** The entities under `name`, unordered. */
  all(name: string): Iterable<AnyEntity> {
    return this.groups.get(name)?.values() ?? [];
  }

  /** The entities under `name` in key order (the order a listing of the kind gives them). */
  sorted(name: string): AnyEntity[] {
    const g = this.groups.get(name);
    // Keys are ASCII (IAM's name patterns), where JavaScript's order is SQLite's and PostgreSQL's "C".
    return g === undefined ? [] : [...g.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  names(): Iterable<string> {
    return this.groups.keys();
  }
}

/** What a change reaches: principals to rebuild, owners and managed policies whose dependents are to be found. */
interface Reach {
  users: Set<string>;
  roles: Set<string>;
  /** ownerKey()s of users, roles and groups whose policies changed. */
  owners: Set<string>;
  /** Customer managed policies (ARNs) whose default version may have changed. */
  arns: Set<string>;
}

/**
 * An account's entities (VIEW_KINDS) as last read, indexed by what the view's principals depend
 * on, and the view built from them. A change to some entities (`put`) updates the indexes and
 * records what it reaches; `rebuild` then recompiles only the managed policies and rebuilds only
 * the principals reached (docs/snapshot.md).
 */
class AccountState {
  readonly byKind = new Map<string, Map<string, AnyEntity>>([...VIEW_KINDS].map((k) => [k, new Map()]));
  /** Users and roles by ownerKey(type, name). */
  private readonly principalsOf = new Grouped();
  /** Inline policies and attachments by owner (ownerKey). */
  private readonly inlineOf = new Grouped();
  private readonly attachmentsOf = new Grouped();
  /** Attachments by policy ARN; users and roles by boundary ARN. */
  private readonly attachedTo = new Grouped();
  private readonly boundedBy = new Grouped();
  /** Memberships by user (lowercased UserName) and by group (lowercased GroupName). */
  private readonly membershipsOf = new Grouped();
  private readonly membersOf = new Grouped();
  /** Managed policies and their versions by ARN. */
  private readonly policiesByArn = new Grouped();
  private readonly versionsOf = new Grouped();
  /** Each customer managed policy's default version, by ARN. */
  private readonly defaultVersions = new Map<string, Entity<PolicyVersionDoc>>();
  private reach: Reach = { users: new Set(), roles: new Set(), owners: new Set(), arns: new Set() };

  constructor(readonly view: AccountView, private readonly compiled: Compiled) {}

  /** Records that `entity` (undefined: none) is now stored at `kind`/`key`; returns what was there. */
  put(kind: string, key: string, entity: AnyEntity | undefined): AnyEntity | undefined {
    const entities = this.byKind.get(kind)!;
    const old = entities.get(key);
    if (old === entity) return old;
    if (old) this.index(kind, old, false);
    if (entity) { entities.set(key, entity); this.index(kind, entity, true); } else entities.delete(key);
    return old;
  }

  /** Adds `e` to (or removes it from) the indexes of its kind, and records what it reaches. */
  private index(kind: string, e: AnyEntity, add: boolean): void {
    const on = (g: Grouped, name: string) => (add ? g.add(name, e) : g.remove(name, e));
    const r = this.reach;
    switch (kind) {
      case KIND.user:
      case KIND.role: {
        const isUser = kind === KIND.user;
        const d = e.data as unknown as UserDoc & RoleDoc;
        on(this.principalsOf, ownerKey(isUser ? 'user' : 'role', isUser ? d.UserName : d.RoleName));
        const b = d.PermissionsBoundary?.PermissionsBoundaryArn;
        if (b) on(this.boundedBy, b);
        (isUser ? r.users : r.roles).add(e.key);
        break;
      }
      case KIND.group:
        // Its members' group lists name it (or no longer do).
        r.owners.add(ownerKey('group', (e.data as unknown as GroupDoc).GroupName));
        r.owners.add(ownerKey('group', e.key));
        break;
      case KIND.userGroup: {
        const d = e.data as unknown as MembershipDoc;
        on(this.membershipsOf, d.UserName.toLowerCase());
        on(this.membersOf, d.GroupName.toLowerCase());
        r.users.add(d.UserName.toLowerCase());
        break;
      }
      case KIND.inlinePolicy:
      case KIND.attachment: {
        const d = e.data as unknown as InlinePolicyDoc & AttachmentDoc;
        const owner = ownerKey(d.OwnerType, d.OwnerName);
        on(kind === KIND.inlinePolicy ? this.inlineOf : this.attachmentsOf, owner);
        if (kind === KIND.attachment) on(this.attachedTo, d.PolicyArn);
        r.owners.add(owner);
        break;
      }
      case KIND.policy:
        on(this.policiesByArn, (e.data as unknown as ManagedPolicyDoc).Arn);
        r.arns.add((e.data as unknown as ManagedPolicyDoc).Arn);
        break;
      case KIND.policyVersion:
        on(this.versionsOf, (e.data as unknown as PolicyVersionDoc).PolicyArn);
        r.arns.add((e.data as unknown as PolicyVersionDoc).PolicyArn);
        break;
      // Access keys are the snapshot's (AuthzSnapshot.putKey), not the principals'.
    }
  }

  /** Recompiles the managed policies and rebuilds the principals the changes since the last rebuild reach. */
  rebuild(): void {
    const r = this.reach;
    this.reach = { users: new Set(), roles: new Set(), owners: new Set(), arns: new Set() };
    for (const arn of r.arns) {
      this.compileDefault(arn);
      for (const a of this.attachedTo.all(arn)) {
        const d = a.data as unknown as AttachmentDoc;
        r.owners.add(ownerKey(d.OwnerType, d.OwnerName));
      }
      for (const p of this.boundedBy.all(arn)) (p.kind === KIND.user ? r.users : r.roles).add(p.key);
    }
    for (const owner of r.owners) {
      if (owner.startsWith('group:')) {
        for (const m of this.membersOf.all(owner.slice(6))) r.users.add((m.data as unknown as MembershipDoc).UserName.toLowerCase());
      } else {
        for (const p of this.principalsOf.all(owner)) (p.kind === KIND.user ? r.users : r.roles).add(p.key);
      }
    }
    const users = this.byKind.get(KIND.user)!;
    for (const key of r.users) {
      const u = users.get(key) as Entity<UserDoc> | undefined;
      if (u) this.view.users.set(key, { doc: u.data, policies: this.principalPolicies(u.data, this.userIdentity(u)) });
      else this.view.users.delete(key);
    }
    const roles = this.byKind.get(KIND.role)!;
    for (const key of r.roles) {
      const role = roles.get(key) as Entity<RoleDoc> | undefined;
      if (role) this.view.roles.set(key, { doc: role.data, policies: this.principalPolicies(role.data, this.ownPolicies(ownerKey('role', role.data.RoleName))) });
      else this.view.roles.delete(key);
    }
  }

  /** Every managed policy and principal rebuilt (after the account was read whole). */
  rebuildAll(): void {
    for (const arn of this.policiesByArn.names()) this.reach.arns.add(arn);
    for (const arn of this.versionsOf.names()) this.reach.arns.add(arn);
    for (const key of this.byKind.get(KIND.user)!.keys()) this.reach.users.add(key);
    for (const key of this.byKind.get(KIND.role)!.keys()) this.reach.roles.add(key);
    this.rebuild();
  }

  /** A customer managed policy's default version, compiled (as `managed` and `defaultVersions` hold it). */
  private compileDefault(arn: string): void {
    this.view.managed.delete(arn);
    this.defaultVersions.delete(arn);
    let defaultId: string | undefined;
    for (const p of this.policiesByArn.sorted(arn)) defaultId = (p.data as unknown as ManagedPolicyDoc).DefaultVersionId;
    if (defaultId === undefined) return;
    for (const e of this.versionsOf.sorted(arn)) {
      const v = e as unknown as Entity<PolicyVersionDoc>;
      if (v.data.VersionId !== defaultId) continue;
      this.defaultVersions.set(arn, v);
      const c = cachedCompile(this.compiled.identity, v, () => compileText(v.data.Document, 'identity', arn, arn.slice(arn.lastIndexOf('/') + 1), arn));
      if (c) this.view.managed.set(arn, c);
    }
  }

  private managedOf(arn: string): CompiledPolicy | undefined {
    return this.view.managed.get(arn) ?? compiledAwsManaged(arn);
  }

  private boundaryOf(arn: string): CompiledPolicy | undefined {
    const doc = this.managedOf(arn);
    if (!doc) return undefined;
    // The same document, compiled as a boundary (explanations name the layer).
    if (arn.includes(':aws:policy/')) return compiledAwsManaged(arn, 'boundary');
    const v = this.defaultVersions.get(arn);
    return v ? cachedCompile(this.compiled.boundary, v, () => compileText(v.data.Document, 'boundary', arn, doc.name, arn)) : undefined;
  }

  /** An owner's inline policies, then its attached ones, each in key order. */
  private ownPolicies(owner: string): CompiledPolicy[] {
    const out: CompiledPolicy[] = [];
    for (const e of this.inlineOf.sorted(owner)) {
      const d = e.data as unknown as InlinePolicyDoc;
      const c = cachedCompile(this.compiled.identity, e, () => compileText(d.PolicyDocument, 'identity', `${d.OwnerType}/${d.OwnerName}/${d.PolicyName}`, d.PolicyName));
      if (c) out.push(c);
    }
    for (const e of this.attachmentsOf.sorted(owner)) {
      const c = this.managedOf((e.data as unknown as AttachmentDoc).PolicyArn);
      if (c) out.push(c);
    }
    return out;
  }

  /** A user's own policies, then those of each of its groups (memberships in key order). */
  private userIdentity(u: Entity<UserDoc>): CompiledPolicy[] {
    const identity = this.ownPolicies(ownerKey('user', u.data.UserName));
    const groups = this.byKind.get(KIND.group)!;
    for (const m of this.membershipsOf.sorted(u.key)) {
      const g = groups.get((m.data as unknown as MembershipDoc).GroupName.toLowerCase()) as Entity<GroupDoc> | undefined;
      if (g) identity.push(...this.ownPolicies(ownerKey('group', g.data.GroupName)));
    }
    return identity;
  }

  private principalPolicies(doc: UserDoc | RoleDoc, identity: CompiledPolicy[]): PrincipalPolicies {
    const pp: PrincipalPolicies = { identity, tags: tagMap(doc.Tags) };
    const b = doc.PermissionsBoundary ? this.boundaryOf(doc.PermissionsBoundary.PermissionsBoundaryArn) : undefined;
    if (b) pp.boundary = b;
    return pp;
  }
}

/** Compiled policies by the entity compiled (see AuthzSnapshot's compiled). */
interface Compiled {
  identity: WeakMap<object, CompiledPolicy | null>;
  boundary: WeakMap<object, CompiledPolicy | null>;
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
  /**
   * Compiled policies by the entity compiled (an inline policy, or a managed policy's version as
   * an identity policy and as a boundary). An entity object is kept until its key changes, so a
   * rebuild compiles only the documents that changed. Compiling is pure — the same entity gives
   * the same policy — and compiled policies are never modified.
   */
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
