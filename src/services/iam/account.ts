// The account as a whole: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases,
// GetAccountSummary, SetSecurityTokenServicePreferences; GetAccountAuthorizationDetails lives in
// account-authorization-details.ts and is merged into `accountOperations` here.
// These actions take no resource: AWS authorizes them on `*`.
import type { ReadTx } from '../../store/index.js';
import { AlreadyExistsError } from '../../store/index.js';
import type { OperationTable } from '../types.js';
import { entityAlreadyExists, listAll, noSuchEntity, paginate, POLICY_LIMITS, str } from './common.js';
import { KIND, ROOT_OWNER } from './entities.js';
import { accountAuthorizationDetailsOperations } from './account-authorization-details.js';

/** KIND.accountAlias, stored twice: in the account (its alias) and in account '' (global uniqueness). */
export interface AccountAliasDoc {
  AccountAlias: string;
  AccountId: string;
}

/** Account-wide settings that have no kind of their own; key = setting name. */
export const ACCOUNT_SETTINGS_KIND = 'account-settings';
const STS_PREFERENCES = 'sts-preferences';

export interface StsPreferencesDoc {
  GlobalEndpointTokenVersion: 'v1Token' | 'v2Token';
}

/**
 * The quotas GetAccountSummary reports, with AWS's default values
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const ACCOUNT_QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  ServerCertificatesQuota: 20,
  InstanceProfilesQuota: 1000,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  PolicySizeQuota: POLICY_LIMITS.managed,
  PolicyVersionsInUseQuota: 10000,
  VersionsPerPolicyQuota: 5,
  GroupsPerUserQuota: 10,
  UserPolicySizeQuota: POLICY_LIMITS.userInline,
  GroupPolicySizeQuota: POLICY_LIMITS.groupInline,
  RolePolicySizeQuota: POLICY_LIMITS.roleInline,
  AssumeRolePolicySizeQuota: POLICY_LIMITS.trust,
  AccessKeysPerUserQuota: 2,
  SigningCertificatesPerUserQuota: 2,
} as const;

/** The alias of an account, if it has one. */
export async function accountAliasOf(tx: ReadTx, account: string): Promise<string | undefined> {
  const all = await tx.list<AccountAliasDoc>(KIND.accountAlias, account, { limit: 1 });
  return all[0]?.data.AccountAlias;
}

export async function globalEndpointTokenVersion(tx: ReadTx, account: string): Promise<'v1Token' | 'v2Token'> {
  const s = await tx.get<StsPreferencesDoc>(ACCOUNT_SETTINGS_KIND, account, STS_PREFERENCES);
  return s?.data.GlobalEndpointTokenVersion ?? 'v1Token';
}

