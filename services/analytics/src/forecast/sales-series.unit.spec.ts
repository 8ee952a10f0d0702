import type { KpiFact } from '../kpis/kpi-definitions';
import { nextSeriesPeriod, salesSeries, seriesPeriodOf, type Conversion } from './sales-series';

const fact = (f: Partial<KpiFact> & Pick<KpiFact, 'kind' | 'occurredAt'>): KpiFact => ({
  customerId: 'c',
  episodeId: null,
  ref: null,
  link: null,
  actor: null,
  detail: null,
  currency: 'EUR',
  amount: null,
  ...f,
});
// 1 USD = 0.9 EUR on every day; no rate for GBP.
const convert: Conversion = (amount, currency) => (currency === 'EUR' ? amount : currency === 'USD' ? Math.round(amount * 0.9) : undefined);

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
  const facts = [
    fact({ kind: 'order-placed', ref: 'o1', occurredAt: '2026-01-10T10:00:00.000Z', amount: 10000 }),
    fact({ kind: 'order-placed', ref: 'o2', occurredAt: '2026-01-20T10:00:00.000Z', amount: 2000, currency: 'USD' }),
    fact({ kind: 'order-placed', ref: 'o3', occurredAt: '2026-03-05T10:00:00.000Z', amount: 5000 }),
    fact({ kind: 'order-returned', ref: 'o1', occurredAt: '2026-03-06T10:00:00.000Z', amount: 1000 }),
    fact({ kind: 'order-placed', ref: 'o4', occurredAt: '2026-03-07T10:00:00.000Z', amount: 7777 }),
    fact({ kind: 'order-cancelled', ref: 'o4', occurredAt: '2026-03-08T10:00:00.000Z', amount: 7777 }),
    fact({ kind: 'order-placed', ref: 'o5', occurredAt: '2026-03-09T10:00:00.000Z', amount: 300, currency: 'GBP' }),
    fact({ kind: 'order-placed', ref: 'o6', occurredAt: '2026-04-02T10:00:00.000Z', amount: 99999 }), // the running month: not history
  ];

  it('per month: orders minus returns, converted, empty months as zero, the running month left out, unconverted counted apart', () => {
    const s = salesSeries(facts, 'month', new Date('2026-04-15T00:00:00Z'), convert);
    expect(s.periods.map((p) => [p.period, p.amount])).toEqual([
      ['2026-01', 10000 + 1800],
      ['2026-02', 0],
      ['2026-03', 5000 - 1000],
    ]);
    expect(s.unconverted).toEqual([{ currency: 'GBP', amount: 300, facts: 1 }]);
  });

  it('nothing before asOf: an empty series', () => {
    expect(salesSeries(facts, 'week', new Date('2026-01-01T00:00:00Z'), convert)).toEqual({ periods: [], unconverted: [] });
  });
});
