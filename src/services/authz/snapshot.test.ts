// The snapshot follows the change feed by reading again only the keys that changed (and compiling
// only the documents that changed). Whatever the writes, it must hold what a snapshot loaded from
// scratch holds: random writes of every kind the view is built from, checked against a fresh load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store, type Tx } from '../../store/index.js';
import { KIND, ownerKey, type OwnerType } from '../iam/entities.js';
import { rng } from '../../reasoning/testing/gen.js';
import { AuthzSnapshot, type PrincipalPolicies } from './snapshot.js';

const A = '123456789012';
const USERS = ['alice', 'Bob', 'carol'];
const ROLES = ['builder', 'Deployer', 'reader'];
const GROUPS = ['admins', 'devs'];
const POLICIES = ['pol-a', 'pol-b'];
const arnOf = (policy: string) => `arn:aws:iam::${A}:policy/${policy}`;
const AWS_MANAGED = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

let documents = 0;
/** A policy document no other has (its Sid), so that a stale compiled policy shows. */
function document(): string {
  documents++;
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `S${documents}`, Effect: documents % 3 === 0 ? 'Deny' : 'Allow', Action: `s3:Get${documents}`, Resource: '*' }] });
}

type Write = (tx: Tx) => Promise<void>;

/** One random write to what the view is built from (or, now and then, to something it is not). */
function randomWrite(next: () => number): Write {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const put = async (tx: Tx, kind: string, key: string, data: Record<string, unknown>, parent?: string): Promise<void> => {
    const existing = await tx.get(kind, A, key);
    if (existing) await tx.update({ ...existing, data });
    else await tx.insert({ kind, account: A, key, data, ...(parent !== undefined ? { parent } : {}) });
  };
  const remove = async (tx: Tx, kind: string, key: string): Promise<void> => {
    if (await tx.get(kind, A, key)) await tx.delete(kind, A, key);
  };
  const owner = (): [OwnerType, string] => {
    const type = pick(['user', 'role', 'group'] as const);
    return [type, pick(type === 'user' ? USERS : type === 'role' ? ROLES : GROUPS)];
  };
  const boundary = () => (next() < 0.3 ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: next() < 0.5 ? AWS_MANAGED : arnOf(pick(POLICIES)) } : undefined);
  const tags = () => (next() < 0.5 ? [{ Key: 'team', Value: pick(['a', 'b']) }] : []);
  const writes: Write[] = [
    (tx) => { const u = pick(USERS); return put(tx, KIND.user, u, { UserName: u, Arn: `arn:aws:iam::${A}:user/${u}`, Tags: tags(), PermissionsBoundary: boundary() }); },
    (tx) => remove(tx, KIND.user, pick(USERS).toLowerCase()),
    (tx) => { const r = pick(ROLES); return put(tx, KIND.role, r, { RoleName: r, Arn: `arn:aws:iam::${A}:role/${r}`, Tags: tags(), PermissionsBoundary: boundary() }); },
    (tx) => remove(tx, KIND.role, pick(ROLES).toLowerCase()),
    (tx) => { const g = pick(GROUPS); return put(tx, KIND.group, g, { GroupName: g }); },
    (tx) => remove(tx, KIND.group, pick(GROUPS)),
    (tx) => { const u = pick(USERS); const g = pick(GROUPS); return put(tx, KIND.userGroup, `${u}|${g}`, { UserName: u, GroupName: g }, ownerKey('user', u)); },
    (tx) => remove(tx, KIND.userGroup, `${pick(USERS)}|${pick(GROUPS)}`.toLowerCase()),
    (tx) => { const [t, n] = owner(); const p = pick(['p1', 'p2']); return put(tx, KIND.inlinePolicy, `${ownerKey(t, n)}|${p}`, { OwnerType: t, OwnerName: n, PolicyName: p, PolicyDocument: document() }, ownerKey(t, n)); },
    (tx) => { const [t, n] = owner(); return remove(tx, KIND.inlinePolicy, `${ownerKey(t, n)}|${pick(['p1', 'p2'])}`); },
    async (tx) => {
      // A managed policy with a new version that becomes its default (or not).
      const p = pick(POLICIES);
      const existing = await tx.get<{ DefaultVersionId: string }>(KIND.policy, A, p);
      const version = `v${documents + 1}`;
      await put(tx, KIND.policyVersion, `${p}|${version}`, { PolicyArn: arnOf(p), VersionId: version, Document: document() }, p);
      if (!existing || next() < 0.7) await put(tx, KIND.policy, p, { PolicyName: p, Arn: arnOf(p), DefaultVersionId: version });
    },
    (tx) => remove(tx, KIND.policy, pick(POLICIES)),
    async (tx) => {
      // A policy's default version removed, or put back with another document: only the version changes.
      const p = pick(POLICIES);
      const policy = await tx.get<{ DefaultVersionId: string }>(KIND.policy, A, p);
      if (!policy) return;
      const key = `${p}|${policy.data.DefaultVersionId}`;
      if (next() < 0.5) await remove(tx, KIND.policyVersion, key.toLowerCase());
      else await put(tx, KIND.policyVersion, key, { PolicyArn: arnOf(p), VersionId: policy.data.DefaultVersionId, Document: document() }, p);
    },
    (tx) => { const [t, n] = owner(); const arn = next() < 0.3 ? AWS_MANAGED : arnOf(pick(POLICIES)); return put(tx, KIND.attachment, `${ownerKey(t, n)}|${arn}`, { OwnerType: t, OwnerName: n, PolicyArn: arn }, ownerKey(t, n)); },
    (tx) => { const [t, n] = owner(); return remove(tx, KIND.attachment, `${ownerKey(t, n)}|${arnOf(pick(POLICIES))}`.toLowerCase()); },
    (tx) => { const u = pick(USERS); const id = pick(['AKIAONE', 'AKIATWO']); return put(tx, KIND.accessKey, id, { UserName: u, AccessKeyId: id, Status: pick(['Active', 'Inactive']), SecretEncrypted: 'x' }, ownerKey('user', u)); },
    (tx) => remove(tx, KIND.accessKey, pick(['akiaone', 'akiatwo'])),
    // Not in the view: must change nothing.
    (tx) => put(tx, KIND.loginProfile, pick(USERS), { CreateDate: String(next()) }),
    // The account entity itself: the view is read whole.
    async (tx) => { const e = await tx.get(KIND.account, A, A); if (e) await tx.update({ ...e, data: { ...e.data, CreateDate: String(next()) } }); },
  ];
  return pick(writes);
}

