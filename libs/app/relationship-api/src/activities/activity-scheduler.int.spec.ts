import { crmRegistry } from '@crm/contracts';
import type { EventStore, RecordedEvent } from '@crm/event-store';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';
import { activityNoticeId } from './activity-commands';
import { ActivityScheduler } from './activity-scheduler';

// The scheduler's promise — each notice recorded once, at its time, never for an activity that
// is closed or rescheduled away — held by the activity's own history, whatever its view of what is
// due says. Here that view is the worst possible: every activity ever planned, at every tick.
describe('activity scheduler (PGlite store, a test clock)', () => {
  let session: PgliteSession;
  let pg: PostgresEventStore;
  let store: EventStore;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const sari: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] };
  let commands: RelationshipCommands;
  let customerId: string;
  /** Every activity planned in this file: a view that never forgets and never learns. */
  const planned: string[] = [];
  const everything = async () => [...planned];

  const schedulerOn = (s: EventStore) =>
    new ActivityScheduler(createRelationshipCommands(s, { clock, retries: 2 }).activities, everything, clock, { intervalMs: 0 });
  const notices = async (activityId: string) =>
    (await pg.readStream(`activity-${activityId}`)).filter((e) => e.type === 'ActivityDue' || e.type === 'ActivityReminderDue');
  async function plan(dueAt: string, reminderMinutesBefore?: number): Promise<string> {
    const { id } = await commands.activities.plan(sari, { kind: 'call', customerId, subject: 'Call about the fleet', dueAt, reminderMinutesBefore });
    planned.push(id);
    return id;
  }

  beforeAll(async () => {
    session = await PgliteSession.open();
    pg = new PostgresEventStore(session.sqlClient());
    await pg.migrate();
    store = contractCheckedStore(pg, crmRegistry());
    commands = createRelationshipCommands(store, { clock, retries: 2 });
    customerId = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT Maju' })).id;
  });
  afterAll(async () => {
    await session.close();
  });
  beforeEach(() => {
    clock.set('2026-03-01T09:00:00.000Z');
    planned.length = 0;
  });

  it('records nothing before its time, the reminder at its time, the due notice at the due time — each once, under its derived id', async () => {
    const scheduler = schedulerOn(store);
    const id = await plan('2026-03-02T09:00:00.000Z', 15);
    expect((await scheduler.tick()).recorded).toEqual([]);
    clock.set('2026-03-02T08:44:59.999Z');
    expect((await scheduler.tick()).recorded).toEqual([]);
    clock.set('2026-03-02T08:45:00.000Z');
    expect((await scheduler.tick()).recorded).toEqual([{ activityId: id, type: 'ActivityReminderDue' }]);
    expect((await scheduler.tick()).recorded).toEqual([]);
    clock.advance(15 * 60_000);
    expect((await scheduler.tick()).recorded).toEqual([{ activityId: id, type: 'ActivityDue' }]);
    clock.advance(7 * 86_400_000);
    expect((await scheduler.tick()).recorded).toEqual([]);
    const recorded = await notices(id);
    expect(recorded.map((e) => [e.type, e.id, e.metadata.occurredAt, (e.metadata.actor as { id: string }).id])).toEqual([
      ['ActivityReminderDue', activityNoticeId(id, 'ActivityReminderDue', 1), '2026-03-02T08:45:00.000Z', 'activity-scheduler'],
      ['ActivityDue', activityNoticeId(id, 'ActivityDue', 1), '2026-03-02T09:00:00.000Z', 'activity-scheduler'],
    ]);
    expect(recorded[1].data).toEqual({ activityId: id, customerId, kind: 'call', owner: 'sari', dueAt: '2026-03-02T09:00:00.000Z', schedule: 1 });
  });

  it('records nothing for a cancelled or completed activity, nor at the time one was rescheduled away from', async () => {
    const scheduler = schedulerOn(store);
    const cancelled = await plan('2026-03-02T09:00:00.000Z', 60);
    const completed = await plan('2026-03-02T09:00:00.000Z');
    const moved = await plan('2026-03-02T09:00:00.000Z', 30);
    await commands.activities.cancel(sari, cancelled, 'customer away');
    await commands.activities.complete(sari, completed, { response: 'done early' });
    await commands.activities.reschedule(sari, moved, { dueAt: '2026-03-09T09:00:00.000Z' });
    clock.set('2026-03-05T00:00:00.000Z');
    expect((await scheduler.tick()).recorded).toEqual([]);
    expect(await notices(cancelled)).toEqual([]);
    expect(await notices(completed)).toEqual([]);
    expect(await notices(moved)).toEqual([]);
    clock.set('2026-03-09T09:00:00.000Z');
    expect((await scheduler.tick()).recorded).toEqual([{ activityId: moved, type: 'ActivityDue' }]);
    expect((await notices(moved)).map((e) => (e.data as { schedule: number }).schedule)).toEqual([2]);
  });

  it('late (it was down): what came due meanwhile is recorded on the first tick of a new scheduler, once', async () => {
    const id = await plan('2026-03-02T09:00:00.000Z', 10);
    clock.set('2026-03-04T00:00:00.000Z');
    // a "restart": a scheduler with new command modules, nothing kept in memory
    expect((await schedulerOn(store).tick()).recorded).toEqual([
      { activityId: id, type: 'ActivityReminderDue' },
      { activityId: id, type: 'ActivityDue' },
    ]);
    expect((await schedulerOn(store).tick()).recorded).toEqual([]);
    expect(await notices(id)).toHaveLength(2);
  });

  it('two schedulers deciding at the same moment (two instances of the service) record it once', async () => {
    const id = await plan('2026-03-02T09:00:00.000Z');
    clock.set('2026-03-02T09:00:00.000Z');
    // Both read the activity before either appends: the worst interleaving, on purpose.
    let waiting = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const inStep = (s: EventStore): EventStore =>
      Object.assign(Object.create(s) as EventStore, {
        readStream: async (streamId: string, options?: Parameters<EventStore['readStream']>[1]) => {
          const events = await s.readStream(streamId, options);
          if (streamId === `activity-${id}`) {
            if (++waiting === 2) release();
            await bothRead;
          }
          return events;
        },
      });
    const [a, b] = await Promise.all([schedulerOn(inStep(store)).tick(), schedulerOn(inStep(store)).tick()]);
    expect(waiting).toBe(2);
    expect([...a.recorded, ...b.recorded]).toEqual([{ activityId: id, type: 'ActivityDue' }]);
    expect([...a.failed, ...b.failed]).toEqual([]);
    expect(await notices(id)).toHaveLength(1);
  });

  it('a crash between deciding and appending: not appended — recorded on the next tick; appended but the answer lost — not recorded again', async () => {
    const beforeAppend = await plan('2026-03-02T09:00:00.000Z');
    clock.set('2026-03-02T09:00:00.000Z');
    const failing = (when: 'before' | 'after'): EventStore =>
      Object.assign(Object.create(store) as EventStore, {
        appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
          if (when === 'after') await store.appendToStream(...args);
          throw new Error('connection lost');
        },
      });
    const first = await schedulerOn(failing('before')).tick();
    expect(first.failed.map((f) => f.activityId)).toEqual([beforeAppend]);
    expect(await notices(beforeAppend)).toEqual([]);
    expect((await schedulerOn(store).tick()).recorded).toEqual([{ activityId: beforeAppend, type: 'ActivityDue' }]);

    const afterAppend = await plan('2026-03-02T09:00:00.000Z');
    const lost = await schedulerOn(failing('after')).tick();
    expect(lost.failed.map((f) => f.activityId)).toEqual([afterAppend]);
    expect((await schedulerOn(store).tick()).recorded).toEqual([]);
    const stored: RecordedEvent[] = await notices(afterAppend);
    expect(stored.map((e) => e.id)).toEqual([activityNoticeId(afterAppend, 'ActivityDue', 1)]);
    // and the very same append again (a retry of the lost one) is taken as done, not as a second notice
    const again = await pg.appendToStream(`activity-${afterAppend}`, [{ ...stored[0], metadata: stored[0].metadata }], { expectedRevision: 0n });
    expect(again.appended).toBe(false);
    expect(await notices(afterAppend)).toHaveLength(1);
  });

  it('one activity that fails does not hold up the others', async () => {
    const ok = await plan('2026-03-02T09:00:00.000Z');
    planned.unshift('00000000-0000-4000-8000-000000000000'); // never planned: unknown-activity
    clock.set('2026-03-02T09:00:00.000Z');
    const tick = await schedulerOn(store).tick();
    expect(tick.failed.map((f) => f.activityId)).toEqual(['00000000-0000-4000-8000-000000000000']);
    expect(tick.recorded).toEqual([{ activityId: ok, type: 'ActivityDue' }]);
  });
});
