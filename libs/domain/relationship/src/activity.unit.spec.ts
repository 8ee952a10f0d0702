import { DeciderSpecification } from '@crm/kernel/testing';
import { activityDecider, evolveActivity, reminderTime, type ActivityEvent, type ActivityPlannedData, type ActivityState } from './activity';
import type { Interaction } from './episode';

const given = DeciderSpecification.for(activityDecider);
const stateOf = (events: ActivityEvent[]): ActivityState => events.reduce(evolveActivity, undefined);

const planned: ActivityPlannedData = {
  activityId: 'a1',
  kind: 'call',
  customerId: 'c1',
  episodeId: 'e1',
  subject: 'Fleet renewal: budget',
  dueAt: '2026-03-02T09:00:00.000Z',
  reminderMinutesBefore: 15,
  owner: 'sari',
  plannedBy: 'sari',
  plannedAt: '2026-03-01T09:00:00.000Z',
};
const target = { customerExists: true, episode: { customerId: 'c1', closed: false } };
const plan = { type: 'PlanActivity' as const, data: planned, target };
const history: ActivityEvent[] = [{ type: 'ActivityPlanned', data: planned }];
const notice = { activityId: 'a1', customerId: 'c1', episodeId: 'e1', kind: 'call' as const, owner: 'sari', dueAt: planned.dueAt, schedule: 1 };
const reminded: ActivityEvent = { type: 'ActivityReminderDue', data: { ...notice, remindAt: '2026-03-02T08:45:00.000Z' } };
const due: ActivityEvent = { type: 'ActivityDue', data: notice };
const notify = (now: string) => ({ type: 'NotifyDueActivity' as const, data: { activityId: 'a1', now } });
const call: Interaction = {
  interactionId: 'i1',
  channel: 'phone',
  direction: 'outbound',
  actor: { kind: 'staff', id: 'sari' },
  action: 'call held',
  response: 'budget confirmed',
  occurredAt: '2026-03-02T09:10:00.000Z',
};

describe('activity: planning', () => {
  it('plans a call on an episode of the customer; the same plan again changes nothing, another one under the same id is refused', () => {
    given([]).when(plan).then(history);
    given(history).when(plan).thenNothingHappens();
    given(history)
      .when({ ...plan, data: { ...planned, kind: 'task' } })
      .thenBreaks('activity-exists');
    expect(stateOf(history)).toMatchObject({ status: 'open', schedule: 1, owner: 'sari', reminderNotified: false, dueNotified: false });
  });

  it('is planned against a registered customer, and an open episode of that customer', () => {
    given([])
      .when({ ...plan, target: { ...target, customerExists: false } })
      .thenBreaks('unknown-customer');
    given([])
      .when({ ...plan, target: { customerExists: true } })
      .thenBreaks('unknown-episode');
    given([])
      .when({ ...plan, target: { customerExists: true, episode: { customerId: 'c2', closed: false } } })
      .thenBreaks('episode-of-another-customer');
    given([])
      .when({ ...plan, target: { customerExists: true, episode: { customerId: 'c1', closed: true } } })
      .thenBreaks('episode-closed');
    // against the customer alone
    const onCustomer = { ...planned, episodeId: undefined };
    given([])
      .when({ type: 'PlanActivity', data: onCustomer, target: { customerExists: true } })
      .then([{ type: 'ActivityPlanned', data: onCustomer }]);
  });

  it('says what it is about and who owns it', () => {
    given([])
      .when({ ...plan, data: { ...planned, subject: '  ' } })
      .thenBreaks('activity-needs-subject');
    given([])
      .when({ ...plan, data: { ...planned, owner: '' } })
      .thenBreaks('activity-needs-owner');
  });

  it('a meeting has a duration, nothing else has one', () => {
    given([])
      .when({ ...plan, data: { ...planned, kind: 'meeting' } })
      .thenBreaks('meeting-needs-duration');
    given([])
      .when({ ...plan, data: { ...planned, kind: 'meeting', durationMinutes: 0 } })
      .thenBreaks('invalid-duration');
    given([])
      .when({ ...plan, data: { ...planned, kind: 'meeting', durationMinutes: 10_081 } })
      .thenBreaks('invalid-duration');
    given([])
      .when({ ...plan, data: { ...planned, kind: 'call', durationMinutes: 30 } })
      .thenBreaks('duration-only-for-meetings');
    const meeting = { ...planned, kind: 'meeting' as const, durationMinutes: 90 };
    given([])
      .when({ ...plan, data: meeting })
      .then([{ type: 'ActivityPlanned', data: meeting }]);
  });

  it('a reminder comes 0 to four weeks before the due time; the due time is a point in time', () => {
    given([])
      .when({ ...plan, data: { ...planned, reminderMinutesBefore: -1 } })
      .thenBreaks('invalid-reminder');
    given([])
      .when({ ...plan, data: { ...planned, reminderMinutesBefore: 40_321 } })
      .thenBreaks('invalid-reminder');
    given([])
      .when({ ...plan, data: { ...planned, dueAt: 'tomorrow' } })
      .thenBreaks('invalid-due-time');
    expect(reminderTime(planned)).toBe('2026-03-02T08:45:00.000Z');
    expect(reminderTime({ dueAt: planned.dueAt })).toBeUndefined();
  });

  it('refuses anything on an activity never planned', () => {
    given([]).when(notify('2026-03-03T00:00:00Z')).thenBreaks('unknown-activity');
    given([])
      .when({ type: 'CancelActivity', data: { activityId: 'a1', cancelledBy: 'sari', cancelledAt: '2026-03-01T10:00:00Z' } })
      .thenBreaks('unknown-activity');
  });
});

