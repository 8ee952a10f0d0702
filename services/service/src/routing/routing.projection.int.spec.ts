import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { routingProjection, type RoutingEvent } from './routing.projection';
import { listAgents, waitingCases } from './routing.queries';

const customerId = randomUUID();
const survivorId = randomUUID();
const episodeId = randomUUID();
const at = (minute: number) => `2026-03-02T09:${String(minute).padStart(2, '0')}:00.000Z`;

const opened = (id = episodeId, more: { episodeType?: string; owner?: object; customer?: string } = {}): SpecEvent<RoutingEvent> => ({
  type: 'EpisodeOpened',
  data: {
    episodeId: id,
    customerId: more.customer ?? customerId,
    name: 'Help',
    episodeType: more.episodeType ?? 'case',
    owner: more.owner ?? { kind: 'department', department: 'service' },
    openedAt: at(0),
    channel: 'phone',
  } as never,
});
const details = (data: Record<string, unknown>): SpecEvent<RoutingEvent> => ({
  type: 'CaseDetailsChanged',
  data: { episodeId, customerId, changedAt: at(1), changedBy: 'lena', ...data } as never,
});
const agentSet = (agentId: string): SpecEvent<RoutingEvent> => ({
  type: 'AgentProfileSet',
  subject: agentId,
  data: { agentId, name: agentId, teams: ['billing'], skills: [{ skill: 'billing', level: 3 }], capacity: 2, active: true, setAt: at(0), setBy: 'lena' },
});
const presence = (agentId: string, p: string, previous: string, minute: number): SpecEvent<RoutingEvent> => ({
  type: 'AgentPresenceChanged',
  subject: agentId,
  data: { agentId, presence: p, previous, changedAt: at(minute) },
});
const offerId: string = randomUUID();
const secondOffer: string = randomUUID();
const offered = (agentId: string, id: string = offerId): SpecEvent<RoutingEvent> => ({
  type: 'CaseOffered',
  data: { offerId: id, episodeId, customerId, agentId, priority: 10.5, reason: 'r', offeredAt: at(5), expiresAt: at(6) },
});

