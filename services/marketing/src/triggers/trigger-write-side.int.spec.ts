import { crmRegistry } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import { triggerTimerId, type TriggerRuleDefinition } from '@crm/marketing-triggers';
import { contractCheckedStore, ContractViolationError } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { TriggerCommands, type DueTimer } from './trigger-commands';

// The write side accepts exactly what the contracts accept: every event the trigger commands produce
// (rules defined, revised, disabled, enabled; firings scheduled, fired, skipped for each reason)
// validates against its published contract, and one that would not is refused before anything is stored.
describe('the trigger write side and the event contracts', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const registry = crmRegistry();
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const mira: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  let triggers: TriggerCommands;

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    triggers = new TriggerCommands(contractCheckedStore(store, registry), clock);
  });
  afterAll(async () => {
    await session.close();
  });

  const full: TriggerRuleDefinition = {
    name: 'Thank big spenders',
    on: 'order-placed',
    conditions: { orderTotal: { min: 10_000, max: 1_000_000, currency: 'EUR' }, products: ['van-1'], valueTiers: ['gold', 'platinum'] },
    delay: { amount: 2, unit: 'hours' },
    cooldown: { amount: 7, unit: 'days' },
    frequencyCap: { firings: 1, days: 30 },
    activeFrom: '2026-01-01T00:00:00.000Z',
    activeUntil: '2027-01-01T00:00:00.000Z',
    action: { campaignId: 'thank-you', stepId: 'mail-1' },
  };

  it('every event each trigger command can produce validates against its contract', async () => {
    const { ruleId } = await triggers.define(mira, full);
    await triggers.revise(mira, ruleId, { ...full, name: 'Thank bigger spenders' });
    const { ruleId: other } = await triggers.define(mira, {
      name: 'Sorry',
      on: 'complaint-opened',
      conditions: { caseCategories: ['complaint-delivery'], casePriorities: ['urgent'] },
      action: { campaignId: 'sorry' },
    });
    await triggers.define(mira, { name: 'Come back', on: 'lapse', lapseDays: 90, conditions: {}, action: { campaignId: 'win-back' } });
    await triggers.define(mira, {
      name: 'Anniversary',
      on: 'anniversary',
      anniversaryOf: 'first-order',
      conditions: {},
      action: { campaignId: 'anniversary' },
    });
    await triggers.define(mira, { name: 'VIP', on: 'segment-entered', conditions: { segmentId: 'vip' }, action: { campaignId: 'vip' } });

    const customerId = 'a6c1f0b2-3d4e-4f5a-8b6c-7d8e9f0a1b2c';
    const timer = (key: string, facts: DueTimer['facts'], dueAt: string, rule = ruleId): DueTimer => ({
      timerId: triggerTimerId(rule, customerId, key),
      customerId,
      ruleId: rule,
      cause: { eventId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11', type: 'OrderPlaced', position: '7/7', at: '2026-05-01T10:00:00.000Z' },
      facts,
      dueAt,
    });
    const big = { orderTotal: 12_500, currency: 'EUR', productIds: ['van-1'], valueTier: 'gold' };
    const first = timer('event/1', big, '2026-05-01T12:00:00.000Z');
    expect((await triggers.decide(first)).events.map((e) => e.type)).toEqual(['MarketingTriggerScheduled']);
    clock.set('2026-05-01T12:00:00.000Z');
    expect((await triggers.decide(first)).events.map((e) => e.type)).toEqual(['MarketingTriggerFired']);
    const skipped = async (t: DueTimer) => (await triggers.decide(t)).events.map((e) => (e.type === 'MarketingTriggerSkipped' ? e.data.reason : e.type));
    expect(await skipped(timer('event/2', big, '2026-05-01T12:00:00.000Z'))).toEqual(['cooldown']);
    clock.set('2026-05-10T12:00:00.000Z');
    expect(await skipped(timer('event/3', big, '2026-05-10T12:00:00.000Z'))).toEqual(['frequency-cap']);
    expect(await skipped(timer('event/4', { ...big, orderTotal: 5 }, '2026-05-10T12:00:00.000Z'))).toEqual(['condition-false']);
    expect(
      await skipped({
        ...timer('event/5', big, '2026-05-10T12:00:00.000Z'),
        cause: { eventId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e12', type: 'OrderPlaced', at: '2025-05-01T00:00:00.000Z' },
      }),
    ).toEqual(['inactive']);
    await triggers.setEnabled(mira, ruleId, false);
    expect(await skipped(timer('event/6', big, '2026-05-10T12:00:00.000Z'))).toEqual(['disabled']);
    await triggers.setEnabled(mira, ruleId, true);
    expect(await skipped(timer('event/7', { caseCategory: 'complaint-delivery', casePriority: 'urgent' }, '2026-06-20T12:00:00.000Z', other))).toEqual([
      'MarketingTriggerScheduled',
    ]);

    const stored = await store.readAll({ maxCount: 10_000 });
    const published = stored.map(toIntegrationEvent);
    expect(published.every((e) => e !== undefined)).toBe(true);
    expect([...new Set(published.map((e) => e!.type))].sort()).toEqual([
      'MarketingTriggerFired',
      'MarketingTriggerScheduled',
      'MarketingTriggerSkipped',
      'TriggerRuleDefined',
      'TriggerRuleDisabled',
      'TriggerRuleEnabled',
      'TriggerRuleRevised',
    ]);
    for (const event of published) expect(() => registry.validate(event!)).not.toThrow();
    // Published with the rule as subject, a firing with its customer.
    expect(published.find((e) => e!.type === 'TriggerRuleDefined')!.subject).toBe(ruleId);
    expect(published.find((e) => e!.type === 'MarketingTriggerFired')!.subject).toBe(customerId);
  });

  it('an event the contracts would refuse is not stored', async () => {
    // The domain accepts any action text; the contract caps a campaign id at 200 characters.
    const attempt = triggers.define(mira, { name: 'Too long', on: 'order-placed', conditions: {}, action: { campaignId: 'x'.repeat(201) } });
    await expect(attempt).rejects.toBeInstanceOf(ContractViolationError);
    await expect(attempt).rejects.toMatchObject({ eventType: 'TriggerRuleDefined' });
  });
});
