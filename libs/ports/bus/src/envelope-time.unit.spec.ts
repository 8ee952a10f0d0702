import { isISO8601 } from 'class-validator';
import { isCanonicalUtcInstant, isIso8601Strict } from './envelope-time';

// The envelope's time check, with the canonical form by hand (issue 7), must answer exactly what
// class-validator's isISO8601 strict answers.
describe('isIso8601Strict answers what isISO8601(…, { strict: true }) answers', () => {
  const strict = (v: unknown) => isISO8601(v, { strict: true });
  it.each([
    '2026-03-01T09:00:00Z',
    '2026-03-01T09:00:00.000Z',
    '2026-03-01T09:00:00.1Z',
    '2026-03-01T09:00:00.123456789012Z',
    '2026-03-01T09:00:00.Z',
    '2026-03-01T09:00:00z',
    '2026-03-01t09:00:00Z',
    '2026-03-01 09:00:00Z',
    '2026-03-01T09:00Z',
    '2026-03-01T09:00:00+01:00',
    '2026-03-01T09:00:00+15:00',
    '2026-03-01T24:00:00Z',
    '2026-03-01T23:60:00Z',
    '2026-03-01T23:59:60Z',
    '2024-02-29T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-12-31T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '0999-12-31T23:59:59Z',
    '1000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '+2026-03-01T09:00:00Z',
    '-2026-03-01T09:00:00Z',
    '2026-W09',
    '2026-060',
    '20260301T090000Z',
    '2026-03-01T09:00:00Z ',
    '2026-03-01T09:00:00\u0000Z',
    '2026-03-01T09:00:00.12\ud800Z',
    '١٢٣٤-03-01T09:00:00Z',
    '',
    42,
    null,
  ])('%j', (value) => {
    expect(isIso8601Strict(value)).toBe(strict(value));
  });

  it('on many generated strings of the canonical shape (a fixed seed), the hand check only ever says yes where the library does', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]) => xs[random(xs.length)];
    const field = (max: number, min = 0) =>
      String(random(5) === 0 ? random(100) : pick([min, min + 1, max - 1, max, min + random(max - min + 1)])).padStart(2, '0');
    let canonical = 0;
    for (let i = 0; i < 20_000; i++) {
      const year = pick(['0000', '0999', '1000', '1900', '2000', '2024', '2026', '9999', String(random(10_000)).padStart(4, '0')]);
      const value = `${year}-${field(12, 1)}-${field(31, 1)}${pick(['T', 'T', 't', ' '])}${field(23)}:${field(59)}:${field(59)}${pick(['', '.', '.5', '.123', '.123456789'])}${pick(['Z', 'Z', 'z', '', '+01:00'])}`;
      if (isIso8601Strict(value) !== strict(value)) throw new Error(`differs on ${value}`);
      if (isCanonicalUtcInstant(value)) {
        canonical++;
        if (!strict(value)) throw new Error(`the hand check accepts ${value}, the library does not`);
      }
    }
    expect(canonical).toBeGreaterThan(2_000);
  });
});
