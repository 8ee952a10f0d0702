import { decideExchangeRates, evolveExchangeRates, exchangeRatesDecider, type ExchangeRates } from './exchange-rates';
import { buildForecast, categoriesOf, isoWeekOf, periodOf, periodsBetween, type ForecastItem, type ForecastOptions } from './forecast';

const rates: ExchangeRates = decideExchangeRates(
  {
    type: 'SetExchangeRates',
    data: {
      reportingCurrency: 'EUR',
      effectiveDate: '2026-01-01',
      rates: [
        { currency: 'USD', rate: '0.9' },
        { currency: 'JPY', rate: '0.0062' },
      ],
      setBy: 'mira',
      setAt: '2026-01-01T00:00:00Z',
    },
  },
  exchangeRatesDecider.initialState,
).reduce(evolveExchangeRates, exchangeRatesDecider.initialState);

const item = (over: Partial<ForecastItem>): ForecastItem => ({
  pipelineId: 'p1',
  owner: 'sari',
  team: 'jkt',
  status: 'open',
  probability: 50,
  amount: 100_000,
  currency: 'EUR',
  day: '2026-02-15',
  ...over,
});
const options = (over: Partial<ForecastOptions> = {}): ForecastOptions => ({
  period: 'quarter',
  from: '2026-01-01',
  to: '2026-06-30',
  reportingCurrency: 'EUR',
  rates,
  ratesDay: '2026-03-01',
  bestCaseFrom: 40,
  commitFrom: 70,
  ...over,
});

