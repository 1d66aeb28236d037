// The contract between the HTTP server and the AWS services: who is calling (authenticated),
// what they asked, and how an operation authorizes itself through the engine.
import type { ContextValue, Principal, Explanation } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { SecretBox } from '../crypto/secrets.js';
import type { RoleDoc, UserDoc } from './iam/entities.js';

/** An authenticated caller, resolved from the request's access key (and session token). */
export interface Caller {
  principal: Principal;
  /** The account the caller belongs to (the account IAM operations act on). */
  accountId: string;
  /** The access key id used to sign the request. */
  accessKeyId: string;
  /** `aws:userid`: AIDA… for users, `AROA…:session` for role sessions, the account id for root. */
  userId: string;
  /** For IAM users: the user name. */
  userName?: string;
  /** For role sessions: the role name. */
  roleName?: string;
  /** For temporary credentials: the session's claims (see the STS issue). */
  session?: SessionClaims;
}

/** What a temporary-credential session carries (decoded from the session token). */
export interface SessionClaims {
  /**
   * `assumed-role` | `federated-user` | `session-token` (GetSessionToken keeps the user's identity) |
   * `assumed-root` (AssumeRoot: a member account's root user, limited by a task policy).
   */
  type: 'assumed-role' | 'federated-user' | 'session-token' | 'assumed-root';
  issuedAt: string;
  expiresAt: string;
  /** Inline session policy text and managed session policy ARNs. */
  policy?: string;
  policyArns?: string[];
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  mfaAuthenticated?: boolean;
  mfaAuthTime?: string;
  /** True when this session was obtained by role chaining. */
  chained?: boolean;
}

/** Everything an operation handler gets besides its input. */
export interface CallContext {
  requestId: string;
  caller: Caller;
  now: Date;
  sourceIp: string;
  userAgent?: string;
  region: string;
  secureTransport: boolean;
  store: Store;
  /**
   * Encrypts secrets kept at rest (secret access keys, server certificate private keys) under
   * the master key. Set by the service runtime; operations that store secrets refuse without it.
   */
  secrets?: SecretBox;
  /**
   * The server's public base URL (`warden serve --public-url`, default its own http://host:port):
   * outbound identity federation's issuer URLs live under it. Absent outside a served runtime.
   */
  publicUrl?: string;
  /**
   * Authorizes `action` on `resource` for the caller through the engine, with the request's
   * global condition keys plus `extra` (e.g. `aws:RequestTag/…`, `iam:PassedToService`).
   * Throws an AwsError AccessDenied (AWS's message) when not allowed; returns the explanation.
   */
  authorize(action: string, resource: string, extra?: Record<string, ContextValue | undefined>, opts?: AuthorizeCallOptions): Explanation;
  /**
   * This node's in-memory copy of users and roles (the authorization snapshot's): current with
   * every write this node has acknowledged, and with other nodes' writes within the change
   * feed's delay — IAM's own eventual consistency ("changes … are not always immediately
   * visible", IAM User Guide, troubleshooting). Hot reads (GetUser, GetRole) answer from it and
   * read the store when it lacks the entity. Absent outside the server runtime.
   */
  principals?: PrincipalReplica;
}

/** Read-only documents of users and roles by account and (case-insensitive) name. Never mutate them. */
export interface PrincipalReplica {
  user(accountId: string, name: string): UserDoc | undefined;
  role(accountId: string, name: string): RoleDoc | undefined;
}

export interface AuthorizeCallOptions {
  /** The resource's account when it differs from the caller's. */
  resourceAccount?: string;
  /** A resource-based policy governing the resource (text), e.g. a role trust policy. */
  resourcePolicy?: { id: string; document: string; kind: 'standard' | 'trust' | 'kms' };
}

/** An operation: input as decoded from the wire (shape of the model), output as the model's output shape. */
export type OperationHandler = (ctx: CallContext, input: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

/** A service's operations by model operation name. */
export type OperationTable = Readonly<Record<string, OperationHandler>>;
