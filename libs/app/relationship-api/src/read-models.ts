import { Logger } from '@nestjs/common';
import { crmRegistry } from '@crm/contracts';
import type { Platform, ReadModelMigration } from '@crm/platform';
import { ProjectionRunner, type Projection, type ReadModelsModule, type RunnerHealth, type Staleness } from '@crm/projections';
import { RELAY_CONSUMER, toIntegrationEvent } from '@crm/relay';
import {
  backfillTimelineOwners,
  prepareCustomerSearch,
  customerDirectoryProjection,
  partnerAccessProjection,
  timelineProjection,
} from '@crm/relationship-read-models';
import type { DataSource } from 'typeorm';
import { countEventsAfter, formatPosition } from '@crm/event-store';
import { TimelineChanges } from './live/timeline-changes';

/** The read models a customer-facing service keeps: directory, timeline, partner access. */
export function relationshipProjections(service: string): Projection[] {
  return [customerDirectoryProjection(service), timelineProjection(service), partnerAccessProjection(service)];
}

/** The tables of the shared read models: taken from the projections, so a new table is never left out. */
export const RELATIONSHIP_ENTITIES: Function[] = [...new Set(relationshipProjections('entities').flatMap((p) => p.entities as Function[]))];

/** Schema of a service's read models: `sales`, `service`, `partner_portal`... */
export const schemaOf = (service: string) => service.replace(/-/g, '_');

/**
 * A service's read models, declared once (`services/<service>/src/read-models.ts`): the shared
 * relationship read models and the service's own projections, all in the service's schema. Its Nest
 * module runs exactly these (`RelationshipApiModule.forService({ service, projections: own })`
 * adds the shared ones the same way), and the rebuild and re-drive CLIs load the file's
 * `readModels` and `registry` — so a projection cannot be live without being rebuildable.
 */
export interface ServiceReadModels extends ReadModelsModule {
  service: string;
  /** The service's own projections, besides the shared relationship ones. */
  own: Projection[];
  /**
   * The versioned migrations of the service's schema, oldest first (`services/<service>/src/migrations`,
   * made by `npm run generate-read-model-migration`): `tools/migrate.ts` and, in distributed mode,
   * the service's start run them; embedded mode synchronises instead.
   */
  migrations: readonly ReadModelMigration[];
}

export function serviceReadModels(service: string, own: Projection[] = [], migrations: readonly ReadModelMigration[] = []): ServiceReadModels {
  return {
    service,
    own,
    migrations,
    readModels: [...relationshipProjections(service), ...own].map((projection) => ({ projection, schema: schemaOf(service) })),
    registry: crmRegistry(),
  };
}

/** The consumer group all of a service's read models share on the bus. */
export const readModelGroupOf = (service: string) => `read-models.${service}`;

/**
 * Runs a service's projections the way its platform needs: from the bus as ONE consumer group for
 * all of them (distributed), or straight from the store (embedded), in batches. Starting does not
 * wait for the consumer group to be joined: the service answers HTTP meanwhile (and after a kill,
 * the group waits for the dead member's session to expire before it rebalances).
 */
export class ReadModelRunners {
  private runner?: ProjectionRunner;
  private starting?: Promise<void>;
  private startError?: string;
  private stopped = false;
  /** What the timeline and partner-access read models applied, as they apply it: live streams listen here. */
  readonly changes = new TimelineChanges();

  constructor(
    readonly dataSource: DataSource,
    private readonly platform: Platform,
    private readonly projections: Projection[],
    private readonly service: string,
  ) {}

  static async start(platform: Platform, service: string, own: Projection[] = [], migrations: readonly ReadModelMigration[] = []): Promise<ReadModelRunners> {
    // The same list the service's read-models.ts declares for the CLIs; tables from the projections.
    const projections = serviceReadModels(service, own).readModels.map((m) => m.projection);
    const entities = new Set(projections.flatMap((p) => p.entities as Function[]));
    const ds = await platform.createDataSource([...entities], { schema: schemaOf(service), migrations });
    await backfillTimelineOwners(ds.manager);
    await prepareCustomerSearch(ds.manager);
    const rm = new ReadModelRunners(ds, platform, projections, service);
    await rm.run();
    return rm;
  }

