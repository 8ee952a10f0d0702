import type { CustomerValueTier, Decider } from '@crm/kernel';
import { noticeKey, type SlaNotice } from './sla-clock';
import { escalationsFor, type EscalationRule, type SlaMetric } from './sla-policy';

/** The stream of a case's service-level notices: `caseservicelevel-<episodeId>`. */
export const caseServiceLevelStream = (episodeId: string): string => `caseservicelevel-${episodeId}`;

interface NoticeData {
  episodeId: string;
  customerId: string;
  metric: SlaMetric;
  cycle: number;
  policyId: string;
  tier: string;
  team?: string;
  targetMinutes: number;
  dueAt: string;
  at: string;
}

/** An escalation as `CaseEscalated` records it. */
export interface Escalation {
  episodeId: string;
  customerId: string;
  ruleId: string;
  metric: SlaMetric;
  cycle: number;
  action: 'reassign' | 'notify';
  team?: string;
  notify?: string;
  at: string;
}

/** What became of an escalation (`CaseEscalationActed.outcome`). */
export const ESCALATION_OUTCOMES = ['reassigned', 'notified', 'skipped', 'undeliverable', 'failed'] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];
/** The longest `detail` an act records (the contract's bound). */
export const MAX_ESCALATION_DETAIL = 500;

export type CaseServiceLevelEvent =
  | { type: 'CaseSlaWarning'; data: NoticeData & { warningPercent: number } }
  | { type: 'CaseSlaBreached'; data: NoticeData }
  | { type: 'CaseEscalated'; data: Escalation }
  | { type: 'CaseEscalationActed'; data: Escalation & { outcome: EscalationOutcome; detail?: string } };

/** One escalation of a case: its rule, metric and cycle (`metric/cycle/ruleId`). */
export const escalationOf = (e: { ruleId: string; metric: string; cycle: number }): string => `${e.metric}/${e.cycle}/${e.ruleId}`;

/** Which notices the case has had (`metric/cycle/kind`): each is recorded once. */
export interface CaseServiceLevelState {
  recorded: ReadonlySet<string>;
  /** The escalations recorded, by `escalationOf`. */
  escalations: ReadonlyMap<string, Escalation>;
  /** The escalations whose act is recorded (`escalationOf`): each is recorded once. */
  acted: ReadonlySet<string>;
}

export interface RecordDueNotices {
  type: 'RecordDueNotices';
  data: {
    episodeId: string;
    customerId: string;
    tier: CustomerValueTier;
    team?: string;
    policyId: string;
    warningPercent: number;
    /** The notices due now, with the target of their clock. */
    notices: (SlaNotice & { targetMinutes: number })[];
    escalations: readonly EscalationRule[];
    at: string;
  };
}

/** The escalation executor carried out (or gave up) one escalation of the case. */
export interface RecordEscalationActed {
  type: 'RecordEscalationActed';
  data: { ruleId: string; metric: SlaMetric; cycle: number; outcome: EscalationOutcome; detail?: string; at: string };
}

/** An act recorded for an escalation the case never had: the executor's inbox and the store disagree. */
export class EscalationNotRecorded extends Error {
  override readonly name = 'DomainRuleViolation';
  readonly code = 'escalation-not-recorded';
  constructor(key: string) {
    super(`no escalation ${key} recorded on the case`);
  }
}

/** A detail within the contract's bound, not cut inside a surrogate pair (a lone surrogate is no text). */
function boundedDetail(detail: string | undefined): string | undefined {
  const trimmed = detail?.trim();
  if (!trimmed) return undefined;
  if (trimmed.length <= MAX_ESCALATION_DETAIL) return trimmed;
  const cut = trimmed.slice(0, MAX_ESCALATION_DETAIL);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * The service-level notices of one case. A notice already recorded is not recorded again (two
 * timers racing, a tick after a stale read model, a retry); a breach sets off the escalation rules
 * for its metric and the customer's tier, in the same append (so the escalation happens exactly when
 * the breach is recorded, and never without it).
 */
export const caseServiceLevelDecider: Decider<CaseServiceLevelState, RecordDueNotices | RecordEscalationActed, CaseServiceLevelEvent> = {
  initialState: { recorded: new Set(), escalations: new Map(), acted: new Set() },
  decide(command, state) {
    if (command.type === 'RecordEscalationActed') return decideActed(command, state);
    const d = command.data;
    const events: CaseServiceLevelEvent[] = [];
    const seen = new Set(state.recorded);
    for (const n of d.notices) {
      const key = noticeKey(n);
      if (seen.has(key)) continue;
      seen.add(key);
      const data: NoticeData = {
        episodeId: d.episodeId,
        customerId: d.customerId,
        metric: n.metric,
        cycle: n.cycle,
        policyId: d.policyId,
        tier: d.tier,
        ...(d.team && { team: d.team }),
        targetMinutes: n.targetMinutes,
        dueAt: n.dueAt,
        at: d.at,
      };
      if (n.kind === 'warning') events.push({ type: 'CaseSlaWarning', data: { ...data, warningPercent: d.warningPercent } });
      else {
        events.push({ type: 'CaseSlaBreached', data });
        for (const rule of escalationsFor(d.escalations, n.metric, d.tier))
          events.push({
            type: 'CaseEscalated',
            data: {
              episodeId: d.episodeId,
              customerId: d.customerId,
              ruleId: rule.ruleId,
              metric: n.metric,
              cycle: n.cycle,
              action: rule.action,
              ...(rule.action === 'reassign' ? { team: rule.team } : { notify: rule.notify }),
              at: d.at,
            },
          });
      }
    }
    return events;
  },
  evolve(state, event) {
    if (event.type === 'CaseEscalated') return { ...state, escalations: new Map([...state.escalations, [escalationOf(event.data), event.data]]) };
    if (event.type === 'CaseEscalationActed') return { ...state, acted: new Set([...state.acted, escalationOf(event.data)]) };
    const kind = event.type === 'CaseSlaWarning' ? 'warning' : 'breach';
    return { ...state, recorded: new Set([...state.recorded, noticeKey({ metric: event.data.metric, cycle: event.data.cycle, kind })]) };
  },
};

/**
 * The act of an escalation, recorded once: a second record of the same escalation (a retry, a
 * second executor, an inbox rebuilt while the projection lags) records nothing. The event repeats
 * the escalation's own fields from the stream (not from the caller), so it cannot disagree with it;
 * an escalation the case never had is refused.
 */
function decideActed(command: RecordEscalationActed, state: CaseServiceLevelState): CaseServiceLevelEvent[] {
  const d = command.data;
  const key = escalationOf(d);
  if (state.acted.has(key)) return [];
  const escalation = state.escalations.get(key);
  if (!escalation) throw new EscalationNotRecorded(key);
  const detail = boundedDetail(d.detail);
  return [{ type: 'CaseEscalationActed', data: { ...escalation, outcome: d.outcome, ...(detail !== undefined && { detail }), at: d.at } }];
}
