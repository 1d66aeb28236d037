// The organization itself: CreateOrganization, DescribeOrganization, DeleteOrganization,
// ListRoots; trusted service access (EnableAWSServiceAccess, DisableAWSServiceAccess,
// ListAWSServiceAccessForOrganization); delegated administrators (RegisterDelegatedAdministrator,
// DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount).
// Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
import type { CallContext, OperationTable } from '../types.js';
import type { ReadTx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import {
  OKIND, ORG_ACCOUNT, accountArn, authorize, callerOrg, constraint, getTarget, iso, listOrg,
  newOrgId, newRootId, notInUse, orgArn, orgError, page, requireManagement, requireDelegable, rootArnOf, str, optStr,
  type DelegatedAdminDoc, type MemberDoc, type OrganizationDoc, type RootDoc, type ServiceAccessDoc,
} from './common.js';

/** Warden keeps no contact details: accounts without a given email get this one. */
export function placeholderEmail(accountId: string): string {
  return `root@${accountId}.warden.invalid`;
}

export function organizationOutput(o: OrganizationDoc): Record<string, unknown> {
  return {
    Id: o.Id, Arn: o.Arn, FeatureSet: o.FeatureSet,
    MasterAccountArn: o.MasterAccountArn, MasterAccountId: o.MasterAccountId, MasterAccountEmail: o.MasterAccountEmail,
    // Deprecated member; AWS still returns it with SCPs listed.
    AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
  };
}

export function rootOutput(r: RootDoc): Record<string, unknown> {
  return { Id: r.Id, Arn: r.Arn, Name: r.Name, PolicyTypes: r.PolicyTypes };
}

export function memberOutput(a: MemberDoc, paths?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.State,
    JoinedMethod: a.JoinedMethod, JoinedTimestamp: a.JoinedTimestamp,
  };
  if (paths) out.Paths = paths;
  return out;
}

// Trusted access and delegated administration take service principals such as
// `config.amazonaws.com`; anything else is refused as AWS does.
function checkServicePrincipal(sp: string): void {
  if (!/^[\w+=,.@-]*\.amazonaws\.com(\.cn)?$/.test(sp)) {
    throw orgError('InvalidInputException', 'You specified an unrecognized service principal.', 'UNRECOGNIZED_SERVICE_PRINCIPAL');
  }
}

/**
 * What EnableAWSServiceAccess and DisableAWSServiceAccess share before their transaction: the
 * service principal, authorized as a condition key, then checked.
 */
function servicePrincipalOf(ctx: CallContext, action: string, input: Record<string, unknown>): string {
  const sp = str(input, 'ServicePrincipal');
  authorize(ctx, action, '*', { 'organizations:ServicePrincipal': sp });
  checkServicePrincipal(sp);
  return sp;
}

/**
 * What RegisterDelegatedAdministrator and DeregisterDelegatedAdministrator share: the member
 * account is the resource, with the service principal as a condition key, authorized before
 * anything else; only the management account may delegate.
 */
async function delegationRequest(tx: ReadTx, ctx: CallContext, action: string, accountId: string, sp: string): Promise<OrganizationDoc> {
  const c = await callerOrg(tx, ctx);
  authorize(ctx, action, c ? accountArn(c.org.MasterAccountId, c.org.Id, accountId) : '*', { 'organizations:ServicePrincipal': sp });
  return requireManagement(c);
}

