import { randomUUID } from 'node:crypto';
import { crmRegistry, ERASED } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { ActivityListEntry } from './activity-list.entities';
import { activityListProjection, type ActivityListEvent } from './activity-list.projection';
import { activitiesWithNoticeDue, calendarEntries, searchActivities, type ActivitySearch } from './activity-search.query';
import { InvalidCursorError } from './keyset-cursor';

const given = ProjectionSpecification.for({ projection: activityListProjection('a'), registry: crmRegistry() });

type Planned = Extract<ActivityListEvent, { type: 'ActivityPlanned' }>['data'];
const customerId = randomUUID();
const planned = (activityId: string, over: Partial<Planned> = {}): SpecEvent<ActivityListEvent> => ({
  type: 'ActivityPlanned',
  data: {
    activityId,
    kind: 'call',
    customerId,
    subject: 'Fleet renewal: budget',
    dueAt: '2026-03-02T09:00:00.000Z',
    reminderMinutesBefore: 15,
    owner: 'sari',
    plannedBy: 'sari',
    plannedAt: '2026-03-01T09:00:00.000Z',
    ...over,
  },
});
const ev = (type: ActivityListEvent['type'], data: Record<string, unknown>) =>
  ({ type, data: { customerId, ...data } }) as unknown as SpecEvent<ActivityListEvent>;
const notice = (activityId: string, schedule = 1, dueAt = '2026-03-02T09:00:00.000Z') => ({ activityId, kind: 'call', owner: 'sari', dueAt, schedule });
const now = new Date('2026-03-02T12:00:00.000Z');
const search = (s: Partial<ActivitySearch> = {}): ActivitySearch => ({ limit: 50, now, ...s });

