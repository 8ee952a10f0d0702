import {
  DomainRuleViolation,
  type ActorKind,
  type Channel,
  type Direction,
  type EpisodeOutcome,
  type EpisodeOwner,
  type EpisodeType,
  type Decider,
} from '@crm/kernel';
import {
  evolveOpportunity,
  openedOpportunity,
  openingStage,
  opportunityChanges,
  stageChange,
  type OpportunityChanges,
  type OpportunityEvent,
  type OpportunityFacts,
} from './opportunity';
import type { Pipeline } from './pipeline';
import {
  assignmentChanges,
  assignmentMovesStatus,
  caseChanges,
  caseStatusMove,
  evolveCase,
  openedCase,
  type CaseChanges,
  type CaseEvent,
  type CaseFacts,
} from './case';
import type { CaseStatus } from '@crm/kernel';

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
  /**
   * Opportunities: the pipeline (absent on openings recorded before pipelines: the default one,
   * Buttle's sales process), the starting stage of it and that stage's default win probability.
   */
  pipelineId?: string;
  stage?: string;
  stageProbability?: number;
  /** As recorded before opportunities had an amount (a number in no stated unit); see `OpportunityUpdated`. */
  expectedValue?: number;
  currency?: string;
  /** Cases: the channel the case came in on. */
  channel?: Channel;
  /** Campaign episodes carry their campaign's id, to group the touches of one campaign. */
  campaignId?: string;
  /** Partner deals: the company's opportunity the deal is part of (an approved deal registration links them). */
  opportunityId?: string;
}

export type EpisodeEvent =
  | { type: 'EpisodeOpened'; data: EpisodeOpenedData }
  | { type: 'InteractionRecorded'; data: { episodeId: string; customerId: string; interaction: Interaction } }
  /** Recorded before pipelines (forward moves through Buttle's stages); moves are `OpportunityStageChanged` now. */
  | { type: 'OpportunityStageAdvanced'; data: { episodeId: string; customerId: string; from: string; to: string; advancedAt: string } }
  | OpportunityEvent
  | CaseEvent
  /** A return opened from a case (return-repair.ts): here only its marker — it closes through its own commands. */
  | { type: 'ReturnRequested'; data: { episodeId: string; customerId: string; caseEpisodeId: string } }
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
  readonly stage?: string;
  readonly interactionIds: readonly string[];
  readonly closed?: { outcome: EpisodeOutcome; closedAt: string; reason?: string };
  /** Opportunities only: pipeline, stage and its history, amount, close date, owner, next step… */
  readonly opportunity?: OpportunityFacts;
  /** Cases only: status and its history, priority, severity, category, product, team, assignee, reopen count. */
  readonly case?: CaseFacts;
  /**
   * A return opened through `ReturnRequested` (issue 12 §5): it closes through the return's own
   * commands (denied, delivered back, closed with why), never through the generic close, which
   * would skip the return's rules and leave its RMA and shipments dangling.
   */
  readonly closesThroughReturn?: true;
}

export type EpisodeState = Episode | undefined;

