import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KIND, isoNow, type RoleDoc } from '../iam/entities.js';
import type { CallContext } from '../types.js';
import { issueSessionCredentials, type SessionCredentials } from './credentials.js';
import { MSG_CHAINING, MSG_MAX_SESSION, MSG_ROOT } from './assume-role.js';
import { MFA_INVALID_CODE, MFA_UNABLE, totp } from './mfa.js';
import { awsErrorOf, openStsFixture, policyText, type StsFixture } from './sts-fixture.js';

type Creds = { Credentials: SessionCredentials; AssumedRoleUser: { Arn: string; AssumedRoleId: string }; PackedPolicySize?: number; SourceIdentity?: string };

const S3_ALL = [{ Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }];
const OBJ = 'arn:aws:s3:::bucket/key';

describe('AssumeRole', () => {
  let f: StsFixture;
  let A: string;
  const B = '222233334444';
  const userArn = (n: string, acct = A) => `arn:aws:iam::${acct}:user/${n}`;
  const roleArn = (n: string, acct = A) => `arn:aws:iam::${acct}:role/${n}`;
  const allowAssume = (resource = '*') => [{ Effect: 'Allow' as const, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: resource }];
  const trustOf = (principal: unknown, extra: Record<string, unknown> = {}, actions: string[] = ['sts:AssumeRole']) =>
    ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: actions, ...extra }] });

  async function assume(ctx: CallContext, role: string, input: Record<string, unknown> = {}): Promise<Creds> {
    return (await f.call('AssumeRole', ctx, { RoleArn: role, RoleSessionName: 's1', ...input })) as unknown as Creds;
  }

  before(async () => {
    f = await openStsFixture();
    A = f.accountId;
    await f.addAccount(B);
    await f.addUser('alice');
    await f.addUser('bob', allowAssume());
    await f.addUser('carol');
    await f.addUser('mallory', allowAssume());
    await f.addRole('NamesAlice', trustOf({ AWS: userArn('alice') }), S3_ALL);
    await f.addRole('NamesAccount', trustOf({ AWS: `arn:aws:iam::${A}:root` }, {}, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']), S3_ALL, { maxSessionDuration: 7200 });
    await f.addRole('Partner', trustOf({ AWS: `arn:aws:iam::${A}:root` }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } } }), S3_ALL);
    await f.addRole('NeedsMfa', trustOf({ AWS: `arn:aws:iam::${A}:root` }, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), S3_ALL);
    await f.addRole('CrossTrustsA', trustOf({ AWS: A }), S3_ALL, { account: B });
    await f.addRole('CrossTrustsNobody', trustOf({ AWS: `arn:aws:iam::${B}:root` }), S3_ALL, { account: B });
  });
  after(async () => { await f.close(); });

  describe('who may assume (trust policy as a resource policy)', () => {
    const cases: { name: string; user: string; role: () => string; ok: boolean; message?: RegExp }[] = [
      { name: 'same account, trust names the user: no identity policy needed', user: 'alice', role: () => roleArn('NamesAlice'), ok: true },
      { name: 'same account, trust names another user', user: 'carol', role: () => roleArn('NamesAlice'), ok: false, message: /is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d+:role\/NamesAlice/ },
      { name: 'same account, trust names the account, identity allows', user: 'bob', role: () => roleArn('NamesAccount'), ok: true },
      { name: 'same account, trust names the account, no identity policy', user: 'carol', role: () => roleArn('NamesAccount'), ok: false, message: /because no identity-based policy allows the sts:AssumeRole action/ },
      { name: 'cross account, both sides allow', user: 'bob', role: () => roleArn('CrossTrustsA', B), ok: true },
      { name: 'cross account, trust allows but no identity policy', user: 'carol', role: () => roleArn('CrossTrustsA', B), ok: false },
      { name: 'cross account, identity allows but trust does not', user: 'bob', role: () => roleArn('CrossTrustsNobody', B), ok: false },
      { name: 'a role that does not exist', user: 'bob', role: () => roleArn('Nope'), ok: false, message: /^User: arn:aws:iam::\d+:user\/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d+:role\/Nope$/ },
    ];
    for (const c of cases) {
      it(`${c.ok ? 'allows' : 'denies'}: ${c.name}`, async () => {
        const ctx = await f.user(c.user);
        if (c.ok) {
          const out = await assume(ctx, c.role());
          assert.match(out.Credentials.AccessKeyId, /^ASIA/);
          const name = c.role().split('/').pop();
          const acct = c.role().split(':')[4];
          assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${acct}:assumed-role/${name}/s1`);
          assert.match(out.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z2-7]{17}:s1$/);
        } else {
          const e = await awsErrorOf(() => assume(ctx, c.role()));
          assert.equal(e.code, 'AccessDenied');
          assert.equal(e.status, 403);
          if (c.message) assert.match(e.message, c.message);
        }
      });
    }

    it('refuses the root user with AWS\'s message', async () => {
      const e = await awsErrorOf(() => assume(f.root(), roleArn('NamesAccount')));
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.message, MSG_ROOT);
    });

    it('a cross-account session belongs to the role\'s account', async () => {
      const out = await assume(await f.user('bob'), roleArn('CrossTrustsA', B));
      const id = await f.call('GetCallerIdentity', await f.session(out.Credentials));
      assert.equal(id.Account, B);
      assert.equal(id.Arn, `arn:aws:sts::${B}:assumed-role/CrossTrustsA/s1`);
    });
  });

  describe('ExternalId (confused deputy)', () => {
    const cases = [
      { name: 'the right ExternalId', ext: 'ext-123', ok: true },
      { name: 'a wrong ExternalId', ext: 'ext-124', ok: false },
      { name: 'no ExternalId', ext: undefined, ok: false },
    ];
    for (const c of cases) {
      it(`${c.ok ? 'allows' : 'denies'} ${c.name}`, async () => {
        const ctx = await f.user('bob');
        const input = c.ext === undefined ? {} : { ExternalId: c.ext };
        if (c.ok) assert.ok((await assume(ctx, roleArn('Partner'), input)).Credentials);
        else assert.equal((await awsErrorOf(() => assume(ctx, roleArn('Partner'), input))).code, 'AccessDenied');
      });
    }
  });

  describe('MFA', () => {
    let serial: string;
    let seed: string;
    before(async () => { ({ serial, seed } = await f.addMfaDevice('bob')); });

    it('refuses without MFA when the trust policy requires it', async () => {
      assert.equal((await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NeedsMfa')))).code, 'AccessDenied');
    });
    it('refuses a wrong code with AWS\'s message', async () => {
      const now = new Date('2026-11-22T10:00:00Z');
      const good = totp(seed, now);
      const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
      const e = await awsErrorOf(async () => assume(await f.user('bob', now), roleArn('NeedsMfa'), { SerialNumber: serial, TokenCode: wrong }));
      assert.equal(e.code, 'AccessDenied');
      assert.equal(e.message, MFA_INVALID_CODE);
    });
    it('accepts the right code, sets the MFA keys, and refuses the same code again', async () => {
      const now = new Date('2026-11-22T10:05:00Z');
      const code = totp(seed, now);
      const out = await assume(await f.user('bob', now), roleArn('NeedsMfa'), { SerialNumber: serial, TokenCode: code });
      const later = new Date(now.getTime() + 90_000);
      const s = await f.session(out.Credentials, later);
      assert.equal(s.caller.session?.mfaAuthenticated, true);
      // aws:MultiFactorAuthAge counts from the code's use.
      await f.putRolePolicy('NeedsMfa', 'fresh', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '60' } } }]);
      assert.equal((await awsErrorOf(async () => (await f.session(out.Credentials, later)).authorize('sqs:SendMessage', '*'))).code, 'AccessDenied');
      (await f.session(out.Credentials, new Date(now.getTime() + 30_000))).authorize('sqs:SendMessage', '*');
      const replay = await awsErrorOf(async () => assume(await f.user('bob', now), roleArn('NeedsMfa'), { SerialNumber: serial, TokenCode: code }));
      assert.equal(replay.message, MFA_INVALID_CODE);
    });
    it('accepts the code of the previous time step (clock drift) once', async () => {
      const now = new Date('2026-11-22T10:10:00Z');
      const code = totp(seed, new Date(now.getTime() - 30_000));
      assert.ok((await assume(await f.user('bob', now), roleArn('NeedsMfa'), { SerialNumber: serial, TokenCode: code })).Credentials);
    });
    it('refuses a code two steps old', async () => {
      const now = new Date('2026-11-22T10:20:00Z');
      const code = totp(seed, new Date(now.getTime() - 60_000));
      assert.equal((await awsErrorOf(async () => assume(await f.user('bob', now), roleArn('NeedsMfa'), { SerialNumber: serial, TokenCode: code }))).message, MFA_INVALID_CODE);
    });
    it('refuses an unassigned virtual device (created, not enabled)', async () => {
      const serial2 = `arn:aws:iam::${A}:mfa/spare`;
      await f.store.transaction(async (tx) => {
        await tx.insert({ kind: KIND.mfaDevice, account: A, key: serial2, parent: null, data: { SerialNumber: serial2, Virtual: true, SeedEncrypted: f.secrets.encrypt(seed) } });
      });
      const now = new Date('2026-11-22T10:40:00Z');
      const e = await awsErrorOf(async () => assume(await f.user('bob', now), roleArn('NeedsMfa'), { SerialNumber: serial2, TokenCode: totp(seed, now) }));
      assert.equal(e.message, MFA_UNABLE);
    });
    it('refuses another user\'s device', async () => {
      const now = new Date('2026-11-22T10:30:00Z');
      const e = await awsErrorOf(async () => assume(await f.user('mallory', now), roleArn('NeedsMfa'), { SerialNumber: serial, TokenCode: totp(seed, now) }));
      assert.equal(e.message, MFA_UNABLE);
    });
  });

  describe('DurationSeconds', () => {
    const cases = [
      { name: 'default: one hour', input: {}, role: 'NamesAccount', seconds: 3600 },
      { name: 'up to MaxSessionDuration', input: { DurationSeconds: 7200 }, role: 'NamesAccount', seconds: 7200 },
      { name: 'the minimum', input: { DurationSeconds: 900 }, role: 'NamesAccount', seconds: 900 },
      { name: 'above MaxSessionDuration', input: { DurationSeconds: 7201 }, role: 'NamesAccount', error: MSG_MAX_SESSION },
      { name: 'above the default MaxSessionDuration', input: { DurationSeconds: 3601 }, role: 'Partner', error: MSG_MAX_SESSION, extra: { ExternalId: 'ext-123' } },
    ];
    for (const c of cases) {
      it(`${c.error ? 'refuses' : 'accepts'} ${c.name}`, async () => {
        const now = new Date('2026-11-22T11:00:00Z');
        const ctx = await f.user('bob', now);
        if (c.error) {
          const e = await awsErrorOf(() => assume(ctx, roleArn(c.role), { ...c.input, ...(c.extra ?? {}) }));
          assert.equal(e.code, 'ValidationError');
          assert.equal(e.status, 400);
          assert.equal(e.message, c.error);
        } else {
          const out = await assume(ctx, roleArn(c.role), c.input);
          assert.equal(Date.parse(out.Credentials.Expiration) - now.getTime(), c.seconds! * 1000);
        }
      });
    }
  });

  describe('role chaining', () => {
    before(async () => {
      await f.addRole('First', trustOf({ AWS: userArn('bob') }, {}, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']), allowAssume());
      await f.addRole('Second', trustOf({ AWS: roleArn('First') }, {}, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']), [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/project': 'apollo', 'aws:SourceIdentity': 'bob-human' } } },
      ], { maxSessionDuration: 43200 });
    });

    async function firstSession(input: Record<string, unknown> = {}) {
      const out = await assume(await f.user('bob'), roleArn('First'), {
        Tags: [{ Key: 'project', Value: 'apollo' }, { Key: 'cost', Value: 'c1' }], TransitiveTagKeys: ['project'], SourceIdentity: 'bob-human', ...input,
      });
      return f.session(out.Credentials);
    }

    it('allows a role session to assume a role for up to one hour', async () => {
      const out = await assume(await firstSession(), roleArn('Second'), { DurationSeconds: 3600 });
      assert.ok(out.Credentials);
    });
    it('refuses more than one hour with AWS\'s message', async () => {
      const e = await awsErrorOf(async () => assume(await firstSession(), roleArn('Second'), { DurationSeconds: 3601 }));
      assert.equal(e.code, 'ValidationError');
      assert.equal(e.message, MSG_CHAINING);
    });
    it('carries transitive tags and the source identity, not the other tags', async () => {
      const out = await assume(await firstSession(), roleArn('Second'));
      assert.equal(out.SourceIdentity, 'bob-human');
      const s = await f.session(out.Credentials);
      assert.deepEqual(s.caller.session?.tags, { project: 'apollo' });
      assert.equal(s.caller.session?.chained, true);
      s.authorize('s3:GetObject', OBJ);
    });
    it('refuses to override an inherited transitive tag', async () => {
      const e = await awsErrorOf(async () => assume(await firstSession(), roleArn('Second'), { Tags: [{ Key: 'Project', Value: 'gemini' }] }));
      assert.equal(e.code, 'ValidationError');
    });
    it('refuses to change the source identity', async () => {
      const e = await awsErrorOf(async () => assume(await firstSession(), roleArn('Second'), { SourceIdentity: 'someone-else' }));
      assert.equal(e.code, 'ValidationError');
    });
  });

  describe('session policies', () => {
    it('intersects: allowed by the role, blocked by the session policy', async () => {
      const out = await assume(await f.user('bob'), roleArn('NamesAccount'), {
        Policy: policyText([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]),
      });
      assert.ok(typeof out.PackedPolicySize === 'number' && out.PackedPolicySize > 0 && out.PackedPolicySize <= 100);
      const s = await f.session(out.Credentials);
      s.authorize('s3:GetObject', OBJ);
      const e = await awsErrorOf(() => s.authorize('s3:PutObject', OBJ));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /assumed-role\/NamesAccount\/s1 is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::bucket\/key because no session policy allows the s3:PutObject action/);
    });
    it('cannot widen what the role allows', async () => {
      const out = await assume(await f.user('bob'), roleArn('NamesAccount'), { Policy: policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]) });
      const e = await awsErrorOf(async () => (await f.session(out.Credentials)).authorize('sqs:SendMessage', '*'));
      assert.match(e.message, /because no identity-based policy allows/);
    });
    it('takes managed policies by ARN (AWS managed)', async () => {
      const out = await assume(await f.user('bob'), roleArn('NamesAccount'), { PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }] });
      const s = await f.session(out.Credentials);
      s.authorize('s3:GetObject', OBJ);
      assert.equal((await awsErrorOf(() => s.authorize('s3:PutObject', OBJ))).code, 'AccessDenied');
    });
    it('refuses more than 10 policy ARNs', async () => {
      const arns = Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::aws:policy/P${i}` }));
      assert.equal((await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NamesAccount'), { PolicyArns: arns }))).code, 'ValidationError');
    });
    it('refuses a malformed session policy', async () => {
      const e = await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NamesAccount'), { Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }));
      assert.equal(e.code, 'MalformedPolicyDocument');
    });
    it('refuses a session policy with a Principal', async () => {
      const e = await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NamesAccount'), {
        Policy: policyText([{ Effect: 'Allow', Action: 's3:*', Resource: '*', Principal: '*' }]),
      }));
      assert.equal(e.code, 'MalformedPolicyDocument');
    });
    it('answers PackedPolicyTooLarge for 50 long random tags', async () => {
      const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}-${randomBytes(40).toString('hex')}`.slice(0, 128), Value: randomBytes(128).toString('hex') }));
      const e = await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NamesAccount'), { Tags: tags }));
      assert.equal(e.code, 'PackedPolicyTooLarge');
      assert.match(e.message, /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/);
    });
  });

  describe('session tags', () => {
    before(async () => {
      await f.addRole('Tagged', trustOf({ AWS: userArn('bob') }, {}, ['sts:AssumeRole', 'sts:TagSession']), [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } },
      ], { tags: [{ Key: 'team', Value: 'red' }] });
      await f.addRole('NoTagSession', trustOf({ AWS: userArn('bob') }), S3_ALL);
    });
    it('are aws:PrincipalTag keys and override the role\'s tags', async () => {
      const out = await assume(await f.user('bob'), roleArn('Tagged'), { Tags: [{ Key: 'team', Value: 'blue' }] });
      (await f.session(out.Credentials)).authorize('s3:GetObject', OBJ);
    });
    it('without a session tag the role\'s own tag applies', async () => {
      const out = await assume(await f.user('bob'), roleArn('Tagged'));
      assert.equal((await awsErrorOf(async () => (await f.session(out.Credentials)).authorize('s3:GetObject', OBJ))).code, 'AccessDenied');
    });
    it('need sts:TagSession in the trust policy', async () => {
      const e = await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NoTagSession'), { Tags: [{ Key: 'team', Value: 'blue' }] }));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /sts:TagSession/);
    });
    it('need sts:SetSourceIdentity for a SourceIdentity', async () => {
      const e = await awsErrorOf(async () => assume(await f.user('bob'), roleArn('NoTagSession'), { SourceIdentity: 'bob' }));
      assert.match(e.message, /sts:SetSourceIdentity/);
    });
    it('refuse a transitive key that is not a passed tag', async () => {
      const e = await awsErrorOf(async () => assume(await f.user('bob'), roleArn('Tagged'), { Tags: [{ Key: 'team', Value: 'blue' }], TransitiveTagKeys: ['dept'] }));
      assert.equal(e.code, 'ValidationError');
    });
  });

  describe('revocation and deletion', () => {
    it('a Deny on aws:TokenIssueTime (AWS\'s "revoke active sessions") cuts off older sessions only', async () => {
      await f.addRole('Revocable', trustOf({ AWS: userArn('bob') }), S3_ALL);
      const t0 = new Date('2026-11-22T12:00:00Z');
      const old = await assume(await f.user('bob', t0), roleArn('Revocable'));
      (await f.session(old.Credentials, t0)).authorize('s3:GetObject', OBJ);
      await f.putRolePolicy('Revocable', 'AWSRevokeOlderSessions', [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-22T12:00:01Z' } } }]);
      const e = await awsErrorOf(async () => (await f.session(old.Credentials, t0)).authorize('s3:GetObject', OBJ));
      assert.match(e.message, /with an explicit deny in an identity-based policy/);
      const t1 = new Date('2026-11-22T12:00:02Z');
      const fresh = await assume(await f.user('bob', t1), roleArn('Revocable'));
      (await f.session(fresh.Credentials, t1)).authorize('s3:GetObject', OBJ);
    });
    it('deleting the role stops its sessions (and re-creating it does not revive them)', async () => {
      await f.addRole('Doomed', trustOf({ AWS: userArn('bob') }), S3_ALL);
      const out = await assume(await f.user('bob'), roleArn('Doomed'));
      assert.ok((await f.resolve(out.Credentials)).ok);
      await f.deleteRole('Doomed');
      assert.deepEqual(await f.resolve(out.Credentials), { ok: false, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
      await f.addRole('Doomed', trustOf({ AWS: userArn('bob') }), S3_ALL);
      assert.equal((await f.resolve(out.Credentials)).ok, false);
    });
    it('expired credentials get ExpiredToken', async () => {
      const now = new Date();
      const out = await assume(await f.user('bob', now), roleArn('NamesAccount'), { DurationSeconds: 900 });
      const r = await f.resolve(out.Credentials, new Date(now.getTime() + 901_000));
      assert.deepEqual(r, { ok: false, code: 'ExpiredToken', message: 'The security token included in the request is expired' });
    });
  });

  describe('the session', () => {
    it('has the assumed-role identity, aws:userid and aws:PrincipalArn of the role', async () => {
      const out = await assume(await f.user('bob'), roleArn('NamesAccount'), { RoleSessionName: 'sess-9' });
      const s = await f.session(out.Credentials);
      const role = f.runtime.snapshot.role(A, 'NamesAccount')!;
      assert.equal(s.caller.userId, `${role.doc.RoleId}:sess-9`);
      assert.equal(s.caller.principal.arn, `arn:aws:sts::${A}:assumed-role/NamesAccount/sess-9`);
      assert.equal(s.caller.principal.roleArn, role.doc.Arn);
      const id = await f.call('GetCallerIdentity', s);
      assert.deepEqual(id, { UserId: `${role.doc.RoleId}:sess-9`, Account: A, Arn: `arn:aws:sts::${A}:assumed-role/NamesAccount/sess-9` });
      await f.putRolePolicy('NamesAccount', 'byid', [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*', Condition: { StringLike: { 'aws:userid': '*:sess-9', 'aws:PrincipalArn': role.doc.Arn } } }]);
      s.authorize('sns:Publish', '*');
    });
    it('a federated role session (issued by AssumeRoleWithWebIdentity/SAML) carries aws:FederatedProvider', async () => {
      const role = await f.addRole('WebApp', trustOf({ Federated: 'token.actions.githubusercontent.com' }, {}, ['sts:AssumeRoleWithWebIdentity']), [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:FederatedProvider': `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com` } } },
      ]);
      const creds = issueSessionCredentials(f.secrets, {
        type: 'assumed-role', accountId: A, sessionName: 'gh',
        principal: { kind: 'assumedRole', roleArn: role.Arn, roleName: role.RoleName, roleId: role.RoleId, federatedProvider: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com` },
      }, new Date(), 900);
      const s = await f.session(creds);
      assert.equal(s.caller.principal.arn, `arn:aws:sts::${A}:assumed-role/WebApp/gh`);
      s.authorize('s3:GetObject', OBJ);
    });
    it('records RoleLastUsed, writing an account\'s uses at most once a minute', async () => {
      const used = async (name: string) => (await f.store.read((tx) => tx.get<RoleDoc>(KIND.role, A, name)))?.data.RoleLastUsed;
      const t = new Date(Date.now() + 10 * 60_000);
      await f.addRole('Used', trustOf({ AWS: userArn('bob') }), S3_ALL);
      await f.addRole('Used2', trustOf({ AWS: userArn('bob') }), S3_ALL);
      await assume(await f.user('bob', t), roleArn('Used'));
      assert.deepEqual(await used('Used'), { LastUsedDate: isoNow(t), Region: 'us-east-1' });
      const t1 = new Date(t.getTime() + 1000);
      await assume(await f.user('bob', t1), roleArn('Used2'));
      assert.equal(await used('Used2'), undefined);
      await assume(await f.user('bob', new Date(t.getTime() + 61_000)), roleArn('Used'));
      assert.deepEqual(await used('Used2'), { LastUsedDate: isoNow(t1), Region: 'us-east-1' });
      assert.equal((await used('Used'))?.LastUsedDate, isoNow(new Date(t.getTime() + 61_000)));
    });
  });
});