// The activities list sales keeps (GET /activities, due and overdue lists, calendar feeds, and what
// the scheduler finds due), over PGlite: given events, when events, then rows.
describe('activities list read model (PGlite)', () => {
  it('keeps each activity with its timing, and when its next notice is due: the reminder, then the due time, then none', async () => {
    const id = randomUUID();
    await given([planned(id, { notes: 'bring the price list', episodeId: 'e-1' })])
      .when([])
      .thenRows(ActivityListEntry, [
        {
          activityId: id,
          kind: 'call',
          customerId,
          episodeId: 'e-1',
          subject: 'Fleet renewal: budget',
          notes: 'bring the price list',
          owner: 'sari',
          status: 'open',
          dueAt: new Date('2026-03-02T09:00:00.000Z'),
          remindAt: new Date('2026-03-02T08:45:00.000Z'),
          schedule: 1,
          nextNoticeAt: new Date('2026-03-02T08:45:00.000Z'),
          sequence: 0,
        },
      ]);
    await given([planned(id)])
      .when([ev('ActivityReminderDue', { ...notice(id), remindAt: '2026-03-02T08:45:00.000Z' })])
      .thenRows(ActivityListEntry, [{ activityId: id, reminderNotified: true, dueNotified: false, nextNoticeAt: new Date('2026-03-02T09:00:00.000Z') }]);
    await given([planned(id), ev('ActivityReminderDue', { ...notice(id), remindAt: '2026-03-02T08:45:00.000Z' })])
      .when([ev('ActivityDue', notice(id))])
      .thenRows(ActivityListEntry, [{ activityId: id, dueNotified: true, nextNoticeAt: null }]);
  });

  it('a reschedule is a new schedule: its notices are due afresh, a reminder left out is dropped; a notice of an older schedule changes nothing', async () => {
    const id = randomUUID();
    const rescheduled = ev('ActivityRescheduled', {
      activityId: id,
      dueAt: '2026-03-05T10:00:00.000Z',
      rescheduledBy: 'sari',
      rescheduledAt: '2026-03-02T10:00:00.000Z',
      schedule: 2,
    });
    await given([planned(id), ev('ActivityDue', notice(id))])
      .when([rescheduled, ev('ActivityDue', notice(id))])
      .thenRows(ActivityListEntry, [
        {
          activityId: id,
          dueAt: new Date('2026-03-05T10:00:00.000Z'),
          remindAt: null,
          reminderMinutes: null,
          schedule: 2,
          dueNotified: false,
          nextNoticeAt: new Date('2026-03-05T10:00:00.000Z'),
          sequence: 1,
        },
      ]);
  });

  it('reassigned, cancelled, completed (with the response): closed ones have nothing left to notify', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()].sort();
    await given([planned(a), planned(b), planned(c, { kind: 'task', reminderMinutesBefore: undefined })])
      .when([
        ev('ActivityReassigned', { activityId: a, owner: 'budi', previousOwner: 'sari', reassignedBy: 'mira', reassignedAt: '2026-03-01T10:00:00.000Z' }),
        ev('ActivityCancelled', { activityId: b, reason: 'customer away', cancelledBy: 'sari', cancelledAt: '2026-03-01T11:00:00.000Z' }),
        ev('ActivityCompleted', {
          activityId: a,
          completedBy: 'budi',
          completedAt: '2026-03-02T09:05:00.000Z',
          interaction: {
            interactionId: 'i-1',
            channel: 'phone',
            direction: 'outbound',
            actor: { kind: 'staff', id: 'budi' },
            action: 'planned call held',
            response: 'budget confirmed',
            occurredAt: '2026-03-02T09:05:00.000Z',
          },
        }),
        ev('ActivityCompleted', { activityId: c, completedBy: 'sari', completedAt: '2026-03-02T09:06:00.000Z' }),
      ])
      .thenRows(ActivityListEntry, [
        { activityId: a, owner: 'budi', status: 'completed', interactionId: 'i-1', response: 'budget confirmed', nextNoticeAt: null, sequence: 2 },
        { activityId: b, status: 'cancelled', cancelledAt: new Date('2026-03-01T11:00:00.000Z'), nextNoticeAt: null, sequence: 1 },
        { activityId: c, status: 'completed', interactionId: null, response: null, nextNoticeAt: null },
      ]);
  });

  it("the customer's erasure drops subject, notes and response of its activities (merged ones too), and no one else's", async () => {
    const [mine, merged, other] = [randomUUID(), randomUUID(), randomUUID()];
    const mergedCustomer = randomUUID();
    const otherCustomer = randomUUID();
    await given([
      planned(mine, { notes: 'private' }),
      { ...planned(merged, { customerId: mergedCustomer }), subject: mergedCustomer } as SpecEvent<ActivityListEvent>,
      { ...planned(other, { customerId: otherCustomer }), subject: otherCustomer } as SpecEvent<ActivityListEvent>,
    ])
      .when([ev('CustomerPersonalDataErased', { erasedAt: '2026-03-03T00:00:00.000Z', mergedCustomerIds: [mergedCustomer] })])
      .then(async (manager) => {
        const repo = manager.getRepository(ActivityListEntry);
        expect(await repo.findOneBy({ activityId: mine })).toMatchObject({ subject: ERASED, notes: null, status: 'open' });
        expect(await repo.findOneBy({ activityId: merged })).toMatchObject({ subject: ERASED });
        expect(await repo.findOneBy({ activityId: other })).toMatchObject({ subject: 'Fleet renewal: budget' });
      });
  });

  it('a change to an activity it never saw is parked, and what follows it', async () => {
    const ghost = randomUUID();
    await given([])
      .when([
        ev('ActivityReassigned', { activityId: ghost, owner: 'budi', previousOwner: 'sari', reassignedBy: 'mira', reassignedAt: '2026-03-01T10:00:00.000Z' }),
        ev('ActivityDue', notice(ghost)),
      ])
      .thenParks([`activity ${ghost} is not in the activities list`, 'waiting behind parked event']);
  });

  it('filters and pages soonest first; finds what has a notice due; a feed shows the owner’s open activities and recently closed ones', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const episodeId = randomUUID();
    await given([
      planned(ids[0], { dueAt: '2026-03-01T08:00:00.000Z', reminderMinutesBefore: undefined }),
      planned(ids[1], { dueAt: '2026-03-02T08:00:00.000Z', kind: 'meeting', durationMinutes: 60, episodeId }),
      planned(ids[2], { dueAt: '2026-03-03T08:00:00.000Z', owner: 'budi', kind: 'email' }),
      planned(ids[3], { dueAt: '2026-03-04T08:00:00.000Z', kind: 'task', reminderMinutesBefore: 24 * 60 }),
      planned(ids[4], { dueAt: '2026-01-04T08:00:00.000Z' }),
      ev('ActivityCancelled', { activityId: ids[4], cancelledBy: 'sari', cancelledAt: '2026-01-01T00:00:00.000Z' }),
    ])
      .when([])
      .then(async (manager) => {
        const list = async (s: Partial<ActivitySearch>) => (await searchActivities(manager, search(s))).items.map((i) => i.activityId);
        expect(await list({})).toEqual([ids[4], ids[0], ids[1], ids[2], ids[3]]);
        expect(await list({ owner: 'budi' })).toEqual([ids[2]]);
        expect(await list({ kinds: ['meeting', 'email'] })).toEqual([ids[1], ids[2]]);
        expect(await list({ statuses: ['cancelled'] })).toEqual([ids[4]]);
        expect(await list({ episodeId })).toEqual([ids[1]]);
        expect(await list({ customerIds: [randomUUID()] })).toEqual([]);
        expect(await list({ dueFrom: new Date('2026-03-02T08:00:00Z'), dueTo: new Date('2026-03-04T08:00:00Z') })).toEqual([ids[1], ids[2]]);
        // overdue: open and past due at `now` (12:00 on 2 March)
        const items = (await searchActivities(manager, search({ statuses: ['open'] }))).items;
        expect(items.map((i) => [i.activityId, i.overdue])).toEqual([
          [ids[0], true],
          [ids[1], true],
          [ids[2], false],
          [ids[3], false],
        ]);
        expect(items[1]).toMatchObject({ durationMinutes: 60, endsAt: '2026-03-02T09:00:00.000Z', remindAt: '2026-03-02T07:45:00.000Z' });
        // pages of two: together the whole list, in its order
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await searchActivities(manager, search({ limit: 2, cursor }));
          paged.push(...page.items.map((i) => i.activityId));
          cursor = page.nextCursor;
        } while (cursor);
        expect(paged).toEqual(await list({}));
        for (const garbage of ['garbage', Buffer.from('["activities","yesterday","x"]').toString('base64url'), Buffer.from('[1,2,3]').toString('base64url')]) {
          await expect(searchActivities(manager, search({ cursor: garbage }))).rejects.toThrow(InvalidCursorError);
        }
        // the scheduler's view: at 08:00 on 3 March the reminder of ids[3] (24 h ahead) and the three due ones
        expect(await activitiesWithNoticeDue(manager, new Date('2026-03-01T07:59:59.999Z'), 10)).toEqual([]);
        expect(await activitiesWithNoticeDue(manager, new Date('2026-03-03T08:00:00.000Z'), 10)).toEqual([ids[0], ids[1], ids[2], ids[3]]);
        expect(await activitiesWithNoticeDue(manager, new Date('2026-03-03T08:00:00.000Z'), 2)).toEqual([ids[0], ids[1]]);
        // sari's feed: her open ones, and the cancelled one only while it is recent
        expect((await calendarEntries(manager, 'sari', new Date('2026-01-01T00:00:00Z'))).map((e) => e.activityId)).toEqual([ids[4], ids[0], ids[1], ids[3]]);
        expect((await calendarEntries(manager, 'sari', new Date('2026-02-01T00:00:00Z'))).map((e) => e.activityId)).toEqual([ids[0], ids[1], ids[3]]);
      });
  });
});
