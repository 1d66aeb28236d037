// Store contract: Closing: idempotent, refuses later work, waits for a running transaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContractContext, newAccount } from './context.js';
import { ClosedError } from '../types.js';

export function closeCases({ connect, open }: ContractContext): void {
  describe('close', () => {
    it('refuses work after close and closes twice without error', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await assert.rejects(store.transaction(() => 1), ClosedError);
      await assert.rejects(store.read(() => 1), ClosedError);
    });

    it('waits for a running transaction', async () => {
      const store = await open();
      const account = newAccount();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      const running = store.transaction(async (tx) => {
        await gate;
        await tx.insert({ kind: 'user', account, key: 'a', data: {} });
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closing = store.close();
      release();
      await running;
      await closing;
      const other = await connect();
      assert.ok(await other.read((tx) => tx.get('user', account, 'a')));
    });
  });
}
