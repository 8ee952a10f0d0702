import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  assignTiers,
  type BgNbdParams,
  conditionalExpectedPurchases,
  conditionalExpectedSpend,
  type CustomerSummary,
  customerLifetimeValue,
  fitBgNbd,
  fitGammaGamma,
  type GammaGammaParams,
  parseTierThresholds,
  probabilityAlive,
  summariseOccasions,
  type TierThresholds,
  type TimeUnit,
  UNIT_DAYS,
  type ValueTier,
} from '@crm/customer-value';
import { DomainRuleViolation, type Clock } from '@crm/kernel';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { loadPurchaseOccasions } from '../purchases/purchase-occasions';
import { ValueTierPublisher } from './value-tier-publisher';

/** A month in days (365.25 / 12): CLV horizons and discount rates are per month. */
export const MONTH_DAYS = 365.25 / 12;

/** The fitted models for one calibration end and unit over the purchase history as it is now. */
export interface ClvModel {
  bgnbd: BgNbdParams;
  gammaGamma: GammaGammaParams;
  logLikelihood: { bgnbd: number; gammaGamma: number };
  /** What the fit could not pin down: a model whose likelihood is highest at the edge of its parameter range. */
  warnings: string[];
  customers: number;
  repeaters: number;
  unit: TimeUnit;
  calibrationEnd: string;
  reportingCurrency: string;
  fittedAt: string;
  /** Occasions left out because their currency had no rate to the reporting currency. */
  unconverted: { orders: number; currencies: string[] };
  summaries: ReadonlyMap<string, CustomerSummary>;
}

export interface ValueOptions {
  horizonMonths: number;
  /** Per month. */
  discountRate: number;
  margin: number;
}

/** One customer's predictions, money in integer minor units of the reporting currency. */
export interface CustomerPrediction {
  customerId: string;
  purchaseOccasions: number;
  expectedPurchases: number;
  pAlive: number;
  expectedSpend: number;
  clv: number;
  /** Everything bought up to the calibration end (what an at-risk customer was worth). */
  historicValue: number;
}

export interface RankedCustomer extends CustomerPrediction {
  rank: number;
  tier: ValueTier;
}

/** Every customer valued with the default settings and ranked into tiers. */
export interface Valuation {
  model: ClvModel;
  options: ValueOptions;
  thresholds: TierThresholds;
  ranked: readonly RankedCustomer[];
  byCustomer: ReadonlyMap<string, RankedCustomer>;
  /** Tier changes recorded when this valuation was made. */
  tierChanges: number;
}

/** Fits kept per process (one per calibration end, unit and history); older ones are dropped first. */
const MAX_CACHED_FITS = 8;

/**
 * Lifetime value of analytics (issue 11 §2, §4): fits BG/NBD and Gamma-Gamma (`@crm/customer-value`)
 * on the purchase occasions in the reporting currency, caches each fit by its inputs (calibration end,
 * unit, currency and a digest of the summaries: new purchases make a new fit, the same history
 * answers from the cache), and values every customer for the tiers.
 *
 * The current valuation is the fit with calibration end = today (the injected clock) in
 * `CRM_CLV_UNIT`, each customer valued over `CRM_CLV_HORIZON_MONTHS` at `CRM_CLV_DISCOUNT_RATE` and
 * `CRM_CLV_MARGIN`, ranked into tiers by `CRM_VALUE_TIERS`. Each new valuation records the tiers
 * that changed (`CustomerValueTierChanged`) before it answers.
 */
