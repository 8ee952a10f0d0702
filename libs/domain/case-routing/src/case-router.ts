import type { AgentPresence, CasePriority as CasePriorityLevel, CaseSeverity, CustomerValueTier } from '@crm/kernel';
import type { AgentSkill } from './agent';
import { casePriority, describePriority, type CasePriority } from './case-priority';
import { requiredSkills, type RequiredSkill, type RoutingRule } from './routing-rules';

/**
 * The router's decision, pure: which waiting case goes to which agent now.
 *
 * Cases are taken in queue order (priority, highest first; equal priorities: waiting longest first,
 * then by id). Each is offered to the best agent who
 *   1. is active and `available`,
 *   2. belongs to the case's team (a case with no team: any team),
 *   3. has every skill the case's category needs at its minimum level (`routing-rules.ts`),
 *   4. has not declined this case or let an offer of it expire,
 *   5. has room: open assigned cases + pending offers < capacity — never above capacity;
 * and among those the least loaded ((open + pending) / capacity), then the longest idle (earliest
 * `idleSince`), then the agent id. An offer counts against its agent at once, so one decision never
 * fills an agent beyond capacity. A case with a pending offer waits for its answer.
 */

export interface WaitingCase {
  episodeId: string;
  customerId: string;
  team?: string | null;
  category?: string | null;
  severity?: CaseSeverity | null;
  /** The case's own priority (low … urgent); null: normal. */
  casePriority?: CasePriorityLevel | null;
  tier?: CustomerValueTier | null;
  slaMinutesLeft?: number | null;
  waitingSince: string;
  /** Agents who declined it or let an offer of it expire. */
  refusedBy: readonly string[];
  hasPendingOffer: boolean;
}

export interface AgentCandidate {
  agentId: string;
  teams: readonly string[];
  skills: readonly AgentSkill[];
  capacity: number;
  presence: AgentPresence;
  active: boolean;
  /** Open cases assigned to the agent. */
  openCases: number;
  pendingOffers: number;
  /** Since when the agent has had nothing new: the later of becoming available and its last accepted case. */
  idleSince: string;
}

export interface QueuedCase extends WaitingCase {
  score: CasePriority;
}

export interface RoutingDecision {
  episodeId: string;
  customerId: string;
  agentId: string;
  team?: string;
  priority: CasePriority;
  requiredSkills: RequiredSkill[];
  /** The agent's load when chosen: open cases + pending offers, of capacity. */
  load: { held: number; capacity: number };
  idleSince: string;
  /** In words: skills matched, load, idle, priority and its parts (≤ 1000 characters). */
  reason: string;
}

export interface Unrouted {
  episodeId: string;
  why: 'pending-offer' | 'no-agent';
}

/** The waiting cases in queue order, each with its priority. */
export function queueOrder(cases: readonly WaitingCase[], now: Date): QueuedCase[] {
  return cases
    .map((c) => ({
      ...c,
      score: casePriority(
        { tier: c.tier, slaMinutesLeft: c.slaMinutesLeft, severity: c.severity, casePriority: c.casePriority, waitingSince: c.waitingSince },
        now,
      ),
    }))
    .sort(
      (a, b) =>
        b.score.priority - a.score.priority ||
        Date.parse(a.waitingSince) - Date.parse(b.waitingSince) ||
        (a.episodeId < b.episodeId ? -1 : a.episodeId > b.episodeId ? 1 : 0),
    );
}

const held = (a: AgentCandidate) => a.openCases + a.pendingOffers;

/** Whether the agent has each required skill at its minimum level. */
export function hasSkills(agent: Pick<AgentCandidate, 'skills'>, required: readonly RequiredSkill[]): boolean {
  return required.every((r) => agent.skills.some((s) => s.skill === r.skill && s.level >= r.minLevel));
}

/** The agents who may take the case now, best first (or none). */
export function rankAgents(
  c: Pick<WaitingCase, 'team' | 'refusedBy'>,
  required: readonly RequiredSkill[],
  agents: readonly AgentCandidate[],
): AgentCandidate[] {
  return agents
    .filter(
      (a) =>
        a.active &&
        a.presence === 'available' &&
        (!c.team || a.teams.includes(c.team)) &&
        hasSkills(a, required) &&
        !c.refusedBy.includes(a.agentId) &&
        held(a) < a.capacity,
    )
    .sort(
      (a, b) =>
        held(a) / a.capacity - held(b) / b.capacity ||
        Date.parse(a.idleSince) - Date.parse(b.idleSince) ||
        (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0),
    );
}

function reasonFor(required: readonly RequiredSkill[], agent: AgentCandidate, priority: CasePriority, team: string | null | undefined): string {
  const skills = required.length
    ? `skills ${required.map((r) => `${r.skill}≥${r.minLevel} (has ${agent.skills.find((s) => s.skill === r.skill)!.level})`).join(', ')}`
    : 'no skill required';
  const text = `${skills}; ${team ? `team ${team}; ` : ''}least loaded ${held(agent)}/${agent.capacity}; idle since ${agent.idleSince}; ${describePriority(priority)}`;
  return text.length <= 1000 ? text : `${text.slice(0, 999)}…`;
}

/** Offers to make now for the waiting cases, and the cases left waiting with why. */
export function routeCases(input: { now: Date; cases: readonly WaitingCase[]; agents: readonly AgentCandidate[]; rules: readonly RoutingRule[] }): {
  offers: RoutingDecision[];
  unrouted: Unrouted[];
} {
  const agents = input.agents.map((a) => ({ ...a }));
  const offers: RoutingDecision[] = [];
  const unrouted: Unrouted[] = [];
  for (const c of queueOrder(input.cases, input.now)) {
    if (c.hasPendingOffer) {
      unrouted.push({ episodeId: c.episodeId, why: 'pending-offer' });
      continue;
    }
    const required = requiredSkills(input.rules, c.category);
    const [best] = rankAgents(c, required, agents);
    if (!best) {
      unrouted.push({ episodeId: c.episodeId, why: 'no-agent' });
      continue;
    }
    offers.push({
      episodeId: c.episodeId,
      customerId: c.customerId,
      agentId: best.agentId,
      ...(c.team && { team: c.team }),
      priority: c.score,
      requiredSkills: required,
      load: { held: held(best), capacity: best.capacity },
      idleSince: best.idleSince,
      reason: reasonFor(required, best, c.score, c.team),
    });
    best.pendingOffers += 1; // counts against the agent at once
  }
  return { offers, unrouted };
}