describe('forecast', () => {
  it('categories by the probability in force: every open one is pipeline; best case from 40 %, commit from 70 % (commit ⊆ best case ⊆ pipeline)', () => {
    expect(categoriesOf(0)).toEqual(['pipeline']);
    expect(categoriesOf(39)).toEqual(['pipeline']);
    expect(categoriesOf(40)).toEqual(['pipeline', 'bestCase']);
    expect(categoriesOf(69)).toEqual(['pipeline', 'bestCase']);
    expect(categoriesOf(70)).toEqual(['pipeline', 'bestCase', 'commit']);
    expect(categoriesOf(100)).toEqual(['pipeline', 'bestCase', 'commit']);
    expect(categoriesOf(30, { bestCaseFrom: 20, commitFrom: 30 })).toEqual(['pipeline', 'bestCase', 'commit']);
    expect(() => categoriesOf(30, { bestCaseFrom: 80, commitFrom: 30 })).toThrow(/bestCaseFrom/);
  });

  it('periods: months and calendar quarters, every one from the first day’s to the last day’s', () => {
    expect(periodOf('2026-03-31', 'month')).toBe('2026-03');
    expect(periodOf('2026-03-31', 'quarter')).toBe('2026-Q1');
    expect(periodOf('2026-10-01', 'quarter')).toBe('2026-Q4');
    expect(periodsBetween('2026-02-10', '2026-04-02', 'month')).toEqual([
      { period: '2026-02', start: '2026-02-01', end: '2026-02-28' },
      { period: '2026-03', start: '2026-03-01', end: '2026-03-31' },
      { period: '2026-04', start: '2026-04-01', end: '2026-04-30' },
    ]);
    expect(periodsBetween('2026-11-15', '2027-02-01', 'quarter').map((p) => [p.period, p.start, p.end])).toEqual([
      ['2026-Q4', '2026-10-01', '2026-12-31'],
      ['2027-Q1', '2027-01-01', '2027-03-31'],
    ]);
    expect(periodsBetween('2028-02-01', '2028-02-29', 'month')).toEqual([{ period: '2028-02', start: '2028-02-01', end: '2028-02-29' }]);
  });

  it('sums converted amounts per period and category, weighted by probability, won ones as closed; empty periods listed', () => {
    const rows = buildForecast(
      [
        item({ probability: 20, amount: 100_000 }), // 1,000.00 EUR in Q1, pipeline only
        item({ probability: 75, amount: 10_000, currency: 'USD' }), // 100.00 USD → 90.00 EUR, commit
        item({ probability: 50, amount: 1_001, currency: 'JPY' }), // 1001 yen → 6.2062 → 6.21 EUR, best case; weighted 3.105 → 3.11
        item({ status: 'won', probability: 100, amount: 50_000, day: '2026-03-31' }),
        item({ amount: null, currency: null }), // no amount: counted, worth nothing
        item({ day: '2025-12-31' }), // before the range
        item({ day: '2026-07-01' }), // after it
      ],
      options(),
    );
    expect(rows).toEqual([
      {
        period: '2026-Q1',
        start: '2026-01-01',
        end: '2026-03-31',
        pipeline: { count: 4, amount: 100_000 + 9_000 + 621, weightedAmount: 20_000 + 6_750 + 311 + 0 },
        bestCase: { count: 3, amount: 9_000 + 621, weightedAmount: 6_750 + 311 },
        commit: { count: 1, amount: 9_000, weightedAmount: 6_750 },
        closed: { count: 1, amount: 50_000 },
        unconverted: [],
      },
      {
        period: '2026-Q2',
        start: '2026-04-01',
        end: '2026-06-30',
        pipeline: { count: 0, amount: 0, weightedAmount: 0 },
        bestCase: { count: 0, amount: 0, weightedAmount: 0 },
        commit: { count: 0, amount: 0, weightedAmount: 0 },
        closed: { count: 0, amount: 0 },
        unconverted: [],
      },
    ]);
  });

  it('a currency without a rate on the rates’ day is never guessed: counted, listed under unconverted, left out of the sums', () => {
    const [q1] = buildForecast(
      [item({ amount: 5_000, currency: 'GBP', probability: 80 }), item({ amount: 10_000, currency: 'USD' })],
      options({ ratesDay: '2025-12-31' }),
    );
    expect(q1.pipeline).toEqual({ count: 2, amount: 0, weightedAmount: 0 });
    expect(q1.unconverted).toEqual([
      { category: 'pipeline', currency: 'GBP', count: 1, amount: 5_000 },
      { category: 'bestCase', currency: 'GBP', count: 1, amount: 5_000 },
      { category: 'commit', currency: 'GBP', count: 1, amount: 5_000 },
      { category: 'pipeline', currency: 'USD', count: 1, amount: 10_000 },
      { category: 'bestCase', currency: 'USD', count: 1, amount: 10_000 },
    ]);
  });

  it('per owner, team or pipeline: only groups with something, by name (no team last); by month', () => {
    const items = [
      item({ owner: 'budi', team: null }),
      item({ owner: 'sari', pipelineId: 'p2', day: '2026-01-05' }),
      item({ owner: 'ana', day: '2026-02-01' }),
    ];
    const byOwner = buildForecast(items, options({ period: 'month', from: '2026-01-01', to: '2026-02-28', groupBy: 'owner' }));
    expect(byOwner.map((r) => [r.period, r.owner, r.pipeline.count])).toEqual([
      ['2026-01', 'sari', 1],
      ['2026-02', 'ana', 1],
      ['2026-02', 'budi', 1],
    ]);
    const byTeam = buildForecast(items, options({ groupBy: 'team' }));
    expect(byTeam.map((r) => [r.period, r.team, r.pipeline.count])).toEqual([
      ['2026-Q1', 'jkt', 2],
      ['2026-Q1', null, 1],
    ]);
    expect(buildForecast(items, options({ groupBy: 'pipeline' })).map((r) => [r.pipelineId, r.pipeline.count])).toEqual([
      ['p1', 2],
      ['p2', 1],
    ]);
  });

  it('ISO weeks (activity reports): Monday to Sunday, week 1 holds the year’s first Thursday', () => {
    expect(isoWeekOf('2026-03-02')).toBe('2026-W10'); // a Monday
    expect(isoWeekOf('2026-03-08')).toBe('2026-W10'); // its Sunday
    expect(isoWeekOf('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeekOf('2027-01-01')).toBe('2026-W53'); // a Friday: the last week of 2026
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01'); // a Monday: the first week of 2025
    expect(isoWeekOf('2021-01-03')).toBe('2020-W53');
  });
});
