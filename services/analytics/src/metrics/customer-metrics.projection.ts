import type { IntegrationEvent } from '@crm/bus';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { CUSTOMER_METRICS_ENTITIES, CustomerMetrics, CustomerPurchase, EpisodeOwner } from './customer-metrics.entities';

type Owner = { kind: 'department'; department: string } | { kind: 'partner'; partnerId: string };

interface EpisodeOpenedData {
  episodeId: string;
  customerId: string;
  episodeType: string;
  owner: Owner;
}
interface InteractionRecordedData {
  episodeId: string;
  customerId: string;
  interaction: { channel: string; occurredAt: string };
}
interface EpisodeClosedData {
  episodeId: string;
  customerId: string;
  outcome: string;
  closedAt: string;
  value?: number;
  currency?: string;
}

/** The department key an owner counts under: `sales`, `service`… or `partner:<id>`. */
export function ownerKey(owner: Owner): string {
  return owner.kind === 'partner' ? `partner:${owner.partnerId}` : owner.department;
}

/** Makes sure the customer has a metrics row (all zeros) before it is changed. */
async function ensureRow(manager: EntityManager, customerId: string): Promise<void> {
  await manager.createQueryBuilder().insert().into(CustomerMetrics).values({ customerId }).orIgnore().execute();
}

/**
 * Analytical CRM's per-customer metrics, from every service's events: every interaction (by channel,
 * and by the department or partner owning its episode) and every purchase (an opportunity or partner
 * deal closed as won). Each change is one SQL update relative to the stored value (counters, jsonb
 * counters, GREATEST for the latest times), so it is correct in whatever instance applies it; the
 * runner applies each event once. `episode_owners` remembers each episode's owner and type, since
 * the later events of an episode do not carry them.
 */
export function customerMetricsProjection(owner = 'analytics'): Projection {
  return {
    name: `${owner}.customer-metrics`,
    entities: CUSTOMER_METRICS_ENTITIES,
    handles: ['CustomerRegistered', 'EpisodeOpened', 'InteractionRecorded', 'EpisodeClosed'],
    async apply(event: IntegrationEvent, manager: EntityManager) {
      switch (event.type) {
        case 'CustomerRegistered':
          await ensureRow(manager, (event.data as { customerId: string }).customerId);
          return;
        case 'EpisodeOpened': {
          const d = event.data as EpisodeOpenedData;
          await ensureRow(manager, d.customerId);
          await manager
            .createQueryBuilder()
            .insert()
            .into(EpisodeOwner)
            .values({ episodeId: d.episodeId, customerId: d.customerId, episodeType: d.episodeType, owner: ownerKey(d.owner) })
            .orIgnore()
            .execute();
          return;
        }
        case 'InteractionRecorded': {
          const d = event.data as InteractionRecordedData;
          const episode = await manager.getRepository(EpisodeOwner).findOneBy({ episodeId: d.episodeId });
          await ensureRow(manager, d.customerId);
          await manager
            .createQueryBuilder()
            .update(CustomerMetrics)
            .set({
              interactionsTotal: () => 'interactions_total + 1',
              interactionsByChannel: () => 'jsonb_set(interactions_by_channel, ARRAY[:channel]::text[], to_jsonb(COALESCE((interactions_by_channel ->> :channel)::int, 0) + 1))',
              interactionsByDepartment: () => 'jsonb_set(interactions_by_department, ARRAY[:department]::text[], to_jsonb(COALESCE((interactions_by_department ->> :department)::int, 0) + 1))',
              lastInteractionAt: () => 'GREATEST(last_interaction_at, CAST(:occurredAt AS timestamptz))',
            })
            .where('customer_id = :customerId')
            .setParameters({ customerId: d.customerId, channel: d.interaction.channel, department: episode?.owner ?? 'unknown', occurredAt: d.interaction.occurredAt })
            .execute();
          return;
        }
        case 'EpisodeClosed': {
          const d = event.data as EpisodeClosedData;
          if (d.outcome !== 'won') return; // only opportunities and partner deals close as won
          const episode = await manager.getRepository(EpisodeOwner).findOneBy({ episodeId: d.episodeId });
          const value = String(d.value ?? 0);
          await manager
            .createQueryBuilder()
            .insert()
            .into(CustomerPurchase)
            .values({ episodeId: d.episodeId, customerId: d.customerId, closedAt: new Date(d.closedAt), value, currency: d.currency ?? null, episodeType: episode?.episodeType ?? 'unknown' })
            .orIgnore()
            .execute();
          await ensureRow(manager, d.customerId);
          await manager
            .createQueryBuilder()
            .update(CustomerMetrics)
            .set({
              wonCount: () => 'won_count + 1',
              wonValue: () => 'won_value + CAST(:value AS numeric)',
              lastPurchaseAt: () => 'GREATEST(last_purchase_at, CAST(:closedAt AS timestamptz))',
            })
            .where('customer_id = :customerId')
            .setParameters({ customerId: d.customerId, value, closedAt: d.closedAt })
            .execute();
          return;
        }
      }
    },
  };
}
