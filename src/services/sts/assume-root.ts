// AssumeRoot: a short privileged session as the root user of a member account, scoped by an AWS
// managed task policy (STS API reference, AssumeRoot; IAM User Guide, "Perform a privileged task
// on an AWS Organizations member account").
//
// - The caller is an IAM user or role (session) of the organization's management account or of
//   IAM's delegated administrator — never a root user ("You cannot use root user credentials to
//   make this call").
// - `sts:AssumeRoot` is authorized on the member account's root, `arn:aws:iam::MEMBER:root`,
//   with `sts:TaskPolicyArn` (Service Authorization Reference, AWS STS): by the caller's
//   identity-based policies (and the SCPs of its account; the management account has none).
// - Centralized root access must be on with its `RootSessions` feature (IAM
//   EnableOrganizationsRootSessions), and TargetPrincipal an active member account of the
//   caller's organization (an account id or its root ARN).
// - TaskPolicyArn is one of the five `arn:aws:iam::aws:policy/root-task/*` policies;
//   DurationSeconds at most 900 (the model's range 0–900; the protocol layer refuses more), 900
//   by default.
// The session acts as `arn:aws:iam::MEMBER:root` and carries the task policy as its session
// policy: the engine applies the task policy's denies to the root's access (policy/authorize.ts).
//
// AWS does not document the error of each refusal: Warden answers a missing prerequisite (root
// sessions off, a target outside the organization, a caller account that is neither the
// management account nor IAM's delegated administrator) with AccessDenied and AWS's "is not
// authorized to perform: sts:AssumeRoot on resource" wording, and a malformed TargetPrincipal or
// TaskPolicyArn with ValidationError.
import type { CallContext, OperationTable } from '../types.js';
import { rootArn } from '../iam/entities.js';
import { activeMemberOf, rootAccessStanding } from '../organizations/root-access.js';
import { issueSessionCredentials } from './credentials.js';
import { secretsOf } from '../iam/credential-owner.js';
import { accessDenied, optInt, refuseLimitedSession, str, validationError } from './common.js';
import type { SessionClaimsInput } from './token.js';

/** The task policies AssumeRoot accepts (STS API reference, AssumeRoot `TaskPolicyArn`). */
export const ROOT_TASK_POLICY_ARNS: readonly string[] = [
  'IAMAuditRootUserCredentials', 'IAMCreateRootUserPassword', 'IAMDeleteRootUserCredentials', 'S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy',
].map((n) => `arn:aws:iam::aws:policy/root-task/${n}`);

export const ROOT_SESSION_DEFAULT_SECONDS = 900;

const TARGET = /^(?:(\d{12})|arn:aws:iam::(\d{12}):root)$/;

export const MSG_ROOT_CALLER = 'You cannot use root user credentials to call AssumeRoot.';

function notAuthorized(ctx: CallContext, resource: string, why: string): Error {
  return accessDenied(`User: ${ctx.caller.principal.arn ?? 'anonymous'} is not authorized to perform: sts:AssumeRoot on resource: ${resource} because ${why}`);
}

/** The task policy ARN of the request (the model's `PolicyDescriptorType`, lower-case `arn`). */
function taskPolicyArnOf(input: Record<string, unknown>): string {
  const d = input.TaskPolicyArn;
  return d && typeof d === 'object' && typeof (d as { arn?: unknown }).arn === 'string' ? (d as { arn: string }).arn : '';
}

export const assumeRootOperations: OperationTable = {
  async AssumeRoot(ctx, input) {
    const caller = ctx.caller;
    refuseLimitedSession(caller, 'AssumeRoot');
    if (caller.principal.kind === 'root') throw accessDenied(MSG_ROOT_CALLER);
    if (caller.principal.kind !== 'user' && caller.principal.kind !== 'assumedRole') throw accessDenied('Cannot call AssumeRoot with session credentials');

    const targetText = str(input, 'TargetPrincipal');
    const m = TARGET.exec(targetText);
    if (!m) throw validationError(`Invalid TargetPrincipal: ${targetText}. Specify a member account ID or its root user ARN (arn:aws:iam::ACCOUNT_ID:root).`);
    const target = m[1] ?? m[2];
    const resource = rootArn(target);
    const taskPolicyArn = taskPolicyArnOf(input);
    if (!ROOT_TASK_POLICY_ARNS.includes(taskPolicyArn)) {
      throw validationError(`Invalid TaskPolicyArn: ${taskPolicyArn}. It must be one of ${ROOT_TASK_POLICY_ARNS.join(', ')}.`);
    }
    const duration = optInt(input, 'DurationSeconds') ?? ROOT_SESSION_DEFAULT_SECONDS;

    ctx.authorize('sts:AssumeRoot', resource, { 'sts:TaskPolicyArn': taskPolicyArn });

    await ctx.store.read(async (tx) => {
      const s = await rootAccessStanding(tx, caller.accountId);
      if (!s) throw notAuthorized(ctx, resource, 'your account is not a member of an organization');
      if (!s.management && !s.iamDelegatedAdmin) {
        throw notAuthorized(ctx, resource, 'your account is not the management account or delegated administrator account for centralized root access');
      }
      if (s.org.FeatureSet !== 'ALL' || !s.trustedAccess || !s.features.includes('RootSessions')) {
        throw notAuthorized(ctx, resource, 'centralized root access (RootSessions) is not enabled for your organization');
      }
      if (!(await activeMemberOf(tx, s.org, target))) {
        throw notAuthorized(ctx, resource, `${target} is not a member account of your organization`);
      }
    });

    const claims: SessionClaimsInput = {
      type: 'assumed-root',
      accountId: target,
      principal: { kind: 'root' },
      policyArns: [taskPolicyArn],
    };
    const sourceIdentity = caller.session?.sourceIdentity;
    if (sourceIdentity !== undefined) claims.sourceIdentity = sourceIdentity;
    const out: Record<string, unknown> = { Credentials: issueSessionCredentials(secretsOf(ctx), claims, ctx.now, duration) };
    if (sourceIdentity !== undefined) out.SourceIdentity = sourceIdentity;
    return out;
  },
};
