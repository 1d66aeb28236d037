// Re-evaluation: findings are recomputed on read. The analysis (finding-analysis.ts) gives the
// findings as they are now, and `refresh` reconciles them with the stored ones: new ones are
// stored ACTIVE (ARCHIVED when an archive rule matches), stored ones no longer found become
// RESOLVED, resolved ones found again become ACTIVE again. External access depends only on what is
// stored, so its refresh is skipped while the store's revision is unchanged.
import type { Store } from '../../store/index.js';
import { listAll } from '../iam/common.js';
import type { CallContext } from '../types.js';
import { AKIND, analyzerKey, authorizedAnalyzerByArn, isExternalAccess, type AnalyzerDoc } from './analyzer-store.js';
import { archiveRulesOf, archivedBy } from './archive-rules.js';
import { analyzeFindings } from './finding-analysis.js';
import type { FindingDoc } from './finding-doc.js';
import { iso } from './wire.js';

const lastRefresh = new WeakMap<Store, Map<string, number>>();

/** Reconciles the stored findings of `a` with the analysis; returns them all. */
export async function refresh(ctx: CallContext, a: AnalyzerDoc): Promise<FindingDoc[]> {
  const account = ctx.caller.accountId;
  const key = analyzerKey(a.region, a.name);
  const external = isExternalAccess(a.type);
  let seen = lastRefresh.get(ctx.store);
  if (!seen) lastRefresh.set(ctx.store, (seen = new Map()));
  if (external && seen.get(a.arn) === (await ctx.store.revision())) {
    return ctx.store.read(async (tx) => (await listAll<FindingDoc>(tx, AKIND.finding, account, key)).map((e) => e.data));
  }
  const current = await analyzeFindings(ctx, a);
  const now = iso(ctx.now);
  const result = await ctx.store.transaction(async (tx) => {
    const stored = new Map((await listAll<FindingDoc>(tx, AKIND.finding, account, key)).map((e) => [e.data.id, e.data]));
    const rules = await archiveRulesOf(tx, account, key);
    const out: FindingDoc[] = [];
    const ids = new Set<string>();
    for (const c of current) {
      if (ids.has(c.id)) continue;
      ids.add(c.id);
      const old = stored.get(c.id);
      if (!old) {
        const doc: FindingDoc = { ...c, status: 'ACTIVE', createdAt: now, updatedAt: now, analyzedAt: now };
        if (archivedBy(rules, doc)) doc.status = 'ARCHIVED';
        await tx.insert<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${c.id}`, parent: key, data: doc });
        out.push(doc);
      } else if (old.status === 'RESOLVED' || JSON.stringify(old.details) !== JSON.stringify(c.details)) {
        const doc: FindingDoc = { ...old, ...c, updatedAt: now, analyzedAt: now };
        if (old.status === 'RESOLVED') doc.status = archivedBy(rules, doc) ? 'ARCHIVED' : 'ACTIVE';
        await tx.update<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${c.id}`, data: doc });
        out.push(doc);
      } else {
        out.push(old);
      }
    }
    for (const old of stored.values()) {
      if (ids.has(old.id)) continue;
      if (old.status === 'RESOLVED') { out.push(old); continue; }
      const doc: FindingDoc = { ...old, status: 'RESOLVED', updatedAt: now, analyzedAt: now };
      await tx.update<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${old.id}`, data: doc });
      out.push(doc);
    }
    return out;
  });
  if (external) seen.set(a.arn, await ctx.store.revision());
  return result;
}

/** The analyzer an `analyzerArn` input names, once `action` is authorized, and its findings as of now. */
export async function findingsOf(ctx: CallContext, arn: string, action: string): Promise<{ analyzer: AnalyzerDoc; findings: FindingDoc[] }> {
  const analyzer = await authorizedAnalyzerByArn(ctx, arn, action);
  return { analyzer, findings: await refresh(ctx, analyzer) };
}
