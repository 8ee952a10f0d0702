import { addBusinessTime, businessMinutesBetween, calendarProblems, TWENTY_FOUR_SEVEN, type BusinessCalendar } from './business-calendar';

const at = (iso: string) => new Date(iso);
/** Mon–Fri 09:00–17:00 in Berlin (CET +1 in winter, CEST +2 in summer), Christmas off. */
const berlin: BusinessCalendar = {
  calendarId: 'berlin-office',
  timeZone: 'Europe/Berlin',
  hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]])),
  holidays: ['2026-12-25'],
};

describe('business calendars', () => {
  it('given 24x7, when adding 90 minutes, then it is 90 wall minutes later, weekends included', () => {
    expect(addBusinessTime(TWENTY_FOUR_SEVEN, at('2026-11-28T23:00:00Z'), 90)?.toISOString()).toBe('2026-11-29T00:30:00.000Z');
    expect(businessMinutesBetween(TWENTY_FOUR_SEVEN, at('2026-11-28T00:00:00Z'), at('2026-11-30T00:00:00Z'))).toBe(2880);
  });

  it('given office hours, when a case comes in on Friday afternoon, then the clock skips the weekend', () => {
    // Friday 27 Nov 2026 16:00 Berlin = 15:00Z; one hour left on Friday, three more on Monday from 09:00 (08:00Z).
    expect(addBusinessTime(berlin, at('2026-11-27T15:00:00Z'), 240)?.toISOString()).toBe('2026-11-30T11:00:00.000Z');
    expect(businessMinutesBetween(berlin, at('2026-11-27T15:00:00Z'), at('2026-11-30T11:00:00Z'))).toBe(240);
  });

  it('given a start before opening, when adding, then the clock starts at opening time', () => {
    expect(addBusinessTime(berlin, at('2026-11-30T05:00:00Z'), 30)?.toISOString()).toBe('2026-11-30T08:30:00.000Z');
  });

  it('given a holiday, when the clock would run on it, then it runs on the next working day', () => {
    // Thursday 24 Dec 16:30 Berlin; Christmas Friday is off, the weekend is closed: Monday 28th.
    expect(addBusinessTime(berlin, at('2026-12-24T15:30:00Z'), 60)?.toISOString()).toBe('2026-12-28T08:30:00.000Z');
  });

  it('given the spring DST change, when counting office hours, then 09:00 local moves from 08:00Z to 07:00Z', () => {
    // Friday 27 Mar 2026 16:00 CET (15:00Z) + 2 h: one hour Friday, one hour Monday 30 Mar from 09:00 CEST = 07:00Z.
    expect(addBusinessTime(berlin, at('2026-03-27T15:00:00Z'), 120)?.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('given the autumn DST change in a 24x7 zone calendar, when counting a day across it, then it has 25 hours', () => {
    const allDay: BusinessCalendar = { ...TWENTY_FOUR_SEVEN, calendarId: 'berlin-24', timeZone: 'Europe/Berlin' };
    // Sunday 25 Oct 2026: local midnight 22:00Z (CEST) to next midnight 23:00Z (CET).
    expect(businessMinutesBetween(allDay, at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'))).toBe(25 * 60);
  });

  it('given a pause, when adding, then the paused time does not count', () => {
    const pauses = [{ from: Date.parse('2026-11-30T09:00:00Z'), to: Date.parse('2026-11-30T10:00:00Z') }];
    expect(addBusinessTime(berlin, at('2026-11-30T08:00:00Z'), 120, pauses)?.toISOString()).toBe('2026-11-30T11:00:00.000Z');
    expect(businessMinutesBetween(berlin, at('2026-11-30T08:00:00Z'), at('2026-11-30T11:00:00Z'), pauses)).toBe(120);
  });

  it('given a pause that has not ended, when adding past it, then there is no due time yet', () => {
    const pauses = [{ from: Date.parse('2026-11-30T09:00:00Z') }];
    expect(addBusinessTime(berlin, at('2026-11-30T08:00:00Z'), 120, pauses)).toBeUndefined();
    expect(addBusinessTime(berlin, at('2026-11-30T08:00:00Z'), 30, pauses)?.toISOString()).toBe('2026-11-30T08:30:00.000Z');
  });

  it('refuses an unknown zone, bad times, overlaps, bad holidays and a calendar that is never open', () => {
    expect(calendarProblems({ ...berlin, timeZone: 'Mars/Olympus' })).toEqual(['timeZone: Mars/Olympus is not an IANA time zone']);
    expect(calendarProblems({ ...berlin, hours: { mon: [{ from: '9', to: '17:00' }] } })[0]).toMatch(/^hours\.mon\.0\.from/);
    expect(
      calendarProblems({
        ...berlin,
        hours: {
          mon: [
            { from: '09:00', to: '12:00' },
            { from: '11:00', to: '13:00' },
          ],
        },
      }),
    ).toEqual(['hours.mon: periods overlap']);
    expect(calendarProblems({ ...berlin, holidays: ['2026-02-30'] })).toEqual(['holidays.0: must be a date YYYY-MM-DD']);
    expect(calendarProblems({ ...berlin, hours: {} })).toEqual(['hours: a calendar needs opening hours on at least one weekday']);
    expect(calendarProblems(berlin)).toEqual([]);
  });
});
