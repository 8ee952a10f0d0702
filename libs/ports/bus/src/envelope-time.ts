import { buildMessage, IS_ISO8601, isISO8601, ValidateBy, type ValidationOptions } from 'class-validator';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number the `n` digits at `at` spell, or -1 when one of them is not a digit (the hand-written instant checks' reader). */
export function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Whether the parts name an existing date and time of day (months 1–12, the month's days with leap years, 00:00:00–23:59:59). */
export function isCalendarDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/**
 * Whether `s` is an existing UTC instant in the form `Date#toISOString` writes
 * (`2026-03-01T09:00:00.000Z`, any number of fraction digits or none), years 1000–9999. Every such
 * string passes `isISO8601(s, { strict: true })` — its pattern, and its calendar check (which reads
 * the date back through `Date`, exact for four-digit years) — so true here may skip that check.
 */
export function isCanonicalUtcInstant(s: string): boolean {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return false;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  if (n > 20 && (s.charCodeAt(19) !== 46 || n === 21 || digitsAt(s, 20, n - 21) < 0)) return false;
  const year = digitsAt(s, 0, 4);
  return year >= 1000 && isCalendarDateTime(year, digitsAt(s, 5, 2), digitsAt(s, 8, 2), digitsAt(s, 11, 2), digitsAt(s, 14, 2), digitsAt(s, 17, 2));
}

/** `isISO8601(value, { strict: true })`, the canonical form checked by hand first. */
export function isIso8601Strict(value: unknown): boolean {
  return typeof value === 'string' && (isCanonicalUtcInstant(value) || isISO8601(value, { strict: true }));
}

/**
 * class-validator's `@IsISO8601({ strict: true })`, same name, message and answers, with the form
 * every event's `time` and `recordedat` have checked by hand first: the envelope of every event is
 * checked on every page of a rebuild, and the library's regex and `Date` round trip were most of it.
 */
export function IsIso8601Strict(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_ISO8601,
      constraints: [{ strict: true }],
      validator: {
        validate: isIso8601Strict,
        defaultMessage: buildMessage((eachPrefix) => eachPrefix + '$property must be a valid ISO 8601 date string', validationOptions),
      },
    },
    validationOptions,
  );
}
