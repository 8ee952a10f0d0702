import type { IntegrationEvent } from '@crm/bus';
import { crmRegistry } from '@crm/contracts';
import { ProjectionRunner, type Projection } from '@crm/projections';
import { specEvents, type SpecEvent } from '@crm/projections/testing';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { slaClocksProjection, type SlaClocksEvent } from '../sla-clocks.projection';

const quiet = { warn: () => undefined, error: () => undefined };

/**
 * analytics.sla-clocks (its versioned tables made by its ddl, as ReadModelVersions makes them) on an
 * in-memory PGlite, beside any other projections (the service's SLA read model, to compare), run by a
 * real ProjectionRunner: events are applied as the bus delivers them (dedupe, checkpoint, parking).
 */
export async function slaClocksHarness(others: { projections?: readonly Projection[]; entities?: readonly Function[] } = {}) {
  const session = await PgliteSession.open();
  const ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [...(others.entities ?? [])], synchronize: true });
  await ds.initialize();
  const projection = slaClocksProjection(1);
  for (const statement of projection.ddl) await ds.query(statement);
  const runner = new ProjectionRunner(ds, [projection as Projection, ...(others.projections ?? [])], { schema: 'spec_runner', group: 'spec', logger: quiet });
  await runner.migrate();
  let applied = 0;
  return {
    ds,
    projection,
    /** Applies the events in order (complete envelopes, each checked against its contract); none may be parked. */
    async apply(events: readonly SpecEvent<SlaClocksEvent>[]): Promise<IntegrationEvent[]> {
      const complete = specEvents<SlaClocksEvent>(events, { registry: crmRegistry() }).map((e, i) => ({
        ...e,
        position: `${applied + i + 1}/${applied + i + 1}`,
      }));
      applied += complete.length;
      for (const e of complete) {
        const outcome = await runner.apply(e);
        if (outcome === 'parked') throw new Error(`${e.type} was parked`);
      }
      return complete;
    },
    async close() {
      await ds.destroy();
      await session.close();
    },
  };
}
