// The SCP and RCP corpus (test/corpus/scp.json, rcp.json — written from AWS's documentation and
// run against the engine by test/corpus.test.ts) run through the service runtime instead: each
// case becomes a real organization (management account, OUs, member accounts joined by
// invitation, policies created and attached through the Organizations API, FullAWSAccess /
// RCPFullAWSAccess detached where the case does without them), real principals (users, roles,
// sessions, roots) and one `ctx.authorize`; the decision and the layer named in AWS's
// AccessDenied message must be the corpus's. Cases that cannot exist in a real organization
// (a level without any SCP, RCPFullAWSAccess missing) or whose principal is not an account's
// (services, anonymous callers) are skipped with the reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { Caller } from '../types.js';
import { KIND, newId, type InlinePolicyDoc, type RoleDoc, type UserDoc } from '../iam/entities.js';
import { issueSessionCredentials } from '../sts/credentials.js';
import { FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS } from './common.js';
import { awsErrorOf, openOrgFixture, type OrgFixture } from './org-fixture.js';

type Obj = Record<string, any>;
interface PolicyDoc { id: string; document: unknown; managed?: boolean }
interface LevelDoc { target: string; policies: PolicyDoc[] }
interface Case {
  name: string;
  request: {
    principal: { kind: string; accountId?: string; arn?: string; roleArn?: string; serviceLinkedRole?: boolean };
    principalInfo?: { orgId?: string; region?: string; secureTransport?: boolean };
    action: string;
    resource: string;
    resourceAccount?: string;
    context?: Record<string, string | string[]>;
    organization?: { managementAccountId?: string };
  };
  policies: { identity?: PolicyDoc[]; resource?: PolicyDoc & { kind?: 'standard' | 'trust' | 'kms' }; scp?: LevelDoc[]; rcp?: LevelDoc[]; boundary?: PolicyDoc; session?: PolicyDoc[] };
  expected: { decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'; deniedBy?: string; reasons?: { policyId: string }[] };
}

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '../../../test/corpus');
/** The organization id the corpus uses for "our" organization; other ids are other organizations. */
const ORG_LABEL = 'o-abc123defg';
const PHRASE: Record<string, string> = {
  identity: 'identity-based policy', resource: 'resource-based policy', boundary: 'permissions boundary',
  session: 'session policy', scp: 'service control policy', rcp: 'resource control policy',
};

function sameStatements(doc: unknown, managed: string): boolean {
  const norm = (d: unknown) => JSON.stringify(((d as Obj).Statement as Obj[]).map((s) => ({ ...s, Sid: undefined })));
  try { return norm(doc) === norm(JSON.parse(managed)); } catch { return false; }
}

/** Why a case cannot be set up as a real organization, or undefined. */
function unsupported(c: Case): string | undefined {
  const k = c.request.principal.kind;
  if (!['user', 'root', 'assumedRole'].includes(k)) return `principal kind ${k} is not an account's principal`;
  if (c.policies.boundary || c.policies.session) return 'boundaries and session policies are covered by the IAM and STS tests';
  for (const l of c.policies.scp ?? []) if (l.policies.length === 0) return 'a level without any SCP cannot exist in AWS';
  for (const l of c.policies.rcp ?? []) {
    if (!l.policies.some((p) => sameStatements(p.document, RCP_FULL_AWS_ACCESS.Content))) return 'RCPFullAWSAccess cannot be detached in AWS';
  }
  const info = c.request.principalInfo;
  const resourceAccount = c.request.resourceAccount ?? c.request.principal.accountId;
  if (c.policies.rcp && info?.orgId !== undefined && info.orgId !== ORG_LABEL && c.request.principal.accountId === resourceAccount) {
    return "the principal's account is in the organization whose RCPs apply, so its aws:PrincipalOrgID cannot be another organization's";
  }
  return undefined;
}

