import { Inject, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { crmRegistry } from '@crm/contracts';
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { ReadModelVersions, type ReadModelVersionProgress, type VersionedProjection } from '@crm/projections';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { CLOCK, PLATFORM, SERVICE_METRICS, type ServiceMetrics } from '@crm/service-kit';
import { Gauge } from 'prom-client';
import { kpiFactsProjection } from '../kpis/kpi-facts.projection';
import { contactCentreFactsProjection } from '../contact-centre/contact-centre-facts.projection';
import { slaClocksProjection } from '../service-levels/sla-clocks.projection';

export const READ_MODEL_VERSIONS = Symbol('READ_MODEL_VERSIONS');

/**
 * Analytics' versioned read models: every version the code declares. To build a new version of
 * one beside the serving one, add it here (keep the serving version listed until it is retired);
 * see docs/analytics.md, "Replayable analytics".
 */
export function analyticsVersionedReadModels(): VersionedProjection[] {
  return [
    kpiFactsProjection(1),
    // v2 (issue 12): adds case reopenings and satisfaction answers; switched to once caught up
    kpiFactsProjection(2),
    // contact-centre measures and efficiency (issue 12 §6)
    contactCentreFactsProjection(1),
    // v2: cases released to a queue (CaseUnassigned) change their team and agent; switched to once caught up
    contactCentreFactsProjection(2),
    // the SLA clocks the sla-attainment KPI counts (issue 12 §4, §6)
    slaClocksProjection(1),
  ];
}

/** Starts the versions with the service (in the read models' database, schema analytics) and stops them with it. */
export const readModelVersionsProvider: Provider = {
  provide: READ_MODEL_VERSIONS,
  inject: [PLATFORM, READ_MODELS, CLOCK],
  useFactory: async (platform: Platform, readModels: ReadModelRunners, clock: Clock) => {
    const versions = new ReadModelVersions(readModels.dataSource, platform.eventStore, crmRegistry(), toIntegrationEvent, {
      schema: platform.config.CRM_PLATFORM_SCHEMA,
      now: () => clock.now(),
      // Applied and parked events of every version (`<read model>@v<n>`) in the platform's metrics.
      runner: { metrics: platform.metrics.projectionHooks },
    });
    // The serving versions now; new versions are built once the service listens (onApplicationBootstrap).
    await versions.start(analyticsVersionedReadModels(), { build: false });
    // "Later": the versions retired before this start are dropped now — every read since the switch
    // has looked the pointer up and used the new version.
    await versions.dropRetired();
    return versions;
  },
};

/** Progress as Prometheus gauges (read at scrape time); new versions built once the service is up; the runners stopped on shutdown. */
export class ReadModelVersionsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(READ_MODEL_VERSIONS) private readonly versions: ReadModelVersions,
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    const labelNames = ['read_model', 'version'];
    // One look per scrape for the three gauges (prom-client collects each on its own).
    let look: { at: number; progress: Promise<ReadModelVersionProgress[]> } | undefined;
    const progress = () => {
      if (!look || Date.now() - look.at > 1000) look = { at: Date.now(), progress: versions.progress() };
      return look.progress;
    };
    const gauge = (name: string, help: string, value: (v: ReadModelVersionProgress) => number) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [metrics.registry],
        async collect() {
          for (const v of await progress()) this.set({ read_model: v.readModel, version: String(v.version) }, value(v));
        },
      });
    gauge('crm_read_model_version_serving', 'The version reads use (1) and the others (0), per read model', (v) => (v.state === 'serving' ? 1 : 0));
    gauge('crm_read_model_version_progress', 'Share of the head a read model version has applied (1: caught up)', (v) => v.progress ?? 0);
    gauge('crm_read_model_version_events_applied', 'Events a read model version has applied', (v) => v.eventsApplied);
  }

  onApplicationBootstrap(): void {
    // Not awaited: the service starts listening at once and GET /read-models shows the build.
    void this.versions.build().catch((error: unknown) => console.error('read model versions: building failed', error));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.versions.stop();
  }
}
