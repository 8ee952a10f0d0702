import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { JOURNEY_INBOX_ENTITIES, JourneyPending } from './journey-inbox.entities';

export type JourneyInboxEvent = CrmIntegrationEvent<
  'OrderPlaced' | 'OrderCancelled' | 'OrderReturned' | 'InteractionRecorded' | 'EpisodeOpened' | 'CustomerMerged'
>;

/**
 * `<owner>.journey-inbox`: the events that can move a customer's journey stage or relationship
 * phase (orders, returns, cancellations, interactions, episodes opened, a merge into a survivor) mark
 * the customer for the journey process manager (journey-process.ts). Marking is all a projection may
 * do — it runs inside the read models' transaction; the manager appends through the customer
 * command afterwards, once these read models include the event.
 */
export function journeyInboxProjection(owner: string): Projection<JourneyInboxEvent> {
  return {
    name: `${owner}.journey-inbox`,
    entities: JOURNEY_INBOX_ENTITIES,
    // The journey process manager deletes the rows it has derived: a work queue, not a replay of the events.
    workEntities: JOURNEY_INBOX_ENTITIES,
    handles: ['OrderPlaced', 'OrderCancelled', 'OrderReturned', 'InteractionRecorded', 'EpisodeOpened', 'CustomerMerged'],
    async apply(event, m) {
      const customerId = event.type === 'CustomerMerged' ? event.data.survivorId : event.data.customerId;
      const table = m.getRepository(JourneyPending).metadata.tablePath;
      await m.query(
        `INSERT INTO ${table} AS p (customer_id, marked_at, version) VALUES ($1, $2, 1)
         ON CONFLICT (customer_id) DO UPDATE SET version = p.version + 1, marked_at = GREATEST(p.marked_at, EXCLUDED.marked_at)`,
        [customerId, event.time],
      );
    },
  };
}
