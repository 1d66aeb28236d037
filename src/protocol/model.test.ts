import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadServiceModel, lowerFirst, type ServiceName } from './model.js';

const services: Array<{ name: ServiceName; protocol: string; operations: number; check: string }> = [
  { name: 'iam', protocol: 'query', operations: 176, check: 'CreateUser' },
  { name: 'sts', protocol: 'query', operations: 11, check: 'AssumeRole' },
  { name: 'organizations', protocol: 'json', operations: 63, check: 'CreateAccount' },
  { name: 'accessanalyzer', protocol: 'rest-json', operations: 39, check: 'ValidatePolicy' },
  { name: 'cloudtrail', protocol: 'json', operations: 60, check: 'LookupEvents' },
];

function hasKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => hasKey(v, key));
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k === key || hasKey(v, key));
  return false;
}

for (const s of services) {
  test(`model ${s.name}: complete, without documentation, cached`, () => {
    const model = loadServiceModel(s.name);
    assert.equal(model.metadata.protocol, s.protocol);
    assert.equal(Object.keys(model.operations).length, s.operations);
    assert.ok(model.operations[s.check].input);
    assert.equal(hasKey(model, 'documentation'), false);
    for (const op of Object.values(model.operations)) {
      for (const ref of [op.input, op.output, ...(op.errors ?? [])]) if (ref) assert.ok(model.shapes[ref.shape], `${op.name}: ${ref.shape}`);
    }
    assert.equal(loadServiceModel(s.name), model);
  });
}

test('traits survive extraction', () => {
  const iam = loadServiceModel('iam');
  assert.equal(iam.metadata.xmlNamespace, 'https://iam.amazonaws.com/doc/2010-05-08/');
  assert.equal(iam.operations.CreateUser.output?.resultWrapper, 'CreateUserResult');
  assert.deepEqual(iam.shapes.userNameType, { type: 'string', max: 64, min: 1, pattern: '[\\w+=,.@-]+' });
  assert.deepEqual(iam.shapes.NoSuchEntityException.error, { code: 'NoSuchEntity', httpStatusCode: 404, senderFault: true });
  assert.equal(loadServiceModel('organizations').metadata.targetPrefix, 'AWSOrganizationsV20161128');
  const aa = loadServiceModel('accessanalyzer');
  assert.equal(aa.shapes.GetAnalyzerRequest.members?.analyzerName.location, 'uri');
  assert.equal(aa.shapes.CreateAnalyzerRequest.members?.clientToken.idempotencyToken, true);
  assert.equal(aa.shapes.Timestamp.timestampFormat, 'iso8601');
});

test('lowerFirst lower-cases only the first letter, as AWS does', () => {
  assert.equal(lowerFirst('UserName'), 'userName');
  assert.equal(lowerFirst('SAMLMetadataDocument'), 'sAMLMetadataDocument');
  assert.equal(lowerFirst(''), '');
});
