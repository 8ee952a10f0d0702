import { ERASED, type CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { ActivityListEntry } from './activity-list.entities';

/** The events the activities list keeps up with (published with the customer as subject). */
export type ActivityListEvent = CrmIntegrationEvent<
  | 'ActivityPlanned'
  | 'ActivityRescheduled'
  | 'ActivityReassigned'
  | 'ActivityCancelled'
  | 'ActivityCompleted'
  | 'ActivityReminderDue'
  | 'ActivityDue'
  | 'CustomerPersonalDataErased'
>;

type ActivityEvent = Exclude<ActivityListEvent, { type: 'CustomerPersonalDataErased' }>;

const ACTIVITY_LIST_TYPES: ActivityListEvent['type'][] = [
  'ActivityPlanned',
  'ActivityRescheduled',
  'ActivityReassigned',
  'ActivityCancelled',
  'ActivityCompleted',
  'ActivityReminderDue',
  'ActivityDue',
  'CustomerPersonalDataErased',
];

/** A row of the activities list, by column name (instants as ISO strings). */
export interface ActivityRow {
  activity_id: string;
  kind: string;
  customer_id: string;
  episode_id: string | null;
  subject: string;
  notes: string | null;
  owner: string;
  status: string;
  due_at: string;
  duration_minutes: number | null;
  reminder_minutes: number | null;
  remind_at: string | null;
  schedule: number;
  reminder_notified: boolean;
  due_notified: boolean;
  next_notice_at: string | null;
  planned_by: string;
  planned_at: string;
  completed_at: string | null;
  cancelled_at: string | null;
  interaction_id: string | null;
  response: string | null;
  sequence: number;
  changed_at: string;
}

const iso = (value: string | Date) => new Date(value).toISOString();
const minus = (at: string, minutes: number) => new Date(Date.parse(at) - minutes * 60_000).toISOString();

/** When the scheduler is next to record something for this row: the reminder (if any, not yet, and the due notice not yet), then the due notice. */
export function nextNoticeAt(row: Pick<ActivityRow, 'status' | 'due_at' | 'remind_at' | 'reminder_notified' | 'due_notified'>): string | null {
  if (row.status !== 'open' || row.due_notified) return null;
  if (row.remind_at !== null && !row.reminder_notified) return row.remind_at;
  return row.due_at;
}

const withNext = (row: ActivityRow): ActivityRow => ({ ...row, next_notice_at: nextNoticeAt(row) });

/**
 * One event applied to an activity's row. Pure: the batch and the one-by-one paths fold through it.
 * Throws for a change to an activity the list does not have (the runner parks it and what follows).
 */
export function foldActivity(row: ActivityRow | undefined, event: ActivityEvent): ActivityRow {
  if (event.type === 'ActivityPlanned') {
    if (row) return row; // delivered again
    const d = event.data;
    const dueAt = iso(d.dueAt);
    return withNext({
      activity_id: d.activityId,
      kind: d.kind,
      customer_id: d.customerId,
      episode_id: d.episodeId ?? null,
      subject: d.subject,
      notes: d.notes ?? null,
      owner: d.owner,
      status: 'open',
      due_at: dueAt,
      duration_minutes: d.durationMinutes ?? null,
      reminder_minutes: d.reminderMinutesBefore ?? null,
      remind_at: d.reminderMinutesBefore === undefined ? null : minus(dueAt, d.reminderMinutesBefore),
      schedule: 1,
      reminder_notified: false,
      due_notified: false,
      next_notice_at: null,
      planned_by: d.plannedBy,
      planned_at: iso(d.plannedAt),
      completed_at: null,
      cancelled_at: null,
      interaction_id: null,
      response: null,
      sequence: 0,
      changed_at: iso(event.time ?? d.plannedAt),
    });
  }
  if (!row) throw new Error(`activity ${event.data.activityId} is not in the activities list`);
  const changed = (at: string) => ({ sequence: row.sequence + 1, changed_at: iso(event.time ?? at) });
  switch (event.type) {
    case 'ActivityRescheduled': {
      const d = event.data;
      if (d.schedule <= row.schedule) return row; // delivered again
      const dueAt = iso(d.dueAt);
      return withNext({
        ...row,
        due_at: dueAt,
        duration_minutes: d.durationMinutes ?? null,
        reminder_minutes: d.reminderMinutesBefore ?? null,
        remind_at: d.reminderMinutesBefore === undefined ? null : minus(dueAt, d.reminderMinutesBefore),
        schedule: d.schedule,
        reminder_notified: false,
        due_notified: false,
        ...changed(d.rescheduledAt),
      });
    }
    case 'ActivityReassigned':
      return row.owner === event.data.owner ? row : { ...row, owner: event.data.owner, ...changed(event.data.reassignedAt) };
    case 'ActivityCancelled':
      if (row.status === 'cancelled') return row;
      return withNext({ ...row, status: 'cancelled', cancelled_at: iso(event.data.cancelledAt), ...changed(event.data.cancelledAt) });
    case 'ActivityCompleted': {
      if (row.status === 'completed') return row;
      const i = event.data.interaction;
      return withNext({
        ...row,
        status: 'completed',
        completed_at: iso(event.data.completedAt),
        interaction_id: i?.interactionId ?? null,
        response: i?.response ?? null,
        ...changed(event.data.completedAt),
      });
    }
    case 'ActivityReminderDue':
      return event.data.schedule === row.schedule ? withNext({ ...row, reminder_notified: true }) : row;
    case 'ActivityDue':
      return event.data.schedule === row.schedule ? withNext({ ...row, due_notified: true }) : row;
  }
}

const COLUMNS: [string, string][] = [
  ['activity_id', 'text'],
  ['kind', 'text'],
  ['customer_id', 'text'],
  ['episode_id', 'text'],
  ['subject', 'text'],
  ['notes', 'text'],
  ['owner', 'text'],
  ['status', 'text'],
  ['due_at', 'timestamptz'],
  ['duration_minutes', 'integer'],
  ['reminder_minutes', 'integer'],
  ['remind_at', 'timestamptz'],
  ['schedule', 'integer'],
  ['reminder_notified', 'boolean'],
  ['due_notified', 'boolean'],
  ['next_notice_at', 'timestamptz'],
  ['planned_by', 'text'],
  ['planned_at', 'timestamptz'],
  ['completed_at', 'timestamptz'],
  ['cancelled_at', 'timestamptz'],
  ['interaction_id', 'text'],
  ['response', 'text'],
  ['sequence', 'integer'],
  ['changed_at', 'timestamptz'],
];
const NAMES = COLUMNS.map(([c]) => c).join(', ');
const RECORD = COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ');
const INSTANTS = COLUMNS.filter(([, t]) => t === 'timestamptz').map(([c]) => c);

/** A row as the database gives it back, instants as ISO strings again. */
function fromStored(stored: Record<string, unknown>): ActivityRow {
  const row = { ...stored } as Record<string, unknown>;
  for (const c of INSTANTS) if (row[c] !== null && row[c] !== undefined) row[c] = iso(row[c] as string | Date);
  return row as unknown as ActivityRow;
}

export const activityTable = (manager: EntityManager) => manager.getRepository(ActivityListEntry).metadata.tablePath;

/**
 * The activities list (sales): fed like every read model — from the bus (consumer group
 * `read-models.<service>`, dedupe records) or straight from the store (embedded), through the same
 * `ProjectionRunner`, so its rows change in the transaction that records how far it got. The
 * activity scheduler reads `next_notice_at` from it to find what is due. A customer's erasure drops
 * the personal fields of its activities (subject, notes, response) as of that moment.
 */
export function activityListProjection(owner: string): Projection<ActivityListEvent> {
  const applyBatch = async (events: readonly ActivityListEvent[], manager: EntityManager) => {
    const table = activityTable(manager);
    let pending: ActivityEvent[] = [];
    const flush = async () => {
      if (pending.length > 0) await applyActivityEvents(pending, manager, table);
      pending = [];
    };
    for (const event of events) {
      if (event.type !== 'CustomerPersonalDataErased') {
        pending.push(event);
        continue;
      }
      // In order: what came before the erasure is written first, then erased.
      await flush();
      const customers = [event.data.customerId, ...(event.data.mergedCustomerIds ?? [])];
      await manager.query(`UPDATE ${table} SET subject = $1, notes = NULL, response = NULL WHERE customer_id = ANY($2::text[])`, [ERASED, customers]);
    }
    await flush();
  };
  return {
    name: `${owner}.activity-list`,
    entities: [ActivityListEntry],
    handles: ACTIVITY_LIST_TYPES,
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}

/** Each activity of the batch read once, folded in order, written back in one statement. */
async function applyActivityEvents(events: readonly ActivityEvent[], manager: EntityManager, table: string): Promise<void> {
  const ids = [...new Set(events.map((e) => e.data.activityId))];
  const current = (await manager.query(`SELECT ${NAMES} FROM ${table} WHERE activity_id = ANY($1::text[])`, [ids])) as Record<string, unknown>[];
  const rows = new Map<string, ActivityRow>(current.map((r) => [String(r.activity_id), fromStored(r)]));
  const changed = new Set<string>();
  for (const event of events) {
    const id = event.data.activityId;
    const before = rows.get(id);
    const after = foldActivity(before, event);
    if (after !== before) {
      rows.set(id, after);
      changed.add(id);
    }
  }
  if (changed.size === 0) return;
  await manager.query(
    `INSERT INTO ${table} (${NAMES})
     SELECT ${NAMES} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD})
     ON CONFLICT (activity_id) DO UPDATE SET ${COLUMNS.filter(([c]) => c !== 'activity_id')
       .map(([c]) => `${c} = EXCLUDED.${c}`)
       .join(', ')}`,
    [JSON.stringify([...changed].map((id) => rows.get(id)))],
  );
}
