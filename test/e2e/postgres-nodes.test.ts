// Two `warden serve` processes on one PostgreSQL schema: a policy change made through one
// node is enforced by the other within one second (each node keeps its own compiled snapshot,
// refreshed through LISTEN/NOTIFY).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DetachUserPolicyCommand, IAMClient, ListUsersCommand,
} from '@aws-sdk/client-iam';
import { randomCredentials, startWarden, type WardenProcess } from './harness.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';

describe('two nodes on one PostgreSQL', () => {
  const schema = `warden_nodes_${randomBytes(4).toString('hex')}`;
  let a: WardenProcess;
  let b: WardenProcess;
  before(async () => {
    const env = {
      WARDEN_STORE: `${PG}?schema=${schema}`,
      WARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
      WARDEN_ACCOUNT_ID: '4' + String(Math.floor(Math.random() * 1e11)).padStart(11, '0'),
    };
    const rootCredentials = randomCredentials();
    a = await startWarden({ env, rootCredentials });
    b = await startWarden({ env, rootCredentials });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  const client = (w: WardenProcess, id: string, secret: string) => new IAMClient({
    endpoint: w.endpoint, region: 'us-east-1', credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1,
  });

  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      if (await check()) return Date.now() - t0;
      if (Date.now() - t0 > ms) assert.fail(`not seen within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('shares one management account and root key', () => {
    assert.equal(a.accountId, b.accountId);
  });

  it('a policy attached through node A is enforced by node B within one second, and its detachment too', async () => {
    const rootA = client(a, a.rootCredentials.accessKeyId, a.rootCredentials.secretAccessKey);
    await rootA.send(new CreateUserCommand({ UserName: 'carol' }));
    const key = await rootA.send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    const carolB = client(b, key.AccessKey!.AccessKeyId!, key.AccessKey!.SecretAccessKey!);
    const allowed = async () => carolB.send(new ListUsersCommand({})).then(() => true, () => false);

    // The new key works on B, and is denied there (no policy yet).
    await within(1000, async () => carolB.send(new ListUsersCommand({})).then(() => false, (e) => e.name === 'AccessDenied'));

    await rootA.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const grantMs = await within(1000, allowed);
    await rootA.send(new DetachUserPolicyCommand({ UserName: 'carol', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const revokeMs = await within(1000, async () => !(await allowed()));
    console.log(`node B enforced the attach after ${grantMs} ms and the detach after ${revokeMs} ms`);
  });
});
