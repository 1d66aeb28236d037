// Policy generation: StartPolicyGeneration, GetGeneratedPolicy, ListPolicyGenerations,
// CancelPolicyGeneration. The activity read is Warden's own audit trail (the request's
// cloudTrailDetails trails and access role are echoed, not read; its startTime/endTime bound the
// events considered). The generated policy allows exactly the actions the principal (an IAM user,
// or a role through its sessions) was allowed to call — failed calls are left out — grouped by
// service, on the resources the events name, or `*` when an event names none (Warden's records
// carry no `resources` element for the management events it serves).
//
// Jobs finish when started (status SUCCEEDED, or FAILED when the principal does not exist); they
// are kept as entities of kind AKIND.policyGeneration, key = job id, parent = principal ARN.
import { randomUUID } from 'node:crypto';
import { listAll } from '../iam/common.js';
import { KIND, type RoleDoc, type UserDoc } from '../iam/entities.js';
import { TRACKING_DAYS, namespaceOf, principalArnOf } from '../iam/last-accessed.js';
import type { CallContext, OperationTable } from '../types.js';
import { AKIND } from './analyzer-store.js';
import { authorize, iso, pagedOutput, validation } from './wire.js';
import { forEachRecord } from '../audit/records.js';

type JobStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export interface PolicyGenerationDoc {
  jobId: string;
  principalArn: string;
  status: JobStatus;
  startedOn: string;
  completedOn?: string;
  jobError?: { code: string; message: string };
  policy?: string;
  startTime: string;
  endTime: string;
  trails?: Array<{ cloudTrailArn: string; regions?: string[]; allRegions?: boolean }>;
}

function timeOf(v: unknown): Date | undefined {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v * 1000);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v);
  return undefined;
}

/** Builds the least-privilege policy from (action, resources) pairs. */
export function buildPolicy(uses: ReadonlyMap<string, ReadonlySet<string>>): string {
  // service → resource-set key → actions
  const byService = new Map<string, Map<string, { resources: string[]; actions: Set<string> }>>();
  for (const [action, resources] of uses) {
    const service = action.slice(0, action.indexOf(':'));
    const list = resources.has('*') || resources.size === 0 ? ['*'] : [...resources].sort();
    const key = list.join('\n');
    let groups = byService.get(service);
    if (!groups) byService.set(service, (groups = new Map()));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { resources: list, actions: new Set() }));
    g.actions.add(action);
  }
  const statements: Record<string, unknown>[] = [];
  for (const service of [...byService.keys()].sort()) {
    const groups = byService.get(service)!;
    for (const key of [...groups.keys()].sort()) {
      const g = groups.get(key)!;
      const actions = [...g.actions].sort();
      statements.push({
        Effect: 'Allow',
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: g.resources.length === 1 ? g.resources[0] : g.resources,
      });
    }
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The resources an event's record names (CloudTrail's `resources` element), if any. */
function resourcesOf(r: unknown): string[] {
  const list = (r as { resources?: Array<{ ARN?: unknown }> }).resources;
  return Array.isArray(list) ? list.map((x) => x.ARN).filter((a): a is string => typeof a === 'string') : [];
}

async function generate(ctx: CallContext, principalArn: string, from: Date, to: Date): Promise<Map<string, Set<string>>> {
  const want = principalArn.toLowerCase();
  const uses = new Map<string, Set<string>>();
  await forEachRecord(ctx.store, ctx.caller.accountId, from.toISOString(), (r) => {
    if (Date.parse(r.eventTime) > to.getTime() || r.errorCode !== undefined) return;
    if (r.eventName === 'ConsoleLogin' || r.eventSource === 'unknown') return;
    const who = principalArnOf(r);
    if (!who || who.toLowerCase() !== want) return;
    const action = `${namespaceOf(r)}:${r.eventName}`;
    let set = uses.get(action);
    if (!set) uses.set(action, (set = new Set()));
    const res = resourcesOf(r);
    if (res.length === 0) set.add('*');
    for (const a of res) set.add(a);
  });
  return uses;
}

async function principalExists(ctx: CallContext, arn: string): Promise<boolean> {
  const m = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m || m[1] !== ctx.caller.accountId) return false;
  return ctx.store.read(async (tx) => {
    if (m[2] === 'user') return (await tx.get<UserDoc>(KIND.user, m[1], m[3]))?.data.Arn === arn;
    return (await tx.get<RoleDoc>(KIND.role, m[1], m[3]))?.data.Arn === arn;
  });
}

