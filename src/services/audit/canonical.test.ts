// canonicalJson and hashEvent against the first implementation, which hashed every chain stored
// so far: the text (and so the hash) must stay byte for byte the same, on random JSON-ish values
// and on random CloudTrail records as buildRecord makes them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Caller } from '../types.js';
import { GENESIS, chainStringifiedEvents, hashEvent, hashStringifiedEvent } from './chain.js';
import { canonicalJson, canonicalJsonOfStringified } from './canonical-json.js';
import { buildRecord, type AuditCall } from './record.js';

/** The reference: canonicalJson and hashEvent as first written (recursive, keys always sorted). */
function referenceCanonical(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (referenceCanonical(value[i]) ?? 'null');
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(obj).sort()) {
    const v = referenceCanonical(obj[k]);
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + v;
    first = false;
  }
  return out + '}';
}

function referenceHash(prevHash: string, e: { id: string; time: string; account: string; record: unknown }): string {
  const body = referenceCanonical({ id: e.id, time: e.time, account: e.account, event: e.record }) ?? 'null';
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** A small seeded PRNG (mulberry32), so that a failure names a seed that reproduces it. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that take each path of the string quoting: plain, escaped by JSON, surrogates
// (paired and lone), non-ASCII, and U+2028 (not escaped by JSON.stringify).
const ALPHABET = ['a', 'Z', '0', '_', '-', ' ', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '€', '\u2028', '😀', '\ud800', '\udfff', '/', '<'];

function randomString(r: () => number): string {
  const length = r() < 0.1 ? 60 + Math.floor(r() * 30) : Math.floor(r() * 12); // also around SHORT_STRING
  let s = '';
  for (let i = 0; i < length; i++) s += r() < 0.7 ? String.fromCharCode(97 + Math.floor(r() * 26)) : ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, -2.5e-300, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 123456789.125];
const KEYS = ['a', 'b', 'B', 'aa', '', '0', '1', '10', '9', 'eventID', 'userIdentity', 'é', '"q"', 'k\n', '😀', '__x', 'toJSON_'];

function randomValue(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 4 || pick < 0.35) {
    const p = r();
    if (p < 0.3) return randomString(r);
    if (p < 0.5) return NUMBERS[Math.floor(r() * NUMBERS.length)];
    if (p < 0.6) return r() < 0.5;
    if (p < 0.7) return null;
    if (p < 0.8) return undefined;
    if (p < 0.85) return new Date(Math.floor(r() * 4e12));
    if (p < 0.9) return () => 1;
    return r() * 1e6;
  }
  if (pick < 0.5) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
  if (pick < 0.55) {
    // toJSON, called once: what it returns is serialised as is (even with a toJSON of its own).
    const inner = randomValue(r, depth + 1);
    const result = r() < 0.5 ? inner : { toJSON: () => 'not called', z: inner };
    return { toJSON: () => result };
  }
  const obj: Record<string, unknown> = {};
  const n = Math.floor(r() * 7);
  const keys = [...KEYS];
  for (let i = 0; i < n; i++) {
    const key = r() < 0.2 ? randomString(r) : keys.splice(Math.floor(r() * keys.length), 1)[0] ?? 'x';
    obj[key] = randomValue(r, depth + 1);
  }
  // Sometimes already in canonical order (the fast path), sometimes not.
  if (r() < 0.3) return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : 1)));
  return obj;
}

