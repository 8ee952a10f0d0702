import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { allPipelines, buildForecast, DEFAULT_BEST_CASE_FROM, DEFAULT_COMMIT_FROM, pipelineOf } from '@crm/relationship';
import { ExchangeRateCommands, PipelineCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { forecastItems } from '@crm/relationship-read-models';
import { CLOCK, HttpProblem, ProblemTypes, RequireDepartment, RequireKind, ApiProblem } from '@crm/service-kit';
import { ForecastDto, ForecastQueryDto } from './forecast.dto';

const invalid = (field: string, message: string) => new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field, message }] });
const MAX_SPAN_DAYS = 5 * 366;

/**
 * `GET /forecast`: per month or quarter, the open pipeline, best case and commit (by the probability
 * in force against two thresholds) and what was won, converted to a reporting currency with the
 * exchange-rates table. `asOf` answers what it said then: the opportunities' versions in force at
 * that instant and the rates in force on its day as the table was recorded by then.
 */
@ApiTags('forecast')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management' })
@Controller('forecast')
export class ForecastController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly rates: ExchangeRateCommands,
    private readonly pipelines: PipelineCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The forecast per month or quarter: pipeline, best case, commit, closed — in one reporting currency; as of any instant' })
  @ApiOkResponse({
    type: ForecastDto,
    example: {
      asOf: '2026-03-01T09:00:00.000Z',
      currency: 'EUR',
      ratesOn: '2026-03-01',
      period: 'quarter',
      bestCaseFrom: 40,
      commitFrom: 70,
      rows: [
        {
          period: '2026-Q1',
          start: '2026-01-01',
          end: '2026-03-31',
          pipeline: { count: 3, amount: 1250000, weightedAmount: 700000 },
          bestCase: { count: 2, amount: 1000000, weightedAmount: 650000 },
          commit: { count: 1, amount: 500000, weightedAmount: 400000 },
          closed: { count: 1, amount: 480000 },
          unconverted: [],
        },
      ],
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field (period, from, to, currency, groupBy, asOf, bestCaseFrom, commitFrom…)', {
    errors: [{ field: 'currency', message: 'currency must be an ISO 4217 currency code' }],
  })
  async forecast(@Query() q: ForecastQueryDto): Promise<ForecastDto> {
    if (q.to < q.from) throw invalid('to', 'to is before from');
    if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_SPAN_DAYS) throw invalid('to', 'a forecast covers at most 5 years');
    const bestCaseFrom = q.bestCaseFrom === undefined ? DEFAULT_BEST_CASE_FROM : Number(q.bestCaseFrom);
    const commitFrom = q.commitFrom === undefined ? Math.max(DEFAULT_COMMIT_FROM, bestCaseFrom) : Number(q.commitFrom);
    if (commitFrom < bestCaseFrom) throw invalid('commitFrom', 'commitFrom is below bestCaseFrom');
    const asOf = q.asOf === undefined ? undefined : new Date(q.asOf);
    const at = asOf ?? this.clock.now();
    const ratesOn = at.toISOString().slice(0, 10);
    const [items, rates, pipelines] = await Promise.all([
      forecastItems(this.readModels.dataSource.manager, { asOf, from: q.from, to: q.to, pipelineId: q.pipelineId, owner: q.owner, team: q.team }),
      this.rates.table(asOf),
      q.groupBy === 'pipeline' ? (asOf ? this.pipelines.asOf(asOf) : this.pipelines.list().then((l) => new Map(l.map((p) => [p.pipelineId, p])))) : undefined,
    ]);
    const rows = buildForecast(items, {
      period: q.period,
      from: q.from,
      to: q.to,
      reportingCurrency: q.currency,
      groupBy: q.groupBy,
      rates,
      ratesDay: ratesOn,
      bestCaseFrom,
      commitFrom,
    });
    if (pipelines) {
      const order = allPipelines(pipelines).map((p) => p.pipelineId);
      const rank = (id: string | undefined) => (order.includes(id!) ? order.indexOf(id!) : order.length);
      rows.sort((a, b) => a.period.localeCompare(b.period) || rank(a.pipelineId) - rank(b.pipelineId));
    }
    return {
      asOf: at.toISOString(),
      currency: q.currency,
      ratesOn,
      period: q.period,
      ...(q.groupBy && { groupBy: q.groupBy }),
      bestCaseFrom,
      commitFrom,
      rows: rows.map((r) => ({
        ...r,
        ...(pipelines && { pipelineName: pipelineOf(pipelines, r.pipelineId!)?.name ?? r.pipelineId }),
      })),
    };
  }
}
