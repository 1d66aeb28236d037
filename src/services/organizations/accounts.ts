// Accounts: CreateAccount (with DescribeCreateAccountStatus, ListCreateAccountStatus),
// DescribeAccount, ListAccounts, ListAccountsForParent, MoveAccount,
// RemoveAccountFromOrganization, CloseAccount, LeaveOrganization.
//
// A created account is real: it gets its account entity (in its own account, plus the global
// registration under account '' that the authorization snapshot reads), its root user (no
// access key: the management account reaches it by assuming the role) and the role
// `OrganizationAccountAccessRole` (or RoleName) trusting the management account, with the AWS
// managed `AdministratorAccess` attached — as AWS creates it.
import { randomInt } from 'node:crypto';
import type { OperationTable } from '../types.js';
import type { ReadTx, Tx } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import { KIND, iamArn, newId, ownerKey, rootArn, type AccountDoc, type AttachmentDoc, type RoleDoc } from '../iam/entities.js';
import {
  OKIND, ORG_ACCOUNT, accountArn, accountNotFound, authorize, callerOrg, constraint, getTarget, iso, listOrg, mergeTags,
  newCreateRequestId, notInUse, orgError, page, requestTagKeys, requireManagement, requireDelegable, str,
  optStr, tagsOf, type CreateStatusDoc, type MemberDoc, type OrganizationDoc,
} from './common.js';
import { attachDefaults, authorizeTarget, childrenPage, detachAll, findParent, pathOf, requestTarget, targetArnFor } from './tree.js';
import { memberOutput } from './organization.js';

// Organizations quotas: "Number of accounts in an organization: 10 (default)".
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
export const MAX_ACCOUNTS = 10;
export const DEFAULT_ROLE_NAME = 'OrganizationAccountAccessRole';
export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** The trust policy AWS gives the access role: the management account may assume it. */
export function accessRoleTrustPolicy(managementAccountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: rootArn(managementAccountId) }, Action: 'sts:AssumeRole' }],
  });
}

async function newAccountId(tx: ReadTx): Promise<string> {
  for (;;) {
    let id = String(randomInt(1, 10));
    for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
    if (!(await tx.get(KIND.account, ORG_ACCOUNT, id)) && !(await tx.get(KIND.account, id, id))) return id;
  }
}

/** Writes the new account's IAM side: account entity, registration, access role with AdministratorAccess. */
export async function createAccountEntities(tx: Tx, accountId: string, managementAccountId: string, roleName: string, now: string): Promise<void> {
  const acct: AccountDoc = { AccountId: accountId, CreateDate: now, RootArn: rootArn(accountId) };
  await tx.insert({ kind: KIND.account, account: accountId, key: accountId, id: accountId, data: acct });
  // The global registration (account ''): how the authorization snapshot finds the account.
  await tx.insert({ kind: KIND.account, account: ORG_ACCOUNT, key: accountId, data: acct });
  const role: RoleDoc = {
    RoleName: roleName, RoleId: newId('AROA'), Arn: iamArn(accountId, 'role', '/', roleName), Path: '/', CreateDate: now,
    AssumeRolePolicyDocument: accessRoleTrustPolicy(managementAccountId), MaxSessionDuration: 3600, Tags: [],
  };
  await tx.insert({ kind: KIND.role, account: accountId, key: roleName, id: role.RoleId, data: role });
  const owner = ownerKey('role', roleName);
  const att: AttachmentDoc = { OwnerType: 'role', OwnerName: roleName, PolicyArn: ADMINISTRATOR_ACCESS_ARN, PolicyName: 'AdministratorAccess' };
  await tx.insert({ kind: KIND.attachment, account: accountId, key: `${owner}|${ADMINISTRATOR_ACCESS_ARN}`, parent: owner, data: att });
  await tx.insert({ kind: KIND.policyAttachment, account: accountId, key: `${ADMINISTRATOR_ACCESS_ARN}|${owner}`, parent: ADMINISTRATOR_ACCESS_ARN, data: att });
}

function statusOutput(s: CreateStatusDoc): Record<string, unknown> {
  const { OrgId: _, ...rest } = s;
  return rest;
}

async function accountPaths(tx: ReadTx, org: OrganizationDoc, m: MemberDoc): Promise<string[]> {
  return [`${await pathOf(tx, org, m.ParentId)}${m.Id}/`];
}

async function leave(tx: Tx, accountId: string): Promise<void> {
  await detachAll(tx, accountId);
  await tx.delete(OKIND.account, ORG_ACCOUNT, accountId);
}

