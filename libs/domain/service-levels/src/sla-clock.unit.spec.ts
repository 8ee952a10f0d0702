import { TWENTY_FOUR_SEVEN } from './business-calendar';
import { caseServiceLevelDecider } from './case-service-level';
import { dueNotices, evolveCaseFacts, nextNoticeAt, slaClock, type CaseFacts } from './sla-clock';
import { escalationsFor, FALLBACK_POLICY, matchPolicy, type ServiceLevelPolicy } from './sla-policy';

const policy: ServiceLevelPolicy = {
  policyId: 'p',
  calendarId: '24x7',
  firstResponseMinutes: 60,
  nextResponseMinutes: 30,
  resolutionMinutes: 240,
  warningPercent: 80,
};
const T0 = '2026-11-30T08:00:00.000Z';
const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function facts(...events: { type: string; data: unknown }[]): CaseFacts {
  const opened = { type: 'EpisodeOpened', data: { episodeId: 'e1', customerId: 'c1', openedAt: T0, channel: 'phone', episodeType: 'case' } };
  return [opened, ...events].reduce(evolveCaseFacts, undefined as CaseFacts | undefined)!;
}
const interaction = (minutes: number, direction: 'inbound' | 'outbound', kind = 'staff') => ({
  type: 'InteractionRecorded',
  data: { interaction: { direction, occurredAt: plus(minutes), actor: { kind } } },
});
const status = (minutes: number, to: string) => ({ type: 'CaseStatusChanged', data: { to, changedAt: plus(minutes) } });
const closed = (minutes: number) => ({ type: 'EpisodeClosed', data: { closedAt: plus(minutes) } });
const reopened = (minutes: number) => ({ type: 'CaseReopened', data: { reopenedAt: plus(minutes) } });
const clockAt = (f: CaseFacts, minutes: number) => slaClock(f, policy, TWENTY_FOUR_SEVEN, new Date(plus(minutes)));
const of = (clocks: ReturnType<typeof slaClock>, metric: string, cycle = 0) => clocks.find((c) => c.metric === metric && c.cycle === cycle)!;

describe('the SLA clock of a case', () => {
  it('given a new case, then first response and resolution run, due by the targets, warning at 80%', () => {
    const c = clockAt(facts(), 10);
    expect(of(c, 'first-response')).toMatchObject({ state: 'running', dueAt: plus(60), warnAt: plus(48), elapsedMinutes: 10 });
    expect(of(c, 'resolution')).toMatchObject({ state: 'running', dueAt: plus(240) });
    expect(c.filter((x) => x.metric === 'next-response')).toEqual([]);
  });

  it('given no answer, when 80% and then 100% of the target pass, then warning and then breached', () => {
    expect(of(clockAt(facts(), 48), 'first-response').state).toBe('warning');
    expect(of(clockAt(facts(), 60), 'first-response').state).toBe('breached');
  });

  it('given an outbound interaction by staff, then the first response is met; an inbound or a system message does not meet it', () => {
    expect(of(clockAt(facts(interaction(5, 'inbound'), interaction(6, 'outbound', 'system')), 30), 'first-response').state).toBe('running');
    expect(of(clockAt(facts(interaction(20, 'outbound')), 90), 'first-response')).toMatchObject({ state: 'met', met: true, stoppedAt: plus(20) });
    expect(of(clockAt(facts(interaction(70, 'outbound')), 90), 'first-response')).toMatchObject({ state: 'breached', met: false });
  });

  it('given an inbound after the first response, then a next response clock runs until the next outbound by staff', () => {
    const f = facts(
      interaction(10, 'outbound'),
      interaction(20, 'inbound'),
      interaction(25, 'inbound'),
      interaction(40, 'outbound'),
      interaction(50, 'inbound'),
    );
    const c = clockAt(f, 90);
    expect(of(c, 'next-response', 0)).toMatchObject({ state: 'met', startedAt: plus(20), stoppedAt: plus(40) });
    expect(of(c, 'next-response', 1)).toMatchObject({ state: 'breached', startedAt: plus(50), dueAt: plus(80) });
  });

  it('given waiting on the customer, then the clocks are paused and the due time moves by the pause', () => {
    const waiting = facts(status(10, 'waiting-on-customer'));
    expect(of(clockAt(waiting, 100), 'first-response')).toMatchObject({ state: 'paused', dueAt: undefined, elapsedMinutes: 10, pausedMinutes: 90 });
    const resumed = facts(status(10, 'waiting-on-customer'), status(40, 'in-progress'));
    expect(of(clockAt(resumed, 45), 'first-response')).toMatchObject({ state: 'running', dueAt: plus(90), elapsedMinutes: 15, pausedMinutes: 30 });
  });

  it('given a close, then resolution is met, and a reopen restarts resolution with the whole target', () => {
    const f = facts(interaction(5, 'outbound'), closed(100), reopened(300));
    const c = clockAt(f, 310);
    expect(of(c, 'resolution', 0)).toMatchObject({ state: 'met', stoppedAt: plus(100) });
    expect(of(c, 'resolution', 1)).toMatchObject({ state: 'running', startedAt: plus(300), dueAt: plus(540) });
  });
});