describe('activity: changes', () => {
  const reschedule = {
    activityId: 'a1',
    dueAt: '2026-03-03T09:00:00.000Z',
    reminderMinutesBefore: 30,
    rescheduledBy: 'sari',
    rescheduledAt: '2026-03-01T11:00:00Z',
  };
  const rescheduled: ActivityEvent = {
    type: 'ActivityRescheduled',
    data: {
      activityId: 'a1',
      customerId: 'c1',
      dueAt: reschedule.dueAt,
      reminderMinutesBefore: 30,
      rescheduledBy: 'sari',
      rescheduledAt: reschedule.rescheduledAt,
      schedule: 2,
    },
  };

  it('rescheduling starts a new schedule: its reminder and due time are recorded afresh; the same timing again is nothing', () => {
    given(history).when({ type: 'RescheduleActivity', data: reschedule }).then([rescheduled]);
    given([...history, reminded, due])
      .when({ type: 'RescheduleActivity', data: reschedule })
      .then([rescheduled]);
    expect(stateOf([...history, reminded, due, rescheduled])).toMatchObject({
      schedule: 2,
      reminderNotified: false,
      dueNotified: false,
      dueAt: reschedule.dueAt,
    });
    given(history)
      .when({ type: 'RescheduleActivity', data: { ...reschedule, dueAt: '2026-03-02T10:00:00+01:00', reminderMinutesBefore: 15 } })
      .thenNothingHappens();
    given(history)
      .when({ type: 'RescheduleActivity', data: { ...reschedule, durationMinutes: 30 } })
      .thenBreaks('duration-only-for-meetings');
    // a reschedule without a reminder drops it
    const withoutReminder = stateOf([...history, { ...rescheduled, data: { ...rescheduled.data, reminderMinutesBefore: undefined } }]);
    expect(withoutReminder?.reminderMinutesBefore).toBeUndefined();
  });

  it('is reassigned to another owner (the same owner: nothing)', () => {
    const reassign = { activityId: 'a1', owner: 'budi', reassignedBy: 'mira', reassignedAt: '2026-03-01T12:00:00Z' };
    given(history)
      .when({ type: 'ReassignActivity', data: reassign })
      .then([{ type: 'ActivityReassigned', data: { ...reassign, customerId: 'c1', previousOwner: 'sari' } }]);
    given(history)
      .when({ type: 'ReassignActivity', data: { ...reassign, owner: 'sari' } })
      .thenNothingHappens();
    given(history)
      .when({ type: 'ReassignActivity', data: { ...reassign, owner: ' ' } })
      .thenBreaks('activity-needs-owner');
  });

  it('completing records the interaction it was; done once (a retry is nothing), and not before it was planned', () => {
    const complete = { activityId: 'a1', completedBy: 'sari', completedAt: '2026-03-02T09:10:00.000Z', interaction: call };
    const completed: ActivityEvent = { type: 'ActivityCompleted', data: { ...complete, customerId: 'c1', episodeId: 'e1' } };
    given(history).when({ type: 'CompleteActivity', data: complete }).then([completed]);
    given([...history, completed])
      .when({ type: 'CompleteActivity', data: complete })
      .thenNothingHappens();
    expect(stateOf([...history, completed])).toMatchObject({ status: 'completed', interaction: call, completedBy: 'sari' });
    given(history)
      .when({ type: 'CompleteActivity', data: { ...complete, interaction: { ...call, occurredAt: '2026-02-01T00:00:00Z' } } })
      .thenBreaks('completed-before-planned');
    // a task that was no contact with the customer records no interaction
    const task = { ...planned, kind: 'task' as const, episodeId: undefined };
    const done = { activityId: 'a1', completedBy: 'sari', completedAt: '2026-03-02T09:10:00.000Z' };
    given([{ type: 'ActivityPlanned', data: task }])
      .when({ type: 'CompleteActivity', data: done })
      .then([{ type: 'ActivityCompleted', data: { ...done, customerId: 'c1' } }]);
  });

  it('a completed or cancelled activity is closed: no reschedule, reassignment, or the other ending', () => {
    const completed: ActivityEvent = {
      type: 'ActivityCompleted',
      data: { activityId: 'a1', customerId: 'c1', completedBy: 'sari', completedAt: '2026-03-02T10:00:00Z' },
    };
    const cancelled: ActivityEvent = {
      type: 'ActivityCancelled',
      data: { activityId: 'a1', customerId: 'c1', cancelledBy: 'sari', cancelledAt: '2026-03-02T10:00:00Z' },
    };
    const cancel = { activityId: 'a1', reason: 'customer away', cancelledBy: 'sari', cancelledAt: '2026-03-02T10:00:00Z' };
    given(history)
      .when({ type: 'CancelActivity', data: cancel })
      .then([{ type: 'ActivityCancelled', data: { ...cancel, customerId: 'c1' } }]);
    given([...history, cancelled])
      .when({ type: 'CancelActivity', data: cancel })
      .thenNothingHappens();
    given([...history, completed])
      .when({ type: 'CancelActivity', data: cancel })
      .thenBreaks('activity-closed');
    given([...history, cancelled])
      .when({ type: 'CompleteActivity', data: { activityId: 'a1', completedBy: 'sari', completedAt: '2026-03-02T10:00:00Z' } })
      .thenBreaks('activity-closed');
    for (const closed of [completed, cancelled]) {
      given([...history, closed])
        .when({
          type: 'RescheduleActivity',
          data: { activityId: 'a1', dueAt: '2026-03-05T00:00:00Z', rescheduledBy: 'sari', rescheduledAt: '2026-03-02T11:00:00Z' },
        })
        .thenBreaks('activity-closed');
      given([...history, closed])
        .when({ type: 'ReassignActivity', data: { activityId: 'a1', owner: 'budi', reassignedBy: 'mira', reassignedAt: '2026-03-02T11:00:00Z' } })
        .thenBreaks('activity-closed');
    }
  });
});

