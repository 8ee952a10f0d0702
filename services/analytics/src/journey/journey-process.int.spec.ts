import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import type { RecordedEvent } from '@crm/event-store';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { CustomerCommands, READ_MODELS, createRelationshipCommands, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import type { ServiceApp, StaffPrincipal } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from '../analytics';
import { JourneyPending } from './journey-inbox.entities';
import { JourneyProcess } from './journey-process';
import { JourneyProcessService } from './journey-process.service';

// The journey process manager in the analytics app on the embedded platform: orders placed in sales
// reach analytics' read models, mark the customer, and the manager records the derived stage and
// phase through the customer command — once, with the rule that fired, never over a person's change.
describe('analytics: journey stage and relationship phase from behaviour (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let commands: RelationshipCommands;
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: [] };
  const DAY = 86_400_000;
  const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
  let repeatCustomer = '';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-journey-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    await app.listen(0);
    commands = createRelationshipCommands(platform.eventStore);
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const journeyEvents = async (customerId: string): Promise<RecordedEvent[]> =>
    (await platform.eventStore.readStream(`customer-${customerId}`)).filter(
      (e) => e.type === 'CustomerJourneyStageChanged' || e.type === 'CustomerRelationshipPhaseChanged',
    );
  const place = (customerId: string, orderDate: string) =>
    commands.orders.place(alice, { customerId, orderDate, currency: 'EUR', lines: [{ productId: 'van', quantity: 1, unitPrice: 10_000 }] });
  const pendingCount = () => app.app.get<ReadModelRunners>(READ_MODELS).dataSource.manager.getRepository(JourneyPending).count();

  it('a first order makes a first-time customer exploring; a second a repeat customer expanding — each recorded once, as derived, with its rule', async () => {
    const customerId = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Perjalanan' })).id;
    repeatCustomer = customerId;
    await place(customerId, daysAgo(20));
    await waitFor(async () => (await journeyEvents(customerId)).length === 2, 20000, 'the first derivation');
    await place(customerId, daysAgo(5));
    await waitFor(async () => (await journeyEvents(customerId)).length === 4, 20000, 'the second derivation');
    const events = await journeyEvents(customerId);
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ from: 'prospect', to: 'first-time-customer', source: 'derived', rule: 'first-order', changedAt: expect.any(String) }),
      expect.objectContaining({ from: 'awareness', to: 'exploration', source: 'derived', rule: 'first-purchase' }),
      expect.objectContaining({ from: 'first-time-customer', to: 'repeat-customer', source: 'derived', rule: 'repeat-order' }),
      expect.objectContaining({ from: 'exploration', to: 'expansion', source: 'derived', rule: 'repeat-purchases' }),
    ]);
    expect(events.every((e) => (e.metadata.actor as { type: string; id: string }).id === 'analytics-journey')).toBe(true);

    // A re-delivered event marks the customer again: the derivation finds everything reached and appends nothing.
    const m = app.app.get<ReadModelRunners>(READ_MODELS).dataSource.manager;
    await m.getRepository(JourneyPending).save({ customerId, markedAt: new Date(), version: 99 });
    await waitFor(async () => (await pendingCount()) === 0, 20000, 'the re-marked customer to be derived again');
    const process = app.app.get(JourneyProcessService).process;
    expect((await process.tick()).recorded).toEqual([]);
    expect(await journeyEvents(customerId)).toHaveLength(4);
  });

  it("respects a person's change: the automation does not overwrite it while it holds", async () => {
    const customerId = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Manual' })).id;
    // a person says: loyal already (before any order), and in commitment
    await commands.customers.changeJourneyStage(alice, customerId, { to: 'loyal-customer' });
    await commands.customers.changeRelationshipPhase(alice, customerId, { to: 'commitment' });
    await place(customerId, daysAgo(3));
    await place(customerId, daysAgo(2));
    await waitFor(async () => (await pendingCount()) === 0, 20000, 'the orders to be derived');
    const events = await journeyEvents(customerId);
    expect(events.map((e) => [e.data, (e.metadata.actor as { type: string }).type])).toEqual([
      [expect.objectContaining({ to: 'loyal-customer', source: 'manual', changedAt: expect.any(String) }), 'staff'],
      [expect.objectContaining({ to: 'commitment', source: 'manual' }), 'staff'],
    ]);
  });

  it('a customer who never bought starts exploring once there are interactions with it', async () => {
    const customerId = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Kontak' })).id;
    const { id: episodeId } = await commands.episodes.open(alice, 'case', { customerId, name: 'First talk' });
    await commands.episodes.recordInteraction(alice, episodeId, { channel: 'phone', direction: 'outbound', action: 'intro call' });
    await waitFor(async () => (await journeyEvents(customerId)).length === 1, 20000, 'the phase to be derived');
    expect((await journeyEvents(customerId)).map((e) => e.data)).toEqual([
      expect.objectContaining({ from: 'awareness', to: 'exploration', source: 'derived', rule: 'recent-interactions' }),
    ]);
  });

  it('a sweep lets time alone fire a rule: a year without purchases or contact dissolves the relationship', async () => {
    // The app's own manager stops; this one runs 400 days ahead, by hand.
    await app.app.get(JourneyProcessService).process.stop();
    const clock = new TestClock(new Date(Date.now() + 400 * DAY).toISOString());
    const process = new JourneyProcess(app.app.get(CustomerCommands), app.app.get<ReadModelRunners>(READ_MODELS).dataSource, clock, {
      intervalMs: 0,
      sweepEveryMs: DAY,
    });
    const first = await process.tick();
    // every customer who bought (the two above), none who never did
    expect(first.swept).toBe(2);
    expect(first.recorded).toContainEqual({ customerId: repeatCustomer, type: 'CustomerRelationshipPhaseChanged', to: 'dissolution', rule: 'lapsed' });
    expect((await journeyEvents(repeatCustomer)).at(-1)!.data).toMatchObject({ from: 'expansion', to: 'dissolution', source: 'derived', rule: 'lapsed' });
    // not due again within the day; nothing left to record
    expect(await process.tick()).toMatchObject({ swept: 0, looked: 0, recorded: [] });
  });
});
