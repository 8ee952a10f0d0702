import { Inject, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { crmRegistry } from '@crm/contracts';
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { ReadModelVersions, type VersionedProjection } from '@crm/projections';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { CLOCK, PLATFORM, SERVICE_METRICS, type ServiceMetrics } from '@crm/service-kit';
import { Gauge } from 'prom-client';
import { kpiFactsProjection } from '../kpis/kpi-facts.projection';

export const READ_MODEL_VERSIONS = Symbol('READ_MODEL_VERSIONS');

/**
 * Analytics' versioned read models: every version the code declares. To build a new version of
 * one beside the serving one, add it here (keep the serving version listed until it is retired);
 * see docs/analytics.md, "Replayable analytics".
 */
export function analyticsVersionedReadModels(): VersionedProjection[] {
  return [kpiFactsProjection(1)];
}

/** Starts the versions with the service (in the read models' database, schema analytics) and stops them with it. */
export const readModelVersionsProvider: Provider = {
  provide: READ_MODEL_VERSIONS,
  inject: [PLATFORM, READ_MODELS, CLOCK],
  useFactory: async (platform: Platform, readModels: ReadModelRunners, clock: Clock) => {
    const versions = new ReadModelVersions(readModels.dataSource, platform.eventStore, crmRegistry(), toIntegrationEvent, {
      schema: platform.config.CRM_PLATFORM_SCHEMA,
      now: () => clock.now(),
    });
    await versions.start(analyticsVersionedReadModels());
    // "Later": the versions retired before this start are dropped now — every read since the switch
    // has looked the pointer up and used the new version.
    await versions.dropRetired();
    return versions;
  },
};

/** Progress as Prometheus gauges (read at scrape time), and the runners stopped on shutdown. */
export class ReadModelVersionsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(READ_MODEL_VERSIONS) private readonly versions: ReadModelVersions,
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    const labelNames = ['read_model', 'version'];
    const progress = new Gauge({
      name: 'crm_read_model_version_progress',
      help: 'Share of the head a read model version has applied (1: caught up)',
      labelNames,
      registers: [metrics.registry],
    });
    const applied = new Gauge({
      name: 'crm_read_model_version_events_applied',
      help: 'Events a read model version has applied',
      labelNames,
      registers: [metrics.registry],
    });
    // One collect fills all gauges from one look (progress() also measures the rate between looks).
    new Gauge({
      name: 'crm_read_model_version_serving',
      help: 'The version reads use (1) and the others (0), per read model',
      labelNames,
      registers: [metrics.registry],
      async collect() {
        for (const v of await versions.progress()) {
          const labels = { read_model: v.readModel, version: String(v.version) };
          this.set(labels, v.state === 'serving' ? 1 : 0);
          progress.set(labels, v.progress ?? 0);
          applied.set(labels, v.eventsApplied);
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.versions.stop();
  }
}