export const accountOperations: OperationTable = {
  async CreateAccount(ctx, input) {
    const email = str(input, 'Email');
    const name = str(input, 'AccountName');
    const roleName = optStr(input, 'RoleName') ?? DEFAULT_ROLE_NAME;
    const tags = tagsOf(input);
    authorize(ctx, 'organizations:CreateAccount', '*', requestTagKeys(tags));
    if (tags.length > 0) authorize(ctx, 'organizations:TagResource', '*', requestTagKeys(tags));
    return ctx.store.transaction(async (tx) => {
      const org = requireManagement(await callerOrg(tx, ctx));
      const members = await listOrg<MemberDoc>(tx, OKIND.account, org.Id);
      if (members.length >= MAX_ACCOUNTS) {
        throw constraint('ACCOUNT_NUMBER_LIMIT_EXCEEDED', 'You have exceeded the allowed number of AWS accounts.');
      }
      const now = iso(ctx.now);
      const status: CreateStatusDoc = { Id: newCreateRequestId(), OrgId: org.Id, AccountName: name, State: 'IN_PROGRESS', RequestedTimestamp: now };
      const allMembers = await listAll<MemberDoc>(tx, OKIND.account, ORG_ACCOUNT);
      if (allMembers.some((m) => m.data.Email.toLowerCase() === email.toLowerCase())) {
        // AWS reports this in the request's status, not as an error of CreateAccount.
        const failed: CreateStatusDoc = { ...status, State: 'FAILED', CompletedTimestamp: now, FailureReason: 'EMAIL_ALREADY_EXISTS' };
        await tx.insert({ kind: OKIND.createStatus, account: ORG_ACCOUNT, key: status.Id, parent: org.Id, data: failed });
        return { CreateAccountStatus: statusOutput(status) };
      }
      const accountId = await newAccountId(tx);
      await createAccountEntities(tx, accountId, org.MasterAccountId, roleName, now);
      const member: MemberDoc = {
        Id: accountId, Arn: accountArn(org.MasterAccountId, org.Id, accountId), Email: email, Name: name, Status: 'ACTIVE', State: 'ACTIVE',
        JoinedMethod: 'CREATED', JoinedTimestamp: now, OrgId: org.Id, ParentId: org.RootId, Tags: mergeTags([], tags),
      };
      await tx.insert({ kind: OKIND.account, account: ORG_ACCOUNT, key: accountId, parent: org.RootId, data: member });
      await attachDefaults(tx, org, accountId, 'ACCOUNT');
      // Creation completes at once; the caller sees IN_PROGRESS first, as from AWS.
      const done: CreateStatusDoc = { ...status, State: 'SUCCEEDED', CompletedTimestamp: now, AccountId: accountId };
      await tx.insert({ kind: OKIND.createStatus, account: ORG_ACCOUNT, key: status.Id, parent: org.Id, data: done });
      return { CreateAccountStatus: statusOutput(status) };
    });
  },

  async DescribeCreateAccountStatus(ctx, input) {
    const id = str(input, 'CreateAccountRequestId');
    const check = authorize(ctx, 'organizations:DescribeCreateAccountStatus', '*');
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const s = await tx.get<CreateStatusDoc>(OKIND.createStatus, ORG_ACCOUNT, id);
      if (!s || s.data.OrgId !== org.Id) {
        throw orgError('CreateAccountStatusNotFoundException', "We can't find a create account request with the CreateAccountRequestId that you specified.");
      }
      return { CreateAccountStatus: statusOutput(s.data) };
    });
  },

  async ListCreateAccountStatus(ctx, input) {
    const states = Array.isArray(input.States) ? (input.States as string[]) : undefined;
    const check = authorize(ctx, 'organizations:ListCreateAccountStatus', '*');
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const all = (await listAll<CreateStatusDoc>(tx, OKIND.createStatus, ORG_ACCOUNT, org.Id))
        .filter((s) => !states || states.length === 0 || states.includes(s.data.State));
      const p = page(all, (e) => e.key, input);
      return { CreateAccountStatuses: p.items.map((s) => statusOutput(s.data)), NextToken: p.NextToken };
    });
  },

  async DescribeAccount(ctx, input) {
    const id = str(input, 'AccountId');
    return ctx.store.read(async (tx) => {
      const { org, target: m } = await requestTarget(tx, ctx, 'read', 'organizations:DescribeAccount', OKIND.account, id);
      return { Account: memberOutput(m.data, await accountPaths(tx, org, m.data)) };
    });
  },

  async ListAccounts(ctx, input) {
    const check = authorize(ctx, 'organizations:ListAccounts', '*');
    return ctx.store.read(async (tx) => {
      const org = await requireDelegable(tx, ctx, await callerOrg(tx, ctx), 'read', [check]);
      const all = await listOrg<MemberDoc>(tx, OKIND.account, org.Id);
      const p = page(all, (e) => e.key, input);
      return { Accounts: p.items.map((m) => memberOutput(m.data)), NextToken: p.NextToken };
    });
  },

  async ListAccountsForParent(ctx, input) {
    const parentId = str(input, 'ParentId');
    return ctx.store.read(async (tx) => {
      const p = await childrenPage(tx, ctx, 'organizations:ListAccountsForParent', parentId, OKIND.account, input);
      return { Accounts: p.items.map((m) => memberOutput(m.data)), NextToken: p.NextToken };
    });
  },

  async MoveAccount(ctx, input) {
    const id = str(input, 'AccountId');
    const source = str(input, 'SourceParentId');
    const dest = str(input, 'DestinationParentId');
    return ctx.store.transaction(async (tx) => {
      const c = await callerOrg(tx, ctx);
      // The account, the source and the destination are each a resource of the request.
      await authorizeTarget(tx, ctx, c, 'organizations:MoveAccount', OKIND.account, id);
      if (c) authorize(ctx, 'organizations:MoveAccount', targetArnFor(c.org, source));
      if (c) authorize(ctx, 'organizations:MoveAccount', targetArnFor(c.org, dest));
      const org = requireManagement(c);
      if (!(await findParent(tx, org, source))) throw orgError('SourceParentNotFoundException', "You specified a source parent that doesn't exist.");
      if (!(await findParent(tx, org, dest))) throw orgError('DestinationParentNotFoundException', "You specified a destination parent that doesn't exist.");
      const m = await getTarget(tx, org, OKIND.account, id);
      if (m.data.ParentId !== source) throw accountNotFound();
      if (source === dest) throw orgError('DuplicateAccountException', 'That account is already present in the specified destination.');
      await tx.update({ kind: OKIND.account, account: ORG_ACCOUNT, key: id, parent: dest, data: { ...m.data, ParentId: dest } });
      return undefined;
    });
  },

  async RemoveAccountFromOrganization(ctx, input) {
    const id = str(input, 'AccountId');
    return ctx.store.transaction(async (tx) => {
      const { org } = await requestTarget(tx, ctx, 'management', 'organizations:RemoveAccountFromOrganization', OKIND.account, id);
      if (id === org.MasterAccountId) {
        throw orgError('MasterCannotLeaveOrganizationException',
          "You can't remove the management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization.");
      }
      if ((await tx.count(OKIND.delegatedAdmin, ORG_ACCOUNT, { parent: id })) > 0) {
        throw constraint('CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG', 'You cannot remove an account that is a delegated administrator. Deregister it first.');
      }
      await leave(tx, id);
      return undefined;
    });
  },

  async LeaveOrganization(ctx) {
    authorize(ctx, 'organizations:LeaveOrganization', '*');
    return ctx.store.transaction(async (tx) => {
      const c = await callerOrg(tx, ctx);
      if (!c) throw notInUse();
      if (c.management) {
        throw orgError('MasterCannotLeaveOrganizationException',
          "You can't remove the management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization.");
      }
      if (c.delegated) {
        throw constraint('CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG', 'You cannot remove an account that is a delegated administrator. Deregister it first.');
      }
      await leave(tx, ctx.caller.accountId);
      return undefined;
    });
  },

  async CloseAccount(ctx, input) {
    const id = str(input, 'AccountId');
    return ctx.store.transaction(async (tx) => {
      const { org, target: m } = await requestTarget(tx, ctx, 'management', 'organizations:CloseAccount', OKIND.account, id);
      if (id === org.MasterAccountId) {
        throw constraint('CANNOT_CLOSE_MANAGEMENT_ACCOUNT', 'You cannot close the management account of an organization.');
      }
      if (m.data.Status !== 'ACTIVE') throw orgError('AccountAlreadyClosedException', 'You provided an account that is already closed.');
      // Closing completes at once: the account stays in the organization, suspended, as AWS keeps it for 90 days.
      await tx.update({ kind: OKIND.account, account: ORG_ACCOUNT, key: id, data: { ...m.data, Status: 'SUSPENDED', State: 'SUSPENDED' } });
      return undefined;
    });
  },
};
