// What each policy type may contain. AWS validates the same grammar differently per type:
// - identity, boundary, session policies: no Principal/NotPrincipal; Resource or NotResource required
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html:
//   "You cannot use the Principal element in an identity-based policy").
// - resource-based policies: Principal or NotPrincipal required.
// - role trust policies: Principal required, no NotPrincipal, and no Resource/NotResource
//   (IAM answers "Has prohibited field Resource").
// - SCPs: no Principal/NotPrincipal
//   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html).
// - RCPs: Principal must be "*", no NotPrincipal, no NotAction, and customer RCPs can only Deny
//   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html);
//   the AWS-managed RCPFullAWSAccess is the one Allow (parse it with `managed: true`).
// - IAM (identity, boundary, session, trust) Sids are alphanumeric
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
import type { Issue, PolicyType, Statement } from '../types.js';

type Path = (string | number)[];

interface TypeRules {
  principal: 'required' | 'forbidden' | 'optional';
  notPrincipal: boolean;
  resource: 'required' | 'forbidden';
  notAction: boolean;
  alphanumericSid: boolean;
  denyOnly: boolean;
  principalStarOnly: boolean;
}

const RULES: Record<PolicyType, TypeRules> = {
  identity: { principal: 'forbidden', notPrincipal: false, resource: 'required', notAction: true, alphanumericSid: true, denyOnly: false, principalStarOnly: false },
  boundary: { principal: 'forbidden', notPrincipal: false, resource: 'required', notAction: true, alphanumericSid: true, denyOnly: false, principalStarOnly: false },
  session: { principal: 'forbidden', notPrincipal: false, resource: 'required', notAction: true, alphanumericSid: true, denyOnly: false, principalStarOnly: false },
  resource: { principal: 'required', notPrincipal: true, resource: 'required', notAction: true, alphanumericSid: false, denyOnly: false, principalStarOnly: false },
  trust: { principal: 'required', notPrincipal: false, resource: 'forbidden', notAction: true, alphanumericSid: true, denyOnly: false, principalStarOnly: false },
  scp: { principal: 'forbidden', notPrincipal: false, resource: 'required', notAction: true, alphanumericSid: false, denyOnly: false, principalStarOnly: false },
  rcp: { principal: 'required', notPrincipal: false, resource: 'required', notAction: false, alphanumericSid: false, denyOnly: true, principalStarOnly: true },
};

export function checkStatementForType(
  st: Statement, raw: Record<string, unknown>, path: Path, opts: { type: PolicyType; managed?: boolean }, issues: Issue[],
): void {
  const r = RULES[opts.type];
  const add = (code: string, p: Path, message: string) => issues.push({ code, path: p, message });
  const hasP = 'Principal' in raw;
  const hasNP = 'NotPrincipal' in raw;
  if (r.principal === 'forbidden' && (hasP || hasNP)) {
    add('principal_not_allowed', [...path, hasP ? 'Principal' : 'NotPrincipal'], `a ${opts.type} policy must not specify a principal`);
  }
  if (r.principal === 'required' && !hasP && !(hasNP && r.notPrincipal)) {
    add('missing_principal', path, `a statement of a ${opts.type} policy must have a Principal${r.notPrincipal ? ' or NotPrincipal' : ''}`);
  }
  if (hasNP && !r.notPrincipal && r.principal !== 'forbidden') {
    add('not_principal_not_allowed', [...path, 'NotPrincipal'], `a ${opts.type} policy must not use NotPrincipal`);
  }
  const hasR = 'Resource' in raw || 'NotResource' in raw;
  if (r.resource === 'required' && !hasR) add('missing_resource', path, 'a statement must have Resource or NotResource');
  if (r.resource === 'forbidden' && hasR) add('resource_not_allowed', [...path, 'Resource' in raw ? 'Resource' : 'NotResource'], `a ${opts.type} policy must not specify a resource`);
  if (!r.notAction && 'NotAction' in raw) add('not_action_not_allowed', [...path, 'NotAction'], `a ${opts.type} policy must not use NotAction`);
  if (r.alphanumericSid && st.sid !== undefined && st.sid !== '' && !/^[A-Za-z0-9]+$/.test(st.sid)) {
    add('invalid_sid', [...path, 'Sid'], `Sid \`${st.sid}\` must contain only letters and digits`);
  }
  if (r.denyOnly && !opts.managed && st.effect === 'Allow') {
    add('allow_not_allowed', [...path, 'Effect'], `a ${opts.type} policy may only Deny (only the AWS-managed policy allows)`);
  }
  // "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
  // supported." (reference_policies_elements_notprincipal.html)
  if (hasNP && st.effect === 'Allow') {
    add('not_principal_with_allow', [...path, 'NotPrincipal'], 'NotPrincipal can only be used with `"Effect": "Deny"`');
  }
  if (r.principalStarOnly && st.principal && st.principal.kind !== 'any') {
    add('invalid_principal', [...path, 'Principal'], `the Principal of a ${opts.type} policy must be \`"*"\``);
  }
}
