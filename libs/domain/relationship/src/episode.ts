import {
  DomainRuleViolation,
  SALES_STAGES,
  type ActorKind,
  type Channel,
  type Direction,
  type EpisodeOutcome,
  type EpisodeOwner,
  type EpisodeType,
  type SalesStage,
  type Decider,
} from '@crm/kernel';

/**
 * Episode aggregate: a named, time-bound part of a relationship (an opportunity, a case, a
 * campaign, a partner deal, a return and repair), owned by a department or a partner, made of
 * interactions — each an action and the response to it.
 */

export interface InteractionActor {
  readonly kind: ActorKind;
  readonly id: string;
}

export interface Interaction {
  readonly interactionId: string;
  readonly channel: Channel;
  readonly direction: Direction;
  readonly actor: InteractionActor;
  /** What was done ("sent the proposal", "customer called about a fault"). */
  readonly action: string;
  /** What came back ("asked for a discount", "no answer"); may be empty while pending. */
  readonly response?: string;
  readonly occurredAt: string;
}

export interface EpisodeOpenedData {
  episodeId: string;
  customerId: string;
  name: string;
  episodeType: EpisodeType;
  owner: EpisodeOwner;
  openedAt: string;
  /** Opportunities: the starting stage of the sales process and the expected value. */
  stage?: SalesStage;
  expectedValue?: number;
  currency?: string;
  /** Cases: the channel the case came in on. */
  channel?: Channel;
  /** Campaign episodes carry their campaign's id, to group the touches of one campaign. */
  campaignId?: string;
}

export type EpisodeEvent =
  | { type: 'EpisodeOpened'; data: EpisodeOpenedData }
  | { type: 'InteractionRecorded'; data: { episodeId: string; customerId: string; interaction: Interaction } }
  | { type: 'OpportunityStageAdvanced'; data: { episodeId: string; customerId: string; from: SalesStage; to: SalesStage; advancedAt: string } }
  | {
      type: 'EpisodeClosed';
      data: { episodeId: string; customerId: string; outcome: EpisodeOutcome; closedAt: string; value?: number; currency?: string; reason?: string };
    };

export interface Episode {
  readonly episodeId: string;
  readonly customerId: string;
  readonly episodeType: EpisodeType;
  readonly owner: EpisodeOwner;
  readonly openedAt: string;
  readonly stage?: SalesStage;
  readonly interactionIds: readonly string[];
  readonly closed?: { outcome: EpisodeOutcome; closedAt: string };
}

export type EpisodeState = Episode | undefined;

export type EpisodeCommand =
  | { type: 'OpenEpisode'; data: EpisodeOpenedData; customerExists: boolean }
  /** `by`: who records it — a partner records its own users, the customer or a system, never company staff. */
  | { type: 'RecordInteraction'; data: { episodeId: string; interaction: Interaction }; by?: EpisodeOwner }
  | { type: 'AdvanceStage'; data: { episodeId: string; to: SalesStage; advancedAt: string } }
  | { type: 'CloseEpisode'; data: { episodeId: string; outcome: EpisodeOutcome; closedAt: string; value?: number; currency?: string; reason?: string } };

export const episodeStream = (episodeId: string) => `episode-${episodeId}`;

/** Which outcomes close which type of episode. */
const OUTCOMES: Record<EpisodeType, readonly EpisodeOutcome[]> = {
  opportunity: ['won', 'lost'],
  'partner-deal': ['won', 'lost', 'cancelled'],
  case: ['resolved', 'unresolved'],
  'return-repair': ['resolved', 'unresolved', 'cancelled'],
  campaign: ['completed', 'cancelled'],
};

export function evolveEpisode(state: EpisodeState, event: EpisodeEvent): EpisodeState {
  switch (event.type) {
    case 'EpisodeOpened': {
      const d = event.data;
      return {
        episodeId: d.episodeId,
        customerId: d.customerId,
        episodeType: d.episodeType,
        owner: d.owner,
        openedAt: d.openedAt,
        stage: d.stage,
        interactionIds: [],
      };
    }
    case 'InteractionRecorded':
      return state && { ...state, interactionIds: [...state.interactionIds, event.data.interaction.interactionId] };
    case 'OpportunityStageAdvanced':
      return state && { ...state, stage: event.data.to };
    case 'EpisodeClosed':
      return state && { ...state, closed: { outcome: event.data.outcome, closedAt: event.data.closedAt } };
  }
}

