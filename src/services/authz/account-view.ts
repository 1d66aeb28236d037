// An account's part of the authorization snapshot (snapshot.ts): its entities as last read,
// indexed by what its users' and roles' policies depend on, and the view built from them — each
// principal's compiled identity policies, boundary and tags, and the account's customer managed
// policies. A change to some entities rebuilds only the principals and policies it reaches
// (docs/snapshot.md).
import type { Entity, JsonObject } from '../../store/index.js';
import { compilePolicy, parsePolicy, type CompiledPolicy, type PolicyType } from '../../policy/index.js';
import { getAwsManagedPolicy } from '../iam/managed-policies/index.js';
import {
  KIND, ownerKey, type AccountDoc, type AttachmentDoc, type GroupDoc, type InlinePolicyDoc,
  type ManagedPolicyDoc, type MembershipDoc, type PolicyVersionDoc, type RoleDoc, type Tag, type UserDoc,
} from '../iam/entities.js';

/** What a user or role is allowed by: compiled and ready for the engine. */
export interface PrincipalPolicies {
  /** Identity policies (inline and attached; for users also those of their groups). Stable array. */
  identity: readonly CompiledPolicy[];
  boundary?: CompiledPolicy;
  tags: Readonly<Record<string, string>>;
}

export interface AccountView {
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

/** The kinds an account's view is built from. */
export const VIEW_KINDS: ReadonlySet<string> = new Set([
  KIND.user, KIND.group, KIND.userGroup, KIND.role, KIND.policy, KIND.policyVersion, KIND.inlinePolicy, KIND.attachment,
  KIND.accessKey,
]);

export type AnyEntity = Entity<JsonObject>;

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

function noReach(): Reach {
  return { users: new Set(), roles: new Set(), owners: new Set(), arns: new Set() };
}

/** Marks a user or role entity as reached. */
function reachPrincipal(r: Reach, p: AnyEntity): void {
  (p.kind === KIND.user ? r.users : r.roles).add(p.key);
}

/**
 * An account's entities (VIEW_KINDS) as last read, indexed by what the view's principals depend
 * on, and the view built from them. A change to some entities (`put`) updates the indexes and
 * records what it reaches; `rebuild` then recompiles only the managed policies and rebuilds only
 * the principals reached (docs/snapshot.md).
 */
export class AccountState {
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
  private reach = noReach();

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
        reachPrincipal(r, e);
        break;
      }
      case KIND.group:
        // Its members' group lists name it (or no longer do). (Its key is the folded GroupName,
        // so this is also ownerKey('group', e.key).)
        r.owners.add(ownerKey('group', (e.data as unknown as GroupDoc).GroupName));
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
      // Access keys are the snapshot's (AuthzSnapshot's put), not the principals'.
    }
  }

  /** Recompiles the managed policies and rebuilds the principals the changes since the last rebuild reach. */
  rebuild(): void {
    const r = this.reach;
    this.reach = noReach();
    for (const arn of r.arns) {
      this.compileDefault(arn);
      for (const a of this.attachedTo.all(arn)) {
        const d = a.data as unknown as AttachmentDoc;
        r.owners.add(ownerKey(d.OwnerType, d.OwnerName));
      }
      for (const p of this.boundedBy.all(arn)) reachPrincipal(r, p);
    }
    for (const owner of r.owners) {
      if (owner.startsWith('group:')) {
        for (const m of this.membersOf.all(owner.slice(6))) r.users.add((m.data as unknown as MembershipDoc).UserName.toLowerCase());
      } else {
        for (const p of this.principalsOf.all(owner)) reachPrincipal(r, p);
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

/**
 * Compiled policies by the entity compiled (an inline policy, or a managed policy's version as
 * an identity policy and as a boundary). An entity object is kept until its key changes, so a
 * rebuild compiles only the documents that changed. Compiling is pure — the same entity gives
 * the same policy — and compiled policies are never modified.
 */
export interface Compiled {
  identity: WeakMap<object, CompiledPolicy | null>;
  boundary: WeakMap<object, CompiledPolicy | null>;
}
