import { randomUUID } from 'node:crypto';
import { IsInt, IsString, IsUUID } from 'class-validator';
import { InProcessBus } from '@crm/bus-in-process';
import { formatPosition } from '@crm/event-store';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { Relay, SqlCheckpointStore, toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource, type EntityManager } from 'typeorm';
import { ProjectionRunner } from './projection-runner';
import type { Projection } from './projection';
import { CustomerActivity, customerActivityProjection, CustomerNotedV1, testRegistry, type CustomerNoted } from './testing';

// A stored event that breaks its contract, or that a projection cannot apply, must never stop a
// read model: it is parked with its reason, its subject is reported stale, the other subjects move
// on, and an operator re-drives it after a fix.
describe('poison events are parked, never fatal (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  const registry = testRegistry();

  // A fresh in-memory database per case, so each case sees only its own events.
  beforeEach(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [CustomerActivity], synchronize: true });
    await ds.initialize();
  });
  afterEach(async () => {
    await ds.destroy();
    await session.close();
  });

  const note = (customerId: string, seq: number, data: Record<string, unknown> = {}) =>
    store.appendToStream(`customer-${customerId}`, [
      { id: randomUUID(), type: 'CustomerNoted', data: { customerId, seq, note: `n${seq}`, ...data }, metadata: testMetadata(), schemaVersion: 1 },
    ]);
  const activity = async (customerId: string) => (await ds.getRepository(CustomerActivity).findOneBy({ customerId }))?.events ?? 0;

  /** A projection that cannot apply events whose note is 'explode' — until `fixed`. */
  function fragile(name: string): Projection<CustomerNoted> & { fixed: boolean } {
    const inner = customerActivityProjection(name);
    const projection = {
      ...inner,
      fixed: false,
      async apply(event: CustomerNoted, manager: EntityManager) {
        if (!projection.fixed && event.data.note === 'explode') throw new TypeError('cannot read properties of undefined');
        await inner.apply(event, manager);
      },
    };
    return projection;
  }

  it('parks a stored event that breaks its contract, and the later events of its subject; other subjects move on; re-drive after a fix applies them in order', async () => {
    const poisoned = randomUUID();
    const healthy = randomUUID();
    await note(poisoned, 0);
    await note(healthy, 0);
    await note(poisoned, 1, { seq: -1 }); // breaks CustomerNotedV1: seq must be ≥ 0
    await note(poisoned, 2);
    await note(healthy, 1);

    const runner = new ProjectionRunner(ds, customerActivityProjection('contract-victim'), { logger: quiet });
    await runner.migrate();
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await activity(healthy)) === 2, 20000, 'the healthy customer to be applied');
    await note(healthy, 2);
    await waitFor(async () => (await activity(healthy)) === 3, 20000, 'later events to keep flowing');

    expect(await activity(poisoned)).toBe(1);
    const parked = await runner.parkedEvents.open(ds, ['contract-victim']);
    expect(parked.map((p) => [p.subject, p.reason.split(':')[0]])).toEqual([
      [poisoned, 'breaks its contract'],
      [poisoned, 'waiting behind parked event of subject ' + poisoned],
    ]);
    expect(parked[0].reason).toContain('seq');
    expect((await runner.health()).parked).toEqual({ 'contract-victim': 2 });
    expect(await runner.staleness(ds, poisoned)).toMatchObject({ stale: true, parkedEvents: 2, consumers: ['contract-victim'] });
    expect(await runner.staleness(ds, healthy)).toBeUndefined();

    // Re-drive without a fix: the first fails again, the second stays behind it.
    expect(await runner.redrive(registry)).toEqual({ applied: 0, discarded: 0, stillParked: 2 });
    expect((await runner.parkedEvents.open(ds, ['contract-victim']))[0].attempts).toBe(2);

    // The fix: a contract (an upcaster, a corrected consumer) that accepts the stored event.
    const fixed = testRegistry().register('CustomerNoted', 1, LenientCustomerNoted);
    expect(await runner.redrive(fixed)).toEqual({ applied: 2, discarded: 0, stillParked: 0 });
    expect(await activity(poisoned)).toBe(3);
    expect(await runner.staleness(ds, poisoned)).toBeUndefined();
    expect((await runner.health()).parked).toEqual({ 'contract-victim': 0 });
    await runner.stop();
  });

  it('parks an event the projection throws on (in a batch with good ones), keeps the rest, and re-drives it once the projection is fixed', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await note(a, 0);
    await note(b, 0);
    await note(a, 1, { note: 'explode' });
    await note(b, 1);
    await note(a, 2);
    const projection = fragile('apply-victim');
    const runner = new ProjectionRunner(ds, projection, { logger: quiet });
    await runner.migrate();
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await activity(b)) === 2, 20000, 'b applied');
    await waitFor(async () => (await runner.health()).parked['apply-victim'] === 2, 20000, 'two parked for a');
    expect(await activity(a)).toBe(1);
    const [first] = await runner.parkedEvents.open(ds, ['apply-victim']);
    expect(first.reason).toContain('TypeError: cannot read properties of undefined');

    // A restart does not re-apply or re-park anything: the checkpoint moved past the page.
    await runner.stop();
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await note(b, 2);
    await waitFor(async () => (await activity(b)) === 3, 20000, 'b after restart');
    expect((await runner.health()).parked['apply-victim']).toBe(2);

    projection.fixed = true;
    expect(await runner.redrive(registry)).toEqual({ applied: 2, discarded: 0, stillParked: 0 });
    expect(await activity(a)).toBe(3);
    expect((await runner.status())?.eventsApplied).toBe(6);
    await runner.stop();
  });

  it('rebuild parks what it cannot apply instead of failing, and discard resolves without applying', async () => {
    const a = randomUUID();
    await note(a, 0);
    await note(a, 1, { seq: -5 });
    const runner = new ProjectionRunner(ds, customerActivityProjection('rebuild-victim'), { logger: quiet });
    await runner.migrate();
    const applied = await runner.rebuild(store, registry, toIntegrationEvent);
    expect(applied).toBeGreaterThan(0);
    const parked = await runner.parkedEvents.open(ds, ['rebuild-victim'], { subject: a });
    expect(parked).toHaveLength(1);
    expect(await runner.redrive(registry, { eventIds: [parked[0].eventId], discard: true })).toEqual({ applied: 0, discarded: 1, stillParked: 0 });
    expect(await runner.staleness(ds, a)).toBeUndefined();
    expect(await activity(a)).toBe(1);
  });

  it('rebuild checks the contract only of events a rebuilt projection handles: another type, valid or not, is skipped and never parked', async () => {
    const a = randomUUID();
    const withOther = testRegistry().register('CustomerWaved', 1, CustomerNotedV1);
    await note(a, 0);
    await store.appendToStream(`customer-${a}`, [
      { id: randomUUID(), type: 'CustomerWaved', data: { customerId: a, seq: -1, note: 'breaks its contract' }, metadata: testMetadata(), schemaVersion: 1 },
    ]);
    await note(a, 1);
    const runner = new ProjectionRunner(ds, customerActivityProjection('rebuild-skips'), { logger: quiet });
    await runner.migrate();
    const validate = jest.spyOn(withOther, 'validate');
    expect(await runner.rebuild(store, withOther, toIntegrationEvent)).toBe(2);
    expect(validate.mock.calls.map(([event]) => (event as { type: string }).type)).toEqual(['CustomerNoted', 'CustomerNoted']);
    expect(await runner.parkedEvents.open(ds, ['rebuild-skips'], { subject: a })).toEqual([]);
    expect(await activity(a)).toBe(2);
    expect((await runner.status('rebuild-skips'))?.lastPosition).toBe(formatPosition((await store.readAll({})).at(-1)!.position));
  });

  it('a database that is unavailable is not poison: the batch is retried until it goes through, nothing parked', async () => {
    const a = randomUUID();
    await note(a, 0);
    const inner = customerActivityProjection('outage-victim');
    let outages = 3;
    const projection: Projection<CustomerNoted> = {
      ...inner,
      async apply(event, manager) {
        if (outages-- > 0) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
        await inner.apply(event, manager);
      },
    };
    const runner = new ProjectionRunner(ds, projection, { logger: quiet, retry: { initialBackoffMs: 5, maxBackoffMs: 10 } });
    await runner.migrate();
    await runner.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await activity(a)) === 1, 20000, 'applied after the outage');
    await waitFor(async () => (await runner.health()).state === 'live', 20000, 'the runner to report itself live again');
    expect(outages).toBeLessThan(0);
    expect((await runner.health()).parked['outage-victim']).toBe(0);
    await runner.stop();
  });

  it('from the bus: one consumer group for several projections; a poison event for one projection does not hold back the other', async () => {
    const bus = new InProcessBus(registry, { partitions: 2 });
    const checkpoints = new SqlCheckpointStore(session.sqlClient(), 'bus_platform');
    await checkpoints.migrate();
    const a = randomUUID();
    await note(a, 0, { note: 'explode' });
    await note(a, 1);
    const relay = new Relay(store, bus, checkpoints, registry);
    const fragileOne = fragile('bus-fragile');
    const steady = customerActivityProjection('bus-steady', CustomerActivity);
    const runner = new ProjectionRunner(ds, [fragileOne, { ...steady, name: 'bus-steady' }], {
      group: 'read-models.test',
      schema: 'bus_platform',
      logger: quiet,
    });
    await runner.migrate();
    await runner.start(bus);
    relay.start();
    await waitFor(async () => (await runner.parkedEvents.open(ds, ['bus-fragile'], { subject: a })).length === 2, 20000, 'the fragile projection to park both');
    // Only the steady projection writes a's row (the fragile one parked all of a's events).
    await waitFor(async () => (await activity(a)) === 2, 20000, 'steady to apply both');
    expect(await runner.parkedEvents.open(ds, ['bus-steady'], { subject: a })).toEqual([]);
    expect(await runner.staleness(ds, a)).toMatchObject({ parkedEvents: 2, consumers: ['bus-fragile'] });
    await relay.stop();
    await runner.stop();
    await bus.close();
  });
});