@Injectable()
export class CustomerValuations {
  private readonly fits = new Map<string, Promise<ClvModel>>();
  private current: { model: ClvModel; valuation: Promise<Valuation> } | undefined;
  readonly defaults: ValueOptions;
  readonly unit: TimeUnit;
  readonly thresholds: TierThresholds;

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly publisher: ValueTierPublisher,
  ) {
    this.defaults = { horizonMonths: config.CRM_CLV_HORIZON_MONTHS, discountRate: config.CRM_CLV_DISCOUNT_RATE, margin: config.CRM_CLV_MARGIN };
    this.unit = config.CRM_CLV_UNIT;
    this.thresholds = parseTierThresholds(config.CRM_VALUE_TIERS);
  }

  /** Today, `YYYY-MM-DD` (UTC), by the injected clock. */
  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** The models fitted for `calibrationEnd` and `unit`, from the cache when the history has not changed. */
  async model(calibrationEnd: string, unit: TimeUnit): Promise<ClvModel> {
    const reportingCurrency = this.config.CRM_REPORTING_CURRENCY;
    const loaded = await loadPurchaseOccasions(this.readModels.dataSource.manager, { reportingCurrency });
    const summaries = summariseOccasions(loaded.occasions, calibrationEnd, unit);
    const key = `${calibrationEnd}|${unit}|${reportingCurrency}|${digest(summaries)}`;
    let fit = this.fits.get(key);
    if (!fit) {
      fit = Promise.resolve().then(() => this.fit(summaries, { calibrationEnd, unit, reportingCurrency, unconverted: loaded.unconverted }));
      this.fits.set(key, fit);
      // A failed fit is not cached: the next request tries again.
      fit.catch(() => this.fits.delete(key));
      while (this.fits.size > MAX_CACHED_FITS) this.fits.delete(this.fits.keys().next().value!);
    }
    return fit;
  }

  private fit(
    summaries: CustomerSummary[],
    inputs: { calibrationEnd: string; unit: TimeUnit; reportingCurrency: string; unconverted: ClvModel['unconverted'] },
  ): ClvModel {
    const repeaters = summaries.filter((s) => s.x > 0);
    // Two repeat customers is the least the spend model can be fitted on; far more are needed for stable estimates (docs/analytics.md).
    if (repeaters.length < 2) {
      throw new DomainRuleViolation(
        'clv-needs-purchase-history',
        `the lifetime value models need repeat customers: by ${inputs.calibrationEnd} there are ${summaries.length} customers with purchases, ${repeaters.length} of them with repeat purchases (at least 2 needed)`,
      );
    }
    const bg = fitBgNbd(summaries);
    const gg = fitGammaGamma(repeaters.map((s) => ({ x: s.x, m: s.monetary })));
    return {
      bgnbd: bg.params,
      gammaGamma: gg.params,
      logLikelihood: { bgnbd: bg.logLikelihood, gammaGamma: gg.logLikelihood },
      warnings: [
        ...(bg.atBoundary
          ? [
              `BG/NBD: the likelihood is highest at the edge of the parameter range (${summaries.length} customers, ${repeaters.length} repeat): the history is too small or too regular to pin the model down; its parameters stand for the limiting model (e.g. a, b large: one drop-out probability for everyone)`,
            ]
          : []),
        ...(gg.atBoundary
          ? [
              `Gamma-Gamma: the likelihood is highest at the edge of the parameter range (${repeaters.length} repeat customers): spend per purchase is too uniform or too scarce to pin the model down`,
            ]
          : []),
      ],
      customers: summaries.length,
      repeaters: repeaters.length,
      ...inputs,
      fittedAt: this.clock.now().toISOString(),
      summaries: new Map(summaries.map((s) => [s.customerId, s])),
    };
  }

  /** One customer's predictions from `model`, over `options`. */
  predict(model: ClvModel, summary: CustomerSummary, options: ValueOptions): CustomerPrediction {
    const periodLength = MONTH_DAYS / UNIT_DAYS[model.unit];
    // The spend model has no finite mean when q ≤ 1 (very heavy-tailed spend): then the customer's own mean is the best there is.
    const spend = model.gammaGamma.q > 1 ? conditionalExpectedSpend(model.gammaGamma, { x: summary.x, m: summary.monetary }) : summary.monetary;
    const clv = customerLifetimeValue(model.bgnbd, summary, spend, {
      periods: options.horizonMonths,
      periodLength,
      discountRate: options.discountRate,
      margin: options.margin,
    });
    return {
      customerId: summary.customerId,
      purchaseOccasions: summary.x + 1,
      expectedPurchases: conditionalExpectedPurchases(model.bgnbd, summary, options.horizonMonths * periodLength),
      pAlive: probabilityAlive(model.bgnbd, summary),
      expectedSpend: Math.round(spend),
      clv: Math.max(0, Math.round(clv)),
      historicValue: summary.totalAmount,
    };
  }

  /** The current valuation (see the class), recomputed when the history or the day has changed. */
  async valuation(): Promise<Valuation> {
    const model = await this.model(this.today(), this.unit);
    if (this.current?.model !== model) {
      const valuation = this.value(model);
      this.current = { model, valuation };
      valuation.catch(() => {
        if (this.current?.valuation === valuation) this.current = undefined;
      });
    }
    return this.current!.valuation;
  }

  /**
   * The valuation as it stood on `day` (`YYYY-MM-DD`, UTC): the models fitted on the purchases dated
   * up to that day, every customer ranked the same way. Today or later is the current valuation. A
   * past one records nothing: the tiers of the past are what it shows, not a change to publish.
   */
  async valuationOn(day: string): Promise<Valuation> {
    if (day >= this.today()) return this.valuation();
    return { ...this.rank(await this.model(day, this.unit)), tierChanges: 0 };
  }

  private async value(model: ClvModel): Promise<Valuation> {
    const valuation = this.rank(model);
    const tierChanges = await this.publisher.publish(valuation.ranked, model);
    return { ...valuation, tierChanges };
  }

  private rank(model: ClvModel): Omit<Valuation, 'tierChanges'> {
    const predictions = [...model.summaries.values()].map((s) => this.predict(model, s, this.defaults));
    const ranked = assignTiers(predictions, this.thresholds);
    return { model, options: this.defaults, thresholds: this.thresholds, ranked, byCustomer: new Map(ranked.map((r) => [r.customerId, r])) };
  }
}

/** A digest of the summaries a fit depends on: the same history gives the same digest. */
function digest(summaries: readonly CustomerSummary[]): string {
  const hash = createHash('sha256');
  for (const s of summaries) hash.update(`${s.customerId}|${s.x}|${s.tx}|${s.T}|${s.monetary}\n`);
  return hash.digest('base64url');
}
