// In-process ordering for transactions: a FIFO lock and a guard against calling a store from inside
// its own transaction (which would wait for itself forever).
import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreError } from './types.js';

/** Runs tasks one at a time, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

/** Throws when `run` is entered again from inside a callback it is running. */
export class ReentryGuard {
  private readonly context = new AsyncLocalStorage<{ active: boolean }>();

  constructor(private readonly what: string) {}

  check(): void {
    if (this.context.getStore()?.active) {
      throw new StoreError(`${this.what} called inside a ${this.what} of the same store; use the transaction object you were given`);
    }
  }

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    // Mutable so that callbacks scheduled inside but run after the transaction are not refused.
    const frame = { active: true };
    try {
      return await this.context.run(frame, fn);
    } finally {
      frame.active = false;
    }
  }
}