export type EpisodeCommand =
  /**
   * Opportunities: `pipeline` is the one to open on (absent: the built-in default), `details` the
   * attributes to record with the opening (in the same append, as `OpportunityUpdated`).
   */
  | {
      type: 'OpenEpisode';
      data: EpisodeOpenedData;
      customerExists: boolean;
      pipeline?: Pipeline;
      details?: OpportunityChanges;
      /** Cases: the working details to record with the opening (in the same append, as `CaseDetailsChanged`), and who opened it. */
      caseDetails?: { changes: CaseChanges; by: string };
    }
  /** `by`: who records it — a partner records its own users, the customer or a system, never company staff. */
  | { type: 'RecordInteraction'; data: { episodeId: string; interaction: Interaction }; by?: EpisodeOwner }
  /** `pipeline`: the opportunity's pipeline as it is defined now. A move back needs a reason. */
  | { type: 'ChangeStage'; data: { episodeId: string; to: string; reason?: string; changedAt: string }; pipeline: Pipeline }
  | { type: 'UpdateOpportunity'; data: { episodeId: string; changes: OpportunityChanges; updatedAt: string } }
  | { type: 'CloseEpisode'; data: { episodeId: string; outcome: EpisodeOutcome; closedAt: string; value?: number; currency?: string; reason?: string } }
  /** Cases: priority, severity, category, product, team; only what changed is recorded. */
  | { type: 'ChangeCaseDetails'; data: { episodeId: string; changes: CaseChanges; changedAt: string; changedBy: string } }
  /** Cases: a move of the status machine (see case.ts); waiting says what for. */
  | { type: 'ChangeCaseStatus'; data: { episodeId: string; to: CaseStatus; reason?: string; changedAt: string; changedBy: string } }
  /** Cases: to an agent (and team), with why; a new or reopened case becomes assigned. */
  | { type: 'AssignCase'; data: { episodeId: string; agentId: string; team?: string; reason: string; assignedAt: string; assignedBy: string } }
  /** Cases: a resolved (not closed) case opened again, with the customer's reason. */
  | { type: 'ReopenCase'; data: { episodeId: string; reason: string; reopenedAt: string; reopenedBy: string } }
  /**
   * Cases: taken from its agent, back in the queue of its team (or of `team`, which it moves to),
   * waiting (`new`), with why. A case no agent holds: only the move to `team`, if any (retrying is
   * safe: nothing is recorded twice).
   */
  | { type: 'UnassignCase'; data: { episodeId: string; team?: string; reason: string; unassignedAt: string; unassignedBy: string } };

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
        ...(d.episodeType === 'opportunity' && { opportunity: openedOpportunity(d) }),
        ...(d.episodeType === 'case' && { case: openedCase(d.openedAt) }),
      };
    }
    case 'InteractionRecorded':
      return state && { ...state, interactionIds: [...state.interactionIds, event.data.interaction.interactionId] };
    case 'OpportunityStageAdvanced':
    case 'OpportunityStageChanged':
    case 'OpportunityUpdated': {
      if (!state?.opportunity) return state;
      const opportunity = evolveOpportunity(state.opportunity, event);
      return { ...state, stage: opportunity.stage, opportunity };
    }
    case 'EpisodeClosed': {
      const { outcome, closedAt, reason } = event.data;
      return (
        state && {
          ...state,
          closed: { outcome, closedAt, ...(reason !== undefined && { reason }) },
          ...(state.case && { case: evolveCase(state.case, event) }),
        }
      );
    }
    case 'CaseDetailsChanged':
    case 'CaseStatusChanged':
    case 'CaseAssigned':
    case 'CaseUnassigned':
      return state?.case ? { ...state, case: evolveCase(state.case, event) } : state;
    case 'ReturnRequested':
      return state && { ...state, closesThroughReturn: true };
    case 'CaseReopened': {
      // The episode is open again: interactions may be recorded on it, and it closes again later.
      if (!state?.case) return state;
      const { closed: _closed, ...open } = state;
      return { ...open, case: evolveCase(state.case, event) };
    }
    default:
      return state; // an event of a later version of this aggregate: nothing this code knows of
  }
}

