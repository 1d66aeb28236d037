// ApplyArchiveRule: archives the existing ACTIVE findings an archive rule matches (new findings
// are archived as they are found: see archive-rules.ts `archivedBy` and finding-refresh.ts).
import type { OperationTable } from '../types.js';
import { AKIND, analyzerKey } from './analyzer-store.js';
import { getArchiveRule, matchesFilter } from './archive-rules.js';
import { filterFields, type FindingDoc } from './finding-doc.js';
import { findingsOf } from './finding-refresh.js';
import { iso } from './wire.js';

export const archiveRuleApplicationOperations: OperationTable = {
  async ApplyArchiveRule(ctx, input) {
    const arn = String(input.analyzerArn);
    const ruleName = String(input.ruleName);
    const { analyzer, findings } = await findingsOf(ctx, arn, 'access-analyzer:ApplyArchiveRule');
    const key = analyzerKey(analyzer.region, analyzer.name);
    const account = ctx.caller.accountId;
    const now = iso(ctx.now);
    await ctx.store.transaction(async (tx) => {
      const { rule } = await getArchiveRule(tx, analyzer, account, ruleName);
      for (const f of findings) {
        if (f.status !== 'ACTIVE' || !matchesFilter(filterFields(f), rule.filter)) continue;
        await tx.update<FindingDoc>({ kind: AKIND.finding, account, key: `${key}|${f.id}`, data: { ...f, status: 'ARCHIVED', updatedAt: now } });
      }
    });
    return {};
  },
};
