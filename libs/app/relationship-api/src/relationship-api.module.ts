import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import type { Platform } from '@crm/platform';
import type { Projection } from '@crm/projections';
import { HealthIndicators, PLATFORM, SERVICE_METRICS, type ServiceMetrics } from '@crm/service-kit';
import { Gauge } from 'prom-client';
import { crmRegistry } from '@crm/contracts';
import { contractCheckedStore } from './contract-checked-store';
import { RelationshipCommands } from './relationship-commands';
import { ReadModelRunners } from './read-models';

export const READ_MODELS = Symbol('READ_MODELS');

export interface RelationshipApiOptions {
  /** The service name: names its read model schema and its projections' consumer groups. */
  service: string;
  controllers?: Type<unknown>[];
  projections?: Projection[];
  entities?: Function[];
}

class ReadModelsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    indicators: HealthIndicators,
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    // Read at scrape time from the parked-events table, so a re-drive by the CLI shows at once.
    const summary = () => readModels.parkedSummary();
    new Gauge({
      name: 'crm_read_model_parked_events',
      help: 'Events a read model could not apply and set aside (by projection)',
      labelNames: ['projection'],
      registers: [metrics.registry],
      async collect() {
        for (const [projection, s] of Object.entries(await summary())) this.set({ projection }, s.events);
      },
    });
    new Gauge({
      name: 'crm_read_model_stale_customers',
      help: 'Customers a read model is missing events of, because they are parked (by projection)',
      labelNames: ['projection'],
      registers: [metrics.registry],
      async collect() {
        for (const [projection, s] of Object.entries(await summary())) this.set({ projection }, s.subjects);
      },
    });
    // Parked events degrade readiness (the service still serves every other customer correctly);
    // a read model that stopped following its source makes the service unready.
    indicators.register('readModels', async () => {
      const health = await readModels.health();
      const parked = Object.values(health.parked).reduce((a, b) => a + b, 0);
      const status = health.state === 'stopped' ? 'down' : parked > 0 || health.state === 'retrying' ? 'degraded' : 'up';
      return { status, ...health };
    });
  }
  async onApplicationShutdown(): Promise<void> {
    await this.readModels.stop();
  }
}

/** Wires the shared write side and read models into a service's Nest module. */
@Module({})
export class RelationshipApiModule {
  static forService(options: RelationshipApiOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: RelationshipCommands, inject: [PLATFORM], useFactory: (platform: Platform) => new RelationshipCommands(contractCheckedStore(platform.eventStore, crmRegistry())) },
      {
        provide: READ_MODELS,
        inject: [PLATFORM],
        useFactory: (platform: Platform) => ReadModelRunners.start(platform, options.service, { projections: options.projections ?? [], entities: options.entities ?? [] }),
      },
      ReadModelsLifecycle,
    ];
    return { module: RelationshipApiModule, controllers: options.controllers ?? [], providers, exports: [RelationshipCommands, READ_MODELS] };
  }
}