export function decideEpisode(command: EpisodeCommand, state: EpisodeState): EpisodeEvent[] {
  if (command.type === 'OpenEpisode') {
    const d = command.data;
    if (state) throw new DomainRuleViolation('episode-exists', `episode ${d.episodeId} already exists`);
    if (!command.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${d.customerId} is not registered`);
    if (!d.name.trim()) throw new DomainRuleViolation('episode-needs-name', 'an episode needs a name');
    if (d.opportunityId !== undefined && d.episodeType !== 'partner-deal')
      throw new DomainRuleViolation('opportunity-link-for-partner-deals', 'only a partner deal is linked to an opportunity');
    if (d.episodeType === 'opportunity') {
      if (d.expectedValue !== undefined && d.expectedValue < 0) throw new DomainRuleViolation('negative-value', 'expected value cannot be negative');
      const opened: EpisodeOpenedData = { ...d, ...openingStage(command.pipeline, d.stage) };
      const changes = command.details ? opportunityChanges(undefined, command.details) : {};
      if (Object.keys(changes).length === 0) return [{ type: 'EpisodeOpened', data: opened }];
      return [
        { type: 'EpisodeOpened', data: opened },
        { type: 'OpportunityUpdated', data: { episodeId: d.episodeId, customerId: d.customerId, ...changes, updatedAt: d.openedAt } },
      ];
    }
    if (d.stage || command.details) throw new DomainRuleViolation('stage-only-for-opportunities', 'only opportunities move through sales stages');
    if (command.caseDetails) {
      if (d.episodeType !== 'case') throw new DomainRuleViolation('only-for-cases', 'only cases have a priority, a severity, a category…');
      const changes = caseChanges(undefined, command.caseDetails.changes);
      if (Object.keys(changes).length > 0) {
        return [
          { type: 'EpisodeOpened', data: d },
          {
            type: 'CaseDetailsChanged',
            data: { episodeId: d.episodeId, customerId: d.customerId, ...changes, changedAt: d.openedAt, changedBy: command.caseDetails.by },
          },
        ];
      }
    }
    return [{ type: 'EpisodeOpened', data: d }];
  }
  if (!state) throw new DomainRuleViolation('unknown-episode', `episode ${command.data.episodeId} does not exist`);
  // A resolved case may still be closed for good or reopened; everything else ends with the episode.
  if (state.case && (command.type === 'ChangeCaseStatus' || command.type === 'ReopenCase')) return decideResolvedOrOpenCase(command, state, state.case);
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
    case 'ChangeStage': {
      if (!state.opportunity) throw new DomainRuleViolation('stage-only-for-opportunities', 'only opportunities move through sales stages');
      const d = command.data;
      const move = stageChange(state.opportunity, command.pipeline, d.to, d.reason);
      if (!move) return [];
      if (Date.parse(d.changedAt) < Date.parse(state.opportunity.stageHistory.at(-1)!.enteredAt))
        throw new DomainRuleViolation('stage-change-before-last', 'a stage move cannot happen before the one before it');
      return [{ type: 'OpportunityStageChanged', data: { episodeId: state.episodeId, customerId: state.customerId, ...move, changedAt: d.changedAt } }];
    }
    case 'UpdateOpportunity': {
      if (!state.opportunity) throw new DomainRuleViolation('details-only-for-opportunities', 'only opportunities have an amount, a close date, an owner…');
      const changes = opportunityChanges(state.opportunity, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [
        { type: 'OpportunityUpdated', data: { episodeId: state.episodeId, customerId: state.customerId, ...changes, updatedAt: command.data.updatedAt } },
      ];
    }
    case 'CloseEpisode': {
      const d = command.data;
      if (state.closesThroughReturn)
        throw new DomainRuleViolation('close-through-return', 'a return closes through its own commands (deny, deliver back, close with why)');
      if (!OUTCOMES[state.episodeType].includes(d.outcome)) {
        throw new DomainRuleViolation('invalid-outcome', `a ${state.episodeType} closes as ${OUTCOMES[state.episodeType].join(' or ')}, not ${d.outcome}`);
      }
      if (Date.parse(d.closedAt) < Date.parse(state.openedAt))
        throw new DomainRuleViolation('closed-before-opened', 'an episode cannot close before it opened');
      const o = state.opportunity;
      if (o) {
        // Won and lost both say why; a win is worth the amount unless it states its value.
        if (!d.reason?.trim()) throw new DomainRuleViolation('close-needs-reason', `say why the opportunity was ${d.outcome}`);
        // (A win stated in another currency than the amount's must say what it was worth in it.)
        if (d.outcome === 'won' && d.value === undefined && o.amount !== undefined && (d.currency === undefined || d.currency === o.currency)) {
          return [{ type: 'EpisodeClosed', data: { ...d, customerId: state.customerId, value: o.amount, currency: o.currency } }];
        }
        if (d.outcome === 'won' && d.value !== undefined && d.currency === undefined && o.currency !== undefined) {
          return [{ type: 'EpisodeClosed', data: { ...d, customerId: state.customerId, currency: o.currency } }];
        }
      }
      if (d.outcome === 'won' && (d.value === undefined || d.value < 0))
        throw new DomainRuleViolation('won-needs-value', 'a won opportunity or deal records its value');
      // (For a case, the closing is its move to `resolved`: no CaseStatusChanged besides, see case.ts.)
      return [{ type: 'EpisodeClosed', data: { ...d, customerId: state.customerId } }];
    }
    case 'ChangeCaseDetails': {
      const c = caseOf(state);
      const d = command.data;
      const changes = caseChanges(c, d.changes);
      if (Object.keys(changes).length === 0) return [];
      return [
        {
          type: 'CaseDetailsChanged',
          data: { episodeId: state.episodeId, customerId: state.customerId, ...changes, changedAt: d.changedAt, changedBy: d.changedBy },
        },
      ];
    }
    case 'AssignCase': {
      const c = caseOf(state);
      const d = command.data;
      if (!d.agentId.trim()) throw new DomainRuleViolation('assignment-needs-agent', 'a case is assigned to an agent');
      if (!d.reason.trim()) throw new DomainRuleViolation('assignment-needs-reason', 'an assignment records why it was made');
      if (d.team !== undefined) caseChanges(c, { team: d.team }); // a team is a slug
      if (!assignmentChanges(c, d.agentId, d.team)) return []; // the same agent again: a retried request, or the router again
      const ids = { episodeId: state.episodeId, customerId: state.customerId };
      const assigned: EpisodeEvent = {
        type: 'CaseAssigned',
        data: {
          ...ids,
          agentId: d.agentId,
          ...(d.team !== undefined && { team: d.team }),
          ...(c.assignee !== undefined && { previousAgentId: c.assignee }),
          reason: d.reason,
          assignedAt: d.assignedAt,
          assignedBy: d.assignedBy,
        },
      };
      if (!assignmentMovesStatus(c)) return [assigned];
      return [assigned, { type: 'CaseStatusChanged', data: { ...ids, from: c.status, to: 'assigned', changedAt: d.assignedAt, changedBy: d.assignedBy } }];
    }
    case 'UnassignCase':
      return decideUnassignment(command.data, state, caseOf(state));
    case 'ChangeCaseStatus':
    case 'ReopenCase':
      caseOf(state); // a case was decided above: this is no case
      return [];
  }
}

function caseOf(state: Episode): CaseFacts {
  if (!state.case) throw new DomainRuleViolation('only-for-cases', 'only cases have a status, a priority, an assignee…');
  return state.case;
}

/**
 * An open case taken from its agent (a resolved or closed one was refused above, `episode-closed`):
 * a move to `team` first (as `CaseDetailsChanged`, so every reader of the team sees it), then
 * `CaseUnassigned` and the move back to `new`. No agent holds it: nothing but the team move — an
 * unassignment retried (by a person, or by an escalation acting again after a crash) records nothing.
 */
function decideUnassignment(d: Extract<EpisodeCommand, { type: 'UnassignCase' }>['data'], state: Episode, c: CaseFacts): EpisodeEvent[] {
  if (!d.reason.trim()) throw new DomainRuleViolation('unassignment-needs-reason', 'an unassignment records why the case is taken from its agent');
  const ids = { episodeId: state.episodeId, customerId: state.customerId };
  const events: EpisodeEvent[] = [];
  const moved = d.team === undefined ? {} : caseChanges(c, { team: d.team }); // (a team is a slug)
  if (moved.team !== undefined)
    events.push({ type: 'CaseDetailsChanged', data: { ...ids, team: moved.team, changedAt: d.unassignedAt, changedBy: d.unassignedBy } });
  if (c.assignee === undefined) return events;
  const team = d.team ?? c.team;
  events.push({
    type: 'CaseUnassigned',
    data: {
      ...ids,
      previousAgentId: c.assignee,
      ...(team !== undefined && { team }),
      reason: d.reason,
      unassignedAt: d.unassignedAt,
      unassignedBy: d.unassignedBy,
    },
  });
  if (c.status !== 'new')
    events.push({
      type: 'CaseStatusChanged',
      data: { ...ids, from: c.status, to: 'new', reason: d.reason, changedAt: d.unassignedAt, changedBy: d.unassignedBy },
    });
  return events;
}

/** The status moves and the reopening, which a resolved (closed) case episode still takes. */
function decideResolvedOrOpenCase(command: Extract<EpisodeCommand, { type: 'ChangeCaseStatus' | 'ReopenCase' }>, state: Episode, c: CaseFacts): EpisodeEvent[] {
  const ids = { episodeId: state.episodeId, customerId: state.customerId };
  if (command.type === 'ChangeCaseStatus') {
    const d = command.data;
    const move = caseStatusMove(c, d.to, d.reason);
    if (!move) return [];
    return [{ type: 'CaseStatusChanged', data: { ...ids, ...move, changedAt: d.changedAt, changedBy: d.changedBy } }];
  }
  const d = command.data;
  if (c.status === 'closed') throw new DomainRuleViolation('case-closed', 'the case is closed: open a new one');
  if (c.status !== 'resolved' || !state.closed) throw new DomainRuleViolation('case-not-resolved', `only a resolved case is reopened; this one is ${c.status}`);
  if (!d.reason.trim()) throw new DomainRuleViolation('reopen-needs-reason', 'say why the case is reopened');
  if (Date.parse(d.reopenedAt) < Date.parse(state.closed.closedAt))
    throw new DomainRuleViolation('reopened-before-closed', 'a case cannot be reopened before it was resolved');
  // (The reopening is the case's move to `reopened`: no CaseStatusChanged besides, see case.ts.)
  return [{ type: 'CaseReopened', data: { ...ids, reason: d.reason, reopenedAt: d.reopenedAt, reopenedBy: d.reopenedBy } }];
}

/** The episode aggregate, as the application layer runs it. */
export const episodeDecider: Decider<EpisodeState, EpisodeCommand, EpisodeEvent> = { decide: decideEpisode, evolve: evolveEpisode, initialState: undefined };
