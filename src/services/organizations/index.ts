// AWS Organizations over JSON 1.1 (`AWSOrganizationsV20161128.*`): the operation table the
// server routes to. Operations not listed here answer "not implemented" (see
// docs/organizations-coverage.md).
import type { OperationTable } from '../types.js';
import { organizationOperations } from './organization.js';
import { unitOperations } from './units.js';
import { accountOperations } from './accounts.js';
import { policyOperations } from './policies.js';
import { tagOperations } from './tags.js';
import { handshakeOperations } from './handshakes.js';
import { effectiveOperations } from './effective.js';

export const organizationsOperations: OperationTable = {
  ...organizationOperations,
  ...unitOperations,
  ...accountOperations,
  ...policyOperations,
  ...tagOperations,
  ...handshakeOperations,
  ...effectiveOperations,
};
