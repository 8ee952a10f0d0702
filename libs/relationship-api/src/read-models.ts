import { crmRegistry } from '@crm/contracts';
import type { Platform } from '@crm/platform';
import { ProjectionRunner, type Projection } from '@crm/projections';
import { toIntegrationEvent } from '@crm/relay';
import { CustomerDirectoryEntry, customerDirectoryProjection, PartnerAccess, partnerAccessProjection, TimelineEntry, timelineProjection } from '@crm/timeline';
import type { DataSource } from 'typeorm';

/** The read models a customer-facing service keeps: directory, timeline, partner access. */
export function relationshipProjections(service: string): Projection[] {
  return [customerDirectoryProjection(service), timelineProjection(service), partnerAccessProjection(service)];
}

export const RELATIONSHIP_ENTITIES = [TimelineEntry, CustomerDirectoryEntry, PartnerAccess];

/** Schema of a service's read models: `sales`, `service`, `partner_portal`... */
export const schemaOf = (service: string) => service.replace(/-/g, '_');

/**
 * Runs a service's projections in the way its platform needs: from the bus (distributed; each
 * projection its own consumer group) or straight from the store (embedded).
 */
export class ReadModelRunners {
  private runners: ProjectionRunner[] = [];

  constructor(
    readonly dataSource: DataSource,
    private readonly platform: Platform,
    private readonly projections: Projection[],
  ) {}

  static async start(platform: Platform, service: string, extra: { projections: Projection[]; entities: Function[] } = { projections: [], entities: [] }): Promise<ReadModelRunners> {
    const ds = await platform.createDataSource([...RELATIONSHIP_ENTITIES, ...extra.entities], { schema: schemaOf(service) });
    const rm = new ReadModelRunners(ds, platform, [...relationshipProjections(service), ...extra.projections]);
    await rm.run();
    return rm;
  }

  private async run(): Promise<void> {
    const registry = crmRegistry();
    for (const projection of this.projections) {
      const runner = new ProjectionRunner(this.dataSource, projection, { schema: this.platform.config.CRM_PLATFORM_SCHEMA });
      await runner.migrate();
      if (this.platform.projectionsFollowStore) {
        await runner.startFromStore(this.platform.eventStore, registry, toIntegrationEvent, (e) => console.error(`projection ${projection.name} stopped:`, e));
      } else {
        await runner.start(this.platform.bus);
      }
      this.runners.push(runner);
    }
  }

  async stop(): Promise<void> {
    for (const r of this.runners) await r.stop();
    this.runners = [];
  }
}
