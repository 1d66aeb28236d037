// What every group of ValidatePolicy checks shares: the finding codes with their types (as AWS's
// "Access Analyzer policy check reference" lists them), the learn-more link, and the context a
// check reports through.
import type { JsonNode, LineIndex, ObjectEntry, PathElement, Span } from '../json-locations.js';

export type FindingType = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';
export type PolicyKind = 'IDENTITY_POLICY' | 'RESOURCE_POLICY' | 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export interface Finding {
  findingDetails: string;
  findingType: FindingType;
  issueCode: string;
  learnMoreLink: string;
  locations: { path: PathElement[]; span: Span }[];
}

// Issue code → finding type. The anchor of each check on AWS's page is its type's slug and the
// code in lower case with dashes.
export const CHECKS: Readonly<Record<string, FindingType>> = {
  ARN_ACCOUNT_NOT_ALLOWED: 'ERROR', ARN_REGION_NOT_ALLOWED: 'ERROR', DATA_TYPE_MISMATCH: 'ERROR',
  DUPLICATE_KEYS_WITH_DIFFERENT_CASE: 'ERROR', INVALID_ACTION: 'ERROR', INVALID_ARN_ACCOUNT: 'ERROR',
  INVALID_ARN_PREFIX: 'ERROR', INVALID_ARN_REGION: 'ERROR', INVALID_ARN_RESOURCE: 'ERROR', INVALID_ARN_SERVICE_CASE: 'ERROR',
  INVALID_CONDITION_DATA_TYPE: 'ERROR', INVALID_CONDITION_KEY_FORMAT: 'ERROR', INVALID_CONDITION_MULTIPLE_BOOLEAN: 'ERROR',
  INVALID_CONDITION_OPERATOR: 'ERROR', INVALID_EFFECT: 'ERROR', INVALID_GLOBAL_CONDITION_KEY: 'ERROR', INVALID_PARTITION: 'ERROR',
  INVALID_POLICY_ELEMENT: 'ERROR', INVALID_PRINCIPAL_FORMAT: 'ERROR', INVALID_PRINCIPAL_KEY: 'ERROR', INVALID_REGION: 'ERROR',
  INVALID_SERVICE: 'ERROR', INVALID_SERVICE_CONDITION_KEY: 'ERROR', INVALID_SERVICE_IN_ACTION: 'ERROR',
  INVALID_VARIABLE_FOR_OPERATOR: 'ERROR', INVALID_VERSION: 'ERROR', JSON_SYNTAX_ERROR: 'ERROR', MISSING_ACTION: 'ERROR',
  MISSING_ARN_FIELD: 'ERROR', MISSING_ARN_REGION: 'ERROR', MISSING_EFFECT: 'ERROR', MISSING_PRINCIPAL: 'ERROR',
  MISSING_QUALIFIER: 'ERROR', MISSING_RESOURCE: 'ERROR', MISSING_STATEMENT: 'ERROR', NULL_WITH_IF_EXISTS: 'ERROR',
  SCP_SYNTAX_ERROR_ACTION_WILDCARD: 'ERROR', SCP_SYNTAX_ERROR_ALLOW_CONDITION: 'ERROR', SCP_SYNTAX_ERROR_ALLOW_NOTACTION: 'ERROR',
  SCP_SYNTAX_ERROR_ALLOW_RESOURCE: 'ERROR', SCP_SYNTAX_ERROR_NOTRESOURCE: 'ERROR', SCP_SYNTAX_ERROR_PRINCIPAL: 'ERROR',
  UNIQUE_SIDS_REQUIRED: 'ERROR', UNSUPPORTED_ELEMENT_COMBINATION: 'ERROR', UNSUPPORTED_GLOBAL_CONDITION_KEY: 'ERROR',
  UNSUPPORTED_PRINCIPAL: 'ERROR', UNSUPPORTED_SID: 'ERROR', UNSUPPORTED_WILDCARD_IN_PRINCIPAL: 'ERROR',
  MISSING_BRACE_IN_VARIABLE: 'ERROR', UNSUPPORTED_SPACE_IN_VARIABLE: 'ERROR', EMPTY_VARIABLE: 'ERROR',
  VARIABLE_UNSUPPORTED_IN_ELEMENT: 'ERROR', VARIABLE_UNSUPPORTED_IN_VERSION: 'ERROR', PRIVATE_IP_ADDRESS: 'ERROR',
  PRIVATE_NOT_IP_ADDRESS: 'ERROR', POLICY_SIZE_EXCEEDS_SCP_QUOTA: 'ERROR', MISSING_QUOTE_IN_VARIABLE: 'ERROR',
  UNSUPPORTED_ACTION_IN_POLICY: 'ERROR', UNSUPPORTED_SYMBOL_IN_VARIABLE: 'ERROR', UNSUPPORTED_RESOURCE_ARN_IN_POLICY: 'ERROR',
  CREATE_SLR_WITH_NOT_RESOURCE: 'WARNING', CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: 'WARNING',
  CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE: 'WARNING', CREATE_SLR_WITH_STAR_IN_RESOURCE: 'WARNING',
  CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE: 'WARNING', CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: 'WARNING',
  INVALID_DATE_VALUE: 'WARNING', INVALID_ROLE_REFERENCE: 'WARNING',
  INVALID_USER_REFERENCE: 'WARNING', MISSING_VERSION: 'WARNING', UNIQUE_SIDS_RECOMMENDED: 'WARNING',
  WILDCARD_WITHOUT_LIKE_OPERATOR: 'WARNING', POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA: 'WARNING', TYPE_MISMATCH: 'WARNING',
  TYPE_MISMATCH_BOOLEAN: 'WARNING', TYPE_MISMATCH_DATE: 'WARNING', TYPE_MISMATCH_IP_RANGE: 'WARNING',
  TYPE_MISMATCH_NUMBER: 'WARNING', TYPE_MISMATCH_STRING: 'WARNING',
  ALLOW_WITH_NOT_PRINCIPAL: 'SECURITY_WARNING', FORALLVALUES_WITH_SINGLE_VALUED_KEY: 'SECURITY_WARNING',
  PASS_ROLE_WITH_NOT_RESOURCE: 'SECURITY_WARNING', PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: 'SECURITY_WARNING',
  PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE: 'SECURITY_WARNING', PASS_ROLE_WITH_STAR_IN_RESOURCE: 'SECURITY_WARNING',
  PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE: 'SECURITY_WARNING', PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: 'SECURITY_WARNING',
  EMPTY_ARRAY_ACTION: 'SUGGESTION', EMPTY_ARRAY_CONDITION: 'SUGGESTION', EMPTY_ARRAY_CONDITION_FORALLVALUES: 'SUGGESTION',
  EMPTY_ARRAY_CONDITION_FORANYVALUE: 'SUGGESTION', EMPTY_ARRAY_CONDITION_IFEXISTS: 'SUGGESTION', EMPTY_ARRAY_PRINCIPAL: 'SUGGESTION',
  EMPTY_ARRAY_RESOURCE: 'SUGGESTION', EMPTY_OBJECT_CONDITION: 'SUGGESTION', EMPTY_OBJECT_PRINCIPAL: 'SUGGESTION',
  EMPTY_SID_VALUE: 'SUGGESTION', IMPROVE_IP_RANGE: 'SUGGESTION', NULL_WITH_QUALIFIER: 'SUGGESTION',
  PRIVATE_IP_ADDRESS_SUBSET: 'SUGGESTION', PRIVATE_NOT_IP_ADDRESS_SUBSET: 'SUGGESTION', REDUNDANT_ACTION: 'SUGGESTION',
  REDUNDANT_CONDITION_VALUE_NUM: 'SUGGESTION', REDUNDANT_RESOURCE: 'SUGGESTION', REDUNDANT_STATEMENT: 'SUGGESTION',
  WILDCARD_IN_SERVICE_NAME: 'SUGGESTION',
};

