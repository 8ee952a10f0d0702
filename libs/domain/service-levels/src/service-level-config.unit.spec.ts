import { businessCalendarDecider, serviceLevelPoliciesDecider } from './service-level-config';
import type { ServiceLevelPolicy } from './sla-policy';

const policy: ServiceLevelPolicy = {
  policyId: 'p',
  calendarId: 'berlin',
  firstResponseMinutes: 10,
  nextResponseMinutes: 10,
  resolutionMinutes: 60,
  warningPercent: 80,
};
const set = (policies: ServiceLevelPolicy[], escalations = [], calendars = ['berlin']) => ({
  type: 'SetServiceLevelPolicies' as const,
  data: { policies, escalations, setAt: '2026-11-30T08:00:00.000Z', setBy: 'mia', calendarExists: (id: string) => calendars.includes(id) },
});

describe('service-level configuration', () => {
  it('given known calendars, when the policies are set, then the whole set is recorded', () => {
    const [e] = serviceLevelPoliciesDecider.decide(set([policy]), serviceLevelPoliciesDecider.initialState);
    expect(e).toMatchObject({ type: 'ServiceLevelPoliciesSet', data: { policySetId: 'default', policies: [policy], escalations: [] } });
    expect(serviceLevelPoliciesDecider.evolve(serviceLevelPoliciesDecider.initialState, e).policies).toEqual([policy]);
  });

  it('refuses a policy on an unknown calendar, two policies for the same cases, an id twice, a rule without its team', () => {
    const refused = (command: ReturnType<typeof set>) => {
      try {
        serviceLevelPoliciesDecider.decide(command, serviceLevelPoliciesDecider.initialState);
      } catch (error) {
        return { name: (error as Error).name, problems: (error as { problems: string[] }).problems };
      }
      return undefined;
    };
    expect(refused(set([policy], [], []))).toEqual({ name: 'DomainRuleViolation', problems: ['policies.0.calendarId: no calendar berlin'] });
    expect(refused(set([policy, { ...policy, policyId: 'q' }]))?.problems).toEqual(['policies.1: matches the same cases as policies.0']);
    expect(refused(set([policy, { ...policy, tier: 'gold' }]))?.problems).toEqual(['policies.1.policyId: p is listed twice']);
    expect(refused(set([policy], [{ ruleId: 'r', metric: 'resolution', action: 'reassign' }] as never))?.problems).toEqual([
      'escalations.0.team: a reassignment names the team',
    ]);
  });

  it('refuses to set the built-in 24x7 calendar or a calendar never open', () => {
    const calendar = {
      calendarId: 'x',
      name: 'X',
      timeZone: 'Asia/Jakarta',
      hours: { mon: [{ from: '08:00', to: '17:00' }] },
      holidays: [],
      setAt: 'a',
      setBy: 'b',
    };
    expect(businessCalendarDecider.decide({ type: 'SetBusinessCalendar', data: calendar }, undefined)).toHaveLength(1);
    expect(() => businessCalendarDecider.decide({ type: 'SetBusinessCalendar', data: { ...calendar, calendarId: '24x7' } }, undefined)).toThrow(
      '24x7 is built in',
    );
    expect(() => businessCalendarDecider.decide({ type: 'SetBusinessCalendar', data: { ...calendar, hours: {} } }, undefined)).toThrow('at least one weekday');
  });
});