export function decideEpisode(command: EpisodeCommand, state: EpisodeState): EpisodeEvent[] {
  if (command.type === 'OpenEpisode') {
    const d = command.data;
    if (state) throw new DomainRuleViolation('episode-exists', `episode ${d.episodeId} already exists`);
    if (!command.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${d.customerId} is not registered`);
    if (!d.name.trim()) throw new DomainRuleViolation('episode-needs-name', 'an episode needs a name');
    if (d.episodeType === 'opportunity') {
      if (d.expectedValue !== undefined && d.expectedValue < 0) throw new DomainRuleViolation('negative-value', 'expected value cannot be negative');
      return [{ type: 'EpisodeOpened', data: { ...d, stage: d.stage ?? 'lead-generation' } }];
    }
    if (d.stage) throw new DomainRuleViolation('stage-only-for-opportunities', 'only opportunities move through sales stages');
    return [{ type: 'EpisodeOpened', data: d }];
  }
  if (!state) throw new DomainRuleViolation('unknown-episode', `episode ${command.data.episodeId} does not exist`);
  if (state.closed)
    throw new DomainRuleViolation('episode-closed', `episode ${state.episodeId} was closed (${state.closed.outcome}) at ${state.closed.closedAt}`);
  switch (command.type) {
    case 'RecordInteraction': {
      const i = command.data.interaction;
      if (command.by?.kind === 'partner' && i.actor.kind === 'staff') {
        throw new DomainRuleViolation(
          'partner-cannot-act-as-staff',
          'a partner records its own users, the customer or a system as the actor, not company staff',
        );
      }
      if (state.interactionIds.includes(i.interactionId)) return []; // a retried request: already recorded
      if (Date.parse(i.occurredAt) < Date.parse(state.openedAt))
        throw new DomainRuleViolation('interaction-before-episode', 'an interaction cannot happen before its episode opened');
      return [{ type: 'InteractionRecorded', data: { episodeId: state.episodeId, customerId: state.customerId, interaction: i } }];
    }
    case 'AdvanceStage': {
      if (state.episodeType !== 'opportunity' || !state.stage)
        throw new DomainRuleViolation('stage-only-for-opportunities', 'only opportunities move through sales stages');
      const from = SALES_STAGES.indexOf(state.stage);
      const to = SALES_STAGES.indexOf(command.data.to);
      if (to <= from)
        throw new DomainRuleViolation('stage-moves-forward', `an opportunity moves forward: it is at ${state.stage}, cannot move to ${command.data.to}`);
      return [
        {
          type: 'OpportunityStageAdvanced',
          data: { episodeId: state.episodeId, customerId: state.customerId, from: state.stage, to: command.data.to, advancedAt: command.data.advancedAt },
        },
      ];
    }
    case 'CloseEpisode': {
      const d = command.data;
      if (!OUTCOMES[state.episodeType].includes(d.outcome)) {
        throw new DomainRuleViolation('invalid-outcome', `a ${state.episodeType} closes as ${OUTCOMES[state.episodeType].join(' or ')}, not ${d.outcome}`);
      }
      if (Date.parse(d.closedAt) < Date.parse(state.openedAt))
        throw new DomainRuleViolation('closed-before-opened', 'an episode cannot close before it opened');
      if (d.outcome === 'won' && (d.value === undefined || d.value < 0))
        throw new DomainRuleViolation('won-needs-value', 'a won opportunity or deal records its value');
      return [{ type: 'EpisodeClosed', data: { ...d, customerId: state.customerId } }];
    }
  }
}

/** The episode aggregate, as the application layer runs it. */
export const episodeDecider: Decider<EpisodeState, EpisodeCommand, EpisodeEvent> = { decide: decideEpisode, evolve: evolveEpisode, initialState: undefined };
