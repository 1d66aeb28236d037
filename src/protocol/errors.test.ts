import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError, errorInfo, errorInfoByCode, modelError } from './errors.js';
import { loadServiceModel } from './model.js';

const iam = loadServiceModel('iam');
const sts = loadServiceModel('sts');
const organizations = loadServiceModel('organizations');
const analyzer = loadServiceModel('accessanalyzer');

const cases = [
  { name: 'IAM NoSuchEntity', model: iam, shape: 'NoSuchEntityException', code: 'NoSuchEntity', status: 404, type: 'Sender' },
  { name: 'IAM EntityAlreadyExists', model: iam, shape: 'EntityAlreadyExistsException', code: 'EntityAlreadyExists', status: 409, type: 'Sender' },
  { name: 'IAM LimitExceeded', model: iam, shape: 'LimitExceededException', code: 'LimitExceeded', status: 409, type: 'Sender' },
  { name: 'IAM MalformedPolicyDocument', model: iam, shape: 'MalformedPolicyDocumentException', code: 'MalformedPolicyDocument', status: 400, type: 'Sender' },
  { name: 'IAM DeleteConflict', model: iam, shape: 'DeleteConflictException', code: 'DeleteConflict', status: 409, type: 'Sender' },
  { name: 'IAM ServiceFailure is the receiver\'s fault', model: iam, shape: 'ServiceFailureException', code: 'ServiceFailure', status: 500, type: 'Receiver' },
  { name: 'IAM code differs from the shape name', model: iam, shape: 'CredentialReportNotReadyException', code: 'ReportInProgress', status: 404, type: 'Sender' },
  { name: 'STS ExpiredToken', model: sts, shape: 'ExpiredTokenException', code: 'ExpiredTokenException', status: 400, type: 'Sender' },
  { name: 'Organizations: JSON codes are shape names', model: organizations, shape: 'AccountNotFoundException', code: 'AccountNotFoundException', status: 400, type: 'Sender' },
  { name: 'Access Analyzer ResourceNotFound', model: analyzer, shape: 'ResourceNotFoundException', code: 'ResourceNotFoundException', status: 404, type: 'Sender' },
  { name: 'Access Analyzer InternalServer', model: analyzer, shape: 'InternalServerException', code: 'InternalServerException', status: 500, type: 'Receiver' },
] as const;

for (const c of cases) {
  test(`errorInfo: ${c.name}`, () => {
    assert.deepEqual(errorInfo(c.model, c.shape), { shapeName: c.shape, code: c.code, status: c.status, type: c.type });
    assert.equal(errorInfoByCode(c.model, c.code)?.shapeName, c.shape);
  });
}

test('errorInfo: a shape that is no exception', () => {
  assert.equal(errorInfo(iam, 'User'), undefined);
  assert.equal(errorInfo(iam, 'constructor'), undefined);
  assert.equal(errorInfoByCode(iam, 'Nope'), undefined);
});

test('modelError takes status and fault side from the model, by code or by shape', () => {
  const byCode = modelError(iam, 'NoSuchEntity', 'The user with name bob cannot be found.');
  assert.ok(byCode instanceof AwsError);
  assert.deepEqual([byCode.code, byCode.status, byCode.type, byCode.message], ['NoSuchEntity', 404, 'Sender', 'The user with name bob cannot be found.']);
  const byShape = modelError(iam, 'DeleteConflictException', 'Cannot delete entity, must detach all policies first.');
  assert.deepEqual([byShape.code, byShape.status], ['DeleteConflict', 409]);
  const withFields = modelError(organizations, 'InvalidInputException', 'bad', { Reason: 'INVALID_PATTERN' });
  assert.deepEqual(withFields.fields, { Reason: 'INVALID_PATTERN' });
});

test('modelError with an unknown name is an internal failure', () => {
  const e = modelError(iam, 'NoSuchThing', 'x');
  assert.deepEqual([e.code, e.status, e.type], ['InternalFailure', 500, 'Receiver']);
});

test('AwsError defaults: 400 Sender, 5xx Receiver', () => {
  assert.deepEqual([new AwsError('X', 'm').status, new AwsError('X', 'm').type], [400, 'Sender']);
  assert.equal(new AwsError('X', 'm', { status: 503 }).type, 'Receiver');
});
