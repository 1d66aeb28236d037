import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequestContext, lazyRequestContext } from './context.js';
import { authorize } from './authorize.js';
import { compilePolicy } from './compile.js';
import { parsePolicy } from './parse/json-to-ast.js';
import type { Principal } from './types.js';

const principal: Principal = { kind: 'user', accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/alice' };
const input = { principal, userName: 'alice', sourceIp: '10.0.0.1', region: 'eu-west-1', tags: { Team: 'blue' }, now: new Date('2026-01-02T03:04:05.678Z') };

function policy(statement: unknown) {
  const parsed = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), { type: 'identity' });
  assert.ok(parsed.ok);
  return compilePolicy(parsed.policy, { id: 'p', type: 'identity' });
}

describe('lazyRequestContext', () => {
  it('is not built by a decision that reads no context', () => {
    let built = 0;
    const context = lazyRequestContext(() => { built++; return buildRequestContext(input); });
    const d = authorize({ principal, action: 'iam:GetUser', resource: 'arn:aws:iam::111122223333:user/alice', context, policies: { identity: [policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' })] } });
    assert.equal(d.decision, 'Allow');
    assert.equal(built, 0);
  });

  it('is built once when a condition or a variable reads it, and decides as the built context does', () => {
    for (const statement of [
      { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/Team': 'blue' } } },
      { Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::111122223333:user/${aws:username}' },
      { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } },
    ]) {
      let built = 0;
      const lazy = lazyRequestContext(() => { built++; return buildRequestContext(input); });
      const request = { principal, action: 'iam:GetUser', resource: 'arn:aws:iam::111122223333:user/alice', policies: { identity: [policy(statement)] } };
      const a = authorize({ ...request, context: lazy });
      const b = authorize({ ...request, context: buildRequestContext(input) });
      assert.equal(a.decision, b.decision);
      assert.equal(built, 1);
    }
  });

  it('reads, `in`, keys and JSON are those of the built context; it cannot be changed', () => {
    const real = buildRequestContext(input);
    const lazy = lazyRequestContext(() => real);
    assert.equal(lazy['aws:sourceip'], '10.0.0.1');
    assert.equal(lazy['aws:currenttime'], '2026-01-02T03:04:05Z');
    assert.equal('aws:username' in lazy, true);
    assert.equal('constructor' in lazy, false);
    assert.equal(lazy['constructor' as string], undefined);
    assert.deepEqual(Object.keys(lazy), Object.keys(real));
    assert.equal(JSON.stringify(lazy), JSON.stringify(real));
    assert.throws(() => { (lazy as Record<string, unknown>)['aws:sourceip'] = 'x'; }, TypeError);
  });
});
