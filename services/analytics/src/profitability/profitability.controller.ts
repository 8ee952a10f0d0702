import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CustomerIdParam } from '@crm/relationship-api';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { ProfitabilityQueryDto, PROFIT_SEGMENTS, SegmentProfitabilityQueryDto } from './profitability.dto';
import { ProfitabilityQueries, type CustomerProfitabilityView, type SegmentProfitabilityView } from './profitability.query';

const money = { type: 'integer', description: 'Minor units of the reporting currency' };
const basis = {
  window: { type: 'object', properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' } } },
  asOf: { type: 'string', format: 'date-time' },
  reportingCurrency: { type: 'string' },
  unitCosts: { type: 'object', properties: { goodsShare: { type: 'number' }, caseCost: money, touchCost: money } },
};
const counted = { type: 'object', properties: { count: { type: 'integer' }, cost: money } };
const EXAMPLE_BASIS = {
  window: { from: '2026-01-01', to: '2026-12-31' },
  asOf: '2026-12-31T23:59:59.000Z',
  reportingCurrency: 'EUR',
  unitCosts: { goodsShare: 0.6, caseCost: 2500, touchCost: 50 },
};
const BAD_QUERY = { errors: [{ field: 'goodsShare', message: 'goodsShare must not be greater than 1' }] };

/**
 * Customer and segment profitability: revenue − cost of goods − cost to serve (cases, campaign
 * touches) over a window, at configurable unit costs, in the reporting currency (docs/analytics.md).
 */
@ApiTags('profitability')
@ApiBearerAuth()
@RequireKind('staff')
@Controller()
export class ProfitabilityController {
  constructor(private readonly queries: ProfitabilityQueries) {}

  @Get('customers/:id/profitability')
  @ApiOperation({ summary: "A customer's profit over a window: revenue, cost of goods, cost to serve; as of any instant" })
  @ApiOkResponse({
    description: 'The profit and its parts (a merged customer: its survivor, with what the customers merged into it bought and cost)',
    schema: {
      type: 'object',
      properties: {
        ...basis,
        customerId: { type: 'string', format: 'uuid' },
        revenue: money,
        purchaseOccasions: { type: 'integer' },
        costOfGoods: money,
        cases: counted,
        campaignTouches: counted,
        costToServe: money,
        profit: money,
      },
    },
    example: {
      ...EXAMPLE_BASIS,
      customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
      revenue: 15001,
      purchaseOccasions: 2,
      costOfGoods: 9001,
      cases: { count: 2, cost: 5000 },
      campaignTouches: { count: 1, cost: 50 },
      costToServe: 5050,
      profit: 950,
    },
  })
  @ApiProblem(400, 'A query value that is not valid, or an id that is not a UUID: errors name it', BAD_QUERY)
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No such customer')
  customer(@Param() { id }: CustomerIdParam, @Query() q: ProfitabilityQueryDto): Promise<CustomerProfitabilityView> {
    return this.queries.ofCustomer(id, q);
  }

  @Get('profitability')
  @ApiOperation({ summary: 'Profit per segment (journey stage or relationship phase) over a window, most profitable first; as of any instant' })
  @ApiOkResponse({
    description: 'Every segment with customers, their number, how many are unprofitable, and the sums',
    schema: {
      type: 'object',
      properties: {
        ...basis,
        groupBy: { type: 'string', enum: [...PROFIT_SEGMENTS] },
        segments: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              segment: { type: 'string' },
              customers: { type: 'integer' },
              unprofitable: { type: 'integer' },
              revenue: money,
              costOfGoods: money,
              costToServe: money,
              profit: money,
              profitPerCustomer: money,
            },
          },
        },
      },
    },
    example: {
      ...EXAMPLE_BASIS,
      groupBy: 'journeyStage',
      segments: [
        {
          segment: 'repeat-customer',
          customers: 40,
          unprofitable: 3,
          revenue: 1200000,
          costOfGoods: 720000,
          costToServe: 60000,
          profit: 420000,
          profitPerCustomer: 10500,
        },
        { segment: 'prospect', customers: 25, unprofitable: 25, revenue: 0, costOfGoods: 0, costToServe: 1250, profit: -1250, profitPerCustomer: -50 },
      ],
    },
  })
  @ApiProblem(400, 'A query value that is not valid: errors name it', BAD_QUERY)
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  segments(@Query() q: SegmentProfitabilityQueryDto): Promise<SegmentProfitabilityView> {
    return this.queries.bySegment(q);
  }
}
