import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password.js';

// A small cost keeps the test fast; the default cost is exercised once below.
const FAST = { logN: 10 };

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('correct horse battery staple', FAST);
    assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse battery staple', hash), true);
    assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('same', FAST), await hashPassword('same', FAST));
  });

  it('uses N = 2^15 by default', async () => {
    const hash = await hashPassword('pw');
    assert.ok(hash.startsWith('$scrypt$ln=15,r=8,p=1$'));
    assert.equal(await verifyPassword('pw', hash), true);
  });

  it('treats canonically equivalent Unicode as the same password', async () => {
    const hash = await hashPassword('caf\u00e9', FAST);
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
  });

  const malformed = [
    { name: 'the empty string', encoded: '' },
    { name: 'another algorithm', encoded: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA' },
    { name: 'a cost beyond the limit', encoded: '$scrypt$ln=30,r=8,p=1$c2FsdA==$aGFzaA==' },
    { name: 'a zero cost', encoded: '$scrypt$ln=0,r=8,p=1$c2FsdA==$aGFzaA==' },
    { name: 'an empty hash', encoded: '$scrypt$ln=10,r=8,p=1$c2FsdA==$' },
  ];
  for (const c of malformed) {
    it(`refuses ${c.name}`, async () => {
      assert.equal(await verifyPassword('pw', c.encoded), false);
    });
  }
});
