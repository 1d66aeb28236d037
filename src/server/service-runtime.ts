// What the server needs from the services layer. The services layer implements it in
// services/runtime.ts (`createServiceRuntime`); the server only depends on this shape.
import type { SecretBox } from '../crypto/secrets.js';
import type { Caller, CallContext, OperationTable } from '../services/types.js';
import type { OpenOptions, Store } from '../store/index.js';
import type { AuditCall } from '../services/audit/record.js';

/** What a request tells the services about itself, besides the caller. */
export interface RequestInfo {
  requestId: string;
  sourceIp: string;
  userAgent?: string;
  region: string;
  secureTransport: boolean;
  now: Date;
}

/** The answer of `resolveCredentials`. */
export type ResolvedCredentials =
  | { ok: true; secretAccessKey: string; caller: Caller }
  | { ok: false; code: 'InvalidClientTokenId' | 'ExpiredToken' | 'AccessDenied'; message: string };

/** The services, ready to serve: credentials lookup, call contexts and operation tables. */
export interface ServiceRuntime {
  store: Store;
  secrets: SecretBox;
  /** The public base URL outbound federation issuers live under (see `CallContext.publicUrl`). */
  publicUrl?: string;
  /** The secret and identity behind an access key id (and session token, for ASIA keys). */
  resolveCredentials(accessKeyId: string, sessionToken: string | undefined, now: Date): Promise<ResolvedCredentials>;
  createContext(caller: Caller, request: RequestInfo): CallContext;
  /** Operation tables by service; a service or operation missing here answers "not implemented". */
  operations: {
    iam: OperationTable;
    sts?: OperationTable;
    organizations?: OperationTable;
    cloudtrail?: OperationTable;
    accessanalyzer?: OperationTable;
  };
  /**
   * AUDIT HOOK (issue 6): the audit trail. The server awaits `record` for every API call before
   * its answer goes out and answers 500 InternalFailure instead when it rejects.
   */
  audit?: { readonly enabled: boolean; record(call: AuditCall): Promise<void> };
  /** Resolves once this node's authorization snapshot includes every committed write (read-your-writes). */
  afterWrite(): Promise<void>;
  close(): Promise<void>;
}

/** How the CLI builds the runtime (services/runtime.ts `createServiceRuntime`). */
export type CreateServiceRuntime = (options: { store: Store; secrets: SecretBox; accountId: string; storeOptions?: OpenOptions; publicUrl?: string }) => Promise<ServiceRuntime>;
