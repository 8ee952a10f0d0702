import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CustomerIdParam } from '@crm/relationship-api';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { CrossSellRulesQueryDto, NextBestOffersQueryDto } from './cross-sell.dto';
import { CrossSellQueries, type NextBestOffersView, type RulesPage } from './cross-sell.query';

const PRODUCT_SCHEMA = { type: 'object', properties: { productId: { type: 'string' }, productName: { type: 'string', nullable: true } } };
const RULE_SCHEMA = {
  type: 'object',
  properties: {
    antecedent: PRODUCT_SCHEMA,
    consequent: PRODUCT_SCHEMA,
    orders: { type: 'integer', description: 'Orders holding both products' },
    support: { type: 'number', description: 'orders / all orders' },
    confidence: { type: 'number', description: 'P(consequent | antecedent)' },
    lift: { type: 'number', description: 'confidence / P(consequent); > 1: buying the antecedent makes the consequent likelier' },
  },
};
const RULE_EXAMPLE = {
  antecedent: { productId: 'van-l2', productName: 'Panel van L2' },
  consequent: { productId: 'service-3y', productName: '3-year service plan' },
  orders: 42,
  support: 0.035,
  confidence: 0.61,
  lift: 4.2,
};

/** Cross-sell and up-sell from the order lines: association rules, and next best offers per customer. */
@ApiTags('cross-sell')
@ApiBearerAuth()
@RequireKind('staff')
@ApiProblem(401, 'No or an invalid bearer token')
@ApiProblem(403, 'Not staff (a partner token)')
@Controller()
export class CrossSellController {
  constructor(private readonly queries: CrossSellQueries) {}

  @Get('cross-sell/rules')
  @ApiOperation({
    summary: 'Product association rules A → B over all orders not cancelled: support, confidence, lift; best (confidence, then lift) first',
    description: `Pairs of products, both directions; a rule rests on at least 2 orders. Page with nextCursor, keeping minSupport and minConfidence.`,
  })
  @ApiOkResponse({
    description: 'One page of rules',
    schema: {
      type: 'object',
      properties: { baskets: { type: 'integer' }, items: { type: 'array', items: RULE_SCHEMA }, nextCursor: { type: 'string' } },
      example: { baskets: 1200, items: [RULE_EXAMPLE], nextCursor: 'WzAuNjEsNC4yLDAuMDM1LCJ2YW4tbDIiLCJzZXJ2aWNlLTN5Il0' },
    },
  })
  @ApiProblem(400, 'minSupport or minConfidence outside 0–1, a bad limit or cursor (`errors` names it)', {
    errors: [{ field: 'minSupport', message: 'minSupport must not be greater than 1' }],
  })
  rules(@Query() q: CrossSellRulesQueryDto): Promise<RulesPage> {
    return this.queries.rules({ minSupport: q.minSupport ?? 0.01, minConfidence: q.minConfidence ?? 0, limit: q.limit ?? 50, cursor: q.cursor });
  }

  @Get('customers/:id/next-best-offers')
  @ApiOperation({
    summary: 'Products to offer the customer: suggested by rules (lift > 1) from what it bought, never what it owns, each with the rule',
    description: 'Score = the rule’s confidence. Rules of at least 1% support and 2 orders.',
  })
  @ApiOkResponse({
    description: 'Best offer first',
    schema: {
      type: 'object',
      properties: {
        customerId: { type: 'string', format: 'uuid' },
        owned: { type: 'array', items: { type: 'string' } },
        offers: {
          type: 'array',
          items: {
            type: 'object',
            properties: { productId: { type: 'string' }, productName: { type: 'string', nullable: true }, score: { type: 'number' }, rule: RULE_SCHEMA },
          },
        },
      },
      example: {
        customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
        owned: ['van-l2'],
        offers: [{ productId: 'service-3y', productName: '3-year service plan', score: 0.61, rule: RULE_EXAMPLE }],
      },
    },
  })
  @ApiProblem(400, 'The id is not a UUID, or a bad limit (`errors` names it)', { errors: [{ field: 'limit', message: 'limit must not be less than 1' }] })
  @ApiProblem(404, 'No such customer')
  nextBestOffers(@Param() { id }: CustomerIdParam, @Query() q: NextBestOffersQueryDto): Promise<NextBestOffersView> {
    return this.queries.nextBestOffers(id, q.limit ?? 5);
  }
}
