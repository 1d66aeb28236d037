// Writes docs/coverage.md: every IAM operation of the model, implemented (in the runtime's
// operation table) or not and why, and the operations of the other services, implemented or
// not and why. `npm run coverage`; src/services/iam/coverage.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServiceModel, type ServiceName } from '../src/protocol/index.js';
import { iamOperations } from '../src/services/iam/index.js';
import { createStsOperations } from '../src/services/sts/index.js';
import { organizationsOperations } from '../src/services/organizations/index.js';
import { analyzerOperations } from '../src/services/analyzer/index.js';
import { cloudtrailOperations } from '../src/services/audit/index.js';
import type { AuthzSnapshot } from '../src/services/authz/snapshot.js';

export const COVERAGE_FILE = fileURLToPath(new URL('../docs/coverage.md', import.meta.url));

const DELEGATION = 'not planned: delegation requests are a workflow between AWS partners and customers approved in the AWS console; a self-hosted IAM has no partner side';
const SUMMARY = 'not planned: the summary is generated text with no specification to reproduce';

/** Why an IAM operation is not (yet) implemented, when it belongs to another issue or none. */
export const IAM_LATER: Readonly<Record<string, string>> = {
  AcceptDelegationRequest: DELEGATION,
  AssociateDelegationRequest: DELEGATION,
  CreateDelegationRequest: DELEGATION,
  GetDelegationRequest: DELEGATION,
  ListDelegationRequests: DELEGATION,
  RejectDelegationRequest: DELEGATION,
  SendDelegationToken: DELEGATION,
  UpdateDelegationRequest: DELEGATION,
  GetHumanReadableSummary: SUMMARY,
};

/** What an IAM operation that is neither implemented nor assigned elsewhere is: this issue's work not landed yet. */
export const IAM_PENDING = 'this issue (IAM families), not landed yet';

/** What an operation of another service that is neither implemented nor given a reason is. */
export const OTHER_PENDING = 'not implemented yet';

/** The other services: the runtime's table and why the operations it lacks are missing. */
export const OTHER_SERVICES: readonly {
  service: ServiceName; title: string; table: () => Readonly<Record<string, unknown>>;
  /** Only these operations are planned; the rest are `rest`. */
  only?: readonly string[]; rest?: string;
  /** Operations not planned, a reason for each group (each must be in the model and not implemented). */
  notPlanned?: readonly { why: string; ops: readonly string[] }[];
}[] = [
  // The table's handlers only use the snapshot when called; listing their names needs none.
  {
    service: 'sts', title: 'AWS STS', table: () => createStsOperations({ snapshot: undefined as unknown as AuthzSnapshot }), only: [],
    rest: 'not planned: it exchanges the trade-in token of an IAM delegation request, which AWS opens only to onboarded partners and delivers through SNS (docs/sts.md)',
  },
  {
    service: 'organizations', title: 'AWS Organizations', table: () => organizationsOperations,
    notPlanned: [
      { why: 'not planned: GovCloud (US) accounts live in a separate partition paired with a commercial account; Warden hosts one partition (aws)', ops: ['CreateGovCloudAccount'] },
      {
        why: 'not planned: responsibility transfer moves billing and management responsibility between organizations under AWS billing agreements; a self-hosted Warden has no billing side',
        ops: [
          'DescribeResponsibilityTransfer', 'InviteOrganizationToTransferResponsibility', 'ListInboundResponsibilityTransfers',
          'ListOutboundResponsibilityTransfers', 'TerminateResponsibilityTransfer', 'UpdateResponsibilityTransfer',
        ],
      },
      {
        why: 'not planned: AWS does not publish the validation checks it runs on effective policies; Warden computes effective tag policies (DescribeEffectivePolicy) without them',
        ops: ['ListAccountsWithInvalidEffectivePolicy', 'ListEffectivePolicyValidationErrors'],
      },
    ],
  },
  {
    service: 'cloudtrail', title: 'AWS CloudTrail', table: () => cloudtrailOperations, only: ['LookupEvents'],
    rest: 'not planned: trails, event data stores, CloudTrail Lake and channels deliver or store events elsewhere; Warden keeps its own audit log and serves it through LookupEvents',
  },
  {
    service: 'accessanalyzer', title: 'IAM Access Analyzer', table: () => analyzerOperations,
    notPlanned: [
      {
        why: 'not planned: only AWS services may create service-linked analyzers (a customer\'s call is AccessDeniedException) and deleting one calls back the managing service; Warden runs no such services',
        ops: ['CreateServiceLinkedAnalyzer', 'DeleteServiceLinkedAnalyzer'],
      },
      {
        why: 'not planned: AWS does not document how it writes the recommended replacement policy, so there is no behaviour to match (unused-access findings themselves are served)',
        ops: ['GenerateFindingRecommendation', 'GetFindingRecommendation'],
      },
    ],
  },
];

