import { CASE_PRIORITIES, type CasePriority } from '@crm/kernel';
import { addBusinessTime, businessMinutesBetween, type BusinessCalendar, type Interval } from './business-calendar';
import type { ServiceLevelPolicy, SlaMetric } from './sla-policy';

/**
 * What the SLA clock of a case is computed from: the facts of its episode stream, folded by
 * `evolveCaseFacts` (the command side and the read model fold the same events the same way).
 */
export interface CaseFacts {
  episodeId: string;
  customerId: string;
  openedAt: string;
  channel: string;
  priority: CasePriority;
  team?: string;
  /** The current status (`CASE_STATUSES`); `new` until a `CaseStatusChanged`. */
  status: string;
  /** Intervals the case waited on the customer (ISO instants; `to` absent: still waiting). */
  pauses: { from: string; to?: string }[];
  /** Interactions in the order recorded: `staffOutbound` answers the customer, `inbound` is the customer. */
  interactions: { at: string; kind: 'inbound' | 'staff-outbound' | 'other' }[];
  /** Each close (`EpisodeClosed`) and reopen (`CaseReopened`) in order: resolution cycles. */
  closes: string[];
  reopens: string[];
}

/** The episode events the clock reads (payloads as the contracts define them). */
export type CaseFactEvent =
  | { type: 'EpisodeOpened'; data: { episodeId: string; customerId: string; openedAt: string; channel?: string; episodeType: string } }
  | { type: 'InteractionRecorded'; data: { interaction: { direction: string; occurredAt: string; actor: { kind: string } } } }
  | { type: 'EpisodeClosed'; data: { closedAt: string } }
  | { type: 'CaseStatusChanged'; data: { to: string; changedAt: string } }
  | { type: 'CaseDetailsChanged'; data: { priority?: string; team?: string | null; changedAt: string } }
  | { type: 'CaseAssigned'; data: { team?: string; assignedAt: string } }
  | { type: 'CaseReopened'; data: { reopenedAt: string } };

const WAITING = 'waiting-on-customer';

/** The facts before the case is opened (`EpisodeOpened` fills them in). */
export const NO_CASE_FACTS: CaseFacts | undefined = undefined;

/**
 * Folds one episode event into the facts. Only a case (`episodeType: case`) has a clock: other
 * episodes stay undefined. Events it does not know leave the facts as they are.
 */
export function evolveCaseFacts(facts: CaseFacts | undefined, event: { type: string; data: unknown }): CaseFacts | undefined {
  const e = event as CaseFactEvent;
  if (e.type === 'EpisodeOpened') {
    if (e.data.episodeType !== 'case') return undefined;
    return {
      episodeId: e.data.episodeId,
      customerId: e.data.customerId,
      openedAt: e.data.openedAt,
      channel: e.data.channel ?? 'other',
      priority: 'normal',
      status: 'new',
      pauses: [],
      interactions: [],
      closes: [],
      reopens: [],
    };
  }
  if (!facts) return facts;
  switch (e.type) {
    case 'InteractionRecorded': {
      const i = e.data.interaction;
      const kind = i.direction === 'inbound' ? 'inbound' : i.direction === 'outbound' && i.actor.kind === 'staff' ? 'staff-outbound' : 'other';
      return { ...facts, interactions: [...facts.interactions, { at: i.occurredAt, kind }] };
    }
    case 'CaseStatusChanged':
      return withStatus(facts, e.data.to, e.data.changedAt);
    case 'CaseDetailsChanged': {
      const next = { ...facts };
      if (e.data.priority && (CASE_PRIORITIES as readonly string[]).includes(e.data.priority)) next.priority = e.data.priority as CasePriority;
      if (e.data.team !== undefined) next.team = e.data.team ?? undefined;
      return next;
    }
    case 'CaseAssigned':
      return e.data.team ? { ...facts, team: e.data.team } : facts;
    case 'EpisodeClosed':
      return { ...withStatus(facts, 'resolved', e.data.closedAt), closes: [...facts.closes, e.data.closedAt] };
    case 'CaseReopened':
      return { ...withStatus(facts, 'reopened', e.data.reopenedAt), reopens: [...facts.reopens, e.data.reopenedAt] };
    default:
      return facts;
  }
}

