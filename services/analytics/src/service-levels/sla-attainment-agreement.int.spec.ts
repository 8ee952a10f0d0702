import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { slaAttainment as kpiSlaAttainment, type Attainment, type SlaClockFact } from '../kpis/kpi-definitions';
import { slaClocksEndingIn } from './sla-clocks.projection';
import { slaClocksHarness } from './testing/sla-clocks-harness';
import { assigned, breached, closed, interaction, opened, plus, policiesSet, reopened, statusChanged, tierChanged, type SlaEvent } from './testing/sla-events';

// The service's own SLA read model and its GET /service-levels/attainment query, loaded by path as
// tools/chaos loads each service's read models: services never import one another, but this test
// needs both sides of the same events. Only the few members used are typed here.
const serviceLevels = path.resolve(__dirname, '../../../service/src/service-levels');
/* eslint-disable @typescript-eslint/no-require-imports */
const { caseServiceLevelsProjection } = require(path.join(serviceLevels, 'case-service-levels.projection.ts')) as {
  caseServiceLevelsProjection: (owner: string) => Projection;
};
const { CASE_SERVICE_LEVEL_ENTITIES } = require(path.join(serviceLevels, 'case-service-levels.entities.ts')) as { CASE_SERVICE_LEVEL_ENTITIES: Function[] };
const { slaAttainment: serviceAttainment } = require(path.join(serviceLevels, 'sla-attainment.query.ts')) as {
  slaAttainment: (
    m: EntityManager,
    from: Date,
    to: Date,
    groupBy: 'team' | 'tier',
    now: Date,
  ) => Promise<{ group: string; metric: string; met: number; breached: number; open: number }[]>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

// The same events to the service's SLA read model and to analytics' SLA clocks, in one runner: the
// sla-attainment KPI must count what the service's attainment counts. The service groups by the
// month the cases were opened, the KPI by the month each clock ended: every case here is opened and
// every clock ends in March 2026, so the two must agree exactly — per team, per tier, per metric and
// in total — with the open clocks (within target, or paused without end) left out by both.
describe('sla-attainment agrees with the service’s GET /service-levels/attainment over the same events (PGlite)', () => {
  it('counts the same met and breached clocks per team, tier and metric', async () => {
    const h = await slaClocksHarness({ projections: [caseServiceLevelsProjection('service')], entities: CASE_SERVICE_LEVEL_ENTITIES });
    try {
      const [gold, bronze] = [randomUUID(), randomUUID()];
      const [c1, c2, c3, c4, c5] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const events: SlaEvent[] = [
        policiesSet(0, [
          { policyId: 'gold', tier: 'gold', firstResponseMinutes: 10, resolutionMinutes: 60 },
          { policyId: 'default', firstResponseMinutes: 30, resolutionMinutes: 120 },
        ]),
        tierChanged(0, gold, 'gold'),
        // 1 (gold, billing): first response met; the next response (due 50) answered at 70, resolution (due 61) at 80: both breached.
        opened(1, gold, c1),
        assigned(1, gold, c1, 'billing'),
        interaction(5, gold, c1, 'outbound'),
        interaction(20, gold, c1, 'inbound'),
        // 5 (gold, billing): answered and closed at once, reopened, closed again in time: three met.
        opened(2, gold, c5),
        assigned(2, gold, c5, 'billing'),
        interaction(3, gold, c5, 'outbound'),
        closed(4, gold, c5),
        // 2 (bronze, tech): first response (due 40) answered at 50: breached; resolved at 100 (due 130): met.
        opened(10, bronze, c2),
        assigned(10, bronze, c2, 'tech'),
        reopened(20, gold, c5),
        // 3 (bronze, no team): never answered, the timer recorded the breach at 60; its resolution (due 150) is still within target.
        opened(30, bronze, c3),
        // 4 (gold, billing): waiting on the customer since 42: its clocks have no due time yet.
        opened(40, gold, c4),
        assigned(40, gold, c4, 'billing'),
        statusChanged(42, gold, c4, 'new', 'waiting-on-customer'),
        interaction(50, bronze, c2, 'outbound'),
        closed(50, gold, c5),
        breached(60, bronze, c3, 'first-response', 0, plus(60)),
        interaction(70, gold, c1, 'outbound'),
        closed(80, gold, c1),
        closed(100, bronze, c2),
      ];
      await h.apply(events);
      const now = new Date(plus(140));
      const [march, april] = [new Date('2026-03-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z')];

      // The service's attainment, by team and by tier (rows per group and metric).
      const byTeamRows = await serviceAttainment(h.ds.manager, march, april, 'team', now);
      const byTierRows = await serviceAttainment(h.ds.manager, march, april, 'tier', now);
      const sum = (of: typeof byTeamRows, key: (r: (typeof byTeamRows)[number]) => string) => {
        const out: Record<string, Attainment> = {};
        for (const r of of) {
          const g = (out[key(r)] ??= { met: 0, breached: 0 });
          g.met += r.met;
          g.breached += r.breached;
        }
        for (const k of Object.keys(out)) {
          if (out[k].met + out[k].breached === 0) delete out[k];
          else out[k].attainment = out[k].met / (out[k].met + out[k].breached);
        }
        return out;
      };

      // Analytics' KPI over its own clocks, for March, as of the same instant.
      const rows = await slaClocksEndingIn(h.ds.manager, h.projection.tables.clocks, now, march, april);
      const clocks: SlaClockFact[] = rows.map((r) => ({
        episodeId: r.episode_id,
        metric: r.metric,
        cycle: r.cycle,
        tier: r.tier,
        team: r.team,
        dueAt: r.due_at === null ? null : new Date(r.due_at).toISOString(),
        stoppedAt: r.stopped_at === null ? null : new Date(r.stopped_at).toISOString(),
        met: r.met,
      }));
      const kpi = kpiSlaAttainment(clocks, { period: '2026-03', start: '2026-03-01', end: '2026-03-31' }, now.toISOString());

      // The hand count first (so agreeing on a wrong number cannot pass): met 1+3+1 = 5; breached 2 (case 1) + 1 (case 2) + 1 (case 3) = 4.
      expect(kpi).toMatchObject({ value: 5 / 9, basis: 9 });
      expect(kpi.byTeam).toEqual({
        billing: { met: 4, breached: 2, attainment: 4 / 6 },
        tech: { met: 1, breached: 1, attainment: 0.5 },
        '(none)': { met: 0, breached: 1, attainment: 0 },
      });
      // The service left out the same open clocks: case 3's resolution, case 4's two.
      expect(byTeamRows.reduce((n, r) => n + r.open, 0)).toBe(3);

      expect(kpi.byTeam).toEqual(sum(byTeamRows, (r) => r.group));
      expect(kpi.byTier).toEqual(sum(byTierRows, (r) => r.group));
      expect(kpi.byMetric).toEqual(sum(byTeamRows, (r) => r.metric));
      const total = sum(byTeamRows, () => 'all').all;
      expect(kpi.value).toBe(total.attainment);
      expect(kpi.basis).toBe(total.met + total.breached);
    } finally {
      await h.close();
    }
  });
});
