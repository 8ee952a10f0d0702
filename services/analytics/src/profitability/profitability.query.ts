import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CustomerDirectoryEntry, customerExists, mergedCustomerIds, resolveCustomerId } from '@crm/relationship-read-models';
import { CLOCK, HttpProblem, ProblemTypes, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { loadCustomerFacts, survivorsOf } from '../propensity/customer-facts';
import { customerProfit, segmentProfit, type CustomerProfit, type ProfitWindow, type SegmentProfit, type UnitCosts } from './profitability';
import type { ProfitabilityQueryDto, ProfitSegmentation } from './profitability.dto';

export interface ProfitabilityBasis {
  window: ProfitWindow;
  asOf: string;
  reportingCurrency: string;
  unitCosts: UnitCosts;
}

export type CustomerProfitabilityView = ProfitabilityBasis & CustomerProfit;

export interface SegmentProfitabilityView extends ProfitabilityBasis {
  groupBy: ProfitSegmentation;
  segments: SegmentProfit[];
}

const DAY_MS = 86_400_000;

/**
 * Customer and segment profitability (issue 11 §4) from the dated facts analytics keeps for its
 * propensity models (orders, episodes, purchase occasions in the reporting currency), as of an instant.
 */
@Injectable()
export class ProfitabilityQueries {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async ofCustomer(customerId: string, q: ProfitabilityQueryDto): Promise<CustomerProfitabilityView> {
    const manager = this.readModels.dataSource.manager;
    const basis = this.basis(q);
    const asOf = new Date(basis.asOf);
    const survivor = await resolveCustomerId(manager, customerId, asOf);
    if (!(await customerExists(manager, survivor)) && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    // A survivor's profit includes what the customers merged into it bought and cost.
    const ids = await mergedCustomerIds(manager, survivor, asOf);
    const facts = await loadCustomerFacts(manager, { until: asOf, customerIds: ids, survivors: await survivorsOf(manager, asOf) });
    const mine = facts.get(survivor) ?? { customerId: survivor, registeredAt: null, orders: [], episodes: [], interactions: [], spend: [] };
    return { ...basis, ...customerProfit(mine, basis.window, basis.unitCosts) };
  }

  async bySegment(q: ProfitabilityQueryDto & { groupBy?: ProfitSegmentation }): Promise<SegmentProfitabilityView> {
    const manager = this.readModels.dataSource.manager;
    const basis = this.basis(q);
    const asOf = new Date(basis.asOf);
    const groupBy = q.groupBy ?? 'journeyStage';
    const facts = await loadCustomerFacts(manager, { until: asOf, survivors: await survivorsOf(manager, asOf) });
    // The segment as the directory has it now (the stage and phase analytics derives, or a person set).
    const directory = manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
    const column = groupBy === 'journeyStage' ? 'journey_stage' : 'relationship_phase';
    const segments = new Map(
      ((await manager.query(`SELECT customer_id, ${column} AS segment FROM ${directory}`)) as { customer_id: string; segment: string }[]).map((r) => [
        r.customer_id,
        r.segment,
      ]),
    );
    const rows = [...facts.values()].map((f) => ({
      segment: segments.get(f.customerId) ?? 'unknown',
      profit: customerProfit(f, basis.window, basis.unitCosts),
    }));
    return { ...basis, groupBy, segments: segmentProfit(rows) };
  }

  private basis(q: ProfitabilityQueryDto): ProfitabilityBasis {
    const asOf = q.asOf === undefined ? this.clock.now() : new Date(q.asOf);
    const to = q.to ?? asOf.toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 364 * DAY_MS).toISOString().slice(0, 10);
    if (from > to) {
      const message = `from (${from}) is after to (${to})`;
      throw new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'from', message }] });
    }
    return {
      window: { from, to },
      asOf: asOf.toISOString(),
      reportingCurrency: this.config.CRM_REPORTING_CURRENCY,
      unitCosts: {
        goodsShare: q.goodsShare ?? this.config.CRM_COST_OF_GOODS_SHARE,
        caseCost: q.caseCost ?? this.config.CRM_COST_PER_CASE,
        touchCost: q.touchCost ?? this.config.CRM_COST_PER_CAMPAIGN_TOUCH,
      },
    };
  }
}
