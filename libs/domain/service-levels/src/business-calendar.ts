/**
 * Business-hours calendars: when the service-level clock runs. Weekly opening hours per weekday in
 * an IANA time zone, holidays (local dates on which it does not run at all), or round the clock.
 *
 * Local times become instants through `Intl.DateTimeFormat` (the runtime's time-zone database, no
 * package): the offset of the zone at an instant is read from the formatted local date and time. A
 * local time that does not exist (the hour skipped when clocks go forward) is taken at the offset in
 * force just before; a local time that exists twice (the hour repeated when they go back) is its first
 * occurrence. Opening hours are therefore "the local hours on the wall clock": a day with a DST change
 * inside its opening hours is an hour shorter or longer.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM` on the wall clock, `00:00` … `24:00` (24:00: to the end of the day). */
export type LocalTime = string;

export interface OpeningHours {
  from: LocalTime;
  to: LocalTime;
}

export interface BusinessCalendar {
  calendarId: string;
  /** IANA time zone the hours and holidays are in (`Europe/Berlin`, `Asia/Jakarta`). */
  timeZone: string;
  /** Opening hours per weekday; a day that is absent or empty is closed. */
  hours: Partial<Record<Weekday, OpeningHours[]>>;
  /** Local dates (`YYYY-MM-DD`) the clock does not run at all. */
  holidays: string[];
}

/** An interval of instants, ms since the epoch; `to` undefined: still going on. */
export interface Interval {
  from: number;
  to?: number;
}

/** The built-in calendar: every minute of every day counts (`24x7`), no holidays. */
export const TWENTY_FOUR_SEVEN: BusinessCalendar = {
  calendarId: '24x7',
  timeZone: 'UTC',
  hours: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ from: '00:00', to: '24:00' }]])) as BusinessCalendar['hours'],
  holidays: [],
};

const LOCAL_TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far the clock looks for opening hours before it gives up (a calendar open one day a year still works). */
const HORIZON_DAYS = 800;

/** Minutes after local midnight of `HH:MM`; undefined when it is not one. */
export function minutesOfDay(time: string): number | undefined {
  const m = LOCAL_TIME.exec(time);
  if (!m) return undefined;
  return m[1] === undefined ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with a calendar, as `field: problem` lines (empty when nothing): an unknown zone, a
 * time that is not `HH:MM`, a period that ends before it starts or overlaps another, a holiday that is
 * not a date, or no opening hours at all (the clock would never run).
 */
export function calendarProblems(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!isTimeZone(calendar.timeZone)) problems.push(`timeZone: ${calendar.timeZone} is not an IANA time zone`);
  let open = 0;
  for (const [day, periods] of Object.entries(calendar.hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push(`hours.${day}: not a weekday (${WEEKDAYS.join(', ')})`);
      continue;
    }
    const spans: [number, number][] = [];
    (periods ?? []).forEach((p, i) => {
      const from = minutesOfDay(p.from);
      const to = minutesOfDay(p.to);
      if (from === undefined || from === 1440) problems.push(`hours.${day}.${i}.from: must be HH:MM from 00:00 to 23:59`);
      if (to === undefined) problems.push(`hours.${day}.${i}.to: must be HH:MM from 00:01 to 24:00`);
      if (from !== undefined && to !== undefined && from !== 1440) {
        if (to <= from) problems.push(`hours.${day}.${i}: ends before it starts`);
        else spans.push([from, to]);
      }
    });
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) if (spans[i][0] < spans[i - 1][1]) problems.push(`hours.${day}: periods overlap`);
    open += spans.length;
  }
  if (open === 0) problems.push('hours: a calendar needs opening hours on at least one weekday');
  calendar.holidays.forEach((h, i) => {
    if (!isLocalDate(h)) problems.push(`holidays.${i}: must be a date YYYY-MM-DD`);
  });
  return problems;
}

function isLocalDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function localFields(zone: string, instant: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour === 24 ? 0 : parts.hour, minute: parts.minute, second: parts.second };
}

