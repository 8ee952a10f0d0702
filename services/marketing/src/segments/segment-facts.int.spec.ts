import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, specEvents, type SpecEvent } from '@crm/projections/testing';
import type { EntityManager } from 'typeorm';
import {
  SegmentConsentRow,
  SegmentCustomerRow,
  SegmentFactChangeRow,
  SegmentInteractionRow,
  SegmentOrderLineRow,
  SegmentOrderRow,
} from './segment-facts.entities';
import { segmentFactsProjection, WHOLE_ORDER_LINE, type SegmentFactsEvent } from './segment-facts.projection';

const c1 = randomUUID();
const c2 = randomUUID();
const c3 = randomUUID();
const at = '2026-03-02T09:00:00.000Z';

const registered = (customerId: string, more: Record<string, unknown> = {}): SpecEvent<SegmentFactsEvent> => ({
  type: 'CustomerRegistered',
  time: at,
  data: {
    customerId,
    kind: 'person',
    name: 'Ana',
    contacts: [],
    identities: [],
    journeyStage: 'prospect',
    relationshipPhase: 'awareness',
    registeredBy: 'sales',
    ...more,
  } as never,
});
const line = (lineId: string, productId: string, total: number) => ({
  lineId,
  productId,
  quantity: 1,
  unitPrice: total,
  gross: total,
  discount: 0,
  tax: 0,
  total,
});
const placed = (
  orderId: string,
  customerId: string,
  lines: ReturnType<typeof line>[],
  total = lines.reduce((s, l) => s + l.total, 0),
): SpecEvent<SegmentFactsEvent> => ({
  type: 'OrderPlaced',
  data: { orderId, customerId, orderDate: at, placedAt: at, currency: 'EUR', lines, subtotal: total, discountTotal: 0, taxTotal: 0, total, source: 'api' },
});

const episodeOn = (episodeId: string, customerId: string): SpecEvent<SegmentFactsEvent> => ({
  type: 'EpisodeOpened',
  data: { episodeId, customerId, name: 'Visit', episodeType: 'opportunity', owner: { kind: 'department', department: 'sales' }, openedAt: at },
});
const interaction = (episodeId: string, customerId: string, interactionId: string): SpecEvent<SegmentFactsEvent> => ({
  type: 'InteractionRecorded',
  data: {
    episodeId,
    customerId,
    interaction: { interactionId, channel: 'phone', direction: 'outbound', actor: { kind: 'staff', id: 'sari' }, action: 'called', occurredAt: at },
  },
});
const merged = (customerId: string, survivorId: string, mergeId: string): SpecEvent<SegmentFactsEvent> => ({
  type: 'CustomerMerged',
  data: { customerId, survivorId, mergeId },
});
const unmerged = (customerId: string, survivorId: string, mergeId: string): SpecEvent<SegmentFactsEvent> => ({
  type: 'CustomerUnmerged',
  data: { customerId, survivorId, mergeId },
});

