import { crmRegistry } from './events';
import { isInstant } from './instant';

// Every timestamp the contracts accept must be read by every consumer, and read alike: by
// JavaScript's Date (domain rules, asOf) and by PostgreSQL's timestamptz (the projections). What
// class-validator's isISO8601 lets through beyond that once answered 500 (asOf=20260101) or was
// stored and then parked by every projection (openedAt "-2026-01-01").
describe('isInstant', () => {
  it.each([
    '2026-03-01T09:00:00Z',
    '2026-03-01T09:00:00.000Z',
    '2026-03-01T09:00:00.123456789Z',
    '2026-03-01T09:00:00+07:00',
    '2026-03-01T09:00:00-12:00',
    '2026-03-01T09:00:00+14:00',
    '2026-03-01T09:00Z',
    '2026-03-01T09:00',
    '2026-03-01 09:00:00+01:00',
    '2026-03-01t09:00:00z',
    '2026-03-01',
    '2024-02-29',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ])('accepts %s', (value) => {
    expect(isInstant(value)).toBe(true);
    expect(Number.isNaN(Date.parse(value))).toBe(false);
  });

  it.each([
    ['a signed year', '-2026-01-01'],
    ['a signed year', '+2026-01-01'],
    ['year 0', '0000-01-01'],
    ['the basic form', '20260301'],
    ['a week date', '2026-W09'],
    ['an ordinal date', '2026-060'],
    ['a year alone', '2026'],
    ['a month alone', '2026-03'],
    ['an hour alone', '2026-03-01T09'],
    ['hour 24', '2026-03-01T24:00:00Z'],
    ['a leap second', '2026-03-01T23:59:60Z'],
    ['month 13', '2026-13-01'],
    ['31 April', '2026-04-31'],
    ['29 February of a common year', '2026-02-29'],
    ['an offset no zone has', '2026-03-01T09:00:00+14:01'],
    ['an offset PostgreSQL refuses', '2026-03-01T09:00:00+16:00'],
    ['an offset without a colon', '2026-03-01T09:00:00+0700'],
    ['an instant in year 0', '0001-01-01T00:00:00+01:00'],
    ['an instant in year 10000', '9999-12-31T23:59:59-01:00'],
    ['surrounding space', ' 2026-03-01'],
    ['a trailing newline', '2026-03-01\n'],
    ['words', 'yesterday'],
    ['a number', 1772355600000],
    ['a Date', new Date('2026-03-01T09:00:00Z')],
  ])('refuses %s (%s)', (_what, value) => {
    expect(isInstant(value)).toBe(false);
  });

  it("is the contracts' rule: an event with such a timestamp breaks its contract, naming the field", () => {
    const registry = crmRegistry();
    const closed = { episodeId: 'e1', customerId: 'c1', outcome: 'lost', closedAt: '2026-03-01T09:00:00Z' };
    expect(registry.payloadProblems('EpisodeClosed', 1, closed)).toEqual([]);
    expect(registry.payloadProblems('EpisodeClosed', 1, { ...closed, closedAt: '-2026-03-01' })?.map((p) => p.path)).toEqual(['closedAt']);
    expect(registry.payloadProblems('EpisodeClosed', 1, { ...closed, closedAt: '2026-W09' })?.map((p) => p.path)).toEqual(['closedAt']);
  });
});
