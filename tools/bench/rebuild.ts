/**
 * rebuild: a service's read models rebuilt from event 0 (the sales service's directory, timeline and
 * partner access, over the event mix of real customer lives), in events of the store per second,
 * against a raw sequential read of the same events table in pages of the same size on the same
 * database. Goal on PostgreSQL: ≥ 20,000 events/s and ≥ 0.5× the raw read.
 */
import { performance } from 'node:perf_hooks';
import { crmRegistry } from '@crm/contracts';
import { ProjectionRunner } from '@crm/projections';
import { relationshipProjections, RELATIONSHIP_ENTITIES } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { randomUUID } from 'node:crypto';
import { customerLife } from '../chaos/load';
import { round, uniqueSchema, type BenchContext, type BenchModule, type Figure } from './kit';
import { readModelDbs } from './read-model-db';

export const rebuildBench: BenchModule = {
  name: 'rebuild',
  description: 'projection rebuild from event 0 (events/s) vs a raw sequential read of the events',
  run,
};

const PAGE = 2000;

async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const target = ctx.quick ? 20_000 : 100_000;
  const schema = uniqueSchema('bench_rb');
  for await (const db of readModelDbs(ctx, schema, RELATIONSHIP_ENTITIES)) {
    try {
      const partnerId = randomUUID();
      let events = 0;
      for (let i = 0; events < target; i++) {
        for (const a of customerLife(i, partnerId, 4)) {
          await db.store.appendToStream(a.stream, a.events);
          events += a.events.length;
        }
      }
      const es = `${schema}_es`;
      await db.query(`ANALYZE ${es}.events`);
      ctx.log(`${db.label}: ${events} events of ${Math.round(events / 22)} customer lives`);

      // Baseline: read every event in global order, keyset pages of the rebuild's size, nothing else.
      const rawRead = async () => {
        let after: [string, string] = ['0', '-1'];
        let n = 0;
        for (;;) {
          const page = await db.query<{ t: string; g: string }>(
            `SELECT transaction_id::text AS t, global_position::text AS g, event_id, stream_id, stream_revision, type, schema_version, data, metadata, recorded_at
             FROM ${es}.events WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint) ORDER BY transaction_id, global_position LIMIT $3`,
            [after[0], after[1], PAGE],
          );
          n += page.length;
          if (page.length < PAGE) return n;
          after = [page[page.length - 1].t, page[page.length - 1].g];
        }
      };
      const runner = new ProjectionRunner(db.dataSource, relationshipProjections('bench'), { schema: `${schema}_pl`, group: 'bench', rebuildBatchSize: PAGE });
      await runner.migrate();
      const rebuild = () => runner.rebuild(db.store, crmRegistry(), toIntegrationEvent);
      await rawRead(); // warm the cache alike for both
      const rounds = ctx.quick ? 1 : 2;
      let rawMs = 0;
      let oursMs = 0;
      for (let r = 0; r < rounds; r++) {
        let t0 = performance.now();
        if ((await rawRead()) !== events) throw new Error('raw read saw a different number of events');
        rawMs += performance.now() - t0;
        t0 = performance.now();
        await rebuild();
        oursMs += performance.now() - t0;
      }
      const ours = (events * rounds) / (oursMs / 1000);
      const raw = (events * rounds) / (rawMs / 1000);
      const onServer = db.name === 'postgres';
      figures.push(
        ctx.report({
          name: `rebuild.sales-read-models.${db.name}`,
          unit: 'events/s',
          value: Math.round(ours),
          baseline: { name: 'raw sequential read of the events', value: Math.round(raw) },
          ...(onServer ? { goal: '≥ 20,000 events/s and ≥ 0.5× the raw read', met: ours >= 20_000 && ours >= 0.5 * raw } : {}),
          details: { events, rounds, projections: runner.projections.map((p) => p.name), page: PAGE, seconds: round(oursMs / 1000 / rounds) },
        }),
      );
    } finally {
      await db.close();
    }
  }
  return figures;
}