/** The zone's offset from UTC at an instant (ms; +7 h for Asia/Jakarta). */
export function zoneOffset(zone: string, instant: number): number {
  const f = localFields(zone, instant);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant of a wall-clock time: local date (as UTC midnight of that date) plus minutes of the day. */
export function localToInstant(zone: string, localMidnight: number, minutes: number): number {
  const wall = localMidnight + minutes * MINUTE;
  // The offset in force a day before is a first guess; one correction finds it unless the time falls in a gap.
  const before = zoneOffset(zone, wall - DAY);
  const guess = wall - before;
  const after = zoneOffset(zone, guess);
  if (after === before) return guess;
  const corrected = wall - after;
  // In the gap (spring forward) no offset maps back to the wall time: take the offset from before the change.
  return zoneOffset(zone, corrected) === after ? corrected : guess;
}

/** The local date of an instant as UTC midnight of that date. */
function localMidnightOf(zone: string, instant: number): number {
  const f = localFields(zone, instant);
  return Date.UTC(f.year, f.month - 1, f.day);
}

/** The opening periods of a calendar as instants, from the local day that holds `from` on, in order. */
export function* openPeriods(calendar: BusinessCalendar, from: number): Generator<[number, number]> {
  const holidays = new Set(calendar.holidays);
  const first = localMidnightOf(calendar.timeZone, from) - DAY;
  for (let day = 0; day < HORIZON_DAYS; day++) {
    const midnight = first + day * DAY;
    if (holidays.has(new Date(midnight).toISOString().slice(0, 10))) continue;
    const weekday = WEEKDAYS[new Date(midnight).getUTCDay()];
    const periods = [...(calendar.hours[weekday] ?? [])].sort((a, b) => minutesOfDay(a.from)! - minutesOfDay(b.from)!);
    for (const p of periods) {
      const start = localToInstant(calendar.timeZone, midnight, minutesOfDay(p.from)!);
      const end = localToInstant(calendar.timeZone, midnight, minutesOfDay(p.to)!);
      if (end > from && end > start) yield [Math.max(start, from), end];
    }
  }
}

/** The pauses as sorted, merged intervals. */
function mergePauses(pauses: readonly Interval[]): Interval[] {
  const sorted = [...pauses].filter((p) => p.to === undefined || p.to > p.from).sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const p of sorted) {
    const last = merged[merged.length - 1];
    if (last && (last.to === undefined || p.from <= last.to)) {
      if (last.to !== undefined) last.to = p.to === undefined ? undefined : Math.max(last.to, p.to);
    } else merged.push({ ...p });
  }
  return merged;
}

/** The running time of the clock from `from` on: opening periods with the pauses cut out. */
function* runningPeriods(calendar: BusinessCalendar, from: number, pauses: readonly Interval[]): Generator<[number, number]> {
  const merged = mergePauses(pauses);
  for (const [start, end] of openPeriods(calendar, from)) {
    let cursor = start;
    for (const p of merged) {
      if (p.to !== undefined && p.to <= cursor) continue;
      if (p.from >= end) break;
      if (p.from > cursor) yield [cursor, p.from];
      if (p.to === undefined) return; // paused from here on: the clock does not run again
      cursor = Math.max(cursor, p.to);
      if (cursor >= end) break;
    }
    if (cursor < end) yield [cursor, end];
  }
}

/**
 * The instant `minutes` business minutes after `start`: the clock runs only in opening hours, not on
 * holidays, not in the pauses. Undefined when it never gets there — a pause that has not ended
 * (waiting on the customer) stops it, so the due time is not known until the pause ends.
 */
export function addBusinessTime(calendar: BusinessCalendar, start: Date, minutes: number, pauses: readonly Interval[] = []): Date | undefined {
  let left = minutes * MINUTE;
  if (left <= 0) return new Date(start.getTime());
  for (const [from, to] of runningPeriods(calendar, start.getTime(), pauses)) {
    if (to - from >= left) return new Date(from + left);
    left -= to - from;
  }
  return undefined;
}

/** Business minutes between `a` and `b` (0 when b is not after a), the pauses left out; fractions of a minute kept. */
export function businessMinutesBetween(calendar: BusinessCalendar, a: Date, b: Date, pauses: readonly Interval[] = []): number {
  const end = b.getTime();
  let ms = 0;
  if (end <= a.getTime()) return 0;
  for (const [from, to] of runningPeriods(calendar, a.getTime(), pauses)) {
    if (from >= end) break;
    ms += Math.min(to, end) - from;
  }
  return ms / MINUTE;
}
