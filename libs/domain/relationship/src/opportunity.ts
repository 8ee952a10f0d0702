import { DomainRuleViolation, isCurrencyCode, SALES_STAGES } from '@crm/kernel';
import { DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, DEFAULT_STAGE_PROBABILITIES, stageOf, type Pipeline } from './pipeline';

/**
 * What an opportunity (an episode of type `opportunity`) has besides what every episode has: the
 * pipeline it moves through and the stage it is in (each move recorded with its time, a move back
 * with its reason), its amount in integer minor units of an ISO 4217 currency, the expected close
 * date, its owner and team, the next step, the competitors, and the win probability — the stage's
 * default unless overridden.
 */

/** The attributes of an opportunity that `OpportunityUpdated` changes; `null` clears. */
export interface OpportunityChanges {
  /** Integer minor units of `currency` (cents for EUR, yen for JPY); null: no amount. */
  amount?: number | null;
  /** ISO 4217; recorded with every change of the amount. */
  currency?: string;
  /** A calendar date, `YYYY-MM-DD`. */
  expectedCloseDate?: string | null;
  /** The staff user who owns it (by default whoever opened it). */
  owner?: string;
  /** The sales team it counts for (a name such as `jakarta-enterprise`). */
  team?: string | null;
  nextStep?: string | null;
  /** Who else the customer is talking to; the whole new list. */
  competitors?: string[];
  /** 0–100 overriding the stage's default; null: the stage's default again. */
  probability?: number | null;
}

export interface OpportunityUpdatedData extends OpportunityChanges {
  episodeId: string;
  customerId: string;
  updatedAt: string;
}

export interface OpportunityStageChangedData {
  episodeId: string;
  customerId: string;
  pipelineId: string;
  from: string;
  to: string;
  /** A move to an earlier stage of the pipeline (it needs a reason). */
  backward: boolean;
  reason?: string;
  /** The default win probability of stage `to` when the move was made. */
  stageProbability: number;
  changedAt: string;
}

export type OpportunityEvent =
  { type: 'OpportunityUpdated'; data: OpportunityUpdatedData } | { type: 'OpportunityStageChanged'; data: OpportunityStageChangedData };

/** One stay in a stage: when it began, and where from (a move back says why). */
export interface StageVisit {
  readonly stage: string;
  readonly enteredAt: string;
  readonly from?: string;
  readonly backward?: boolean;
  readonly reason?: string;
}

export interface OpportunityFacts {
  readonly pipelineId: string;
  readonly stage: string;
  readonly stageProbability: number;
  readonly probabilityOverride?: number;
  readonly amount?: number;
  readonly currency?: string;
  readonly expectedCloseDate?: string;
  readonly owner?: string;
  readonly team?: string;
  readonly nextStep?: string;
  readonly competitors: readonly string[];
  /** Every stage it was in, in order (the first: where it opened). */
  readonly stageHistory: readonly StageVisit[];
}

/** The win probability in force: the override, or the stage's default. */
export const probabilityOf = (o: Pick<OpportunityFacts, 'probabilityOverride' | 'stageProbability'>) => o.probabilityOverride ?? o.stageProbability;

/** The default pipeline's probability for a stage of Buttle's process (for opportunities opened before pipelines). */
export function legacyStageProbability(stage: string): number {
  return (DEFAULT_STAGE_PROBABILITIES as Record<string, number>)[stage] ?? 0;
}

/** The facts of an opportunity as it opens (also for openings recorded before pipelines existed). */
export function openedOpportunity(data: { stage?: string; pipelineId?: string; stageProbability?: number; openedAt: string }): OpportunityFacts {
  const stage = data.stage ?? SALES_STAGES[0];
  return {
    pipelineId: data.pipelineId ?? DEFAULT_PIPELINE_ID,
    stage,
    stageProbability: data.stageProbability ?? legacyStageProbability(stage),
    competitors: [],
    stageHistory: [{ stage, enteredAt: data.openedAt }],
  };
}

