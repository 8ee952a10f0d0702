import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { TRIGGER_ACTIONS, type TriggerActions } from './trigger-actions';
import { TriggerCommands } from './trigger-commands';
import { dueTriggerTimers } from './trigger-queries';
import { TriggerTimer } from './trigger-timer';

/**
 * The trigger timer in the marketing service, embedded and distributed alike: it starts with the
 * app and stops (after its tick under way) when the app closes. Every instance runs one; each
 * decision is still recorded once (see `TriggerTimer`). Interval: `CRM_TRIGGER_TIMER_INTERVAL_MS`.
 */
@Injectable()
export class TriggerTimerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TriggerTimer');
  readonly timer: TriggerTimer;

  constructor(
    triggers: TriggerCommands,
    @Inject(TRIGGER_ACTIONS) actions: TriggerActions,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.timer = new TriggerTimer(triggers, actions, (now, limit) => dueTriggerTimers(readModels.dataSource.manager, now, limit), clock, {
      intervalMs: config.CRM_TRIGGER_TIMER_INTERVAL_MS,
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
