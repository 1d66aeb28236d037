// Archive rules: CreateArchiveRule, GetArchiveRule, ListArchiveRules, UpdateArchiveRule,
// DeleteArchiveRule (ApplyArchiveRule, which archives existing findings, is in
// archive-rule-application.ts), which new findings the rules archive, and the filter language
// that archive rules and ListFindings share:
// a map of finding attribute → criterion (eq / neq / contains / exists), all of which must hold.
import { listAll } from '../iam/common.js';
import { AlreadyExistsError, type ReadTx, type Tx } from '../../store/index.js';
import type { CallContext, OperationTable } from '../types.js';
import {
  AKIND, analyzerArn, analyzerKey, getAnalyzer, type AnalyzerDoc, type ArchiveRuleDoc, type Criterion, type FilterMap,
} from './analyzer-store.js';
import { filterFields, type FilterableFinding } from './finding-doc.js';
import { authorize, conflict, iso, notFound, pagedOutput, quotaExceeded, validation } from './wire.js';

/** AWS's quota: archive rules per analyzer. */
export const MAX_ARCHIVE_RULES = 100;

/** The finding attributes a filter can name, as one flat record (see finding-doc.ts `filterFields`). */
export type FilterFields = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Whether `fields` satisfy every criterion of `filter`. Attribute names are matched as written, then case-insensitively. */
export function matchesFilter(fields: FilterFields, filter: FilterMap): boolean {
  const lower = new Map<string, string | readonly string[] | undefined>();
  for (const [k, v] of Object.entries(fields)) lower.set(k.toLowerCase(), v);
  for (const [name, c] of Object.entries(filter)) {
    const raw = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : lower.get(name.toLowerCase());
    const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
    if (c.exists !== undefined && (values.length > 0) !== c.exists) return false;
    if (c.eq !== undefined && !c.eq.some((v) => values.includes(v))) return false;
    if (c.neq !== undefined && c.neq.some((v) => values.includes(v))) return false;
    if (c.contains !== undefined && !c.contains.some((v) => values.some((x) => x.includes(v)))) return false;
  }
  return true;
}

/** Checks an archive rule's filter: criteria keys and one criterion each. */
export function checkFilter(filter: unknown): FilterMap {
  if (!filter || typeof filter !== 'object') throw validation('filter is required.', 'fieldValidationFailed');
  const out: FilterMap = {};
  for (const [k, c] of Object.entries(filter as Record<string, Criterion>)) {
    if (!c || typeof c !== 'object' || (c.eq === undefined && c.neq === undefined && c.contains === undefined && c.exists === undefined)) {
      throw validation(`Invalid filter criterion for ${k}: specify eq, neq, contains or exists.`, 'fieldValidationFailed');
    }
    out[k] = c;
  }
  return out;
}

/** Stores a new archive rule of `a`; a rule of that name already there is a ConflictException. */
export async function insertArchiveRule(tx: Tx, a: AnalyzerDoc, account: string, ruleName: string, filter: FilterMap, now: string): Promise<void> {
  const key = analyzerKey(a.region, a.name);
  try {
    await tx.insert<ArchiveRuleDoc>({
      kind: AKIND.archiveRule, account, key: `${key}|${ruleName}`, parent: key,
      data: { ruleName, filter, createdAt: now, updatedAt: now },
    });
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw conflict('ArchiveRule', ruleName, `An archive rule with the name ${ruleName} already exists.`);
    throw e;
  }
}

/** The archive rules of the analyzer whose entity key is `analyzer`. */
export async function archiveRulesOf(tx: ReadTx, account: string, analyzer: string): Promise<ArchiveRuleDoc[]> {
  return (await listAll<ArchiveRuleDoc>(tx, AKIND.archiveRule, account, analyzer)).map((e) => e.data);
}

/** Whether any of `rules` archives `f` as a new finding (the rules see it ACTIVE). */
export function archivedBy(rules: readonly ArchiveRuleDoc[], f: FilterableFinding): boolean {
  const fields = filterFields({ ...f, status: 'ACTIVE' });
  return rules.some((r) => matchesFilter(fields, r.filter));
}

const ruleArn = (region: string, account: string, analyzer: string, rule: string) => `${analyzerArn(region, account, analyzer)}/archive-rule/${rule}`;

