import { ValidateBy, type ValidationOptions } from 'class-validator';
import { digitsAt, isCalendarDateTime } from '@crm/bus';

/**
 * `2026-03-01`, `2026-03-01T09:00`, `2026-03-01T09:00:00.123Z`, `2026-03-01 09:00:00+07:00`: the
 * extended ISO 8601 calendar form (RFC 3339 and its relaxations), the one both JavaScript's `Date`
 * and PostgreSQL's `timestamptz` read, and read alike. class-validator's `isISO8601` also passes
 * signed years (`-2026-01-01`), week and ordinal dates (`2026-W09`, `2026-060`), the basic form
 * (`20260301`) and an hour alone (`2026-03-01T09`): `Date` cannot read some of them (an `asOf` of
 * that kind was a 500) or misreads them (`-2026-01-01` as 2026), PostgreSQL refuses others (an
 * event carrying one was parked by every projection, and every later event of its customer behind it).
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|([+-])(\d{2}):(\d{2}))?)?$/;

/** ±14:00, the widest offset in use anywhere (Kiribati); PostgreSQL refuses offsets past 15:59. */
const MAX_OFFSET_MINUTES = 14 * 60;

export function isInstant(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const fast = canonicalInstant(value);
  return fast === undefined ? generalInstant(value) : fast;
}

/**
 * The form the write side produces (`Date#toISOString`, `2026-03-01T09:00:00.000Z`, or with a
 * `±hh:mm` offset) checked by hand, for years 0002–9998 — every timestamp of every event is checked
 * on every page of a rebuild, and the regex, `Date` objects and `Date.parse` of `generalInstant`
 * were a third of the contract check. Answers exactly what `generalInstant` answers (a spec compares
 * them), or undefined for anything else: lower-case `t`/`z`, a space, no seconds, a date alone,
 * years 0001 and 9999 (where an offset can leave years 1–9999) go the general way. Within these
 * years an offset of at most ±14:00 keeps the instant within them, and `Date.parse` reads every
 * string of this form (ECMAScript's date time string format, longer fractions included).
 */
function canonicalInstant(s: string): boolean | undefined {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return undefined;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  if (year < 2 || year > 9998 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let at = 19;
  if (s.charCodeAt(at) === 46) {
    const start = ++at;
    while (at < n && at - start < 10 && digitsAt(s, at, 1) >= 0) at++;
    if (at === start || at - start > 9) return undefined;
  }
  const zone = s.charCodeAt(at);
  if (zone === 90) {
    if (at + 1 !== n) return undefined;
  } else if (zone === 43 || zone === 45) {
    if (at + 6 !== n || s.charCodeAt(at + 3) !== 58) return undefined;
    const offsetHours = digitsAt(s, at + 1, 2);
    const offsetMinutes = digitsAt(s, at + 4, 2);
    if (offsetHours < 0 || offsetMinutes < 0) return undefined;
    if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > MAX_OFFSET_MINUTES) return false;
  } else return undefined;
  return isCalendarDateTime(year, month, day, hour, minute, second);
}

/** Every form the contracts accept (the regex above), by way of `Date`. */
function generalInstant(value: string): boolean {
  const m = INSTANT.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    part === undefined ? undefined : Number(part),
  ) as number[];
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  // Day 31 of a 30-day month, 29 February of a common year: Date.UTC rolls them over; refuse them.
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day); // (Date.UTC would read years 1–99 as 1901–1999)
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return false;
  if (m[8] !== undefined && (Number(m[10]) > 59 || Number(m[9]) * 60 + Number(m[10]) > MAX_OFFSET_MINUTES)) return false;
  // The instant itself stays within years 1–9999 (0001-01-01T00:00+14:00 would be year 0, which
  // PostgreSQL's timestamp text form cannot take back).
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) return false;
  const utcYear = new Date(instant).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999;
}

/**
 * A point in time as every consumer can read it (see `isInstant`): for the contracts' timestamps and
 * for the DTOs' — one rule, so the write side accepts exactly what the contracts accept.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => isInstant(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'the value'} must be an ISO 8601 instant such as 2026-03-01T09:00:00Z (years 0001–9999, offsets up to ±14:00)`,
      },
    },
    options,
  );
}
