import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { RoutingAgentRow, RoutingCaseRow, RoutingCustomerTierRow, RoutingOfferRow } from './routing.entities';

/** The events the router's read model follows. */
export type RoutingEvent = CrmIntegrationEvent<
  | 'EpisodeOpened'
  | 'CaseDetailsChanged'
  | 'CaseAssigned'
  | 'CaseUnassigned'
  | 'EpisodeClosed'
  | 'CaseReopened'
  | 'CustomerMerged'
  | 'CustomerValueTierChanged'
  | 'AgentProfileSet'
  | 'AgentPresenceChanged'
  | 'CaseOffered'
  | 'CaseOfferAccepted'
  | 'CaseOfferDeclined'
  | 'CaseOfferExpired'
>;

const HANDLES: RoutingEvent['type'][] = [
  'EpisodeOpened',
  'CaseDetailsChanged',
  'CaseAssigned',
  'CaseUnassigned',
  'EpisodeClosed',
  'CaseReopened',
  'CustomerMerged',
  'CustomerValueTierChanged',
  'AgentProfileSet',
  'AgentPresenceChanged',
  'CaseOffered',
  'CaseOfferAccepted',
  'CaseOfferDeclined',
  'CaseOfferExpired',
];

const later = (a: Date | null, b: Date) => (a && a.getTime() > b.getTime() ? a : b);

/**
 * The router's read model: a department's cases (partners' cases are theirs to work, not the
 * contact centre's) from opening to closing with whom they are assigned or offered to, the agents,
 * the customers' value tiers and the offers. Events of cases it never saw opened are ignored (an
 * opportunity's close, another department's episode).
 */
