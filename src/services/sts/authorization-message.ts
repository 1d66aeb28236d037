// Encoded authorization failure messages and DecodeAuthorizationMessage.
//
// Some AWS services (EC2 and others) do not explain a denial in clear text: the error carries an
// "encoded authorization failure message" that only a caller allowed
// `sts:DecodeAuthorizationMessage` can decode. The decoded message is JSON with `allowed`,
// `explicitDeny`, `matchedStatements`, `failures` and `context` (principal, action, resource,
// conditions), as in the STS API reference's DecodeAuthorizationMessage example. Warden's
// encoding is that JSON sealed with AES-256-GCM under its own HKDF-derived key, so it is opaque
// to the caller and cannot be forged. IAM and STS themselves answer in clear text (as AWS does);
// a service opts in with `ctx.authorize(…, { encodeMessage: true })`.
import type { SecretBox } from '../../crypto/secrets.js';
import { AwsError, modelError } from '../../protocol/index.js';
import type { Explanation, Principal, RequestContext } from '../../policy/index.js';
import type { OperationTable } from '../types.js';
import { STS, refuseLimitedSession, str } from './common.js';

export const AUTHORIZATION_MESSAGE_PURPOSE = 'sts-authorization-message';
const PREFIX = 'WAM';

/** The opt-in option of `ctx.authorize`: encode the AccessDenied message (AWS's EC2-style). */
export interface EncodeOption {
  encodeMessage?: boolean;
}

export interface DeniedRequest {
  action: string;
  resource: string;
  context: RequestContext;
  principal: Principal;
  userId: string;
}

const boxes = new WeakMap<SecretBox, SecretBox>();
function boxOf(secrets: SecretBox): SecretBox {
  let b = boxes.get(secrets);
  if (!b) { b = secrets.forPurpose(AUTHORIZATION_MESSAGE_PURPOSE); boxes.set(secrets, b); }
  return b;
}

/** The decoded form, in AWS's shape. */
export function decodedMessage(explanation: Explanation, req: DeniedRequest): Record<string, unknown> {
  const statements = explanation.reasons.map((r) => ({
    statementId: r.sid ?? '',
    effect: r.effect.toUpperCase(),
    principals: { items: [{ value: req.userId }] },
    principalGroups: { items: [] },
    actions: { items: [{ value: req.action }] },
    resources: { items: [{ value: req.resource }] },
    conditions: { items: [] },
    policyType: r.policyType,
    policyName: r.policyName ?? r.policyId,
    statementIndex: r.statementIndex,
  }));
  const conditions = Object.keys(req.context).sort().map((k) => {
    const v = req.context[k];
    const values = v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
    return { key: k, values: { items: values.map((value) => ({ value })) } };
  });
  const failures = explanation.deniedBy ? [{ layer: explanation.deniedBy, target: explanation.deniedAt, message: explanation.message }] : [];
  return {
    allowed: explanation.decision === 'Allow',
    explicitDeny: explanation.decision === 'ExplicitDeny',
    matchedStatements: { items: statements },
    failures: { items: failures },
    context: {
      principal: { id: req.userId, arn: req.principal.arn ?? '' },
      action: req.action,
      resource: req.resource,
      conditions: { items: conditions },
    },
  };
}

/** Seals the decoded message. */
export function encodeAuthorizationMessage(secrets: SecretBox, explanation: Explanation, req: DeniedRequest): string {
  // Bound to the caller's account: only that account can decode it.
  const sealed = boxOf(secrets).encrypt(JSON.stringify(decodedMessage(explanation, req)), req.principal.accountId ?? '');
  return PREFIX + sealed.slice(sealed.indexOf('.') + 1);
}

/** The decoded JSON text, or undefined when `encoded` is not a message Warden encoded for `accountId`. */
export function decodeAuthorizationMessage(secrets: SecretBox, encoded: string, accountId: string): string | undefined {
  if (!encoded.startsWith(PREFIX)) return undefined;
  return boxOf(secrets).tryDecrypt(`v1.${encoded.slice(PREFIX.length)}`, accountId);
}

/** AccessDenied with an encoded authorization failure message. */
export function encodedAccessDenied(secrets: SecretBox, explanation: Explanation, req: DeniedRequest): AwsError {
  const msg = encodeAuthorizationMessage(secrets, explanation, req);
  return new AwsError('AccessDenied', `You are not authorized to perform this operation. Encoded authorization failure message: ${msg}`, { status: 403, type: 'Sender' });
}

export const authorizationMessageOperations: OperationTable = {
  async DecodeAuthorizationMessage(ctx, input) {
    const encoded = str(input, 'EncodedMessage');
    refuseLimitedSession(ctx.caller, 'DecodeAuthorizationMessage');
    ctx.authorize('sts:DecodeAuthorizationMessage', '*');
    if (!ctx.secrets) throw new AwsError('InternalFailure', 'no secret box', { status: 500, type: 'Receiver' });
    const decoded = decodeAuthorizationMessage(ctx.secrets, encoded, ctx.caller.accountId);
    if (decoded === undefined) throw modelError(STS, 'InvalidAuthorizationMessageException', 'Provided authorization message is invalid.');
    return { DecodedMessage: decoded };
  },
};
