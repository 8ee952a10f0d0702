import { CUSTOMER_VALUE_TIERS, type CustomerValueTier } from '@crm/kernel';
import type { BusinessCalendar } from './business-calendar';
import { noticeKey, slaClock, type CaseFacts, type MetricClock, type SlaState } from './sla-clock';
import { DEFAULT_VALUE_TIER, type ServiceLevelPolicy } from './sla-policy';

/**
 * The clocks of a case as a read model keeps them: a function of the events alone. The service's SLA
 * read model (the timer's index, `GET /service-levels/attainment`) and analytics' SLA clocks (the
 * `sla-attainment` KPI) both store these, so the two count the same clocks the same way.
 */

/** When the last fact of the case happened: the instant its stored clocks are computed at. */
export function lastFactAt(facts: CaseFacts): Date {
  const times = [
    facts.openedAt,
    ...facts.interactions.map((i) => i.at),
    ...facts.pauses.flatMap((p) => [p.from, p.to ?? p.from]),
    ...facts.closes,
    ...facts.reopens,
  ];
  return new Date(times.reduce((a, b) => (b > a ? b : a)));
}

/** A clock's state by the events alone: met or breached once stopped, else by the notices recorded, else paused or running. */
export function storedState(c: MetricClock, recorded: ReadonlySet<string>, status: string): SlaState {
  if (c.stoppedAt) return c.met ? 'met' : 'breached';
  if (recorded.has(noticeKey({ ...c, kind: 'breach' }))) return 'breached';
  if (recorded.has(noticeKey({ ...c, kind: 'warning' }))) return 'warning';
  return status === 'waiting-on-customer' ? 'paused' : 'running';
}

/**
 * The clocks of a case as of its own latest fact (not the time an event was processed), with their
 * state by the events alone (`storedState`): whatever order events of different streams (case, tier,
 * configuration) arrive in, the same facts give the same clocks. Live states (at a clock's `now`) are
 * `slaClock`'s.
 */
export function recordedClocks(facts: CaseFacts, policy: ServiceLevelPolicy, calendar: BusinessCalendar, recorded: ReadonlySet<string>): MetricClock[] {
  return slaClock(facts, policy, calendar, lastFactAt(facts)).map((c) => ({ ...c, state: storedState(c, recorded, facts.status) }));
}

/** The tier a recorded `CustomerValueTierChanged` gives (anything else, or none: `DEFAULT_VALUE_TIER`). */
export function valueTierOf(tier: string | null | undefined): CustomerValueTier {
  return tier && (CUSTOMER_VALUE_TIERS as readonly string[]).includes(tier) ? (tier as CustomerValueTier) : DEFAULT_VALUE_TIER;
}

/** Whether the case is open: closed as often as reopened (or never closed). */
export const isCaseOpen = (facts: CaseFacts): boolean => facts.closes.length <= facts.reopens.length;

/** The case events a case's SLA facts are folded from (`evolveCaseFacts`). */
export const SLA_CASE_EVENT_TYPES = [
  'EpisodeOpened',
  'InteractionRecorded',
  'EpisodeClosed',
  'CaseStatusChanged',
  'CaseDetailsChanged',
  'CaseAssigned',
  'CaseReopened',
] as const;

/** What a read model of SLA clocks follows: the case events, the timer's notices, the customer's tier and the configuration. */
export const SLA_CLOCK_EVENT_TYPES = [
  ...SLA_CASE_EVENT_TYPES,
  'CaseSlaWarning',
  'CaseSlaBreached',
  'CustomerValueTierChanged',
  'ServiceLevelPoliciesSet',
  'BusinessCalendarSet',
] as const;
