import { Inject, Injectable } from '@nestjs/common';
import { explain, predictProbability, type LogisticModel, type Reason } from '@crm/customer-propensity';
import { probabilityAlive } from '@crm/customer-value';
import { DomainRuleViolation, type Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, mergedCustomerIds, resolveCustomerId } from '@crm/relationship-read-models';
import { badCursor, CLOCK, HttpProblem } from '@crm/service-kit';
import { CHURN_FEATURE_LABELS, churnFeatures } from '../churn-features';
import { loadCustomerFacts } from '../customer-facts';
import { ChurnModelRecord } from '../propensity-facts.entities';
import { CustomerValuations } from '../../value/customer-valuations';
import { churnModelView, type ChurnModelView } from './churn-model.view';

export interface ChurnRiskView {
  customerId: string;
  modelVersion: number;
  /** Features as of this instant (the clock's now). */
  asOf: string;
  /** The model's window: the probability is of placing no order in the next horizonDays. */
  horizonDays: number;
  /** null for a customer who never bought: churn is defined only for customers who bought. */
  probability: number | null;
  reasons: Reason[];
  /**
   * Beside it, P(alive) from BG/NBD (the lifetime value model, fitted on the purchase occasions up to
   * today): the probability the customer is still a customer at all, not just buying in the window.
   * null for a customer without purchases or when BG/NBD cannot be fitted (too few repeat customers).
   */
  pAlive: number | null;
}

export interface AtRiskPage {
  modelVersion: number;
  asOf: string;
  items: { customerId: string; probability: number; reasons: Reason[]; pAlive: number | null }[];
  nextCursor?: string;
}

const TOP_REASONS = 3;

/** Answered while no model exists: 409, the caller must train one first. */
export function notTrained(): HttpProblem {
  return new HttpProblem(409, 'no churn model has been trained yet: POST /models/churn/train first', {
    type: 'urn:crm:problem:model-not-trained',
    extensions: { code: 'model-not-trained' },
  });
}

/** The latest churn model, and scores by it as of now. */
@Injectable()
export class ChurnRiskQueries {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly valuations: CustomerValuations,
  ) {}

  /**
   * P(alive) by customer from the BG/NBD fit of `day` (YYYY-MM-DD, UTC; today by default), cached by
   * the valuations per history; none when it cannot be fitted.
   */
  private async pAlive(day = this.valuations.today()): Promise<(customerId: string) => number | null> {
    try {
      const model = await this.valuations.model(day, this.valuations.unit);
      return (customerId) => {
        const summary = model.summaries.get(customerId);
        return summary ? probabilityAlive(model.bgnbd, summary) : null;
      };
    } catch (error) {
      // Too little purchase history to fit the models: no P(alive) to show beside the score.
      if (error instanceof DomainRuleViolation && error.code === 'clv-needs-purchase-history') return () => null;
      throw error;
    }
  }

  /** The latest churn model version, or null before the first training. */
  async latest(): Promise<ChurnModelRecord | null> {
    const [latest] = await this.readModels.dataSource.manager.getRepository(ChurnModelRecord).find({ order: { version: 'DESC' }, take: 1 });
    return latest ?? null;
  }

  async model(): Promise<ChurnModelView> {
    const latest = await this.latest();
    if (!latest) throw new NotFoundError('no churn model has been trained yet: POST /models/churn/train');
    return churnModelView(latest);
  }

  /**
   * The customer's risk by the latest model, from the facts dated up to `asOf` (now when omitted or
   * later): the customer as they stood then, read by today's model, with P(alive) from the BG/NBD
   * fit of that day. Merges are today's: the survivor's history includes its duplicates'.
   */
  async riskOf(customerId: string, asOf?: Date): Promise<ChurnRiskView> {
    const manager = this.readModels.dataSource.manager;
    const survivor = await resolveCustomerId(manager, customerId);
    const ids = await mergedCustomerIds(manager, survivor);
    const current = this.clock.now();
    const now = asOf && asOf < current ? asOf : current;
    const facts = (await loadCustomerFacts(manager, { until: now, customerIds: ids })).get(survivor);
    if (!facts && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    const record = await this.latest();
    if (!record) throw notTrained();
    const model = record.model as unknown as LogisticModel;
    const x = facts ? churnFeatures(facts, now) : null;
    return {
      customerId: survivor,
      modelVersion: record.version,
      asOf: now.toISOString(),
      horizonDays: Number(record.parameters.windowDays),
      probability: x ? predictProbability(model, x) : null,
      reasons: x ? explain(model, x, TOP_REASONS, CHURN_FEATURE_LABELS) : [],
      pAlive: x ? (await this.pAlive(now.toISOString().slice(0, 10)))(survivor) : null,
    };
  }

  /** Customers who bought, most likely to churn first (ties by id), paged by a cursor after the last one shown. */
  async atRisk(limit: number, cursor?: string): Promise<AtRiskPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const record = await this.latest();
    if (!record) throw notTrained();
    if (after && after.version !== record.version) throw badCursor('cursor belongs to an older model version: start again without it');
    const model = record.model as unknown as LogisticModel;
    // Every page scores as of the first page's instant: the order cannot shift under the cursor as time passes.
    const now = after ? new Date(after.asOf) : this.clock.now();
    const facts = await loadCustomerFacts(this.readModels.dataSource.manager, { until: now });
    const scored: { customerId: string; probability: number; x: number[] }[] = [];
    for (const f of facts.values()) {
      const x = churnFeatures(f, now);
      if (x) scored.push({ customerId: f.customerId, probability: predictProbability(model, x), x });
    }
    scored.sort((a, b) => b.probability - a.probability || a.customerId.localeCompare(b.customerId));
    const rest = after
      ? scored.filter((s) => s.probability < after.probability || (s.probability === after.probability && s.customerId > after.customerId))
      : scored;
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    const pAlive = await this.pAlive();
    return {
      modelVersion: record.version,
      asOf: now.toISOString(),
      items: page.map((s) => ({
        customerId: s.customerId,
        probability: s.probability,
        reasons: explain(model, s.x, TOP_REASONS, CHURN_FEATURE_LABELS),
        pAlive: pAlive(s.customerId),
      })),
      ...(rest.length > limit &&
        last && { nextCursor: encodeCursor({ version: record.version, asOf: now.getTime(), probability: last.probability, customerId: last.customerId }) }),
    };
  }
}

interface AtRiskCursor {
  version: number;
  /** The instant the list is scored as of (ms since the epoch). */
  asOf: number;
  probability: number;
  customerId: string;
}

function encodeCursor(c: AtRiskCursor): string {
  return Buffer.from(JSON.stringify([c.version, c.asOf, c.probability, c.customerId])).toString('base64url');
}

function decodeCursor(cursor: string): AtRiskCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('cursor is not one this list gave out');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    !Number.isInteger(parsed[0]) ||
    !Number.isSafeInteger(parsed[1]) ||
    Number.isNaN(new Date(parsed[1] as number).getTime()) ||
    typeof parsed[2] !== 'number' ||
    !Number.isFinite(parsed[2]) ||
    typeof parsed[3] !== 'string'
  )
    throw badCursor('cursor is not one this list gave out');
  return { version: parsed[0] as number, asOf: parsed[1] as number, probability: parsed[2] as number, customerId: parsed[3] };
}
