// The IAM operations, by model operation name. Each family lives in its own file.
import type { OperationTable } from '../types.js';
import { userOperations } from './users.js';
import { groupOperations } from './groups.js';
import { policyOperations } from './policies.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { roleOperations } from './roles.js';
import { credentialOperations } from './credentials.js';
import { accountOperations } from './account.js';
import { simulatorOperations } from './simulator.js';
import { organizationsFeatureOperations } from './organizations-features.js';
import { outboundFederationOperations } from './outbound-federation.js';

export const iamOperations: OperationTable = Object.freeze({
  ...userOperations,
  ...groupOperations,
  ...policyOperations,
  ...inlinePolicyOperations,
  ...roleOperations,
  ...credentialOperations,
  ...accountOperations,
  ...simulatorOperations,
  ...organizationsFeatureOperations,
  ...outboundFederationOperations,
});