export function evolveOpportunity(
  o: OpportunityFacts,
  event: OpportunityEvent | { type: 'OpportunityStageAdvanced'; data: { to: string; from: string; advancedAt: string } },
): OpportunityFacts {
  switch (event.type) {
    // Recorded before pipelines: a move forward through Buttle's stages.
    case 'OpportunityStageAdvanced':
      return {
        ...o,
        stage: event.data.to,
        stageProbability: legacyStageProbability(event.data.to),
        stageHistory: [...o.stageHistory, { stage: event.data.to, enteredAt: event.data.advancedAt, from: event.data.from }],
      };
    case 'OpportunityStageChanged': {
      const d = event.data;
      return {
        ...o,
        stage: d.to,
        stageProbability: d.stageProbability,
        stageHistory: [
          ...o.stageHistory,
          { stage: d.to, enteredAt: d.changedAt, from: d.from, ...(d.backward && { backward: true }), ...(d.reason !== undefined && { reason: d.reason }) },
        ],
      };
    }
    case 'OpportunityUpdated': {
      const d = event.data;
      const next: { -readonly [K in keyof OpportunityFacts]: OpportunityFacts[K] } = { ...o };
      if (d.amount === null) {
        delete next.amount;
        delete next.currency;
      } else if (d.amount !== undefined) next.amount = d.amount;
      if (d.currency !== undefined && d.amount !== null) next.currency = d.currency;
      if (d.expectedCloseDate !== undefined) setOrClear(next, 'expectedCloseDate', d.expectedCloseDate);
      if (d.owner !== undefined) next.owner = d.owner;
      if (d.team !== undefined) setOrClear(next, 'team', d.team);
      if (d.nextStep !== undefined) setOrClear(next, 'nextStep', d.nextStep);
      if (d.competitors !== undefined) next.competitors = d.competitors;
      if (d.probability !== undefined) setOrClear(next, 'probabilityOverride', d.probability);
      return next;
    }
  }
}

function setOrClear<K extends 'expectedCloseDate' | 'team' | 'nextStep' | 'probabilityOverride'>(
  target: { [P in K]?: OpportunityFacts[P] },
  key: K,
  value: OpportunityFacts[K] | null,
): void {
  if (value === null) delete target[key];
  else target[key] = value;
}

/**
 * The changes that differ from the opportunity as it is (only those are recorded), checked against
 * the rules. An amount and its currency are recorded together whenever either changes.
 */
export function opportunityChanges(o: OpportunityFacts | undefined, wanted: OpportunityChanges): OpportunityChanges {
  const current: Partial<OpportunityFacts> = o ?? {};
  const changes: OpportunityChanges = {};
  if (wanted.amount !== undefined && wanted.amount !== null) {
    if (!Number.isSafeInteger(wanted.amount))
      throw new DomainRuleViolation('amount-in-minor-units', 'an amount is a whole number of minor units (cents, not euros)');
    if (wanted.amount < 0) throw new DomainRuleViolation('negative-amount', 'an amount cannot be negative');
  }
  if (wanted.currency !== undefined && !isCurrencyCode(wanted.currency))
    throw new DomainRuleViolation('unknown-currency', `${wanted.currency} is not an ISO 4217 currency with a minor unit`);
  const amount = wanted.amount === undefined ? current.amount : (wanted.amount ?? undefined);
  const currency = wanted.amount === null ? undefined : (wanted.currency ?? current.currency);
  if (wanted.amount === null) {
    if (wanted.currency !== undefined) throw new DomainRuleViolation('currency-needs-amount', 'a currency without an amount means nothing');
    if (current.amount !== undefined) changes.amount = null;
  } else {
    if (amount !== undefined && currency === undefined) throw new DomainRuleViolation('amount-needs-currency', 'an amount needs its currency');
    if (amount === undefined && wanted.currency !== undefined)
      throw new DomainRuleViolation('currency-needs-amount', 'a currency without an amount means nothing');
    if (amount !== current.amount || currency !== current.currency) Object.assign(changes, { amount, currency });
  }
  if (
    wanted.probability !== undefined &&
    wanted.probability !== null &&
    (!Number.isInteger(wanted.probability) || wanted.probability < 0 || wanted.probability > 100)
  )
    throw new DomainRuleViolation('probability-out-of-range', 'a probability is a whole percentage from 0 to 100');
  if (wanted.owner !== undefined && !wanted.owner.trim()) throw new DomainRuleViolation('owner-needs-name', 'an owner is a staff user id');
  const clearable = [
    ['expectedCloseDate', 'expectedCloseDate'],
    ['team', 'team'],
    ['nextStep', 'nextStep'],
    ['probability', 'probabilityOverride'],
  ] as const;
  for (const [field, fact] of clearable) {
    const value = wanted[field];
    if (value === undefined) continue;
    if ((value ?? undefined) !== current[fact]) Object.assign(changes, { [field]: value });
  }
  if (wanted.owner !== undefined && wanted.owner !== current.owner) changes.owner = wanted.owner;
  if (wanted.competitors !== undefined) {
    if (new Set(wanted.competitors.map((c) => c.trim().toLowerCase())).size !== wanted.competitors.length)
      throw new DomainRuleViolation('competitors-unique', 'a competitor is named twice');
    if (JSON.stringify(wanted.competitors) !== JSON.stringify(current.competitors ?? [])) changes.competitors = wanted.competitors;
  }
  return changes;
}

