// IAM credentials: access keys, login profiles and the account password policy, SSH public keys,
// signing and server certificates, service-specific credentials, and MFA device listing. Each
// family lives in its own file; this table merges them.
import type { OperationTable } from '../types.js';
import { accessKeyOperations } from './access-keys.js';
import { loginProfileOperations } from './login-profiles.js';
import { passwordPolicyOperations } from './password-policy.js';
import { sshKeyOperations } from './ssh-keys.js';
import { signingCertificateOperations } from './certificates.js';
import { serverCertificateOperations } from './server-certificates.js';
import { serviceSpecificCredentialOperations } from './service-specific-credentials.js';
import { mfaListingOperations } from './mfa-listing.js';
import { mfaOperations } from './mfa.js';
import { credentialReportOperations } from './credential-report.js';
import { lastAccessedOperations } from './last-accessed.js';
import { policiesGrantingAccessOperations } from './policies-granting-access.js';
import { organizationsAccessReportOperations } from './organizations-access-report.js';

export { recordAccessKeyUse } from './access-keys.js';
export { checkPasswordPolicy } from './password-policy.js';

export const credentialOperations: OperationTable = {
  ...accessKeyOperations,
  ...loginProfileOperations,
  ...passwordPolicyOperations,
  ...sshKeyOperations,
  ...signingCertificateOperations,
  ...serverCertificateOperations,
  ...serviceSpecificCredentialOperations,
  ...mfaListingOperations,
  ...mfaOperations,
  ...credentialReportOperations,
  ...lastAccessedOperations,
  ...policiesGrantingAccessOperations,
  ...organizationsAccessReportOperations,
};
