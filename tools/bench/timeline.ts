/**
 * timeline: one page of a customer's relationship history, for a customer with 10,000 interactions
 * (among other customers' entries), against the page's own SQL run raw on the same connection.
 * Pages start at random points of the history (cursors of real entries), 50 entries each; the two
 * contenders alternate request by request. Goal on PostgreSQL: p99 < 25 ms and ≤ 2× the raw SQL.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { crmRegistry } from '@crm/contracts';
import type { NewEvent } from '@crm/event-store';
import { ProjectionRunner } from '@crm/projections';
import { toIntegrationEvent } from '@crm/relay';
import { CustomerDirectoryEntry, PartnerAccess, readTimeline, TimelineEntry, timelineProjection } from '@crm/relationship-read-models';
import { percentile, round, uniqueSchema, type BenchContext, type BenchModule, type Figure, crmEvent } from './kit';
import { readModelDbs } from './read-model-db';

export const timelineBench: BenchModule = {
  name: 'timeline',
  description: 'timeline page p99 for a customer with 10,000 interactions vs the page’s own SQL',
  run,
};

const LIMIT = 50;

async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const interactions = 10_000;
  const requests = ctx.quick ? 100 : 400;
  const schema = uniqueSchema('bench_tl');
  for await (const db of readModelDbs(ctx, schema, [TimelineEntry, CustomerDirectoryEntry, PartnerAccess])) {
    try {
      ctx.log(`${db.label}: writing ${interactions} interactions of one customer (10 episodes) and 10,000 entries of 200 others`);
      const customerId = randomUUID();
      const partnerId = randomUUID();
      const episodes: string[] = [];
      for (let e = 0; e < 10; e++) {
        const episodeId = randomUUID();
        episodes.push(episodeId);
        const owner = e % 2 ? { kind: 'partner', partnerId } : { kind: 'department', department: 'sales' };
        await db.store.appendToStream(`episode-${episodeId}`, [
          crmEvent('EpisodeOpened', {
            episodeId,
            customerId,
            name: `episode ${e}`,
            episodeType: e % 2 ? 'partner-deal' : 'opportunity',
            owner,
            openedAt: new Date().toISOString(),
            ...(e % 2 ? {} : { stage: 'lead-generation' }),
          }),
        ]);
      }
      for (let i = 0; i < interactions; i += 100) {
        const episodeId = episodes[(i / 100) % episodes.length];
        await db.store.appendToStream(
          `episode-${episodeId}`,
          Array.from({ length: 100 }, (_, k) => interaction(episodeId, customerId, i + k)),
        );
      }
      for (let c = 0; c < 200; c++) {
        const other = randomUUID();
        const episodeId = randomUUID();
        await db.store.appendToStream(`episode-${episodeId}`, [
          crmEvent('EpisodeOpened', {
            episodeId,
            customerId: other,
            name: 'other',
            episodeType: 'case',
            owner: { kind: 'department', department: 'service' },
            openedAt: new Date().toISOString(),
          }),
          ...Array.from({ length: 49 }, (_, k) => interaction(episodeId, other, k)),
        ]);
      }
      const runner = new ProjectionRunner(db.dataSource, timelineProjection('bench'), { schema: `${schema}_pl` });
      await runner.migrate();
      await runner.rebuild(db.store, crmRegistry(), toIntegrationEvent);
      const table = db.dataSource.getRepository(TimelineEntry).metadata.tablePath;
      await db.query(`ANALYZE ${table}`);

      const cursors = (
        await db.query<{ p: string }>(`SELECT position_commit || '/' || position_prepare AS p FROM ${table} WHERE customer_id = $1 ORDER BY 1`, [customerId])
      ).map((r) => r.p);
      const pick = (i: number) => cursors[(i * 7919) % cursors.length];
      // The page's own SQL: the range scan of entries, then the headers of their episodes.
      const raw = async (cursor: string) => {
        const [c, p] = cursor.split('/');
        const entries = await db.query<{ episode_id: string }>(
          `SELECT episode_id, kind, position_commit, position_prepare, actor, data FROM ${table}
           WHERE customer_id = $1 AND (position_commit, position_prepare) > ($2::bigint, $3::bigint) ORDER BY position_commit, position_prepare LIMIT $4`,
          [customerId, c, p, LIMIT + 1],
        );
        await db.query(
          `SELECT episode_id, kind, position_commit, position_prepare, actor, data FROM ${table}
           WHERE episode_id = ANY($1::text[]) AND kind IN ('EpisodeOpened', 'OpportunityStageAdvanced', 'EpisodeClosed') ORDER BY position_commit, position_prepare`,
          [[...new Set(entries.map((e) => e.episode_id))]],
        );
      };
      const ours = async (cursor: string) => {
        const page = await readTimeline(db.dataSource.manager, { customerId, cursor, limit: LIMIT });
        if (page.entries !== LIMIT && page.nextCursor) throw new Error('short page');
      };
      for (let i = 0; i < 20; i++) {
        await ours(pick(i)); // warm-up
        await raw(pick(i));
      }
      const t = { ours: [] as number[], raw: [] as number[] };
      for (let i = 0; i < requests; i++) {
        const cursor = pick(i + 20);
        for (const [name, fn] of (i % 2
          ? [
              ['raw', raw],
              ['ours', ours],
            ]
          : [
              ['ours', ours],
              ['raw', raw],
            ]) as [keyof typeof t, (c: string) => Promise<void>][]) {
          const t0 = performance.now();
          await fn(cursor);
          t[name].push(performance.now() - t0);
        }
      }
      t.ours.sort((a, b) => a - b);
      t.raw.sort((a, b) => a - b);
      const p99 = percentile(t.ours, 0.99);
      const rawP99 = percentile(t.raw, 0.99);
      const onServer = db.name === 'postgres';
      figures.push(
        ctx.report({
          name: `timeline.page.p99.${db.name}`,
          unit: 'ms',
          value: round(p99),
          baseline: { name: 'the page’s own SQL, p99', value: round(rawP99) },
          ...(onServer ? { goal: '< 25 ms and ≤ 2× the SQL', met: p99 < 25 && p99 <= 2 * rawP99 } : {}),
          details: {
            requests,
            limit: LIMIT,
            interactions,
            p50: round(percentile(t.ours, 0.5)),
            rawP50: round(percentile(t.raw, 0.5)),
            max: round(t.ours[t.ours.length - 1]),
          },
        }),
      );
    } finally {
      await db.close();
    }
  }
  return figures;
}

function interaction(episodeId: string, customerId: string, n: number): NewEvent {
  return crmEvent('InteractionRecorded', {
    episodeId,
    customerId,
    interaction: {
      interactionId: randomUUID(),
      channel: 'phone',
      direction: 'outbound',
      actor: { kind: 'staff', id: 'bench' },
      action: `call ${n}`,
      response: 'answered',
      occurredAt: new Date().toISOString(),
    },
  });
}
