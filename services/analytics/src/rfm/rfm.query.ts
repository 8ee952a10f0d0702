import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, resolveCustomerId } from '@crm/relationship-read-models';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { loadPurchaseOccasions } from '../purchases/purchase-occasions';
import type { CustomerRfmView, RfmListView, RfmOfCustomerView } from './rfm.dto';
import { DEFAULT_RFM_PERIOD_DAYS, rfGrid, rfmInputs, scoreRfm, segmentCounts, type RfmScore, type RfmSegment } from './rfm-scoring';

/** A cursor this list did not give out. */
export class InvalidRfmCursorError extends Error {}

export interface RfmOptions {
  asOf?: Date;
  periodDays?: number;
}

interface Scored {
  asOf: Date;
  periodDays: number;
  reportingCurrency: string;
  scores: RfmScore[];
  unconverted: { orders: number; currencies: string[] };
}

/**
 * RFM over every customer who bought by `asOf` (quintiles need the whole population): the purchase
 * occasions in the reporting currency (one grouped query), scored by the pure rules of
 * rfm-scoring.ts. Time comes from the injected clock.
 */
@Injectable()
export class RfmQueries {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  private async scored(options: RfmOptions): Promise<Scored> {
    const asOf = options.asOf ?? this.clock.now();
    const periodDays = options.periodDays ?? DEFAULT_RFM_PERIOD_DAYS;
    const reportingCurrency = this.config.CRM_REPORTING_CURRENCY;
    const history = await loadPurchaseOccasions(this.readModels.dataSource.manager, { asOf, reportingCurrency });
    const scores = scoreRfm(rfmInputs(history.occasions, asOf.toISOString().slice(0, 10), periodDays));
    return { asOf, periodDays, reportingCurrency, scores, unconverted: history.unconverted };
  }

  /** One customer's scores against everyone's; a merged customer is scored as its survivor. 404 for an unknown customer. */
  async ofCustomer(customerId: string, options: RfmOptions): Promise<RfmOfCustomerView> {
    const manager = this.readModels.dataSource.manager;
    const survivor = await resolveCustomerId(manager, customerId, options.asOf);
    const s = await this.scored(options);
    const mine = s.scores.find((c) => c.customerId === survivor);
    if (!mine && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    return {
      customerId: survivor,
      asOf: s.asOf.toISOString(),
      periodDays: s.periodDays,
      reportingCurrency: s.reportingCurrency,
      customersScored: s.scores.length,
      rfm: mine ? view(mine) : null,
      unconverted: s.unconverted,
    };
  }

  /** Every scored customer by id, one page at a time, with the segment counts and the R × F grid over all of them. */
  async list(options: RfmOptions & { segment?: RfmSegment; limit: number; cursor?: string }): Promise<RfmListView> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const s = await this.scored(options);
    const chosen = s.scores.filter((c) => (options.segment === undefined || c.segment === options.segment) && (after === undefined || c.customerId > after));
    const page = chosen.slice(0, options.limit);
    return {
      asOf: s.asOf.toISOString(),
      periodDays: s.periodDays,
      reportingCurrency: s.reportingCurrency,
      customersScored: s.scores.length,
      segments: segmentCounts(s.scores),
      grid: rfGrid(s.scores),
      unconverted: s.unconverted,
      items: page.map(view),
      nextCursor: chosen.length > options.limit ? encodeCursor(page[page.length - 1].customerId) : null,
    };
  }
}

function view(s: RfmScore): CustomerRfmView {
  return {
    customerId: s.customerId,
    lastPurchaseDay: s.lastPurchaseDay,
    recencyDays: s.recencyDays,
    frequency: s.frequency,
    monetary: s.monetary,
    scores: { r: s.r, f: s.f, m: s.m },
    cell: s.cell,
    segment: s.segment,
  };
}

// The cursor is the last customer id of the page, tagged so a cursor of another list is refused.
const encodeCursor = (customerId: string) => Buffer.from(JSON.stringify(['rfm', customerId])).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value[0] === 'rfm' && typeof value[1] === 'string' && value[1] !== '') return value[1];
  } catch {
    // not JSON: refused below
  }
  throw new InvalidRfmCursorError('cursor is not one this list gave out');
}
