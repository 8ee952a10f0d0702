import type { EventStore, GlobalPosition } from './types';

/**
 * How many events the store holds after `after` (all of them without it), counted up to `cap`: the
 * lag of a follower (relay, projection) in events. Positions cannot be subtracted (PostgreSQL's are
 * transaction id + sequence, with gaps), so the events are read — through the port, so every
 * adapter answers the same; the cap bounds what one look costs while a follower is far behind (the
 * answer is then `cap`, meaning "at least"). A follower that keeps up reads an empty page.
 */
export async function countEventsAfter(store: EventStore, after: GlobalPosition | undefined, cap: number): Promise<number> {
  const page = await store.readAll({ after, maxCount: cap });
  return page.length;
}
