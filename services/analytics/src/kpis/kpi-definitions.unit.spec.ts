import {
  activitiesPerOwner,
  campaignResponse,
  churn,
  computeKpis,
  firstContactResolution,
  median,
  quoteToOrderDays,
  reopenRate,
  retention,
  revenue,
  satisfaction,
  satisfactionScore,
  slaAttainment,
  slaClockEndedAt,
  type KpiFact,
  type SlaClockFact,
  type KpiPeriod,
} from './kpi-definitions';

const fact = (f: Partial<KpiFact> & Pick<KpiFact, 'kind' | 'occurredAt'>): KpiFact => ({
  customerId: 'c1',
  episodeId: null,
  ref: null,
  link: null,
  actor: null,
  detail: null,
  currency: null,
  amount: null,
  ...f,
});
const order = (ref: string, customerId: string, day: string, amount = 1000, currency = 'EUR', link: string | null = null) =>
  fact({ kind: 'order-placed', ref, customerId, occurredAt: `${day}T10:00:00.000Z`, amount, currency, link });
const jan: KpiPeriod = { period: '2026-01', start: '2026-01-01', end: '2026-01-31' };
const feb: KpiPeriod = { period: '2026-02', start: '2026-02-01', end: '2026-02-28' };
const dec: KpiPeriod = { period: '2025-12', start: '2025-12-01', end: '2025-12-31' };
const nov: KpiPeriod = { period: '2025-11', start: '2025-11-01', end: '2025-11-30' };

describe('customer perspective', () => {
  // January: a, b, c, d bought. February: a and c again, e new; d's February order was cancelled.
  const facts = [
    order('o1', 'a', '2026-01-05'),
    order('o2', 'b', '2026-01-06'),
    order('o3', 'c', '2026-01-07'),
    order('o4', 'd', '2026-01-08'),
    order('o5', 'a', '2026-02-02'),
    order('o6', 'c', '2026-02-03'),
    order('o7', 'e', '2026-02-04'),
    order('o8', 'd', '2026-02-05'),
    fact({ kind: 'order-cancelled', ref: 'o8', customerId: 'd', occurredAt: '2026-02-06T00:00:00.000Z', amount: 1000, currency: 'EUR' }),
  ];

  it('retention: 2 of the 4 January buyers bought in February (a cancelled order is no purchase)', () => {
    expect(retention(facts, feb, jan)).toEqual({ value: 0.5, basis: 4 });
  });

  it('churn is its complement over the same base; no base → null, not zero', () => {
    expect(churn(facts, feb, jan)).toEqual({ value: 0.5, basis: 4 });
    expect(retention(facts, jan, dec)).toEqual({ value: null, basis: 0 });
    expect(churn(facts, jan, dec)).toEqual({ value: null, basis: 0 });
  });
});

describe('financial perspective: revenue', () => {
  it('orders dated in the period minus returns dated in it, per currency, cancelled orders nowhere', () => {
    const facts = [
      order('o1', 'a', '2026-01-05', 10000),
      order('o2', 'b', '2026-01-20', 5000),
      order('o3', 'b', '2026-01-21', 7000, 'USD'),
      order('o4', 'c', '2026-01-22', 9999),
      fact({ kind: 'order-cancelled', ref: 'o4', occurredAt: '2026-01-23T00:00:00.000Z', amount: 9999, currency: 'EUR' }),
      fact({ kind: 'order-returned', ref: 'o1', occurredAt: '2026-01-25T00:00:00.000Z', amount: 2500, currency: 'EUR' }),
      // A return in February reduces February, not January.
      fact({ kind: 'order-returned', ref: 'o2', occurredAt: '2026-02-02T00:00:00.000Z', amount: 1000, currency: 'EUR' }),
    ];
    expect(revenue(facts, jan)).toEqual({ value: null, byCurrency: { EUR: 12500, USD: 7000 }, basis: 3 });
    expect(revenue(facts, feb)).toEqual({ value: -1000, byCurrency: { EUR: -1000 }, basis: 0 });
  });
});

