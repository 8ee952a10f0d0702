import type { EntityManager } from 'typeorm';
import { activityTable } from './activity-list.projection';
import { cursorParts, decodeCursor, encodeCursor, keysetAfter } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';

export interface ActivitySearch {
  owner?: string;
  /** The customer and those merged into it (`customerFilterIds`). */
  customerIds?: readonly string[];
  episodeId?: string;
  /** Any of these kinds. */
  kinds?: readonly string[];
  /** Any of these statuses (open, completed, cancelled). */
  statuses?: readonly string[];
  /** Due at or after. */
  dueFrom?: Date;
  /** Due before. */
  dueTo?: Date;
  limit: number;
  cursor?: string;
  /** The moment `overdue` is judged at (the clock's now). */
  now: Date;
}

export interface ActivityListItem {
  activityId: string;
  kind: string;
  customerId: string;
  episodeId: string | null;
  subject: string;
  notes: string | null;
  owner: string;
  status: string;
  dueAt: string;
  durationMinutes: number | null;
  /** Meetings: when they end. */
  endsAt: string | null;
  reminderMinutesBefore: number | null;
  remindAt: string | null;
  /** Open and past its due time. */
  overdue: boolean;
  /** The scheduler recorded `ActivityDue` for the current schedule. */
  dueNotified: boolean;
  plannedBy: string;
  plannedAt: string;
  completedAt: string | null;
  cancelledAt: string | null;
  interactionId: string | null;
  response: string | null;
}

export interface ActivityListPage {
  items: ActivityListItem[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** What a calendar feed shows of an activity. */
export interface CalendarEntry {
  activityId: string;
  kind: string;
  customerId: string;
  episodeId: string | null;
  subject: string;
  notes: string | null;
  status: string;
  dueAt: string;
  durationMinutes: number | null;
  reminderMinutesBefore: number | null;
  completedAt: string | null;
  sequence: number;
  changedAt: string;
  plannedAt: string;
}

type StoredRow = {
  activity_id: string;
  kind: string;
  customer_id: string;
  episode_id: string | null;
  subject: string;
  notes: string | null;
  owner: string;
  status: string;
  due_at: Date | string;
  duration_minutes: number | null;
  reminder_minutes: number | null;
  remind_at: Date | string | null;
  due_notified: boolean;
  planned_by: string;
  planned_at: Date | string;
  completed_at: Date | string | null;
  cancelled_at: Date | string | null;
  interaction_id: string | null;
  response: string | null;
  sequence: number;
  changed_at: Date | string;
};

const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));

/** `['activities', dueAt, activityId]`: the due time as an ISO instant to the millisecond. */
const CURSOR = [
  cursorParts.list('activities'),
  cursorParts.text({ pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, max: Number.POSITIVE_INFINITY, valid: (s) => !Number.isNaN(Date.parse(s)) }),
  cursorParts.text({ min: 1, max: 200 }),
] as const;

function item(r: StoredRow, now: Date): ActivityListItem {
  const dueAt = iso(r.due_at);
  return {
    activityId: r.activity_id,
    kind: r.kind,
    customerId: r.customer_id,
    episodeId: r.episode_id,
    subject: r.subject,
    notes: r.notes,
    owner: r.owner,
    status: r.status,
    dueAt,
    durationMinutes: r.duration_minutes,
    endsAt: r.duration_minutes === null ? null : new Date(Date.parse(dueAt) + r.duration_minutes * 60_000).toISOString(),
    reminderMinutesBefore: r.reminder_minutes,
    remindAt: isoOrNull(r.remind_at),
    overdue: r.status === 'open' && Date.parse(dueAt) < now.getTime(),
    dueNotified: r.due_notified,
    plannedBy: r.planned_by,
    plannedAt: iso(r.planned_at),
    completedAt: isoOrNull(r.completed_at),
    cancelledAt: isoOrNull(r.cancelled_at),
    interactionId: r.interaction_id,
    response: r.response,
  };
}

/**
 * The activities that match, soonest due first, one page at a time in a stable order (keyset
 * paging on due time, ties by activity id). The due and overdue lists are this search too: open,
 * of one owner, due before a moment.
 */
