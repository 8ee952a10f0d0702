import type { CalendarEntry } from '@crm/relationship-read-models';
import { renderCalendar, type IcsComponent } from './icalendar';

const LABELS: Record<string, string> = { call: 'Call', meeting: 'Meeting', email: 'E-mail', task: 'Task' };

/** The item's UID: the activity's id, the same in every feed and for every revision. */
export const activityUid = (activityId: string) => `${activityId}@crm-activities`;

/**
 * An activity as a calendar shows it: calls and meetings are events at their due time (a meeting
 * lasts its duration), tasks and e-mails are to-dos due then. The reminder is an alarm while the
 * activity is open. Cancelled ones stay in the feed as cancelled for a while, so a calendar that
 * had them drops them.
 */
export function activityComponent(e: CalendarEntry): IcsComponent {
  const summary = `${LABELS[e.kind] ?? e.kind}: ${e.subject}`;
  const common = {
    uid: activityUid(e.activityId),
    revisedAt: e.changedAt,
    createdAt: e.plannedAt,
    sequence: e.sequence,
    summary,
    ...(e.notes ? { description: e.notes } : {}),
    categories: LABELS[e.kind] ?? e.kind,
    ...(e.status === 'open' && e.reminderMinutesBefore !== null && { alarm: { minutesBefore: e.reminderMinutesBefore, description: summary } }),
  };
  if (e.kind === 'call' || e.kind === 'meeting') {
    return {
      ...common,
      type: 'VEVENT',
      start: e.dueAt,
      ...(e.durationMinutes !== null && { end: new Date(Date.parse(e.dueAt) + e.durationMinutes * 60_000).toISOString() }),
      status: e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    };
  }
  return {
    ...common,
    type: 'VTODO',
    due: e.dueAt,
    status: e.status === 'cancelled' ? 'CANCELLED' : e.status === 'completed' ? 'COMPLETED' : 'NEEDS-ACTION',
    ...(e.completedAt && { completed: e.completedAt }),
  };
}

export function activityCalendar(userId: string, entries: readonly CalendarEntry[]): string {
  return renderCalendar(`CRM activities of ${userId}`, entries.map(activityComponent));
}