async function setUp(f: OrgFixture, c: Case): Promise<{ caller: Caller; arnOf: Map<string, string>; relabel: (t: string) => string }> {
  const mgmt = f.mgmt;
  const orgId = ((await f.org('CreateOrganization', f.root())).Organization as Obj).Id as string;
  const rootId = ((await f.org('ListRoots', f.root())).Roots as Obj[])[0].Id as string;
  const { scp, rcp } = c.policies;
  if (scp) await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  if (rcp) await f.org('EnablePolicyType', f.root(), { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });

  // Labels of the corpus (o-…, r-…, ou-…) → the real ids, also inside policy documents.
  const ids = new Map<string, string>([[ORG_LABEL, orgId]]);
  const relabel = (text: string) => { let t = text; for (const [a, b] of ids) t = t.split(a).join(b); return t; };

  const joined = new Set<string>([mgmt]);
  async function join(account: string): Promise<void> {
    if (joined.has(account)) return;
    joined.add(account);
    await f.addAccount(account);
    const h = (await f.org('InviteAccountToOrganization', f.root(), { Target: { Id: account, Type: 'ACCOUNT' } })).Handshake as Obj;
    await f.org('AcceptHandshake', f.root(account), { HandshakeId: h.Id });
  }
  const accountsSeen = new Set<string>();
  const principalAccount = c.request.principal.accountId;
  const resourceAccount = c.request.resourceAccount ?? principalAccount;
  const standalone = async (account: string | undefined) => {
    if (!account || account === mgmt || accountsSeen.has(account)) return;
    accountsSeen.add(account);
    await f.addAccount(account);
  };

  const arnOf = new Map<string, string>();
  const policyIdOf = new Map<string, string>();
  async function build(levels: LevelDoc[], account: string, type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'): Promise<void> {
    if (account !== mgmt) { accountsSeen.add(account); await join(account); }
    ids.set(levels[0].target, rootId);
    let parent = rootId;
    for (const l of levels.slice(1, -1)) {
      let ou = ids.get(l.target);
      if (!ou) {
        ou = ((await f.org('CreateOrganizationalUnit', f.root(), { ParentId: parent, Name: l.target })).OrganizationalUnit as Obj).Id as string;
        ids.set(l.target, ou);
      }
      parent = ou;
    }
    if (parent !== rootId) {
      const current = ((await f.org('ListParents', f.root(), { ChildId: account })).Parents as Obj[])[0].Id;
      if (current !== parent) await f.org('MoveAccount', f.root(), { AccountId: account, SourceParentId: current, DestinationParentId: parent });
    }
    const targets = [...levels.slice(0, -1).map((l) => ids.get(l.target)!), account];
    const managed = type === 'SERVICE_CONTROL_POLICY' ? FULL_AWS_ACCESS : RCP_FULL_AWS_ACCESS;
    for (let i = 0; i < levels.length; i++) {
      let keepDefault = false;
      for (const p of levels[i].policies) {
        if (sameStatements(p.document, managed.Content)) { keepDefault = true; arnOf.set(p.id, managed.Arn); continue; }
        let id = policyIdOf.get(`${type}|${p.id}`);
        if (!id) {
          const out = (await f.org('CreatePolicy', f.root(), {
            Content: relabel(JSON.stringify(p.document)), Name: `${p.id}-${type}`, Description: '', Type: type,
          })).Policy as Obj;
          id = out.PolicySummary.Id as string;
          policyIdOf.set(`${type}|${p.id}`, id);
          arnOf.set(p.id, out.PolicySummary.Arn);
        }
        const attached = ((await f.org('ListPoliciesForTarget', f.root(), { TargetId: targets[i], Filter: type })).Policies as Obj[]).some((x) => x.Id === id);
        if (!attached) await f.org('AttachPolicy', f.root(), { PolicyId: id, TargetId: targets[i] });
      }
      if (!keepDefault) await f.org('DetachPolicy', f.root(), { PolicyId: managed.Id, TargetId: targets[i] });
    }
  }
  if (scp && principalAccount) await build(scp, principalAccount, 'SERVICE_CONTROL_POLICY');
  // A principal of "our" organization without SCP levels of its own still belongs to it.
  if (principalAccount && c.request.principalInfo?.orgId === ORG_LABEL && principalAccount !== mgmt) { accountsSeen.add(principalAccount); await join(principalAccount); }
  if (rcp && resourceAccount) await build(rcp, resourceAccount, 'RESOURCE_CONTROL_POLICY');
  await standalone(principalAccount);
  await standalone(resourceAccount);

  // The principal, with its identity policies as inline policies.
  const p = c.request.principal;
  const account = p.accountId!;
  const inline = async (owner: 'user' | 'role', name: string) => {
    await f.store.transaction(async (tx) => {
      for (const doc of c.policies.identity ?? []) {
        const parent = `${owner}:${name.toLowerCase()}`;
        const data: InlinePolicyDoc = { OwnerType: owner, OwnerName: name, PolicyName: doc.id, PolicyDocument: relabel(JSON.stringify(doc.document)) };
        await tx.insert({ kind: KIND.inlinePolicy, account, key: `${parent}|${doc.id}`, parent, data });
      }
    });
  };
  let caller: Caller;
  if (p.kind === 'root') {
    caller = { principal: { kind: 'root', accountId: account, arn: `arn:aws:iam::${account}:root` }, accountId: account, accessKeyId: 'AKIAROOTROOTROOTROOT', userId: account };
  } else if (p.kind === 'user') {
    const arn = p.arn!;
    const rest = arn.slice(arn.indexOf(':user/') + 5);
    const name = rest.slice(rest.lastIndexOf('/') + 1);
    const path = rest.slice(0, rest.lastIndexOf('/') + 1);
    const doc: UserDoc = { UserName: name, UserId: newId('AIDA'), Arn: arn, Path: path, CreateDate: new Date().toISOString(), Tags: [] };
    await f.store.transaction(async (tx) => { await tx.insert({ kind: KIND.user, account, key: name, id: doc.UserId, data: doc }); });
    await inline('user', name);
    await f.runtime.afterWrite();
    caller = { principal: { kind: 'user', accountId: account, arn }, accountId: account, accessKeyId: 'AKIATESTTESTTESTTEST', userId: doc.UserId, userName: name };
  } else {
    const roleArn = p.roleArn ?? `arn:aws:iam::${account}:role/${p.arn!.split('/')[1]}`;
    const rest = roleArn.slice(roleArn.indexOf(':role/') + 5);
    const name = rest.slice(rest.lastIndexOf('/') + 1);
    const path = rest.slice(0, rest.lastIndexOf('/') + 1);
    const role: RoleDoc = {
      RoleName: name, RoleId: newId('AROA'), Arn: roleArn, Path: path, CreateDate: new Date().toISOString(),
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] }),
      MaxSessionDuration: 3600, Tags: [], ...(p.serviceLinkedRole ? { ServiceLinked: 'config.amazonaws.com' } : {}),
    };
    await f.store.transaction(async (tx) => { await tx.insert({ kind: KIND.role, account, key: name, id: role.RoleId, data: role }); });
    await inline('role', name);
    await f.runtime.afterWrite();
    const session = p.arn?.split('/')[2] ?? 'session';
    const creds = issueSessionCredentials(f.secrets, {
      type: 'assumed-role', accountId: account, sessionName: session,
      principal: { kind: 'assumedRole', roleArn, roleName: name, roleId: role.RoleId },
    }, new Date(), 3600);
    const r = await f.runtime.resolveCredentials(creds.AccessKeyId, creds.SessionToken, new Date());
    if (!r.ok) throw new Error(`session not resolved: ${r.message}`);
    caller = r.caller;
  }
  return { caller, arnOf, relabel };
}

