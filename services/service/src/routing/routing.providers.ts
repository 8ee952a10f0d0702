import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type Provider } from '@nestjs/common';
import type { EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { CaseCommands, READ_MODELS, WRITE_STORE, type ReadModelRunners } from '@crm/relationship-api';
import type { Platform } from '@crm/platform';
import { CLOCK, PLATFORM, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { In } from 'typeorm';
import { AgentCommands } from '../agents/agent-commands';
import { CASE_ASSIGNMENT, SLA_TIME_LEFT, type CaseAssignment, type SlaTimeLeft } from './case-assignment.port';
import { CaseCommandsAssignment, SlaClocksTimeLeft } from './case-commands-assignment.adapter';
import { CaseSlaClockRow } from '../service-levels/case-service-levels.entities';
import { CaseRouter } from './case-router.process';
import { CaseRoutingCommands } from './case-routing-commands';
import { RoutingCaseRow, RoutingOfferRow } from './routing.entities';
import { agentCandidates, offerById, offersExpiredAt, waitingCases } from './routing.queries';

/** The write side routing commands append through: the relationship API's write store (contract-checked, personal fields sealed). */
export const ROUTING_STORE = Symbol('ROUTING_STORE');

/** The router process, started with the app and stopped (after its tick under way) when it closes. */
@Injectable()
export class CaseRouterService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CaseRouter');
  readonly router: CaseRouter;

  constructor(
    commands: CaseRoutingCommands,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(SLA_TIME_LEFT) sla: SlaTimeLeft,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(PLATFORM) platform: Platform,
  ) {
    const manager = () => readModels.dataSource.manager;
    this.router = new CaseRouter(
      commands,
      {
        waiting: () => waitingCases(manager()),
        agents: () => agentCandidates(manager()),
        expired: (now) => offersExpiredAt(manager(), now),
        known: async (ids) =>
          new Set(
            ids.length
              ? (
                  await manager()
                    .getRepository(RoutingOfferRow)
                    .find({ where: { offerId: In([...ids]) }, select: { offerId: true } })
                ).map((o) => o.offerId)
              : [],
          ),
        rules: async () => (await commands.routingRules()).rules,
      },
      sla,
      clock,
      {
        intervalMs: config.CRM_ROUTING_INTERVAL_MS,
        offerTimeoutMs: config.CRM_ROUTING_OFFER_TIMEOUT_SECONDS * 1000,
        logger: { warn: (message) => this.logger.warn(message) },
        lease: platform.processLease('case-router'),
      },
    );
  }

  onApplicationBootstrap(): void {
    this.router.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.router.stop();
  }
}

/** What routing adds to the service module: its commands, the ports (defaults until the lead wires the owners') and the router. */
export const routingProviders: Provider[] = [
  // The relationship commands' write store itself (contract-checked, personal fields sealed).
  { provide: ROUTING_STORE, useExisting: WRITE_STORE },
  // Assignment through the case lifecycle's command (status, rules, If-Match semantics in one place).
  { provide: CASE_ASSIGNMENT, inject: [CaseCommands], useFactory: (cases: CaseCommands) => new CaseCommandsAssignment(cases) },
  // SLA time left from the service levels' clocks.
  {
    provide: SLA_TIME_LEFT,
    inject: [READ_MODELS],
    useFactory: (readModels: ReadModelRunners) => new SlaClocksTimeLeft(() => readModels.dataSource.manager.getRepository(CaseSlaClockRow)),
  },
  { provide: AgentCommands, inject: [ROUTING_STORE, CLOCK], useFactory: (store: EventStore, clock: Clock) => new AgentCommands(store, clock) },
  {
    provide: CaseRoutingCommands,
    inject: [ROUTING_STORE, CLOCK, CASE_ASSIGNMENT, READ_MODELS],
    useFactory: (store: EventStore, clock: Clock, assignment: CaseAssignment, readModels: ReadModelRunners) =>
      new CaseRoutingCommands(store, clock, assignment, async (offerId) => {
        const offer = await offerById(readModels.dataSource.manager, offerId);
        if (!offer) return undefined;
        const row = await readModels.dataSource.manager.getRepository(RoutingCaseRow).findOneBy({ episodeId: offer.episodeId });
        return { episodeId: offer.episodeId, team: row?.team ?? null };
      }),
  },
  CaseRouterService,
];
