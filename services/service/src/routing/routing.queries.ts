import type { AgentCandidate, WaitingCase } from '@crm/case-routing';
import type { AgentPresence, CasePriority as CasePriorityLevel, CaseSeverity, CustomerValueTier } from '@crm/kernel';
import type { EntityManager } from 'typeorm';
import { RoutingAgentRow, RoutingCaseRow, RoutingCustomerTierRow, RoutingOfferRow } from './routing.entities';

/** An agent as the lists show it: the profile, presence and current load. */
export interface AgentListItem {
  agentId: string;
  name: string;
  teams: string[];
  skills: { skill: string; level: number }[];
  capacity: number;
  hourlyCost: number | null;
  currency: string | null;
  active: boolean;
  presence: AgentPresence;
  presenceSince: string | null;
  idleSince: string | null;
  /** Open cases assigned to the agent. */
  openCases: number;
  pendingOffers: number;
  /** openCases + pendingOffers, of capacity. */
  load: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Counts per agent of open assigned cases and pending offers. */
async function loads(manager: EntityManager): Promise<Map<string, { open: number; pending: number }>> {
  const result = new Map<string, { open: number; pending: number }>();
  const open = await manager
    .getRepository(RoutingCaseRow)
    .createQueryBuilder('c')
    .select('c.agent_id', 'agent')
    .addSelect('count(*)::int', 'n')
    .where("c.status = 'open' AND c.agent_id IS NOT NULL")
    .groupBy('c.agent_id')
    .getRawMany<{ agent: string; n: number }>();
  const pending = await manager
    .getRepository(RoutingCaseRow)
    .createQueryBuilder('c')
    .select('c.pending_agent_id', 'agent')
    .addSelect('count(*)::int', 'n')
    .where("c.status = 'open' AND c.pending_agent_id IS NOT NULL")
    .groupBy('c.pending_agent_id')
    .getRawMany<{ agent: string; n: number }>();
  for (const r of open) result.set(r.agent, { open: Number(r.n), pending: 0 });
  for (const r of pending) result.set(r.agent, { open: result.get(r.agent)?.open ?? 0, pending: Number(r.n) });
  return result;
}

export async function listAgents(
  manager: EntityManager,
  filter: { team?: string; skill?: string; presence?: AgentPresence; agentId?: string } = {},
): Promise<AgentListItem[]> {
  const q = manager.getRepository(RoutingAgentRow).createQueryBuilder('a').orderBy('a.agent_id');
  if (filter.agentId !== undefined) q.andWhere('a.agent_id = :agentId', { agentId: filter.agentId });
  if (filter.team !== undefined) q.andWhere('a.teams @> :team::jsonb', { team: JSON.stringify([filter.team]) });
  if (filter.skill !== undefined) q.andWhere('a.skills @> :skill::jsonb', { skill: JSON.stringify([{ skill: filter.skill }]) });
  if (filter.presence !== undefined) q.andWhere('a.presence = :presence', { presence: filter.presence });
  const [rows, counts] = await Promise.all([q.getMany(), loads(manager)]);
  return rows.map((a) => {
    const c = counts.get(a.agentId) ?? { open: 0, pending: 0 };
    return {
      agentId: a.agentId,
      name: a.name,
      teams: a.teams,
      skills: a.skills,
      capacity: a.capacity,
      hourlyCost: a.hourlyCost,
      currency: a.currency,
      active: a.active,
      presence: a.presence as AgentPresence,
      presenceSince: iso(a.presenceSince),
      idleSince: iso(a.idleSince),
      openCases: c.open,
      pendingOffers: c.pending,
      load: Math.round(((c.open + c.pending) / a.capacity) * 1000) / 1000,
    };
  });
}

/** The agents as the router weighs them. One never idle (never available) counts as idle since the epoch's start of its presence. */
export async function agentCandidates(manager: EntityManager): Promise<AgentCandidate[]> {
  return (await listAgents(manager)).map((a) => ({
    agentId: a.agentId,
    teams: a.teams,
    skills: a.skills,
    capacity: a.capacity,
    presence: a.presence,
    active: a.active,
    openCases: a.openCases,
    pendingOffers: a.pendingOffers,
    idleSince: a.idleSince ?? a.presenceSince ?? new Date(0).toISOString(),
  }));
}

export interface TeamItem {
  team: string;
  agents: number;
  active: number;
  available: number;
  /** Of the available agents: capacity minus open cases and pending offers. */
  availableCapacity: number;
}

/** Teams as the agents' profiles name them. */
export async function listTeams(manager: EntityManager): Promise<TeamItem[]> {
  const teams = new Map<string, TeamItem>();
  for (const a of await listAgents(manager)) {
    for (const team of a.teams) {
      const t = teams.get(team) ?? { team, agents: 0, active: 0, available: 0, availableCapacity: 0 };
      t.agents += 1;
      if (a.active) t.active += 1;
      if (a.active && a.presence === 'available') {
        t.available += 1;
        t.availableCapacity += Math.max(0, a.capacity - a.openCases - a.pendingOffers);
      }
      teams.set(team, t);
    }
  }
  return [...teams.values()].sort((a, b) => (a.team < b.team ? -1 : 1));
}

/** Open cases no agent holds, with their customer's tier (null: not scored), oldest first. */
export async function waitingCases(manager: EntityManager, limit = 1000): Promise<(Omit<WaitingCase, 'slaMinutesLeft'> & { openedAt: string })[]> {
  const rows = await manager
    .getRepository(RoutingCaseRow)
    .createQueryBuilder('c')
    .leftJoin(RoutingCustomerTierRow, 't', 't.customer_id = c.customer_id')
    .select([
      'c.episode_id AS episode_id',
      'c.customer_id AS customer_id',
      'c.team AS team',
      'c.category AS category',
      'c.severity AS severity',
      'c.case_priority AS case_priority',
    ])
    .addSelect([
      'c.opened_at AS opened_at',
      'c.waiting_since AS waiting_since',
      'c.pending_offer_id AS pending_offer_id',
      'c.refused_by AS refused_by',
      't.tier AS tier',
    ])
    .where("c.status = 'open' AND c.agent_id IS NULL")
    .orderBy('c.waiting_since')
    .addOrderBy('c.episode_id')
    .limit(limit)
    .getRawMany<{
      episode_id: string;
      customer_id: string;
      team: string | null;
      category: string | null;
      severity: string | null;
      case_priority: string | null;
      opened_at: Date;
      waiting_since: Date;
      pending_offer_id: string | null;
      refused_by: string[];
      tier: string | null;
    }>();
  return rows.map((r) => ({
    episodeId: r.episode_id,
    customerId: r.customer_id,
    team: r.team,
    category: r.category,
    severity: r.severity as CaseSeverity | null,
    casePriority: r.case_priority as CasePriorityLevel | null,
    tier: r.tier as CustomerValueTier | null,
    openedAt: new Date(r.opened_at).toISOString(),
    waitingSince: new Date(r.waiting_since).toISOString(),
    refusedBy: r.refused_by,
    hasPendingOffer: r.pending_offer_id !== null,
  }));
}

/** Pending offers whose time is up at `now`, longest expired first. */
export async function offersExpiredAt(manager: EntityManager, now: Date, limit = 100): Promise<{ episodeId: string; offerId: string }[]> {
  const rows = await manager
    .getRepository(RoutingCaseRow)
    .createQueryBuilder('c')
    .where('c.offer_expires_at <= :now', { now })
    .andWhere('c.pending_offer_id IS NOT NULL')
    .orderBy('c.offer_expires_at')
    .limit(limit)
    .getMany();
  return rows.map((r) => ({ episodeId: r.episodeId, offerId: r.pendingOfferId! }));
}

export interface OfferItem {
  offerId: string;
  episodeId: string;
  customerId: string;
  agentId: string;
  priority: number;
  reason: string;
  offeredAt: string;
  expiresAt: string;
  status: string;
}

export async function offerById(manager: EntityManager, offerId: string): Promise<OfferItem | undefined> {
  const r = await manager.getRepository(RoutingOfferRow).findOneBy({ offerId });
  return r ? offerItem(r) : undefined;
}

/** An agent's offers still waiting for an answer (by the read model), oldest first. */
export async function pendingOffersOf(manager: EntityManager, agentId: string): Promise<OfferItem[]> {
  const rows = await manager.getRepository(RoutingOfferRow).find({ where: { agentId, status: 'pending' }, order: { offeredAt: 'ASC', offerId: 'ASC' } });
  return rows.map(offerItem);
}

const offerItem = (r: RoutingOfferRow): OfferItem => ({
  offerId: r.offerId,
  episodeId: r.episodeId,
  customerId: r.customerId,
  agentId: r.agentId,
  priority: r.priority,
  reason: r.reason,
  offeredAt: r.offeredAt.toISOString(),
  expiresAt: r.expiresAt.toISOString(),
  status: r.status,
});
