import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import {
  ChurnModelRecord,
  PROPENSITY_FACTS_ENTITIES,
  PropensityCustomer,
  PropensityEpisode,
  PropensityInteraction,
  PropensityOrder,
} from './propensity-facts.entities';

export type PropensityFactsEvent = CrmIntegrationEvent<
  'CustomerRegistered' | 'EpisodeOpened' | 'InteractionRecorded' | 'EpisodeClosed' | 'OrderPlaced' | 'OrderCancelled' | 'CaseReopened'
>;

/**
 * `<owner>.propensity-facts`: every dated fact the churn and offer-response models read — orders,
 * episodes, interactions — one row each with its date, so "as of T" is a WHERE. Every write is an
 * insert that ignores a second delivery or an update to a fixed value, so applying an event twice
 * changes nothing.
 */
export function propensityFactsProjection(owner: string): Projection<PropensityFactsEvent> {
  const table = (m: EntityManager, entity: Function) => m.getRepository(entity).metadata.tablePath;
  return {
    name: `${owner}.propensity-facts`,
    entities: PROPENSITY_FACTS_ENTITIES,
    // Trained churn models are written by POST /models/churn/train, not by events.
    workEntities: [ChurnModelRecord],
    handles: ['CustomerRegistered', 'EpisodeOpened', 'InteractionRecorded', 'EpisodeClosed', 'OrderPlaced', 'OrderCancelled', 'CaseReopened'],
    async apply(event, m) {
      switch (event.type) {
        case 'CustomerRegistered':
          // The event carries no registration date: its time is when the CRM learnt of the customer.
          await m.query(`INSERT INTO ${table(m, PropensityCustomer)} (customer_id, registered_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            event.data.customerId,
            event.time,
          ]);
          return;
        case 'EpisodeOpened': {
          const d = event.data;
          await m.query(
            `INSERT INTO ${table(m, PropensityEpisode)} (episode_id, customer_id, episode_type, channel, opened_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
            [d.episodeId, d.customerId, d.episodeType, d.channel ?? null, d.openedAt],
          );
          return;
        }
        case 'InteractionRecorded': {
          const d = event.data;
          // The episode's type, from its opening (same stream, applied before); an unknown one counts as such.
          const [episode] = (await m.query(`SELECT episode_type FROM ${table(m, PropensityEpisode)} WHERE episode_id = $1`, [d.episodeId])) as {
            episode_type: string;
          }[];
          await m.query(
            `INSERT INTO ${table(m, PropensityInteraction)} (episode_id, interaction_id, customer_id, episode_type, channel, direction, actor_kind, occurred_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
            [
              d.episodeId,
              d.interaction.interactionId,
              d.customerId,
              episode?.episode_type ?? 'unknown',
              d.interaction.channel,
              d.interaction.direction,
              d.interaction.actor.kind,
              d.interaction.occurredAt,
            ],
          );
          return;
        }
        case 'EpisodeClosed':
          await m.query(`UPDATE ${table(m, PropensityEpisode)} SET closed_at = $2, outcome = $3 WHERE episode_id = $1`, [
            event.data.episodeId,
            event.data.closedAt,
            event.data.outcome,
          ]);
          return;
        case 'CaseReopened':
          // A resolved case reopened is an open case again (until its next closing sets these anew). The
          // earlier closing is not kept: read as of an instant between it and the reopening, the case
          // shows open — the churn features count it as an open case a little early.
          await m.query(`UPDATE ${table(m, PropensityEpisode)} SET closed_at = NULL, outcome = NULL WHERE episode_id = $1`, [event.data.episodeId]);
          return;
        case 'OrderPlaced':
          await m.query(`INSERT INTO ${table(m, PropensityOrder)} (order_id, customer_id, order_date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
            event.data.orderId,
            event.data.customerId,
            event.data.orderDate,
          ]);
          return;
        case 'OrderCancelled':
          await m.query(`UPDATE ${table(m, PropensityOrder)} SET cancelled_at = $2 WHERE order_id = $1`, [event.data.orderId, event.data.cancelledAt]);
          return;
      }
    },
  };
}
