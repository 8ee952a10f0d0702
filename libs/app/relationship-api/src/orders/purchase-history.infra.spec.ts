import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { IntegrationEvent } from '@crm/bus';
import { KafkaBus } from '@crm/bus-kafka';
import { crmRegistry, isSealed } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import { PersonalData, PersonalDataKeys, withPersonalData } from '@crm/personal-data';
import { crmEventStore } from '@crm/platform';
import { ProjectionRunner } from '@crm/projections';
import { OrderListEntry, orderListProjection } from '@crm/relationship-read-models';
import { Relay, SqlCheckpointStore } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgSqlClient } from '@crm/sql-clients';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createRelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';

// Needs real servers: `npm run test:infra` provides DATABASE_URL and KAFKA_BROKERS.
const databaseUrl = process.env.DATABASE_URL;
const brokers = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
if (!databaseUrl || brokers.length === 0) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: the purchase history suite needs PostgreSQL and Kafka');

// The purchase history on the real infrastructure: the order commands and an import write to
// PostgreSQL; the relay publishes to Kafka; a consumer as analytics would be one receives every order
// event under its customer, valid against its contract, in the customer's order, the free text
// sealed; the orders list built from Kafka holds every order.
describe('purchase history: PostgreSQL → relay → Kafka (infra)', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 8);
  const schema = `orders_it_${run}`;
  const topic = `crm.test.orders.${run}`;
  const registry = crmRegistry();
  const mia: StaffPrincipal = { kind: 'staff', subject: 'mia', department: 'sales', roles: ['manager'] };
  let sql: PgSqlClient;
  let store: PostgresEventStore;
  let bus: KafkaBus;
  let dataSource: DataSource;

  beforeAll(async () => {
    sql = new PgSqlClient({ connectionString: databaseUrl, max: 4 });
    store = new PostgresEventStore(sql, { schema: `${schema}_es`, listen: false });
    await store.migrate();
    bus = new KafkaBus(registry, {
      brokers,
      clientId: 'crm-orders-infra',
      topic,
      dlqPrefix: `crm.test-dlq.orders.${run}.`,
      partitions: 3,
      maxWaitTimeInMs: 250,
      logLevel: logLevel.NOTHING,
    });
    await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}_rm`);
    dataSource = new DataSource({ type: 'postgres', url: databaseUrl, schema: `${schema}_rm`, entities: [OrderListEntry], synchronize: true });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await bus?.close();
    const admin = new Kafka({ brokers, clientId: 'crm-orders-cleanup', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(run));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    for (const s of ['es', 'pl', 'rm']) await sql?.exec(`DROP SCHEMA IF EXISTS ${schema}_${s} CASCADE`);
    await store?.close(); // (closes its SQL client too)
  });

  it('every order event reaches a consumer under its customer, valid, in order, sealed where personal; the orders list follows Kafka', async () => {
    const personalData = new PersonalData(new PersonalDataKeys(`${schema}_pl`));
    await personalData.keys.migrate(sql);
    const commands = createRelationshipCommands(contractCheckedStore(withPersonalData(crmEventStore(store), personalData, sql), registry), {
      clock: new TestClock('2026-03-10T09:00:00.000Z'),
    });
    const customerId = (await commands.customers.register(mia, { kind: 'organisation', name: 'PT Maju' })).id;
    const opportunity = await commands.episodes.open(mia, 'opportunity', { customerId, name: 'Fleet', expectedValue: 5_000_000, currency: 'EUR' });
    const won = await commands.orders.place(mia, {
      customerId,
      currency: 'EUR',
      opportunityId: opportunity.id,
      lines: [{ productId: 'VAN', quantity: 2, unitPrice: 2_500_000, discountRate: 1000, taxRate: 1100 }],
    });
    await commands.orders.return(mia, won.id, { lines: [{ lineId: '1', quantity: 1 }], reason: 'dented on delivery' });
    const other = await commands.orders.place(mia, { customerId, currency: 'IDR', lines: [{ productId: 'SRV', quantity: 1, unitPrice: 150_000_00 }] });
    await commands.orders.cancel(mia, other.id, { reason: 'ordered twice' });
    const csv = `customerExternalId,orderId,orderDate,amount,currency\n${run}-C1,${run}-SO1,2024-01-01,10.00,EUR\n${run}-C2,${run}-SO2,2024-01-02,2500,JPY\n`;
    expect((await commands.orderImports.run(mia, Readable.from([csv]))).counts.created).toBe(2);

    const received: IntegrationEvent[] = [];
    const consumer = await bus.subscribe({ group: `analytics-spy-${run}`, handler: async (e) => void received.push(e) });
    const runner = new ProjectionRunner(dataSource, orderListProjection('it'), { schema: `${schema}_rm`, group: `read-models.it-${run}` });
    await runner.migrate();
    await runner.start(bus);
    const checkpoints = new SqlCheckpointStore(sql, `${schema}_pl`);
    await checkpoints.migrate();
    await new Relay(store, bus, checkpoints, registry).drain();

    await waitFor(async () => received.filter((e) => e.type.startsWith('Order')).length === 6, 60000, 'the order events on Kafka');
    await waitFor(async () => (await runner.status())?.eventsApplied === 6, 60000, 'the orders list from Kafka');
    const mine = received.filter((e) => e.subject === customerId).map((e) => e.type);
    // A customer's events in their order: the opportunity won by the order right after it.
    expect(mine).toEqual(['CustomerRegistered', 'EpisodeOpened', 'OrderPlaced', 'EpisodeClosed', 'OrderReturned', 'OrderPlaced', 'OrderCancelled']);
    for (const e of received.filter((x) => x.type.startsWith('Order'))) {
      expect(e.subject).toBe((e.data as { customerId: string }).customerId);
      expect(() => registry.validate(e)).not.toThrow();
      const reason = (e.data as { reason?: string }).reason;
      if (reason !== undefined) expect(isSealed(reason)).toBe(true);
    }
    expect(received.find((e) => e.type === 'EpisodeClosed')?.data).toMatchObject({ outcome: 'won', value: won.order.total, currency: 'EUR' });
    expect(received.some((e) => e.type.startsWith('OrderImport'))).toBe(false);
    const rows = await dataSource.getRepository(OrderListEntry).find();
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.orderId === won.id)).toMatchObject({ status: 'partially-returned', total: String(won.order.total) });
    await runner.stop();
    await consumer.stop();
  });
});