/** What authorization reads of a principal, with each policy's statements as parsed. */
function principalView(p: { doc: unknown; policies: PrincipalPolicies } | undefined): unknown {
  if (!p) return undefined;
  const policy = (c: PrincipalPolicies['identity'][number]) => ({ id: c.id, type: c.type, name: c.name, statements: c.statements.map((s) => s.source) });
  return { doc: p.doc, tags: p.policies.tags, identity: p.policies.identity.map(policy), boundary: p.policies.boundary && policy(p.policies.boundary) };
}

function view(s: AuthzSnapshot): unknown {
  return {
    account: s.account(A),
    users: USERS.map((u) => principalView(s.user(A, u))),
    roles: ROLES.map((r) => principalView(s.role(A, r))),
    keys: ['AKIAONE', 'AKIATWO'].map((id) => s.accessKey(id)),
    managed: POLICIES.map((p) => s.managedPolicy(A, arnOf(p))?.statements.map((st) => st.source)),
  };
}

async function withStore(run: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-snapshot-'));
  const store = await openStore({ dataDir: dir });
  try {
    await store.transaction(async (tx) => {
      // The management account, as bootstrap makes it: a fresh load finds it through the meta row.
      await tx.setMeta('managementAccountId', A);
      await tx.insert({ kind: KIND.account, account: A, key: A, data: { AccountId: A, CreateDate: '2026-01-01T00:00:00Z', RootArn: `arn:aws:iam::${A}:root` } });
    });
    await run(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const seed of [1, 2, 3]) {
  test(`snapshot (seed ${seed}): kept up to date key by key, it holds what a fresh load holds after every write`, async () => {
    await withStore(async (store) => {
      const next = rng(seed);
      const followed = await AuthzSnapshot.open(store);
      try {
        for (let step = 0; step < 150; step++) {
          // One to three writes per transaction: a change set can hold several keys and kinds.
          const writes = Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomWrite(next));
          await store.transaction(async (tx) => { for (const w of writes) await w(tx); });
          await followed.sync();
          const fresh = await AuthzSnapshot.open(store);
          try {
            assert.deepEqual(view(followed), view(fresh), `after step ${step}`);
          } finally {
            fresh.close();
          }
        }
      } finally {
        followed.close();
      }
    });
  });
}

test('snapshot: an account whose entity is deleted leaves the view, and comes back whole when written again', async () => {
  await withStore(async (store) => {
    const s = await AuthzSnapshot.open(store);
    try {
      await store.transaction(async (tx) => { await tx.insert({ kind: KIND.user, account: A, key: 'dana', data: { UserName: 'dana', Tags: [] } }); });
      await s.sync();
      assert.equal(s.user(A, 'dana')?.doc.UserName, 'dana');
      await store.transaction(async (tx) => { await tx.delete(KIND.account, A, A); });
      await s.sync();
      assert.equal(s.account(A), undefined);
      assert.equal(s.user(A, 'dana'), undefined);
      await store.transaction(async (tx) => {
        await tx.insert({ kind: KIND.account, account: A, key: A, data: { AccountId: A, CreateDate: '2026-01-02T00:00:00Z', RootArn: `arn:aws:iam::${A}:root` } });
      });
      await s.sync();
      assert.equal(s.user(A, 'dana')?.doc.UserName, 'dana');
    } finally {
      s.close();
    }
  });
});

test("snapshot: reloading one account drops and re-reads its own access keys and leaves another account's alone", async () => {
  const B = '210987654321';
  await withStore(async (store) => {
    const key = (account: string, id: string) => ({ kind: KIND.accessKey, account, key: id, data: { UserName: 'u', AccessKeyId: id, Status: 'Active', SecretEncrypted: 'x' } });
    await store.transaction(async (tx) => {
      await tx.insert({ kind: KIND.account, account: '', key: B, data: { AccountId: B, CreateDate: '2026-01-01T00:00:00Z', RootArn: `arn:aws:iam::${B}:root` } });
      await tx.insert(key(A, 'AKIAINA'));
      await tx.insert(key(B, 'AKIAINB'));
    });
    const s = await AuthzSnapshot.open(store);
    try {
      assert.equal(s.accessKey('AKIAINA')?.accountId, A);
      assert.equal(s.accessKey('AKIAINB')?.accountId, B);
      // A key-by-key change in A, then A read whole (its account entity changed): B's key stays.
      await store.transaction(async (tx) => { await tx.insert(key(A, 'AKIAINA2')); });
      await s.sync();
      const acct = await store.read((tx) => tx.get(KIND.account, A, A));
      await store.transaction(async (tx) => { await tx.update({ ...acct!, data: { ...acct!.data, CreateDate: '2026-01-03T00:00:00Z' } }); });
      await s.sync();
      assert.deepEqual(['AKIAINA', 'AKIAINA2', 'AKIAINB'].map((id) => s.accessKey(id)?.accountId), [A, A, B]);
      // B's account entity deleted: its keys leave the view, A's stay.
      await store.transaction(async (tx) => { await tx.delete(KIND.account, '', B); });
      await s.sync();
      assert.deepEqual(['AKIAINA', 'AKIAINA2', 'AKIAINB'].map((id) => s.accessKey(id)?.accountId), [A, A, undefined]);
    } finally {
      s.close();
    }
  });
});
