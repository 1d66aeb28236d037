// The organizations part of the authorization snapshot: for every account in an organization,
// its SCP and RCP levels (root → each OU → the account, compiled), its organization id and
// path, and its management account — so decisions never read the database.
//
// Organizations entities are stored under account '' with kinds starting `org-` (see
// services/organizations/common.ts); the snapshot reloads this view whole whenever one of them
// changes. Level arrays are built once per load and shared, so the engine's per-layer caches
// (keyed by the policy arrays) stay warm between changes.
import type { ReadTx } from '../../store/index.js';
import { compilePolicy, parsePolicy, type CompiledPolicy, type ContextValue, type PolicyLevel } from '../../policy/index.js';
import { listAll } from '../iam/common.js';
import {
  AWS_MANAGED, OKIND, ORG_ACCOUNT, type MemberDoc, type OrgAttachmentDoc, type OrgPolicyDoc, type OrganizationDoc, type OuDoc,
  type RootDoc,
} from '../organizations/common.js';

/** Whether a change-feed kind belongs to Organizations (the snapshot reloads this view for it). */
export function isOrganizationKind(kind: string): boolean {
  return kind.startsWith('org-');
}

interface AccountEntry {
  orgId: string;
  managementAccountId: string;
  /** `o-…/r-…/ou-…/` down to the account's parent. */
  paths: readonly string[];
  /** Undefined when the type is not enabled, or for the management account (never subject to them). */
  scp?: readonly PolicyLevel[];
  rcp?: readonly PolicyLevel[];
}

/** What the runtime hands the engine for one request (see runtime.ts createContext). */
export interface OrganizationInputs {
  scp?: readonly PolicyLevel[];
  rcp?: readonly PolicyLevel[];
  managementAccountId?: string;
  orgId?: string;
  orgPaths?: readonly string[];
  /** aws:ResourceOrgID, aws:ResourceOrgPaths, aws:ResourceAccount. */
  resourceKeys: Record<string, ContextValue | undefined>;
}

type Kind = 'scp' | 'rcp';

export class OrganizationView {
  private constructor(private readonly accounts: ReadonlyMap<string, AccountEntry>) {}

  static empty(): OrganizationView {
    return new OrganizationView(new Map());
  }

