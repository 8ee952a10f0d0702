import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, HttpProblem, ProblemTypes, RequireKind } from '@crm/service-kit';
import { KpisQueryDto } from './get-kpis.dto';
import { GetKpisHandler, type KpisView } from './get-kpis.query';

const invalid = (field: string, message: string) => new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field, message }] });
const MAX_SPAN_DAYS = 5 * 366;

const ATTAINMENTS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      met: { type: 'integer', description: 'SLA clocks met in time that ended (stopped) in the period' },
      breached: { type: 'integer', description: 'SLA clocks whose due time fell in the period unmet (stopped late or still running)' },
      attainment: { type: 'number', description: 'met / (met + breached)' },
    },
  },
};

const PERIOD_VALUE = {
  type: 'object',
  properties: {
    period: { type: 'string', example: '2026-02' },
    start: { type: 'string', format: 'date' },
    end: { type: 'string', format: 'date' },
    value: { type: 'number', nullable: true, description: 'null: nothing to measure in the period (or, for revenue, several currencies)' },
    change: { type: 'number', nullable: true, description: 'value − the previous period’s value' },
    basis: { type: 'integer', description: 'What the ratio or mean was taken over' },
    byCurrency: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Revenue: minor units per currency, never added across currencies' },
    changeByCurrency: { type: 'object', additionalProperties: { type: 'integer' } },
    byOwner: { type: 'object', additionalProperties: { type: 'integer' } },
    byMetric: { ...ATTAINMENTS, description: 'sla-attainment per metric (first-response, next-response, resolution)' },
    byTeam: { ...ATTAINMENTS, description: 'sla-attainment per team of the case ((none): no team)' },
    byTier: { ...ATTAINMENTS, description: "sla-attainment per customer value tier (the customer's tier when its case last changed)" },
  },
};

/** KPIs of the four perspectives for staff of every department (analytical CRM serves them all). */
@ApiTags('kpis')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('kpis')
export class KpisController {
  constructor(private readonly kpis: GetKpisHandler) {}

  @Get()
  @ApiOperation({
    summary:
      'KPIs per month or quarter in four perspectives (customer, financial, process, people), with the change against the previous period; as of any instant',
  })
  @ApiOkResponse({
    description: 'Every KPI of the brief: available ones with a value per period, the others with available: false and the reason',
    schema: {
      type: 'object',
      properties: {
        period: { type: 'string', enum: ['month', 'quarter'] },
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        asOf: { type: 'string', format: 'date-time' },
        source: { type: 'object', properties: { readModel: { type: 'string' }, version: { type: 'integer' } } },
        sources: {
          type: 'array',
          description: 'Every read model version the KPIs were computed from (the facts; the SLA clocks for sla-attainment)',
          items: { type: 'object', properties: { readModel: { type: 'string' }, version: { type: 'integer' } } },
        },
        kpis: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string', example: 'retention' },
              perspective: { type: 'string', enum: ['customer', 'financial', 'process', 'people'] },
              name: { type: 'string' },
              unit: { type: 'string', enum: ['ratio', 'minor-units', 'days', 'count', 'score'] },
              available: { type: 'boolean' },
              reason: { type: 'string', description: 'When not available: which source is missing' },
              periods: { type: 'array', items: PERIOD_VALUE },
            },
          },
        },
      },
    },
    example: {
      period: 'month',
      from: '2026-02-01',
      to: '2026-02-28',
      asOf: '2026-03-01T00:00:00.000Z',
      source: { readModel: 'analytics.kpi-facts', version: 2 },
      sources: [
        { readModel: 'analytics.kpi-facts', version: 2 },
        { readModel: 'analytics.sla-clocks', version: 1 },
      ],
      kpis: [
        {
          key: 'retention',
          perspective: 'customer',
          name: 'Customer retention',
          unit: 'ratio',
          available: true,
          periods: [{ period: '2026-02', start: '2026-02-01', end: '2026-02-28', value: 0.5, basis: 4, change: -0.25 }],
        },
        {
          key: 'revenue',
          perspective: 'financial',
          name: 'Revenue net of returns',
          unit: 'minor-units',
          available: true,
          periods: [
            {
              period: '2026-02',
              start: '2026-02-01',
              end: '2026-02-28',
              value: 1250000,
              basis: 7,
              byCurrency: { EUR: 1250000 },
              change: 50000,
              changeByCurrency: { EUR: 50000 },
            },
          ],
        },
        {
          key: 'sla-attainment',
          perspective: 'process',
          name: 'SLA attainment (share of SLA clocks ended in the period that were met in time)',
          unit: 'ratio',
          available: true,
          periods: [
            {
              period: '2026-02',
              start: '2026-02-01',
              end: '2026-02-28',
              value: 0.8,
              basis: 5,
              change: 0.05,
              byMetric: { 'first-response': { met: 2, breached: 0, attainment: 1 }, resolution: { met: 2, breached: 1, attainment: 0.6666666666666666 } },
              byTeam: { billing: { met: 4, breached: 1, attainment: 0.8 } },
              byTier: { gold: { met: 3, breached: 0, attainment: 1 }, bronze: { met: 1, breached: 1, attainment: 0.5 } },
            },
          ],
        },
        {
          key: 'share-of-wallet',
          perspective: 'customer',
          name: 'Share of wallet',
          available: false,
          reason: "needs the customer's total spend in the category (at us and at competitors), which no event records",
        },
      ],
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field (period, from, to, asOf)', {
    errors: [{ field: 'period', message: 'period must be one of the following values: month, quarter' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(503, 'The KPI facts or SLA clocks are served by a version this process does not know (older code running after a newer version was switched to)')
  async list(@Query() q: KpisQueryDto): Promise<KpisView> {
    if (q.to < q.from) throw invalid('to', 'to is before from');
    if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_SPAN_DAYS) throw invalid('to', 'KPIs cover at most 5 years');
    return this.kpis.handle({ period: q.period, from: q.from, to: q.to, asOf: q.asOf === undefined ? undefined : new Date(q.asOf) });
  }
}
