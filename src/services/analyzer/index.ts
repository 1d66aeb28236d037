// IAM Access Analyzer operations (REST-JSON, signing name `access-analyzer`).
import type { OperationTable } from '../types.js';
import { authorize, validation } from './wire.js';
import { validatePolicy, type PolicyKind } from './validate-policy.js';
import { analyzerAdminOperations } from './admin-operations.js';
import { accessCheckOperations } from './checks-access.js';

export { validatePolicy } from './validate-policy.js';
export type { Finding, FindingType, PolicyKind, ValidateOptions } from './validate-policy.js';


function decodeToken(token: string): number {
  const m = /^v1:(\d{1,9})$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!m) throw validation('Invalid pagination token.');
  return Number(m[1]);
}

export const analyzerOperations: OperationTable = {
  ...analyzerAdminOperations,
  ...accessCheckOperations,
  async ValidatePolicy(ctx, input) {
    authorize(ctx, 'access-analyzer:ValidatePolicy', '*');
    const findings = validatePolicy(String(input.policyDocument ?? ''), input.policyType as PolicyKind, {
      resourceType: typeof input.validatePolicyResourceType === 'string' ? input.validatePolicyResourceType : undefined,
    });
    const start = typeof input.nextToken === 'string' ? decodeToken(input.nextToken) : 0;
    const max = typeof input.maxResults === 'number' ? input.maxResults : undefined;
    if (max !== undefined && max < 1) throw validation('maxResults must be at least 1.');
    if (start > findings.length) throw validation('Invalid pagination token.');
    const end = max === undefined ? findings.length : Math.min(findings.length, start + max);
    const out: Record<string, unknown> = { findings: findings.slice(start, end) };
    if (end < findings.length) out.nextToken = Buffer.from(`v1:${end}`).toString('base64');
    return out;
  },
};
