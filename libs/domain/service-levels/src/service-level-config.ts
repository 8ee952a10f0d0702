import type { Decider } from '@crm/kernel';
import { calendarProblems, TWENTY_FOUR_SEVEN, type BusinessCalendar } from './business-calendar';
import { policyProblems, type EscalationRule, type ServiceLevelPolicy } from './sla-policy';

/** The stream of the service-level policies and escalation rules (one set for the company). */
export const SERVICE_LEVEL_POLICIES_STREAM = 'service-level-policies';
/** The stream of one business calendar: `businesscalendar-<calendarId>`. */
export const businessCalendarStream = (calendarId: string): string => `businesscalendar-${calendarId}`;

/** A rule of the configuration broken: the field it is about, and why. */
export class ServiceLevelConfigRejected extends Error {
  override readonly name = 'DomainRuleViolation';
  readonly code = 'invalid-service-level-configuration';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export interface ServiceLevelPolicies {
  policies: ServiceLevelPolicy[];
  escalations: EscalationRule[];
}

export type ServiceLevelPoliciesEvent = {
  type: 'ServiceLevelPoliciesSet';
  data: { policySetId: 'default'; policies: ServiceLevelPolicy[]; escalations: EscalationRule[]; setAt: string; setBy: string };
};

export interface SetServiceLevelPolicies {
  type: 'SetServiceLevelPolicies';
  data: ServiceLevelPolicies & { setAt: string; setBy: string; calendarExists: (calendarId: string) => boolean };
}

/** Policies and escalation rules: each change records the whole set. A policy's calendar must exist. */
export const serviceLevelPoliciesDecider: Decider<ServiceLevelPolicies, SetServiceLevelPolicies, ServiceLevelPoliciesEvent> = {
  initialState: { policies: [], escalations: [] },
  decide(command) {
    const d = command.data;
    const problems = policyProblems(d.policies, d.escalations);
    d.policies.forEach((p, i) => {
      if (!d.calendarExists(p.calendarId)) problems.push(`policies.${i}.calendarId: no calendar ${p.calendarId}`);
    });
    if (problems.length > 0) throw new ServiceLevelConfigRejected(problems);
    return [
      { type: 'ServiceLevelPoliciesSet', data: { policySetId: 'default', policies: d.policies, escalations: d.escalations, setAt: d.setAt, setBy: d.setBy } },
    ];
  },
  evolve(_state, event) {
    return { policies: event.data.policies, escalations: event.data.escalations };
  },
};

export type BusinessCalendarEvent = {
  type: 'BusinessCalendarSet';
  data: BusinessCalendar & { name: string; setAt: string; setBy: string };
};

export interface SetBusinessCalendar {
  type: 'SetBusinessCalendar';
  data: BusinessCalendar & { name: string; setAt: string; setBy: string };
}

/** A calendar as it is now; undefined until set (`24x7` is built in and cannot be set). */
export type BusinessCalendarState = (BusinessCalendar & { name: string }) | undefined;

export const businessCalendarDecider: Decider<BusinessCalendarState, SetBusinessCalendar, BusinessCalendarEvent> = {
  initialState: undefined,
  decide(command) {
    const d = command.data;
    const problems = calendarProblems(d);
    if (d.calendarId === TWENTY_FOUR_SEVEN.calendarId) problems.unshift('calendarId: 24x7 is built in');
    if (problems.length > 0) throw new ServiceLevelConfigRejected(problems);
    return [{ type: 'BusinessCalendarSet', data: { ...d } }];
  },
  evolve(_state, event) {
    const { setAt: _a, setBy: _b, ...calendar } = event.data;
    return calendar;
  },
};
