// The behaviour every Store backend must have. A backend's test file calls `runStoreContract`
// with a function that opens a new instance on one shared, initially empty database (each call a
// separate instance, as two processes or nodes would have) and a cleanup that removes it.
// Tests isolate themselves by account (and kind), never by assuming an empty database.
import { after, afterEach, describe } from 'node:test';
import { changeFeedCases } from './contract/change-feed.js';
import { closeCases } from './contract/close.js';
import type { ContractContext } from './contract/context.js';
import { entityCases } from './contract/entities.js';
import { eventCases } from './contract/events.js';
import { listingCases } from './contract/listing.js';
import { transactionCases } from './contract/transactions.js';
import type { Store } from './types.js';

/** Every group of cases (each a `describe`), in the order they run. */
const groups: ((context: ContractContext) => void)[] = [
  entityCases, listingCases, transactionCases, changeFeedCases, eventCases, closeCases,
];

export function runStoreContract(name: string, open: () => Promise<Store>, cleanup: () => Promise<void>): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const connect = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    after(cleanup);
    for (const cases of groups) cases({ connect, open });
  });
}