// marketing.segment-facts, given / when / then through a real projection runner on PGlite.
describe('segment facts read model', () => {
  const given = ProjectionSpecification.for({ projection: segmentFactsProjection(), registry: crmRegistry() });

  it('keeps the profile: registration (its time), details, stage, phase, tier; an erasure blanks the name; each change marks the customer', async () => {
    await given([registered(c1, { tags: ['vip'], owner: 'sari' })])
      .when([
        { type: 'CustomerDetailsChanged', data: { customerId: c1, owner: null, tags: ['vip', 'fleet'] } as never },
        { type: 'CustomerJourneyStageChanged', data: { customerId: c1, from: 'prospect', to: 'repeat-customer' } },
        { type: 'CustomerRelationshipPhaseChanged', data: { customerId: c1, from: 'awareness', to: 'expansion' } },
        {
          type: 'CustomerValueTierChanged',
          data: { customerId: c1, tier: 'gold', clv: 100, rank: 1, customers: 3, reportingCurrency: 'EUR', modelFittedAt: at, assignedAt: at },
        },
        {
          type: 'CustomerChurnRiskChanged',
          data: { customerId: c1, band: 'high', previousBand: 'medium', probability: 0.61, modelVersion: 2, horizonDays: 90, assessedAt: at },
        },
        { type: 'CustomerPersonalDataErased', data: { customerId: c1, erasedAt: at } },
      ])
      .then(async (manager) => {
        expect(await manager.getRepository(SegmentCustomerRow).findOneByOrFail({ customerId: c1 })).toMatchObject({
          owner: null,
          tags: ['vip', 'fleet'],
          journeyStage: 'repeat-customer',
          relationshipPhase: 'expansion',
          valueTier: 'gold',
          churnRisk: 'high',
          name: '[erased]',
          registeredAt: new Date(at),
        });
        expect((await manager.getRepository(SegmentFactChangeRow).findOneByOrFail({ customerId: c1 })).version).toBeGreaterThanOrEqual(1);
      });
  });

  it('orders per line; a cancellation flags the order; a return refunds its lines (an order without lines: its one whole line)', async () => {
    await given([registered(c1), placed('o1', c1, [line('1', 'VAN', 5000), line('2', 'TYRE', 1000)]), placed('o2', c1, [], 700)])
      .when([
        {
          type: 'OrderReturned',
          data: {
            orderId: 'o1',
            customerId: c1,
            returnId: 'r1',
            returnedAt: at,
            lines: [{ lineId: '2', productId: 'TYRE', quantity: 1, amount: 1000 }],
            amount: 1000,
            currency: 'EUR',
            fullyReturned: false,
          },
        },
        {
          type: 'OrderReturned',
          data: { orderId: 'o2', customerId: c1, returnId: 'r2', returnedAt: at, lines: [], amount: 700, currency: 'EUR', fullyReturned: true },
        },
        { type: 'OrderCancelled', data: { orderId: 'o1', customerId: c1, cancelledAt: at, amount: 6000, currency: 'EUR' } },
      ])
      .then(async (manager) => {
        const orders = await manager.getRepository(SegmentOrderRow).find({ order: { orderId: 'ASC' } });
        expect(orders).toEqual([
          expect.objectContaining({ orderId: 'o1', total: 6000, returned: 1000, cancelled: true, fullyReturned: false }),
          expect.objectContaining({ orderId: 'o2', total: 700, returned: 700, fullyReturned: true }),
        ]);
        const lines = await manager.getRepository(SegmentOrderLineRow).find({ order: { orderId: 'ASC', lineId: 'ASC' } });
        expect(lines.map((l) => [l.orderId, l.lineId, l.productId, l.total, l.returned])).toEqual([
          ['o1', '1', 'VAN', 5000, 0],
          ['o1', '2', 'TYRE', 1000, 1000],
          ['o2', WHOLE_ORDER_LINE, null, 700, 700],
        ]);
      });
  });

  it("interactions carry their episode's type and campaign; consent per channel × purpose, a channel-wide withdrawal withdraws every purpose", async () => {
    const episodeId = randomUUID();
    await given([
      registered(c1),
      {
        type: 'EpisodeOpened',
        data: {
          episodeId,
          customerId: c1,
          name: 'Spring',
          episodeType: 'campaign',
          owner: { kind: 'department', department: 'marketing' },
          openedAt: at,
          campaignId: 'spring',
        },
      },
    ])
      .when([
        {
          type: 'InteractionRecorded',
          data: {
            episodeId,
            customerId: c1,
            interaction: {
              interactionId: 'i1',
              channel: 'email',
              direction: 'inbound',
              actor: { kind: 'customer', id: c1 },
              action: 'replied',
              occurredAt: at,
            },
          },
        },
        {
          type: 'ConsentGranted',
          data: { customerId: c1, channel: 'email', purpose: 'offers', source: 'form', evidence: { textVersion: 'v1', recordedBy: 'mia' }, grantedAt: at },
        },
        {
          type: 'ConsentGranted',
          data: { customerId: c1, channel: 'email', purpose: 'newsletter', source: 'form', evidence: { textVersion: 'v1', recordedBy: 'mia' }, grantedAt: at },
        },
        {
          type: 'ConsentGranted',
          data: { customerId: c1, channel: 'sms', purpose: 'offers', source: 'form', evidence: { textVersion: 'v1', recordedBy: 'mia' }, grantedAt: at },
        },
        { type: 'ConsentWithdrawn', data: { customerId: c1, channel: 'email', source: 'staff', evidence: { recordedBy: 'mia' }, withdrawnAt: at } },
      ])
      .then(async (manager) => {
        expect(await manager.getRepository(SegmentInteractionRow).findOneByOrFail({ interactionId: 'i1' })).toMatchObject({
          customerId: c1,
          channel: 'email',
          direction: 'inbound',
          episodeType: 'campaign',
          campaignId: 'spring',
        });
        const consents = await manager.getRepository(SegmentConsentRow).find({ order: { channel: 'ASC', purpose: 'ASC' } });
        expect(consents.map((k) => `${k.channel}/${k.purpose}:${k.status}`)).toEqual([
          'email/newsletter:withdrawn',
          'email/offers:withdrawn',
          'sms/offers:granted',
        ]);
      });
  });

  it("a merge moves the duplicate's orders and interactions to the survivor and marks both changed", async () => {
    await given([registered(c1), registered(c2), placed('o9', c2, [line('1', 'VAN', 100)])])
      .when([{ type: 'CustomerMerged', data: { customerId: c2, survivorId: c1, mergeId: 'm1' } }])
      .then(async (manager) => {
        expect((await manager.getRepository(SegmentOrderRow).findOneByOrFail({ orderId: 'o9' })).customerId).toBe(c1);
        expect((await manager.getRepository(SegmentCustomerRow).findOneByOrFail({ customerId: c2 })).mergedInto).toBe(c1);
        expect((await manager.getRepository(SegmentFactChangeRow).find()).map((r) => r.customerId).sort()).toEqual([c1, c2].sort());
      });
  });

  /** Who each order and interaction counts for now, and whom its event named. */
  const owners = async (manager: EntityManager) => ({
    orders: Object.fromEntries(
      (await manager.getRepository(SegmentOrderRow).find()).map((o) => [o.orderId, `${who(o.customerId)}<-${who(o.recordedFor)}`] as const),
    ),
    interactions: Object.fromEntries(
      (await manager.getRepository(SegmentInteractionRow).find()).map((i) => [i.interactionId, `${who(i.customerId)}<-${who(i.recordedFor)}`] as const),
    ),
  });
  const who = (id: string | null) => ({ [c1]: 'c1', [c2]: 'c2', [c3]: 'c3' })[id ?? ''] ?? String(id);
  const versions = async (manager: EntityManager) =>
    Object.fromEntries((await manager.getRepository(SegmentFactChangeRow).find()).map((r) => [who(r.customerId), r.version] as const));
  const mergedIntoOf = async (manager: EntityManager, customerId: string) =>
    who((await manager.getRepository(SegmentCustomerRow).findOneByOrFail({ customerId })).mergedInto);

  it("an unmerge moves back exactly the duplicate's orders and interactions (also those recorded for it while merged) and marks both changed", async () => {
    const episode = randomUUID();
    await given([
      registered(c1),
      registered(c2),
      episodeOn(episode, c2),
      placed('o1', c1, [line('1', 'VAN', 100)]),
      placed('o2', c2, [line('1', 'VAN', 200)]),
      interaction(episode, c1, 'i1'),
      interaction(episode, c2, 'i2'),
      merged(c2, c1, 'm1'),
      // Recorded for the duplicate while merged: counted for the survivor until the unmerge.
      interaction(episode, c2, 'i3'),
      placed('o3', c2, [line('1', 'VAN', 300)]),
    ])
      .when([unmerged(c2, c1, 'm1')])
      .then(async (manager) => {
        expect(await owners(manager)).toEqual({
          orders: { o1: 'c1<-c1', o2: 'c2<-c2', o3: 'c2<-c2' },
          interactions: { i1: 'c1<-c1', i2: 'c2<-c2', i3: 'c2<-c2' },
        });
        expect(await mergedIntoOf(manager, c2)).toBe('null');
        // c1: registered, o1, i1, merge, i3 (counted for it), o3, unmerge; c2: registered, o2, i2, merge, unmerge.
        expect(await versions(manager)).toEqual({ c1: 7, c2: 5 });
      });
  });

  it('while merged, what was recorded for the duplicate counts for the survivor (down a chain)', async () => {
    const episode = randomUUID();
    await given([registered(c1), registered(c2), registered(c3), episodeOn(episode, c2), merged(c2, c1, 'm1'), merged(c1, c3, 'm2')])
      .when([interaction(episode, c2, 'i1'), placed('o1', c2, [line('1', 'VAN', 100)])])
      .then(async (manager) => {
        expect(await owners(manager)).toEqual({ orders: { o1: 'c3<-c2' }, interactions: { i1: 'c3<-c2' } });
      });
  });

  it('a chain (c2 into c1, c1 into c3): unmerging c2 brings back only what was recorded for c2; c1 stays with c3; all three are marked', async () => {
    const episode = randomUUID();
    await given([
      registered(c1),
      registered(c2),
      registered(c3),
      episodeOn(episode, c2),
      placed('o1', c1, [line('1', 'VAN', 100)]),
      placed('o2', c2, [line('1', 'VAN', 200)]),
      placed('o3', c3, [line('1', 'VAN', 300)]),
      merged(c2, c1, 'm1'),
      merged(c1, c3, 'm2'),
      interaction(episode, c2, 'i2'),
    ])
      .when([unmerged(c2, c1, 'm1')])
      .then(async (manager) => {
        expect(await owners(manager)).toEqual({ orders: { o1: 'c3<-c1', o2: 'c2<-c2', o3: 'c3<-c3' }, interactions: { i2: 'c2<-c2' } });
        expect(await mergedIntoOf(manager, c2)).toBe('null');
        expect(await mergedIntoOf(manager, c1)).toBe('c3');
        // c3, where c2's rows were, is re-evaluated too: registered, o3, m2, i2, unmerge.
        expect(await versions(manager)).toEqual({ c1: 5, c2: 4, c3: 5 });
      });
  });

  it("a chain undone in the middle (c1 from c3, c2 still merged into c1): c1 takes back its own rows and c2's", async () => {
    const episode = randomUUID();
    await given([
      registered(c1),
      registered(c2),
      registered(c3),
      episodeOn(episode, c2),
      placed('o1', c1, [line('1', 'VAN', 100)]),
      placed('o2', c2, [line('1', 'VAN', 200)]),
      placed('o3', c3, [line('1', 'VAN', 300)]),
      merged(c2, c1, 'm1'),
      merged(c1, c3, 'm2'),
      interaction(episode, c2, 'i2'),
    ])
      .when([unmerged(c1, c3, 'm2')])
      .then(async (manager) => {
        expect(await owners(manager)).toEqual({ orders: { o1: 'c1<-c1', o2: 'c1<-c2', o3: 'c3<-c3' }, interactions: { i2: 'c1<-c2' } });
        expect(await mergedIntoOf(manager, c1)).toBe('null');
        expect(await mergedIntoOf(manager, c2)).toBe('c1');
      });
  });

  it('an unmerge of a merge never seen, already undone or of another survivor is harmless: nothing moves, nobody is marked', async () => {
    await given([registered(c1), registered(c2), registered(c3), placed('o2', c2, [line('1', 'VAN', 200)]), merged(c2, c1, 'm1'), unmerged(c2, c1, 'm1')])
      .when([unmerged(c2, c1, 'm1'), unmerged(c1, c2, 'm9'), merged(c2, c3, 'm2'), unmerged(c2, c1, 'm1')])
      .then(async (manager) => {
        expect(await owners(manager)).toEqual({ orders: { o2: 'c3<-c2' }, interactions: {} });
        expect(await mergedIntoOf(manager, c2)).toBe('c3');
        // c1: registered, m1, unmerge m1 — none of the stale unmerges; c2 and c3: up to the merge into c3.
        expect(await versions(manager)).toEqual({ c1: 3, c2: 5, c3: 2 });
      });
  });

  it('rows written before recorded_for existed stay where they are on an unmerge (a rebuild fills the column)', async () => {
    await given([registered(c1), registered(c2), placed('o2', c2, [line('1', 'VAN', 200)]), merged(c2, c1, 'm1')])
      .when([])
      .then(async (manager) => {
        await manager.getRepository(SegmentOrderRow).update({ orderId: 'o2' }, { recordedFor: null });
        await segmentFactsProjection().apply(specEvents<SegmentFactsEvent>([unmerged(c2, c1, 'm1')], { registry: crmRegistry() })[0], manager);
        expect(await owners(manager)).toEqual({ orders: { o2: 'c1<-null' }, interactions: {} });
        expect(await mergedIntoOf(manager, c2)).toBe('null');
      });
  });
});
