import type { EventStore } from '@crm/event-store';
import type { PersonalData } from './personal-data';
import type { Queryable } from './personal-data-keys';

/**
 * The event store as commands use it: personal fields are sealed before every append and revealed
 * on every read, so deciders work on plain values and the store (and the relay, which reads it
 * directly, and so the bus) only ever holds sealed ones. `db` holds the keys table. Subscriptions
 * pass through sealed: their followers (the projection runner) reveal what they apply themselves.
 */
export function withPersonalData(store: EventStore, personalData: PersonalData, db: Queryable): EventStore {
  return {
    async appendToStream(streamId, events, options) {
      return store.appendToStream(streamId, await personalData.seal(db, events), options);
    },
    async readStream(streamId, options) {
      return personalData.reveal(db, await store.readStream(streamId, options));
    },
    async readAll(options) {
      return personalData.reveal(db, await store.readAll(options));
    },
    subscribeToAll: (options) => store.subscribeToAll(options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