const ownAccountOperations: OperationTable = {
  async CreateAccountAlias(ctx, input) {
    const alias = str(input, 'AccountAlias');
    const account = ctx.caller.accountId;
    ctx.authorize('iam:CreateAccountAlias', '*');
    return ctx.store.transaction(async (tx) => {
      const taken = await tx.get<AccountAliasDoc>(KIND.accountAlias, '', alias);
      if (taken) {
        if (taken.data.AccountId === account) return undefined;
        throw entityAlreadyExists(`The account alias ${alias} already exists.`);
      }
      // An account has one alias: a new one replaces the old (AWS Sign-In User Guide,
      // "Creating, deleting, and listing an AWS account alias").
      for (const old of await listAll<AccountAliasDoc>(tx, KIND.accountAlias, account)) {
        await tx.delete(KIND.accountAlias, account, old.key);
        await tx.delete(KIND.accountAlias, '', old.key);
      }
      const doc: AccountAliasDoc = { AccountAlias: alias, AccountId: account };
      try {
        await tx.insert({ kind: KIND.accountAlias, account: '', key: alias, data: doc });
      } catch (e) {
        if (e instanceof AlreadyExistsError) throw entityAlreadyExists(`The account alias ${alias} already exists.`);
        throw e;
      }
      await tx.insert({ kind: KIND.accountAlias, account, key: alias, data: doc });
      return undefined;
    });
  },

  async DeleteAccountAlias(ctx, input) {
    const alias = str(input, 'AccountAlias');
    const account = ctx.caller.accountId;
    ctx.authorize('iam:DeleteAccountAlias', '*');
    return ctx.store.transaction(async (tx) => {
      const mine = await tx.get<AccountAliasDoc>(KIND.accountAlias, account, alias);
      if (!mine) throw noSuchEntity(`The account alias ${alias} cannot be found.`);
      await tx.delete(KIND.accountAlias, account, mine.key);
      await tx.delete(KIND.accountAlias, '', mine.key);
      return undefined;
    });
  },

  async ListAccountAliases(ctx, input) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:ListAccountAliases', '*');
    const all = await ctx.store.read((tx) => listAll<AccountAliasDoc>(tx, KIND.accountAlias, account));
    const page = paginate(all, (a) => a.key, input);
    return { AccountAliases: page.items.map((a) => a.data.AccountAlias), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async SetSecurityTokenServicePreferences(ctx, input) {
    const version = str(input, 'GlobalEndpointTokenVersion') === 'v2Token' ? 'v2Token' : 'v1Token';
    const account = ctx.caller.accountId;
    ctx.authorize('iam:SetSecurityTokenServicePreferences', '*');
    return ctx.store.transaction(async (tx) => {
      const data: StsPreferencesDoc = { GlobalEndpointTokenVersion: version };
      if (await tx.get(ACCOUNT_SETTINGS_KIND, account, STS_PREFERENCES)) {
        await tx.update({ kind: ACCOUNT_SETTINGS_KIND, account, key: STS_PREFERENCES, data });
      } else {
        await tx.insert({ kind: ACCOUNT_SETTINGS_KIND, account, key: STS_PREFERENCES, data });
      }
      return undefined;
    });
  },

  async GetAccountSummary(ctx) {
    const account = ctx.caller.accountId;
    ctx.authorize('iam:GetAccountSummary', '*');
    const summary = await ctx.store.read(async (tx) => {
      const count = (kind: string, parent?: string) => tx.count(kind, account, parent === undefined ? undefined : { parent });
      const mfa = await listAll<Record<string, unknown>>(tx, KIND.mfaDevice, account);
      const present = (n: number) => (n > 0 ? 1 : 0);
      return {
        Users: await count(KIND.user),
        Groups: await count(KIND.group),
        Roles: await count(KIND.role),
        Policies: await count(KIND.policy),
        ServerCertificates: await count(KIND.serverCertificate),
        InstanceProfiles: await count(KIND.instanceProfile),
        Providers: (await count(KIND.oidcProvider)) + (await count(KIND.samlProvider)),
        MFADevices: mfa.length,
        // A device is in use once enabled for (assigned to) a user or the root user.
        MFADevicesInUse: mfa.filter((d) => d.parent !== null && typeof d.data.EnableDate === 'string').length,
        AccountMFAEnabled: present(mfa.filter((d) => d.parent === ROOT_OWNER.toLowerCase()).length),
        AccountAccessKeysPresent: present(await count(KIND.accessKey, ROOT_OWNER)),
        AccountSigningCertificatesPresent: present(await count(KIND.signingCertificate, ROOT_OWNER)),
        // Managed policies attached to users, groups and roles (AWS managed ones included).
        PolicyVersionsInUse: await count(KIND.attachment),
        GlobalEndpointTokenVersion: (await globalEndpointTokenVersion(tx, account)) === 'v2Token' ? 2 : 1,
      };
    });
    return { SummaryMap: { ...summary, ...ACCOUNT_QUOTAS } };
  },
};

export const accountOperations: OperationTable = {
  ...ownAccountOperations,
  ...accountAuthorizationDetailsOperations,
};