const TYPE_SLUG: Record<FindingType, string> = { ERROR: 'error', WARNING: 'general-warning', SECURITY_WARNING: 'security-warning', SUGGESTION: 'suggestion' };

export function learnMoreLink(code: string): string {
  const type = CHECKS[code] ?? 'ERROR';
  return `https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-${TYPE_SLUG[type]}-${code.toLowerCase().replace(/_/g, '-')}`;
}

/** A path inside the policy, as strings (object keys) and numbers (array indexes). */
export type Path = readonly (string | number)[];

export function toPathElements(path: Path): PathElement[] {
  return path.map((p) => (typeof p === 'number' ? { index: p } : { value: p }));
}

/** A located node the checks point at: its path and its extent in the text. */
export interface At { path: Path; start: number; end: number }

export function at(path: Path, node: { start: number; end: number }): At {
  return { path, start: node.start, end: node.end };
}

export interface CheckContext {
  text: string;
  root: JsonNode;
  lines: LineIndex;
  policyType: PolicyKind;
  resourceType?: string;
  /** True when the document says Version 2012-10-17 (policy variables are variables). */
  variablesEnabled: boolean;
  report(code: string, details: string, ...where: At[]): void;
}

/** One statement of the policy, with its elements by exact name (first occurrence). */
export interface Statement {
  path: Path;
  node: JsonNode & { kind: 'object' };
  el: Map<string, ObjectEntry>;
  effect?: string;
}

/** A string value of Action/Resource/Principal-like elements with where it is. */
export interface Located<T = string> { value: T; at: At }

/** The strings of an element whose value is a string or an array of strings (others are skipped). */
export function stringsOf(path: Path, node: JsonNode): Located[] {
  if (node.kind === 'string') return [{ value: node.value, at: at(path, node) }];
  if (node.kind === 'array') {
    const out: Located[] = [];
    node.items.forEach((it, k) => { if (it.kind === 'string') out.push({ value: it.value, at: at([...path, k], it) }); });
    return out;
  }
  return [];
}

export function quoteList(xs: readonly string[]): string {
  return xs.join(', ');
}
