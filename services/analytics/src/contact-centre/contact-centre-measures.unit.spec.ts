import { caseHistories, contactCentreMeasures, staffedHours, teamEfficiencyUnits, type ContactCentreFact, type MeasureWindow } from './contact-centre-measures';

const fact = (kind: ContactCentreFact['kind'], occurredAt: string, x: Partial<ContactCentreFact> = {}): ContactCentreFact => ({
  kind,
  occurredAt,
  episodeId: null,
  agentId: null,
  data: {},
  ...x,
});
const march: MeasureWindow = { start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z'), asOf: new Date('2026-05-01T00:00:00Z') };

/** A case: opened on `channel` at `day`, `inbound` inbound contacts, assigned to team, resolved at `resolvedAt`. */
const kase = (id: string, o: { channel?: string; inbound?: number; team?: string; resolvedAt?: string; reopenedAt?: string; outcome?: string }) => [
  fact('case-opened', '2026-03-02T09:00:00Z', { episodeId: id, data: { channel: o.channel ?? 'phone' } }),
  ...Array.from({ length: o.inbound ?? 1 }, (_, k) => fact('contact', `2026-03-02T09:0${k + 1}:00Z`, { episodeId: id, data: { direction: 'inbound' } })),
  fact('contact', '2026-03-02T09:30:00Z', { episodeId: id, data: { direction: 'outbound' } }),
  ...(o.team ? [fact('case-assigned', '2026-03-02T09:10:00Z', { episodeId: id, agentId: 'a1', data: { team: o.team } })] : []),
  ...(o.resolvedAt ? [fact('case-closed', o.resolvedAt, { episodeId: id, data: { outcome: o.outcome ?? 'resolved' } })] : []),
  ...(o.reopenedAt ? [fact('case-reopened', o.reopenedAt, { episodeId: id })] : []),
];

describe('first-contact resolution and reopen rate', () => {
  it('given a case resolved after one inbound contact (outbound ones do not count), then it is a first-contact resolution', () => {
    const [m] = contactCentreMeasures(kase('c1', { inbound: 1, resolvedAt: '2026-03-03T00:00:00Z' }), march, 'none');
    expect(m.cases).toEqual({ resolved: 1, firstContactResolutions: 1, firstContactResolutionRate: 1, reopened: 0, reopenRate: 0 });
  });

  it('given a second inbound contact before the resolution, then it is not', () => {
    const [m] = contactCentreMeasures(kase('c1', { inbound: 2, resolvedAt: '2026-03-03T00:00:00Z' }), march, 'none');
    expect(m.cases.firstContactResolutions).toBe(0);
    expect(m.cases.resolved).toBe(1);
  });

  it('given the customer answers after the resolution (the survey), then the case stays a first-contact resolution', () => {
    const facts = [
      ...kase('c1', { resolvedAt: '2026-03-03T00:00:00Z' }),
      fact('contact', '2026-03-04T00:00:00Z', { episodeId: 'c1', data: { direction: 'inbound' } }),
    ];
    expect(contactCentreMeasures(facts, march, 'none')[0].cases.firstContactResolutions).toBe(1);
  });

  it('given a resolved case reopened later (even after the window), then it counts as reopened and not as a first-contact resolution', () => {
    const facts = [
      ...kase('c1', { resolvedAt: '2026-03-03T00:00:00Z', reopenedAt: '2026-04-10T00:00:00Z' }),
      ...kase('c2', { resolvedAt: '2026-03-05T00:00:00Z' }),
    ];
    const [m] = contactCentreMeasures(facts, march, 'none');
    expect(m.cases).toEqual({ resolved: 2, firstContactResolutions: 1, firstContactResolutionRate: 0.5, reopened: 1, reopenRate: 0.5 });
  });

  it('given a case closed unresolved or resolved outside the window, then it is not counted', () => {
    const facts = [...kase('c1', { resolvedAt: '2026-03-03T00:00:00Z', outcome: 'unresolved' }), ...kase('c2', { resolvedAt: '2026-04-01T00:00:00Z' })];
    expect(contactCentreMeasures(facts, march, 'none')[0].cases.resolved).toBe(0);
  });

  it('groups by the team at resolution and by the channel the case came in on', () => {
    const facts = [
      ...kase('c1', { team: 'billing', channel: 'email', resolvedAt: '2026-03-03T00:00:00Z' }),
      ...kase('c2', { team: 'repairs', channel: 'phone', resolvedAt: '2026-03-03T00:00:00Z' }),
      fact('case-assigned', '2026-03-04T00:00:00Z', { episodeId: 'c2', agentId: 'a9', data: { team: 'billing' } }), // after the resolution
    ];
    expect(contactCentreMeasures(facts, march, 'team').map((m) => [m.group, m.cases.resolved])).toEqual([
      ['billing', 1],
      ['repairs', 1],
    ]);
    expect(contactCentreMeasures(facts, march, 'channel').map((m) => m.group)).toEqual(['email', 'phone']);
    expect(caseHistories(facts).get('c2')!.team).toBe('repairs');
  });

  it("given a case released to another team's queue before its resolution, then it counts for that team and for no agent", () => {
    const facts = [
      ...kase('c1', { team: 'billing', resolvedAt: '2026-03-05T00:00:00Z' }),
      fact('case-unassigned', '2026-03-03T00:00:00Z', { episodeId: 'c1', data: { team: 'escalations' } }),
      ...kase('c2', { team: 'billing', resolvedAt: '2026-03-05T00:00:00Z' }),
      fact('case-unassigned', '2026-03-06T00:00:00Z', { episodeId: 'c2', data: { team: null } }), // after the resolution
    ];
    expect(caseHistories(facts).get('c1')).toMatchObject({ team: 'escalations', agentId: null });
    expect(caseHistories(facts).get('c2')).toMatchObject({ team: 'billing', agentId: 'a1' });
    expect(contactCentreMeasures(facts, march, 'team').map((m) => [m.group, m.cases.resolved])).toEqual([
      ['billing', 1],
      ['escalations', 1],
    ]);
  });
});

describe('calls: handle time, abandonment, containment', () => {
  const call = (at: string, data: Record<string, unknown>) =>
    fact('call-ended', at, { data: { team: 'billing', answered: false, abandoned: false, handleSeconds: 0, containedInIvr: false, ...data } });
  it('AHT is over answered calls; abandonment over the calls that wanted an agent (not those the IVR contained)', () => {
    const facts = [
      call('2026-03-02T10:00:00Z', { answered: true, handleSeconds: 300 }),
      call('2026-03-02T11:00:00Z', { answered: true, handleSeconds: 100 }),
      call('2026-03-02T12:00:00Z', { abandoned: true }),
      call('2026-03-02T13:00:00Z', { containedInIvr: true }),
      call('2026-04-02T13:00:00Z', { answered: true, handleSeconds: 9999 }), // another month
    ];
    const [m] = contactCentreMeasures(facts, march, 'team');
    expect(m.group).toBe('billing');
    expect(m.calls).toEqual({
      offered: 4,
      containedInIvr: 1,
      containmentRate: 0.25,
      abandoned: 1,
      abandonmentRate: 0.3333,
      answered: 2,
      averageHandleSeconds: 200,
    });
  });
});

describe('CSAT', () => {
  it('is the share of answers of 4 or 5, with the mean score, by the case’s team', () => {
    const facts = [
      ...kase('c1', { team: 'billing', resolvedAt: '2026-03-03T00:00:00Z' }),
      ...[5, 4, 2].map((score, k) => fact('rated', `2026-03-0${4 + k}T00:00:00Z`, { episodeId: 'c1', data: { score } })),
    ];
    const [m] = contactCentreMeasures(facts, march, 'team');
    expect(m.satisfaction).toEqual({ answers: 3, satisfied: 2, csat: 0.6667, meanScore: 3.6667 });
  });
});

describe('staffed hours', () => {
  it('counts time not offline, split at the window bounds, from the presence in force at the start', () => {
    const facts = [
      fact('presence', '2026-02-28T22:00:00Z', { agentId: 'a1', data: { presence: 'available' } }), // 2 h before the window: not counted
      fact('presence', '2026-03-01T02:00:00Z', { agentId: 'a1', data: { presence: 'away' } }), // away counts (not offline)
      fact('presence', '2026-03-01T03:00:00Z', { agentId: 'a1', data: { presence: 'offline' } }),
      fact('presence', '2026-03-31T23:00:00Z', { agentId: 'a1', data: { presence: 'busy' } }), // 1 h to the end, the rest is April
      fact('presence', '2026-03-10T08:00:00Z', { agentId: 'a2', data: { presence: 'offline' } }),
    ];
    const h = staffedHours(facts, march);
    expect(h.get('a1')).toBe(3 + 1);
    expect(h.has('a2')).toBe(false);
  });

  it('stops at asOf (presence after it has not happened yet)', () => {
    const facts = [fact('presence', '2026-03-01T00:00:00Z', { agentId: 'a1', data: { presence: 'available' } })];
    expect(staffedHours(facts, { ...march, asOf: new Date('2026-03-01T05:00:00Z') }).get('a1')).toBe(5);
  });
});

describe('teams as DEA units', () => {
  const profile = (agentId: string, teams: string[], hourlyCost: number | null = 1000, currency: string | null = 'EUR') =>
    fact('agent-profile', '2026-01-01T00:00:00Z', { agentId, data: { teams, hourlyCost, currency, active: true } });
  const shift = (agentId: string, from: string, to: string) => [
    fact('presence', from, { agentId, data: { presence: 'available' } }),
    fact('presence', to, { agentId, data: { presence: 'offline' } }),
  ];
  it('inputs agents, staffed hours and cost (shared agents split), outputs from the cases; a team without staffed hours is excluded with the reason', () => {
    const facts = [
      profile('a1', ['billing']),
      profile('a2', ['billing', 'repairs'], 2000),
      ...shift('a1', '2026-03-02T08:00:00Z', '2026-03-02T16:00:00Z'),
      ...shift('a2', '2026-03-02T08:00:00Z', '2026-03-02T12:00:00Z'),
      ...kase('c1', { team: 'billing', resolvedAt: '2026-03-03T00:00:00Z' }),
      ...kase('c2', { team: 'support', resolvedAt: '2026-03-03T00:00:00Z' }),
    ];
    const u = teamEfficiencyUnits(facts, march);
    expect(u.inputs).toEqual(['agents', 'staffedHours', 'cost']);
    expect(u.currency).toBe('EUR');
    expect(u.units).toEqual([
      { name: 'billing', inputs: [1.5, 10, 8 * 1000 + 2 * 2000], outputs: [1, 1, 0] },
      { name: 'repairs', inputs: [0.5, 2, 2 * 2000], outputs: [0, 0, 0] },
    ]);
    expect(u.excluded).toEqual([{ name: 'support', reason: expect.stringContaining('no staffed hours') }]);
  });

  it('with nobody staffed: no units, every team with cases excluded, and a note saying why', () => {
    const u = teamEfficiencyUnits(kase('c1', { team: 'billing', resolvedAt: '2026-03-03T00:00:00Z' }), march);
    expect(u.units).toEqual([]);
    expect(u.excluded.map((e) => e.name)).toEqual(['billing']);
    expect(u.notes).toEqual([expect.stringContaining('no agent was staffed')]);
  });

  it('leaves cost out, saying why, when an agent has no hourly cost', () => {
    const facts = [profile('a1', ['billing'], null, null), ...shift('a1', '2026-03-02T08:00:00Z', '2026-03-02T16:00:00Z')];
    const u = teamEfficiencyUnits(facts, march);
    expect(u.inputs).toEqual(['agents', 'staffedHours']);
    expect(u.units[0].inputs).toEqual([1, 8]);
    expect(u.notes).toEqual([expect.stringContaining('no hourly cost')]);
  });
});