/** A move to `waiting-on-customer` starts a pause; any move out of it (or a close) ends it. */
function withStatus(facts: CaseFacts, to: string, at: string): CaseFacts {
  const pauses = [...facts.pauses];
  const open = pauses.length > 0 && pauses[pauses.length - 1].to === undefined;
  if (to === WAITING && !open) pauses.push({ from: at });
  if (to !== WAITING && open) pauses[pauses.length - 1] = { ...pauses[pauses.length - 1], to: at };
  return { ...facts, status: to, pauses };
}

export type SlaState = 'running' | 'paused' | 'met' | 'warning' | 'breached';

/** One clock of a case: a metric in one cycle (next response: each unanswered inbound; resolution: each reopen). */
export interface MetricClock {
  metric: SlaMetric;
  /** 0 for the first; next response: the n-th awaited answer; resolution: 0, then one more per reopen. */
  cycle: number;
  state: SlaState;
  targetMinutes: number;
  startedAt: string;
  /** When the target is reached; absent while the clock is stopped by a pause that has not ended. */
  dueAt?: string;
  /** When `warningPercent` of the target is reached; absent as `dueAt`. */
  warnAt?: string;
  /** When it was met or stopped (an answer, a close). */
  stoppedAt?: string;
  /** Whether it was met in time (only once stopped). */
  met?: boolean;
  /** Business minutes run so far (to `stoppedAt` or now), pauses left out. */
  elapsedMinutes: number;
  /** Business minutes the clock stood still waiting on the customer (to `stoppedAt` or now). */
  pausedMinutes: number;
}

/**
 * The clocks of a case at `now` (in this order: first response, each next response, each resolution
 * cycle):
 * - first response: from opening to the first outbound interaction by staff;
 * - next response: from each inbound interaction after the first response that is not answered yet
 *   to the next outbound one by staff (inbounds in a row wait for one answer);
 * - resolution: from opening to the close (`EpisodeClosed`, resolved or unresolved); a reopen starts a
 *   new resolution cycle with the whole target from the reopen (the first cycle keeps its result);
 * - every clock stands still while the case waits on the customer, and outside the calendar's hours;
 * - a close stops the response clocks too (answering by resolving), met when before their due time;
 * - state: `met`/`breached` once stopped; else `breached` past the due time, `paused` while waiting on
 *   the customer, `warning` past `warningPercent`, `running`.
 */
