import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { configureSigningKeyCache, deriveSigningKey, signingKeyCacheSize } from './index.js';
import { computeSignature, prepareSigningKey, signWithKey } from './signing-key.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('deriveSigningKey', () => {
  afterEach(() => configureSigningKeyCache(1024));

  test('matches the AWS documentation example (20120215, us-east-1, iam)', () => {
    assert.equal(deriveSigningKey(SECRET, '20120215', 'us-east-1', 'iam').toString('hex'),
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  test('the same inputs return the cached key', () => {
    configureSigningKeyCache(8);
    const a = deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam');
    const b = deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam');
    assert.equal(a, b);
    assert.equal(signingKeyCacheSize(), 1);
  });

  test('every element of the scope changes the key', () => {
    const keys = new Set([
      deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam'),
      deriveSigningKey(SECRET, '20150831', 'us-east-1', 'iam'),
      deriveSigningKey(SECRET, '20150830', 'eu-west-1', 'iam'),
      deriveSigningKey(SECRET, '20150830', 'us-east-1', 'sts'),
      deriveSigningKey(SECRET + 'x', '20150830', 'us-east-1', 'iam'),
    ].map((k) => k.toString('hex')));
    assert.equal(keys.size, 5);
  });

  test('the cache is bounded and evicts the least recently used key', () => {
    configureSigningKeyCache(2);
    const first = deriveSigningKey('s1', '20150830', 'us-east-1', 'iam');
    deriveSigningKey('s2', '20150830', 'us-east-1', 'iam');
    deriveSigningKey('s1', '20150830', 'us-east-1', 'iam'); // s1 becomes most recent
    deriveSigningKey('s3', '20150830', 'us-east-1', 'iam'); // evicts s2
    assert.equal(signingKeyCacheSize(), 2);
    assert.equal(deriveSigningKey('s1', '20150830', 'us-east-1', 'iam'), first);
  });

  test('capacity 0 disables caching', () => {
    configureSigningKeyCache(0);
    const a = deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam');
    const b = deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam');
    assert.notEqual(a, b);
    assert.deepEqual(a, b);
    assert.equal(signingKeyCacheSize(), 0);
  });
});

describe('signWithKey (HMAC from precomputed pad blocks)', () => {
  afterEach(() => configureSigningKeyCache(1024));
  const reference = (key: Buffer, message: string): string => createHmac('sha256', key).update(message, 'utf8').digest('hex');

  test('equals createHmac for random secrets, scopes and messages (any UTF-16, lone surrogates too)', () => {
    fc.assert(fc.property(
      fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 300 }),
      (secret, region, message) => {
        const prepared = prepareSigningKey(secret, '20150830', region, 'iam');
        assert.equal(signWithKey(prepared, message), reference(prepared.key, message));
        assert.equal(signWithKey(prepared, message), computeSignature(prepared.key, message));
      },
    ), { numRuns: 500 });
  });

  test('equals createHmac for random keys, also with the cache disabled', () => {
    configureSigningKeyCache(0);
    for (let i = 0; i < 200; i++) {
      const secret = randomBytes(30).toString('base64');
      const prepared = prepareSigningKey(secret, '20150830', 'us-east-1', 'sts');
      const message = randomBytes(1 + (i % 97)).toString('latin1');
      assert.equal(signWithKey(prepared, message), reference(prepared.key, message));
    }
  });

  test('messages longer than the scratch buffer take the createHmac path with the same result', () => {
    const prepared = prepareSigningKey('secret', '20150830', 'us-east-1', 'iam');
    for (const message of ['x'.repeat(2048), 'x'.repeat(2049), '\u{1F600}'.repeat(1500), '\u1234'.repeat(2048), '']) {
      assert.equal(signWithKey(prepared, message), reference(prepared.key, message));
    }
  });

  test('the prepared key is the derived key, with RFC 2104 pad blocks', () => {
    const prepared = prepareSigningKey('s', '20150830', 'us-east-1', 'iam');
    assert.equal(prepared.key, deriveSigningKey('s', '20150830', 'us-east-1', 'iam'));
    const inner = Buffer.alloc(64, 0x36), outer = Buffer.alloc(64, 0x5c);
    for (let i = 0; i < 32; i++) { inner[i] ^= prepared.key[i] as number; outer[i] ^= prepared.key[i] as number; }
    assert.deepEqual(prepared.innerPad, inner);
    assert.deepEqual(prepared.outerPad, outer);
  });

  test('a key used since the last eviction scan survives one more eviction (second chance)', () => {
    configureSigningKeyCache(3);
    const a = deriveSigningKey('a', '20150830', 'us-east-1', 'iam');
    deriveSigningKey('b', '20150830', 'us-east-1', 'iam');
    deriveSigningKey('c', '20150830', 'us-east-1', 'iam');
    deriveSigningKey('a', '20150830', 'us-east-1', 'iam'); // a used
    deriveSigningKey('d', '20150830', 'us-east-1', 'iam'); // evicts b, a spared
    deriveSigningKey('e', '20150830', 'us-east-1', 'iam'); // evicts c
    assert.equal(signingKeyCacheSize(), 3);
    assert.equal(deriveSigningKey('a', '20150830', 'us-east-1', 'iam'), a);
  });
});
