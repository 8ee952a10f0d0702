import { Readable } from 'node:stream';
import { InProcessBus } from '@crm/bus-in-process';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import { ProjectionRunner } from '@crm/projections';
import { Relay, SqlCheckpointStore, toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { OrderListEntry, orderListProjection } from '@crm/relationship-read-models';
import { DataSource } from 'typeorm';
import { createRelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';

// The orders list fed both ways a service feeds it: store → relay → bus → runner (distributed, here
// on the in-process bus) and store → runner (embedded), from what the order commands and an import
// really write. Both must hold the same rows; the relay publishes the order events under the
// customer and keeps the import's own record private.
describe('orders list from the bus and from the store (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const sources: DataSource[] = [];
  const registry = crmRegistry();
  const mia: StaffPrincipal = { kind: 'staff', subject: 'mia', department: 'sales', roles: ['manager'] };

  const dataSource = async (schema: string) => {
    await session.sqlClient().query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), schema, entities: [OrderListEntry], synchronize: true });
    await ds.initialize();
    sources.push(ds);
    return ds;
  };

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
  });
  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await session.close();
  });

  it('publishes each order event under its customer, applies it once from the bus, and equals the rows built from the store', async () => {
    const commands = createRelationshipCommands(contractCheckedStore(store, registry), { clock: new TestClock('2026-03-10T09:00:00.000Z') });
    const customerId = (await commands.customers.register(mia, { kind: 'organisation', name: 'PT Maju' })).id;
    const line = { productId: 'VAN', quantity: 3, unitPrice: 1000 };
    const a = await commands.orders.place(mia, { customerId, currency: 'EUR', lines: [line] });
    const b = await commands.orders.place(mia, { customerId, currency: 'IDR', lines: [line] });
    await commands.orders.return(mia, a.id, { lines: [{ lineId: '1', quantity: 1 }] });
    await commands.orders.cancel(mia, b.id);
    const csv = 'customerExternalId,orderId,orderDate,amount,currency\nX-1,SO-1,2024-01-01,10.00,EUR\nX-2,SO-2,2024-01-02,2500,JPY\n';
    const imported = await commands.orderImports.run(mia, Readable.from([csv]));
    expect(imported.counts.created).toBe(2);

    const bus = new InProcessBus(registry, { partitions: 3 });
    const published: { type: string; subject: string; customerId: unknown }[] = [];
    await bus.subscribe({
      group: 'spy',
      dedupe: false,
      handler: async (e) => void published.push({ type: e.type, subject: e.subject, customerId: (e.data as { customerId?: unknown }).customerId }),
    });
    const checkpoints = new SqlCheckpointStore(session.sqlClient());
    await checkpoints.migrate();
    const fromBus = new ProjectionRunner(await dataSource('orders_from_bus'), orderListProjection('bus'), { schema: 'orders_from_bus' });
    await fromBus.migrate();
    await fromBus.start(bus);
    await new Relay(store, bus, checkpoints, registry).drain();
    await waitFor(async () => (await fromBus.status())?.eventsApplied === 6, 20000, 'the order events from the bus');
    const orderEvents = published.filter((p) => p.type.startsWith('Order'));
    expect(orderEvents.map((p) => p.type).sort()).toEqual(['OrderCancelled', 'OrderPlaced', 'OrderPlaced', 'OrderPlaced', 'OrderPlaced', 'OrderReturned']);
    for (const p of orderEvents) expect(p.subject).toBe(p.customerId);
    expect(published.some((p) => p.type.startsWith('OrderImport'))).toBe(false);
    // a redelivery of everything (a relay starting over) changes nothing
    const before = published.length;
    await new Relay(store, bus, checkpoints, registry, { name: 'replay' }).drain();
    await waitFor(async () => published.length === 2 * before, 20000, 'the redelivery');
    await new Promise((r) => setTimeout(r, 200));
    expect((await fromBus.status())?.eventsApplied).toBe(6);
    await fromBus.stop();

    const fromStore = new ProjectionRunner(await dataSource('orders_from_store'), orderListProjection('store'), { schema: 'orders_from_store' });
    await fromStore.migrate();
    await fromStore.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await fromStore.status())?.eventsApplied === 6, 20000, 'the order events from the store');
    await fromStore.stop();

    const rows = async (ds: DataSource) => ds.getRepository(OrderListEntry).find({ order: { orderId: 'ASC' } });
    const viaBus = await rows(sources[0]);
    expect(viaBus).toHaveLength(4);
    expect(viaBus.find((r) => r.orderId === a.id)).toMatchObject({ customerId, status: 'partially-returned', total: '3000', refunded: '1000' });
    expect(viaBus.find((r) => r.orderId === b.id)).toMatchObject({ status: 'cancelled', currency: 'IDR' });
    expect(await rows(sources[1])).toEqual(viaBus);
  });
});