export interface IamCoverage {
  operations: string[];
  implemented: string[];
  /** Not implemented, with the reason (a later issue, not planned, or pending in this issue). */
  missing: { name: string; why: string }[];
}

export function iamCoverage(table: Readonly<Record<string, unknown>> = iamOperations): IamCoverage {
  const operations = Object.keys(loadServiceModel('iam').operations).sort();
  const implemented = operations.filter((op) => typeof table[op] === 'function');
  const missing = operations.filter((op) => typeof table[op] !== 'function').map((name) => ({ name, why: IAM_LATER[name] ?? IAM_PENDING }));
  return { operations, implemented, missing };
}

/** The whole of docs/coverage.md. */
export function renderCoverage(table: Readonly<Record<string, unknown>> = iamOperations): string {
  const c = iamCoverage(table);
  const why = new Map(c.missing.map((m) => [m.name, m.why]));
  const lines = [
    '# Operation coverage',
    '',
    'Generated by `npm run coverage` (`scripts/coverage.ts`) from the AWS service models in',
    '`src/protocol/models/` and the runtime\'s IAM operation table (`src/services/iam/index.ts`).',
    'Do not edit by hand: `src/services/iam/coverage.test.ts` fails when this file is stale.',
    '',
    `## IAM: ${c.implemented.length} of ${c.operations.length} operations implemented`,
    '',
    '| Operation | Status |',
    '| --- | --- |',
    ...c.operations.map((op) => `| ${op} | ${why.has(op) ? `❌ ${why.get(op)}` : '✅'} |`),
    '',
    '## Other services',
    '',
  ];
  for (const s of OTHER_SERVICES) {
    const ops = Object.keys(loadServiceModel(s.service).operations).sort();
    const table = s.table();
    const done = ops.filter((o) => typeof table[o] === 'function');
    const groups = s.notPlanned ?? [];
    const stale = groups.flatMap((g) => g.ops).filter((o) => !ops.includes(o) || done.includes(o));
    if (stale.length > 0) throw new Error(`${s.service}: not planned but implemented or not in the model: ${stale.join(', ')}`);
    const planned = s.only ? ops.filter((o) => s.only!.includes(o) || done.includes(o)) : ops;
    const todo = planned.filter((o) => !done.includes(o) && !groups.some((g) => g.ops.includes(o)));
    lines.push(`### ${s.title}: ${done.length} of ${ops.length} operations implemented`, '');
    if (done.length > 0) lines.push(`✅ ${done.map((o) => `\`${o}\``).join(', ')}`, '');
    if (todo.length > 0) lines.push(`❌ ${OTHER_PENDING}: ${todo.map((o) => `\`${o}\``).join(', ')}`, '');
    for (const g of groups) lines.push(`❌ ${g.why}: ${g.ops.map((o) => `\`${o}\``).join(', ')}.`, '');
    if (s.rest) {
      const rest = ops.filter((o) => !planned.includes(o));
      lines.push(`❌ ${s.rest}: ${rest.map((o) => `\`${o}\``).join(', ')}.`, '');
    }
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(COVERAGE_FILE, renderCoverage());
  const c = iamCoverage();
  console.log(`wrote ${COVERAGE_FILE}: IAM ${c.implemented.length} of ${c.operations.length} implemented`);
}
