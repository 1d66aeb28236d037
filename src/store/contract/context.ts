// What every contract case file gets, and the helpers they share.
import type { Store } from '../types.js';

export interface ContractContext {
  /** Opens a new instance on the shared database; the suite closes it after the test. */
  connect(): Promise<Store>;
  /** Opens a new instance the test closes itself. */
  open(): Promise<Store>;
}

/** Waits until `predicate` holds, polling, for at most `ms`; whether it held. */
export async function waitFor(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** A fresh 12-digit account id, so that tests sharing a database never see each other's rows. */
export function newAccount(): string {
  return String(Math.floor(1e11 + Math.random() * 9e11));
}
