import { valueTierStream } from '@crm/customer-value';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { PgliteSession } from '@crm/sql-clients';
import { ValueTierPublisher } from './value-tier-publisher';

// Tier changes go through the command handler and the decider on each customer's stream: what is
// recorded depends on the stream, not on the process's memory, so a restart records nothing new.
describe('ValueTierPublisher', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const clock = new TestClock('2026-11-01T12:00:00.000Z');
  const model = { reportingCurrency: 'EUR', fittedAt: '2026-11-01T11:59:00.000Z' };
  const publisher = () => new ValueTierPublisher({ eventStore: store } as unknown as Platform, clock);
  const tiers = (a: string, b: string) => [
    { customerId: 'cust-a', tier: a as 'gold', clv: 50_000, rank: 1 },
    { customerId: 'cust-b', tier: b as 'gold', clv: 1_000, rank: 2 },
  ];

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
  });
  afterAll(async () => {
    await session.close();
  });

  it('records each tier once, then only changes (with the previous tier), also after a restart', async () => {
    const first = publisher();
    expect(await first.publish(tiers('gold', 'bronze'), model)).toBe(2);
    expect(await first.publish(tiers('gold', 'bronze'), model)).toBe(0);
    // A new process knows nothing, reads the streams and finds nothing to record.
    const restarted = publisher();
    expect(await restarted.publish(tiers('gold', 'bronze'), model)).toBe(0);
    expect(await restarted.publish(tiers('platinum', 'bronze'), model)).toBe(1);

    const events = await store.readStream(valueTierStream('cust-a'));
    expect(events.map((e) => e.type)).toEqual(['CustomerValueTierChanged', 'CustomerValueTierChanged']);
    expect(events[0].data).toEqual({
      customerId: 'cust-a',
      tier: 'gold',
      clv: 50_000,
      rank: 1,
      customers: 2,
      reportingCurrency: 'EUR',
      modelFittedAt: model.fittedAt,
      assignedAt: clock.now().toISOString(),
    });
    expect(events[1].data).toMatchObject({ tier: 'platinum', previousTier: 'gold' });
    expect(events[1].metadata).toMatchObject({ actor: { type: 'staff', id: 'analytics-valuation', department: 'analytics' } });
    expect(await store.readStream(valueTierStream('cust-b'))).toHaveLength(1);
  });

  it('checks the contract before the append: a payload consumers could not apply is refused, nothing stored', async () => {
    await expect(publisher().publish([{ customerId: 'cust-c', tier: 'gold', clv: -1, rank: 1 }], model)).rejects.toThrow(/clv/);
    expect(await store.readStream(valueTierStream('cust-c'))).toHaveLength(0);
  });
});
