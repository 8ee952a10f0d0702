import {
  DomainRuleViolation,
  MAX_MEETING_MINUTES,
  MAX_REMINDER_MINUTES,
  type ActivityKind,
  type ActivityStatus,
  type Channel,
  type Decider,
} from '@crm/kernel';
import type { Interaction } from './episode';

/**
 * Activity aggregate: scheduling contact with customers (sales-force automation). A task, call,
 * meeting or e-mail planned against a customer — or against one of its episodes — with a due time,
 * an owner and an optional reminder. It is rescheduled, reassigned, cancelled or completed; completing
 * a contact records the interaction (the action and its response) it was. At the reminder time and
 * at the due time the scheduler records `ActivityReminderDue` and `ActivityDue` — once per schedule:
 * every plan or reschedule starts a new schedule (numbered from 1), and each of its two notices is
 * decided here from the activity's own history, so a stale or repeated attempt records nothing.
 */

export interface ActivityPlannedData {
  activityId: string;
  kind: ActivityKind;
  /** The customer whose relationship the activity is part of (an episode's customer when planned on an episode). */
  customerId: string;
  /** The episode (an opportunity, a case…) the activity belongs to, if any: its interaction is recorded there. */
  episodeId?: string;
  /** What it is about ("call about the fleet renewal"): personal free text. */
  subject: string;
  notes?: string;
  dueAt: string;
  /** Meetings only: how long, in minutes. */
  durationMinutes?: number;
  /** A reminder this many minutes before the due time. */
  reminderMinutesBefore?: number;
  owner: string;
  plannedBy: string;
  plannedAt: string;
}

/** A new due time (and duration, reminder): the timing as a whole, a new schedule. */
export interface ActivityTiming {
  dueAt: string;
  durationMinutes?: number;
  reminderMinutesBefore?: number;
}

/** A notice of the scheduler: which schedule it belongs to, and the owner at that moment. */
export interface ActivityNotice {
  activityId: string;
  customerId: string;
  episodeId?: string;
  kind: ActivityKind;
  owner: string;
  dueAt: string;
  /** 1 for the plan, +1 for each reschedule. */
  schedule: number;
}

export type ActivityEvent =
  | { type: 'ActivityPlanned'; data: ActivityPlannedData }
  | {
      type: 'ActivityRescheduled';
      data: { activityId: string; customerId: string; rescheduledBy: string; rescheduledAt: string; schedule: number } & ActivityTiming;
    }
  | {
      type: 'ActivityReassigned';
      data: { activityId: string; customerId: string; owner: string; previousOwner: string; reassignedBy: string; reassignedAt: string };
    }
  | { type: 'ActivityCancelled'; data: { activityId: string; customerId: string; reason?: string; cancelledBy: string; cancelledAt: string } }
  | {
      type: 'ActivityCompleted';
      data: { activityId: string; customerId: string; episodeId?: string; completedBy: string; completedAt: string; interaction?: Interaction };
    }
  | { type: 'ActivityReminderDue'; data: ActivityNotice & { remindAt: string } }
  | { type: 'ActivityDue'; data: ActivityNotice };

export interface Activity {
  readonly activityId: string;
  readonly kind: ActivityKind;
  readonly customerId: string;
  readonly episodeId?: string;
  readonly subject: string;
  readonly notes?: string;
  readonly owner: string;
  readonly status: ActivityStatus;
  readonly dueAt: string;
  readonly durationMinutes?: number;
  readonly reminderMinutesBefore?: number;
  readonly plannedBy: string;
  readonly plannedAt: string;
  /** The current schedule (1 for the plan, +1 for each reschedule). */
  readonly schedule: number;
  /** `ActivityReminderDue` / `ActivityDue` recorded for the current schedule. */
  readonly reminderNotified: boolean;
  readonly dueNotified: boolean;
  readonly completedAt?: string;
  readonly completedBy?: string;
  readonly cancelledAt?: string;
  /** The interaction completing it recorded (its id is the one on the episode too). */
  readonly interaction?: Interaction;
}

export type ActivityState = Activity | undefined;

/** What a plan is made against, as the application layer found it. */
export interface ActivityTarget {
  customerExists: boolean;
  /** The episode named by the plan, when one is: its customer and whether it is closed. */
  episode?: { customerId: string; closed: boolean };
}

