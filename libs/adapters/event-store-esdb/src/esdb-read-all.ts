import { comparePositions, type GlobalPosition, type RecordedEvent } from '@crm/event-store';
import type { ReadPosition } from '@eventstore/db-client';
import { isSystemEvent, toReadPosition, toRecordedEvent, type EsdbResolvedEventLike } from './esdb-mapping';

/** Reads up to `count` raw events of `$all` forwards, starting AT `from` (inclusive, like ESDB). */
export type ReadAllPage = (from: ReadPosition, count: number) => Promise<readonly EsdbResolvedEventLike[]>;

const MIN_PAGE = 32;

export interface ScanResult {
  /** Non-system events strictly after the start, in log order, at most `maxCount`. */
  readonly events: RecordedEvent[];
  /**
   * Position of the last raw record consumed (system or not), when any was. Every non-system event
   * between the start and this position is in `events`, so a follow-up scan may start here.
   */
  readonly scannedTo?: GlobalPosition;
}

/**
 * The port's `readAll` over ESDB's `$all`: exclusive of `after`, without system events, and with
 * `maxCount` counting only the events it returns — so it pages through `$all` until it has enough
 * or reaches the end. Each page re-reads the last record it consumed (ESDB reads are inclusive),
 * which is skipped by position.
 */
export async function scanAll(readPage: ReadAllPage, after: GlobalPosition | undefined, maxCount: number, pageSize: number): Promise<ScanResult> {
  const events: RecordedEvent[] = [];
  if (maxCount <= 0) return { events };
  let cursor = after;
  let scannedTo: GlobalPosition | undefined;
  for (;;) {
    // Ask for what is still missing (system events may be interleaved, so never fewer than a small
    // page, never more than pageSize), +1 because the record at the cursor comes back first.
    const count = Math.min(Math.max(maxCount - events.length, MIN_PAGE), Math.max(pageSize, 1)) + 1;
    const page = await readPage(toReadPosition(cursor), count);
    let advanced = false;
    for (const resolved of page) {
      const raw = resolved.event;
      if (!raw?.position) {
        // No record or no position: nothing to place in the order. A record without a position
        // from $all is a server bug; toRecordedEvent reports it if it is ever a user event.
        if (raw && !isSystemEvent(raw)) toRecordedEvent(resolved);
        continue;
      }
      const position = { commit: raw.position.commit, prepare: raw.position.prepare };
      if (cursor && comparePositions(position, cursor) <= 0) continue;
      cursor = position;
      scannedTo = position;
      advanced = true;
      if (isSystemEvent(raw)) continue;
      const event = toRecordedEvent(resolved);
      if (!event) continue;
      events.push(event);
      if (events.length >= maxCount) return { events, scannedTo };
    }
    // A short page is the end of $all; a page that brought nothing new is too (defensive).
    if (page.length < count || !advanced) return { events, scannedTo };
  }
}
