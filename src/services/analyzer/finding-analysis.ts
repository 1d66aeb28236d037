// Finding generation: what an analyzer finds now, as finding contents with their ids — external
// access from the stored trust policies of its zone of trust (external-access.ts), unused access
// from the last-used data of its accounts (unused-access.ts). A finding's id is derived from what
// it says (analyzer, resource, principal, action, conditions — or the unused-access type and key).
import type { CallContext } from '../types.js';
import { DEFAULT_UNUSED_ACCESS_AGE, isExternalAccess, isOrganizationWide, organizationAccounts, zoneOf, type AnalyzerDoc } from './analyzer-store.js';
import { externalAccessFindings } from './external-access.js';
import { externalAccessFindingId, stableId, type FindingContent } from './finding-doc.js';
import { unusedAccessFindings, type UnusedAccessExclusion } from './unused-access.js';

/** What the analysis of `a` finds now, as finding contents with their ids. */
export async function analyzeFindings(ctx: CallContext, a: AnalyzerDoc): Promise<FindingContent[]> {
  const account = ctx.caller.accountId;
  if (isExternalAccess(a.type)) {
    const found = await ctx.store.read(async (tx) => {
      const zone = await zoneOf(tx, a, account);
      return externalAccessFindings(tx, zone.accounts, new Set(zone.accounts), zone.organizationId);
    });
    return found.map((f) => ({
      id: externalAccessFindingId(a.arn, f),
      analyzerArn: a.arn, findingType: 'ExternalAccess', resource: f.resource, resourceType: f.resourceType, resourceOwnerAccount: f.resourceOwnerAccount,
      principal: f.principal, action: f.action, condition: f.condition, isPublic: f.isPublic,
      details: [{ externalAccessDetails: { action: f.action, condition: f.condition, isPublic: f.isPublic, principal: f.principal, sources: [{ type: 'POLICY' }] } }],
    }));
  }
  const age = a.configuration?.unusedAccess?.unusedAccessAge ?? DEFAULT_UNUSED_ACCESS_AGE;
  const rule = a.configuration?.unusedAccess?.analysisRule as { exclusions?: UnusedAccessExclusion[] } | undefined;
  const accounts = isOrganizationWide(a.type) && a.organizationId
    ? await ctx.store.read((tx) => organizationAccounts(tx, a.organizationId!))
    : [account];
  const found = [];
  for (const acct of accounts) found.push(...(await unusedAccessFindings(ctx.store, acct, age, ctx.now, rule?.exclusions ?? [])));
  return found.map((f) => ({
    id: stableId(a.arn, f.findingType, f.resource, f.discriminator),
    analyzerArn: a.arn, findingType: f.findingType, resource: f.resource, resourceType: f.resourceType, resourceOwnerAccount: f.resourceOwnerAccount,
    details: f.details,
  }));
}
