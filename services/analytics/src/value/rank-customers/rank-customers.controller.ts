import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, badCursor, RequireKind } from '@crm/service-kit';
import { CustomerValuations, type RankedCustomer } from '../customer-valuations';
import { AtRiskQueryDto, type RankBy, RankingQueryDto } from '../value.dto';

export interface RankingPage {
  by: RankBy | 'historicValue';
  reportingCurrency: string;
  model: { calibrationEnd: string; unit: 'day' | 'week'; fittedAt: string };
  items: RankedCustomer[];
  nextCursor: string | null;
}

const itemSchema = {
  type: 'object',
  properties: {
    customerId: { type: 'string', format: 'uuid' },
    rank: { type: 'integer', description: 'By CLV (1 = the most valuable)' },
    tier: { type: 'string', enum: ['platinum', 'gold', 'silver', 'bronze'] },
    clv: { type: 'integer', description: 'Minor units of the reporting currency, default horizon, rate and margin' },
    expectedPurchases: { type: 'number' },
    expectedSpend: { type: 'integer' },
    pAlive: { type: 'number' },
    purchaseOccasions: { type: 'integer' },
    historicValue: { type: 'integer', description: 'Everything bought so far, minor units' },
  },
};
const pageSchema = {
  type: 'object',
  properties: {
    by: { type: 'string' },
    reportingCurrency: { type: 'string' },
    model: {
      type: 'object',
      properties: { calibrationEnd: { type: 'string', format: 'date' }, unit: { type: 'string' }, fittedAt: { type: 'string', format: 'date-time' } },
    },
    items: { type: 'array', items: itemSchema },
    nextCursor: { type: 'string', nullable: true },
  },
};
const exampleItem = {
  customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
  rank: 1,
  tier: 'platinum',
  clv: 1_250_000,
  expectedPurchases: 6.2,
  expectedSpend: 201_000,
  pAlive: 0.97,
  purchaseOccasions: 14,
  historicValue: 2_830_000,
};
const exampleModel = { calibrationEnd: '2026-11-26', unit: 'week', fittedAt: '2026-11-26T13:00:00.000Z' };

/**
 * Keyset cursors over a valuation's ranking: the value and customer id of the last item given, so a
 * page follows on even when a new valuation has moved customers (no one is given twice).
 */
function encodeCursor(by: string, item: RankedCustomer, value: number): string {
  return Buffer.from(JSON.stringify([by, value, item.customerId])).toString('base64url');
}
function decodeCursor(cursor: string, by: string): { value: number; customerId: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('cursor is not one this list gave out');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== by || typeof parsed[1] !== 'number' || typeof parsed[2] !== 'string') {
    throw badCursor('cursor is not one this list gave out (or was given for another `by`)');
  }
  return { value: parsed[1], customerId: parsed[2] };
}

/** Highest value first, ties by customer id; the page after `cursor`. */
function page(all: readonly RankedCustomer[], by: RankBy, valueOf: (c: RankedCustomer) => number, q: { cursor?: string; limit?: number }) {
  const sorted = [...all].sort((p, r) => valueOf(r) - valueOf(p) || (p.customerId < r.customerId ? -1 : p.customerId > r.customerId ? 1 : 0));
  const after = q.cursor ? decodeCursor(q.cursor, by) : undefined;
  const start = after ? sorted.filter((c) => valueOf(c) > after.value || (valueOf(c) === after.value && c.customerId <= after.customerId)).length : 0;
  const limit = q.limit ?? 50;
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  return { items, nextCursor: start + limit < sorted.length && last ? encodeCursor(by, last, valueOf(last)) : null };
}

/** The most valuable customers and the valuable ones at risk, from the current valuation. */
@ApiTags('lifetime value')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class RankCustomersController {
  constructor(private readonly valuations: CustomerValuations) {}

  @Get('ranking')
  @ApiOperation({
    summary: 'The most valuable customers',
    description:
      'Every customer with a purchase, from the current valuation (models fitted on the history up to today), highest first by `by` (default clv over the default horizon, rate and margin), ties by customer id; each with its value tier.',
  })
  @ApiOkResponse({
    description: 'One page; `nextCursor` for the next',
    schema: pageSchema,
    example: { by: 'clv', reportingCurrency: 'EUR', model: exampleModel, items: [exampleItem], nextCursor: null },
  })
  @ApiProblem(400, 'A query value or cursor that is not valid (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'by', message: 'by must be one of clv, expectedPurchases, expectedSpend, pAlive, historicValue' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(422, 'Not enough purchase history to fit the models', { code: 'clv-needs-purchase-history' })
  async ranking(@Query() q: RankingQueryDto): Promise<RankingPage> {
    const by = q.by ?? 'clv';
    const valuation = await this.valuations.valuation();
    const { model } = valuation;
    return {
      by,
      reportingCurrency: model.reportingCurrency,
      model: { calibrationEnd: model.calibrationEnd, unit: model.unit, fittedAt: model.fittedAt },
      ...page(valuation.ranked, by, (c) => c[by], q),
    };
  }

  @Get('at-risk')
  @ApiOperation({
    summary: 'Valuable customers who are probably lost',
    description:
      'Repeat customers whose P(alive) is below `maxPAlive` (default 0.5), most valuable so far first (`historicValue`: everything they bought, in the reporting currency), from the current valuation. A customer with one purchase is not listed: the BG/NBD model cannot tell it has left (P(alive) = 1).',
  })
  @ApiOkResponse({
    description: 'One page; `nextCursor` for the next',
    schema: pageSchema,
    example: {
      by: 'historicValue',
      reportingCurrency: 'EUR',
      model: exampleModel,
      items: [{ ...exampleItem, rank: 420, tier: 'bronze', clv: 3_100, pAlive: 0.12 }],
      nextCursor: null,
    },
  })
  @ApiProblem(400, 'A query value or cursor that is not valid (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'maxPAlive', message: 'maxPAlive must be a number from 0 to 1' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(422, 'Not enough purchase history to fit the models', { code: 'clv-needs-purchase-history' })
  async atRisk(@Query() q: AtRiskQueryDto): Promise<RankingPage> {
    const maxPAlive = q.maxPAlive ?? 0.5;
    const valuation = await this.valuations.valuation();
    const { model } = valuation;
    const atRisk = valuation.ranked.filter((c) => c.purchaseOccasions > 1 && c.pAlive < maxPAlive);
    return {
      by: 'historicValue',
      reportingCurrency: model.reportingCurrency,
      model: { calibrationEnd: model.calibrationEnd, unit: model.unit, fittedAt: model.fittedAt },
      ...page(atRisk, 'historicValue', (c) => c.historicValue, q),
    };
  }
}
