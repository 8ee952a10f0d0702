import { Inject, Injectable } from '@nestjs/common';
import { crmRegistry } from '@crm/contracts';
import { churnRiskBand, churnRiskDecider, churnRiskStream, predictProbability, type ChurnRiskBand, type LogisticModel } from '@crm/customer-propensity';
import { CommandHandler } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { contractCheckedStore, metadataFor, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, PLATFORM } from '@crm/service-kit';
import { churnFeatures } from '../churn-features';
import { loadCustomerFacts } from '../customer-facts';
import { VALUATION_ACTOR } from '../../value/value-tier-publisher';
import { ChurnRiskQueries, notTrained } from './churn-risk.query';

/** Band changes appended concurrently (each is one customer's stream). */
const CONCURRENCY = 8;

export interface ChurnRiskAssessment {
  modelVersion: number;
  asOf: string;
  horizonDays: number;
  /** Customers who bought, scored by the model. */
  assessed: number;
  /** Of them, those whose band changed (one `CustomerChurnRiskChanged` each). */
  changed: number;
  bands: Record<ChurnRiskBand, number>;
}

/**
 * Scores every customer who bought with the latest churn model as of now and records
 * `CustomerChurnRiskChanged` for those whose band differs from the one on their stream
 * (`churnrisk-<id>`), through the command handler: the decider decides on the stream's state, so
 * assessing again with no band change appends nothing — also after a restart. The bands this process
 * has recorded are remembered, so a new assessment reads only the streams of customers whose band moved.
 */
@Injectable()
export class AssessChurnRiskHandler {
  private readonly handler: CommandHandler<
    { band: ChurnRiskBand | null },
    Parameters<typeof churnRiskDecider.decide>[0],
    ReturnType<typeof churnRiskDecider.decide>[number]
  >;
  private readonly known = new Map<string, ChurnRiskBand>();

  constructor(
    @Inject(PLATFORM) platform: Platform,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queries: ChurnRiskQueries,
  ) {
    this.handler = new CommandHandler(contractCheckedStore(platform.eventStore, crmRegistry()), churnRiskDecider, { retries: 2 });
  }

  async handle(): Promise<ChurnRiskAssessment> {
    const manager = this.readModels.dataSource.manager;
    const record = await this.queries.latest();
    if (!record) throw notTrained();
    const model = record.model as unknown as LogisticModel;
    const now = this.clock.now();
    const assessedAt = now.toISOString();
    const horizonDays = Number(record.parameters.windowDays);
    const scored: { customerId: string; probability: number; band: ChurnRiskBand }[] = [];
    for (const f of (await loadCustomerFacts(manager, { until: now })).values()) {
      const x = churnFeatures(f, now);
      if (!x) continue;
      const probability = predictProbability(model, x);
      scored.push({ customerId: f.customerId, probability, band: churnRiskBand(probability) });
    }
    scored.sort((a, b) => a.customerId.localeCompare(b.customerId));
    const bands: Record<ChurnRiskBand, number> = { low: 0, medium: 0, high: 0 };
    for (const s of scored) bands[s.band]++;
    const pending = scored.filter((s) => this.known.get(s.customerId) !== s.band);
    let changed = 0;
    for (let i = 0; i < pending.length; i += CONCURRENCY) {
      const batch = pending.slice(i, i + CONCURRENCY);
      const results = await Promise.all(
        batch.map((s) =>
          this.handler.handle(
            churnRiskStream(s.customerId),
            { type: 'AssessChurnRisk', data: { customerId: s.customerId, probability: s.probability, modelVersion: record.version, horizonDays, assessedAt } },
            // Like its value tier, a customer's churn risk is the company's: never shown to partners.
            metadataFor(VALUATION_ACTOR, this.clock, { departments: '*', partners: [] }),
          ),
        ),
      );
      results.forEach((result, k) => {
        changed += result.events.length;
        this.known.set(batch[k].customerId, batch[k].band);
      });
    }
    return { modelVersion: record.version, asOf: assessedAt, horizonDays, assessed: scored.length, changed, bands };
  }
}
