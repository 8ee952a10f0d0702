import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { CaseCommands, EpisodeCommands, READ_MODELS, WRITE_STORE, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { IsNull, LessThanOrEqual } from 'typeorm';
import { CaseFollowsReturn } from './case-follows-return.process';
import { ReturnCaseFollowUp, ReturnListEntry } from './return-list.entities';

/**
 * The case following its return, in the service service (embedded and distributed alike): starts
 * with the app, stops after its tick under way. Interval: `CRM_RETURN_FOLLOW_INTERVAL_MS`.
 */
@Injectable()
export class CaseFollowsReturnService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CaseFollowsReturn');
  readonly process: CaseFollowsReturn;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    cases: CaseCommands,
    episodes: EpisodeCommands,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    const manager = () => readModels.dataSource.manager;
    this.process = new CaseFollowsReturn(
      store,
      cases,
      episodes,
      {
        due: async (now, limit) =>
          (
            await manager()
              .getRepository(ReturnCaseFollowUp)
              .find({ where: { dueAt: LessThanOrEqual(now) }, order: { dueAt: 'ASC', key: 'ASC' }, take: limit })
          ).map((r) => ({ ...r, kind: r.kind as 'repair-assigned' | 'closed', dueAt: r.dueAt.toISOString() })),
        done: async (key) => {
          await manager().getRepository(ReturnCaseFollowUp).delete({ key });
        },
        openReturnsOfCase: (caseId) =>
          manager()
            .getRepository(ReturnListEntry)
            .count({ where: { caseId, closedAt: IsNull() } }),
      },
      clock,
      { intervalMs: config.CRM_RETURN_FOLLOW_INTERVAL_MS, logger: { warn: (message) => this.logger.warn(message) } },
    );
  }

  onApplicationBootstrap(): void {
    this.process.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.process.stop();
  }
}
