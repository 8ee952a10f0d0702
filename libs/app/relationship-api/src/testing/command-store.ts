import type { EventStore } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';

/** An event store that counts its stream reads, per stream. */
export type CountingEventStore = EventStore & { reads: Map<string, number> };

/** Counts `store`'s stream reads, per stream, so a test can see that a command loads each aggregate once. */
export function countingReads(store: EventStore): CountingEventStore {
  const reads = new Map<string, number>();
  return Object.assign(Object.create(store) as EventStore, {
    reads,
    readStream: (streamId: string, options?: Parameters<EventStore['readStream']>[1]) => {
      reads.set(streamId, (reads.get(streamId) ?? 0) + 1);
      return store.readStream(streamId, options);
    },
  });
}

/**
 * The store the application-command specs run on: PostgreSQL's event store, migrated, on a fresh
 * PGlite, counting its reads (`countingReads`). `close` ends the session (call it in `afterAll`).
 */
export async function openCountingStore(): Promise<{ store: CountingEventStore; close: () => Promise<void> }> {
  const session = await PgliteSession.open();
  const pg = new PostgresEventStore(session.sqlClient());
  await pg.migrate();
  return { store: countingReads(pg), close: () => session.close() };
}

/** The staff these specs act as: a service agent, a sales agent, a management admin. */
export const STAFF: Record<'agent' | 'seller' | 'manager', StaffPrincipal> = {
  agent: { kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] },
  seller: { kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] },
  manager: { kind: 'staff', subject: 'mia', department: 'management', roles: ['admin'] },
};
