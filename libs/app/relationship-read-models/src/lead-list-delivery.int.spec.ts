import { randomUUID } from 'node:crypto';
import { InProcessBus } from '@crm/bus-in-process';
import { crmRegistry } from '@crm/contracts';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { ProjectionRunner } from '@crm/projections';
import { Relay, SqlCheckpointStore, toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { LeadListEntry } from './lead-list.entities';
import { leadListProjection } from './lead-list.projection';

// The leads list fed both ways a service feeds it: store → relay → bus → runner (distributed, here
// on the in-process bus) and store → runner (embedded). Both must hold the same rows; the relay
// publishes a lead's events under the lead and keeps the lead forms and assignment rules private.
describe('leads list from the bus and from the store (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const sources: DataSource[] = [];
  const registry = crmRegistry();

  const dataSource = async (schema: string) => {
    await session.sqlClient().query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), schema, entities: [LeadListEntry], synchronize: true });
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

  it('applies every lead event once from the bus, skips a redelivery, and equals the rows built from the store', async () => {
    const leads = Array.from({ length: 4 }, () => randomUUID());
    const append = (streamId: string, type: string, data: object) =>
      store.appendToStream(streamId, [{ id: randomUUID(), type, data, metadata: testMetadata(), schemaVersion: 1 }]);
    for (const [i, leadId] of leads.entries()) {
      await append(`lead-${leadId}`, 'LeadCaptured', {
        leadId,
        source: 'web-form',
        name: `Lead ${i}`,
        email: `lead${i}@x.example`,
        qualification: {},
        capturedAt: new Date(Date.UTC(2026, 2, 1, 9, i)).toISOString(),
      });
      await append(`lead-${leadId}`, 'LeadAssigned', { leadId, owner: i % 2 ? 'ani' : 'dodi', rule: 'rr' });
    }
    await append(`lead-${leads[0]}`, 'LeadConverted', {
      leadId: leads[0],
      customerId: randomUUID(),
      opportunityId: randomUUID(),
      convertedAt: '2026-03-02T00:00:00.000Z',
    });
    await append('lead-assignment-rules', 'LeadAssignmentRulesReplaced', { rules: [], replacedBy: 'mira', replacedAt: '2026-03-01T00:00:00.000Z' });
    await append(`leadform-${randomUUID()}`, 'LeadFormRevoked', { formId: 'f', revokedBy: 'mira', revokedAt: '2026-03-01T00:00:00.000Z' });

    // distributed: the relay publishes, the runner consumes as one consumer group
    const bus = new InProcessBus(registry, { partitions: 3 });
    const published: string[] = [];
    await bus.subscribe({ group: 'spy', dedupe: false, handler: async (e) => void published.push(`${e.type}:${e.subject}`) });
    const checkpoints = new SqlCheckpointStore(session.sqlClient());
    await checkpoints.migrate();
    const fromBus = new ProjectionRunner(await dataSource('from_bus'), leadListProjection('bus'), { schema: 'from_bus' });
    await fromBus.migrate();
    await fromBus.start(bus);
    const relay = new Relay(store, bus, checkpoints, registry);
    await relay.drain();
    await waitFor(async () => (await fromBus.status())?.eventsApplied === 9, 20000, 'the lead events from the bus');
    expect(published).toHaveLength(9);
    expect(published).toContain(`LeadConverted:${leads[0]}`); // under the lead, not the customer
    expect(published.every((p) => p.startsWith('Lead') && !p.startsWith('LeadForm') && !p.startsWith('LeadAssignmentRules'))).toBe(true);
    // a redelivery of everything (a relay starting over) changes nothing
    await new Relay(store, bus, checkpoints, registry, { name: 'replay' }).drain();
    await waitFor(async () => published.length === 18, 20000, 'the redelivery');
    await new Promise((r) => setTimeout(r, 200));
    expect((await fromBus.status())?.eventsApplied).toBe(9);
    await fromBus.stop();

    // embedded: the runner follows the store
    const fromStore = new ProjectionRunner(await dataSource('from_store'), leadListProjection('store'), { schema: 'from_store' });
    await fromStore.migrate();
    await fromStore.startFromStore(store, registry, toIntegrationEvent);
    await waitFor(async () => (await fromStore.status())?.eventsApplied === 9, 20000, 'the lead events from the store');
    await fromStore.stop();

    const rows = async (ds: DataSource) => ds.getRepository(LeadListEntry).find({ order: { leadId: 'ASC' } });
    const viaBus = await rows(sources[0]);
    expect(viaBus).toHaveLength(4);
    expect(viaBus.find((r) => r.leadId === leads[0])).toMatchObject({ status: 'converted', owner: 'dodi', assignedByRule: 'rr' });
    expect(await rows(sources[1])).toEqual(viaBus);
  });
});
