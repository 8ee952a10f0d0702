import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { withPersonalData } from '@crm/personal-data';
import { createPlatform, type Platform } from '@crm/platform';
import { ActivityScheduler, contractCheckedStore, createRelationshipCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { activitiesWithNoticeDue } from '@crm/relationship-read-models';
import { TokenMint } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { ActivitySchedulerService } from './activities/activity-scheduler.service';
import { createSalesApp, SalesConfig } from './sales';

/** The sales service on an embedded platform in `dataDir` (kept across stops: a restart finds its data), on a test clock. */
async function startSales(dataDir: string, clock: TestClock) {
  // Looks every 100 ms instead of every second: the tests wait less for it.
  const config = loadConfig(SalesConfig, { CRM_DATA_DIR: dataDir, CRM_ACTIVITY_SCHEDULER_INTERVAL_MS: '100' });
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
  const app = await createSalesApp(config, platform, { embedded: true, clock });
  const base = await app.listen(0);
  const token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
  return {
    app,
    platform,
    call: httpCaller(
      () => base,
      () => token,
    ),
    scheduler: app.app.get(ActivitySchedulerService).scheduler,
    readModels: app.app.get<ReadModelRunners>(READ_MODELS),
    async stop() {
      await app.close();
      await platform.close();
    },
  };
}
type Sales = Awaited<ReturnType<typeof startSales>>;

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The notices recorded in the activity's stream, as `type/schedule`. */
async function noticesOf(platform: Platform, activityId: string): Promise<string[]> {
  return (await platform.eventStore.readStream(`activity-${activityId}`))
    .filter((e) => e.type === 'ActivityDue' || e.type === 'ActivityReminderDue')
    .map((e) => `${e.type}/${(e.data as { schedule: number }).schedule}`);
}

// The durable scheduler in the sales service (embedded): it records ActivityReminderDue and
// ActivityDue by the injected clock, once each, never for what was cancelled, completed or moved,
// across restarts and with a second scheduler (another instance of the service) beside it.
describe('activity scheduler in the sales service', () => {
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  let dataDir: string;
  let sales: Sales;
  let customerId: string;
  const plan = async (body: Record<string, unknown>) => {
    const r = await sales.call('POST', '/activities', { kind: 'call', customerId, subject: 'Fleet', dueAt: '2026-03-02T09:00:00Z', ...body });
    expect(r.status).toBe(201);
    return String(r.body.activityId);
  };
  /** Until the read model (what the scheduler looks at) has every one of them. */
  const known = (ids: string[]) =>
    eventually(
      async () => (await sales.call('GET', `/activities?customerId=${customerId}&limit=200`)).body.items as { activityId: string }[],
      (items) => ids.every((id) => items.some((i) => i.activityId === id)),
    );

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-sales-scheduler-'));
    sales = await startSales(dataDir, clock);
    customerId = String((await sales.call('POST', '/customers', { kind: 'organisation', name: 'PT Maju' })).body.customerId);
  });
  afterAll(async () => {
    await sales?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a test clock moved past the reminder and the due time: each recorded once; nothing for what was cancelled, completed or rescheduled away', async () => {
    clock.set('2026-03-01T09:00:00.000Z');
    const due = await plan({ reminderMinutesBefore: 15 });
    const cancelled = await plan({ reminderMinutesBefore: 15 });
    const completed = await plan({});
    const moved = await plan({ reminderMinutesBefore: 60 });
    await sales.call('POST', `/activities/${cancelled}/cancellation`, {});
    await sales.call('POST', `/activities/${completed}/completion`, { response: 'done early' });
    await sales.call('PUT', `/activities/${moved}/schedule`, { dueAt: '2026-03-03T09:00:00Z', reminderMinutesBefore: 60 });
    await known([due, cancelled, completed, moved]);

    clock.set('2026-03-02T08:44:59.999Z');
    await sales.scheduler.tick();
    expect(await noticesOf(sales.platform, due)).toEqual([]);
    clock.set('2026-03-02T08:45:00.000Z');
    await sales.scheduler.tick();
    expect(await noticesOf(sales.platform, due)).toEqual(['ActivityReminderDue/1']);
    clock.set('2026-03-02T09:00:00.000Z');
    for (let i = 0; i < 3; i++) await sales.scheduler.tick();
    expect(await noticesOf(sales.platform, due)).toEqual(['ActivityReminderDue/1', 'ActivityDue/1']);
    for (const id of [cancelled, completed, moved]) expect(await noticesOf(sales.platform, id)).toEqual([]);
    expect((await sales.call('GET', `/activities/${due}`)).body).toMatchObject({ reminderNotified: true, dueNotified: true, overdue: false });
    // the read model learns it too (so the scheduler stops looking at it)
    await eventually(
      () => activitiesWithNoticeDue(sales.readModels.dataSource.manager, clock.now(), 100),
      (ids) => !ids.includes(due),
    );

    // the one moved: its new reminder and due time, schedule 2
    clock.set('2026-03-03T09:00:00.000Z');
    await sales.scheduler.tick();
    expect(await noticesOf(sales.platform, moved)).toEqual(['ActivityReminderDue/2', 'ActivityDue/2']);
    const items = (await sales.call('GET', `/activities?customerId=${customerId}`)).body.items as { activityId: string; dueNotified: boolean }[];
    await eventually(
      async () =>
        ((await sales.call('GET', `/activities?customerId=${customerId}`)).body.items as { activityId: string; dueNotified: boolean }[]).find(
          (i) => i.activityId === moved,
        ),
      (item) => item?.dueNotified === true,
    );
    expect(items.find((i) => i.activityId === cancelled)?.dueNotified).toBe(false);
  });

  it('runs by itself: with the clock past the due time, the notice appears without anyone calling tick', async () => {
    expect(sales.scheduler.intervalMs).toBe(100); // the setting reached it
    clock.set('2026-03-04T09:00:00.000Z');
    const id = await plan({ dueAt: '2026-03-04T09:01:00Z' });
    await known([id]);
    clock.set('2026-03-04T09:02:00.000Z');
    expect(
      await eventually(
        () => noticesOf(sales.platform, id),
        (n) => n.length > 0,
      ),
    ).toEqual(['ActivityDue/1']);
  });

  it('two schedulers (two instances of the service) on the same store and read model, ticking at once: each notice recorded once', async () => {
    clock.set('2026-03-05T09:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await plan({ dueAt: '2026-03-05T10:00:00Z', reminderMinutesBefore: 30 }));
    await known(ids);
    // A second instance's scheduler: its own command modules on the same store, the same read model.
    const store = contractCheckedStore(withPersonalData(sales.platform.eventStore, sales.platform.personalData, sales.platform.sql), crmRegistry());
    const other = () =>
      new ActivityScheduler(
        createRelationshipCommands(store, { clock, retries: 2 }).activities,
        (now, limit) => activitiesWithNoticeDue(sales.readModels.dataSource.manager, now, limit),
        clock,
        { intervalMs: 0 },
      );
    const [second, third] = [other(), other()];
    clock.set('2026-03-05T10:00:00.000Z');
    const ticks = await Promise.all([sales.scheduler.tick(), second.tick(), third.tick(), second.tick(), third.tick()]);
    expect(ticks.flatMap((t) => t.failed)).toEqual([]);
    for (const id of ids) expect(await noticesOf(sales.platform, id)).toEqual(['ActivityReminderDue/1', 'ActivityDue/1']);
    // what the ticks say they recorded is what is stored (a loser records nothing; the app's own loop may have taken some)
    expect(ticks.flatMap((t) => t.recorded).filter((r) => ids.includes(r.activityId)).length).toBeLessThanOrEqual(ids.length * 2);
  });

  it('survives a restart: what was recorded before is not recorded again; what came due while it was down is recorded once', async () => {
    clock.set('2026-03-06T09:00:00.000Z');
    const before = await plan({ dueAt: '2026-03-06T10:00:00Z' });
    const during = await plan({ dueAt: '2026-03-06T12:00:00Z', reminderMinutesBefore: 30 });
    await known([before, during]);
    clock.set('2026-03-06T10:00:00.000Z');
    await sales.scheduler.tick();
    expect(await noticesOf(sales.platform, before)).toEqual(['ActivityDue/1']);
    // Stop the service (read model, checkpoints and store stay on disk); time passes while it is down.
    await sales.stop();
    clock.set('2026-03-06T13:00:00.000Z');
    sales = await startSales(dataDir, clock);
    expect(
      await eventually(
        () => noticesOf(sales.platform, during),
        (n) => n.length === 2,
      ),
    ).toEqual(['ActivityReminderDue/1', 'ActivityDue/1']);
    for (let i = 0; i < 3; i++) await sales.scheduler.tick();
    expect(await noticesOf(sales.platform, before)).toEqual(['ActivityDue/1']);
    expect(await noticesOf(sales.platform, during)).toEqual(['ActivityReminderDue/1', 'ActivityDue/1']);
    // the read model came back with it, and caught up
    await eventually(
      () => activitiesWithNoticeDue(sales.readModels.dataSource.manager, clock.now(), 100),
      (ids) => !ids.includes(during) && !ids.includes(before),
    );
  });
});
