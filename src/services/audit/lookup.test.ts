// CloudTrail LookupEvents over a real store and runtime: events recorded through the runtime's
// audit trail, looked up with real authorization (root, and IAM users with and without
// cloudtrail:LookupEvents).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../../protocol/index.js';
import { openCredentialFixture, type CredentialFixture } from '../iam/credentials-fixture.js';
import type { CallContext, Caller } from '../types.js';
import type { AuditCall } from './record.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

describe('CloudTrail LookupEvents', () => {
  let f: CredentialFixture;
  let A: string;
  let root: Caller;
  let alice: Caller;
  let lookup: (ctx: CallContext, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
  type Ev = { EventId: string; EventName: string; ReadOnly: string; AccessKeyId?: string; EventTime: Date; EventSource: string; Username?: string; Resources: Array<{ ResourceType: string; ResourceName: string }>; CloudTrailEvent: string };
  const events = (out: Record<string, unknown>): Ev[] => out.Events as Ev[];
  const errorOf = async (p: Promise<unknown>): Promise<AwsError> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof AwsError, String(e));
      return e;
    }
    throw new Error('expected an error');
  };

  before(async () => {
    f = await openCredentialFixture();
    A = f.accountId;
    await f.addUser('alice', ['iam:GetUser']);
    await f.addUser('auditor', ['cloudtrail:LookupEvents']);
    await f.runtime.afterWrite();
    root = f.root().caller;
    alice = (await f.user('alice')).caller;
    lookup = (ctx, input) => f.runtime.operations.cloudtrail!.LookupEvents(ctx, input) as Promise<Record<string, unknown>>;
    const call = (minutes: number, over: Partial<AuditCall>): AuditCall => ({
      requestId: `req-${minutes}`, time: at(minutes), service: 'iam', operation: 'GetUser', region: 'us-east-1', sourceIp: '192.0.2.1', status: 200, ...over,
    });
    // Ten events in A, one in another account; minute i is event i.
    const calls: AuditCall[] = [
      call(0, { caller: root, operation: 'CreateUser', input: { UserName: 'alice' }, output: { User: { UserName: 'alice' } } }),
      call(1, { caller: root, operation: 'CreateRole', input: { RoleName: 'app' } }),
      call(2, { caller: alice, operation: 'GetUser', input: { UserName: 'alice' } }),
      call(3, { caller: alice, operation: 'CreateUser', input: { UserName: 'eve' }, status: 403, errorCode: 'AccessDenied', errorMessage: 'denied' }),
      call(4, { caller: root, service: 'sts', operation: 'GetCallerIdentity' }),
      call(5, { caller: root, service: 'organizations', operation: 'DescribeOrganization' }),
      call(6, { caller: alice, operation: 'ListUsers' }),
      call(7, { caller: root, operation: 'AttachUserPolicy', input: { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }),
      call(8, { caller: root, operation: 'DeleteRole', input: { RoleName: 'app' } }),
      call(9, { caller: root, operation: 'GetUser' }),
      call(5, { caller: { ...root, accountId: '999999999999', principal: { kind: 'root', accountId: '999999999999', arn: 'arn:aws:iam::999999999999:root' } }, operation: 'CreateUser', input: { UserName: 'other' } }),
    ];
    for (const c of calls) await f.runtime.audit.record(c);
  });
  after(() => f.close());

  it('returns the account\'s events newest first with every member, and nothing of other accounts', async () => {
    const out = await lookup(f.root(), {});
    const evs = events(out);
    assert.deepEqual(evs.map((e) => e.EventName), ['GetUser', 'DeleteRole', 'AttachUserPolicy', 'ListUsers', 'DescribeOrganization', 'GetCallerIdentity', 'CreateUser', 'GetUser', 'CreateRole', 'CreateUser']);
    assert.equal(out.NextToken, undefined);
    const denied = evs[6];
    assert.equal(denied.Username, 'alice');
    assert.equal(denied.ReadOnly, 'false');
    assert.equal(denied.EventSource, 'iam.amazonaws.com');
    assert.equal(denied.AccessKeyId, alice.accessKeyId);
    assert.deepEqual(denied.EventTime, at(3));
    assert.deepEqual(denied.Resources, [{ ResourceType: 'AWS::IAM::User', ResourceName: 'eve' }]);
    const record = JSON.parse(denied.CloudTrailEvent) as Record<string, unknown>;
    assert.equal(record.errorCode, 'AccessDenied');
    assert.equal(record.eventID, denied.EventId);
    assert.equal(record.recipientAccountId, A);
    assert.equal(evs[0].Username, 'root');
  });

  const filters: Array<{ name: string; key: string; value: () => string; expected: string[] }> = [
    { name: 'EventName', key: 'EventName', value: () => 'CreateUser', expected: ['CreateUser', 'CreateUser'] },
    { name: 'ReadOnly true', key: 'ReadOnly', value: () => 'true', expected: ['GetUser', 'ListUsers', 'DescribeOrganization', 'GetCallerIdentity', 'GetUser'] },
    { name: 'ReadOnly false', key: 'ReadOnly', value: () => 'false', expected: ['DeleteRole', 'AttachUserPolicy', 'CreateUser', 'CreateRole', 'CreateUser'] },
    { name: 'Username of an IAM user', key: 'Username', value: () => 'alice', expected: ['ListUsers', 'CreateUser', 'GetUser'] },
    { name: 'Username root', key: 'Username', value: () => 'root', expected: ['GetUser', 'DeleteRole', 'AttachUserPolicy', 'DescribeOrganization', 'GetCallerIdentity', 'CreateRole', 'CreateUser'] },
    { name: 'EventSource', key: 'EventSource', value: () => 'sts.amazonaws.com', expected: ['GetCallerIdentity'] },
    { name: 'AccessKeyId', key: 'AccessKeyId', value: () => alice.accessKeyId, expected: ['ListUsers', 'CreateUser', 'GetUser'] },
    { name: 'ResourceType', key: 'ResourceType', value: () => 'AWS::IAM::Role', expected: ['DeleteRole', 'CreateRole'] },
    { name: 'ResourceName', key: 'ResourceName', value: () => 'arn:aws:iam::aws:policy/ReadOnlyAccess', expected: ['AttachUserPolicy'] },
    { name: 'EventName of nothing', key: 'EventName', value: () => 'DeleteTrail', expected: [] },
  ];
  for (const c of filters) {
    it(`LookupAttributes ${c.name}`, async () => {
      const out = await lookup(f.root(), { LookupAttributes: [{ AttributeKey: c.key, AttributeValue: c.value() }] });
      assert.deepEqual(events(out).map((e) => e.EventName), c.expected);
    });
  }

  it('LookupAttributes EventId finds exactly that event', async () => {
    const all = events(await lookup(f.root(), {}));
    const out = await lookup(f.root(), { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: all[3].EventId }] });
    assert.deepEqual(events(out).map((e) => e.EventId), [all[3].EventId]);
  });

  it('StartTime and EndTime are inclusive', async () => {
    const out = await lookup(f.root(), { StartTime: at(2), EndTime: at(4) });
    assert.deepEqual(events(out).map((e) => e.EventTime.getTime()), [at(4), at(3), at(2)].map((d) => d.getTime()));
    assert.deepEqual(events(await lookup(f.root(), { StartTime: at(9) })).map((e) => e.EventName), ['GetUser']);
    assert.deepEqual(events(await lookup(f.root(), { EndTime: at(0) })).map((e) => e.EventName), ['CreateUser']);
  });

  it('pages with MaxResults and NextToken through every event once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await lookup(f.root(), { MaxResults: 3, ...(token ? { NextToken: token } : {}) });
      seen.push(...events(out).map((e) => e.EventName));
      token = out.NextToken as string | undefined;
      pages++;
    } while (token);
    assert.equal(pages, 4);
    assert.deepEqual(seen, events(await lookup(f.root(), {})).map((e) => e.EventName));
    // Exactly one page's worth: no NextToken.
    const exact = await lookup(f.root(), { MaxResults: 2, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] });
    assert.equal(events(exact).length, 2);
    assert.equal(exact.NextToken, undefined);
  });

  const errors: Array<{ name: string; input: () => Record<string, unknown>; code: string }> = [
    { name: 'two lookup attributes', input: () => ({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetUser' }, { AttributeKey: 'Username', AttributeValue: 'root' }] }), code: 'InvalidLookupAttributesException' },
    { name: 'ReadOnly neither true nor false', input: () => ({ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'yes' }] }), code: 'InvalidLookupAttributesException' },
    { name: 'unknown attribute key', input: () => ({ LookupAttributes: [{ AttributeKey: 'Region', AttributeValue: 'x' }] }), code: 'InvalidLookupAttributesException' },
    { name: 'empty attribute value', input: () => ({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '' }] }), code: 'InvalidLookupAttributesException' },
    { name: 'StartTime after EndTime', input: () => ({ StartTime: at(5), EndTime: at(4) }), code: 'InvalidTimeRangeException' },
    { name: 'MaxResults above 50', input: () => ({ MaxResults: 51 }), code: 'InvalidMaxResultsException' },
    { name: 'garbage NextToken', input: () => ({ NextToken: 'not a token!' }), code: 'InvalidNextTokenException' },
    { name: 'well-formed token of nothing', input: () => ({ NextToken: Buffer.from('{"before":"x"}').toString('base64url') }), code: 'InvalidNextTokenException' },
  ];
  for (const c of errors) {
    it(`${c.name}: ${c.code}`, async () => {
      const e = await errorOf(lookup(f.root(), c.input()));
      assert.equal(e.code, c.code);
      assert.equal(e.status, 400);
    });
  }

  it('a NextToken used with different parameters is refused', async () => {
    const first = await lookup(f.root(), { MaxResults: 2 });
    assert.ok(first.NextToken);
    const e = await errorOf(lookup(f.root(), { MaxResults: 2, NextToken: first.NextToken, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }] }));
    assert.equal(e.code, 'InvalidNextTokenException');
  });

  it('is authorized by cloudtrail:LookupEvents: denied without it (AccessDeniedException), allowed with it', async () => {
    const e = await errorOf(lookup(await f.user('alice'), {}));
    assert.equal(e.code, 'AccessDeniedException');
    assert.match(e.message, /is not authorized to perform: cloudtrail:LookupEvents/);
    const out = await lookup(await f.user('auditor'), { MaxResults: 1 });
    assert.equal(events(out).length, 1);
  });

  it('finds sparse matches across many scan windows', async () => {
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 1300; i++) {
      calls.push(f.runtime.audit.record({
        requestId: `bulk-${i}`, time: at(100 + i / 100), service: 'iam', operation: i % 400 === 0 ? 'TagRole' : 'ListRoles',
        sourceIp: '192.0.2.1', status: 200, caller: root,
      }));
    }
    await Promise.all(calls);
    const out = await lookup(f.root(), { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'TagRole' }] });
    assert.equal(events(out).length, 4);
    const page = await lookup(f.root(), { MaxResults: 3, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'TagRole' }] });
    assert.equal(events(page).length, 3);
    const rest = await lookup(f.root(), { MaxResults: 3, NextToken: page.NextToken, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'TagRole' }] });
    assert.equal(events(rest).length, 1);
    assert.equal(rest.NextToken, undefined);
    // A time range bounds the scan: only the TagRole of minute 112 (i = 1200) is that late.
    const late = await lookup(f.root(), { StartTime: at(112), LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'TagRole' }] });
    assert.deepEqual(events(late).map((e) => e.EventTime.getTime()), [at(112).getTime()]);
    assert.deepEqual(events(await lookup(f.root(), { StartTime: at(10_000) })), []);
  });
});
