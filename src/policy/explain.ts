// AWS's AccessDenied wording.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
// "User: arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: codecommit:ListRepositories
//  because no identity-based policy allows the codecommit:ListRepositories action"
// "... with an explicit deny in a service control policy"
import type { AuthorizationRequest, Decision, Layer, StatementRef } from './types.js';

const PHRASE: Record<Layer, [article: string, noun: string]> = {
  identity: ['an', 'identity-based policy'],
  resource: ['a', 'resource-based policy'],
  boundary: ['a', 'permissions boundary'],
  session: ['a', 'session policy'],
  scp: ['a', 'service control policy'],
  rcp: ['a', 'resource control policy'],
};

/** The caller as AWS names it in AccessDenied messages. */
export function callerName(request: AuthorizationRequest): string {
  const p = request.principal;
  if (p.kind === 'anonymous') return 'anonymous';
  if (p.kind === 'service') return p.service ?? 'service';
  return p.arn ?? p.federatedProvider ?? 'unknown';
}

export function accessDeniedMessage(
  request: AuthorizationRequest, decision: Decision, layer: Layer, _reasons: StatementRef[], policyArn?: string,
): string {
  const [article, noun] = PHRASE[layer];
  const head = `User: ${callerName(request)} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  if (decision === 'ExplicitDeny') {
    return `${head} with an explicit deny in ${article} ${noun}${policyArn ? `: ${policyArn}` : ''}`;
  }
  return `${head} because no ${noun} allows the ${request.action} action`;
}