  static async load(tx: ReadTx): Promise<OrganizationView> {
    const [orgs, roots, ous, members, policies, attachments] = await Promise.all([
      listAll<OrganizationDoc>(tx, OKIND.organization, ORG_ACCOUNT),
      listAll<RootDoc>(tx, OKIND.root, ORG_ACCOUNT),
      listAll<OuDoc>(tx, OKIND.ou, ORG_ACCOUNT),
      listAll<MemberDoc>(tx, OKIND.account, ORG_ACCOUNT),
      listAll<OrgPolicyDoc>(tx, OKIND.policy, ORG_ACCOUNT),
      listAll<OrgAttachmentDoc>(tx, OKIND.attachment, ORG_ACCOUNT),
    ]);
    const orgById = new Map(orgs.map((o) => [o.data.Id, o.data]));
    const rootById = new Map(roots.map((r) => [r.data.Id, r.data]));
    const ouById = new Map(ous.map((o) => [o.data.Id, o.data]));

    // Compiled policies by id (customer and AWS managed).
    const compiled = new Map<string, { type: Kind; policy: CompiledPolicy }>();
    const compileOne = (id: string, name: string, arn: string, typeName: string, content: string, managed: boolean) => {
      const type: Kind | undefined = typeName === 'SERVICE_CONTROL_POLICY' ? 'scp' : typeName === 'RESOURCE_CONTROL_POLICY' ? 'rcp' : undefined;
      if (!type) return;
      const parsed = parsePolicy(content, { type, managed });
      if (!parsed.ok) return;
      compiled.set(id.toLowerCase(), { type, policy: compilePolicy(parsed.policy, { id, type, name, arn }) });
    };
    for (const m of AWS_MANAGED) compileOne(m.Id, m.Name, m.Arn, m.Type, m.Content, true);
    for (const p of policies) compileOne(p.data.Id, p.data.Name, p.data.Arn, p.data.Type, p.data.Content, false);

    // One shared level per (target, kind).
    const attachedTo = new Map<string, OrgAttachmentDoc[]>();
    for (const a of attachments) {
      const k = a.data.TargetId;
      (attachedTo.get(k) ?? attachedTo.set(k, []).get(k)!).push(a.data);
    }
    const levels = new Map<string, PolicyLevel>();
    const levelOf = (target: string, kind: Kind): PolicyLevel => {
      const key = `${kind}|${target}`;
      let l = levels.get(key);
      if (!l) {
        const list: CompiledPolicy[] = [];
        for (const a of attachedTo.get(target) ?? []) {
          const c = compiled.get(a.PolicyId.toLowerCase());
          if (c && c.type === kind) list.push(c.policy);
        }
        l = Object.freeze({ target, policies: Object.freeze(list) });
        levels.set(key, l);
      }
      return l;
    };

    const accounts = new Map<string, AccountEntry>();
    for (const m of members) {
      const org = orgById.get(m.data.OrgId);
      if (!org) continue;
      const root = rootById.get(org.RootId);
      // The chain of parents, root first.
      const chain: string[] = [];
      let id: string | undefined = m.data.ParentId;
      for (let i = 0; id !== undefined && i < 10; i++) {
        chain.unshift(id);
        if (id.startsWith('r-')) break;
        id = ouById.get(id)?.ParentId;
      }
      const entry: AccountEntry = {
        orgId: org.Id,
        managementAccountId: org.MasterAccountId,
        paths: Object.freeze([`${org.Id}/${chain.join('/')}/`]),
      };
      const enabled = new Set((root?.PolicyTypes ?? []).filter((t) => t.Status === 'ENABLED').map((t) => t.Type));
      if (m.data.Id !== org.MasterAccountId) {
        const targets = [...chain, m.data.Id];
        if (enabled.has('SERVICE_CONTROL_POLICY')) entry.scp = Object.freeze(targets.map((t) => levelOf(t, 'scp')));
        if (enabled.has('RESOURCE_CONTROL_POLICY')) entry.rcp = Object.freeze(targets.map((t) => levelOf(t, 'rcp')));
      }
      accounts.set(m.data.Id, entry);
    }
    return new OrganizationView(accounts);
  }

  /** SCP levels from the root down to the account; undefined when SCPs do not apply to it. */
  scpLevels(accountId: string): readonly PolicyLevel[] | undefined {
    return this.accounts.get(accountId)?.scp;
  }

  /** RCP levels from the root down to the account; undefined when RCPs do not apply to it. */
  rcpLevels(accountId: string): readonly PolicyLevel[] | undefined {
    return this.accounts.get(accountId)?.rcp;
  }

  managementAccountId(accountId: string): string | undefined {
    return this.accounts.get(accountId)?.managementAccountId;
  }

  orgId(accountId: string): string | undefined {
    return this.accounts.get(accountId)?.orgId;
  }

  /** `o-…/r-…/ou-…/` (as aws:PrincipalOrgPaths and aws:ResourceOrgPaths hold them). */
  orgPaths(accountId: string): readonly string[] | undefined {
    return this.accounts.get(accountId)?.paths;
  }

  /** Everything the engine needs about organizations for a caller in `principalAccount` acting on `resourceAccount`. */
  inputs(principalAccount: string, resourceAccount: string | undefined): OrganizationInputs {
    const p = this.accounts.get(principalAccount);
    const r = resourceAccount !== undefined ? this.accounts.get(resourceAccount) : undefined;
    return {
      scp: p?.scp,
      rcp: r?.rcp,
      managementAccountId: p?.managementAccountId ?? r?.managementAccountId,
      orgId: p?.orgId,
      orgPaths: p?.paths,
      resourceKeys: {
        'aws:ResourceAccount': resourceAccount,
        'aws:ResourceOrgID': r?.orgId,
        'aws:ResourceOrgPaths': r?.paths,
      },
    };
  }
}
