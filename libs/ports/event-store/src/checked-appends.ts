import type { EventStore, NewEvent } from './types';

/**
 * The same store, with a check on every event before an append: the first event `refuse` returns an
 * error for fails the whole batch, before anything is written. Reads pass through untouched. For
 * rules above the port (the CRM's metadata, the published contracts) that must hold on every append.
 */
export function withCheckedAppends(store: EventStore, refuse: (event: NewEvent) => Error | undefined): EventStore {
  return {
    appendToStream(streamId, events, options) {
      for (const event of events) {
        const error = refuse(event);
        if (error) return Promise.reject(error);
      }
      return store.appendToStream(streamId, events, options);
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
