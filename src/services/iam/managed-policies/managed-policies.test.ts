import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  getAwsManagedPolicy,
  isAwsManagedPolicyArn,
  loadAwsManagedPolicies,
  type AwsManagedPolicy,
} from './index.js';

const P = 'arn:aws:iam::aws:policy/';

test('catalog loads once, quickly, and is cached', () => {
  const t0 = performance.now();
  const cat = loadAwsManagedPolicies();
  const ms = performance.now() - t0;
  console.log(`# AWS managed policy catalog: ${cat.list.length} policies loaded in ${ms.toFixed(1)} ms ` +
    `(${cat.source.package}@${cat.source.version}, ${cat.source.license})`);
  assert.ok(ms < 1000, `load took ${ms} ms`);
  assert.equal(loadAwsManagedPolicies(), cat);
  const t1 = performance.now();
  loadAwsManagedPolicies();
  assert.ok(performance.now() - t1 < 5);
});

test('AdministratorAccess has its real document', () => {
  const p = getAwsManagedPolicy(`${P}AdministratorAccess`);
  assert.ok(p);
  assert.equal(p.PolicyName, 'AdministratorAccess');
  assert.equal(p.Path, '/');
  assert.equal(p.DefaultVersionId, 'v1');
  assert.equal(p.Document, '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}');
  assert.deepEqual(JSON.parse(p.Document), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
});

test('well-known policies exist, on their paths', () => {
  for (const arn of [
    `${P}PowerUserAccess`,
    `${P}ReadOnlyAccess`,
    `${P}IAMFullAccess`,
    `${P}IAMReadOnlyAccess`,
    `${P}AmazonS3ReadOnlyAccess`,
    `${P}AmazonS3FullAccess`,
    `${P}AWSOrganizationsFullAccess`,
    `${P}AWSOrganizationsReadOnlyAccess`,
    `${P}service-role/AWSLambdaBasicExecutionRole`,
    `${P}job-function/ViewOnlyAccess`,
  ]) {
    const p = getAwsManagedPolicy(arn);
    assert.ok(p, arn);
    assert.equal(`${P}${p.Path.slice(1)}${p.PolicyName}`, arn);
  }
  const ro = getAwsManagedPolicy(`${P}ReadOnlyAccess`)!;
  assert.ok(ro.Document.length > 20_000, `ReadOnlyAccess is ${ro.Document.length} chars`);
  const pu = JSON.parse(getAwsManagedPolicy(`${P}PowerUserAccess`)!.Document);
  assert.ok(JSON.stringify(pu).includes('"NotAction"'));
  assert.equal(getAwsManagedPolicy(`${P}service-role/AWSLambdaBasicExecutionRole`)!.Path, '/service-role/');
  assert.equal(getAwsManagedPolicy(`${P}job-function/ViewOnlyAccess`)!.Path, '/job-function/');
});

test('unknown and non-AWS-managed ARNs are not found', () => {
  assert.equal(getAwsManagedPolicy(`${P}NoSuchPolicyAnywhere`), undefined);
  assert.equal(getAwsManagedPolicy(`${P}AWSLambdaBasicExecutionRole`), undefined); // wrong path
  assert.equal(getAwsManagedPolicy('arn:aws:iam::123456789012:policy/AdministratorAccess'), undefined);
  assert.equal(isAwsManagedPolicyArn('arn:aws:iam::123456789012:policy/X'), false);
});

test('every entry is well formed; ARNs, names and ids are unique', () => {
  const { list, byArn } = loadAwsManagedPolicies();
  assert.ok(list.length > 1000, `${list.length} policies`);
  assert.equal(byArn.size, list.length);
  const names = new Set<string>();
  const ids = new Set<string>();
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
  for (const p of list as AwsManagedPolicy[]) {
    assert.ok(p.Arn.startsWith(P), p.Arn);
    assert.equal(p.Arn, `${P}${p.Path.slice(1)}${p.PolicyName}`);
    assert.match(p.Path, /^\/([\w+=,.@-]+\/)*$/);
    assert.match(p.PolicyId, /^ANPA[A-Z2-7]{17}$/);
    assert.match(p.DefaultVersionId, /^v\d+$/);
    if (p.CreateDate) assert.match(p.CreateDate, iso);
    if (p.UpdateDate) assert.match(p.UpdateDate, iso);
    assert.ok(!names.has(p.PolicyName), p.PolicyName);
    assert.ok(!ids.has(p.PolicyId), p.PolicyId);
    names.add(p.PolicyName);
    ids.add(p.PolicyId);
    const doc = JSON.parse(p.Document) as { Version?: string; Statement?: unknown };
    assert.ok(doc.Statement !== undefined && typeof doc.Statement === 'object', `${p.PolicyName}: Statement`);
    assert.equal(doc.Version, '2012-10-17', p.PolicyName);
    assert.ok(Object.isFrozen(p));
  }
  const paths = new Set(list.map((p) => p.Path));
  for (const path of ['/', '/service-role/', '/job-function/', '/aws-service-role/']) assert.ok(paths.has(path), path);
});