export function slaClock(facts: CaseFacts, policy: ServiceLevelPolicy, calendar: BusinessCalendar, now: Date): MetricClock[] {
  const pauses: Interval[] = facts.pauses.map((p) => ({ from: Date.parse(p.from), to: p.to === undefined ? undefined : Date.parse(p.to) }));
  const clocks: MetricClock[] = [];
  const closeAfter = (at: string): string | undefined => facts.closes.find((c) => c >= at);
  const clock = (metric: SlaMetric, cycle: number, target: number, startedAt: string, answeredAt: string | undefined): MetricClock => {
    const closedAt = closeAfter(startedAt);
    const stoppedAt = [answeredAt, closedAt].filter((x): x is string => x !== undefined).sort()[0];
    const start = new Date(startedAt);
    const end = stoppedAt ? new Date(stoppedAt) : now;
    const dueAt = addBusinessTime(calendar, start, target, pauses);
    const warnAt = addBusinessTime(calendar, start, (target * policy.warningPercent) / 100, pauses);
    const elapsed = businessMinutesBetween(calendar, start, end, pauses);
    const paused = businessMinutesBetween(calendar, start, end) - elapsed;
    const base = {
      metric,
      cycle,
      targetMinutes: target,
      startedAt,
      dueAt: dueAt?.toISOString(),
      warnAt: warnAt?.toISOString(),
      elapsedMinutes: elapsed,
      pausedMinutes: paused,
    };
    if (stoppedAt) {
      const met = dueAt === undefined || stoppedAt <= dueAt.toISOString();
      return { ...base, state: met ? 'met' : 'breached', stoppedAt, met };
    }
    if (dueAt && now.getTime() >= dueAt.getTime()) return { ...base, state: 'breached' };
    if (facts.status === WAITING) return { ...base, state: 'paused' };
    if (warnAt && now.getTime() >= warnAt.getTime()) return { ...base, state: 'warning' };
    return { ...base, state: 'running' };
  };

  const firstAnswer = facts.interactions.find((i) => i.kind === 'staff-outbound' && i.at >= facts.openedAt);
  clocks.push(clock('first-response', 0, policy.firstResponseMinutes, facts.openedAt, firstAnswer?.at));

  if (firstAnswer) {
    let cycle = 0;
    let waitingSince: string | undefined;
    for (const i of facts.interactions) {
      if (i.at < firstAnswer.at) continue;
      if (i.kind === 'inbound' && waitingSince === undefined) waitingSince = i.at;
      else if (i.kind === 'staff-outbound' && waitingSince !== undefined) {
        clocks.push(clock('next-response', cycle++, policy.nextResponseMinutes, waitingSince, i.at));
        waitingSince = undefined;
      }
    }
    if (waitingSince !== undefined) clocks.push(clock('next-response', cycle, policy.nextResponseMinutes, waitingSince, undefined));
  }

  clocks.push(clock('resolution', 0, policy.resolutionMinutes, facts.openedAt, facts.closes[0]));
  facts.reopens.forEach((reopenedAt, i) => {
    const closed = facts.closes.find((c) => c >= reopenedAt);
    clocks.push(clock('resolution', i + 1, policy.resolutionMinutes, reopenedAt, closed));
  });
  return clocks;
}

/** A notice the durable timer records: a warning or a breach of one clock. */
export interface SlaNotice {
  metric: SlaMetric;
  cycle: number;
  kind: 'warning' | 'breach';
  dueAt: string;
}

/** The key a notice is recorded once under (per case). */
export const noticeKey = (n: Pick<SlaNotice, 'metric' | 'cycle' | 'kind'>): string => `${n.metric}/${n.cycle}/${n.kind}`;

/**
 * The notices due at `now` that are not recorded yet, warning before breach: a running clock past its
 * warning time, a running or paused clock past its due time. A clock that was met or stopped in time
 * gets none; one stopped late still gets its breach (the timer may have been down at the due time).
 */
export function dueNotices(clocks: readonly MetricClock[], recorded: ReadonlySet<string>, now: Date): SlaNotice[] {
  const notices: SlaNotice[] = [];
  const t = now.toISOString();
  for (const c of clocks) {
    if (c.met) continue;
    const limit = c.stoppedAt ?? t;
    const key = { metric: c.metric, cycle: c.cycle };
    if (c.warnAt && c.warnAt <= t && (!c.stoppedAt || c.warnAt < c.stoppedAt) && !recorded.has(noticeKey({ ...key, kind: 'warning' })))
      notices.push({ ...key, kind: 'warning', dueAt: c.warnAt });
    if (c.dueAt && c.dueAt <= limit && c.dueAt <= t && !recorded.has(noticeKey({ ...key, kind: 'breach' })))
      notices.push({ ...key, kind: 'breach', dueAt: c.dueAt });
  }
  return notices;
}

/** The earliest instant a notice not recorded yet falls due (for the timer's index); undefined: none pending. */
export function nextNoticeAt(clocks: readonly MetricClock[], recorded: ReadonlySet<string>): string | undefined {
  let next: string | undefined;
  for (const c of clocks) {
    if (c.met) continue;
    const key = { metric: c.metric, cycle: c.cycle };
    const candidates = [
      !recorded.has(noticeKey({ ...key, kind: 'warning' })) ? c.warnAt : undefined,
      !recorded.has(noticeKey({ ...key, kind: 'breach' })) ? c.dueAt : undefined,
    ];
    // A clock stopped late keeps the notices that fell due before it stopped (the timer may have been down then).
    for (const at of candidates) if (at && (!c.stoppedAt || at < c.stoppedAt) && (next === undefined || at < next)) next = at;
  }
  return next;
}
