// The in-memory, compiled picture of what authorization needs, so that decisions never read
// the database: per account, its users (with groups, inline and attached policies, boundary,
// tags), roles, managed policies and access keys. Refreshed from the store's change feed: the
// entities that changed are read again, key by key, and the account's view is rebuilt from the
// entities kept since the last read, compiling only the documents that changed (docs/snapshot.md;
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

/** One kind's entities of an account, by (folded) key; in key order on demand, as listAll gives them. */
class KindEntities {
  private readonly byKey: Map<string, Entity<JsonObject>>;
  private inOrder: Entity<JsonObject>[] | undefined;

  constructor(listed: Entity<JsonObject>[]) {
    this.byKey = new Map(listed.map((e) => [e.key, e]));
    this.inOrder = listed;
  }

  /** The entity now stored at `key`, or undefined when there is none. */
  put(key: string, entity: Entity<JsonObject> | undefined): void {
    if (entity) this.byKey.set(key, entity); else this.byKey.delete(key);
    this.inOrder = undefined;
  }

  sorted(): Entity<JsonObject>[] {
    // Keys are ASCII (IAM's name patterns), where JavaScript's order is SQLite's and PostgreSQL's "C".
    return (this.inOrder ??= [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }
}

export class AuthzSnapshot {
  private accounts = new Map<string, AccountView>();
  private keys = new Map<string, AccessKeyEntry>();
  /** The ids in `keys` of each account's access keys, so that reloading an account drops its own without a scan of every account's. */
  private keysOf = new Map<string, string[]>();
  /** Organizations view; reloaded whole when an `org-*` entity changes. */
  private org: OrganizationView = OrganizationView.empty();
  /**
   * Compiled policies by the entity compiled (an inline policy, or a managed policy's version as
   * an identity policy and as a boundary). An entity object is kept until its key changes
   * (`entities`), so a rebuild compiles only the documents that changed. Compiling is pure — the
   * same entity gives the same policy — and compiled policies are never modified.
   */
  private readonly compiledIdentity = new WeakMap<object, CompiledPolicy | null>();
  private readonly compiledBoundary = new WeakMap<object, CompiledPolicy | null>();
  /**
   * Per account, the entities its view is built from (VIEW_KINDS), by kind and key, as last read.
   * A change to some of them is applied by reading those keys again, not the whole account: an
   * account of 1,000 roles was read and parsed whole after every write to it.
   */
  private entities = new Map<string, Map<string, KindEntities>>();
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
    this.entities = new Map();
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
    for (const id of this.keysOf.get(accountId) ?? []) this.keys.delete(id);
    this.keysOf.delete(accountId);
    if (!acct) { this.accounts.delete(accountId); this.entities.delete(accountId); return; }

    let byKind = this.entities.get(accountId);
    if (byKind === undefined || changed === undefined) {
      const lists = await Promise.all([...VIEW_KINDS].map((kind) => listAll<JsonObject>(tx, kind, accountId)));
      byKind = new Map([...VIEW_KINDS].map((kind, i) => [kind, new KindEntities(lists[i])]));
      this.entities.set(accountId, byKind);
    } else {
      for (const [kind, keys] of changed) {
        const entities = byKind.get(kind)!;
        for (const key of keys) entities.put(key, await tx.get<JsonObject>(kind, accountId, key));
      }
    }
    const of = <D>(kind: string) => byKind.get(kind)!.sorted() as Entity<D>[];
    const users = of<UserDoc>(KIND.user);
    const groups = of<GroupDoc>(KIND.group);
    const memberships = of<MembershipDoc>(KIND.userGroup);
    const roles = of<RoleDoc>(KIND.role);
    const policies = of<ManagedPolicyDoc>(KIND.policy);
    const versions = of<PolicyVersionDoc>(KIND.policyVersion);
    const inline = of<InlinePolicyDoc>(KIND.inlinePolicy);
    const attachments = of<AttachmentDoc>(KIND.attachment);
    const keys = of<AccessKeyDoc>(KIND.accessKey);

    // Customer managed policies: the default version of each, compiled.
    const managed = new Map<string, CompiledPolicy>();
    const defaults = new Map<string, string>();
    for (const p of policies) defaults.set(p.data.Arn, p.data.DefaultVersionId);
    /** Each customer managed policy's default version, by ARN. */
    const defaultVersions = new Map<string, Entity<PolicyVersionDoc>>();
    for (const v of versions) {
      const arn = v.data.PolicyArn;
      if (defaults.get(arn) !== v.data.VersionId) continue;
      defaultVersions.set(arn, v);
      const c = cachedCompile(this.compiledIdentity, v, () => compileText(v.data.Document, 'identity', arn, arn.slice(arn.lastIndexOf('/') + 1), arn));
      if (c) managed.set(arn, c);
    }
    const managedOf = (arn: string) => managed.get(arn) ?? compiledAwsManaged(arn);
    const boundaryOf = (arn: string) => {
      const doc = managedOf(arn);
      if (!doc) return undefined;
      // The same document, compiled as a boundary (explanations name the layer).
      if (arn.includes(':aws:policy/')) return compiledAwsManaged(arn, 'boundary');
      const v = defaultVersions.get(arn);
      return v ? cachedCompile(this.compiledBoundary, v, () => compileText(v.data.Document, 'boundary', arn, doc.name, arn)) : undefined;
    };

    // Inline policies and attachments by owner.
    const inlineBy = new Map<string, CompiledPolicy[]>();
    for (const e of inline) {
      const d = e.data;
      const c = cachedCompile(this.compiledIdentity, e, () => compileText(d.PolicyDocument, 'identity', `${d.OwnerType}/${d.OwnerName}/${d.PolicyName}`, d.PolicyName));
      if (!c) continue;
      const k = ownerKey(d.OwnerType, d.OwnerName);
      (inlineBy.get(k) ?? inlineBy.set(k, []).get(k)!).push(c);
    }
    const attachedBy = new Map<string, CompiledPolicy[]>();
    for (const e of attachments) {
      const d = e.data;
      const c = managedOf(d.PolicyArn);
      if (!c) continue;
      const k = ownerKey(d.OwnerType, d.OwnerName);
      (attachedBy.get(k) ?? attachedBy.set(k, []).get(k)!).push(c);
    }
    const ownPolicies = (k: string) => [...(inlineBy.get(k) ?? []), ...(attachedBy.get(k) ?? [])];
    const groupName = new Map<string, string>(groups.map((g) => [g.key, g.data.GroupName]));
    const groupsOf = new Map<string, string[]>();
    for (const m of memberships) {
      const u = m.data.UserName.toLowerCase();
      const g = groupName.get(m.data.GroupName.toLowerCase());
      if (g) (groupsOf.get(u) ?? groupsOf.set(u, []).get(u)!).push(g);
    }

    const view: AccountView = { account: acct.data, users: new Map(), roles: new Map(), managed };
    for (const u of users) {
      const identity = ownPolicies(ownerKey('user', u.data.UserName));
      for (const g of groupsOf.get(u.key) ?? []) identity.push(...ownPolicies(ownerKey('group', g)));
      const pp: PrincipalPolicies = { identity, tags: tagMap(u.data.Tags) };
      const b = u.data.PermissionsBoundary ? boundaryOf(u.data.PermissionsBoundary.PermissionsBoundaryArn) : undefined;
      if (b) pp.boundary = b;
      view.users.set(u.key, { doc: u.data, policies: pp });
    }
    for (const r of roles) {
      const pp: PrincipalPolicies = { identity: ownPolicies(ownerKey('role', r.data.RoleName)), tags: tagMap(r.data.Tags) };
      const b = r.data.PermissionsBoundary ? boundaryOf(r.data.PermissionsBoundary.PermissionsBoundaryArn) : undefined;
      if (b) pp.boundary = b;
      view.roles.set(r.key, { doc: r.data, policies: pp });
    }
    for (const k of keys) {
      this.keys.set(k.data.AccessKeyId, {
        accountId, userName: k.data.UserName, status: k.data.Status, secretEncrypted: k.data.SecretEncrypted,
      });
    }
    this.keysOf.set(accountId, keys.map((k) => k.data.AccessKeyId));
    this.accounts.set(accountId, view);
  }

  /** The organizations view (SCP/RCP levels, org ids and paths per account). */
  organization(): OrganizationView {
    return this.org;
  }

  accessKey(id: string): AccessKeyEntry | undefined {
    return this.keys.get(id);
  }

  account(id: string): AccountDoc | undefined {
    return this.accounts.get(id)?.account;
  }

  user(accountId: string, name: string): { doc: UserDoc; policies: PrincipalPolicies } | undefined {
    return this.accounts.get(accountId)?.users.get(name.toLowerCase());
  }

  role(accountId: string, name: string): { doc: RoleDoc; policies: PrincipalPolicies } | undefined {
    return this.accounts.get(accountId)?.roles.get(name.toLowerCase());
  }

  /** A managed policy (customer or AWS) by ARN, compiled as an identity policy. */
  managedPolicy(accountId: string, arn: string): CompiledPolicy | undefined {
    return this.accounts.get(accountId)?.managed.get(arn) ?? compiledAwsManaged(arn);
  }
}
