import { TWENTY_FOUR_SEVEN } from './business-calendar';
import { isCaseOpen, lastFactAt, recordedClocks, valueTierOf } from './recorded-clocks';
import { evolveCaseFacts, type CaseFacts } from './sla-clock';
import type { ServiceLevelPolicy } from './sla-policy';

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
const outbound = (minutes: number) => ({
  type: 'InteractionRecorded',
  data: { interaction: { direction: 'outbound', occurredAt: plus(minutes), actor: { kind: 'staff' } } },
});
const status = (minutes: number, to: string) => ({ type: 'CaseStatusChanged', data: { to, changedAt: plus(minutes) } });
const closed = (minutes: number) => ({ type: 'EpisodeClosed', data: { closedAt: plus(minutes) } });
const reopened = (minutes: number) => ({ type: 'CaseReopened', data: { reopenedAt: plus(minutes) } });
const of = (f: CaseFacts, recorded: string[], metric: string) =>
  recordedClocks(f, policy, TWENTY_FOUR_SEVEN, new Set(recorded)).find((c) => c.metric === metric)!;

describe('clocks as a read model records them (a function of the events alone)', () => {
  it('given the facts of a case, then they are computed as of its latest fact, whatever the time of processing', () => {
    const f = facts(outbound(10), status(20, 'waiting-on-customer'), status(90, 'in-progress'));
    expect(lastFactAt(f).toISOString()).toBe(plus(90));
    expect(of(f, [], 'resolution')).toMatchObject({ state: 'running', elapsedMinutes: 20, pausedMinutes: 70, dueAt: plus(310) });
  });

  it('given a clock past its due time with no breach recorded, then it is running: only the recorded notice makes it breached', () => {
    const f = facts(status(70, 'in-progress')); // the due time (60) has passed by the latest fact
    expect(of(f, [], 'first-response').state).toBe('running');
    expect(of(f, ['first-response/0/warning'], 'first-response').state).toBe('warning');
    expect(of(f, ['first-response/0/warning', 'first-response/0/breach'], 'first-response').state).toBe('breached');
  });

  it('given a stopped clock, then it is met or breached by its stop against its due time, notices aside', () => {
    expect(of(facts(outbound(30)), [], 'first-response')).toMatchObject({ state: 'met', met: true, stoppedAt: plus(30) });
    expect(of(facts(outbound(61)), ['first-response/0/warning'], 'first-response')).toMatchObject({ state: 'breached', met: false, dueAt: plus(60) });
  });

  it('given waiting on the customer, then a running clock is paused', () => {
    expect(of(facts(status(5, 'waiting-on-customer')), [], 'first-response').state).toBe('paused');
  });

  it('a case is open until closed, and again after a reopen', () => {
    expect(isCaseOpen(facts())).toBe(true);
    expect(isCaseOpen(facts(closed(10)))).toBe(false);
    expect(isCaseOpen(facts(closed(10), reopened(20)))).toBe(true);
  });

  it('an unknown or missing tier is the default tier', () => {
    expect(valueTierOf('platinum')).toBe('platinum');
    expect(valueTierOf('diamond')).toBe('bronze');
    expect(valueTierOf(null)).toBe('bronze');
  });
});