export function routingProjection(service: string): Projection<RoutingEvent> {
  return {
    name: `${service}.routing`,
    entities: [RoutingAgentRow, RoutingCaseRow, RoutingCustomerTierRow, RoutingOfferRow],
    handles: HANDLES,
    async apply(event: RoutingEvent, manager: EntityManager): Promise<void> {
      const cases = manager.getRepository(RoutingCaseRow);
      const agents = manager.getRepository(RoutingAgentRow);
      const offers = manager.getRepository(RoutingOfferRow);
      switch (event.type) {
        case 'EpisodeOpened': {
          const d = event.data;
          if (d.episodeType !== 'case' || d.owner.kind !== 'department') return;
          const openedAt = new Date(d.openedAt);
          await cases
            .createQueryBuilder()
            .insert()
            .values({ episodeId: d.episodeId, customerId: d.customerId, status: 'open', openedAt, waitingSince: openedAt, refusedBy: [] })
            .orIgnore()
            .execute();
          return;
        }
        case 'CaseDetailsChanged': {
          const d = event.data;
          const change: Partial<RoutingCaseRow> = {};
          if (d.priority !== undefined) change.casePriority = d.priority;
          if (d.severity !== undefined) change.severity = d.severity;
          if (d.category !== undefined) change.category = d.category;
          if (d.team !== undefined) change.team = d.team;
          if (Object.keys(change).length) await cases.update({ episodeId: d.episodeId }, change);
          return;
        }
        case 'CaseAssigned':
          await cases.update(
            { episodeId: event.data.episodeId },
            { agentId: event.data.agentId, ...(event.data.team !== undefined && { team: event.data.team }) },
          );
          return;
        case 'CaseUnassigned':
          // Back in its team's queue: waiting from now (the router offers it again), off the agent's load.
          await cases.update(
            { episodeId: event.data.episodeId },
            { agentId: null, waitingSince: new Date(event.data.unassignedAt), ...(event.data.team !== undefined && { team: event.data.team }) },
          );
          return;
        case 'EpisodeClosed':
          await cases.update({ episodeId: event.data.episodeId }, { status: 'closed' });
          return;
        case 'CaseReopened': {
          const row = await cases.findOneBy({ episodeId: event.data.episodeId });
          if (!row) return;
          // Reopened with its agent: back on that agent's load; without one: waiting from now.
          await cases.update({ episodeId: row.episodeId }, { status: 'open', ...(row.agentId === null && { waitingSince: new Date(event.data.reopenedAt) }) });
          return;
        }
        case 'CustomerMerged':
          // The duplicate's cases are the survivor's now: they wait with the survivor's tier.
          await cases.update({ customerId: event.data.customerId }, { customerId: event.data.survivorId });
          await offers.update({ customerId: event.data.customerId }, { customerId: event.data.survivorId });
          return;
        case 'CustomerValueTierChanged':
          await manager.getRepository(RoutingCustomerTierRow).upsert({ customerId: event.data.customerId, tier: event.data.tier }, ['customerId']);
          return;
        case 'AgentProfileSet': {
          const d = event.data;
          const profile = {
            name: d.name,
            teams: d.teams,
            skills: d.skills.map((s) => ({ skill: s.skill, level: s.level })),
            capacity: d.capacity,
            hourlyCost: d.hourlyCost ?? null,
            currency: d.currency ?? null,
            active: d.active,
          };
          const row = await agents.findOneBy({ agentId: d.agentId });
          if (row) await agents.update({ agentId: d.agentId }, profile);
          else await agents.insert({ agentId: d.agentId, ...profile, presence: 'offline', presenceSince: null, idleSince: null });
          return;
        }
        case 'AgentPresenceChanged': {
          const d = event.data;
          const row = await agents.findOneBy({ agentId: d.agentId });
          if (!row) throw new Error(`agent ${d.agentId} is not in the routing read model`);
          const at = new Date(d.changedAt);
          await agents.update(
            { agentId: d.agentId },
            {
              presence: d.presence,
              presenceSince: at,
              ...(d.presence === 'available' && d.previous !== 'available' && { idleSince: later(row.idleSince, at) }),
            },
          );
          return;
        }
        case 'CaseOffered': {
          const d = event.data;
          await offers
            .createQueryBuilder()
            .insert()
            .values({
              offerId: d.offerId,
              episodeId: d.episodeId,
              customerId: d.customerId,
              agentId: d.agentId,
              priority: d.priority,
              reason: d.reason,
              offeredAt: new Date(d.offeredAt),
              expiresAt: new Date(d.expiresAt),
              status: 'pending',
              settledAt: null,
            })
            .orIgnore()
            .execute();
          await cases.update({ episodeId: d.episodeId }, { pendingOfferId: d.offerId, pendingAgentId: d.agentId, offerExpiresAt: new Date(d.expiresAt) });
          return;
        }
        case 'CaseOfferAccepted':
        case 'CaseOfferDeclined':
        case 'CaseOfferExpired': {
          const d = event.data;
          const at = new Date(
            event.type === 'CaseOfferAccepted' ? event.data.acceptedAt : event.type === 'CaseOfferDeclined' ? event.data.declinedAt : event.data.expiredAt,
          );
          const status = event.type === 'CaseOfferAccepted' ? 'accepted' : event.type === 'CaseOfferDeclined' ? 'declined' : 'expired';
          await offers.update({ offerId: d.offerId }, { status, settledAt: at });
          const row = await cases.findOneBy({ episodeId: d.episodeId });
          if (!row) return;
          const settledPending = row.pendingOfferId === d.offerId ? { pendingOfferId: null, pendingAgentId: null, offerExpiresAt: null } : {};
          if (status === 'accepted') {
            // The agent holds the case from the acceptance on (CaseAssigned follows and says the same),
            // so it is never offered again meanwhile; and the agent's idle time starts over.
            await cases.update({ episodeId: d.episodeId }, { ...settledPending, agentId: d.agentId });
            const agent = await agents.findOneBy({ agentId: d.agentId });
            if (agent) await agents.update({ agentId: d.agentId }, { idleSince: later(agent.idleSince, at) });
          } else {
            const refusedBy = row.refusedBy.includes(d.agentId) ? row.refusedBy : [...row.refusedBy, d.agentId];
            await cases.update({ episodeId: d.episodeId }, { ...settledPending, refusedBy });
          }
          return;
        }
      }
    },
  };
}
