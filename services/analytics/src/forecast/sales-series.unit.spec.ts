import { nextSeriesPeriod, salesSeries, seriesPeriodOf } from './sales-series';

describe('periods of the sales series', () => {
  it('months, and ISO weeks (Monday start, the week-year of the Thursday)', () => {
    expect(seriesPeriodOf('2026-02-14', 'month')).toEqual({ period: '2026-02', start: '2026-02-01', end: '2026-02-28' });
    expect(seriesPeriodOf('2026-03-04', 'week')).toEqual({ period: '2026-W10', start: '2026-03-02', end: '2026-03-08' });
    // 1 January 2027 is a Friday: its week is 2026's week 53.
    expect(seriesPeriodOf('2027-01-01', 'week')).toEqual({ period: '2026-W53', start: '2026-12-28', end: '2027-01-03' });
    expect(seriesPeriodOf('2024-12-30', 'week').period).toBe('2025-W01');
    expect(nextSeriesPeriod(seriesPeriodOf('2026-12-15', 'month'), 'month').period).toBe('2027-01');
  });
});

describe('salesSeries', () => {
  const occasions = [
    { day: '2026-01-10', amount: 10000 },
    { day: '2026-01-20', amount: 1800 },
    { day: '2026-03-05', amount: 4000 },
    { day: '2026-03-09', amount: -500 }, // a day whose returns exceed its orders
    { day: '2026-04-02', amount: 99999 }, // the running month: not history
  ];

  it('per month: the sum of the occasions, empty months as zero, the running month left out', () => {
    const s = salesSeries(occasions, 'month', new Date('2026-04-15T00:00:00Z'));
    expect(s.periods.map((p) => [p.period, p.amount])).toEqual([
      ['2026-01', 11800],
      ['2026-02', 0],
      ['2026-03', 3500],
    ]);
  });

  it('per ISO week, from the week of the first occasion', () => {
    const s = salesSeries(occasions, 'week', new Date('2026-01-28T00:00:00Z'));
    expect(s.periods.map((p) => [p.period, p.start, p.amount])).toEqual([
      ['2026-W02', '2026-01-05', 10000],
      ['2026-W03', '2026-01-12', 0],
      ['2026-W04', '2026-01-19', 1800],
    ]);
  });

  it('nothing before asOf: an empty series', () => {
    expect(salesSeries(occasions, 'week', new Date('2026-01-01T00:00:00Z'))).toEqual({ periods: [] });
  });
});
