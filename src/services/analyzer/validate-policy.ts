// IAM Access Analyzer policy validation: the checks of AWS's "Access Analyzer policy check
// reference" over the submitted text, each finding located by its JSON path and its span (line
// from 1, column from 0, offset from 0). Pure and total: any text gives findings, never a throw.
import { JsonSyntaxError, LineIndex, scanJson, type JsonNode } from './json-locations.js';
import { CHECKS, learnMoreLink, toPathElements, type At, type CheckContext, type Finding, type PolicyKind } from './checks/common.js';
import { checkDocument } from './checks/document.js';
import { checkActions } from './checks/actions.js';
import { checkResources } from './checks/resources.js';
import { checkConditions } from './checks/conditions.js';
import { checkPrincipals } from './checks/principals.js';
import { checkResourceType } from './checks/resource-types.js';

export type { Finding, FindingType, PolicyKind } from './checks/common.js';

export interface ValidateOptions {
  /** `validatePolicyResourceType`, e.g. AWS::IAM::AssumeRolePolicyDocument. */
  resourceType?: string;
}

const IDENTITY_QUOTA = 6144;
const SCP_QUOTA = 5120;

/** Validates policy text as Access Analyzer's ValidatePolicy does; findings in document order. */
export function validatePolicy(text: string, policyType: PolicyKind, options: ValidateOptions = {}): Finding[] {
  const lines = new LineIndex(text);
  const findings: (Finding & { order: number })[] = [];
  const report = (code: string, details: string, ...where: At[]) => {
    findings.push({
      findingDetails: details,
      findingType: CHECKS[code] ?? 'ERROR',
      issueCode: code,
      learnMoreLink: learnMoreLink(code),
      locations: where.map((w) => ({ path: toPathElements(w.path), span: lines.span(w.start, w.end) })),
      order: where[0]?.start ?? 0,
    });
  };
  let root: JsonNode;
  try {
    root = scanJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const pos = lines.position(e.offset);
    report('JSON_SYNTAX_ERROR', `Fix the JSON syntax error at index ${pos.offset} line ${pos.line} column ${pos.column}.`, { path: [], start: e.offset, end: e.offset });
    return strip(findings);
  }
  const version = root.kind === 'object' ? root.entries.find((e) => e.key === 'Version')?.value : undefined;
  const ctx: CheckContext = {
    text, root, lines, policyType, resourceType: options.resourceType, report,
    variablesEnabled: version?.kind === 'string' && version.value === '2012-10-17',
  };
  const statements = checkDocument(ctx);
  for (const s of statements) {
    checkPrincipals(ctx, s);
    checkActions(ctx, s);
    checkResources(ctx, s);
    checkConditions(ctx, s);
    checkResourceType(ctx, s);
  }
  const size = text.replace(/\s/g, '').length;
  if (policyType === 'IDENTITY_POLICY' && size > IDENTITY_QUOTA) {
    report('POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA', `The ${size} characters in the identity policy, excluding whitespace, exceed the ${IDENTITY_QUOTA} character maximum for inline and managed policies. We recommend that you use multiple granular policies.`, { path: [], start: root.start, end: root.end });
  }
  if (policyType === 'SERVICE_CONTROL_POLICY' && text.length > SCP_QUOTA) {
    report('POLICY_SIZE_EXCEEDS_SCP_QUOTA', `The ${text.length} characters in the service control policy (SCP) exceed the ${SCP_QUOTA} character maximum for SCPs. We recommend that you use multiple granular policies.`, { path: [], start: root.start, end: root.end });
  }
  return strip(findings);
}

function strip(findings: (Finding & { order: number })[]): Finding[] {
  return findings
    .map((f, k) => ({ f, k }))
    .sort((a, b) => a.f.order - b.f.order || a.k - b.k)
    .map(({ f }) => ({ findingDetails: f.findingDetails, findingType: f.findingType, issueCode: f.issueCode, learnMoreLink: f.learnMoreLink, locations: f.locations }));
}
