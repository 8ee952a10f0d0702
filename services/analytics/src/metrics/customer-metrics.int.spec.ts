import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { CustomerMetrics, CustomerPurchase, EpisodeOwner } from './customer-metrics.entities';
import { customerMetricsProjection, type CustomerMetricsEvent } from './customer-metrics.projection';

type Event = SpecEvent<CustomerMetricsEvent>;

const day = (n: number) => new Date(Date.UTC(2026, 2, n)).toISOString();
const registered = (customerId: string): Event => ({
  type: 'CustomerRegistered',
  data: {
    customerId,
    kind: 'organisation',
    name: 'PT Analitika',
    contacts: [],
    identities: [],
    journeyStage: 'prospect',
    relationshipPhase: 'awareness',
    registeredBy: 'sales',
  },
});
const opened = (customerId: string, episodeId: string, episodeType: string, owner: { kind: string; department?: string; partnerId?: string }): Event => ({
  type: 'EpisodeOpened',
  data: { episodeId, customerId, name: `${episodeType} ${episodeId.slice(0, 4)}`, episodeType, owner, openedAt: day(1) },
});
const interaction = (customerId: string, episodeId: string, channel: string, occurredAt: string): Event => ({
  type: 'InteractionRecorded',
  data: {
    episodeId,
    customerId,
    interaction: { interactionId: randomUUID(), channel, direction: 'outbound', actor: { kind: 'staff', id: 'u1' }, action: 'talked', occurredAt },
  },
});
const closed = (customerId: string, episodeId: string, outcome: string, closedAt: string, money: { value?: number; currency?: string } = {}): Event => ({
  type: 'EpisodeClosed',
  data: { episodeId, customerId, outcome, closedAt, ...money },
});
const sales = { kind: 'department', department: 'sales' };
const service = { kind: 'department', department: 'service' };

