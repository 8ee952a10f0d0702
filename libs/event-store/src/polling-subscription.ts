import type { GlobalPosition, RecordedEvent, SubscribeToAllOptions, Subscription } from './types';

export interface PollingSubscriptionOptions extends SubscribeToAllOptions {
  readAll(after: GlobalPosition | undefined, maxCount: number): Promise<RecordedEvent[]>;
  pollIntervalMs: number;
  /** Lets the store wake a caught-up subscription as soon as this process appends. */
  onLocalAppend?(wake: () => void): () => void;
}

/**
 * Catch-up then live, for stores read by pages in global order: read a page after the checkpoint,
 * hand each event to the handler in order, and when a page comes back short wait for a wake-up or
 * the poll interval. The checkpoint only moves past an event after its handler resolved, so a
 * subscriber never skips one; the store's read order is stable, so it never sees one twice.
 */
export function pollingSubscription(options: PollingSubscriptionOptions): Subscription {
  const batchSize = options.batchSize ?? 500;
  let stopped = false;
  let wake: (() => void) | undefined;
  const wakeUp = () => wake?.();
  const unregister = options.onLocalAppend?.(wakeUp);

  const run = async () => {
    let after = options.after;
    let caughtUp = false;
    while (!stopped) {
      const page = await options.readAll(after, batchSize);
      for (const event of page) {
        if (stopped) return;
        await options.onEvent(event);
        after = event.position;
      }
      if (page.length < batchSize) {
        if (!caughtUp) {
          caughtUp = true;
          options.onCaughtUp?.();
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
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
      wakeUp();
      await done.catch(() => undefined);
    },
  };
}
