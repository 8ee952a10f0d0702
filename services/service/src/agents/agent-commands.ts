import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { agentDecider, agentStream, type AgentProfile, type AgentState } from '@crm/case-routing';
import { COMPANY_WIDE_VISIBILITY, NotFoundError, type AgentPresence, type Clock, type CrmEventMetadata } from '@crm/kernel';
import { actorFromPrincipal, type StaffPrincipal } from '@crm/service-kit';
import { forbidden, isTeamLead, type RoutingCommandOptions } from '../routing/case-routing-commands';

export type AgentProfileInput = Omit<AgentProfile, 'agentId'>;

export interface AgentView extends AgentProfile {
  presence: AgentPresence;
  presenceSince: string | null;
  revision: string;
}

/**
 * The agent aggregate's commands (`agent-<agentId>`; the id is the staff user's id). Team leads
 * (role team-lead or admin, or the management department) set profiles and anyone's presence; an
 * agent sets only its own presence. Each loads the agent once, checks on that state, judges
 * If-Match, decides, appends.
 */
export class AgentCommands {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  private readonly handler = new CommandHandler(this.store, agentDecider, { retries: 2 });

  private metadata(principal: StaffPrincipal, correlationId?: string): Omit<CrmEventMetadata, 'causationId'> {
    return {
      correlationId: correlationId ?? randomUUID(),
      actor: actorFromPrincipal(principal),
      occurredAt: this.clock.now().toISOString(),
      visibility: COMPANY_WIDE_VISIBILITY,
    };
  }

  async setProfile(
    principal: StaffPrincipal,
    agentId: string,
    input: AgentProfileInput,
    options: RoutingCommandOptions = {},
  ): Promise<{ revision: bigint | undefined; created: boolean }> {
    if (!isTeamLead(principal)) throw forbidden('not-team-lead', 'only team leads (role team-lead or admin, or management) set up agents');
    let created = false;
    const r = await this.handler.handle(
      agentStream(agentId),
      (state: AgentState) => {
        created = state.profile === undefined;
        return {
          type: 'SetAgentProfile',
          data: {
            agentId,
            name: input.name,
            teams: input.teams,
            skills: input.skills.map((s) => ({ skill: s.skill, level: s.level })),
            capacity: input.capacity,
            ...(input.hourlyCost !== undefined && { hourlyCost: input.hourlyCost }),
            ...(input.currency !== undefined && { currency: input.currency }),
            active: input.active,
            setAt: this.clock.now().toISOString(),
            setBy: principal.subject,
          },
        };
      },
      this.metadata(principal, options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { revision: r.revision, created: created && r.appended };
  }

  async changePresence(
    principal: StaffPrincipal,
    agentId: string,
    presence: AgentPresence,
    options: RoutingCommandOptions = {},
  ): Promise<{ revision: bigint | undefined }> {
    const r = await this.handler.handle(
      agentStream(agentId),
      { type: 'ChangeAgentPresence', data: { agentId, presence, changedAt: this.clock.now().toISOString() } },
      this.metadata(principal, options.correlationId),
      {
        expectedRevision: options.expectedRevision,
        check: () => {
          if (principal.subject !== agentId && !isTeamLead(principal))
            throw forbidden('not-own-presence', "an agent sets its own presence; a team lead (role team-lead or admin, or management) anyone's");
        },
      },
    );
    return { revision: r.revision };
  }

  /** The agent as its history says now, with the revision for If-Match. 404 for one never set up. */
  async get(agentId: string): Promise<AgentView> {
    const { state, revision } = await this.handler.load(agentStream(agentId));
    if (!state.profile || revision === undefined) throw new NotFoundError(`agent ${agentId} not found`);
    return { ...state.profile, presence: state.presence, presenceSince: state.presenceSince ?? null, revision: revision.toString() };
  }
}
