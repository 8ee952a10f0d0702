import type { CalendarEntry } from '@crm/relationship-read-models';
import { activityCalendar, activityComponent, activityUid } from './activity-calendar';
import { escapeText, foldLine, renderCalendar, utc } from './icalendar';

/** RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab is removed. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

const entry: CalendarEntry = {
  activityId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60',
  kind: 'meeting',
  customerId: 'c1',
  episodeId: null,
  subject: 'Fleet renewal; price, terms',
  notes: 'Bring:\n- the price list\n- C:\\offers',
  status: 'open',
  dueAt: '2026-03-02T09:00:00.000Z',
  durationMinutes: 90,
  reminderMinutesBefore: 15,
  completedAt: null,
  sequence: 2,
  changedAt: '2026-03-01T10:30:00.000Z',
  plannedAt: '2026-03-01T09:00:00.000Z',
};

describe('iCalendar (RFC 5545) by hand', () => {
  it('escapes TEXT: backslash, semicolon, comma, line breaks; drops other control characters', () => {
    expect(escapeText('a\\b;c,d\r\ne\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    expect(escapeText('tab\tstays, bell\u0007 goes')).toBe('tab\tstays\\, bell goes');
    expect(escapeText('plain text: colons are fine')).toBe('plain text: colons are fine');
  });

  it('writes times in UTC, whatever offset they were given with', () => {
    expect(utc('2026-03-02T16:00:00+07:00')).toBe('20260302T090000Z');
    expect(utc('2026-12-31T23:59:59.999Z')).toBe('20261231T235959Z');
  });

  it('folds at 75 octets, continuation lines starting with one space, never inside a character; unfolding gives the line back', () => {
    const ascii = `SUMMARY:${'x'.repeat(200)}`;
    const folded = foldLine(ascii);
    expect(folded.split('\r\n').map((l) => Buffer.byteLength(l))).toEqual([75, 75, 60]); // 208 octets: 75, then 74 + a space, then 59 + a space
    expect(
      folded
        .split('\r\n')
        .slice(1)
        .every((l) => l.startsWith(' ') && !l.startsWith('  ')),
    ).toBe(true);
    expect(unfold(folded)).toBe(ascii);
    // two-, three- and four-byte characters (and a surrogate pair) across the boundaries
    const wide = `SUMMARY:${'é'.repeat(40)}${'日本'.repeat(20)}${'😀'.repeat(20)}`;
    const parts = foldLine(wide).split('\r\n');
    for (const part of parts) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
      expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part); // each line is whole UTF-8
      expect(part).not.toMatch(/[\ud800-\udbff]$|^ ?[\udc00-\udfff]/); // no pair split
    }
    expect(unfold(parts.join('\r\n'))).toBe(wide);
    expect(foldLine('SHORT:1')).toBe('SHORT:1');
  });

  it('a calendar is CRLF throughout, ends with CRLF, and has no line over 75 octets', () => {
    const text = renderCalendar('CRM activities of sari', [activityComponent({ ...entry, subject: 'long '.repeat(40) })]);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text.split('\r\n').slice(0, 5)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//CRM//Sales activities//EN',
      'CALSCALE:GREGORIAN',
      'X-WR-CALNAME:CRM activities of sari',
    ]);
  });

  it('a meeting is a VEVENT from its due time for its duration, with its reminder as an alarm before the start', () => {
    const lines = unfold(activityCalendar('sari', [entry])).split('\r\n');
    const event = lines.slice(lines.indexOf('BEGIN:VEVENT'), lines.indexOf('END:VEVENT') + 1);
    expect(event).toEqual([
      'BEGIN:VEVENT',
      `UID:${activityUid(entry.activityId)}`,
      'DTSTAMP:20260301T103000Z',
      'CREATED:20260301T090000Z',
      'LAST-MODIFIED:20260301T103000Z',
      'SEQUENCE:2',
      'DTSTART:20260302T090000Z',
      'DTEND:20260302T103000Z',
      'SUMMARY:Meeting: Fleet renewal\\; price\\, terms',
      'DESCRIPTION:Bring:\\n- the price list\\n- C:\\\\offers',
      'CATEGORIES:Meeting',
      'STATUS:CONFIRMED',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Meeting: Fleet renewal\\; price\\, terms',
      'TRIGGER:-PT15M',
      'END:VALARM',
      'END:VEVENT',
    ]);
  });

  it('a call is an event at its due time; a task or e-mail a to-do due then, its alarm before the due time; closed ones have no alarm', () => {
    const call = activityComponent({ ...entry, kind: 'call', durationMinutes: null });
    expect(call).toMatchObject({ type: 'VEVENT', start: entry.dueAt, status: 'CONFIRMED' });
    expect(call.end).toBeUndefined();
    const task = unfold(activityCalendar('sari', [{ ...entry, kind: 'task', durationMinutes: null, notes: null }]));
    expect(task).toContain('BEGIN:VTODO\r\n');
    expect(task).toContain('DUE:20260302T090000Z\r\n');
    expect(task).toContain('STATUS:NEEDS-ACTION\r\n');
    expect(task).toContain('TRIGGER;RELATED=END:-PT15M\r\n');
    expect(task).not.toContain('DESCRIPTION:Bring');
    const done = activityComponent({ ...entry, kind: 'email', durationMinutes: null, status: 'completed', completedAt: '2026-03-02T08:00:00.000Z' });
    expect(done).toMatchObject({ type: 'VTODO', status: 'COMPLETED', completed: '2026-03-02T08:00:00.000Z' });
    expect(done.alarm).toBeUndefined();
    expect(activityComponent({ ...entry, status: 'cancelled' })).toMatchObject({ type: 'VEVENT', status: 'CANCELLED' });
    expect(activityComponent({ ...entry, kind: 'task', durationMinutes: null, status: 'cancelled' })).toMatchObject({ status: 'CANCELLED' });
    expect(activityComponent({ ...entry, reminderMinutesBefore: null }).alarm).toBeUndefined();
  });
});
