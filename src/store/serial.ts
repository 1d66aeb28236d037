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

/**
 * Whether the guard also follows callbacks across `await` (AsyncLocalStorage). Node 20 implements
 * AsyncLocalStorage with promise hooks that then run for every promise of the process — about a
 * tenth of the server's CPU per request in `npm run bench:http` — so it is a development check:
 * on when `WARDEN_STORE_ASYNC_GUARD=1` (the test runner sets it), off in a served process.
 */
export function asyncGuardEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.WARDEN_STORE_ASYNC_GUARD === '1';
}

/**
 * Throws when `run` is entered again from inside a callback it is running. Always caught: a call
 * made while the callback's synchronous part runs (a counter, free). With the async guard on,
 * also a call made after the callback awaited something.
 */
export class ReentryGuard {
  private readonly context = asyncGuardEnabled() ? new AsyncLocalStorage<{ active: boolean }>() : undefined;
  /** > 0 while a callback's synchronous part runs: nothing else can run meanwhile, so any call then is a nested one. */
  private depth = 0;

  constructor(private readonly what: string) {}

  check(): void {
    if (this.depth > 0 || this.context?.getStore()?.active) {
      throw new StoreError(`${this.what} called inside a ${this.what} of the same store; use the transaction object you were given`);
    }
  }

  /** Runs `fn`; its result (or rejection) is returned as is for the caller to await. */
  run<T>(fn: () => Promise<T> | T): Promise<T> | T {
    return this.context ? this.runTracked(this.context, fn) : this.runCounted(fn);
  }

  private runCounted<T>(fn: () => Promise<T> | T): Promise<T> | T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private async runTracked<T>(context: AsyncLocalStorage<{ active: boolean }>, fn: () => Promise<T> | T): Promise<T> {
    // Mutable so that callbacks scheduled inside but run after the transaction are not refused.
    const frame = { active: true };
    try {
      return await context.run(frame, () => this.runCounted(fn));
    } finally {
      frame.active = false;
    }
  }
}
