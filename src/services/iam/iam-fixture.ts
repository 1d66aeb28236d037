// What the IAM operation tests share, on top of the credential fixture: callers resolved from
// access keys the way the server resolves a request's key (the root user from the bootstrap's
// key), calls through the operation table under test that wait until the snapshot has caught up
// with the write, and IAM users with inline policies and directly inserted access keys.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../../protocol/index.js';
import type { CallContext, Caller, OperationTable } from '../types.js';
import { KIND, isoNow, ownerKey, type AccessKeyDoc } from './entities.js';
import { openCredentialFixture, type CredentialFixture } from './credentials-fixture.js';

type Input = Record<string, unknown>;

export interface IamFixture extends CredentialFixture {
  /** The root user, resolved from the bootstrap's root access key. */
  rootCaller: Caller;
  /** A context for `caller`, with a fresh request id, now. */
  ctx(caller: Caller): CallContext;
  /** Runs `op` of the table as `caller`; answers `{}` for an empty answer. */
  call(caller: Caller, op: string, input?: Input): Promise<Input>;
  asRoot(op: string, input?: Input): Promise<Input>;
  /** Resolves an access key (without session token) to its caller; fails when it does not resolve. */
  resolve(accessKeyId: string): Promise<Caller>;
  /** Gives existing user `name` an active access key, inserted directly, and resolves it. */
  keyCaller(name: string): Promise<Caller>;
  /** Creates user `name` with an inline policy of `statements` (none: no policy) and an access key. */
  userCaller(name: string, statements: unknown[]): Promise<Caller>;
}

/** An identity policy document (version 2012-10-17) of `statements`. */
export function policyDoc(...statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A fixture calling the operations of `ops` (which must hold CreateUser and PutUserPolicy for `userCaller`). */
export async function openIamFixture(ops: OperationTable): Promise<IamFixture> {
  const base = await openCredentialFixture();
  const { store, secrets, runtime, accountId } = base;

  const ctx = (caller: Caller) => runtime.createContext(caller, { requestId: randomUUID(), sourceIp: '192.0.2.1', region: 'us-east-1', secureTransport: true, now: new Date() });
  async function call(caller: Caller, op: string, input: Input = {}): Promise<Input> {
    const out = await ops[op](ctx(caller), input);
    await runtime.afterWrite();
    return out ?? {};
  }
  async function resolve(accessKeyId: string): Promise<Caller> {
    const r = await runtime.resolveCredentials(accessKeyId, undefined, new Date());
    assert.ok(r.ok);
    return r.caller;
  }
  const rootCaller = await resolve(base.rootAccessKeyId);
  const asRoot = (op: string, input: Input = {}) => call(rootCaller, op, input);

  async function keyCaller(name: string): Promise<Caller> {
    const id = 'AKIA' + randomBytes(8).toString('hex').toUpperCase();
    const key: AccessKeyDoc = { UserName: name, AccessKeyId: id, Status: 'Active', CreateDate: isoNow(), SecretEncrypted: secrets.encrypt('s'.repeat(40)) };
    await store.transaction((tx) => tx.insert({ kind: KIND.accessKey, account: accountId, key: id, id, parent: ownerKey('user', name), data: key }));
    await runtime.afterWrite();
    return resolve(id);
  }
  async function userCaller(name: string, statements: unknown[]): Promise<Caller> {
    await asRoot('CreateUser', { UserName: name });
    if (statements.length > 0) {
      await asRoot('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: policyDoc(...statements) });
    }
    return keyCaller(name);
  }

  return { ...base, rootCaller, ctx, call, asRoot, resolve, keyCaller, userCaller };
}

/** Asserts that `p` rejects with an AwsError of `code` and, when given, that message (exact or matching). */
export async function rejects(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
