// Which error a service answers for constraint violations — one place, per service.
import { AwsError } from './errors.js';
import type { ServiceModel } from './model.js';
import { formatValidationMessage, type FormatOptions, type ValidationIssue } from './validate.js';

/** IAM's name pattern; IAM reports it with its own sentence instead of the generic one. */
const IAM_NAME_PATTERN = '[\\w+=,.@-]+';

// Organizations answers InvalidInputException with a Reason. Sentences from the
// InvalidInputException reference (API_InvalidInputException); the pattern one as the service
// sends it ("does not", seen in public reports).
const ORGANIZATIONS_REASONS: Record<ValidationIssue['kind'], (issue: ValidationIssue) => [string, string]> = {
  required: () => ['INPUT_REQUIRED', 'You must include a value for all required parameters.'],
  pattern: () => ['INVALID_PATTERN', 'You provided a value that does not match the required pattern.'],
  enum: () => ['INVALID_ENUM', 'You specified an invalid value.'],
  elements: () => ['INVALID_LIST_MEMBER', 'You provided a list to a parameter that contains at least one invalid value.'],
  length: (i) => i.constraint.includes('less than')
    ? ['MAX_LENGTH_EXCEEDED', 'You provided a string parameter that is longer than allowed.']
    : ['MIN_LENGTH_EXCEEDED', 'You provided a string parameter that is shorter than allowed.'],
  range: (i) => i.constraint.includes('less than')
    ? ['MAX_VALUE_EXCEEDED', 'You provided a numeric parameter that has a larger value than allowed.']
    : ['MIN_VALUE_EXCEEDED', 'You provided a numeric parameter that has a smaller value than allowed.'],
};

/**
 * The AwsError a service answers for a non-empty list of constraint violations:
 * - IAM, STS (Query): `ValidationError`, "N validation error(s) detected: …"; IAM's name
 *   pattern gets "The specified value for roleName is invalid. It must contain only
 *   alphanumeric characters and/or the following: +=,.@_-" (seen in many public reports).
 * - Organizations: `InvalidInputException` with `Reason` for the first violation.
 * - Access Analyzer: `ValidationException` with `reason: fieldValidationFailed` and `fieldList`.
 * - other JSON services (CloudTrail): `ValidationException`, "N validation error(s) detected: …".
 */
export function validationError(model: ServiceModel, issues: readonly ValidationIssue[], options: FormatOptions = {}): AwsError {
  const serviceId = model.metadata.serviceId;
  if (serviceId === 'Organizations') {
    const [reason, message] = ORGANIZATIONS_REASONS[issues[0].kind](issues[0]);
    return new AwsError('InvalidInputException', message, { fields: { Reason: reason } });
  }
  const message = formatValidationMessage(issues, options);
  if (model.metadata.protocol === 'query') {
    if (serviceId === 'IAM' && issues.every((i) => i.kind === 'pattern')) {
      const named = issues.find((i) => i.pattern === IAM_NAME_PATTERN);
      if (named) {
        const name = named.path.split('.').pop() ?? named.path;
        return new AwsError('ValidationError', `The specified value for ${name} is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`);
      }
    }
    return new AwsError('ValidationError', message);
  }
  if (serviceId === 'AccessAnalyzer') {
    return new AwsError('ValidationException', message, {
      fields: { reason: 'fieldValidationFailed', fieldList: issues.map((i) => ({ name: i.path, message: i.constraint })) },
    });
  }
  return new AwsError('ValidationException', message);
}
