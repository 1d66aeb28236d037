// IAM identity providers: OpenID Connect (oidc-providers.ts) and SAML (saml-providers.ts), what
// they share in provider-family.ts. Merged into `roleOperations` (roles.ts). STS federates with
// these documents (AssumeRoleWithWebIdentity / AssumeRoleWithSAML): read them with
// `getOidcProvider` and `getSamlProvider`.
import type { OperationTable } from '../types.js';
import { oidcProviderOperations } from './oidc-providers.js';
import { samlProviderOperations } from './saml-providers.js';

export const providerOperations: OperationTable = {
  ...oidcProviderOperations,
  ...samlProviderOperations,
};
