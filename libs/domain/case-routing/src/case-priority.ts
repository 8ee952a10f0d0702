import type { CasePriority as CasePriorityLevel, CaseSeverity, CustomerValueTier } from '@crm/kernel';

/**
 * Queue priority: how soon a waiting case is offered, higher first. A pure function of
 *
 *   priority = tier points + SLA points + severity points + case priority points + waiting points
 *
 * - tier points: platinum 40, gold 30, silver 20, bronze 10 — the customer's value tier from
 *   analytics (`CustomerValueTierChanged`); a customer analytics has not scored counts as
 *   `DEFAULT_TIER` (bronze: no evidence of value yet), and the parts say so (`tierSource: 'default'`).
 * - SLA points: 0 … 50 by the minutes left until the case's nearest due time: none while 4 hours or
 *   more are left, rising linearly to 50 at the due time, 50 once breached; rounded to whole points.
 *   Unknown (no SLA, or none computed yet) is neutral: 0, as if the due time were far away.
 * - severity points: critical 25, major 10, minor 0.
 * - case priority points: urgent 20, high 10, normal 0, low −5 — the case's own `priority`
 *   (`CaseDetailsChanged`, default `normal`), what the agent or customer said about its urgency.
 *   Smaller than the tier steps it must not swamp: an urgent bronze case (30) overtakes a normal
 *   bronze (10) or silver (20) one, ties a normal gold one (30, then waiting decides), but not a
 *   normal platinum one (40); with equal case priorities the tier order holds unchanged. Low is
 *   below zero so a low case falls behind a normal one of its tier, yet never below any tier's
 *   floor (bronze 10 − 5 = 5 > 0).
 * - waiting points: w / (w + 60) for w minutes waited, in [0, 1) — always less than the one whole
 *   point every other part moves in, so it only breaks ties (and among ties, longer waiting first).
 *
 * So a platinum customer's case (40) overtakes a bronze one's (10) of the same severity, case
 * priority and SLA state; a bronze case 93 minutes or less from its due time (10 + 31 or more) overtakes a platinum
 * case with no SLA pressure; a breached bronze case (60) overtakes a minor platinum case (40) but not
 * a critical platinum one (65). docs/service.md "Routing" has the worked examples.
 */

export const TIER_POINTS: Readonly<Record<CustomerValueTier, number>> = { platinum: 40, gold: 30, silver: 20, bronze: 10 };
export const SEVERITY_POINTS: Readonly<Record<CaseSeverity, number>> = { critical: 25, major: 10, minor: 0 };
export const CASE_PRIORITY_POINTS: Readonly<Record<CasePriorityLevel, number>> = { urgent: 20, high: 10, normal: 0, low: -5 };
/** A customer analytics has not scored yet. */
export const DEFAULT_TIER: CustomerValueTier = 'bronze';
/** The SLA starts to count this many minutes before the due time. */
export const SLA_HORIZON_MINUTES = 240;
export const SLA_MAX_POINTS = 50;
/** Minutes of waiting at which the tie-breaker is half-way to its bound of 1. */
export const WAITING_HALF_MINUTES = 60;

export interface PriorityInput {
  /** Undefined or null: not scored by analytics (the default tier applies). */
  tier?: CustomerValueTier | null;
  /** Minutes until the nearest SLA due time (negative: breached); undefined or null: unknown. */
  slaMinutesLeft?: number | null;
  /** Default `minor` (the case contract's default). */
  severity?: CaseSeverity | null;
  /** The case's own priority; default `normal` (the case contract's default). */
  casePriority?: CasePriorityLevel | null;
  /** Since when the case waits for an agent. */
  waitingSince: string;
}

export interface PriorityParts {
  tier: CustomerValueTier;
  tierSource: 'analytics' | 'default';
  tierPoints: number;
  slaMinutesLeft: number | null;
  slaPoints: number;
  severity: CaseSeverity;
  severityPoints: number;
  casePriority: CasePriorityLevel;
  casePriorityPoints: number;
  waitingMinutes: number;
  waitingPoints: number;
}

export interface CasePriority {
  /** The sum of the parts, to 4 decimals. */
  priority: number;
  parts: PriorityParts;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** SLA points for the minutes left (see above). */
export function slaPoints(minutesLeft: number | null | undefined): number {
  if (minutesLeft === undefined || minutesLeft === null || !Number.isFinite(minutesLeft)) return 0;
  if (minutesLeft <= 0) return SLA_MAX_POINTS;
  return Math.round(SLA_MAX_POINTS * Math.max(0, 1 - minutesLeft / SLA_HORIZON_MINUTES));
}

/** Waiting points: below 1 however long, never negative (a clock behind the case's start counts 0). */
export function waitingPoints(waitingMinutes: number): number {
  const w = Math.max(0, waitingMinutes);
  return Math.min(0.9999, round(w / (w + WAITING_HALF_MINUTES), 4));
}

export function casePriority(input: PriorityInput, now: Date): CasePriority {
  const tier = input.tier ?? DEFAULT_TIER;
  const severity = input.severity ?? 'minor';
  const level = input.casePriority ?? 'normal';
  const waitingMinutes = Math.max(0, (now.getTime() - Date.parse(input.waitingSince)) / 60_000);
  const parts: PriorityParts = {
    tier,
    tierSource: input.tier ? 'analytics' : 'default',
    tierPoints: TIER_POINTS[tier],
    slaMinutesLeft: input.slaMinutesLeft ?? null,
    slaPoints: slaPoints(input.slaMinutesLeft),
    severity,
    severityPoints: SEVERITY_POINTS[severity],
    casePriority: level,
    casePriorityPoints: CASE_PRIORITY_POINTS[level],
    waitingMinutes: round(waitingMinutes, 1),
    waitingPoints: waitingPoints(waitingMinutes),
  };
  return { priority: round(parts.tierPoints + parts.slaPoints + parts.severityPoints + parts.casePriorityPoints + parts.waitingPoints, 4), parts };
}

/** The parts in words, for an offer's and an assignment's reason. */
export function describePriority({ priority, parts: p }: CasePriority): string {
  const sla = p.slaMinutesLeft === null ? 'SLA unknown' : p.slaMinutesLeft <= 0 ? 'SLA breached' : `${Math.round(p.slaMinutesLeft)} min of SLA left`;
  return (
    `priority ${priority}: ${p.tier}${p.tierSource === 'default' ? ' (not scored)' : ''} ${p.tierPoints}` +
    ` + ${sla} ${p.slaPoints} + ${p.severity} ${p.severityPoints} + ${p.casePriority} priority ${p.casePriorityPoints} + waited ${Math.round(p.waitingMinutes)} min ${p.waitingPoints}`
  );
}