export const organizationOperations: OperationTable = {
  async CreateOrganization(ctx, input) {
    const featureSet = (optStr(input, 'FeatureSet') ?? 'ALL') as OrganizationDoc['FeatureSet'];
    authorize(ctx, 'organizations:CreateOrganization', '*');
    const account = ctx.caller.accountId;
    return ctx.store.transaction(async (tx) => {
      if (await tx.get(OKIND.account, ORG_ACCOUNT, account)) {
        throw orgError('AlreadyInOrganizationException', 'The provided account is already a member of an organization.');
      }
      const orgId = newOrgId();
      const rootId = newRootId();
      const now = iso(ctx.now);
      const org: OrganizationDoc = {
        Id: orgId, Arn: orgArn(account, orgId), FeatureSet: featureSet,
        MasterAccountArn: accountArn(account, orgId, account), MasterAccountId: account, MasterAccountEmail: placeholderEmail(account),
        RootId: rootId, CreatedDate: now,
      };
      const root: RootDoc = { Id: rootId, Arn: rootArnOf(account, orgId, rootId), Name: 'Root', OrgId: orgId, PolicyTypes: [], Tags: [] };
      const member: MemberDoc = {
        Id: account, Arn: org.MasterAccountArn, Email: org.MasterAccountEmail, Name: account, Status: 'ACTIVE', State: 'ACTIVE',
        // AWS lists the management account as having joined by invitation.
        JoinedMethod: 'INVITED', JoinedTimestamp: now, OrgId: orgId, ParentId: rootId, Tags: [],
      };
      await tx.insert({ kind: OKIND.organization, account: ORG_ACCOUNT, key: orgId, id: orgId, data: org });
      await tx.insert({ kind: OKIND.root, account: ORG_ACCOUNT, key: rootId, id: rootId, parent: orgId, data: root });
      await tx.insert({ kind: OKIND.account, account: ORG_ACCOUNT, key: account, parent: rootId, data: member });
      return { Organization: organizationOutput(org) };
    });
  },

  async DescribeOrganization(ctx) {
    const c = await ctx.store.read((tx) => callerOrg(tx, ctx));
    authorize(ctx, 'organizations:DescribeOrganization', '*');
    // Every member account may describe its organization.
    if (!c) throw notInUse();
    return { Organization: organizationOutput(c.org) };
  },

  async DeleteOrganization(ctx) {
    authorize(ctx, 'organizations:DeleteOrganization', '*');
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      const members = await listOrg<MemberDoc>(tx, OKIND.account, org.Id);
      if (members.some((m) => m.data.Id !== org.MasterAccountId)) {
        throw orgError('OrganizationNotEmptyException',
          'To delete an organization you must first remove all member accounts (except the management account).');
      }
      for (const kind of [OKIND.attachment, OKIND.policyTarget, OKIND.ou, OKIND.policy, OKIND.createStatus, OKIND.delegatedAdmin, OKIND.serviceAccess, OKIND.handshake, OKIND.resourcePolicy, OKIND.rootAccess, OKIND.account, OKIND.root]) {
        for (const e of await listOrg<{ OrgId: string }>(tx, kind, org.Id)) await tx.delete(kind, ORG_ACCOUNT, e.key);
      }
      await tx.delete(OKIND.organization, ORG_ACCOUNT, org.Id);
      return undefined;
    });
  },

  async ListRoots(ctx, input) {
    const check = authorize(ctx, 'organizations:ListRoots', '*');
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const roots = await listOrg<RootDoc>(tx, OKIND.root, org.Id);
      const p = page(roots, (r) => r.key, input);
      return { Roots: p.items.map((r) => rootOutput(r.data)), NextToken: p.NextToken };
    });
  },

  // --- Trusted access -------------------------------------------------------

  async EnableAWSServiceAccess(ctx, input) {
    const sp = servicePrincipalOf(ctx, 'organizations:EnableAWSServiceAccess', input);
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      const key = `${org.Id}|${sp}`;
      if (!(await tx.get(OKIND.serviceAccess, ORG_ACCOUNT, key))) {
        const data: ServiceAccessDoc = { OrgId: org.Id, ServicePrincipal: sp, DateEnabled: iso(ctx.now) };
        await tx.insert({ kind: OKIND.serviceAccess, account: ORG_ACCOUNT, key, parent: org.Id, data });
      }
      return undefined;
    });
  },

  async DisableAWSServiceAccess(ctx, input) {
    const sp = servicePrincipalOf(ctx, 'organizations:DisableAWSServiceAccess', input);
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      await tx.delete(OKIND.serviceAccess, ORG_ACCOUNT, `${org.Id}|${sp}`);
      return undefined;
    });
  },

  async ListAWSServiceAccessForOrganization(ctx, input) {
    const check = authorize(ctx, 'organizations:ListAWSServiceAccessForOrganization', '*');
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const all = await listAll<ServiceAccessDoc>(tx, OKIND.serviceAccess, ORG_ACCOUNT, org.Id);
      const p = page(all, (e) => e.key, input);
      return { EnabledServicePrincipals: p.items.map((e) => ({ ServicePrincipal: e.data.ServicePrincipal, DateEnabled: e.data.DateEnabled })), NextToken: p.NextToken };
    });
  },

  // --- Delegated administrators --------------------------------------------

  async RegisterDelegatedAdministrator(ctx, input) {
    const accountId = str(input, 'AccountId');
    const sp = str(input, 'ServicePrincipal');
    return ctx.store.transaction(async (tx) => {
      const org = await delegationRequest(tx, ctx, 'organizations:RegisterDelegatedAdministrator', accountId, sp);
      checkServicePrincipal(sp);
      const m = await getTarget(tx, org, OKIND.account, accountId);
      if (accountId === org.MasterAccountId) {
        throw constraint('CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR', 'You cannot register the management account as a delegated administrator.');
      }
      if (m.data.Status !== 'ACTIVE') {
        throw constraint('CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR', 'You cannot register a suspended account as a delegated administrator.');
      }
      if (!(await tx.get(OKIND.serviceAccess, ORG_ACCOUNT, `${org.Id}|${sp}`))) {
        throw constraint('SERVICE_ACCESS_NOT_ENABLED', 'You must enable service access before you delegate an administrator for this service.');
      }
      const key = `${accountId}|${sp}`;
      if (await tx.get(OKIND.delegatedAdmin, ORG_ACCOUNT, key)) {
        throw orgError('AccountAlreadyRegisteredException', 'The provided account is already a delegated administrator for your organization.');
      }
      const data: DelegatedAdminDoc = { OrgId: org.Id, AccountId: accountId, ServicePrincipal: sp, DelegationEnabledDate: iso(ctx.now) };
      await tx.insert({ kind: OKIND.delegatedAdmin, account: ORG_ACCOUNT, key, parent: accountId, data });
      return undefined;
    });
  },

  async DeregisterDelegatedAdministrator(ctx, input) {
    const accountId = str(input, 'AccountId');
    const sp = str(input, 'ServicePrincipal');
    return ctx.store.transaction(async (tx) => {
      const org = await delegationRequest(tx, ctx, 'organizations:DeregisterDelegatedAdministrator', accountId, sp);
      await getTarget(tx, org, OKIND.account, accountId);
      if (!(await tx.delete(OKIND.delegatedAdmin, ORG_ACCOUNT, `${accountId}|${sp}`))) {
        throw orgError('AccountNotRegisteredException', 'The provided account is not a registered delegated administrator for your organization.');
      }
      return undefined;
    });
  },

  async ListDelegatedAdministrators(ctx, input) {
    const sp = optStr(input, 'ServicePrincipal');
    const check = authorize(ctx, 'organizations:ListDelegatedAdministrators', '*', { 'organizations:ServicePrincipal': sp });
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const all = (await listOrg<DelegatedAdminDoc>(tx, OKIND.delegatedAdmin, org.Id)).filter((d) => sp === undefined || d.data.ServicePrincipal === sp);
      // One entry per account (the earliest delegation).
      const byAccount = new Map<string, DelegatedAdminDoc>();
      for (const d of all) {
        const prev = byAccount.get(d.data.AccountId);
        if (!prev || d.data.DelegationEnabledDate < prev.DelegationEnabledDate) byAccount.set(d.data.AccountId, d.data);
      }
      const rows: Record<string, unknown>[] = [];
      for (const [id, d] of [...byAccount].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const m = await tx.get<MemberDoc>(OKIND.account, ORG_ACCOUNT, id);
        if (m) rows.push({ ...memberOutput(m.data), DelegationEnabledDate: d.DelegationEnabledDate });
      }
      const p = page(rows, (r) => String(r.Id), input);
      return { DelegatedAdministrators: p.items, NextToken: p.NextToken };
    });
  },

  async ListDelegatedServicesForAccount(ctx, input) {
    const accountId = str(input, 'AccountId');
    return ctx.store.read(async (tx) => {
      const c = await callerOrg(tx, ctx);
      const check = authorize(ctx, 'organizations:ListDelegatedServicesForAccount', c ? accountArn(c.org.MasterAccountId, c.org.Id, accountId) : '*');
      const org = await requireDelegable(tx, ctx, c, 'read', [check]);
      await getTarget(tx, org, OKIND.account, accountId);
      const all = await listAll<DelegatedAdminDoc>(tx, OKIND.delegatedAdmin, ORG_ACCOUNT, accountId);
      if (all.length === 0) {
        throw orgError('AccountNotRegisteredException', 'The provided account is not a registered delegated administrator for your organization.');
      }
      const p = page(all, (e) => e.key, input);
      return { DelegatedServices: p.items.map((e) => ({ ServicePrincipal: e.data.ServicePrincipal, DelegationEnabledDate: e.data.DelegationEnabledDate })), NextToken: p.NextToken };
    });
  },
};

