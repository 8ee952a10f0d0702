import { TestClock } from '@crm/kernel';
import type { TriggerFiringEvent } from '@crm/marketing-triggers';
import type { DueTimer, TriggerCommands } from './trigger-commands';
import type { TriggerFiring } from './trigger-actions';
import { TriggerTimer } from './trigger-timer';

// The trigger timer's loop: each due timer decided once per tick, the offer asked only for a firing
// this timer recorded, and one timer's trouble (or the offer's) holding up no other.
describe('TriggerTimer', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const timer = (id: string): DueTimer => ({
    timerId: id,
    customerId: 'c1',
    ruleId: 'r1',
    cause: { eventId: 'e1', type: 'OrderPlaced', at: '2026-05-01T10:00:00.000Z' },
    facts: {},
    dueAt: '2026-05-01T10:00:00.000Z',
  });
  const fired = (timerId: string): TriggerFiringEvent => ({
    type: 'MarketingTriggerFired',
    data: {
      customerId: 'c1',
      ruleId: 'r1',
      ruleRevision: 0,
      on: 'order-placed',
      timerId,
      cause: timer(timerId).cause,
      facts: {},
      why: { conditions: [], delayMinutes: 0 },
      action: { campaignId: 'offer' },
      dueAt: '2026-05-01T10:00:00.000Z',
      firedAt: '2026-05-01T10:00:00.000Z',
    },
  });

  it('decides every due timer; asks the offer only for firings it recorded; a failing timer or offer does not stop the rest', async () => {
    const decided: string[] = [];
    const commands = {
      decide: async (t: DueTimer) => {
        decided.push(t.timerId);
        if (t.timerId === 'broken') throw new Error('store down');
        if (t.timerId === 'other-instance') return { events: [fired(t.timerId)], appended: false };
        return { events: [fired(t.timerId)], appended: true };
      },
    } as unknown as TriggerCommands;
    const offers: TriggerFiring[] = [];
    const warnings: string[] = [];
    const loop = new TriggerTimer(
      commands,
      {
        offer: async (f) => {
          offers.push(f);
          if (f.timerId === 't1') throw new Error('campaign unavailable');
        },
      },
      async (now, limit) =>
        now.getTime() >= Date.parse('2026-05-01T10:00:00.000Z') ? ['t1', 'broken', 'other-instance', 't2'].slice(0, limit).map(timer) : [],
      clock,
      { intervalMs: 0, logger: { warn: (m) => warnings.push(m) } },
    );
    const tick = await loop.tick();
    expect(decided).toEqual(['t1', 'broken', 'other-instance', 't2']);
    expect(tick.recorded.map((r) => r.timerId)).toEqual(['t1', 't2']);
    expect(tick.failed).toEqual([{ timerId: 'broken', error: 'Error: store down' }]);
    expect(offers.map((o) => o.timerId)).toEqual(['t1', 't2']);
    expect(offers[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(warnings).toHaveLength(2);
  });
});
