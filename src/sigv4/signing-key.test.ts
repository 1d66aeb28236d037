import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { configureSigningKeyCache, deriveSigningKey, signingKeyCacheSize } from './index.js';

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