// Analytics' per-customer metrics over PGlite, through the projection runner: each case is also
// applied event by event, which must add up to the same counters as one batch.
describe('customer metrics read model (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: customerMetricsProjection('analytics'), registry: crmRegistry() });

  it('counts every department’s and partner’s interactions and the purchases of a customer', async () => {
    const customerId = randomUUID();
    const partnerId = randomUUID();
    const [opp, lost, kase, deal] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await given([registered(customerId), opened(customerId, opp, 'opportunity', sales)])
      .when([
        interaction(customerId, opp, 'phone', day(5)),
        interaction(customerId, opp, 'email', day(10)),
        closed(customerId, opp, 'won', day(20), { value: 100.5, currency: 'EUR' }),
        // A lost opportunity is no purchase.
        opened(customerId, lost, 'opportunity', sales),
        closed(customerId, lost, 'lost', day(21), { value: 999 }),
        opened(customerId, kase, 'case', service),
        interaction(customerId, kase, 'phone', day(29)),
        opened(customerId, deal, 'partner-deal', { kind: 'partner', partnerId }),
        interaction(customerId, deal, 'portal', day(26)),
        closed(customerId, deal, 'won', day(28), { value: 50 }),
      ])
      .thenRows(CustomerMetrics, [
        {
          customerId,
          interactionsTotal: 4,
          interactionsByChannel: { phone: 2, email: 1, portal: 1 },
          interactionsByDepartment: { sales: 2, service: 1, [`partner:${partnerId}`]: 1 },
          lastInteractionAt: new Date(day(29)),
          wonCount: 2,
          wonValue: '150.5',
          lastPurchaseAt: new Date(day(28)),
        },
      ]);
  });

  it('keeps each purchase with its episode type and each episode’s owner', async () => {
    const customerId = randomUUID();
    const partnerId = randomUUID();
    // Ordered by episode id: the rows come in primary key order.
    const [opp, deal] = [randomUUID(), randomUUID()].sort();
    await given([registered(customerId)])
      .when([
        opened(customerId, opp, 'opportunity', sales),
        opened(customerId, deal, 'partner-deal', { kind: 'partner', partnerId }),
        closed(customerId, opp, 'won', day(20), { value: 100.5, currency: 'EUR' }),
        closed(customerId, deal, 'won', day(28)),
      ])
      .then(async (manager) => {
        expect(await manager.getRepository(CustomerPurchase).find({ order: { episodeId: 'ASC' } })).toEqual([
          expect.objectContaining({ episodeId: opp, customerId, closedAt: new Date(day(20)), value: '100.5', currency: 'EUR', episodeType: 'opportunity' }),
          expect.objectContaining({ episodeId: deal, customerId, closedAt: new Date(day(28)), value: '0', currency: null, episodeType: 'partner-deal' }),
        ]);
        expect(await manager.getRepository(EpisodeOwner).find({ order: { episodeId: 'ASC' } })).toEqual([
          expect.objectContaining({ episodeId: opp, customerId, episodeType: 'opportunity', owner: 'sales' }),
          expect.objectContaining({ episodeId: deal, customerId, episodeType: 'partner-deal', owner: `partner:${partnerId}` }),
        ]);
      });
  });

  it('gives a customer without activity a row of zeros from its registration on', async () => {
    const customerId = randomUUID();
    await given([])
      .when([registered(customerId)])
      .thenRows(CustomerMetrics, [
        {
          customerId,
          interactionsTotal: 0,
          interactionsByChannel: {},
          interactionsByDepartment: {},
          lastInteractionAt: null,
          wonCount: 0,
          wonValue: '0',
          lastPurchaseAt: null,
        },
      ]);
  });

  it('adds to what is stored: owners of episodes opened in an earlier batch, counters merged key by key, the latest times kept', async () => {
    const customerId = randomUUID();
    const [opp, kase] = [randomUUID(), randomUUID()];
    await given([
      registered(customerId),
      opened(customerId, opp, 'opportunity', sales),
      opened(customerId, kase, 'case', service),
      interaction(customerId, opp, 'phone', day(10)),
    ])
      .when([
        interaction(customerId, kase, 'phone', day(12)),
        interaction(customerId, opp, 'web', day(11)),
        // Recorded last, happened first: the latest interaction stays the one of day 12.
        interaction(customerId, opp, 'phone', day(2)),
        closed(customerId, opp, 'won', day(15), { value: 0.1 }),
        closed(customerId, kase, 'resolved', day(16)),
      ])
      .thenRows(CustomerMetrics, [
        {
          customerId,
          interactionsTotal: 4,
          interactionsByChannel: { phone: 3, web: 1 },
          interactionsByDepartment: { sales: 3, service: 1 },
          lastInteractionAt: new Date(day(12)),
          wonCount: 1,
          wonValue: '0.1',
          lastPurchaseAt: new Date(day(15)),
        },
      ]);
  });

  it('sums the values of purchases exactly (numeric, not floating point)', async () => {
    const customerId = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    await given([registered(customerId), opened(customerId, a, 'opportunity', sales), opened(customerId, b, 'opportunity', sales)])
      .when([closed(customerId, a, 'won', day(3), { value: 0.1 }), closed(customerId, b, 'won', day(4), { value: 0.2 })])
      .thenRows(CustomerMetrics, [{ customerId, wonCount: 2, wonValue: '0.3', lastPurchaseAt: new Date(day(4)) }]);
  });

  it('counts an interaction of an episode it never saw opened under `unknown`', async () => {
    const customerId = randomUUID();
    await given([registered(customerId)])
      .when([interaction(customerId, randomUUID(), 'sms', day(7))])
      .thenRows(CustomerMetrics, [
        { customerId, interactionsTotal: 1, interactionsByChannel: { sms: 1 }, interactionsByDepartment: { unknown: 1 }, lastInteractionAt: new Date(day(7)) },
      ]);
  });

  it('keeps customers apart in one batch', async () => {
    const [first, second] = [randomUUID(), randomUUID()].sort();
    const [e1, e2] = [randomUUID(), randomUUID()];
    await given([])
      .when([
        registered(first),
        registered(second),
        opened(first, e1, 'case', service),
        opened(second, e2, 'opportunity', sales),
        interaction(second, e2, 'email', day(3)),
        interaction(first, e1, 'phone', day(4)),
        interaction(second, e2, 'email', day(5)),
      ])
      .thenRows(CustomerMetrics, [
        { customerId: first, interactionsTotal: 1, interactionsByDepartment: { service: 1 }, lastInteractionAt: new Date(day(4)) },
        { customerId: second, interactionsTotal: 2, interactionsByDepartment: { sales: 2 }, lastInteractionAt: new Date(day(5)) },
      ]);
  });
});
