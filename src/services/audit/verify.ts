// Offline verification of the audit log's hash chain, straight from the store (no server).
import type { Store } from '../../store/index.js';
import { verifyChain, type ChainVerdict } from './chain.js';

/** Verifies every event of `store`'s audit log in seq order; reports the first break. */
export function verifyStoreChain(store: Store): Promise<ChainVerdict> {
  return verifyChain((after, limit) => store.readEvents({ after, limit }));
}
