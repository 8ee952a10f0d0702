import type { GlobalPosition, RecordedEvent, SubscribeToAllOptions, Subscription } from './types';

/** A page with a hint from the store about what lies beyond it. */
export interface PolledPage {
  readonly events: RecordedEvent[];
  /**
   * Committed events exist after this page that the store cannot hand out yet (PostgreSQL: an older
   * transaction is still in flight, see the adapter). The subscription then looks again within a few
   * milliseconds, backing off, rather than waiting for a wake-up or the poll interval.
   */
  readonly heldBack?: boolean;
}

export interface PollingSubscriptionOptions extends SubscribeToAllOptions {
  readAll(after: GlobalPosition | undefined, maxCount: number): Promise<RecordedEvent[] | PolledPage>;
  /** How long a caught-up subscription waits for a wake-up before it looks again; read before every wait. */
  pollIntervalMs: number | (() => number);
  /**
   * Lets the store wake a caught-up subscription as soon as something may have been appended (this
   * process appended, or another process notified). A wake-up that arrives while a page is being
   * read is kept, so the next wait returns at once.
   */
  onLocalAppend?(wake: () => void): () => void;
  /** First delay after a page reported `heldBack` (doubling while it stays held back); default 2 ms. */
  heldBackRetryMs?: number;
  /**
   * Coalesces wake-ups: a woken subscription reads no sooner than this many milliseconds after the
   * start of its previous read (default 0: at once). Idle, the first append still wakes it at once;
   * under a stream of appends each of which wakes every subscriber, it turns one-event pages (and a
   * transaction per event per projection) into pages of what arrived meanwhile.
   */
  minWakeIntervalMs?: number;
}

/**
 * Catch-up then live, for stores read by pages in global order: read a page after the checkpoint,
 * hand each event to the handler in order, and when a page comes back short wait for a wake-up or
 * the poll interval. The checkpoint only moves past an event after its handler resolved, so a
 * subscriber never skips one; the store's read order is stable, so it never sees one twice.
 */
export function pollingSubscription(options: PollingSubscriptionOptions): Subscription {
  const batchSize = options.batchSize ?? 500;
  const heldBackRetryMs = options.heldBackRetryMs ?? 2;
  const minWakeIntervalMs = options.minWakeIntervalMs ?? 0;
  let stopped = false;
  let cancelPause: (() => void) | undefined;
  let wake: (() => void) | undefined;
  let wokenWhileReading = false;
  const wakeUp = () => {
    if (wake) wake();
    else wokenWhileReading = true;
  };
  const unregister = options.onLocalAppend?.(wakeUp);
  const interval = () => (typeof options.pollIntervalMs === 'function' ? options.pollIntervalMs() : options.pollIntervalMs);

  const run = async () => {
    let after = options.after;
    let caughtUp = false;
    let heldBackDelay = heldBackRetryMs;
    let lastReadAt = -Infinity;
    let woken = false;
    while (!stopped) {
      if (woken && minWakeIntervalMs > 0) {
        const pause = lastReadAt + minWakeIntervalMs - performance.now();
        if (pause > 0)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
            cancelPause = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        cancelPause = undefined;
        if (stopped) return;
      }
      woken = false;
      lastReadAt = performance.now();
      wokenWhileReading = false; // this read sees whatever a wake-up so far announced
      const result = await options.readAll(after, batchSize);
      const page = Array.isArray(result) ? result : result.events;
      const heldBack = !Array.isArray(result) && result.heldBack === true;
      if (options.onBatch) {
        if (stopped) return;
        if (page.length > 0) {
          await options.onBatch(page);
          after = page[page.length - 1].position;
        }
      } else {
        for (const event of page) {
          if (stopped) return;
          await options.onEvent!(event);
          after = event.position;
        }
      }
      if (page.length < batchSize) {
        if (!caughtUp) {
          caughtUp = true;
          options.onCaughtUp?.();
        }
        if (wokenWhileReading || stopped) {
          woken = true;
          continue;
        }
        const pollMs = interval();
        const waitMs = heldBack ? Math.min(heldBackDelay, pollMs) : pollMs;
        heldBackDelay = heldBack ? Math.min(heldBackDelay * 2, pollMs) : heldBackRetryMs;
        woken = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), waitMs);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        wake = undefined;
      }
    }
  };

  const done = run()
    .catch((error: unknown) => {
      stopped = true;
      if (options.onError) options.onError(error);
      else throw error;
    })
    .finally(() => unregister?.());

  return {
    done,
    async stop() {
      stopped = true;
      cancelPause?.();
      wakeUp();
      await done.catch(() => undefined);
    },
  };
}
