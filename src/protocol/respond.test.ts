import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError, modelError } from './errors.js';
import { loadServiceModel } from './model.js';
import { renderError, renderResponse } from './respond.js';

const iam = loadServiceModel('iam');
const organizations = loadServiceModel('organizations');
const analyzer = loadServiceModel('accessanalyzer');

const cases = [
  {
    name: 'IAM error: XML, status from the model',
    run: () => renderError(iam, modelError(iam, 'EntityAlreadyExists', 'User with name alice already exists.'), 'r1'),
    status: 409, contentType: 'text/xml',
    body: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code>' +
      '<Message>User with name alice already exists.</Message></Error><RequestId>r1</RequestId></ErrorResponse>',
  },
  {
    name: 'a defect becomes InternalFailure without details',
    run: () => renderError(iam, new TypeError('secret detail'), 'r2'),
    status: 500, contentType: 'text/xml',
    body: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Receiver</Type><Code>InternalFailure</Code>' +
      '<Message>An internal error occurred.</Message></Error><RequestId>r2</RequestId></ErrorResponse>',
  },
  {
    name: 'Organizations error: JSON 1.1',
    run: () => renderError(organizations, modelError(organizations, 'AccountNotFoundException', 'nope'), 'r3'),
    status: 400, contentType: 'application/x-amz-json-1.1',
    body: '{"__type":"AccountNotFoundException","Message":"nope"}',
  },
  {
    name: 'Access Analyzer error: REST-JSON',
    run: () => renderError(analyzer, new AwsError('ResourceNotFoundException', 'gone', { status: 404, fields: { resourceId: 'a', resourceType: 'Analyzer' } }), 'r4'),
    status: 404, contentType: 'application/json',
    body: '{"message":"gone","resourceId":"a","resourceType":"Analyzer"}',
  },
  {
    name: 'IAM success: XML',
    run: () => renderResponse(iam, 'DeleteUser', undefined, 'r5'),
    status: 200, contentType: 'text/xml',
    body: '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r5</RequestId></ResponseMetadata></DeleteUserResponse>',
  },
  {
    name: 'Organizations success: JSON 1.1',
    run: () => renderResponse(organizations, 'DisablePolicyType', { Root: { Id: 'r-abcd', Name: 'Root' } }, 'r6'),
    status: 200, contentType: 'application/x-amz-json-1.1',
    body: '{"Root":{"Id":"r-abcd","Name":"Root"}}',
  },
];

for (const c of cases) {
  test(`render: ${c.name}`, () => {
    const response = c.run();
    assert.equal(response.status, c.status);
    assert.equal(response.headers['Content-Type'], c.contentType);
    assert.ok(Object.values(response.headers).some((v) => /^r\d$/.test(v)), 'x-amzn-RequestId');
    assert.equal(response.body, c.body);
  });
}