async function job(ctx: CallContext, jobId: string): Promise<PolicyGenerationDoc> {
  const e = await ctx.store.read((tx) => tx.get<PolicyGenerationDoc>(AKIND.policyGeneration, ctx.caller.accountId, jobId));
  if (!e || e.data.jobId !== jobId) throw validation(`Invalid jobId: ${jobId}.`, 'fieldValidationFailed');
  return e.data;
}

function jobDetails(j: PolicyGenerationDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { jobId: j.jobId, status: j.status, startedOn: j.startedOn };
  if (j.completedOn) out.completedOn = j.completedOn;
  if (j.jobError) out.jobError = j.jobError;
  return out;
}

export const policyGenerationOperations: OperationTable = {
  async StartPolicyGeneration(ctx, input) {
    authorize(ctx, 'access-analyzer:StartPolicyGeneration', '*');
    const details = (input.policyGenerationDetails ?? {}) as { principalArn?: string };
    const principalArn = String(details.principalArn ?? '');
    const trail = input.cloudTrailDetails as { trails?: PolicyGenerationDoc['trails']; startTime?: unknown; endTime?: unknown } | undefined;
    const to = timeOf(trail?.endTime) ?? ctx.now;
    const from = timeOf(trail?.startTime) ?? new Date(ctx.now.getTime() - TRACKING_DAYS * 86_400_000);
    if (from.getTime() > to.getTime()) throw validation('startTime must be before endTime.', 'fieldValidationFailed');
    const now = iso(ctx.now);
    const jobId = randomUUID();
    const doc: PolicyGenerationDoc = { jobId, principalArn, status: 'SUCCEEDED', startedOn: now, completedOn: now, startTime: iso(from), endTime: iso(to) };
    if (trail?.trails) doc.trails = trail.trails;
    if (!(await principalExists(ctx, principalArn))) {
      doc.status = 'FAILED';
      doc.jobError = { code: 'RESOURCE_NOT_FOUND_ERROR', message: `The principal ${principalArn} could not be found.` };
    } else {
      doc.policy = buildPolicy(await generate(ctx, principalArn, from, to));
    }
    await ctx.store.transaction((tx) => tx.insert<PolicyGenerationDoc>({
      kind: AKIND.policyGeneration, account: ctx.caller.accountId, key: jobId, id: null, parent: principalArn, data: doc,
    }));
    return { jobId };
  },

  async GetGeneratedPolicy(ctx, input) {
    authorize(ctx, 'access-analyzer:GetGeneratedPolicy', '*');
    const j = await job(ctx, String(input.jobId));
    const properties: Record<string, unknown> = { isComplete: j.status === 'SUCCEEDED', principalArn: j.principalArn };
    if (j.trails) {
      properties.cloudTrailProperties = {
        trailProperties: j.trails.map((t) => ({ cloudTrailArn: t.cloudTrailArn, regions: t.regions ?? [], allRegions: t.allRegions ?? false })),
        startTime: j.startTime, endTime: j.endTime,
      };
    }
    const result: Record<string, unknown> = { properties };
    if (j.policy !== undefined) result.generatedPolicies = [{ policy: j.policy }];
    return { jobDetails: jobDetails(j), generatedPolicyResult: result };
  },

  async ListPolicyGenerations(ctx, input) {
    authorize(ctx, 'access-analyzer:ListPolicyGenerations', '*');
    const principal = typeof input.principalArn === 'string' ? input.principalArn : undefined;
    const all = await ctx.store.read((tx) => listAll<PolicyGenerationDoc>(tx, AKIND.policyGeneration, ctx.caller.accountId, principal?.toLowerCase()));
    const items = all.map((e) => e.data)
      .filter((j) => principal === undefined || j.principalArn === principal)
      .sort((x, y) => x.startedOn.localeCompare(y.startedOn) || x.jobId.localeCompare(y.jobId));
    return pagedOutput('policyGenerations', items, input, (j) => {
      const g: Record<string, unknown> = { jobId: j.jobId, principalArn: j.principalArn, status: j.status, startedOn: j.startedOn };
      if (j.completedOn) g.completedOn = j.completedOn;
      return g;
    });
  },

  async CancelPolicyGeneration(ctx, input) {
    authorize(ctx, 'access-analyzer:CancelPolicyGeneration', '*');
    const j = await job(ctx, String(input.jobId));
    if (j.status === 'IN_PROGRESS') {
      await ctx.store.transaction((tx) => tx.update<PolicyGenerationDoc>({
        kind: AKIND.policyGeneration, account: ctx.caller.accountId, key: j.jobId, data: { ...j, status: 'CANCELED', completedOn: iso(ctx.now) },
      }));
    }
    return {};
  },
};
