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

export type CaseServiceLevelEvent =
  | { type: 'CaseSlaWarning'; data: NoticeData & { warningPercent: number } }
  | { type: 'CaseSlaBreached'; data: NoticeData }
  | {
      type: 'CaseEscalated';
      data: {
        episodeId: string;
        customerId: string;
        ruleId: string;
        metric: SlaMetric;
        cycle: number;
        action: 'reassign' | 'notify';
        team?: string;
        notify?: string;
        at: string;
      };
    };

/** Which notices the case has had (`metric/cycle/kind`): each is recorded once. */
export interface CaseServiceLevelState {
  recorded: ReadonlySet<string>;
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

/**
 * The service-level notices of one case. A notice already recorded is not recorded again (two
 * timers racing, a tick after a stale read model, a retry); a breach sets off the escalation rules
 * for its metric and the customer's tier, in the same append (so the escalation happens exactly when
 * the breach is recorded, and never without it).
 */
export const caseServiceLevelDecider: Decider<CaseServiceLevelState, RecordDueNotices, CaseServiceLevelEvent> = {
  initialState: { recorded: new Set() },
  decide(command, state) {
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
    if (event.type === 'CaseEscalated') return state;
    const kind = event.type === 'CaseSlaWarning' ? 'warning' : 'breach';
    return { recorded: new Set([...state.recorded, noticeKey({ metric: event.data.metric, cycle: event.data.cycle, kind })]) };
  },
};
