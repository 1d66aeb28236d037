// Centralized root access for member accounts (IAM API reference):
// EnableOrganizationsRootCredentialsManagement, DisableOrganizationsRootCredentialsManagement,
// EnableOrganizationsRootSessions, DisableOrganizationsRootSessions, ListOrganizationsFeatures.
//
// Prerequisites (IAM User Guide, "Centralize root access for member accounts"): the caller's
// account is in an organization with all features, trusted access for IAM is enabled in
// Organizations, and the caller's account is the management account or IAM's delegated
// administrator. The Enable operations list CallerIsNotManagementAccount among their errors and
// the Disable/List operations do not: Warden lets only the management account enable a feature,
// and the delegated administrator disable or list them. The actions have no resource type in the
// Service Authorization Reference: they are authorized on `*`.
import type { CallContext, OperationTable } from '../types.js';
import { rootAccessStanding, setFeature, type RootAccessFeature, type RootAccessStanding } from '../organizations/root-access.js';
import { iamError } from './common.js';

// Messages: the model's documentation of each exception.
const organizationNotFound = () => iamError('OrganizationNotFoundException', 'The request was rejected because no organization is associated with your account.');
const notAllFeatures = () => iamError('OrganizationNotInAllFeaturesModeException', 'The request was rejected because your organization does not have All features enabled.');
const serviceAccessNotEnabled = () => iamError('ServiceAccessNotEnabledException', 'The request was rejected because trusted access is not enabled for IAM in Organizations.');
const notManagementOrDelegated = () => iamError('AccountNotManagementOrDelegatedAdministratorException',
  'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.');
const notManagement = () => iamError('CallerIsNotManagementAccountException',
  'The request was rejected because the account making the request is not the management account for the organization.');

/**
 * The prerequisites, in this order: an organization, all features, the management account or
 * IAM's delegated administrator (only the management account when `managementOnly`), trusted
 * access for IAM.
 */
function checked(s: RootAccessStanding | undefined, managementOnly: boolean): RootAccessStanding {
  if (!s) throw organizationNotFound();
  if (s.org.FeatureSet !== 'ALL') throw notAllFeatures();
  if (!s.management && !s.iamDelegatedAdmin) throw notManagementOrDelegated();
  if (managementOnly && !s.management) throw notManagement();
  if (!s.trustedAccess) throw serviceAccessNotEnabled();
  return s;
}

/** Authorizes `iam:<operation>`, then checks the prerequisites and sets the feature in one transaction. */
function change(operation: string, feature: RootAccessFeature, enabled: boolean) {
  return async (ctx: CallContext) => {
    ctx.authorize(`iam:${operation}`, '*');
    return ctx.store.transaction(async (tx) => {
      const s = checked(await rootAccessStanding(tx, ctx.caller.accountId), enabled);
      return { OrganizationId: s.org.Id, EnabledFeatures: await setFeature(tx, s.org.Id, feature, enabled) };
    });
  };
}

export const organizationsFeatureOperations: OperationTable = {
  EnableOrganizationsRootCredentialsManagement: change('EnableOrganizationsRootCredentialsManagement', 'RootCredentialsManagement', true),
  DisableOrganizationsRootCredentialsManagement: change('DisableOrganizationsRootCredentialsManagement', 'RootCredentialsManagement', false),
  EnableOrganizationsRootSessions: change('EnableOrganizationsRootSessions', 'RootSessions', true),
  DisableOrganizationsRootSessions: change('DisableOrganizationsRootSessions', 'RootSessions', false),

  async ListOrganizationsFeatures(ctx) {
    ctx.authorize('iam:ListOrganizationsFeatures', '*');
    const s = checked(await ctx.store.read((tx) => rootAccessStanding(tx, ctx.caller.accountId)), false);
    return { OrganizationId: s.org.Id, EnabledFeatures: s.features };
  },
};
