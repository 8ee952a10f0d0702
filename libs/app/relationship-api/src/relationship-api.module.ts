import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import type { Platform, ReadModelMigration } from '@crm/platform';
import type { Projection } from '@crm/projections';
import type { Clock } from '@crm/kernel';
import { CLOCK, HealthIndicators, PLATFORM, SERVICE_METRICS, type ServiceMetrics } from '@crm/service-kit';
import { Gauge } from 'prom-client';
import { crmRegistry } from '@crm/contracts';
import { withPersonalData } from '@crm/personal-data';
import type { EventStore } from '@crm/event-store';
import { contractCheckedStore } from './contract-checked-store';
import type { CommandSettings } from './application/command-options';
import { CustomerCommands } from './customers/customer-commands';
import { CustomerHistory } from './customers/customer-history';
import { LeadCommands } from './leads/lead-commands';
import { RoundRobinTurns } from './leads/round-robin-turns';
import { LeadFormCommands } from './leads/lead-form-commands';
import { leadsAssignedByRule } from '@crm/relationship-read-models';
import { findValidPriceBook } from '@crm/relationship-read-models';
import { CatalogueCommands } from './quotes/catalogue-commands';
import { QuoteCommands } from './quotes/quote-commands';
import { EpisodeCommands } from './episodes/episode-commands';
import { ActivityCommands } from './activities/activity-commands';
import { CaseCommands } from './cases/case-commands';
import { CalendarFeedCommands } from './activities/calendar-feed-commands';
import { AggregatePartnerAccess, PartnerCommands, type PartnerAccess } from './partners/partner-commands';
import { ReadModelRunners } from './read-models';
import { PipelineCommands } from './opportunities/pipeline-commands';
import { ExchangeRateCommands } from './forecast/exchange-rate-commands';
import { SalesTargetCommands } from './forecast/sales-target-commands';
import { OrderCommands } from './orders/order-commands';
import { QuoteAcceptance } from './quotes/accept-quote';
import { OrderImports } from './orders/order-imports';
import { CaseSatisfactionCommands } from './episodes/case-satisfaction-commands';
import { ReturnRepairCommands } from './returns/return-repair-commands';
import { OrderListEntry } from '@crm/relationship-read-models';
import { SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';

export const READ_MODELS = Symbol('READ_MODELS');
/** The `PartnerAccess` partner writes are checked with (a service may provide its own: `partnerAccess`). */
export const PARTNER_ACCESS = Symbol('PARTNER_ACCESS');
/**
 * The write side every command of a service appends through: contract-checked (nothing a consumer
 * could not apply is stored) and personal fields sealed with their subject's key. Exported so a
 * service's own aggregates (calls, agents, service levels) share this one store, not copies of it.
 */
export const WRITE_STORE = Symbol('WRITE_STORE');
const COMMAND_SETTINGS = Symbol('COMMAND_SETTINGS');

export interface RelationshipApiOptions {
  /** The service name: names its read model schema and its projections' consumer groups. */
  service: string;
  controllers?: Type<unknown>[];
  projections?: Projection[];
  /** The versioned migrations of the service's read-model schema (`services/<service>/src/migrations`), run in distributed mode. */
  migrations?: readonly ReadModelMigration[];
  /**
   * Who may a partner act for: a provider of this module (listed in `providers`) used instead of
   * reading the partner aggregate alone. The partner portal's `PartnerScope` also refuses revoked
   * credentials and customers its read models do not show yet.
   */
  partnerAccess?: Type<PartnerAccess>;
  /** Further providers that need this module's commands or read models; exported with them. */
  providers?: Type<unknown>[];
  /** Re-runs of a command that met a concurrent writer (never when the client sent If-Match). Default 2. */
  retries?: number;
}

/** Lag is counted by reading the events after the checkpoint: at most this many per look. */
const PROJECTION_LAG_CAP = 10_000;

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
    // Embedded: the store's events each projection has not applied yet (see ReadModelRunners.lag).
    // One look per scrape for every projection, kept a second (a scrape per app of the host).
    let look: { at: number; lag: Promise<Record<string, number> | undefined> } | undefined;
    const lag = () => {
      // A store that does not answer leaves the gauge empty rather than failing the whole scrape.
      if (!look || Date.now() - look.at > 1000) look = { at: Date.now(), lag: readModels.lag(PROJECTION_LAG_CAP).catch(() => undefined) };
      return look.lag;
    };
    new Gauge({
      name: 'crm_projection_lag_events',
      help: `Events of the store a read model following it has not applied yet (store head − its checkpoint; counted up to ${PROJECTION_LAG_CAP}), by projection`,
      labelNames: ['projection'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const [projection, events] of Object.entries((await lag()) ?? {})) this.set({ projection }, events);
      },
    });
    // Distributed: the consumer group's lag on Kafka, two admin requests kept a few seconds.
    let busLook: { at: number; lag: Promise<{ group: string; messages: number } | undefined> } | undefined;
    new Gauge({
      name: 'crm_kafka_consumer_lag',
      help: 'Messages of the integration topic the consumer group of these read models has not committed yet (high watermark − committed offset, summed over partitions), by group',
      labelNames: ['group'],
      registers: [metrics.registry],
      async collect() {
        if (!busLook || Date.now() - busLook.at > 5000) busLook = { at: Date.now(), lag: readModels.busLag().catch(() => undefined) };
        const lag = await busLook.lag;
        this.reset();
        if (lag) this.set({ group: lag.group }, lag.messages);
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
      // Commands write through the contract check: nothing a consumer could not apply is stored.
      // and personal fields are sealed with their subject's key after that check, before they are stored.
      {
        provide: WRITE_STORE,
        inject: [PLATFORM],
        useFactory: (platform: Platform) => contractCheckedStore(withPersonalData(platform.eventStore, platform.personalData, platform.sql), crmRegistry()),
      },
      {
        provide: COMMAND_SETTINGS,
        inject: [CLOCK, PLATFORM],
        useFactory: (clock: Clock, platform: Platform): CommandSettings => ({
          clock,
          retries: options.retries ?? 2,
          erasure: { erase: (subjects) => platform.personalData.erase(platform.sql, subjects) },
        }),
      },
      {
        provide: CustomerCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new CustomerCommands(store, s),
      },
      {
        provide: PartnerCommands,
        inject: [WRITE_STORE, CustomerCommands, COMMAND_SETTINGS],
        useFactory: (store: EventStore, c: CustomerCommands, s: CommandSettings) => new PartnerCommands(store, c, s),
      },
      options.partnerAccess
        ? { provide: PARTNER_ACCESS, useExisting: options.partnerAccess }
        : {
            provide: PARTNER_ACCESS,
            inject: [PartnerCommands, COMMAND_SETTINGS],
            useFactory: (p: PartnerCommands, s: CommandSettings) => new AggregatePartnerAccess(p, s.clock),
          },
      {
        provide: EpisodeCommands,
        inject: [WRITE_STORE, CustomerCommands, PARTNER_ACCESS, COMMAND_SETTINGS],
        useFactory: (store: EventStore, c: CustomerCommands, access: PartnerAccess, s: CommandSettings) => new EpisodeCommands(store, c, access, s),
      },
      {
        provide: LeadCommands,
        inject: [WRITE_STORE, CustomerCommands, EpisodeCommands, COMMAND_SETTINGS, READ_MODELS],
        useFactory: (store: EventStore, c: CustomerCommands, e: EpisodeCommands, s: CommandSettings, readModels: ReadModelRunners) =>
          // A round robin continues from the leads its rule assigned (the leads list; none where a service keeps no such list).
          new LeadCommands(store, c, e, s, new RoundRobinTurns((ruleId) => leadsAssignedByRule(readModels.dataSource.manager, ruleId))),
      },
      {
        provide: LeadFormCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new LeadFormCommands(store, s),
      },
      // Product catalogue and quotes (issue 10 §3–4): a quote without a named price book takes the one
      // the catalogue read model finds valid on its date (then loaded from the store).
      {
        provide: CatalogueCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new CatalogueCommands(store, s),
      },
      {
        provide: QuoteCommands,
        inject: [WRITE_STORE, CatalogueCommands, EpisodeCommands, COMMAND_SETTINGS, READ_MODELS],
        useFactory: (store: EventStore, catalogue: CatalogueCommands, e: EpisodeCommands, s: CommandSettings, readModels: ReadModelRunners) =>
          new QuoteCommands(store, catalogue, e, (currency, day) => findValidPriceBook(readModels.dataSource.manager, currency, day), s),
      },
      {
        provide: ActivityCommands,
        inject: [WRITE_STORE, CustomerCommands, EpisodeCommands, COMMAND_SETTINGS],
        useFactory: (store: EventStore, c: CustomerCommands, e: EpisodeCommands, s: CommandSettings) => new ActivityCommands(store, c, e, s),
      },
      {
        provide: CalendarFeedCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new CalendarFeedCommands(store, s),
      },
      {
        provide: PipelineCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new PipelineCommands(store, s),
      },
      {
        provide: ExchangeRateCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new ExchangeRateCommands(store, s),
      },
      {
        provide: SalesTargetCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new SalesTargetCommands(store, s),
      },
      // Accepting a quote places its order (issue 10 §4–5).
      { provide: QuoteAcceptance, inject: [QuoteCommands, OrderCommands], useFactory: (q: QuoteCommands, o: OrderCommands) => new QuoteAcceptance(q, o) },
      {
        provide: OrderCommands,
        inject: [WRITE_STORE, CustomerCommands, EpisodeCommands, COMMAND_SETTINGS],
        useFactory: (store: EventStore, c: CustomerCommands, e: EpisodeCommands, s: CommandSettings) => new OrderCommands(store, c, e, s),
      },
      {
        provide: OrderImports,
        inject: [WRITE_STORE, CustomerCommands, OrderCommands, COMMAND_SETTINGS],
        useFactory: (store: EventStore, c: CustomerCommands, o: OrderCommands, s: CommandSettings) => new OrderImports(store, c, o, s),
      },
      // the satisfaction survey of resolved cases (issue 12 §6)
      {
        provide: CaseSatisfactionCommands,
        inject: [WRITE_STORE, COMMAND_SETTINGS],
        useFactory: (store: EventStore, s: CommandSettings) => new CaseSatisfactionCommands(store, s),
      },
      // Cases people work (issue 12 §1).
      { provide: CaseCommands, inject: [WRITE_STORE, COMMAND_SETTINGS], useFactory: (store: EventStore, s: CommandSettings) => new CaseCommands(store, s) },
      // Returns and repairs, the service department's side (issue 12 §5): the customer's orders are found
      // in the orders list where the service keeps one (none elsewhere: only a named order is judged).
      {
        provide: ReturnRepairCommands,
        inject: [WRITE_STORE, OrderCommands, PartnerCommands, COMMAND_SETTINGS, READ_MODELS, SERVICE_CONFIG],
        useFactory: (store: EventStore, o: OrderCommands, p: PartnerCommands, s: CommandSettings, readModels: ReadModelRunners, config: ServiceConfig) =>
          new ReturnRepairCommands(
            store,
            o,
            p,
            async (customerId) =>
              readModels.dataSource.hasMetadata(OrderListEntry)
                ? (await readModels.dataSource.manager.getRepository(OrderListEntry).find({ where: { customerId }, select: { orderId: true } })).map(
                    (r) => r.orderId,
                  )
                : [],
            { ...s, warrantyMonths: config.CRM_WARRANTY_MONTHS },
          ),
      },
      ...(options.providers ?? []),
      {
        provide: READ_MODELS,
        inject: [PLATFORM],
        useFactory: (platform: Platform) => ReadModelRunners.start(platform, options.service, options.projections ?? [], options.migrations ?? []),
      },
      ReadModelsLifecycle,
      // Reads the customer's own stream (asOf, changes), personal fields revealed: not the write store.
      {
        provide: CustomerHistory,
        inject: [PLATFORM],
        useFactory: (platform: Platform) => new CustomerHistory(withPersonalData(platform.eventStore, platform.personalData, platform.sql)),
      },
    ];
    return {
      module: RelationshipApiModule,
      controllers: options.controllers ?? [],
      providers,
      exports: [
        WRITE_STORE,
        CustomerCommands,
        EpisodeCommands,
        PartnerCommands,
        LeadCommands,
        LeadFormCommands,
        PARTNER_ACCESS,
        READ_MODELS,
        ...(options.providers ?? []),
        // product catalogue and quotes (issue 10 §3–4)
        CatalogueCommands,
        QuoteCommands,
        QuoteAcceptance,
        ActivityCommands,
        CalendarFeedCommands,
        PipelineCommands,
        CaseCommands,
        ExchangeRateCommands,
        SalesTargetCommands,
        OrderCommands,
        OrderImports,
        CaseSatisfactionCommands,
        ReturnRepairCommands,
      ],
    };
  }
}
