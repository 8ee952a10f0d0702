import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { SalesForecastQueryDto } from './sales-forecast.dto';
import { SalesForecastHandler, type SalesForecastView } from './sales-forecast.query';

const PERIOD_AMOUNT = {
  type: 'object',
  properties: {
    period: { type: 'string', example: '2026-03' },
    start: { type: 'string', format: 'date' },
    end: { type: 'string', format: 'date' },
    amount: { type: 'integer', description: 'Minor units of the reporting currency' },
  },
};
const ERRORS = {
  type: 'object',
  nullable: true,
  properties: {
    mae: { type: 'number' },
    rmse: { type: 'number' },
    mape: { type: 'number', nullable: true, description: '0.1 = 10 %; over the periods whose actual is not zero' },
    smape: { type: 'number' },
    points: { type: 'integer' },
    initialWindow: { type: 'integer' },
  },
};

/** The sales forecast from order history, for staff of every department. */
@ApiTags('forecast')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('forecast')
export class SalesForecastController {
  constructor(private readonly forecasts: SalesForecastHandler) {}

  @Get('sales')
  @ApiOperation({
    summary: 'Net sales per month or week in one currency, a Holt–Winters model fitted to them, its forecast and its back-test error; as of any instant',
  })
  @ApiOkResponse({
    description: 'The history (complete periods), the chosen model, the forecast from the running period on, and the one-step rolling-origin back-test',
    schema: {
      type: 'object',
      properties: {
        period: { type: 'string', enum: ['month', 'week'] },
        reportingCurrency: { type: 'string' },
        asOf: { type: 'string', format: 'date-time' },
        horizon: { type: 'integer' },
        history: { type: 'array', items: PERIOD_AMOUNT },
        unconverted: {
          type: 'object',
          description: 'Orders without a rate of their currency on their day: left out of the history, never added raw',
          properties: { orders: { type: 'integer' }, currencies: { type: 'array', items: { type: 'string' } } },
        },
        model: {
          type: 'object',
          nullable: true,
          properties: {
            trend: { type: 'string', enum: ['additive', 'none'] },
            seasonality: { type: 'string', enum: ['additive', 'multiplicative', 'none'] },
            seasonLength: { type: 'integer' },
            alpha: { type: 'number' },
            beta: { type: 'number' },
            gamma: { type: 'number' },
            sse: { type: 'number' },
            candidates: {
              type: 'array',
              items: { type: 'object', properties: { trend: { type: 'string' }, seasonality: { type: 'string' }, aic: { type: 'number' } } },
            },
          },
        },
        forecast: { type: 'array', items: PERIOD_AMOUNT },
        backtest: ERRORS,
        reason: { type: 'string', description: 'Why there is no model, when there is none' },
      },
    },
    example: {
      period: 'month',
      reportingCurrency: 'EUR',
      asOf: '2026-03-01T00:00:00.000Z',
      horizon: 2,
      history: [
        { period: '2025-12', start: '2025-12-01', end: '2025-12-31', amount: 1200000 },
        { period: '2026-01', start: '2026-01-01', end: '2026-01-31', amount: 1350000 },
        { period: '2026-02', start: '2026-02-01', end: '2026-02-28', amount: 1410000 },
      ],
      unconverted: { orders: 0, currencies: [] },
      model: {
        trend: 'additive',
        seasonality: 'none',
        seasonLength: 12,
        alpha: 0.62,
        beta: 0.1,
        gamma: 0,
        sse: 1.2e9,
        candidates: [{ trend: 'additive', seasonality: 'none', aic: 62.1 }],
      },
      forecast: [
        { period: '2026-03', start: '2026-03-01', end: '2026-03-31', amount: 1490000 },
        { period: '2026-04', start: '2026-04-01', end: '2026-04-30', amount: 1560000 },
      ],
      backtest: { mae: 52000, rmse: 61000, mape: 0.04, smape: 0.041, points: 1, initialWindow: 2 },
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field (period, horizon, currency, asOf)', {
    errors: [{ field: 'horizon', message: 'horizon must not be greater than 104' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  sales(@Query() q: SalesForecastQueryDto): Promise<SalesForecastView> {
    return this.forecasts.handle({ period: q.period, currency: q.currency, horizon: q.horizon, asOf: q.asOf === undefined ? undefined : new Date(q.asOf) });
  }
}