/** The "fixed" contract: negative sequence numbers were legitimate after all. */
class LenientCustomerNoted {
  @IsUUID() customerId!: string;
  @IsInt() seq!: number;
  @IsString() note!: string;
}

describe('a batch holding the same event twice (a relay re-published it after a crash)', () => {
  it('applies it once, without falling back to one transaction per event', async () => {
    const session = await PgliteSession.open();
    const ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [CustomerActivity], synchronize: true });
    await ds.initialize();
    const registry = testRegistry();
    const bus = new InProcessBus(registry, { partitions: 1 });
    const warnings: string[] = [];
    const runner = new ProjectionRunner(ds, customerActivityProjection('twice'), { logger: { warn: (m) => warnings.push(m), error: () => undefined } });
    try {
      await runner.migrate();
      const customerId = randomUUID();
      const event = {
        specversion: '1.0' as const,
        id: randomUUID(),
        source: '/crm/customer',
        type: 'CustomerNoted',
        time: new Date().toISOString(),
        subject: customerId,
        datacontenttype: 'application/json' as const,
        schemaversion: 1,
        correlationid: 'c',
        causationid: 'c',
        actor: '{}',
        visibility: '{}',
        position: '5/7',
        data: { customerId, seq: 3, note: 'n' },
      };
      await bus.publish([event, event, { ...event, id: randomUUID(), position: '5/8' }]);
      await runner.start(bus);
      await waitFor(async () => (await runner.status())?.eventsApplied === 2, 20000, 'both distinct events');
      expect((await ds.getRepository(CustomerActivity).findOneBy({ customerId }))?.events).toBe(2);
      expect(warnings).toEqual([]);
    } finally {
      await runner.stop();
      await bus.close();
      await ds.destroy();
      await session.close();
    }
  });
});

const quiet = { warn: () => undefined, error: () => undefined };
