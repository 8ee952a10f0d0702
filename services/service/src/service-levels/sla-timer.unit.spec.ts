import { TestClock } from '@crm/kernel';
import type { ServiceLevelCommands } from '@crm/relationship-api';
import { SlaTimer } from './sla-timer';

// The timer's loop with the store and the read model faked: what it asks for, what it reports, and
// that one case's trouble does not hold up the others.
describe('SLA timer', () => {
  it('asks the index for what is due at the clock, records each case, reports what it appended and what failed', async () => {
    const clock = new TestClock('2026-11-30T08:10:00.000Z');
    const asked: [string, number][] = [];
    const commands = {
      async recordDue(episodeId: string) {
        if (episodeId === 'broken') throw new Error('store down');
        if (episodeId === 'raced') return { events: [], appended: false };
        return { events: [{ type: 'CaseSlaBreached', data: { metric: 'first-response', cycle: 0 } }], appended: true };
      },
    } as unknown as ServiceLevelCommands;
    const warnings: string[] = [];
    const timer = new SlaTimer(
      commands,
      async (now, limit) => {
        asked.push([now.toISOString(), limit]);
        return ['broken', 'ok', 'raced'];
      },
      clock,
      { intervalMs: 0, batchSize: 7, logger: { warn: (m) => warnings.push(m) } },
    );
    const tick = await timer.tick();
    expect(asked).toEqual([['2026-11-30T08:10:00.000Z', 7]]);
    expect(tick).toEqual({
      at: '2026-11-30T08:10:00.000Z',
      looked: 3,
      recorded: [{ episodeId: 'ok', type: 'CaseSlaBreached', metric: 'first-response', cycle: 0 }],
      failed: [{ episodeId: 'broken', error: 'Error: store down' }],
    });
    expect(warnings).toHaveLength(1);
  });
});