export async function searchActivities(manager: EntityManager, search: ActivitySearch): Promise<ActivityListPage> {
  const table = activityTable(manager);
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const { params, p } = sqlParameters();
  const where: string[] = [];
  if (search.owner !== undefined) where.push(`a.owner = ${p(search.owner)}`);
  if (search.customerIds !== undefined) where.push(`a.customer_id = ANY(${p([...search.customerIds])}::text[])`);
  if (search.episodeId !== undefined) where.push(`a.episode_id = ${p(search.episodeId)}`);
  if (search.kinds?.length) where.push(`a.kind = ANY(${p([...search.kinds])}::text[])`);
  if (search.statuses?.length) where.push(`a.status = ANY(${p([...search.statuses])}::text[])`);
  if (search.dueFrom) where.push(`a.due_at >= ${p(search.dueFrom.toISOString())}::timestamptz`);
  if (search.dueTo) where.push(`a.due_at < ${p(search.dueTo.toISOString())}::timestamptz`);
  if (after) {
    const [, afterDue, afterId] = after;
    const at = p(afterDue);
    where.push(keysetAfter({ expr: 'a.due_at', cast: '::timestamptz', desc: false }, 'a.activity_id', at, p(afterId)));
  }
  const rows = (await manager.query(
    `SELECT a.* FROM ${table} a ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.due_at ASC, a.activity_id ASC LIMIT ${p(search.limit + 1)}`,
    params,
  )) as StoredRow[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => item(r, search.now)),
    ...(rows.length > search.limit && last && { nextCursor: encodeCursor(['activities', iso(last.due_at), last.activity_id]) }),
  };
}

/** Activities with a notice to record at `now` (reminder or due time), the longest waiting first: what the scheduler looks at. */
export async function activitiesWithNoticeDue(manager: EntityManager, now: Date, limit: number): Promise<string[]> {
  const rows = (await manager.query(
    `SELECT activity_id FROM ${activityTable(manager)} WHERE next_notice_at <= $1::timestamptz ORDER BY next_notice_at ASC, activity_id ASC LIMIT $2`,
    [now.toISOString(), limit],
  )) as { activity_id: string }[];
  return rows.map((r) => r.activity_id);
}

/**
 * One owner's activities for a calendar feed: every open one, and those completed or cancelled
 * whose due time is after `since` (so a calendar that had them sees them end), soonest first.
 */
export async function calendarEntries(manager: EntityManager, owner: string, since: Date, limit = 2000): Promise<CalendarEntry[]> {
  const rows = (await manager.query(
    `SELECT * FROM ${activityTable(manager)} WHERE owner = $1 AND (status = 'open' OR due_at >= $2::timestamptz)
     ORDER BY due_at ASC, activity_id ASC LIMIT $3`,
    [owner, since.toISOString(), limit],
  )) as StoredRow[];
  return rows.map((r) => ({
    activityId: r.activity_id,
    kind: r.kind,
    customerId: r.customer_id,
    episodeId: r.episode_id,
    subject: r.subject,
    notes: r.notes,
    status: r.status,
    dueAt: iso(r.due_at),
    durationMinutes: r.duration_minutes,
    reminderMinutesBefore: r.reminder_minutes,
    completedAt: isoOrNull(r.completed_at),
    sequence: r.sequence,
    changedAt: iso(r.changed_at),
    plannedAt: iso(r.planned_at),
  }));
}

/** Completed activities of one owner in one ISO week (Monday to Sunday, UTC), by kind. */
export interface ActivityReportRow {
  owner: string;
  /** The Monday the week starts on, `YYYY-MM-DD`. */
  weekStart: string;
  calls: number;
  meetings: number;
  emails: number;
  tasks: number;
}

/**
 * The activity report: activities completed from `from` to `to` (days, inclusive, UTC) per owner
 * and ISO week, counted by kind — by when they were completed, not when they were due. Only weeks
 * and owners with something; by week, then owner.
 */
export async function activityReport(manager: EntityManager, q: { from: string; to: string; owner?: string }): Promise<ActivityReportRow[]> {
  const params: unknown[] = [q.from, q.to];
  const where = [
    `status = 'completed'`,
    `completed_at >= $1::date::timestamp AT TIME ZONE 'UTC'`,
    `completed_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`,
  ];
  if (q.owner !== undefined) {
    params.push(q.owner);
    where.push(`owner = $${params.length}`);
  }
  const rows = (await manager.query(
    `SELECT owner, to_char(date_trunc('week', completed_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week_start,
            count(*) FILTER (WHERE kind = 'call')::int AS calls, count(*) FILTER (WHERE kind = 'meeting')::int AS meetings,
            count(*) FILTER (WHERE kind = 'email')::int AS emails, count(*) FILTER (WHERE kind = 'task')::int AS tasks
     FROM ${activityTable(manager)} WHERE ${where.join(' AND ')}
     GROUP BY owner, week_start ORDER BY week_start, owner`,
    params,
  )) as { owner: string; week_start: string; calls: number; meetings: number; emails: number; tasks: number }[];
  return rows.map((r) => ({
    owner: r.owner,
    weekStart: r.week_start,
    calls: Number(r.calls),
    meetings: Number(r.meetings),
    emails: Number(r.emails),
    tasks: Number(r.tasks),
  }));
}
