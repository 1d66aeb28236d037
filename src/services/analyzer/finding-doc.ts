// The stored finding (kind AKIND.finding, key `analyzerKey|id`, child of its analyzer), the
// attributes filters and archive rules see of it, and how an external access finding's id is made.
import { createHash } from 'node:crypto';
import type { FilterFields } from './archive-rules.js';
import type { ExternalAccessFinding } from './external-access.js';

export type FindingStatus = 'ACTIVE' | 'ARCHIVED' | 'RESOLVED';

export interface FindingDoc {
  id: string;
  analyzerArn: string;
  findingType: 'ExternalAccess' | 'UnusedIAMRole' | 'UnusedIAMUserAccessKey' | 'UnusedIAMUserPassword' | 'UnusedPermission';
  resource: string;
  resourceType: string;
  resourceOwnerAccount: string;
  principal?: Record<string, string>;
  action?: string[];
  condition?: Record<string, string>;
  isPublic?: boolean;
  /** FindingDetails members (GetFindingV2). */
  details: Record<string, unknown>[];
  status: FindingStatus;
  createdAt: string;
  updatedAt: string;
  analyzedAt: string;
}

/** What a finding says, without its status and times: what the analysis gives. */
export type FindingContent = Omit<FindingDoc, 'status' | 'createdAt' | 'updatedAt' | 'analyzedAt'>;

/** What filters and archive rules can name of a finding. */
export type FilterableFinding = Pick<FindingDoc, 'id' | 'status' | 'resource' | 'resourceType' | 'resourceOwnerAccount' | 'findingType' | 'principal' | 'action' | 'condition' | 'isPublic'>;

/** The attributes filters and archive rules can name. */
export function filterFields(f: FilterableFinding): FilterFields {
  const out: Record<string, string | readonly string[] | undefined> = {
    id: f.id, status: f.status, resource: f.resource, resourceType: f.resourceType, resourceOwnerAccount: f.resourceOwnerAccount,
    findingType: f.findingType, action: f.action, isPublic: f.isPublic === undefined ? undefined : String(f.isPublic),
  };
  for (const [k, v] of Object.entries(f.principal ?? {})) out[`principal.${k}`] = v;
  for (const [k, v] of Object.entries(f.condition ?? {})) out[`condition.${k}`] = v;
  return out;
}

/** A stable UUID-shaped id from the parts that identify a finding. */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The id of an external access finding of analyzer `analyzerArn`: derived from what it says, so a
 * policy change that alters the access resolves the old finding and opens a new one.
 */
export function externalAccessFindingId(analyzerArn: string, f: Pick<ExternalAccessFinding, 'resource' | 'principal' | 'action' | 'condition'>): string {
  return stableId(analyzerArn, 'ExternalAccess', f.resource, JSON.stringify(f.principal), JSON.stringify(f.action), JSON.stringify(f.condition));
}
