import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ValueTier } from '@crm/customer-value';
import { NotFoundError } from '@crm/kernel';
import { CustomerIdParam, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, resolveCustomerId } from '@crm/relationship-read-models';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { CustomerValuations } from '../customer-valuations';
import { CustomerValueQueryDto } from '../value.dto';

export interface CustomerValueView {
  customerId: string;
  reportingCurrency: string;
  horizonMonths: number;
  discountRate: number;
  margin: number;
  /** Purchase occasions so far (days with a purchase). */
  purchaseOccasions: number;
  /** null for a customer without purchases: the models start a customer's clock at its first purchase. */
  expectedPurchases: number | null;
  pAlive: number | null;
  /** Minor units of the reporting currency. */
  expectedSpend: number | null;
  clv: number | null;
  tier: ValueTier | null;
  /** Rank by CLV over the default horizon (1 = the most valuable), of `rankedCustomers`. */
  rank: number | null;
  rankedCustomers: number;
  model: { calibrationEnd: string; unit: 'day' | 'week'; fittedAt: string };
}

/** `GET /customers/{id}/value`: one customer's predicted purchases, P(alive), spend, CLV and value tier. */
@ApiTags('lifetime value')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class CustomerValueController {
  constructor(
    private readonly valuations: CustomerValuations,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Get(':id/value')
  @ApiOperation({
    summary: "A customer's lifetime value",
    description:
      'From the current valuation (the models fitted on the history up to today, in CRM_CLV_UNIT) or, with `asOf`, the valuation of that day (fitted on the purchases dated up to it; `model.calibrationEnd` says which): expected purchases in the next `horizon` months, P(alive), expected spend per purchase (Gamma-Gamma) and the CLV discounted monthly at `discountRate` with `margin`, money in integer minor units of the reporting currency. The tier and rank are by CLV over the default horizon, rate and margin (the settings), whatever the query asks. A merged customer answers as its survivor.',
  })
  @ApiOkResponse({
    description: 'The predictions (null ones for a customer without purchases)',
    schema: {
      type: 'object',
      properties: {
        customerId: { type: 'string', format: 'uuid' },
        reportingCurrency: { type: 'string' },
        horizonMonths: { type: 'integer' },
        discountRate: { type: 'number' },
        margin: { type: 'number' },
        purchaseOccasions: { type: 'integer' },
        expectedPurchases: { type: 'number', nullable: true },
        pAlive: { type: 'number', nullable: true },
        expectedSpend: { type: 'integer', nullable: true },
        clv: { type: 'integer', nullable: true },
        tier: { type: 'string', enum: ['platinum', 'gold', 'silver', 'bronze'], nullable: true },
        rank: { type: 'integer', nullable: true },
        rankedCustomers: { type: 'integer' },
        model: {
          type: 'object',
          properties: { calibrationEnd: { type: 'string', format: 'date' }, unit: { type: 'string' }, fittedAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
    example: {
      customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
      reportingCurrency: 'EUR',
      horizonMonths: 12,
      discountRate: 0.01,
      margin: 1,
      purchaseOccasions: 5,
      expectedPurchases: 2.73,
      pAlive: 0.91,
      expectedSpend: 4150,
      clv: 10718,
      tier: 'gold',
      rank: 31,
      rankedCustomers: 1250,
      model: { calibrationEnd: '2026-11-26', unit: 'week', fittedAt: '2026-11-26T13:00:00.000Z' },
    },
  })
  @ApiProblem(400, 'The id is not a UUID, or a query value is not valid (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'discountRate', message: 'discountRate must be a number from 0 to 1 (per month)' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No such customer')
  @ApiProblem(422, 'Not enough purchase history to fit the models (by `asOf`, when given)', { code: 'clv-needs-purchase-history' })
  async value(@Param() { id }: CustomerIdParam, @Query() q: CustomerValueQueryDto): Promise<CustomerValueView> {
    const manager = this.readModels.dataSource.manager;
    const customerId = await resolveCustomerId(manager, id);
    const valuation = q.asOf ? await this.valuations.valuationOn(new Date(q.asOf).toISOString().slice(0, 10)) : await this.valuations.valuation();
    const options = {
      horizonMonths: q.horizon ?? valuation.options.horizonMonths,
      discountRate: q.discountRate ?? valuation.options.discountRate,
      margin: q.margin ?? valuation.options.margin,
    };
    const { model } = valuation;
    const summary = model.summaries.get(customerId);
    if (!summary && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${id} not found`);
    const ranked = valuation.byCustomer.get(customerId);
    const prediction = summary ? this.valuations.predict(model, summary, options) : undefined;
    return {
      customerId,
      reportingCurrency: model.reportingCurrency,
      ...options,
      purchaseOccasions: prediction?.purchaseOccasions ?? 0,
      expectedPurchases: prediction?.expectedPurchases ?? null,
      pAlive: prediction?.pAlive ?? null,
      expectedSpend: prediction?.expectedSpend ?? null,
      clv: prediction?.clv ?? null,
      tier: ranked?.tier ?? null,
      rank: ranked?.rank ?? null,
      rankedCustomers: valuation.ranked.length,
      model: { calibrationEnd: model.calibrationEnd, unit: model.unit, fittedAt: model.fittedAt },
    };
  }
}