describe('process perspective', () => {
  const opened = (id: string, type = 'case') => fact({ kind: 'episode-opened', episodeId: id, detail: type, occurredAt: '2026-01-02T00:00:00.000Z' });
  const interaction = (id: string, at: string) => fact({ kind: 'interaction', episodeId: id, detail: 'inbound', occurredAt: at });
  const closed = (id: string, outcome: string, at: string) => fact({ kind: 'episode-closed', episodeId: id, detail: outcome, occurredAt: at });
  it('first-contact resolution: resolved cases closed in the period with at most one interaction before closing', () => {
    const facts = [
      opened('k1'),
      interaction('k1', '2026-01-03T00:00:00.000Z'),
      closed('k1', 'resolved', '2026-01-03T01:00:00.000Z'), // one contact: first-contact resolution
      opened('k2'),
      interaction('k2', '2026-01-03T00:00:00.000Z'),
      interaction('k2', '2026-01-04T00:00:00.000Z'),
      closed('k2', 'resolved', '2026-01-05T00:00:00.000Z'), // two contacts
      opened('k3'),
      closed('k3', 'resolved', '2026-01-06T00:00:00.000Z'), // none recorded: counts as first contact
      opened('k4'),
      closed('k4', 'unresolved', '2026-01-06T00:00:00.000Z'), // not resolved: not in the base
      opened('o1', 'opportunity'),
      closed('o1', 'won', '2026-01-06T00:00:00.000Z'), // not a case
      interaction('k1', '2026-01-09T00:00:00.000Z'), // after k1's closing: does not change it
    ];
    expect(firstContactResolution(facts, jan)).toEqual({ value: 2 / 3, basis: 3 });
    expect(firstContactResolution(facts, feb)).toEqual({ value: null, basis: 0 });
  });

  describe('reopened cases', () => {
    const reopened = (episodeId: string, occurredAt: string) => fact({ kind: 'case-reopened', episodeId, occurredAt });
    // k1 and k3 resolved at the first contact; k3 is reopened in February (after its January closing).
    const facts = [
      opened('k1'),
      interaction('k1', '2026-01-03T00:00:00.000Z'),
      closed('k1', 'resolved', '2026-01-03T01:00:00.000Z'),
      opened('k3'),
      closed('k3', 'resolved', '2026-01-06T00:00:00.000Z'),
      reopened('k3', '2026-02-02T00:00:00.000Z'),
    ];

    it('given a case resolved at the first contact, when it is reopened later, then it no longer counts as a first-contact resolution', () => {
      expect(firstContactResolution(facts, jan)).toEqual({ value: 1 / 2, basis: 2 });
      // Without the reopening both counted.
      expect(firstContactResolution(facts.slice(0, -1), jan)).toEqual({ value: 1, basis: 2 });
    });

    it('reopen rate: of the cases resolved in the period, the share reopened after that closing', () => {
      expect(reopenRate(facts, jan)).toEqual({ value: 1 / 2, basis: 2 });
      expect(reopenRate(facts.slice(0, -1), jan)).toEqual({ value: 0, basis: 2 });
      expect(reopenRate(facts, feb)).toEqual({ value: null, basis: 0 });
    });

    it('a reopening before the closing it is compared with (an earlier cycle) does not count against that closing', () => {
      const cycle = [
        opened('k5'),
        closed('k5', 'resolved', '2026-01-02T00:00:00.000Z'),
        reopened('k5', '2026-01-03T00:00:00.000Z'),
        closed('k5', 'resolved', '2026-02-04T00:00:00.000Z'),
      ];
      expect(reopenRate(cycle, jan)).toEqual({ value: 1, basis: 1 });
      expect(reopenRate(cycle, feb)).toEqual({ value: 0, basis: 1 });
    });
  });

  describe('satisfaction', () => {
    const rated = (score: number, occurredAt: string) => fact({ kind: 'satisfaction-rated', episodeId: 'k1', amount: score, occurredAt });
    const facts = [
      rated(5, '2026-01-03T00:00:00.000Z'),
      rated(4, '2026-01-04T00:00:00.000Z'),
      rated(3, '2026-01-05T00:00:00.000Z'),
      rated(1, '2026-01-31T23:59:59.000Z'),
      rated(2, '2026-02-01T00:00:00.000Z'),
    ];

    it('given answers 5, 4, 3 and 1 in January, then CSAT is the share of 4–5 answers (2/4) and the average score 13/4', () => {
      expect(satisfaction(facts, jan)).toEqual({ value: 0.5, basis: 4 });
      expect(satisfactionScore(facts, jan)).toEqual({ value: 3.25, basis: 4 });
    });

    it('counts each answer in the period it was given in, and none is none', () => {
      expect(satisfaction(facts, feb)).toEqual({ value: 0, basis: 1 });
      expect(satisfactionScore(facts, feb)).toEqual({ value: 2, basis: 1 });
      expect(satisfaction(facts, dec)).toEqual({ value: null, basis: 0 });
      expect(satisfactionScore(facts, dec)).toEqual({ value: null, basis: 0 });
    });
  });

  it('quote-to-order time: median days from the first draft to the order, over orders dated in the period', () => {
    const drafted = (ref: string, at: string) => fact({ kind: 'quote-drafted', ref, occurredAt: at });
    const facts = [
      drafted('q1', '2026-01-01T10:00:00.000Z'),
      drafted('q2', '2026-01-10T10:00:00.000Z'),
      drafted('q3', '2026-01-20T22:00:00.000Z'),
      order('o1', 'a', '2026-01-03', 1, 'EUR', 'q1'), // 2 days
      order('o2', 'b', '2026-01-20', 1, 'EUR', 'q2'), // 10 days
      order('o3', 'c', '2026-01-21', 1, 'EUR', 'q3'), // 0.5 days
      order('o4', 'd', '2026-01-22'), // not from a quote
    ];
    expect(quoteToOrderDays(facts, jan)).toEqual({ value: 2, basis: 3 });
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('campaign response: touches opened in the period with an inbound interaction', () => {
    const touch = (id: string, day: string) => fact({ kind: 'episode-opened', episodeId: id, detail: 'campaign', occurredAt: `${day}T00:00:00.000Z` });
    const facts = [
      touch('t1', '2026-01-05'),
      touch('t2', '2026-01-05'),
      touch('t3', '2026-01-05'),
      touch('t4', '2026-01-05'),
      touch('t5', '2026-02-05'),
      fact({ kind: 'interaction', episodeId: 't1', detail: 'outbound', occurredAt: '2026-01-05T00:00:00.000Z' }), // the touch itself
      fact({ kind: 'interaction', episodeId: 't1', detail: 'inbound', occurredAt: '2026-02-07T00:00:00.000Z' }), // a response, even in February
      fact({ kind: 'interaction', episodeId: 't2', detail: 'outbound', occurredAt: '2026-01-05T00:00:00.000Z' }),
    ];
    expect(campaignResponse(facts, jan)).toEqual({ value: 0.25, basis: 4 });
    expect(campaignResponse(facts, feb)).toEqual({ value: 0, basis: 1 });
  });
});

describe('people perspective', () => {
  it('activities per owner: completed in the period, the mean over the people who completed any', () => {
    const done = (actor: string, day: string) => fact({ kind: 'activity-completed', actor, occurredAt: `${day}T09:00:00.000Z` });
    const facts = [done('sari', '2026-01-02'), done('sari', '2026-01-03'), done('sari', '2026-01-04'), done('budi', '2026-01-05'), done('budi', '2026-02-01')];
    expect(activitiesPerOwner(facts, jan)).toEqual({ value: 2, basis: 2, byOwner: { sari: 3, budi: 1 } });
  });
});

describe('computeKpis: every perspective, trends, and what is not available', () => {
  const facts = [
    order('o1', 'a', '2025-12-05', 100),
    order('o2', 'a', '2026-01-05', 300),
    order('o3', 'b', '2026-01-06', 50),
    order('o4', 'a', '2026-02-01', 200),
  ];
  const kpis = computeKpis(facts, [jan, feb], [nov, dec]);

  it('lists the four perspectives in order, the unavailable KPIs with a reason and no number', () => {
    expect([...new Set(kpis.map((k) => k.perspective))]).toEqual(['customer', 'financial', 'process', 'people']);
    const unavailable = kpis.filter((k) => !k.available);
    expect(unavailable.map((k) => k.key).sort()).toEqual(['clv', 'profitability', 'share-of-wallet']);
    expect(kpis.filter((k) => k.available).map((k) => k.key)).toEqual(expect.arrayContaining(['satisfaction', 'satisfaction-score', 'reopen-rate']));
    for (const k of unavailable) {
      expect(k).not.toHaveProperty('periods');
      expect(k.available === false && k.reason.length).toBeGreaterThan(10);
    }
  });

  it('trend: the change against the period before, the first period measured against the context', () => {
    const rev = kpis.find((k) => k.key === 'revenue')!;
    expect(rev.available && rev.periods.map((p) => [p.period, p.value, p.change, p.changeByCurrency])).toEqual([
      ['2026-01', 350, 250, { EUR: 250 }],
      ['2026-02', 200, -150, { EUR: -150 }],
    ]);
    const ret = kpis.find((k) => k.key === 'retention')!;
    // January: December's one buyer (a) came back → 1; February: of a and b, only a → 0.5. December itself had no base (November empty): no change for January.
    expect(ret.available && ret.periods.map((p) => [p.value, p.change])).toEqual([
      [1, null],
      [0.5, -0.5],
    ]);
  });
});

describe('process perspective: SLA attainment', () => {
  const clock = (c: Partial<SlaClockFact>): SlaClockFact => ({
    episodeId: 'e1',
    metric: 'first-response',
    cycle: 0,
    tier: 'bronze',
    team: null,
    dueAt: null,
    stoppedAt: null,
    met: null,
    ...c,
  });
  const asOf = '2026-03-01T00:00:00.000Z';

  it('a clock ends when met (at its stop) or when its due time passes unmet (stopped late or still running); within target or paused it has not ended', () => {
    expect(slaClockEndedAt(clock({ met: true, dueAt: '2026-02-10T00:00:00.000Z', stoppedAt: '2026-02-09T00:00:00.000Z' }), asOf)).toBe(
      '2026-02-09T00:00:00.000Z',
    );
    expect(slaClockEndedAt(clock({ met: false, dueAt: '2026-02-10T00:00:00.000Z', stoppedAt: '2026-02-12T00:00:00.000Z' }), asOf)).toBe(
      '2026-02-10T00:00:00.000Z',
    );
    expect(slaClockEndedAt(clock({ dueAt: '2026-02-10T00:00:00.000Z' }), asOf)).toBe('2026-02-10T00:00:00.000Z');
    expect(slaClockEndedAt(clock({ dueAt: '2026-03-02T00:00:00.000Z' }), asOf)).toBeUndefined();
    expect(slaClockEndedAt(clock({ dueAt: null }), asOf)).toBeUndefined();
  });

  it('of the clocks that ended in the period, the share met; per metric, team and tier', () => {
    const clocks = [
      clock({ episodeId: 'e1', met: true, dueAt: '2026-02-01T09:00:00.000Z', stoppedAt: '2026-02-01T08:00:00.000Z', team: 'billing', tier: 'gold' }),
      clock({
        episodeId: 'e1',
        metric: 'resolution',
        met: false,
        dueAt: '2026-02-03T00:00:00.000Z',
        stoppedAt: '2026-02-04T00:00:00.000Z',
        team: 'billing',
        tier: 'gold',
      }),
      // running past its due time: breached
      clock({ episodeId: 'e2', dueAt: '2026-02-20T00:00:00.000Z' }),
      // met on the last day of February
      clock({ episodeId: 'e3', met: true, dueAt: '2026-03-05T00:00:00.000Z', stoppedAt: '2026-02-28T23:59:00.000Z' }),
      // ended in January (met), ended in March (breached), still running, paused without end: not February's
      clock({ episodeId: 'e4', met: true, dueAt: '2026-02-01T09:00:00.000Z', stoppedAt: '2026-01-31T23:00:00.000Z' }),
      clock({ episodeId: 'e5', met: false, dueAt: '2026-03-01T00:00:00.000Z', stoppedAt: '2026-03-01T00:00:00.000Z' }),
      clock({ episodeId: 'e6', dueAt: '2026-04-01T00:00:00.000Z' }),
      clock({ episodeId: 'e7', dueAt: null }),
    ];
    const f = slaAttainment(clocks, feb, asOf);
    expect(f).toMatchObject({ value: 0.5, basis: 4 });
    expect(f.byMetric).toEqual({ 'first-response': { met: 2, breached: 1, attainment: 2 / 3 }, resolution: { met: 0, breached: 1, attainment: 0 } });
    expect(f.byTeam).toEqual({ '(none)': { met: 1, breached: 1, attainment: 0.5 }, billing: { met: 1, breached: 1, attainment: 0.5 } });
    expect(f.byTier).toEqual({ bronze: { met: 1, breached: 1, attainment: 0.5 }, gold: { met: 1, breached: 1, attainment: 0.5 } });
    expect(slaAttainment(clocks, jan, asOf)).toMatchObject({ value: 1, basis: 1 });
  });

  it('asOf: a clock whose due time has not come by then has not ended; no clock ended → null, not zero', () => {
    const running = [clock({ dueAt: '2026-02-20T00:00:00.000Z' })];
    expect(slaAttainment(running, feb, '2026-02-19T00:00:00.000Z')).toMatchObject({ value: null, basis: 0 });
    expect(slaAttainment(running, feb, '2026-02-20T00:00:00.000Z')).toMatchObject({ value: 0, basis: 1 });
  });

  it('is listed as an available process KPI computed from the SLA clocks given to computeKpis', () => {
    const clocks = [clock({ met: true, dueAt: '2026-02-10T00:00:00.000Z', stoppedAt: '2026-02-09T00:00:00.000Z' })];
    const kpi = computeKpis([], [feb], [dec, jan], { slaClocks: clocks, asOf }).find((k) => k.key === 'sla-attainment')!;
    expect(kpi).toMatchObject({ available: true, perspective: 'process', unit: 'ratio' });
    expect(kpi.available && kpi.periods[0]).toMatchObject({ period: '2026-02', value: 1, basis: 1, change: null });
  });
});
