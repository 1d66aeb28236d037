// Whose credentials an operation acts on. Credential operations take an optional UserName: when
// it is omitted, IAM acts on the caller — an IAM user's own credentials, or, for the root user,
// the root user's (access keys and signing certificates; AWS: "If you do not specify a user name,
// IAM determines the user name implicitly based on the AWS access key ID signing the request.
// This operation works for access keys under the AWS account.").
import type { ReadTx } from '../../store/index.js';
import type { ContextValue } from '../../policy/index.js';
import type { CallContext } from '../types.js';
import { invalidInput, noSuchEntity, optStr, resourceTagKeys, str } from './common.js';
import { KIND, ROOT_OWNER, iamArn, ownerKey, rootArn, type Tag, type UserDoc } from './entities.js';

/** The owner of a credential: an IAM user, or the account's root user. */
export interface CredentialOwner {
  /** The user's name as stored; '' for the root user. */
  userName: string;
  /** Parent key of the owner's credentials: ownerKey('user', name) or ROOT_OWNER. */
  parent: string;
  /** The resource ARN operations authorize against. */
  arn: string;
  root: boolean;
  tags: readonly Tag[];
}

export function rootOwner(account: string): CredentialOwner {
  return { userName: '', parent: ROOT_OWNER, arn: rootArn(account), root: true, tags: [] };
}

export function userOwner(u: UserDoc): CredentialOwner {
  return { userName: u.UserName, parent: ownerKey('user', u.UserName), arn: u.Arn, root: false, tags: u.Tags };
}

/** Whether the caller is its account's root user. */
export function callerIsRoot(ctx: CallContext): boolean {
  return ctx.caller.principal.kind === 'root';
}

/** Whether the caller is a privileged root session of a member account (STS AssumeRoot). */
export function callerInRootSession(ctx: CallContext): boolean {
  return callerIsRoot(ctx) && ctx.caller.session?.type === 'assumed-root';
}

/**
 * Resolves the owner an operation targets and authorizes `action` on it, in AWS's order:
 * authorization first (against the user's ARN, or `user/NAME` when it does not exist), then
 * NoSuchEntity. `allowRoot`: whether, without UserName, a root caller means the root user
 * (access keys, signing certificates); otherwise UserName is required of non-user callers —
 * except of an AssumeRoot session, for which an omitted UserName always means its root user
 * (IAM API reference, e.g. GetLoginProfile: "When you make this request with root user
 * credentials, you must use an AssumeRoot session to omit the user name.").
 */
export async function resolveOwner(
  ctx: CallContext, tx: ReadTx, input: Record<string, unknown>, action: string,
  opts: { allowRoot?: boolean; required?: boolean; extra?: Record<string, ContextValue | undefined> } = {},
): Promise<CredentialOwner> {
  const account = ctx.caller.accountId;
  let name = opts.required ? str(input, 'UserName') : optStr(input, 'UserName');
  if (name === undefined) {
    if (callerIsRoot(ctx) && (opts.allowRoot || callerInRootSession(ctx))) {
      const owner = rootOwner(account);
      ctx.authorize(action, owner.arn, opts.extra);
      return owner;
    }
    if (ctx.caller.userName === undefined) throw invalidInput('Must specify userName when calling with non-User credentials');
    name = ctx.caller.userName;
  }
  const u = await tx.get<UserDoc>(KIND.user, account, name);
  ctx.authorize(action, u ? u.data.Arn : iamArn(account, 'user', '/', name), { ...resourceTagKeys(u?.data.Tags), ...opts.extra });
  if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return userOwner(u.data);
}

/** The UserName member of outputs: absent for the root user's credentials. */
export function userNameMember(userName: string): { UserName?: string } {
  return userName === '' ? {} : { UserName: userName };
}

/** The SecretBox of the call; operations that keep secrets cannot run without one. */
export function secretsOf(ctx: CallContext): NonNullable<CallContext['secrets']> {
  // INVARIANT: the service runtime (runtime.ts createContext) always sets ctx.secrets.
  if (!ctx.secrets) throw new Error('CallContext.secrets is not set: the service runtime must provide the SecretBox');
  return ctx.secrets;
}