export function ruleSummary(r: ArchiveRuleDoc): Record<string, unknown> {
  return { ruleName: r.ruleName, filter: r.filter, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/** The names an archive-rule operation takes, once `action` on the rule is authorized. */
function ruleInput(ctx: CallContext, input: Record<string, unknown>, action: string): { analyzerName: string; ruleName: string; account: string } {
  const analyzerName = String(input.analyzerName);
  const ruleName = String(input.ruleName);
  const account = ctx.caller.accountId;
  authorize(ctx, action, ruleArn(ctx.region, account, analyzerName, ruleName));
  return { analyzerName, ruleName, account };
}

/** The stored archive rule `ruleName` of analyzer `a`, with its entity key. */
export async function getArchiveRule(tx: ReadTx, a: AnalyzerDoc, account: string, ruleName: string): Promise<{ key: string; rule: ArchiveRuleDoc }> {
  const key = `${analyzerKey(a.region, a.name)}|${ruleName}`;
  const r = await tx.get<ArchiveRuleDoc>(AKIND.archiveRule, account, key);
  if (!r || r.data.ruleName !== ruleName) throw notFound('ArchiveRule', ruleName, `Archive rule ${ruleName} not found.`);
  return { key, rule: r.data };
}

export const archiveRuleOperations: OperationTable = {
  async CreateArchiveRule(ctx, input) {
    const { analyzerName, ruleName, account } = ruleInput(ctx, input, 'access-analyzer:CreateArchiveRule');
    const filter = checkFilter(input.filter);
    await ctx.store.transaction(async (tx) => {
      const a = await getAnalyzer(tx, account, ctx.region, analyzerName);
      if (await tx.count(AKIND.archiveRule, account, { parent: analyzerKey(a.region, a.name) }) >= MAX_ARCHIVE_RULES) {
        throw quotaExceeded('ArchiveRule', ruleName, `You can create at most ${MAX_ARCHIVE_RULES} archive rules per analyzer.`);
      }
      await insertArchiveRule(tx, a, account, ruleName, filter, iso(ctx.now));
    });
    return {};
  },

  async GetArchiveRule(ctx, input) {
    const { analyzerName, ruleName, account } = ruleInput(ctx, input, 'access-analyzer:GetArchiveRule');
    const { rule } = await ctx.store.read(async (tx) => getArchiveRule(tx, await getAnalyzer(tx, account, ctx.region, analyzerName), account, ruleName));
    return { archiveRule: ruleSummary(rule) };
  },

  async ListArchiveRules(ctx, input) {
    const analyzerName = String(input.analyzerName);
    const account = ctx.caller.accountId;
    authorize(ctx, 'access-analyzer:ListArchiveRules', analyzerArn(ctx.region, account, analyzerName));
    const rules = await ctx.store.read(async (tx) => {
      const a = await getAnalyzer(tx, account, ctx.region, analyzerName);
      return archiveRulesOf(tx, account, analyzerKey(a.region, a.name));
    });
    const items = rules.sort((x, y) => x.ruleName.localeCompare(y.ruleName));
    return pagedOutput('archiveRules', items, input, ruleSummary);
  },

  async UpdateArchiveRule(ctx, input) {
    const { analyzerName, ruleName, account } = ruleInput(ctx, input, 'access-analyzer:UpdateArchiveRule');
    const filter = checkFilter(input.filter);
    await ctx.store.transaction(async (tx) => {
      const { key, rule } = await getArchiveRule(tx, await getAnalyzer(tx, account, ctx.region, analyzerName), account, ruleName);
      await tx.update<ArchiveRuleDoc>({ kind: AKIND.archiveRule, account, key, data: { ...rule, filter, updatedAt: iso(ctx.now) } });
    });
    return {};
  },

  async DeleteArchiveRule(ctx, input) {
    const { analyzerName, ruleName, account } = ruleInput(ctx, input, 'access-analyzer:DeleteArchiveRule');
    await ctx.store.transaction(async (tx) => {
      const { key } = await getArchiveRule(tx, await getAnalyzer(tx, account, ctx.region, analyzerName), account, ruleName);
      await tx.delete(AKIND.archiveRule, account, key);
    });
    return {};
  },
};