const A = '111122223333';
const created = '2026-01-01T00:00:00.000Z';
const CALLERS: Caller[] = [
  { principal: { kind: 'root', accountId: A, arn: `arn:aws:iam::${A}:root` }, accountId: A, accessKeyId: 'AKIAROOT', userId: A },
  { principal: { kind: 'user', accountId: A, arn: `arn:aws:iam::${A}:user/alice` }, accountId: A, accessKeyId: '', userId: 'AIDAALICE', userName: 'alice' },
  {
    principal: { kind: 'user', accountId: A, arn: `arn:aws:iam::${A}:user/alice` }, accountId: A, accessKeyId: 'ASIAALICE', userId: 'AIDAALICE', userName: 'alice',
    session: { type: 'session-token', issuedAt: created, expiresAt: created, mfaAuthenticated: true },
  },
  {
    principal: { kind: 'assumedRole', accountId: A, arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${A}:role/app` },
    accountId: A, accessKeyId: 'ASIAROLE', userId: 'AROAAPP:s1', roleName: 'app',
    session: { type: 'assumed-role', issuedAt: created, expiresAt: created, sourceIdentity: 'dev' },
  },
  {
    principal: { kind: 'federatedUser', accountId: A, arn: `arn:aws:sts::${A}:federated-user/bob` }, accountId: A, accessKeyId: 'ASIAFED', userId: `${A}:bob`,
    session: { type: 'federated-user', issuedAt: created, expiresAt: created },
  },
  { principal: { kind: 'anonymous' }, accountId: A, accessKeyId: '', userId: '' } as unknown as Caller,
];
const OPERATIONS = ['GetUser', 'CreateUser', 'ListUsers', 'AssumeRole', 'CreateAccessKey', 'ConsoleLogin', 'AssumeRoleWithSAML', 'PutRolePolicy'];

function randomCall(r: () => number): AuditCall {
  const input = r() < 0.8 ? (randomValue(r, 1) as Record<string, unknown>) : undefined;
  const call: AuditCall = {
    requestId: randomString(r), time: new Date(Math.floor(r() * 4e12)), service: r() < 0.9 ? ['iam', 'sts', 'signin'][Math.floor(r() * 3)] : undefined,
    operation: r() < 0.9 ? OPERATIONS[Math.floor(r() * OPERATIONS.length)] : undefined, region: r() < 0.5 ? 'us-east-1' : undefined,
    sourceIp: '192.0.2.1', userAgent: r() < 0.8 ? randomString(r) : undefined, accessKeyId: r() < 0.5 ? 'AKIAKEY' : undefined,
    caller: r() < 0.8 ? CALLERS[Math.floor(r() * CALLERS.length)] : undefined,
    input: input !== null && typeof input === 'object' && !Array.isArray(input) ? { Password: 'p', ...input } : undefined,
    output: r() < 0.5 ? { SecretAccessKey: 's', Value: randomValue(r, 1) } : undefined, status: 200,
  };
  if (r() < 0.3) Object.assign(call, { status: 400, errorCode: 'ValidationError', errorMessage: `Value '${randomString(r)}' at 'password' failed` });
  return call;
}

describe('canonical JSON is byte-identical to the first implementation', () => {
  it('on fixed edge cases', () => {
    const cases: unknown[] = [
      null, undefined, true, 0, -0, NaN, 'x', '', '\ud800', 'a😀b', [], {}, [undefined, () => 1], { a: undefined },
      { b: 1, a: { d: [1, { f: 1, e: 2 }], c: undefined } }, { 10: 1, 9: 2, a: 3, A: 4 }, new Date(0), { d: new Date(0) },
      { toJSON: () => ({ b: 1, a: 2 }) }, { toJSON: () => undefined }, { x: { toJSON: () => undefined } }, [{ toJSON: () => 'y' }],
      Object.assign(Object.create(null) as object, { b: 1, a: 2 }), 'x'.repeat(64) + '"', 'x'.repeat(65), '"'.repeat(64),
    ];
    for (const value of cases) assert.equal(canonicalJson(value), referenceCanonical(value) ?? 'null', String(JSON.stringify(value)));
  });

  it('on random values (seeded)', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const value = randomValue(prng(seed), 0);
      assert.equal(canonicalJson(value), referenceCanonical(value) ?? 'null', `seed ${seed}`);
    }
  });

  it('hashEvent on random records as buildRecord makes them, and on random records of any shape (seeded)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = prng(seed);
      const record = seed % 2 ? buildRecord(randomCall(r), { fallbackAccount: A }) : randomValue(r, 0);
      const event = { id: randomString(r), time: new Date(Math.floor(r() * 4e12)).toISOString(), account: randomString(r), record };
      const prev = seed % 3 ? GENESIS : referenceHash(GENESIS, event);
      assert.equal(hashEvent(prev, event), referenceHash(prev, event), `seed ${seed}`);
      // And what is read back hashes the same.
      const readBack = { ...event, record: JSON.parse(JSON.stringify(record) ?? 'null') as unknown };
      assert.equal(hashEvent(prev, readBack), referenceHash(prev, readBack), `seed ${seed}, read back`);
    }
  });
});

describe('canonical JSON from JSON.stringify text is the canonical JSON of the value it encodes', () => {
  it('on fixed edge cases', () => {
    const cases: unknown[] = [
      null, true, false, 0, -0, 1e21, 1e-7, -2.5e-300, 'x', '', '\ud800', 'a😀b', 'q"\\"\\', '\\', [], {}, [[]], [{}], { '': 1 },
      [undefined, () => 1], { a: undefined }, { b: 1, a: { d: [1, { f: 1, e: 2 }], c: undefined } }, { 10: 1, 9: 2, a: 3, A: 4 },
      { 'k"': 1, 'k\\': 2, k: 3, 'k\n': 4 }, { b: [{ d: 1, c: 2 }], a: [] }, { a: [{ c: 1, b: 2 }], b: 1 }, new Date(0),
      JSON.parse('{"__proto__": {"b": 1, "a": 2}, "x": 1}'),
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${(i * 37) % 100}`, { z: i, y: [i] }])),
    ];
    for (const value of cases) {
      const text = JSON.stringify(value);
      assert.equal(canonicalJsonOfStringified(text), referenceCanonical(JSON.parse(text)), text);
    }
  });

  it('on random values (seeded)', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = JSON.stringify(randomValue(prng(seed), 0));
      if (text === undefined) continue;
      assert.equal(canonicalJsonOfStringified(text), referenceCanonical(JSON.parse(text)), `seed ${seed}`);
    }
  });

  it('canonicalises other JSON text (whitespace, repeated keys) the slow way', () => {
    for (const text of ['{ "b": 1, "a": 2 }', '[1, {"b":1,"a":2}]', '{"a":1,"a":2}', '{"b":{"a":1,"a":2}}', ' 1', '{"a":1} ']) {
      assert.equal(canonicalJsonOfStringified(text), canonicalJson(JSON.parse(text)), text);
    }
    assert.throws(() => canonicalJsonOfStringified('{"a":'), SyntaxError);
  });

  it('hashStringifiedEvent and chainStringifiedEvents: the hashes and stored text of the object path (seeded)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = prng(seed);
      const records = Array.from({ length: 3 }, () => (r() < 0.5 ? buildRecord(randomCall(r), { fallbackAccount: A }) : randomValue(r, 0)));
      const events = records.map((record) => ({ id: randomString(r), time: new Date(Math.floor(r() * 4e12)).toISOString(), account: randomString(r), record }));
      const prev = seed % 3 ? GENESIS : referenceHash(GENESIS, events[0]);
      const stringified = events.map((e) => ({ id: e.id, time: e.time, account: e.account, recordJson: JSON.stringify(e.record) as string | undefined }));
      assert.equal(hashStringifiedEvent(prev, stringified[0]), referenceHash(prev, events[0]), `seed ${seed}`);
      const chained = chainStringifiedEvents(prev, stringified);
      // The object path the writer took before: data `{ event, prevHash, hash }`, chained with the first implementation's hash.
      let head = prev;
      const expected = events.map((e) => {
        const data = { event: e.record, prevHash: head, hash: referenceHash(head, e) };
        head = data.hash;
        return { id: e.id, time: e.time, account: e.account, data };
      });
      assert.deepEqual(chained.events.map((e) => e.json), expected.map((e) => JSON.stringify(e.data)), `seed ${seed}`);
      assert.deepEqual(chained.events.map((e) => [e.id, e.time, e.account]), expected.map((e) => [e.id, e.time, e.account]));
      assert.equal(chained.head, expected[2].data.hash);
    }
  });
});
