import type { RecordedEvent } from '@crm/event-store';
import {
  evolveEpisode,
  isCurrencyCode,
  minorUnitsToDecimal,
  probabilityOf,
  timeInStages,
  type EpisodeEvent,
  type EpisodeState,
  type Interaction,
  type Pipeline,
  type TimeInStage,
} from '@crm/relationship';

/** One move of the opportunity: where from (absent: where it opened), where to, when, and why for a move back. */
export interface StageMoveView {
  from?: string;
  to: string;
  at: string;
  backward?: boolean;
  reason?: string;
}

/** `GET /opportunities/{id}`: the opportunity as its own history tells it. */
export interface OpportunityView {
  opportunityId: string;
  customerId: string;
  name: string;
  status: 'open' | 'won' | 'lost';
  pipelineId: string;
  pipelineName: string;
  stage: string;
  /** The win probability in force: the override, or the stage's default. */
  probability: number;
  probabilityOverridden: boolean;
  /** Integer minor units of `currency`. */
  amount: number | null;
  currency: string | null;
  /** The amount in major units, by the currency's ISO 4217 exponent ("12500.00"). */
  amountDecimal: string | null;
  expectedCloseDate: string | null;
  owner: string;
  team: string | null;
  nextStep: string | null;
  competitors: string[];
  openedAt: string;
  openedBy: string;
  closed: { outcome: string; closedAt: string; reason?: string; value?: number; currency?: string } | null;
  /** Every stage of the pipeline in its order, with the time spent in it (until it closed, or now). */
  stages: TimeInStage[];
  stageHistory: StageMoveView[];
  interactions: Interaction[];
  /** As recorded before opportunities had an amount (a number in no stated unit); absent when none. */
  expectedValue?: number;
  /** The stream revision: the ETag for If-Match. */
  revision: string;
  updatedAt: string;
}

/** The opportunity an episode's history describes, or undefined when it is no opportunity. */
export function opportunityView(events: readonly RecordedEvent[], pipeline: Pipeline, now: Date): OpportunityView | undefined {
  const state = events.map((e) => ({ type: e.type, data: e.data }) as EpisodeEvent).reduce<EpisodeState>(evolveEpisode, undefined);
  const o = state?.opportunity;
  if (!state || !o || events.length === 0) return undefined;
  const opening = events[0];
  const opened = opening.data as { expectedValue?: number };
  const closing = [...events].reverse().find((e) => e.type === 'EpisodeClosed')?.data as
    { outcome: 'won' | 'lost'; closedAt: string; reason?: string; value?: number; currency?: string } | undefined;
  const interactions = events.filter((e) => e.type === 'InteractionRecorded').map((e) => (e.data as { interaction: Interaction }).interaction);
  const actor = opening.metadata['actor'] as { id?: string } | undefined;
  const last = events[events.length - 1];
  return {
    opportunityId: state.episodeId,
    customerId: state.customerId,
    name: (opening.data as { name: string }).name,
    status: closing ? closing.outcome : 'open',
    pipelineId: o.pipelineId,
    pipelineName: pipeline.name,
    stage: o.stage,
    probability: probabilityOf(o),
    probabilityOverridden: o.probabilityOverride !== undefined,
    amount: o.amount ?? null,
    currency: o.currency ?? null,
    amountDecimal: o.amount !== undefined && isCurrencyCode(o.currency) ? minorUnitsToDecimal(o.amount, o.currency) : null,
    expectedCloseDate: o.expectedCloseDate ?? null,
    owner: o.owner ?? actor?.id ?? 'unknown',
    team: o.team ?? null,
    nextStep: o.nextStep ?? null,
    competitors: [...o.competitors],
    openedAt: state.openedAt,
    openedBy: actor?.id ?? 'unknown',
    closed: closing
      ? {
          outcome: closing.outcome,
          closedAt: closing.closedAt,
          ...(closing.reason !== undefined && { reason: closing.reason }),
          ...(closing.value !== undefined && { value: closing.value }),
          ...(closing.currency !== undefined && { currency: closing.currency }),
        }
      : null,
    stages: timeInStages(o, pipeline, closing?.closedAt, now),
    stageHistory: o.stageHistory.map((v) => ({
      ...(v.from !== undefined && { from: v.from }),
      to: v.stage,
      at: v.enteredAt,
      ...(v.backward && { backward: true }),
      ...(v.reason !== undefined && { reason: v.reason }),
    })),
    interactions,
    ...(opened.expectedValue !== undefined && { expectedValue: opened.expectedValue }),
    revision: last.revision.toString(),
    updatedAt: last.metadata.occurredAt,
  };
}
