import { DomainRuleViolation, type Decider } from '@crm/kernel';
import { evolveEpisode, type EpisodeEvent, type EpisodeState, type Interaction } from './episode';

/**
 * The customer's satisfaction answer on a resolved case (issue 12 §6). The episode decider refuses
 * every change to a closed episode; this is the one thing that belongs after the closing — the
 * customer's verdict on it — so it is its own command, on the same stream `episode-<id>`, with its
 * own rules rather than a way around the closed guard:
 *
 * - only a case, only while it stands resolved (closed `resolved`, not reopened since);
 * - one answer per resolution: a second is refused (`survey-already-answered`) — the first answer
 *   stands; a case reopened and resolved again may be rated again, for the new resolution;
 * - the answer is both an interaction (web, inbound, the customer) and a `CaseSatisfactionRated`,
 *   appended together.
 */

export interface CaseSatisfactionRatedData {
  episodeId: string;
  customerId: string;
  score: number;
  comment?: string;
  interactionId: string;
  ratedAt: string;
}

export type CaseSatisfactionEvent =
  | EpisodeEvent
  | { type: 'CaseSatisfactionRated'; data: CaseSatisfactionRatedData }
  | { type: 'CaseReopened'; data: { episodeId: string; customerId: string; reason: string; reopenedAt: string; reopenedBy: string } };

export interface CaseSatisfactionState {
  readonly episode: EpisodeState;
  /** When the case's standing resolution was recorded (absent: open, reopened, or closed unresolved). */
  readonly resolvedAt?: string;
  /** The answer given for the standing resolution. */
  readonly rated?: { score: number; ratedAt: string };
}

export type CaseSatisfactionCommand = {
  type: 'RateCaseSatisfaction';
  data: {
    episodeId: string;
    score: number;
    comment?: string;
    interactionId: string;
    ratedAt: string;
    /** The resolution the survey link was issued for: a link from before a reopening is not this resolution's. */
    resolvedAt: string;
  };
};

export const SURVEY_ANSWER_ACTION = 'answered the satisfaction survey';

export function evolveCaseSatisfaction(state: CaseSatisfactionState, event: CaseSatisfactionEvent): CaseSatisfactionState {
  switch (event.type) {
    case 'CaseSatisfactionRated':
      return { ...state, rated: { score: event.data.score, ratedAt: event.data.ratedAt } };
    case 'CaseReopened':
      return { episode: state.episode && { ...state.episode, closed: undefined } };
    case 'EpisodeClosed': {
      const episode = evolveEpisode(state.episode, event);
      return event.data.outcome === 'resolved' ? { episode, resolvedAt: event.data.closedAt } : { episode };
    }
    default:
      return { ...state, episode: evolveEpisode(state.episode, event as EpisodeEvent) };
  }
}

export function decideCaseSatisfaction(command: CaseSatisfactionCommand, state: CaseSatisfactionState): CaseSatisfactionEvent[] {
  const d = command.data;
  const episode = state.episode;
  if (!episode) throw new DomainRuleViolation('unknown-episode', `episode ${d.episodeId} does not exist`);
  if (episode.episodeType !== 'case') throw new DomainRuleViolation('survey-only-for-cases', 'only a case is rated by its customer');
  if (!state.resolvedAt) throw new DomainRuleViolation('case-not-resolved', `case ${d.episodeId} is not resolved: the survey follows a resolution`);
  if (d.resolvedAt !== state.resolvedAt)
    throw new DomainRuleViolation('survey-for-another-resolution', 'the survey was for an earlier resolution of this case (it was reopened since)');
  if (state.rated) throw new DomainRuleViolation('survey-already-answered', `the survey of case ${d.episodeId} was answered at ${state.rated.ratedAt}`);
  if (!Number.isInteger(d.score) || d.score < 1 || d.score > 5) throw new DomainRuleViolation('survey-score', 'the score is a whole number from 1 to 5');
  if (Date.parse(d.ratedAt) < Date.parse(state.resolvedAt))
    throw new DomainRuleViolation('rated-before-resolved', 'a case cannot be rated before it was resolved');
  const comment = d.comment?.trim() ? d.comment : undefined;
  const interaction: Interaction = {
    interactionId: d.interactionId,
    channel: 'web',
    direction: 'inbound',
    actor: { kind: 'customer', id: episode.customerId },
    action: SURVEY_ANSWER_ACTION,
    response: `${d.score} of 5`,
    occurredAt: d.ratedAt,
  };
  return [
    { type: 'InteractionRecorded', data: { episodeId: episode.episodeId, customerId: episode.customerId, interaction } },
    {
      type: 'CaseSatisfactionRated',
      data: {
        episodeId: episode.episodeId,
        customerId: episode.customerId,
        score: d.score,
        ...(comment !== undefined && { comment }),
        interactionId: d.interactionId,
        ratedAt: d.ratedAt,
      },
    },
  ];
}

/** The satisfaction answer as the application layer runs it, on the episode's stream. */
export const caseSatisfactionDecider: Decider<CaseSatisfactionState, CaseSatisfactionCommand, CaseSatisfactionEvent> = {
  decide: decideCaseSatisfaction,
  evolve: evolveCaseSatisfaction,
  initialState: { episode: undefined },
};
