import type { CrmIntegrationEvent } from '@crm/contracts';
import { ERASED } from '@crm/kernel';
import type { Projection } from '@crm/projections';
import { In, Not, type EntityManager, type Repository } from 'typeorm';
import {
  SegmentConsentRow,
  SegmentCustomerRow,
  SegmentEpisodeRow,
  SegmentFactChangeRow,
  SegmentInteractionRow,
  SegmentOrderLineRow,
  SegmentOrderRow,
} from './segment-facts.entities';

/** The events that change a customer's segment facts (docs/events.md). */
export type SegmentFactsEvent = CrmIntegrationEvent<
  | 'CustomerRegistered'
  | 'CustomerDetailsChanged'
  | 'CustomerJourneyStageChanged'
  | 'CustomerRelationshipPhaseChanged'
  | 'CustomerMerged'
  | 'CustomerUnmerged'
  | 'CustomerPersonalDataErased'
  | 'CustomerValueTierChanged'
  | 'CustomerChurnRiskChanged'
  | 'OrderPlaced'
  | 'OrderCancelled'
  | 'OrderReturned'
  | 'EpisodeOpened'
  | 'InteractionRecorded'
  | 'ConsentGranted'
  | 'ConsentWithdrawn'
>;

const HANDLES: SegmentFactsEvent['type'][] = [
  'CustomerRegistered',
  'CustomerDetailsChanged',
  'CustomerJourneyStageChanged',
  'CustomerRelationshipPhaseChanged',
  'CustomerMerged',
  'CustomerUnmerged',
  'CustomerPersonalDataErased',
  'CustomerValueTierChanged',
  'CustomerChurnRiskChanged',
  'OrderPlaced',
  'OrderCancelled',
  'OrderReturned',
  'EpisodeOpened',
  'InteractionRecorded',
  'ConsentGranted',
  'ConsentWithdrawn',
];

/** The line an order without lines is kept as (its whole total, no product). */
export const WHOLE_ORDER_LINE = '-';

/**
 * `marketing.segment-facts` (issue 13 §2): per customer the profile (kind, name, owner, tags,
 * registration, journey stage, relationship phase, value tier), purchases per order line (product,
 * order date, amount; cancellations and returns adjust), interactions (channel, direction, the
 * episode's type and campaign, when) and consent per channel × purpose. Every change also marks the
 * customer in `segment_fact_changes`, in the same transaction, for the membership processor. A
 * merged customer's orders and interactions move to its survivor; each row keeps the customer its
 * event named (`recorded_for`), so an unmerge moves back exactly what is the duplicate's (docs/marketing.md).
 */
export function segmentFactsProjection(): Projection<SegmentFactsEvent> {
  return {
    name: 'marketing.segment-facts',
    entities: [SegmentCustomerRow, SegmentOrderRow, SegmentOrderLineRow, SegmentEpisodeRow, SegmentInteractionRow, SegmentConsentRow, SegmentFactChangeRow],
    workEntities: [SegmentFactChangeRow],
    handles: HANDLES,
    async apply(event, manager) {
      const changed = await applyFact(event, manager);
      for (const customerId of changed) await markChanged(manager, customerId);
    },
  };
}

async function markChanged(manager: EntityManager, customerId: string): Promise<void> {
  const table = manager.getRepository(SegmentFactChangeRow).metadata.tablePath;
  await manager.query(`INSERT INTO ${table} (customer_id, version) VALUES ($1, 1) ON CONFLICT (customer_id) DO UPDATE SET version = ${table}.version + 1`, [
    customerId,
  ]);
}

