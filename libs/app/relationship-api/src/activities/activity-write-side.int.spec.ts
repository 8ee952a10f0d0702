import { crmRegistry } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { MAX_MEETING_MINUTES, MAX_REMINDER_MINUTES, TestClock } from '@crm/kernel';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { createRelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';
import { ActivityScheduler } from './activity-scheduler';

// The write side accepts exactly what the contracts accept, for activities too: every event the
// activity commands and the scheduler produce — at the edges the request DTOs allow — validates
// against its published contract and is published under its customer; the calendar feed's stay private.
describe('activity commands and the event contracts', () => {
  it('every activity event validates against its contract, under the customer; calendar feed events are not published', async () => {
    const session = await PgliteSession.open();
    try {
      const store = new PostgresEventStore(session.sqlClient());
      await store.migrate();
      const registry = crmRegistry();
      const clock = new TestClock('2026-03-01T09:00:00.000Z');
      const commands = createRelationshipCommands(contractCheckedStore(store, registry), { clock });
      const mira: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'management', roles: [] };
      const customerId = (await commands.customers.register(mira, { kind: 'person', name: 'Dewi' })).id;
      const episodeId = (await commands.episodes.open(mira, 'opportunity', { customerId, name: 'Fleet' })).id;
      const meeting = await commands.activities.plan(mira, {
        kind: 'meeting',
        episodeId,
        subject: 'x',
        notes: '',
        dueAt: '9999-12-30T09:00:00+14:00',
        durationMinutes: MAX_MEETING_MINUTES,
        reminderMinutesBefore: MAX_REMINDER_MINUTES,
        owner: 'sari',
      });
      await commands.activities.reschedule(mira, meeting.id, { dueAt: '0001-01-02T00:00:00Z', durationMinutes: 1, reminderMinutesBefore: 0 });
      await commands.activities.reassign(mira, meeting.id, 'budi');
      const call = await commands.activities.plan(mira, { kind: 'call', customerId, subject: 'Call', dueAt: '2026-03-01T09:00:00Z', reminderMinutesBefore: 0 });
      await new ActivityScheduler(commands.activities, async () => [meeting.id, call.id], clock, { intervalMs: 0 }).tick();
      await commands.activities.complete(mira, meeting.id, { response: '', action: 'met', channel: 'web', direction: 'inbound' });
      await commands.activities.complete(mira, call.id, {});
      const task = await commands.activities.plan(mira, { kind: 'task', customerId, subject: 'Task', dueAt: '2026-03-01T09:00:00Z' });
      await commands.activities.cancel(mira, task.id, '');
      await commands.calendarFeeds.issue(mira);
      await commands.calendarFeeds.revoke(mira);

      const stored = await store.readAll({ maxCount: 10_000 });
      const activityTypes = new Set(stored.filter((e) => e.streamId.startsWith('activity-')).map((e) => e.type));
      expect([...activityTypes].sort()).toEqual(
        ['ActivityCancelled', 'ActivityCompleted', 'ActivityDue', 'ActivityPlanned', 'ActivityReassigned', 'ActivityReminderDue', 'ActivityRescheduled'].sort(),
      );
      for (const event of stored.filter((e) => e.streamId.startsWith('activity-'))) {
        const published = toIntegrationEvent(event);
        expect(published?.subject).toBe(customerId);
        expect(() => registry.validate(published!)).not.toThrow();
      }
      const feedEvents = stored.filter((e) => e.streamId.startsWith('calendarfeed-'));
      expect(feedEvents.map((e) => e.type)).toEqual(['CalendarFeedTokenIssued', 'CalendarFeedRevoked']);
      for (const event of feedEvents) expect(toIntegrationEvent(event)).toBeUndefined();
      // the interaction the meeting's completion recorded on the opportunity validates too
      const interaction = stored.find((e) => e.type === 'InteractionRecorded')!;
      expect(() => registry.validate(toIntegrationEvent(interaction)!)).not.toThrow();
    } finally {
      await session.close();
    }
  });
});
