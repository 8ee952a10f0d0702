import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { churnFeatures, churnLabel, CHURN_FEATURE_NAMES } from './churn-features';
import { loadCustomerFacts } from './customer-facts';
import { PropensityCustomer, PropensityEpisode, PropensityInteraction, PropensityOrder } from './propensity-facts.entities';
import { propensityFactsProjection, type PropensityFactsEvent } from './propensity-facts.projection';

type Event = SpecEvent<PropensityFactsEvent>;

const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();
const registered = (customerId: string, time: string): Event => ({
  type: 'CustomerRegistered',
  time,
  data: {
    customerId,
    kind: 'person',
    name: 'Sari',
    contacts: [],
    identities: [],
    journeyStage: 'prospect',
    relationshipPhase: 'awareness',
    registeredBy: 'sales',
  },
});
const order = (customerId: string, orderId: string, orderDate: string): Event => ({
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId,
    orderDate,
    placedAt: orderDate,
    currency: 'EUR',
    lines: [{ lineId: '1', productId: 'van', quantity: 1, unitPrice: 100, gross: 100, discount: 0, tax: 0, total: 100 }],
    subtotal: 100,
    discountTotal: 0,
    taxTotal: 0,
    total: 100,
    source: 'api',
  },
});
const cancelled = (customerId: string, orderId: string, cancelledAt: string): Event => ({
  type: 'OrderCancelled',
  data: { orderId, customerId, cancelledAt, amount: 100, currency: 'EUR' },
});
const opened = (customerId: string, episodeId: string, episodeType: string, openedAt: string, channel?: string): Event => ({
  type: 'EpisodeOpened',
  data: { episodeId, customerId, name: episodeType, episodeType, owner: { kind: 'department', department: 'service' }, openedAt, ...(channel && { channel }) },
});
const interaction = (customerId: string, episodeId: string, direction: string, occurredAt: string): Event => ({
  type: 'InteractionRecorded',
  data: {
    episodeId,
    customerId,
    interaction: {
      interactionId: randomUUID(),
      channel: 'phone',
      direction,
      actor: { kind: direction === 'inbound' ? 'customer' : 'staff', id: 'x' },
      action: 'talked',
      occurredAt,
    },
  },
});
const closed = (customerId: string, episodeId: string, outcome: string, closedAt: string): Event => ({
  type: 'EpisodeClosed',
  data: { episodeId, customerId, outcome, closedAt },
});

// The dated facts of the propensity models over PGlite (money comes from the purchase history's own
// loader, tested with it; the e2e spec covers both together), through the projection runner (each case
// also event by event), and read back "as of T" by the loader the routes use.
describe('propensity facts read model (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: propensityFactsProjection('analytics'), registry: crmRegistry() });

  it('keeps every fact with its date, the episode type on each interaction, cancellations dated', async () => {
    const customerId = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()].sort();
    const kase = randomUUID();
    await given([registered(customerId, day(1)), order(customerId, a, day(2))])
      .when([
        order(customerId, b, day(3)),
        cancelled(customerId, b, day(4)),
        opened(customerId, kase, 'case', day(5), 'phone'),
        interaction(customerId, kase, 'inbound', day(5)),
        closed(customerId, kase, 'unresolved', day(6)),
      ])
      .then(async (m) => {
        expect(await m.getRepository(PropensityCustomer).find()).toEqual([{ customerId, registeredAt: new Date(day(1)) }]);
        expect(await m.getRepository(PropensityOrder).find({ order: { orderId: 'ASC' } })).toEqual([
          { orderId: a, customerId, orderDate: new Date(day(2)), cancelledAt: null },
          { orderId: b, customerId, orderDate: new Date(day(3)), cancelledAt: new Date(day(4)) },
        ]);
        expect(await m.getRepository(PropensityEpisode).find()).toEqual([
          { episodeId: kase, customerId, episodeType: 'case', channel: 'phone', openedAt: new Date(day(5)), closedAt: new Date(day(6)), outcome: 'unresolved' },
        ]);
        expect(await m.getRepository(PropensityInteraction).find()).toEqual([
          expect.objectContaining({
            episodeId: kase,
            customerId,
            episodeType: 'case',
            channel: 'phone',
            direction: 'inbound',
            actorKind: 'customer',
            occurredAt: new Date(day(5)),
          }),
        ]);
      });
  });

  it('a resolved case reopened is open again, and closed again by its next closing', async () => {
    const customerId = randomUUID();
    const kase = randomUUID();
    const reopened: Event = { type: 'CaseReopened', data: { episodeId: kase, customerId, reason: 'again', reopenedAt: day(8), reopenedBy: 'budi' } };
    await given([])
      .when([registered(customerId, day(1)), opened(customerId, kase, 'case', day(5), 'phone'), closed(customerId, kase, 'resolved', day(6)), reopened])
      .then(async (m) => {
        expect(await m.getRepository(PropensityEpisode).find()).toEqual([expect.objectContaining({ episodeId: kase, closedAt: null, outcome: null })]);
      });
    await given([])
      .when([
        registered(customerId, day(1)),
        opened(customerId, kase, 'case', day(5)),
        closed(customerId, kase, 'resolved', day(6)),
        reopened,
        closed(customerId, kase, 'unresolved', day(9)),
      ])
      .then(async (m) => {
        expect(await m.getRepository(PropensityEpisode).find()).toEqual([expect.objectContaining({ closedAt: new Date(day(9)), outcome: 'unresolved' })]);
      });
  });

  it('is read back as of T: later facts absent, a later closing not yet happened, and the label from after T', async () => {
    const customerId = randomUUID();
    const kase = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    await given([])
      .when([
        registered(customerId, day(1)),
        order(customerId, a, day(2)),
        opened(customerId, kase, 'case', day(5)),
        closed(customerId, kase, 'unresolved', day(20)),
        order(customerId, b, day(25)),
      ])
      .then(async (m) => {
        const T = new Date(day(10));
        const asOfT = (await loadCustomerFacts(m, { until: T, survivors: new Map(), money: false })).get(customerId)!;
        expect(asOfT.orders).toHaveLength(1);
        expect(asOfT.episodes).toEqual([{ episodeType: 'case', channel: null, openedAt: new Date(day(5)), closedAt: null, outcome: null }]);
        const features = Object.fromEntries(CHURN_FEATURE_NAMES.map((n, j) => [n, churnFeatures(asOfT, T)![j]]));
        expect(features).toMatchObject({ recency_days: 8, purchase_occasions: 1, open_cases: 1, unresolved_cases_last_365d: 0, tenure_days: 9 });
        const through = (await loadCustomerFacts(m, { until: new Date(day(40)), survivors: new Map(), money: false })).get(customerId)!;
        expect(churnLabel(through, T, 30)).toBe(0); // bought on day 25
        expect(churnLabel(through, T, 10)).toBe(1);
        // a merged customer's facts are its survivor's
        const survivor = randomUUID();
        expect([...(await loadCustomerFacts(m, { until: T, survivors: new Map([[customerId, survivor]]), money: false })).keys()]).toEqual([survivor]);
      });
  });
});
