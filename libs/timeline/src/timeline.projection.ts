import type { IntegrationEvent } from '@crm/bus';
import { parsePosition } from '@crm/event-store';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { CustomerDirectoryEntry, PartnerAccess, TimelineEntry } from './timeline.entities';

const TIMELINE_TYPES = ['EpisodeOpened', 'InteractionRecorded', 'OpportunityStageAdvanced', 'EpisodeClosed'] as const;

/** The relationship timeline every customer-facing service keeps (each in its own schema; `owner` names the service). */
export function timelineProjection(owner: string): Projection {
  return {
    name: `${owner}.timeline`,
    entities: [TimelineEntry],
    handles: TIMELINE_TYPES,
    async apply(event: IntegrationEvent, manager: EntityManager) {
      if (!event.position) throw new Error(`event ${event.id} has no store position; the timeline needs the global order`);
      const position = parsePosition(event.position);
      const data = event.data as Record<string, unknown> & { episodeId: string; customerId: string };
      const occurredAt =
        event.type === 'InteractionRecorded' ? (data.interaction as { occurredAt: string }).occurredAt : String(data.openedAt ?? data.closedAt ?? data.advancedAt ?? event.time);
      await manager.getRepository(TimelineEntry).insert({
        eventId: event.id,
        customerId: data.customerId,
        episodeId: data.episodeId,
        kind: event.type as TimelineEntry['kind'],
        positionCommit: String(position.commit),
        positionPrepare: String(position.prepare),
        occurredAt: new Date(occurredAt),
        recordedAt: new Date(event.recordedat ?? event.time),
        actor: JSON.parse(event.actor) as object,
        data,
      });
    },
  };
}

export function customerDirectoryProjection(owner: string): Projection {
  return {
    name: `${owner}.customer-directory`,
    entities: [CustomerDirectoryEntry],
    handles: ['CustomerRegistered', 'CustomerContactAdded', 'CustomerIdentityAdded', 'CustomerJourneyStageChanged', 'CustomerRelationshipPhaseChanged'],
    async apply(event: IntegrationEvent, manager: EntityManager) {
      const repo = manager.getRepository(CustomerDirectoryEntry);
      const d = event.data as Record<string, never> & { customerId: string };
      if (event.type === 'CustomerRegistered') {
        const r = event.data as { customerId: string; kind: string; name: string; journeyStage: string; relationshipPhase: string; contacts: object[]; identities: object[] };
        await repo.insert({ ...r, registeredAt: new Date(event.time) });
        return;
      }
      const row = await repo.findOneByOrFail({ customerId: d.customerId });
      if (event.type === 'CustomerContactAdded') row.contacts = [...row.contacts, (event.data as { contact: object }).contact];
      if (event.type === 'CustomerIdentityAdded') row.identities = [...row.identities, (event.data as { identity: object }).identity];
      if (event.type === 'CustomerJourneyStageChanged') row.journeyStage = (event.data as { to: string }).to;
      if (event.type === 'CustomerRelationshipPhaseChanged') row.relationshipPhase = (event.data as { to: string }).to;
      await repo.save(row);
    },
  };
}

export function partnerAccessProjection(owner: string): Projection {
  return {
    name: `${owner}.partner-access`,
    entities: [PartnerAccess],
    handles: ['CustomerSharedWithPartner', 'CustomerShareRevoked'],
    async apply(event: IntegrationEvent, manager: EntityManager) {
      const d = event.data as { partnerId: string; customerId: string; sharedAt?: string; revokedAt?: string };
      await manager.getRepository(PartnerAccess).save({
        partnerId: d.partnerId,
        customerId: d.customerId,
        granted: event.type === 'CustomerSharedWithPartner',
        changedAt: new Date(d.sharedAt ?? d.revokedAt ?? event.time),
      });
    },
  };
}