// The router's read model, given / when / then through a real projection runner on PGlite.
describe('routing read model', () => {
  const given = ProjectionSpecification.for({ projection: routingProjection('spec'), registry: crmRegistry() });

  it("a department's case waits; an opportunity and a partner's case never do", async () => {
    await given([])
      .when([opened(), opened(randomUUID(), { episodeType: 'opportunity' }), opened(randomUUID(), { owner: { kind: 'partner', partnerId: randomUUID() } })])
      .then(async (manager) => {
        expect((await waitingCases(manager)).map((c) => c.episodeId)).toEqual([episodeId]);
        // A case nobody gave a priority counts as normal in the queue priority.
        expect((await waitingCases(manager))[0].casePriority).toBeNull();
      });
  });

  it('takes team, category, severity and priority from the case details; null clears; the tier from analytics', async () => {
    await given([opened()])
      .when([
        details({ team: 'billing', category: 'refunds', severity: 'major', priority: 'urgent' }),
        details({ category: null }),
        {
          type: 'CustomerValueTierChanged',
          data: { customerId, tier: 'gold', clv: 1000, rank: 2, customers: 10, reportingCurrency: 'EUR', modelFittedAt: at(2), assignedAt: at(2) },
        },
      ])
      .then(async (manager) => {
        expect(await waitingCases(manager)).toEqual([
          expect.objectContaining({
            episodeId,
            team: 'billing',
            category: null,
            severity: 'major',
            casePriority: 'urgent',
            tier: 'gold',
            hasPendingOffer: false,
          }),
        ]);
      });
  });

  it('an offer is pending on the case and on its agent; accepted, the agent holds the case and its idle time starts over', async () => {
    await given([opened(), agentSet('dewi'), presence('dewi', 'available', 'offline', 1)])
      .when([offered('dewi')])
      .then(async (manager) => {
        expect(await waitingCases(manager)).toEqual([expect.objectContaining({ episodeId, hasPendingOffer: true })]);
        expect(await listAgents(manager)).toEqual([expect.objectContaining({ agentId: 'dewi', pendingOffers: 1, openCases: 0, load: 0.5, idleSince: at(1) })]);
      });
    await given([opened(), agentSet('dewi'), presence('dewi', 'available', 'offline', 1), offered('dewi')])
      .when([{ type: 'CaseOfferAccepted', data: { offerId, episodeId, customerId, agentId: 'dewi', acceptedAt: at(5) } }])
      .then(async (manager) => {
        expect(await waitingCases(manager)).toEqual([]);
        expect(await listAgents(manager)).toEqual([expect.objectContaining({ agentId: 'dewi', pendingOffers: 0, openCases: 1, idleSince: at(5) })]);
      });
  });

  it('a decline or an expiry frees the case and remembers who refused it', async () => {
    await given([opened(), agentSet('dewi'), agentSet('budi'), offered('dewi')])
      .when([
        { type: 'CaseOfferDeclined', data: { offerId, episodeId, customerId, agentId: 'dewi', declinedAt: at(5) } },
        offered('budi', secondOffer),
        { type: 'CaseOfferExpired', data: { offerId: secondOffer, episodeId, customerId, agentId: 'budi', expiredAt: at(6) } },
      ])
      .then(async (manager) => {
        expect(await waitingCases(manager)).toEqual([expect.objectContaining({ episodeId, hasPendingOffer: false, refusedBy: ['dewi', 'budi'] })]);
      });
  });

  it("closing takes the case off its agent's load; reopening puts it back; a merge moves the case to the survivor", async () => {
    const assigned: SpecEvent<RoutingEvent> = {
      type: 'CaseAssigned',
      data: { episodeId, customerId, agentId: 'dewi', reason: 'by hand', assignedAt: at(3), assignedBy: 'lena' },
    };
    await given([opened(), agentSet('dewi'), assigned])
      .when([{ type: 'EpisodeClosed', data: { episodeId, customerId, outcome: 'resolved', closedAt: at(10) } }])
      .then(async (manager) => expect((await listAgents(manager))[0].openCases).toBe(0));
    await given([opened(), agentSet('dewi'), assigned, { type: 'EpisodeClosed', data: { episodeId, customerId, outcome: 'resolved', closedAt: at(10) } }])
      .when([{ type: 'CaseReopened', data: { episodeId, customerId, reason: 'still broken', reopenedAt: at(20), reopenedBy: 'lena' } }])
      .then(async (manager) => expect((await listAgents(manager))[0].openCases).toBe(1));
    await given([opened()])
      .when([{ type: 'CustomerMerged', data: { customerId, survivorId, mergeId: randomUUID() } }])
      .then(async (manager) => expect((await waitingCases(manager)).map((c) => c.customerId)).toEqual([survivorId]));
  });

  it("an unassignment puts the case back in the (new) team's queue, waiting from then, and off the agent's load", async () => {
    const assigned: SpecEvent<RoutingEvent> = {
      type: 'CaseAssigned',
      data: { episodeId, customerId, agentId: 'dewi', team: 'billing', reason: 'by hand', assignedAt: at(3), assignedBy: 'lena' },
    };
    await given([opened(), agentSet('dewi'), assigned])
      .when([
        details({ team: 'billing-tier-2', changedAt: at(30) }),
        {
          type: 'CaseUnassigned',
          data: {
            episodeId,
            customerId,
            previousAgentId: 'dewi',
            team: 'billing-tier-2',
            reason: 'SLA escalation',
            unassignedAt: at(30),
            unassignedBy: 'sla-escalation',
          },
        },
      ])
      .then(async (manager) => {
        expect(await waitingCases(manager)).toEqual([
          expect.objectContaining({ episodeId, team: 'billing-tier-2', waitingSince: at(30), hasPendingOffer: false }),
        ]);
        expect(await listAgents(manager)).toEqual([expect.objectContaining({ agentId: 'dewi', openCases: 0, load: 0 })]);
      });
  });

  it('parks a presence change of an agent it never saw set up', async () => {
    await given([])
      .when([presence('ghost', 'available', 'offline', 1)])
      .thenParks(['ghost is not in the routing read model']);
  });
});
