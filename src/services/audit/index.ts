// The audit trail: CloudTrail records of every API call, hash-chained and group-committed,
// read back through CloudTrail's LookupEvents and checked offline by `warden audit verify`.

/** The trail the server records calls into. */
export { createAuditTrail, auditEnabledByEnv, type AuditTrail, type AuditTrailOptions } from './trail.js';
/** What the server tells the trail about one call, and the record it becomes. */
export { buildRecord, operationHint, type AuditCall, type CloudTrailRecord, type KeyOwner, type UserIdentity } from './record.js';
/** Secret members and their redaction. */
export { HIDDEN, SECRET_MEMBERS, redact, redactMessage } from './redact.js';
/** The hash chain. */
export { GENESIS, hashEvent, verifyChain, type ChainBreak, type ChainVerdict } from './chain.js';
export { canonicalJson } from './canonical-json.js';
/** Chain verification of a whole store. */
export { verifyStoreChain } from './verify.js';
/** CloudTrail's operations (LookupEvents). */
export { cloudtrailOperations } from './lookup.js';