export type ActivityCommand =
  | { type: 'PlanActivity'; data: ActivityPlannedData; target: ActivityTarget }
  | { type: 'RescheduleActivity'; data: { activityId: string; rescheduledBy: string; rescheduledAt: string } & ActivityTiming }
  | { type: 'ReassignActivity'; data: { activityId: string; owner: string; reassignedBy: string; reassignedAt: string } }
  | { type: 'CancelActivity'; data: { activityId: string; reason?: string; cancelledBy: string; cancelledAt: string } }
  /** `interaction`: the contact it was (absent: a task that was no contact with the customer). */
  | { type: 'CompleteActivity'; data: { activityId: string; completedBy: string; completedAt: string; interaction?: Interaction } }
  /** The scheduler's: record what is due at `now` (the reminder, the due time) and not yet recorded for this schedule. */
  | { type: 'NotifyDueActivity'; data: { activityId: string; now: string } };

export const activityStream = (activityId: string) => `activity-${activityId}`;

/** The channel a completed activity's interaction is on, unless the completion names another; a task has none. */
export const ACTIVITY_CHANNELS: Readonly<Record<ActivityKind, Channel | undefined>> = {
  call: 'phone',
  meeting: 'face-to-face',
  email: 'email',
  task: undefined,
};

/** The time the reminder is due, if the activity has one. */
export function reminderTime(a: Pick<Activity, 'dueAt' | 'reminderMinutesBefore'>): string | undefined {
  return a.reminderMinutesBefore === undefined ? undefined : new Date(Date.parse(a.dueAt) - a.reminderMinutesBefore * 60_000).toISOString();
}

export function evolveActivity(state: ActivityState, event: ActivityEvent): ActivityState {
  if (event.type === 'ActivityPlanned') return { ...event.data, status: 'open', schedule: 1, reminderNotified: false, dueNotified: false };
  if (!state) return state;
  switch (event.type) {
    case 'ActivityRescheduled': {
      const { durationMinutes: _d, reminderMinutesBefore: _r, ...rest } = state;
      const d = event.data;
      return {
        ...rest,
        dueAt: d.dueAt,
        ...(d.durationMinutes !== undefined && { durationMinutes: d.durationMinutes }),
        ...(d.reminderMinutesBefore !== undefined && { reminderMinutesBefore: d.reminderMinutesBefore }),
        schedule: d.schedule,
        reminderNotified: false,
        dueNotified: false,
      };
    }
    case 'ActivityReassigned':
      return { ...state, owner: event.data.owner };
    case 'ActivityCancelled':
      return { ...state, status: 'cancelled', cancelledAt: event.data.cancelledAt };
    case 'ActivityCompleted':
      return {
        ...state,
        status: 'completed',
        completedAt: event.data.completedAt,
        completedBy: event.data.completedBy,
        ...(event.data.interaction && { interaction: event.data.interaction }),
      };
    case 'ActivityReminderDue':
      return event.data.schedule === state.schedule ? { ...state, reminderNotified: true } : state;
    case 'ActivityDue':
      return event.data.schedule === state.schedule ? { ...state, dueNotified: true } : state;
  }
}

/** The timing rules a plan and a reschedule share. */
function checkTiming(kind: ActivityKind, t: ActivityTiming): void {
  if (Number.isNaN(Date.parse(t.dueAt))) throw new DomainRuleViolation('invalid-due-time', `${t.dueAt} is not a point in time`);
  if (kind === 'meeting') {
    if (t.durationMinutes === undefined) throw new DomainRuleViolation('meeting-needs-duration', 'a meeting says how long it lasts (durationMinutes)');
    if (!Number.isInteger(t.durationMinutes) || t.durationMinutes < 1 || t.durationMinutes > MAX_MEETING_MINUTES)
      throw new DomainRuleViolation('invalid-duration', `a meeting lasts 1 to ${MAX_MEETING_MINUTES} minutes`);
  } else if (t.durationMinutes !== undefined) {
    throw new DomainRuleViolation('duration-only-for-meetings', `only meetings have a duration; a ${kind} has a due time`);
  }
  const r = t.reminderMinutesBefore;
  if (r !== undefined && (!Number.isInteger(r) || r < 0 || r > MAX_REMINDER_MINUTES))
    throw new DomainRuleViolation('invalid-reminder', `a reminder comes 0 to ${MAX_REMINDER_MINUTES} minutes (four weeks) before the due time`);
}

const sameTiming = (a: ActivityTiming, b: ActivityTiming) =>
  Date.parse(a.dueAt) === Date.parse(b.dueAt) && a.durationMinutes === b.durationMinutes && a.reminderMinutesBefore === b.reminderMinutesBefore;

function notice(state: Activity): ActivityNotice {
  return {
    activityId: state.activityId,
    customerId: state.customerId,
    ...(state.episodeId !== undefined && { episodeId: state.episodeId }),
    kind: state.kind,
    owner: state.owner,
    dueAt: state.dueAt,
    schedule: state.schedule,
  };
}

