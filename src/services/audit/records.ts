// Reading the trail back as CloudTrail records: what Access Advisor (last accessed), unused
// access findings and policy generation compute from.
import type { Store, StoredEvent } from '../../store/index.js';
import type { ChainedEventData } from './chain.js';
import type { CloudTrailRecord } from './record.js';

const PAGE = 1000;

/** Calls `fn` with every record of the account's trail since `from` (ISO time; all when undefined), oldest first. */
export async function forEachRecord(store: Store, account: string, from: string | undefined, fn: (r: CloudTrailRecord) => void): Promise<void> {
  let after = 0;
  for (;;) {
    const page: StoredEvent[] = await store.readEvents({ account, after, limit: PAGE, from });
    for (const e of page) {
      const r = (e.data as ChainedEventData).event as unknown as CloudTrailRecord | undefined;
      if (r && typeof r.eventSource === 'string') fn(r);
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1].seq;
  }
}
