import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guessProtocol, isWriteOperation, queryPairs, queryParameters, routeForService, unsignedRoute, type RoutedRequest } from './routing.js';

function request(parts: Partial<RoutedRequest>): RoutedRequest {
  return { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(0), ...parts };
}

describe('routing', () => {
  const writes = [
    { operation: 'CreateUser', write: true },
    { operation: 'AttachRolePolicy', write: true },
    { operation: 'AssumeRole', write: false },
    { operation: 'AssumeRoleWithSAML', write: false },
    { operation: 'UpdateAssumeRolePolicy', write: true },
    { operation: 'GetUser', write: false },
    { operation: 'ListUsers', write: false },
    { operation: 'DescribeOrganization', write: false },
    { operation: 'SimulatePrincipalPolicy', write: false },
    { operation: 'GenerateCredentialReport', write: false },
    { operation: 'LookupEvents', write: false },
    { operation: 'ValidatePolicy', write: false },
    { operation: 'DecodeAuthorizationMessage', write: false },
    { operation: 'Getaway', write: true },
  ];
  for (const c of writes) {
    it(`treats ${c.operation} as ${c.write ? 'a write' : 'a read'}`, () => assert.equal(isWriteOperation(c.operation), c.write));
  }

  const services = [
    { service: 'iam', protocol: 'query' },
    { service: 'sts', protocol: 'query' },
    { service: 'organizations', protocol: 'json' },
    { service: 'cloudtrail', protocol: 'json' },
    { service: 'access-analyzer', protocol: 'rest-json' },
    { service: 's3', protocol: undefined },
    { service: 'constructor', protocol: undefined },
    { service: '__proto__', protocol: undefined },
  ];
  for (const c of services) {
    it(`routes scope service ${c.service} to ${c.protocol ?? 'nothing'}`, () => assert.equal(routeForService(c.service)?.protocol, c.protocol));
  }

  const guesses = [
    { name: 'a form post', req: request({ headers: { 'content-type': ['application/x-www-form-urlencoded'] } }), protocol: 'query' },
    { name: 'an X-Amz-Target', req: request({ headers: { 'x-amz-target': ['AWSOrganizationsV20161128.ListRoots'] } }), protocol: 'json' },
    { name: 'an amz-json body', req: request({ headers: { 'content-type': ['application/x-amz-json-1.1'] } }), protocol: 'json' },
    { name: 'JSON to a path', req: request({ path: '/policy/validation', headers: { 'content-type': ['application/json'] } }), protocol: 'rest-json' },
    { name: 'nothing at all', req: request({}), protocol: 'query' },
  ];
  for (const c of guesses) {
    it(`answers ${c.name} in ${c.protocol}`, () => assert.equal(guessProtocol(c.req), c.protocol));
  }

  it('reads Query parameters from the body first, then the query string', () => {
    const params = queryParameters(request({ query: 'Action=ListUsers&Marker=m', body: Buffer.from('Action=GetUser&Version=2010-05-08') }));
    assert.equal(params.get('Action'), 'GetUser');
    assert.equal(params.get('Marker'), 'm');
    assert.equal(queryParameters(request({ method: 'GET', query: 'Action=GetUser', body: Buffer.from('Action=X') })).get('Action'), 'GetUser');
  });

  it('reads the pairs URLSearchParams reads from the body, then from the query string, in order', () => {
    const requests = [
      request({ query: 'Action=ListUsers&Marker=m', body: Buffer.from('Action=GetUser&Version=2010-05-08') }),
      request({ method: 'GET', query: 'Action=GetUser&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fiam%2Faws4_request', body: Buffer.from('Action=X') }),
      request({ body: Buffer.from('Action=CreateUser&UserName=a+b&Tags.member.1.Key=%zz&Tags.member.1.Value=%C3%A9') }),
      request({ body: Buffer.from('?a=1&&b') }),
      request({}),
    ];
    for (const req of requests) {
      const body = req.method === 'POST' ? [...new URLSearchParams(req.body.toString('utf8'))] : [];
      assert.deepEqual(queryPairs(req), [...body, ...new URLSearchParams(req.query)]);
    }
  });

  const unsigned = [
    { body: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15', service: 'sts' },
    { body: 'Action=AssumeRoleWithSAML&Version=2011-06-15', service: 'sts' },
    { body: 'Action=AssumeRole&Version=2011-06-15', service: undefined },
    { body: 'Action=GetUser&Version=2010-05-08', service: undefined },
    { body: '', service: undefined },
  ];
  for (const c of unsigned) {
    it(`lets \`${c.body}\` through unsigned: ${c.service !== undefined}`, () => {
      assert.equal(unsignedRoute(request({ body: Buffer.from(c.body) }))?.signingName, c.service);
    });
  }
});
