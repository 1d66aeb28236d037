// Checks of a resource policy against the resource it is for (`validatePolicyResourceType`):
// only that service's actions and ARNs take effect in it.
import { stringsOf, type CheckContext, type Statement } from './common.js';

/** Resource type → the service prefixes its policy's actions and resource ARNs may name. */
const SERVICES: Readonly<Record<string, { actions: readonly string[]; arns: readonly string[] }>> = {
  'AWS::S3::Bucket': { actions: ['s3'], arns: ['s3'] },
  'AWS::S3::AccessPoint': { actions: ['s3'], arns: ['s3'] },
  'AWS::S3::MultiRegionAccessPoint': { actions: ['s3'], arns: ['s3'] },
  'AWS::S3ObjectLambda::AccessPoint': { actions: ['s3-object-lambda'], arns: ['s3-object-lambda'] },
  'AWS::IAM::AssumeRolePolicyDocument': { actions: ['sts'], arns: [] },
  'AWS::DynamoDB::Table': { actions: ['dynamodb'], arns: ['dynamodb'] },
};

export function checkResourceType(ctx: CheckContext, s: Statement): void {
  if (ctx.policyType !== 'RESOURCE_POLICY' || !ctx.resourceType) return;
  const allowed = Object.hasOwn(SERVICES, ctx.resourceType) ? SERVICES[ctx.resourceType] : undefined;
  if (!allowed) return;
  const action = s.el.get('Action');
  if (action) {
    for (const a of stringsOf([...s.path, 'Action'], action.value)) {
      const colon = a.value.indexOf(':');
      if (a.value === '*' || colon < 0) continue;
      const service = a.value.slice(0, colon).toLowerCase();
      if (/[*?]/.test(service)) continue;
      if (!allowed.actions.includes(service)) {
        ctx.report('UNSUPPORTED_ACTION_IN_POLICY', `The action ${a.value} is not supported for the resource-based policy attached to the resource type ${ctx.resourceType}.`, a.at);
      }
    }
  }
  const resource = s.el.get('Resource');
  if (resource && allowed.arns.length > 0) {
    for (const r of stringsOf([...s.path, 'Resource'], resource.value)) {
      const parts = r.value.split(':');
      if (r.value === '*' || parts.length < 3 || parts[0] !== 'arn' || /[*?$]/.test(parts[2])) continue;
      if (!allowed.arns.includes(parts[2])) {
        ctx.report('UNSUPPORTED_RESOURCE_ARN_IN_POLICY', `The resource ARN is not supported for the resource-based policy attached to the resource type ${ctx.resourceType}.`, r.at);
      }
    }
  }
}