/** The move to stage `to` of the opportunity's pipeline, checked against the rules (undefined: it is there already). */
export function stageChange(
  o: OpportunityFacts,
  pipeline: Pipeline,
  to: string,
  reason: string | undefined,
): Omit<OpportunityStageChangedData, 'episodeId' | 'customerId' | 'changedAt'> | undefined {
  if (pipeline.pipelineId !== o.pipelineId)
    throw new DomainRuleViolation('wrong-pipeline', `the opportunity moves through pipeline ${o.pipelineId}, not ${pipeline.pipelineId}`);
  const target = stageOf(pipeline, to);
  if (!target) throw new DomainRuleViolation('unknown-stage', `pipeline ${pipeline.name} has no stage ${to}`);
  if (to === o.stage) return undefined; // a retried request: it is there already
  const from = pipeline.stages.findIndex((s) => s.stageId === o.stage);
  const backward = pipeline.stages.indexOf(target) < from;
  const why = reason?.trim() ? reason : undefined;
  if (backward && !why) throw new DomainRuleViolation('backward-move-needs-reason', `moving back from ${o.stage} to ${to} needs a reason`);
  return { pipelineId: o.pipelineId, from: o.stage, to, backward, ...(why !== undefined && { reason: why }), stageProbability: target.probability };
}

/** The stage an opportunity opens in: the one asked for, or the pipeline's first. */
export function openingStage(pipeline: Pipeline | undefined, stage: string | undefined): { pipelineId: string; stage: string; stageProbability: number } {
  const p = pipeline ?? DEFAULT_PIPELINE;
  const s = stage === undefined ? p.stages[0] : stageOf(p, stage);
  if (!s) throw new DomainRuleViolation('unknown-stage', `pipeline ${p.name} has no stage ${stage}`);
  return { pipelineId: p.pipelineId, stage: s.stageId, stageProbability: s.probability };
}

/** Time spent in one stage of the pipeline: every stay added up (a stage left and re-entered counts twice). */
export interface TimeInStage {
  stageId: string;
  name: string;
  probability: number;
  /** Milliseconds. */
  timeSpentMs: number;
  visits: number;
  /** The stage it is in now (open opportunities only). */
  current: boolean;
}

/**
 * How long the opportunity spent in each stage of its pipeline, in the pipeline's order (stages it
 * was never in: 0), until it closed or — while open — until `now`. A stage the pipeline no longer
 * lists in that order comes last.
 */
export function timeInStages(o: OpportunityFacts, pipeline: Pick<Pipeline, 'stages'>, closedAt: string | undefined, now: Date): TimeInStage[] {
  const end = closedAt === undefined ? now.getTime() : Date.parse(closedAt);
  const spent = new Map<string, { ms: number; visits: number }>();
  o.stageHistory.forEach((visit, i) => {
    const next = o.stageHistory[i + 1];
    const until = next ? Date.parse(next.enteredAt) : end;
    const entry = spent.get(visit.stage) ?? { ms: 0, visits: 0 };
    spent.set(visit.stage, { ms: entry.ms + Math.max(0, until - Date.parse(visit.enteredAt)), visits: entry.visits + 1 });
  });
  const listed = pipeline.stages.map((s) => ({ stageId: s.stageId, name: s.name, probability: s.probability }));
  const unlisted = [...spent.keys()]
    .filter((id) => !listed.some((s) => s.stageId === id))
    .map((stageId) => ({ stageId, name: stageId, probability: legacyStageProbability(stageId) }));
  return [...listed, ...unlisted].map((s) => ({
    ...s,
    timeSpentMs: spent.get(s.stageId)?.ms ?? 0,
    visits: spent.get(s.stageId)?.visits ?? 0,
    current: closedAt === undefined && s.stageId === o.stage,
  }));
}
