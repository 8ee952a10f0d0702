import { randomUUID } from 'node:crypto';
import type { IntegrationBus, IntegrationEvent } from '@crm/bus';
import { InProcessBus } from '@crm/bus-in-process';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { Relay, SqlCheckpointStore, type RelayLease } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { testRegistry } from './testing';

/**
 * One lock for several relays, as PostgreSQL's advisory lock behaves: free → the first `hold()`
 * takes it; a holder whose session died (`die`) answers false from then on and the lock is free.
 * (The real lock is covered by process-lease.infra.spec.ts and the relay takeover infra spec.)
 */
class LockServer {
  holder?: string;
  private readonly dead = new Set<string>();
  lease(name: string): RelayLease {
    return {
      hold: async () => {
        if (this.dead.has(name)) return false;
        this.holder ??= name;
        return this.holder === name;
      },
      release: async () => {
        if (this.holder === name) this.holder = undefined;
      },
    };
  }
  die(name: string): void {
    this.dead.add(name);
    if (this.holder === name) this.holder = undefined;
  }
}

/** The bus as one relay uses it: remembers what this relay published. */
function recording(bus: IntegrationBus, into: IntegrationEvent[]): IntegrationBus {
  return new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop === 'publish')
        return async (events: readonly IntegrationEvent[]) => {
          into.push(...events);
          await target.publish(events);
        };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

// Two relays of one store behind a lease: only the holder publishes, the other waits in `standby`
// and takes over when the holder's lease is gone; the one that lost it publishes nothing more.
describe('relay lease (PGlite store, in-process bus)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const registry = testRegistry();
  const customerId = randomUUID();
  let seq = 0;
  const append = (n: number) =>
    store.appendToStream(
      `customer-${customerId}`,
      Array.from({ length: n }, () => ({
        id: randomUUID(),
        type: 'CustomerNoted',
        data: { customerId, seq: ++seq, note: `note ${seq}` },
        metadata: testMetadata(),
        schemaVersion: 1,
      })),
    );

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await session.close();
  });

  it('publishes from one relay at a time; the standby takes over when the holder loses the lease', async () => {
    const checkpoints = new SqlCheckpointStore(session.sqlClient());
    await checkpoints.migrate();
    const bus = new InProcessBus(registry, { partitions: 1 });
    const delivered: IntegrationEvent[] = [];
    const sub = await bus.subscribe({ group: 'check', handler: async (e) => void delivered.push(e) });
    const locks = new LockServer();
    const byA: IntegrationEvent[] = [];
    const byB: IntegrationEvent[] = [];
    const options = { standbyPollMs: 10, retry: { initialBackoffMs: 10, maxBackoffMs: 50 } };
    const a = new Relay(store, recording(bus, byA), checkpoints, registry, { ...options, lease: locks.lease('a') });
    const b = new Relay(store, recording(bus, byB), checkpoints, registry, { ...options, lease: locks.lease('b') });

    await append(5);
    a.start();
    await waitFor(async () => a.health().state === 'live', 10000, 'relay a live');
    b.start();
    await waitFor(async () => b.health().state === 'standby', 10000, 'relay b in standby');
    await waitFor(async () => delivered.length === 5, 10000, 'the first five delivered');
    expect(byB).toEqual([]);

    // A's session dies: from its next page on it publishes nothing; B takes the lease and goes on.
    locks.die('a');
    await append(5);
    await waitFor(async () => b.health().state === 'live', 10000, 'relay b to take over');
    await waitFor(async () => new Set(delivered.map((e) => e.id)).size === 10, 10000, 'all ten delivered');
    expect(byA.map((e) => (e.data as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(byB.map((e) => (e.data as { seq: number }).seq)).toEqual([6, 7, 8, 9, 10]);
    expect(a.health().state).toBe('standby');

    // Stopping the holder gives the lease back.
    await b.stop();
    expect(locks.holder).toBeUndefined();
    await a.stop();
    await sub.stop();
    await bus.close();
  });
});