/** Applies one event; answers the customers whose facts changed. */
async function applyFact(event: SegmentFactsEvent, manager: EntityManager): Promise<string[]> {
  const customers = manager.getRepository(SegmentCustomerRow);
  const orders = manager.getRepository(SegmentOrderRow);
  const lines = manager.getRepository(SegmentOrderLineRow);
  const interactions = manager.getRepository(SegmentInteractionRow);
  switch (event.type) {
    case 'CustomerRegistered': {
      const d = event.data;
      await customers
        .createQueryBuilder()
        .insert()
        .values({
          customerId: d.customerId,
          kind: d.kind,
          name: d.name,
          owner: d.owner ?? null,
          tags: d.tags ?? [],
          registeredAt: new Date(event.time),
          journeyStage: d.journeyStage,
          relationshipPhase: d.relationshipPhase,
          valueTier: null,
          churnRisk: null,
          mergedInto: null,
        })
        .orIgnore()
        .execute();
      return [d.customerId];
    }
    case 'CustomerDetailsChanged': {
      const d = event.data;
      const change: Partial<SegmentCustomerRow> = {};
      if (d.name !== undefined) change.name = d.name;
      if (d.owner !== undefined) change.owner = d.owner ?? null;
      if (d.tags !== undefined) change.tags = d.tags;
      if (Object.keys(change).length) await customers.update({ customerId: d.customerId }, change);
      return [d.customerId];
    }
    case 'CustomerJourneyStageChanged':
      await customers.update({ customerId: event.data.customerId }, { journeyStage: event.data.to });
      return [event.data.customerId];
    case 'CustomerRelationshipPhaseChanged':
      await customers.update({ customerId: event.data.customerId }, { relationshipPhase: event.data.to });
      return [event.data.customerId];
    case 'CustomerValueTierChanged':
      await customers.update({ customerId: event.data.customerId }, { valueTier: event.data.tier });
      return [event.data.customerId];
    case 'CustomerChurnRiskChanged':
      await customers.update({ customerId: event.data.customerId }, { churnRisk: event.data.band });
      return [event.data.customerId];
    case 'CustomerPersonalDataErased':
      await customers.update({ customerId: event.data.customerId }, { name: ERASED });
      return [];
    case 'CustomerMerged': {
      const { customerId, survivorId } = event.data;
      // What counts for the duplicate now (its own rows and those of customers merged into it) counts
      // for the survivor, or for the survivor's survivor should that one be merged already.
      const target = await liveCustomer(customers, survivorId);
      await customers.update({ customerId }, { mergedInto: survivorId });
      await orders.update({ customerId }, { customerId: target });
      await interactions.update({ customerId }, { customerId: target });
      return [...new Set([customerId, survivorId, target])];
    }
    case 'CustomerUnmerged': {
      const { customerId, survivorId } = event.data;
      // Only the merge in force: an unmerge of a merge never seen, already undone or followed by
      // another merge of the duplicate changes nothing (the relationship side refuses those anyway).
      if ((await customers.findOneBy({ customerId }))?.mergedInto !== survivorId) return [];
      await customers.update({ customerId }, { mergedInto: null });
      // The duplicate and every customer still merged into it (down a chain) count for the duplicate
      // again: their rows go back wherever the merge and later merges of the survivor had put them.
      // Rows without `recorded_for` (written before the column) stay put: a rebuild fills it.
      const group = await mergedInto(customers, customerId);
      const from = new Set<string>([customerId, survivorId]);
      for (const repository of [orders, interactions] as Repository<{ customerId: string; recordedFor: string | null }>[]) {
        const moving = await repository.find({ select: { customerId: true }, where: { recordedFor: In(group), customerId: Not(customerId) } });
        if (!moving.length) continue;
        for (const row of moving) from.add(row.customerId);
        await repository.update({ recordedFor: In(group), customerId: Not(customerId) }, { customerId });
      }
      return [...from];
    }
    case 'OrderPlaced': {
      const d = event.data;
      // An order for a merged customer counts for its survivor until an unmerge moves it back.
      const counted = await liveCustomer(customers, d.customerId);
      await orders
        .createQueryBuilder()
        .insert()
        .values({
          orderId: d.orderId,
          customerId: counted,
          recordedFor: d.customerId,
          orderDate: new Date(d.orderDate),
          currency: d.currency,
          total: d.total,
          returned: 0,
          cancelled: false,
          fullyReturned: false,
        })
        .orIgnore()
        .execute();
      const rows = d.lines.length
        ? d.lines.map((l) => ({ orderId: d.orderId, lineId: l.lineId, productId: l.productId, total: l.total, returned: 0 }))
        : [{ orderId: d.orderId, lineId: WHOLE_ORDER_LINE, productId: null, total: d.total, returned: 0 }];
      await lines.createQueryBuilder().insert().values(rows).orIgnore().execute();
      return [counted];
    }
    case 'OrderCancelled': {
      const order = await orders.findOneBy({ orderId: event.data.orderId });
      if (!order) return [];
      await orders.update({ orderId: order.orderId }, { cancelled: true });
      return [order.customerId];
    }
    case 'OrderReturned': {
      const d = event.data;
      const order = await orders.findOneBy({ orderId: d.orderId });
      if (!order) return [];
      await orders.update({ orderId: order.orderId }, { returned: order.returned + d.amount, fullyReturned: order.fullyReturned || d.fullyReturned });
      const refunds = d.lines.length ? d.lines.map((l) => ({ lineId: l.lineId, amount: l.amount })) : [{ lineId: WHOLE_ORDER_LINE, amount: d.amount }];
      for (const r of refunds) {
        await lines
          .createQueryBuilder()
          .update()
          .set({ returned: () => `returned + ${Number(r.amount)}` })
          .where('order_id = :orderId AND line_id = :lineId', { orderId: d.orderId, lineId: r.lineId })
          .execute();
      }
      return [order.customerId];
    }
    case 'EpisodeOpened': {
      const d = event.data;
      await manager
        .getRepository(SegmentEpisodeRow)
        .createQueryBuilder()
        .insert()
        .values({ episodeId: d.episodeId, episodeType: d.episodeType, campaignId: d.campaignId ?? null })
        .orIgnore()
        .execute();
      return [];
    }
    case 'InteractionRecorded': {
      const d = event.data;
      const episode = await manager.getRepository(SegmentEpisodeRow).findOneBy({ episodeId: d.episodeId });
      // An interaction recorded for a merged customer counts for its survivor until an unmerge moves it back.
      const survivor = await liveCustomer(customers, d.customerId);
      await interactions
        .createQueryBuilder()
        .insert()
        .values({
          interactionId: d.interaction.interactionId,
          customerId: survivor,
          recordedFor: d.customerId,
          episodeId: d.episodeId,
          channel: d.interaction.channel,
          direction: d.interaction.direction,
          episodeType: episode?.episodeType ?? null,
          campaignId: episode?.campaignId ?? null,
          occurredAt: new Date(d.interaction.occurredAt),
        })
        .orIgnore()
        .execute();
      return [survivor];
    }
    case 'ConsentGranted': {
      const d = event.data;
      await manager
        .getRepository(SegmentConsentRow)
        .upsert({ customerId: d.customerId, channel: d.channel, purpose: d.purpose, status: 'granted' }, ['customerId', 'channel', 'purpose']);
      return [d.customerId];
    }
    case 'ConsentWithdrawn': {
      const d = event.data;
      const consents = manager.getRepository(SegmentConsentRow);
      // A purpose, or (none) every purpose of the channel: what libs/domain/consent withdraws.
      if (d.purpose !== undefined)
        await consents.upsert({ customerId: d.customerId, channel: d.channel, purpose: d.purpose, status: 'withdrawn' }, ['customerId', 'channel', 'purpose']);
      else await consents.update({ customerId: d.customerId, channel: d.channel }, { status: 'withdrawn' });
      return [d.customerId];
    }
  }
}

/** Merges are chained at most this deep (as the relationship side follows them); a cycle stops here too. */
const MAX_MERGE_DEPTH = 50;

/** The customer `customerId` counts as now: itself, or the survivor at the end of its merge chain. */
async function liveCustomer(customers: Repository<SegmentCustomerRow>, customerId: string): Promise<string> {
  let id = customerId;
  for (let depth = 0; depth < MAX_MERGE_DEPTH; depth++) {
    const survivor = (await customers.findOneBy({ customerId: id }))?.mergedInto;
    if (!survivor) return id;
    id = survivor;
  }
  return id;
}

/** `customerId` and every customer merged into it, directly or down a chain (breadth first). */
async function mergedInto(customers: Repository<SegmentCustomerRow>, customerId: string): Promise<string[]> {
  const group = new Set([customerId]);
  let frontier = [customerId];
  for (let depth = 0; frontier.length && depth < MAX_MERGE_DEPTH; depth++) {
    const next = await customers.find({ select: { customerId: true }, where: { mergedInto: In(frontier) } });
    frontier = next.map((c) => c.customerId).filter((id) => !group.has(id));
    for (const id of frontier) group.add(id);
  }
  return [...group];
}
