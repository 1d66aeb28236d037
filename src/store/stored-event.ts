// The StoredEvent an append hands back, shared by both backends.
import type { JsonObject, NewEvent, StoredEvent } from './types.js';

/**
 * The event as stored: `data` is what reading it back gives, parsed from `text` (the JSON
 * written) only when first read. The audit writer, the one caller on the request path, never
 * reads it, and parsing a CloudTrail record back costs as much as writing it.
 */
export function storedEvent(seq: number, event: Pick<NewEvent, 'id' | 'time' | 'account'>, text: string): StoredEvent {
  let data: JsonObject | undefined;
  return {
    seq,
    id: event.id,
    time: event.time,
    account: event.account,
    get data(): JsonObject {
      return (data ??= JSON.parse(text) as JsonObject);
    },
    set data(value: JsonObject) {
      data = value;
    },
  };
}
