// STS (Query protocol, Version 2011-06-15): the operation table the service runtime serves.
// Operations that need the authorization snapshot (role lookups without a database read) get
// it from the runtime.
import type { AuthzSnapshot } from '../authz/snapshot.js';
import type { OperationTable } from '../types.js';
import { accessKeyInfoOperations } from './access-key-info.js';
import { assumeRoleOperations } from './assume-role.js';
import { assumeRootOperations } from './assume-root.js';
import { authorizationMessageOperations } from './authorization-message.js';
import { callerIdentityOperations } from './caller-identity.js';
import { federationTokenOperations } from './federation-token.js';
import { sessionTokenOperations } from './session-token.js';
import { webIdentityOperations } from './web-identity.js';
import { samlOperations } from './saml.js';
import { webIdentityTokenOperations } from './web-identity-token.js';

export { issueSessionCredentials, type SessionCredentials } from './credentials.js';
export type { SessionClaimsInput, SessionTokenClaims, SessionPrincipalClaims } from './token.js';

export interface StsDependencies {
  snapshot: AuthzSnapshot;
}

/** Every STS operation Warden implements, by model name. */
export function createStsOperations(deps: StsDependencies): OperationTable {
  return {
    ...assumeRoleOperations(deps),
    ...assumeRootOperations,
    ...sessionTokenOperations,
    ...federationTokenOperations,
    ...callerIdentityOperations,
    ...accessKeyInfoOperations(deps),
    ...authorizationMessageOperations,
    ...webIdentityOperations,
    ...samlOperations,
    ...webIdentityTokenOperations(deps),
  };
}