describe('the SLA clock in business hours', () => {
  const office = {
    calendarId: 'office',
    timeZone: 'Europe/Berlin',
    hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]])),
    holidays: ['2026-12-25'],
  };
  it('given a case opened on Friday 16:00 in Berlin, then its two-hour first response is due Monday 10:00 and the weekend is not counted', () => {
    const friday = {
      type: 'EpisodeOpened',
      data: { episodeId: 'e', customerId: 'c', openedAt: '2026-11-27T15:00:00.000Z', channel: 'email', episodeType: 'case' },
    };
    const f = evolveCaseFacts(undefined, friday)!;
    const [first] = slaClock(f, { ...policy, firstResponseMinutes: 120 }, office, new Date('2026-11-29T12:00:00.000Z'));
    expect(first).toMatchObject({ state: 'running', dueAt: '2026-11-30T09:00:00.000Z', elapsedMinutes: 60 });
  });
});

describe('notices of the durable timer', () => {
  it('finds warning then breach once each, and the next time one falls due', () => {
    const f = facts();
    const recorded = new Set<string>();
    expect(nextNoticeAt(clockAt(f, 0), recorded)).toBe(plus(48));
    expect(dueNotices(clockAt(f, 47), recorded, new Date(plus(47)))).toEqual([]);
    expect(dueNotices(clockAt(f, 48), recorded, new Date(plus(48)))).toEqual([{ metric: 'first-response', cycle: 0, kind: 'warning', dueAt: plus(48) }]);
    recorded.add('first-response/0/warning');
    expect(nextNoticeAt(clockAt(f, 48), recorded)).toBe(plus(60));
    expect(dueNotices(clockAt(f, 61), recorded, new Date(plus(61))).map((n) => n.kind)).toEqual(['breach']);
  });

  it('a clock met in time has none', () => {
    const f = facts(interaction(10, 'outbound'), closed(20));
    expect(dueNotices(clockAt(f, 500), new Set(), new Date(plus(500)))).toEqual([]);
    expect(nextNoticeAt(clockAt(f, 500), new Set())).toBeUndefined();
  });

  it('the decider records each notice once and a breach sets off the escalation rules of its metric and tier', () => {
    const command = {
      type: 'RecordDueNotices' as const,
      data: {
        episodeId: 'e1',
        customerId: 'c1',
        tier: 'gold' as const,
        policyId: 'p',
        warningPercent: 80,
        notices: [{ metric: 'first-response' as const, cycle: 0, kind: 'breach' as const, dueAt: plus(60), targetMinutes: 60 }],
        escalations: [
          { ruleId: 'to-seniors', metric: 'first-response' as const, tier: 'gold' as const, action: 'reassign' as const, team: 'seniors' },
          { ruleId: 'platinum-only', metric: 'first-response' as const, tier: 'platinum' as const, action: 'notify' as const, notify: 'boss' },
        ],
        at: plus(60),
      },
    };
    const events = caseServiceLevelDecider.decide(command, caseServiceLevelDecider.initialState);
    expect(events.map((e) => e.type)).toEqual(['CaseSlaBreached', 'CaseEscalated']);
    expect(events[1].data).toMatchObject({ ruleId: 'to-seniors', action: 'reassign', team: 'seniors' });
    const after = events.reduce(caseServiceLevelDecider.evolve, caseServiceLevelDecider.initialState);
    expect(caseServiceLevelDecider.decide(command, after)).toEqual([]);
  });
});

describe('matching a policy', () => {
  const p = (policyId: string, o: Partial<ServiceLevelPolicy>): ServiceLevelPolicy => ({ ...policy, policyId, ...o });
  const policies = [
    p('any', {}),
    p('urgent', { priority: 'urgent' }),
    p('platinum', { tier: 'platinum' }),
    p('platinum-phone', { tier: 'platinum', channel: 'phone' }),
  ];

  it('the most specific matching policy wins; tier outweighs priority; nothing matching is the fallback', () => {
    expect(matchPolicy(policies, { tier: 'platinum', priority: 'urgent', channel: 'phone' }).policyId).toBe('platinum-phone');
    expect(matchPolicy(policies, { tier: 'platinum', priority: 'urgent', channel: 'email' }).policyId).toBe('platinum');
    expect(matchPolicy(policies, { tier: 'bronze', priority: 'urgent', channel: 'email' }).policyId).toBe('urgent');
    expect(matchPolicy(policies, { tier: 'bronze', priority: 'low', channel: 'email' }).policyId).toBe('any');
    expect(matchPolicy([], { tier: 'bronze', priority: 'low', channel: 'email' })).toBe(FALLBACK_POLICY);
  });

  it('escalation rules without a tier apply to every tier', () => {
    const rules = [{ ruleId: 'a', metric: 'resolution' as const, action: 'notify' as const, notify: 'lead' }];
    expect(escalationsFor(rules, 'resolution', 'bronze')).toHaveLength(1);
    expect(escalationsFor(rules, 'first-response', 'bronze')).toHaveLength(0);
  });
});
