/**
 * The little of RFC 5545 (iCalendar) a calendar feed needs, written by hand: a VCALENDAR of VEVENTs
 * and VTODOs with VALARMs, TEXT values escaped (§3.3.11), times in UTC (§3.3.5, form 2), content
 * lines folded at 75 octets without splitting a character (§3.1), CRLF line endings.
 */

export interface IcsAlarm {
  /** Minutes before the start (VEVENT) or the due time (VTODO). */
  minutesBefore: number;
  description: string;
}

export interface IcsComponent {
  type: 'VEVENT' | 'VTODO';
  /** Stable across feeds: a calendar app recognises the same item by it. */
  uid: string;
  /** When the item was last revised (DTSTAMP and LAST-MODIFIED of a feed without METHOD). */
  revisedAt: string;
  createdAt?: string;
  sequence: number;
  summary: string;
  description?: string;
  categories?: string;
  /** VEVENT: start, and end if it lasts. */
  start?: string;
  end?: string;
  /** VTODO: when it is due. */
  due?: string;
  /** VEVENT: CONFIRMED, CANCELLED; VTODO: NEEDS-ACTION, COMPLETED, CANCELLED. */
  status: string;
  /** VTODO: when it was completed. */
  completed?: string;
  alarm?: IcsAlarm;
}

const CRLF = '\r\n';
const MAX_OCTETS = 75;

/** A TEXT value: backslash, semicolon, comma escaped; any line break as `\n`; other control characters dropped. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** `20260302T090000Z`: a DATE-TIME in UTC. */
export function utc(instant: string | Date): string {
  return new Date(instant)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * One content line, folded: no line longer than 75 octets (UTF-8), each continuation starting with
 * one space, never inside a character (a multi-byte sequence or a surrogate pair).
 */
export function foldLine(line: string): string {
  const lines: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > MAX_OCTETS) {
      lines.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  lines.push(current);
  return lines.join(CRLF);
}

/** `PT15M`, a duration in minutes. */
const minutes = (n: number) => `PT${n}M`;

function component(c: IcsComponent): string[] {
  const lines = [`BEGIN:${c.type}`, `UID:${escapeText(c.uid)}`, `DTSTAMP:${utc(c.revisedAt)}`];
  if (c.createdAt) lines.push(`CREATED:${utc(c.createdAt)}`);
  lines.push(`LAST-MODIFIED:${utc(c.revisedAt)}`, `SEQUENCE:${c.sequence}`);
  if (c.start) lines.push(`DTSTART:${utc(c.start)}`);
  if (c.end) lines.push(`DTEND:${utc(c.end)}`);
  if (c.due) lines.push(`DUE:${utc(c.due)}`);
  lines.push(`SUMMARY:${escapeText(c.summary)}`);
  if (c.description) lines.push(`DESCRIPTION:${escapeText(c.description)}`);
  if (c.categories) lines.push(`CATEGORIES:${escapeText(c.categories)}`);
  lines.push(`STATUS:${c.status}`);
  if (c.completed) lines.push(`COMPLETED:${utc(c.completed)}`);
  if (c.alarm) {
    // A VTODO's alarm is relative to its due time (its end); a VEVENT's to its start (the default).
    const trigger = c.type === 'VTODO' ? `TRIGGER;RELATED=END:-${minutes(c.alarm.minutesBefore)}` : `TRIGGER:-${minutes(c.alarm.minutesBefore)}`;
    lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(c.alarm.description)}`, trigger, 'END:VALARM');
  }
  lines.push(`END:${c.type}`);
  return lines;
}

/** A whole calendar (no METHOD: a published feed), each content line folded, CRLF after every line. */
export function renderCalendar(name: string, components: readonly IcsComponent[]): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//CRM//Sales activities//EN',
    'CALSCALE:GREGORIAN',
    `X-WR-CALNAME:${escapeText(name)}`,
    ...components.flatMap(component),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
