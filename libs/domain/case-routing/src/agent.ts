import { DomainRuleViolation, NotFoundError, type AgentPresence, type Decider } from '@crm/kernel';

/**
 * A contact-centre agent (issue 12 §3), on stream `agent-<agentId>`: the profile the router matches
 * cases against (teams, skills with levels, capacity) and the agent's presence — only `available`
 * agents are offered cases. The agent id is the staff user's id (the token's `sub`), so an agent can
 * act on its own presence and offers.
 */

export interface AgentSkill {
  /** A slug ("billing", "cameras"). */
  skill: string;
  /** 1 (novice) … 5 (expert). */
  level: number;
}

export interface AgentProfile {
  agentId: string;
  name: string;
  teams: string[];
  skills: AgentSkill[];
  /** How many open cases the agent may hold at once (assigned cases plus pending offers). */
  capacity: number;
  /** What an hour of the agent costs, integer minor units of `currency`. */
  hourlyCost?: number;
  currency?: string;
  active: boolean;
}

export type AgentProfileSet = { type: 'AgentProfileSet'; data: AgentProfile & { setAt: string; setBy: string } };
export type AgentPresenceChanged = {
  type: 'AgentPresenceChanged';
  data: { agentId: string; presence: AgentPresence; previous: AgentPresence; changedAt: string };
};
export type AgentEvent = AgentProfileSet | AgentPresenceChanged;

export type AgentCommand =
  | { type: 'SetAgentProfile'; data: AgentProfile & { setAt: string; setBy: string } }
  | { type: 'ChangeAgentPresence'; data: { agentId: string; presence: AgentPresence; changedAt: string } };

export interface AgentState {
  profile?: AgentProfile;
  /** `offline` until the agent says otherwise. */
  presence: AgentPresence;
  presenceSince?: string;
}

export const agentStream = (agentId: string) => `agent-${agentId}`;
export const noAgent: AgentState = { presence: 'offline' };

export function evolveAgent(state: AgentState, event: AgentEvent): AgentState {
  switch (event.type) {
    case 'AgentProfileSet': {
      const { setAt: _setAt, setBy: _setBy, ...profile } = event.data;
      return { ...state, profile };
    }
    case 'AgentPresenceChanged':
      return { ...state, presence: event.data.presence, presenceSince: event.data.changedAt };
    default:
      return state; // an event of a later version of this aggregate
  }
}

/** The profile as compared for "nothing changed": field order and the optional cost do not matter. */
const comparable = (p: AgentProfile) =>
  JSON.stringify([p.name, p.teams, p.skills.map((s) => [s.skill, s.level]), p.capacity, p.hourlyCost ?? null, p.currency ?? null, p.active]);

export function decideAgent(command: AgentCommand, state: AgentState): AgentEvent[] {
  if (command.type === 'SetAgentProfile') {
    const d = command.data;
    if (new Set(d.teams).size !== d.teams.length) throw new DomainRuleViolation('agent-teams-unique', 'a team is listed twice');
    if (new Set(d.skills.map((s) => s.skill)).size !== d.skills.length) throw new DomainRuleViolation('agent-skills-unique', 'a skill is listed twice');
    if ((d.hourlyCost === undefined) !== (d.currency === undefined))
      throw new DomainRuleViolation('agent-cost-needs-currency', 'an hourly cost is given with its currency, and a currency only with a cost');
    if (state.profile && comparable(state.profile) === comparable(d)) return []; // the same profile again
    const events: AgentEvent[] = [{ type: 'AgentProfileSet', data: d }];
    // An agent who leaves the contact centre is offered nothing more: deactivating takes it offline.
    if (!d.active && state.presence !== 'offline')
      events.push({ type: 'AgentPresenceChanged', data: { agentId: d.agentId, presence: 'offline', previous: state.presence, changedAt: d.setAt } });
    return events;
  }
  const d = command.data;
  if (!state.profile) throw new NotFoundError(`agent ${d.agentId} not found`);
  if (!state.profile.active && d.presence !== 'offline') throw new DomainRuleViolation('agent-inactive', `agent ${d.agentId} is not active: only offline`);
  if (state.presence === d.presence) return [];
  return [{ type: 'AgentPresenceChanged', data: { agentId: d.agentId, presence: d.presence, previous: state.presence, changedAt: d.changedAt } }];
}

export const agentDecider: Decider<AgentState, AgentCommand, AgentEvent> = { decide: decideAgent, evolve: evolveAgent, initialState: noAgent };
