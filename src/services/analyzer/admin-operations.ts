// Every analyzer-administration operation in one table: analyzers and their tags, archive rules
// and their application, findings, analyzed resources, access previews, policy generation.
import type { OperationTable } from '../types.js';
import { accessPreviewOperations } from './access-previews.js';
import { analyzedResourceOperations } from './analyzed-resources.js';
import { analyzerOperationsOnly } from './analyzers.js';
import { archiveRuleApplicationOperations } from './archive-rule-application.js';
import { archiveRuleOperations } from './archive-rules.js';
import { findingOperations } from './findings.js';
import { policyGenerationOperations } from './policy-generation.js';

/** Every analyzer-administration operation: analyzers, tags, archive rules, findings, policy generation. */
export const analyzerAdminOperations: OperationTable = {
  ...analyzerOperationsOnly,
  ...archiveRuleOperations,
  ...findingOperations,
  ...archiveRuleApplicationOperations,
  ...analyzedResourceOperations,
  ...accessPreviewOperations,
  ...policyGenerationOperations,
};
