import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { CustomerCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';
import { JourneyProcess } from './journey-process';

/**
 * The journey process manager in the analytics service, embedded and distributed alike: it starts
 * with the app and stops (after its tick under way) when the app closes. Every instance runs one;
 * each derivation is still recorded once (see `JourneyProcess`).
 */
@Injectable()
export class JourneyProcessService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JourneyProcess');
  readonly process: JourneyProcess;

  constructor(customers: CustomerCommands, @Inject(READ_MODELS) readModels: ReadModelRunners, @Inject(CLOCK) clock: Clock) {
    this.process = new JourneyProcess(customers, readModels.dataSource, clock, { intervalMs: 1000, logger: { warn: (message) => this.logger.warn(message) } });
  }

  onApplicationBootstrap(): void {
    this.process.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.process.stop();
  }
}