for (const file of ['scp.json', 'rcp.json']) {
  const cases = (JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as { cases: Case[] }).cases;
  describe(`corpus ${file} through the service runtime`, () => {
    for (const c of cases) {
      const why = unsupported(c);
      it(c.name, { skip: why }, async () => {
        const f = await openOrgFixture({ accountId: c.request.organization?.managementAccountId ?? '999999999999' });
        try {
          const { caller, arnOf, relabel } = await setUp(f, c);
          const ctx = f.runtime.createContext(caller, {
            requestId: 'corpus', sourceIp: '192.0.2.1', region: c.request.principalInfo?.region ?? 'us-east-1',
            secureTransport: c.request.principalInfo?.secureTransport ?? true, now: new Date(),
          });
          const rp = c.policies.resource;
          const opts = rp ? { resourcePolicy: { id: rp.id, document: relabel(JSON.stringify(rp.document)), kind: rp.kind ?? 'standard' as const }, resourceAccount: c.request.resourceAccount } : (c.request.resourceAccount ? { resourceAccount: c.request.resourceAccount } : undefined);
          const run = () => ctx.authorize(c.request.action, c.request.resource, c.request.context, opts);
          if (c.expected.decision === 'Allow') {
            assert.equal(run().decision, 'Allow');
            return;
          }
          const e = await awsErrorOf(run);
          assert.equal(e.code, 'AccessDenied');
          const layer = c.expected.deniedBy;
          if (layer) {
            const phrase = PHRASE[layer];
            if (c.expected.decision === 'ExplicitDeny') {
              assert.ok(e.message.includes(`with an explicit deny in a ${phrase}`) || e.message.includes(`with an explicit deny in an ${phrase}`), e.message);
              const id = c.expected.reasons?.[0]?.policyId;
              const arn = id ? arnOf.get(id) : undefined;
              if (arn && (layer === 'scp' || layer === 'rcp')) assert.ok(e.message.endsWith(`: ${arn}`), `${e.message} should name ${arn}`);
            } else {
              assert.match(e.message, new RegExp(`because no ${phrase} allows the `));
            }
          }
        } finally {
          await f.close();
        }
      });
    }
  });
}
