import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, ServiceLevelCommands, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { casesWithSlaNoticeDue } from './case-service-levels.projection';
import { SlaTimer } from './sla-timer';

/**
 * The SLA timer in the service service, embedded and distributed alike: it starts with the app and
 * stops (after its tick under way) when the app closes. Every instance runs one; each notice is
 * still recorded once (see `SlaTimer`). Interval: `CRM_SLA_TIMER_INTERVAL_MS`.
 */
@Injectable()
export class SlaTimerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SlaTimer');
  readonly timer: SlaTimer;

  constructor(
    serviceLevels: ServiceLevelCommands,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.timer = new SlaTimer(serviceLevels, (now, limit) => casesWithSlaNoticeDue(readModels.dataSource.manager, now, limit), clock, {
      intervalMs: config.CRM_SLA_TIMER_INTERVAL_MS,
      logger: { warn: (message) => this.logger.warn(message) },
    });
  }

  onApplicationBootstrap(): void {
    this.timer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.timer.stop();
  }
}