  private async run(): Promise<void> {
    const runner = new ProjectionRunner(this.dataSource, this.projections, {
      schema: this.platform.config.CRM_PLATFORM_SCHEMA,
      group: readModelGroupOf(this.service),
      metrics: this.platform.metrics.projectionHooks,
      // Through Nest's logger, i.e. the service's structured log (not the runner's console default), the error as `err`.
      logger: runnerLogger(new Logger(`ReadModels ${this.service}`)),
      onApplied: (projection, events) => this.changes.applied(projection, events),
    });
    await runner.migrate();
    this.runner = runner;
    if (this.platform.projectionsFollowStore) {
      await runner.startFromStore(this.platform.eventStore, crmRegistry(), toIntegrationEvent);
      return;
    }
    // Joining the group may take a while (or fail while Kafka is down): keep trying in the background.
    this.starting = (async () => {
      for (let attempt = 1; !this.stopped; attempt++) {
        try {
          await runner.start(this.platform.bus);
          this.startError = undefined;
          return;
        } catch (error) {
          this.startError = error instanceof Error ? error.message : String(error);
          console.error(`read models of ${this.service}: subscribing failed (attempt ${attempt}); retrying`, this.startError);
          await new Promise((r) => setTimeout(r, Math.min(10000, 500 * 2 ** Math.min(attempt - 1, 5))));
        }
      }
    })();
  }

  /** For readiness: the runner's state and parked events. */
  async health(): Promise<RunnerHealth> {
    const health = await this.runner!.health();
    return this.startError ? { ...health, lastError: this.startError } : health;
  }

  /**
   * Whether this service's read models are missing events of a customer (parked here, or parked by
   * the relay before they reached the bus) — answers say so instead of silently showing less.
   */
  staleness(customerId: string): Promise<Staleness | undefined> {
    return this.runner!.staleness(this.dataSource, customerId, this.platform.projectionsFollowStore ? [] : [RELAY_CONSUMER]);
  }

  /** Open parked events and stale customers per projection of this service. */
  parkedSummary(): Promise<Record<string, { events: number; subjects: number }>> {
    return this.runner!.parkedEvents.summary(
      this.dataSource,
      this.projections.map((p) => p.name),
    );
  }

  /**
   * Events of the store each projection has not seen yet (store head − its checkpoint, counted up
   * to `cap`), when the read models follow the store (embedded); undefined from the bus, where the
   * consumer group's lag on Kafka is the measure (`crm_kafka_consumer_lag`).
   */
  async lag(cap: number): Promise<Record<string, number> | undefined> {
    if (!this.platform.projectionsFollowStore || !this.runner) return undefined;
    const names = this.projections.map((p) => p.name);
    const checkpoints = await this.runner.checkpoints.read(names);
    const byPosition = new Map<string, Promise<number>>();
    const lag: Record<string, number> = {};
    for (const name of names) {
      const position = checkpoints.get(name)?.position;
      // Projections of one runner share a position once caught up: one read for all of them.
      const key = position ? formatPosition(position) : '';
      if (!byPosition.has(key)) byPosition.set(key, countEventsAfter(this.platform.eventStore, position, cap));
      lag[name] = await byPosition.get(key)!;
    }
    return lag;
  }

  /**
   * From the bus: the consumer group's lag on the topic (Kafka: high watermark − committed offset,
   * summed over partitions), with the group's name; undefined when following the store or when the
   * bus cannot tell.
   */
  async busLag(): Promise<{ group: string; messages: number } | undefined> {
    if (this.platform.projectionsFollowStore || !this.platform.bus.consumerLag) return undefined;
    const group = readModelGroupOf(this.service);
    const messages = await this.platform.bus.consumerLag(group);
    return messages === undefined ? undefined : { group, messages };
  }

  get projectionRunner(): ProjectionRunner {
    return this.runner!;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.runner?.stop();
  }
}

function runnerLogger(logger: Logger) {
  return {
    warn: (message: string) => logger.warn(message),
    error: (message: string, error?: unknown) => logger.error(error === undefined ? message : { msg: message, err: error }),
  };
}
