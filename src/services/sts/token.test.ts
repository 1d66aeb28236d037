import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSecretBox } from '../../crypto/secrets.js';
import { issueSessionCredentials, sessionTokenBox } from './credentials.js';
import { EXPIRED_TOKEN_MESSAGE, INVALID_TOKEN_MESSAGE, verifySessionToken, type SessionClaimsInput } from './token.js';

const secrets = createSecretBox(randomBytes(32));
const box = sessionTokenBox(secrets);
const NOW = new Date('2026-11-22T12:00:00.250Z');

const CLAIMS: SessionClaimsInput = {
  type: 'assumed-role',
  accountId: '111122223333',
  principal: { kind: 'assumedRole', roleArn: 'arn:aws:iam::111122223333:role/R', roleName: 'R', roleId: 'AROAEXAMPLEEXAMPLE123' },
  sessionName: 's1',
  policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  tags: { team: 'blue' },
  transitiveTagKeys: ['team'],
  sourceIdentity: 'alice',
  mfaAuthenticated: true,
  mfaAuthTime: '2026-11-22T11:59:00Z',
  chained: false,
};

function flip(token: string, at: number): string {
  const c = token[at];
  const r = c === 'A' ? 'B' : 'A';
  return token.slice(0, at) + r + token.slice(at + 1);
}

describe('session tokens', () => {
  const creds = issueSessionCredentials(secrets, CLAIMS, NOW, 900);

  it('issues ASIA credentials expiring after the duration, issue time to the second', () => {
    assert.match(creds.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(creds.SecretAccessKey.length, 40);
    assert.equal(creds.Expiration, '2026-11-22T12:15:00Z');
  });

  it('round-trips every claim', () => {
    const r = verifySessionToken(box, creds.AccessKeyId, creds.SessionToken, NOW);
    assert.ok(r.ok);
    assert.deepEqual(r.claims, {
      ...CLAIMS, accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey,
      issuedAt: '2026-11-22T12:00:00Z', expiresAt: '2026-11-22T12:15:00Z',
    });
  });

  const invalid: { name: string; keyId: () => string; token: () => string }[] = [
    { name: 'a flipped character in the middle', keyId: () => creds.AccessKeyId, token: () => flip(creds.SessionToken, Math.floor(creds.SessionToken.length / 2)) },
    { name: 'a flipped last character (the tag)', keyId: () => creds.AccessKeyId, token: () => flip(creds.SessionToken, creds.SessionToken.length - 1) },
    { name: 'a flipped nonce character', keyId: () => creds.AccessKeyId, token: () => flip(creds.SessionToken, 5) },
    { name: 'another key id', keyId: () => 'ASIAAAAAAAAAAAAAAAAA', token: () => creds.SessionToken },
    { name: 'a truncated token', keyId: () => creds.AccessKeyId, token: () => creds.SessionToken.slice(0, -4) },
    { name: 'garbage', keyId: () => creds.AccessKeyId, token: () => 'FwoGZXIvYXdzEBYaDK' },
    { name: 'an empty token', keyId: () => creds.AccessKeyId, token: () => '' },
    { name: 'a token sealed under another master key', keyId: () => creds.AccessKeyId,
      token: () => issueSessionCredentials(createSecretBox(randomBytes(32)), CLAIMS, NOW, 900).SessionToken },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name} with InvalidClientTokenId`, () => {
      const r = verifySessionToken(box, c.keyId(), c.token(), NOW);
      assert.deepEqual(r, { ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN_MESSAGE });
    });
  }

  it('refuses the token of another session with this session\'s key id', () => {
    const other = issueSessionCredentials(secrets, CLAIMS, NOW, 900);
    assert.equal(verifySessionToken(box, creds.AccessKeyId, other.SessionToken, NOW).ok, false);
  });

  const times = [
    { name: 'one second before expiry', at: '2026-11-22T12:14:59Z', ok: true },
    { name: 'at expiry', at: '2026-11-22T12:15:00Z', ok: false },
    { name: 'a day later', at: '2026-11-23T12:15:00Z', ok: false },
  ];
  for (const t of times) {
    it(`${t.ok ? 'accepts' : 'refuses with ExpiredToken'} ${t.name}`, () => {
      const r = verifySessionToken(box, creds.AccessKeyId, creds.SessionToken, new Date(t.at));
      if (t.ok) assert.ok(r.ok);
      else assert.deepEqual(r, { ok: false, code: 'ExpiredToken', message: EXPIRED_TOKEN_MESSAGE });
    });
  }

  it('keeps the token header-safe', () => {
    assert.match(creds.SessionToken, /^WSTS[A-Za-z0-9_.-]+$/);
  });
});