export function decideActivity(command: ActivityCommand, state: ActivityState): ActivityEvent[] {
  if (command.type === 'PlanActivity') {
    const d = command.data;
    if (state) {
      // The same plan again (a retried request with its activity id): nothing new.
      const same =
        state.kind === d.kind &&
        state.customerId === d.customerId &&
        state.episodeId === d.episodeId &&
        state.plannedBy === d.plannedBy &&
        Date.parse(state.dueAt) === Date.parse(d.dueAt);
      if (same) return [];
      throw new DomainRuleViolation('activity-exists', `activity ${d.activityId} was already planned`);
    }
    if (!command.target.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${d.customerId} is not registered`);
    const episode = command.target.episode;
    if (d.episodeId !== undefined) {
      if (!episode) throw new DomainRuleViolation('unknown-episode', `episode ${d.episodeId} does not exist`);
      if (episode.customerId !== d.customerId)
        throw new DomainRuleViolation('episode-of-another-customer', `episode ${d.episodeId} belongs to another customer than ${d.customerId}`);
      if (episode.closed) throw new DomainRuleViolation('episode-closed', `episode ${d.episodeId} is closed: nothing more is planned in it`);
    }
    if (!d.subject.trim()) throw new DomainRuleViolation('activity-needs-subject', 'an activity says what it is about (subject)');
    if (!d.owner.trim()) throw new DomainRuleViolation('activity-needs-owner', 'an activity has an owner');
    checkTiming(d.kind, d);
    return [{ type: 'ActivityPlanned', data: d }];
  }
  if (!state) throw new DomainRuleViolation('unknown-activity', `activity ${command.data.activityId} does not exist`);
  const closed = () => new DomainRuleViolation('activity-closed', `activity ${state.activityId} is ${state.status}`);
  switch (command.type) {
    case 'RescheduleActivity': {
      if (state.status !== 'open') throw closed();
      const d = command.data;
      checkTiming(state.kind, d);
      if (sameTiming(state, d)) return [];
      return [
        {
          type: 'ActivityRescheduled',
          data: {
            activityId: state.activityId,
            customerId: state.customerId,
            dueAt: d.dueAt,
            ...(d.durationMinutes !== undefined && { durationMinutes: d.durationMinutes }),
            ...(d.reminderMinutesBefore !== undefined && { reminderMinutesBefore: d.reminderMinutesBefore }),
            rescheduledBy: d.rescheduledBy,
            rescheduledAt: d.rescheduledAt,
            schedule: state.schedule + 1,
          },
        },
      ];
    }
    case 'ReassignActivity': {
      if (state.status !== 'open') throw closed();
      const d = command.data;
      if (!d.owner.trim()) throw new DomainRuleViolation('activity-needs-owner', 'an activity has an owner');
      if (d.owner === state.owner) return [];
      return [{ type: 'ActivityReassigned', data: { ...d, customerId: state.customerId, previousOwner: state.owner } }];
    }
    case 'CancelActivity':
      if (state.status === 'cancelled') return []; // a retried request
      if (state.status !== 'open') throw closed();
      return [{ type: 'ActivityCancelled', data: { ...command.data, customerId: state.customerId } }];
    case 'CompleteActivity': {
      if (state.status === 'completed') return []; // a retried request
      if (state.status !== 'open') throw closed();
      const d = command.data;
      if (d.interaction && Date.parse(d.interaction.occurredAt) < Date.parse(state.plannedAt))
        throw new DomainRuleViolation('completed-before-planned', 'an activity cannot be done before it was planned');
      return [
        {
          type: 'ActivityCompleted',
          data: { ...d, customerId: state.customerId, ...(state.episodeId !== undefined && { episodeId: state.episodeId }) },
        },
      ];
    }
    case 'NotifyDueActivity': {
      // Completed, cancelled, rescheduled later, or already recorded: nothing (a late or repeated attempt).
      if (state.status !== 'open') return [];
      const now = Date.parse(command.data.now);
      const events: ActivityEvent[] = [];
      const remindAt = reminderTime(state);
      if (remindAt !== undefined && !state.reminderNotified && !state.dueNotified && Date.parse(remindAt) <= now)
        events.push({ type: 'ActivityReminderDue', data: { ...notice(state), remindAt } });
      if (!state.dueNotified && Date.parse(state.dueAt) <= now) events.push({ type: 'ActivityDue', data: notice(state) });
      return events;
    }
  }
}

/** The activity aggregate, as the application layer runs it. */
export const activityDecider: Decider<ActivityState, ActivityCommand, ActivityEvent> = {
  decide: decideActivity,
  evolve: evolveActivity,
  initialState: undefined,
};
