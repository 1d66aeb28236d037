// Analyzed resources: ListAnalyzedResources, GetAnalyzedResource and StartResourceScan over the
// IAM roles of an external access analyzer's zone of trust.
import type { CallContext, OperationTable } from '../types.js';
import { isExternalAccess, zoneOf, type AnalyzerDoc } from './analyzer-store.js';
import { analyzedRoles } from './external-access.js';
import { findingsOf } from './finding-refresh.js';
import { iso, notFound, pagedOutput, validation } from './wire.js';

/** The roles an external-access analyzer covers (its zone's accounts). */
async function analyzedResources(ctx: CallContext, a: AnalyzerDoc) {
  if (!isExternalAccess(a.type)) throw validation('Analyzed resources are kept by external access analyzers only.', 'notSupported');
  return ctx.store.read(async (tx) => analyzedRoles(tx, (await zoneOf(tx, a, ctx.caller.accountId)).accounts));
}

export const analyzedResourceOperations: OperationTable = {
  async ListAnalyzedResources(ctx, input) {
    const { analyzer } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:ListAnalyzedResources');
    const type = typeof input.resourceType === 'string' ? input.resourceType : undefined;
    const roles = type === undefined || type === 'AWS::IAM::Role' ? await analyzedResources(ctx, analyzer) : [];
    const items = roles.sort((x, y) => x.arn.localeCompare(y.arn)).map((r) => ({ resourceArn: r.arn, resourceOwnerAccount: r.account, resourceType: 'AWS::IAM::Role' }));
    return pagedOutput('analyzedResources', items, input);
  },

  async GetAnalyzedResource(ctx, input) {
    const resourceArn = String(input.resourceArn);
    const { analyzer, findings } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:GetAnalyzedResource');
    const role = (await analyzedResources(ctx, analyzer)).find((r) => r.arn === resourceArn);
    if (!role) throw notFound('AnalyzedResource', resourceArn, `Analyzed resource ${resourceArn} not found.`);
    const mine = findings.filter((f) => f.resource === resourceArn && f.status !== 'RESOLVED');
    const active = mine.filter((f) => f.status === 'ACTIVE');
    const latest = mine.reduce((t, f) => (f.updatedAt > t ? f.updatedAt : t), role.createdAt);
    const resource: Record<string, unknown> = {
      resourceArn, resourceType: 'AWS::IAM::Role', createdAt: role.createdAt, analyzedAt: iso(ctx.now), updatedAt: latest,
      isPublic: mine.some((f) => f.isPublic === true), resourceOwnerAccount: role.account,
      actions: [...new Set(mine.flatMap((f) => f.action ?? []))].sort(), sharedVia: [],
    };
    if (mine.length > 0) resource.status = active.length > 0 ? 'ACTIVE' : 'ARCHIVED';
    return { resource };
  },

  async StartResourceScan(ctx, input) {
    const resourceArn = String(input.resourceArn);
    const { analyzer } = await findingsOf(ctx, String(input.analyzerArn), 'access-analyzer:StartResourceScan');
    if (!(await analyzedResources(ctx, analyzer)).some((r) => r.arn === resourceArn)) {
      throw notFound('AnalyzedResource', resourceArn, `Analyzed resource ${resourceArn} not found.`);
    }
    return {};
  },
};
