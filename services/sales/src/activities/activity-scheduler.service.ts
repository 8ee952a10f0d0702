import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { ActivityCommands, ActivityScheduler, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { activitiesWithNoticeDue } from '@crm/relationship-read-models';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';

/**
 * The activity scheduler in the sales service, embedded and distributed alike: it starts with the
 * app and stops (after its tick under way) when the app closes. Every instance of the service runs
 * one; they share the activities read model and the event store, and each notice is still recorded
 * once (see `ActivityScheduler`).
 */
@Injectable()
export class ActivitySchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ActivityScheduler');
  readonly scheduler: ActivityScheduler;

  constructor(
    activities: ActivityCommands,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.scheduler = new ActivityScheduler(activities, (now, limit) => activitiesWithNoticeDue(readModels.dataSource.manager, now, limit), clock, {
      intervalMs: config.CRM_ACTIVITY_SCHEDULER_INTERVAL_MS,
      logger: { warn: (message) => this.logger.warn(message) },
    });
  }

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
  }
}
