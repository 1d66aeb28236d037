import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validatePolicy, type Finding, type PolicyKind } from './validate-policy.js';
import { CHECKS } from './checks/common.js';

/** A pretty-printed (multi-line) policy, so spans cross lines as they do in real documents. */
function pol(statements: unknown, top: Record<string, unknown> = { Version: '2012-10-17' }): string {
  return JSON.stringify({ ...top, Statement: statements }, null, 2);
}
const allow = (o: Record<string, unknown>) => ({ Effect: 'Allow', ...o });

interface Case {
  name: string;
  text: string;
  type?: PolicyKind;
  resourceType?: string;
  code: string;
  findingType: Finding['findingType'];
  /** The text the finding's first location spans (its first occurrence, or the nth). */
  at: string;
  nth?: number;
  /** Search for `at` only after this text. */
  after?: string;
  details?: string | RegExp;
}

function pos(text: string, offset: number) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length, offset };
}

function locate(text: string, at: string, nth = 0, after?: string): number {
  let k = after === undefined ? -1 : text.indexOf(after);
  for (let n = 0; n <= nth; n++) k = text.indexOf(at, k + 1);
  assert.ok(k >= 0, `${at} not in text`);
  return k;
}

const CASES: Case[] = [
  // --- document shape
  { name: 'JSON syntax error', text: '{"Version": "2012-10-17",\n  "Statement": [\n', code: 'JSON_SYNTAX_ERROR', findingType: 'ERROR', at: '', details: 'Fix the JSON syntax error at index 43 line 3 column 0.' },
  { name: 'missing Version', text: pol([allow({ Action: 's3:GetObject', Resource: '*' })], {}), code: 'MISSING_VERSION', findingType: 'WARNING', at: '{' },
  { name: 'invalid Version', text: pol([allow({ Action: 's3:GetObject', Resource: '*' })], { Version: '2012-10-18' }), code: 'INVALID_VERSION', findingType: 'ERROR', at: '"2012-10-18"', details: 'The version 2012-10-18 is not valid. Use one of the following versions: 2012-10-17, 2008-10-17' },
  { name: 'missing Statement', text: '{\n  "Version": "2012-10-17"\n}', code: 'MISSING_STATEMENT', findingType: 'ERROR', at: '{' },
  { name: 'invalid top-level element', text: JSON.stringify({ Version: '2012-10-17', Statment: [], Statement: [allow({ Action: 's3:GetObject', Resource: '*' })] }, null, 2), code: 'INVALID_POLICY_ELEMENT', findingType: 'ERROR', at: '"Statment"', details: 'The policy element Statment is not valid.' },
  { name: 'invalid statement element', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Actions: 'x' })]), code: 'INVALID_POLICY_ELEMENT', findingType: 'ERROR', at: '"Actions"' },
  { name: 'data type mismatch (Effect a number)', text: pol([{ Effect: 1, Action: 's3:GetObject', Resource: '*' }]), code: 'DATA_TYPE_MISMATCH', findingType: 'ERROR', at: '1', after: '"Effect"' },
  { name: 'data type mismatch (Action item a number)', text: pol([allow({ Action: ['s3:GetObject', 7], Resource: '*' })]), code: 'DATA_TYPE_MISMATCH', findingType: 'ERROR', at: '7', after: '"s3:GetObject"' },
  { name: 'missing Effect', text: pol([{ Action: 's3:GetObject', Resource: '*' }]), code: 'MISSING_EFFECT', findingType: 'ERROR', at: '{', nth: 1 },
  { name: 'invalid Effect', text: pol([{ Effect: 'allow', Action: 's3:GetObject', Resource: '*' }]), code: 'INVALID_EFFECT', findingType: 'ERROR', at: '"allow"', details: 'The effect allow is not valid. Use Allow or Deny.' },
  { name: 'missing Action', text: pol([allow({ Resource: '*' })]), code: 'MISSING_ACTION', findingType: 'ERROR', at: '{', nth: 1 },
  { name: 'missing Resource (identity)', text: pol([allow({ Action: 's3:GetObject' })]), code: 'MISSING_RESOURCE', findingType: 'ERROR', at: '{', nth: 1 },
  { name: 'missing Principal (resource policy)', type: 'RESOURCE_POLICY', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'MISSING_PRINCIPAL', findingType: 'ERROR', at: '{', nth: 1 },
  { name: 'Principal in an identity policy', text: pol([allow({ Principal: '*', Action: 's3:GetObject', Resource: '*' })]), code: 'UNSUPPORTED_PRINCIPAL', findingType: 'ERROR', at: '"Principal"' },
  { name: 'Action with NotAction', text: pol([allow({ Action: 's3:GetObject', NotAction: 's3:PutObject', Resource: '*' })]), code: 'UNSUPPORTED_ELEMENT_COMBINATION', findingType: 'ERROR', at: '"Action"', details: 'The policy elements Action and NotAction can not be used in the same statement. Remove one of these elements.' },
  { name: 'empty Action array', text: pol([allow({ Action: [], Resource: '*' })]), code: 'EMPTY_ARRAY_ACTION', findingType: 'SUGGESTION', at: '[]' },
  { name: 'empty Resource array', text: pol([allow({ Action: 's3:GetObject', Resource: [] })]), code: 'EMPTY_ARRAY_RESOURCE', findingType: 'SUGGESTION', at: '[]' },
  { name: 'empty Condition object', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: {} })]), code: 'EMPTY_OBJECT_CONDITION', findingType: 'SUGGESTION', at: '{}' },
  { name: 'empty Sid', text: pol([allow({ Sid: '', Action: 's3:GetObject', Resource: '*' })]), code: 'EMPTY_SID_VALUE', findingType: 'SUGGESTION', at: '""' },
  { name: 'unsupported Sid characters', text: pol([allow({ Sid: 'read-only', Action: 's3:GetObject', Resource: '*' })]), code: 'UNSUPPORTED_SID', findingType: 'ERROR', at: '"read-only"' },
  { name: 'duplicate Sids in an identity policy', text: pol([allow({ Sid: 'A', Action: 's3:GetObject', Resource: '*' }), allow({ Sid: 'A', Action: 's3:PutObject', Resource: '*' })]), code: 'UNIQUE_SIDS_REQUIRED', findingType: 'ERROR', at: '"A"' },
  { name: 'duplicate Sids in a resource policy', type: 'RESOURCE_POLICY', text: pol([allow({ Sid: 'A', Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), allow({ Sid: 'A', Principal: { AWS: '111122223333' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'UNIQUE_SIDS_RECOMMENDED', findingType: 'WARNING', at: '"A"' },
  { name: 'redundant statement', text: pol([allow({ Action: 's3:GetObject', Resource: '*' }), allow({ Action: 's3:GetObject', Resource: '*' })]), code: 'REDUNDANT_STATEMENT', findingType: 'SUGGESTION', at: '{', nth: 1 },
  // --- actions
  { name: 'invalid action with a suggestion', text: pol([allow({ Action: 's3:GetObjectt', Resource: '*' })]), code: 'INVALID_ACTION', findingType: 'ERROR', at: '"s3:GetObjectt"', details: 'The action s3:GetObjectt does not exist. Did you mean s3:GetObject?' },
  { name: 'an action named like an Object.prototype member', text: pol([allow({ Action: 's3:constructor', Resource: '*' })]), code: 'INVALID_ACTION', findingType: 'ERROR', at: '"s3:constructor"' },
  { name: 'invalid action pattern', text: pol([allow({ Action: 's3:Fly*', Resource: '*' })]), code: 'INVALID_ACTION', findingType: 'ERROR', at: '"s3:Fly*"' },
  { name: 'invalid service in action', text: pol([allow({ Action: 'sss:GetObject', Resource: '*' })]), code: 'INVALID_SERVICE_IN_ACTION', findingType: 'ERROR', at: '"sss:GetObject"', details: /^The service sss specified in the action does not exist\./ },
  { name: 'wildcard in service name', text: pol([allow({ Action: 's*:GetObject', Resource: '*' })]), code: 'WILDCARD_IN_SERVICE_NAME', findingType: 'SUGGESTION', at: '"s*:GetObject"' },
  { name: 'redundant action', text: pol([allow({ Action: ['iam:Get*', 'iam:List*', 'iam:GetCredentialReport'], Resource: '*' })]), code: 'REDUNDANT_ACTION', findingType: 'SUGGESTION', at: '"iam:GetCredentialReport"', details: 'The 1 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: iam:GetCredentialReport.' },
  { name: 'variable in Action', text: pol([allow({ Action: 's3:${aws:username}', Resource: '*' })]), code: 'VARIABLE_UNSUPPORTED_IN_ELEMENT', findingType: 'ERROR', at: '"s3:${aws:username}"' },
  { name: 'SCP action wildcard not at the end', type: 'SERVICE_CONTROL_POLICY', text: pol([{ Effect: 'Deny', Action: 'iam:*Role', Resource: '*' }]), code: 'SCP_SYNTAX_ERROR_ACTION_WILDCARD', findingType: 'ERROR', at: '"iam:*Role"' },
  { name: 'PassRole with star in resource', text: pol([allow({ Action: 'iam:PassRole', Resource: '*' })]), code: 'PASS_ROLE_WITH_STAR_IN_RESOURCE', findingType: 'SECURITY_WARNING', at: '"iam:PassRole"' },
  { name: 'PassRole with star in action and resource', text: pol([allow({ Action: 'iam:*', Resource: '*' })]), code: 'PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE', findingType: 'SECURITY_WARNING', at: '"iam:*"' },
  { name: 'PassRole with NotResource', text: pol([allow({ Action: 'iam:PassRole', NotResource: 'arn:aws:iam::111122223333:role/admin' })]), code: 'PASS_ROLE_WITH_NOT_RESOURCE', findingType: 'SECURITY_WARNING', at: '"iam:PassRole"' },
  { name: 'PassRole with star in resource and NotAction', text: pol([allow({ NotAction: 's3:*', Resource: '*' })]), code: 'PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION', findingType: 'SECURITY_WARNING', at: '"s3:*"' },
  { name: 'CreateServiceLinkedRole with star in action and resource', text: pol([allow({ Action: '*', Resource: '*' })]), code: 'CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE', findingType: 'WARNING', at: '"*"' },
  { name: 'CreateServiceLinkedRole with star in resource', text: pol([allow({ Action: 'iam:CreateServiceLinkedRole', Resource: '*' })]), code: 'CREATE_SLR_WITH_STAR_IN_RESOURCE', findingType: 'WARNING', at: '"iam:CreateServiceLinkedRole"' },
  // --- resources
  { name: 'ARN without the arn prefix', text: pol([allow({ Action: 's3:GetObject', Resource: 's3:::bucket/*' })]), code: 'INVALID_ARN_PREFIX', findingType: 'ERROR', at: '"s3:::bucket/*"' },
  { name: 'ARN with too few fields', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3' })]), code: 'MISSING_ARN_FIELD', findingType: 'ERROR', at: '"arn:aws:s3"' },
  { name: 'invalid partition', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws-mars:s3:::b/*' })]), code: 'INVALID_PARTITION', findingType: 'ERROR', at: '"arn:aws-mars:s3:::b/*"' },
  { name: 'ARN service in upper case', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:S3:::b/*' })]), code: 'INVALID_ARN_SERVICE_CASE', findingType: 'ERROR', at: '"arn:aws:S3:::b/*"' },
  { name: 'invalid ARN Region', text: pol([allow({ Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:moon-1:111122223333:q' })]), code: 'INVALID_ARN_REGION', findingType: 'ERROR', at: '"arn:aws:sqs:moon-1:111122223333:q"' },
  { name: 'invalid ARN account', text: pol([allow({ Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:1234:q' })]), code: 'INVALID_ARN_ACCOUNT', findingType: 'ERROR', at: '"arn:aws:sqs:us-east-1:1234:q"' },
  { name: 'account in an S3 bucket ARN', text: pol([allow({ Action: 's3:ListBucket', Resource: 'arn:aws:s3::111122223333:b' })]), code: 'ARN_ACCOUNT_NOT_ALLOWED', findingType: 'ERROR', at: '"arn:aws:s3::111122223333:b"' },
  { name: 'Region in an IAM ARN', text: pol([allow({ Action: 'iam:GetRole', Resource: 'arn:aws:iam:us-east-1:111122223333:role/r' })]), code: 'ARN_REGION_NOT_ALLOWED', findingType: 'ERROR', at: '"arn:aws:iam:us-east-1:111122223333:role/r"' },
  { name: 'missing Region in an SQS ARN', text: pol([allow({ Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs::111122223333:q' })]), code: 'MISSING_ARN_REGION', findingType: 'ERROR', at: '"arn:aws:sqs::111122223333:q"', details: 'Add a Region to the sqs resource ARN.' },
  { name: 'ARN resource not of any resource type', text: pol([allow({ Action: 'iam:GetRole', Resource: 'arn:aws:iam::111122223333:rolez/r' })]), code: 'INVALID_ARN_RESOURCE', findingType: 'ERROR', at: '"arn:aws:iam::111122223333:rolez/r"' },
  { name: 'unknown service in an ARN', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:nosuch:::x' })]), code: 'INVALID_SERVICE', findingType: 'ERROR', at: '"arn:aws:nosuch:::x"' },
  { name: 'redundant resource', text: pol([allow({ Action: 'iam:GetRole', Resource: ['arn:aws:iam::111122223333:role/jane-admin', 'arn:aws:iam::111122223333:role/jane*'] })]), code: 'REDUNDANT_RESOURCE', findingType: 'SUGGESTION', at: '"arn:aws:iam::111122223333:role/jane-admin"' },
  { name: 'variable missing its brace', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username' })]), code: 'MISSING_BRACE_IN_VARIABLE', findingType: 'ERROR', at: '"arn:aws:s3:::b/${aws:username"' },
  { name: 'empty variable', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${}' })]), code: 'EMPTY_VARIABLE', findingType: 'ERROR', at: '"arn:aws:s3:::b/${}"' },
  { name: 'space in variable', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws: username}' })]), code: 'UNSUPPORTED_SPACE_IN_VARIABLE', findingType: 'ERROR', at: '"arn:aws:s3:::b/${aws: username}"' },
  { name: 'symbol in a variable', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:user#name}' })]), code: 'UNSUPPORTED_SYMBOL_IN_VARIABLE', findingType: 'ERROR', at: '"arn:aws:s3:::b/${aws:user#name}"', details: 'The symbol # is not supported within the policy variable text. Remove the symbol.' },
  { name: 'variable with Version 2008-10-17', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}' })], { Version: '2008-10-17' }), code: 'VARIABLE_UNSUPPORTED_IN_VERSION', findingType: 'ERROR', at: '"arn:aws:s3:::b/${aws:username}"' },
  // --- conditions
  { name: 'invalid condition operator', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEq: { 'aws:username': 'a' } } })]), code: 'INVALID_CONDITION_OPERATOR', findingType: 'ERROR', at: '"StringEq"' },
  { name: 'an operator named like an Object.prototype member', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { constructor: { 'aws:username': 'a' } } })]), code: 'INVALID_CONDITION_OPERATOR', findingType: 'ERROR', at: '"constructor"' },
  { name: 'Null with IfExists', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { NullIfExists: { 'aws:username': 'true' } } })]), code: 'NULL_WITH_IF_EXISTS', findingType: 'ERROR', at: '"NullIfExists"' },
  { name: 'Null with a qualifier', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } })]), code: 'NULL_WITH_QUALIFIER', findingType: 'SUGGESTION', at: '"ForAnyValue:Null"' },
  { name: 'duplicate keys with different case', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:username': 'a', 'aws:UserName': 'b' } } })]), code: 'DUPLICATE_KEYS_WITH_DIFFERENT_CASE', findingType: 'ERROR', at: '"aws:username"' },
  { name: 'condition key without a colon', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { username: 'a' } } })]), code: 'INVALID_CONDITION_KEY_FORMAT', findingType: 'ERROR', at: '"username"' },
  { name: 'unknown global condition key', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:usernam': 'a' } } })]), code: 'INVALID_GLOBAL_CONDITION_KEY', findingType: 'ERROR', at: '"aws:usernam"', details: 'The condition key aws:usernam does not exist. Use a valid condition key.' },
  { name: 'aws:ARN is not supported', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { ArnLike: { 'aws:ARN': 'arn:aws:iam::111122223333:*' } } })]), code: 'UNSUPPORTED_GLOBAL_CONDITION_KEY', findingType: 'ERROR', at: '"aws:ARN"' },
  { name: 'unknown service of a condition key', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'sss:x': 'a' } } })]), code: 'INVALID_SERVICE', findingType: 'ERROR', at: '"sss:x"' },
  { name: 'unknown service condition key', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:nosuchkey': 'a' } } })]), code: 'INVALID_SERVICE_CONDITION_KEY', findingType: 'ERROR', at: '"s3:nosuchkey"', details: 'The condition key s3:nosuchkey does not exist in the service s3. Use a valid condition key.' },
  { name: 'operator type mismatch', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:SourceIp': '203.0.113.0/24' } } })]), code: 'TYPE_MISMATCH', findingType: 'WARNING', at: '"aws:SourceIp"', details: 'Use the operator type IpAddress instead of operator StringEquals for the condition key aws:SourceIp.' },
  { name: 'ForAllValues with a single-valued key', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:username': ['a', 'b'] } } })]), code: 'FORALLVALUES_WITH_SINGLE_VALUED_KEY', findingType: 'SECURITY_WARNING', at: '"aws:username"' },
  { name: 'multivalued key without a qualifier', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': 'team' } } })]), code: 'MISSING_QUALIFIER', findingType: 'ERROR', at: '"aws:TagKeys"', details: 'The request context key aws:TagKeys has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.' },
  { name: 'multiple Boolean values', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': ['true', 'false'] } } })]), code: 'INVALID_CONDITION_MULTIPLE_BOOLEAN', findingType: 'ERROR', at: '[', nth: 1 },
  { name: 'mixed JSON types in condition values', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:username': ['a', 1] } } })]), code: 'INVALID_CONDITION_DATA_TYPE', findingType: 'ERROR', at: '[', nth: 1 },
  { name: 'object as a condition value', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:username': { a: 1 } } } })]), code: 'DATA_TYPE_MISMATCH', findingType: 'ERROR', at: '{', nth: 4 },
  { name: 'variable with a Numeric operator', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '${aws:username}' } } })]), code: 'INVALID_VARIABLE_FOR_OPERATOR', findingType: 'ERROR', at: '"${aws:username}"' },
  { name: 'non-numeric value', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 'soon' } } })]), code: 'TYPE_MISMATCH_NUMBER', findingType: 'WARNING', at: '"soon"' },
  { name: 'redundant numeric values', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': ['2700', '3600'] } } })]), code: 'REDUNDANT_CONDITION_VALUE_NUM', findingType: 'SUGGESTION', at: '[', nth: 1, details: 'Multiple values in NumericLessThan are redundant. Replace with the greatest single value for aws:MultiFactorAuthAge.' },
  { name: 'invalid date', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': 'tomorrow' } } })]), code: 'TYPE_MISMATCH_DATE', findingType: 'WARNING', at: '"tomorrow"' },
  { name: 'epoch date', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '1700000000' } } })]), code: 'INVALID_DATE_VALUE', findingType: 'WARNING', at: '"1700000000"' },
  { name: 'invalid Boolean', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'yes' } } })]), code: 'TYPE_MISMATCH_BOOLEAN', findingType: 'WARNING', at: '"yes"' },
  { name: 'invalid IP range', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/24' } } })]), code: 'TYPE_MISMATCH_IP_RANGE', findingType: 'WARNING', at: '"300.1.1.1/24"' },
  { name: 'host bits in a CIDR', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.5/24' } } })]), code: 'IMPROVE_IP_RANGE', findingType: 'SUGGESTION', at: '"203.0.113.5/24"', details: 'The non-zero bits in the IP address after the masked bits are ignored. Replace address with 203.0.113.0/24.' },
  { name: 'private aws:SourceIp only', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })]), code: 'PRIVATE_IP_ADDRESS', findingType: 'ERROR', at: '"10.0.0.0/8"' },
  { name: 'private and public aws:SourceIp', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '203.0.113.0/24'] } } })]), code: 'PRIVATE_IP_ADDRESS_SUBSET', findingType: 'SUGGESTION', at: '[', nth: 1 },
  { name: 'wildcard without a Like operator', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:username': 'admin-*' } } })]), code: 'WILDCARD_WITHOUT_LIKE_OPERATOR', findingType: 'WARNING', at: '"admin-*"' },
  { name: 'invalid Region in aws:RequestedRegion', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east' } } })]), code: 'INVALID_REGION', findingType: 'ERROR', at: '"us-east"' },
  { name: 'empty condition value array', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:username': [] } } })]), code: 'EMPTY_ARRAY_CONDITION', findingType: 'SUGGESTION', at: '[]' },
  { name: 'empty ForAllValues array', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [] } } })]), code: 'EMPTY_ARRAY_CONDITION_FORALLVALUES', findingType: 'SUGGESTION', at: '[]' },
  { name: 'empty ForAnyValue array', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [] } } })]), code: 'EMPTY_ARRAY_CONDITION_FORANYVALUE', findingType: 'SUGGESTION', at: '[]' },
  { name: 'empty IfExists array', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:username': [] } } })]), code: 'EMPTY_ARRAY_CONDITION_IFEXISTS', findingType: 'SUGGESTION', at: '[]' },
  // --- principals (resource policies)
  { name: 'Allow with NotPrincipal', type: 'RESOURCE_POLICY', text: pol([allow({ NotPrincipal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'ALLOW_WITH_NOT_PRINCIPAL', findingType: 'SECURITY_WARNING', at: '"NotPrincipal"' },
  { name: 'invalid principal key', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: { User: 'bob' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'INVALID_PRINCIPAL_KEY', findingType: 'ERROR', at: '"User"', details: 'The principal key User is not valid.' },
  { name: 'invalid principal format', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: '111122223333', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'INVALID_PRINCIPAL_FORMAT', findingType: 'ERROR', at: '"111122223333"' },
  { name: 'wildcard inside an AWS principal', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: { AWS: 'arn:aws:iam::111122223333:user/*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'UNSUPPORTED_WILDCARD_IN_PRINCIPAL', findingType: 'ERROR', at: '"arn:aws:iam::111122223333:user/*"' },
  { name: 'empty principal object', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: {}, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'EMPTY_OBJECT_PRINCIPAL', findingType: 'SUGGESTION', at: '{}' },
  { name: 'empty principal array', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: { AWS: [] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'EMPTY_ARRAY_PRINCIPAL', findingType: 'SUGGESTION', at: '[]' },
  { name: 'role id as principal', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: { AWS: 'AROA1234567890EXAMPLE' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'INVALID_ROLE_REFERENCE', findingType: 'WARNING', at: '"AROA1234567890EXAMPLE"' },
  { name: 'user id as principal', type: 'RESOURCE_POLICY', text: pol([allow({ Principal: { AWS: 'AIDA1234567890EXAMPLE' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), code: 'INVALID_USER_REFERENCE', findingType: 'WARNING', at: '"AIDA1234567890EXAMPLE"' },
  // --- SCPs
  { name: 'SCP with a Principal', type: 'SERVICE_CONTROL_POLICY', text: pol([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }]), code: 'SCP_SYNTAX_ERROR_PRINCIPAL', findingType: 'ERROR', at: '"Principal"' },
  { name: 'SCP Allow with NotAction', type: 'SERVICE_CONTROL_POLICY', text: pol([allow({ NotAction: 's3:*', Resource: '*' })]), code: 'SCP_SYNTAX_ERROR_ALLOW_NOTACTION', findingType: 'ERROR', at: '"NotAction"' },
  { name: 'SCP Allow with a Condition', type: 'SERVICE_CONTROL_POLICY', text: pol([allow({ Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })]), code: 'SCP_SYNTAX_ERROR_ALLOW_CONDITION', findingType: 'ERROR', at: '"Condition"' },
  { name: 'SCP Allow with a specific Resource', type: 'SERVICE_CONTROL_POLICY', text: pol([allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b' })]), code: 'SCP_SYNTAX_ERROR_ALLOW_RESOURCE', findingType: 'ERROR', at: '"arn:aws:s3:::b"' },
  { name: 'SCP Allow with NotResource', type: 'SERVICE_CONTROL_POLICY', text: pol([allow({ Action: 's3:*', NotResource: 'arn:aws:s3:::b' })]), code: 'SCP_SYNTAX_ERROR_NOTRESOURCE', findingType: 'ERROR', at: '"NotResource"' },
  { name: 'private aws:SourceIp with NotIpAddress', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '192.168.0.0/16' } } })]), code: 'PRIVATE_NOT_IP_ADDRESS', findingType: 'ERROR', at: '"192.168.0.0/16"' },
  { name: 'private and public aws:SourceIp with NotIpAddress', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['192.168.0.0/16', '203.0.113.0/24'] } } })]), code: 'PRIVATE_NOT_IP_ADDRESS_SUBSET', findingType: 'SUGGESTION', at: '[', nth: 1 },
  { name: 'variable default without quotes', text: pol([allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username, anonymous}' })]), code: 'MISSING_QUOTE_IN_VARIABLE', findingType: 'ERROR', at: '"arn:aws:s3:::b/${aws:username, anonymous}"' },
  { name: 'BinaryEquals with a value that is not base64', text: pol([allow({ Action: 's3:GetObject', Resource: '*', Condition: { BinaryEquals: { 'aws:username': 'not base64!' } } })]), code: 'TYPE_MISMATCH_STRING', findingType: 'WARNING', at: '"not base64!"' },
  { name: 'SCP over 5,120 characters', type: 'SERVICE_CONTROL_POLICY', text: pol([{ Effect: 'Deny', Action: Array.from({ length: 400 }, () => 's3:GetObject'), Resource: '*' }]), code: 'POLICY_SIZE_EXCEEDS_SCP_QUOTA', findingType: 'ERROR', at: '{' },
  { name: 'identity policy over 6,144 characters', text: pol([allow({ Action: 's3:GetObject', Resource: Array.from({ length: 300 }, (_, k) => `arn:aws:s3:::bucket-${k}/*`) })]), code: 'POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA', findingType: 'WARNING', at: '{' },
  { name: 'PassRole via wildcard with NotResource', text: pol([allow({ Action: 'iam:Pass*', NotResource: 'arn:aws:iam::111122223333:role/admin' })]), code: 'PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE', findingType: 'SECURITY_WARNING', at: '"iam:Pass*"' },
  { name: 'PassRole via NotAction with NotResource', text: pol([allow({ NotAction: 's3:*', NotResource: 'arn:aws:iam::111122223333:role/admin' })]), code: 'PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE', findingType: 'SECURITY_WARNING', at: '"s3:*"' },
  { name: 'CreateServiceLinkedRole with NotResource', text: pol([allow({ Action: 'iam:CreateServiceLinkedRole', NotResource: 'arn:aws:iam::111122223333:role/admin' })]), code: 'CREATE_SLR_WITH_NOT_RESOURCE', findingType: 'WARNING', at: '"iam:CreateServiceLinkedRole"' },
  { name: 'CreateServiceLinkedRole via wildcard with NotResource', text: pol([allow({ Action: 'iam:Create*', NotResource: 'arn:aws:iam::111122223333:role/admin' })]), code: 'CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE', findingType: 'WARNING', at: '"iam:Create*"' },
  { name: 'CreateServiceLinkedRole via NotAction with NotResource', text: pol([allow({ NotAction: 's3:*', NotResource: 'arn:aws:iam::111122223333:role/admin' })]), code: 'CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE', findingType: 'WARNING', at: '"s3:*"' },
  { name: 'CreateServiceLinkedRole via NotAction with star in resource', text: pol([allow({ NotAction: 's3:*', Resource: '*' })]), code: 'CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION', findingType: 'WARNING', at: '"s3:*"' },
  { name: 'non-S3 action in a bucket policy', type: 'RESOURCE_POLICY', resourceType: 'AWS::S3::Bucket', text: pol([allow({ Principal: { AWS: '111122223333' }, Action: ['s3:GetObject', 'sqs:SendMessage'], Resource: 'arn:aws:s3:::b/*' })]), code: 'UNSUPPORTED_ACTION_IN_POLICY', findingType: 'ERROR', at: '"sqs:SendMessage"' },
  { name: 'non-S3 ARN in a bucket policy', type: 'RESOURCE_POLICY', resourceType: 'AWS::S3::Bucket', text: pol([allow({ Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:sqs:us-east-1:111122223333:q' })]), code: 'UNSUPPORTED_RESOURCE_ARN_IN_POLICY', findingType: 'ERROR', at: '"arn:aws:sqs:us-east-1:111122223333:q"' },
];

describe('ValidatePolicy checks (AWS policy check reference)', () => {
  for (const c of CASES) {
    it(`${c.code}: ${c.name}`, () => {
      const findings = validatePolicy(c.text, c.type ?? 'IDENTITY_POLICY', { resourceType: c.resourceType });
      const f = findings.find((x) => x.issueCode === c.code);
      assert.ok(f, `no ${c.code} in ${JSON.stringify(findings.map((x) => x.issueCode))}`);
      assert.equal(f.findingType, c.findingType);
      assert.equal(CHECKS[c.code], c.findingType);
      assert.match(f.learnMoreLink, /^https:\/\/docs\.aws\.amazon\.com\/IAM\/latest\/UserGuide\/access-analyzer-reference-policy-checks\.html#access-analyzer-reference-policy-checks-(error|general-warning|security-warning|suggestion)-[a-z-]+$/);
      if (c.details instanceof RegExp) assert.match(f.findingDetails, c.details);
      else if (c.details !== undefined) assert.equal(f.findingDetails, c.details);
      assert.ok(f.locations.length >= 1);
      const start = c.at === '' ? (c.code === 'JSON_SYNTAX_ERROR' ? c.text.length : 0) : locate(c.text, c.at, c.nth, c.after);
      const span = f.locations[0].span;
      assert.deepEqual(span.start, pos(c.text, start), `start of ${c.code}`);
      if (c.at.startsWith('"') || c.at === '[]' || c.at === '{}' || /^\d+$/.test(c.at)) {
        assert.deepEqual(span.end, pos(c.text, start + c.at.length), `end of ${c.code}`);
      }
      assert.ok(span.end.offset >= span.start.offset);
    });
  }

  it('a clean policy has no findings', () => {
    const text = pol([allow({ Sid: 'Read', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:PrincipalTag/team': 'x', 's3:prefix': 'home/' } } })]);
    assert.deepEqual(validatePolicy(text, 'IDENTITY_POLICY'), []);
  });

  it('a role trust policy (AWS::IAM::AssumeRolePolicyDocument) needs no Resource', () => {
    const text = pol([allow({ Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })]);
    assert.deepEqual(validatePolicy(text, 'RESOURCE_POLICY', { resourceType: 'AWS::IAM::AssumeRolePolicyDocument' }), []);
  });

  it('spans use line from 1, column from 0 and offset from 0 (explicit)', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:GetObjectt", "Resource": "*"}]\n}';
    const [f] = validatePolicy(text, 'IDENTITY_POLICY');
    assert.equal(f.issueCode, 'INVALID_ACTION');
    assert.deepEqual(f.locations[0].path, [{ value: 'Statement' }, { index: 0 }, { value: 'Action' }]);
    assert.deepEqual(f.locations[0].span, { start: { line: 3, column: 46, offset: 75 }, end: { line: 3, column: 61, offset: 90 } });
  });

  it('findings come in document order and each has every member of ValidatePolicyFinding', () => {
    const text = pol([allow({ Action: ['s3:Nope', 'sss:X'], Resource: 'arn:aws:S3:::b' })], {});
    const fs = validatePolicy(text, 'IDENTITY_POLICY');
    assert.deepEqual(fs.map((f) => f.issueCode), ['MISSING_VERSION', 'INVALID_ACTION', 'INVALID_SERVICE_IN_ACTION', 'INVALID_ARN_SERVICE_CASE']);
    for (const f of fs) assert.deepEqual(Object.keys(f).sort(), ['findingDetails', 'findingType', 'issueCode', 'learnMoreLink', 'locations']);
  });

  it('the identity policy size quota (6,144 characters without whitespace)', () => {
    const text = pol([allow({ Action: 's3:GetObject', Resource: Array.from({ length: 300 }, (_, k) => `arn:aws:s3:::bucket-${k}/*`) })]);
    const f = validatePolicy(text, 'IDENTITY_POLICY').find((x) => x.issueCode === 'POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA');
    assert.ok(f);
    assert.equal(f.findingType, 'WARNING');
  });
});

describe('ValidatePolicy never throws', () => {
  const types: PolicyKind[] = ['IDENTITY_POLICY', 'RESOURCE_POLICY', 'SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];
  const policyish = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' },
      fc.constantFrom('*', 's3:GetObject', 'iam:PassRole', 'arn:aws:s3:::b/*', 'arn:aws:iam::111122223333:role/x', '${aws:username}', '${', 'Allow', 'Deny', '10.0.0.0/8', 'true', '2020-01-01', ''),
      fc.string(), fc.integer(), fc.boolean(), fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('Version', 'Statement', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition', 'Sid', 'AWS', 'StringEquals', 'ForAllValues:StringLike', 'Bool', 'IpAddress', 'NumericLessThan', 'aws:SourceIp', 'aws:username', 's3:prefix', 'x', '__proto__', 'constructor', 's3:constructor'), tie('value'), { maxKeys: 5 })),
  })).value;

  it('on arbitrary JSON values shaped like policies', () => {
    fc.assert(fc.property(policyish, fc.constantFrom(...types), (v, t) => {
      const fs = validatePolicy(JSON.stringify(v, null, 1), t);
      for (const f of fs) for (const l of f.locations) assert.ok(l.span.end.offset >= l.span.start.offset);
    }), { numRuns: 400 });
  });

  it('on arbitrary text and on truncations of policies', () => {
    fc.assert(fc.property(fc.string(), fc.constantFrom(...types), (s, t) => { validatePolicy(s, t); }), { numRuns: 300 });
    fc.assert(fc.property(policyish, fc.nat(), (v, n) => {
      const text = JSON.stringify(v);
      const fs = validatePolicy(text.slice(0, n % (text.length + 1)), 'IDENTITY_POLICY');
      assert.ok(Array.isArray(fs));
    }), { numRuns: 300 });
  });
});