describe('activity: the scheduler’s notices', () => {
  it('nothing before the reminder time; the reminder at it; the due notice at the due time — each once per schedule', () => {
    given(history).when(notify('2026-03-02T08:44:59.999Z')).thenNothingHappens();
    given(history).when(notify('2026-03-02T08:45:00.000Z')).then([reminded]);
    given([...history, reminded])
      .when(notify('2026-03-02T08:50:00.000Z'))
      .thenNothingHappens();
    given([...history, reminded])
      .when(notify('2026-03-02T09:00:00.000Z'))
      .then([due]);
    given([...history, reminded, due])
      .when(notify('2026-03-09T00:00:00.000Z'))
      .thenNothingHappens();
  });

  it('late (the scheduler was down): the reminder and the due notice together, in that order; once the due notice is recorded no reminder follows', () => {
    given(history).when(notify('2026-03-05T00:00:00.000Z')).then([reminded, due]);
    given([...history, due])
      .when(notify('2026-03-05T00:00:00.000Z'))
      .thenNothingHappens();
    const noReminder = { ...planned, reminderMinutesBefore: undefined };
    given([{ type: 'ActivityPlanned', data: noReminder }])
      .when(notify('2026-03-05T00:00:00.000Z'))
      .then([due]);
  });

  it('nothing for a cancelled or completed activity, nor at the time it was rescheduled away from', () => {
    const cancelled: ActivityEvent = {
      type: 'ActivityCancelled',
      data: { activityId: 'a1', customerId: 'c1', cancelledBy: 'sari', cancelledAt: '2026-03-01T10:00:00Z' },
    };
    const completed: ActivityEvent = {
      type: 'ActivityCompleted',
      data: { activityId: 'a1', customerId: 'c1', completedBy: 'sari', completedAt: '2026-03-01T10:00:00Z' },
    };
    given([...history, cancelled])
      .when(notify('2026-03-05T00:00:00Z'))
      .thenNothingHappens();
    given([...history, completed])
      .when(notify('2026-03-05T00:00:00Z'))
      .thenNothingHappens();
    const later: ActivityEvent = {
      type: 'ActivityRescheduled',
      data: {
        activityId: 'a1',
        customerId: 'c1',
        dueAt: '2026-03-10T09:00:00.000Z',
        rescheduledBy: 'sari',
        rescheduledAt: '2026-03-01T10:00:00Z',
        schedule: 2,
      },
    };
    given([...history, later])
      .when(notify('2026-03-05T00:00:00Z'))
      .thenNothingHappens();
    given([...history, reminded, due, later])
      .when(notify('2026-03-10T09:00:00Z'))
      .then([{ type: 'ActivityDue', data: { ...notice, dueAt: '2026-03-10T09:00:00.000Z', schedule: 2 } }]);
  });

  it('a notice names the owner at that moment', () => {
    const reassigned: ActivityEvent = {
      type: 'ActivityReassigned',
      data: { activityId: 'a1', customerId: 'c1', owner: 'budi', previousOwner: 'sari', reassignedBy: 'mira', reassignedAt: '2026-03-01T10:00:00Z' },
    };
    given([...history, reminded, reassigned])
      .when(notify('2026-03-02T09:00:00Z'))
      .then([{ type: 'ActivityDue', data: { ...notice, owner: 'budi' } }]);
  });
});
