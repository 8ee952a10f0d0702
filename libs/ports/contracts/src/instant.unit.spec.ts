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

// The rule as it was before the hand-written check of the canonical form (issue 7: a third of the
// contract check of a rebuild): isInstant must answer exactly what it answered.
const REFERENCE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|([+-])(\d{2}):(\d{2}))?)?$/;
function referenceIsInstant(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = REFERENCE.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    part === undefined ? undefined : Number(part),
  ) as number[];
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return false;
  if (m[8] !== undefined && (Number(m[10]) > 59 || Number(m[9]) * 60 + Number(m[10]) > 14 * 60)) return false;
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) return false;
  const utcYear = new Date(instant).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999;
}

describe('isInstant answers what the general rule answers', () => {
  const tricky = [
    // leap days: every fourth year, not centuries, but every fourth century
    ...['2024', '2023', '2000', '1900', '2100', '2400', '0004', '0002', '9996', '9998'].map((y) => `${y}-02-29T12:00:00Z`),
    '2024-02-30T00:00:00Z',
    '2026-02-28T23:59:59.999Z',
    // the ends of months, day 0, day 32, month 0 and 13
    ...['01', '03', '04', '06', '09', '11', '12'].flatMap((m) => [`2026-${m}-30T00:00:00Z`, `2026-${m}-31T00:00:00Z`]),
    '2026-01-00T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-13-10T00:00:00Z',
    // 24:00, minute 60, leap second
    '2026-03-01T24:00:00Z',
    '2026-03-01T24:00:00.000Z',
    '2026-03-01T23:60:00Z',
    '2026-03-01T23:59:60Z',
    // offsets: the widest, past it, minutes 60, no colon, signs
    '2026-03-01T09:00:00+14:00',
    '2026-03-01T09:00:00-14:00',
    '2026-03-01T09:00:00+14:01',
    '2026-03-01T09:00:00-13:59',
    '2026-03-01T09:00:00+05:60',
    '2026-03-01T09:00:00+15:00',
    '2026-03-01T09:00:00+0700',
    '2026-03-01T09:00:00+07',
    '2026-03-01T09:00:00+07:00Z',
    '2026-03-01T09:00:00Z+07:00',
    '2026-03-01T09:00:00-00:00',
    // fractions: none, 1 to 9 digits, 10, empty, with an offset
    '2026-03-01T09:00:00.Z',
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `2026-03-01T09:00:00.${'1234567890'.slice(0, n)}Z`),
    '2026-03-01T09:00:00.123+01:00',
    '2026-03-01T09:00:00.1234567890+01:00',
    '2026-03-01T09:00:00.12a',
    // lower-case t and z, a space, no seconds, no zone, a date alone
    '2026-03-01t09:00:00z',
    '2026-03-01T09:00:00z',
    '2026-03-01t09:00:00Z',
    '2026-03-01 09:00:00Z',
    '2026-03-01T09:00Z',
    '2026-03-01T09:00:00',
    '2026-03-01T09:00:00.123',
    '2026-03-01',
    // years 0000, 0001, 0002, 9998, 9999 at the edges of an offset
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:00:00+00:01',
    '0001-01-01T00:00:00-00:01',
    '0002-01-01T00:00:00+14:00',
    '9998-12-31T23:59:59-14:00',
    '9999-12-31T23:59:59Z',
    '9999-12-31T23:59:59-00:01',
    '9999-12-31T23:59:59+00:01',
    // not digits where digits belong, wrong separators, extra characters, other types
    '2O26-03-01T09:00:00Z',
    '2026-0a-01T09:00:00Z',
    '2026-03-01T0 :00:00Z',
    '2026/03/01T09:00:00Z',
    '2026-03-01T09-00-00Z',
    '2026-03-01T09:00:00Z ',
    ' 2026-03-01T09:00:00Z',
    '2026-03-01T09:00:00Z\n',
    '2026-03-01T09:00:00\u0000Z',
    '2026-03-01T09:00:00\ud800',
    '١٢٣٤-03-01T09:00:00Z',
    '+02026-03-01T09:00:00Z',
    '-002026-03-01T09:00:00Z',
    '',
    'T',
    new Date(Date.UTC(2026, 2, 1)).toISOString(),
  ];
  it.each(tricky)('%j', (value) => {
    expect(isInstant(value)).toBe(referenceIsInstant(value));
  });

  it('on many generated strings of the canonical shape (a fixed seed: the same strings every run)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const two = () => String(random(100)).padStart(2, '0');
    const pick = <T>(xs: readonly T[]) => xs[random(xs.length)];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const year = pick(['0000', '0001', '0002', '1900', '2000', '2024', '2026', '9998', '9999', String(random(10_000)).padStart(4, '0')]);
      const fraction = pick(['', '.', '.1', '.123', '.123456789', '.1234567890']);
      const zone = pick(['Z', 'Z', 'z', '', `+${two()}:${two()}`, `-${two()}:${two()}`, `+${pick(['13', '14'])}:${two()}`, '-14:00']);
      // Mostly within range (near its ends), sometimes anything: most strings are instants.
      const field = (max: number, min = 0) =>
        random(5) === 0 ? two() : String(pick([min, min + 1, max - 1, max, min + random(max - min + 1)])).padStart(2, '0');
      const value = `${year}-${field(12, 1)}-${field(31, 1)}${pick(['T', 'T', 't', ' '])}${field(23)}:${field(59)}:${field(59)}${fraction}${zone}`;
      const expected = referenceIsInstant(value);
      if (isInstant(value) !== expected) throw new Error(`isInstant differs on ${value}`);
      if (expected) accepted++;
    }
    expect(accepted).toBeGreaterThan(2_000);
  });
});
