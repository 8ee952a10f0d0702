import { Body, Controller, Get, Headers, Inject, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { attainmentBasisPoints, buildForecast, targetPeriodDays, targetsOf, type ForecastGroup } from '@crm/relationship';
import { ExchangeRateCommands, READ_MODELS, SalesTargetCommands, type ReadModelRunners } from '@crm/relationship-api';
import { forecastItems } from '@crm/relationship-read-models';
import {
  ApiProblem,
  CLOCK,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { AttainmentDto, AttainmentQueryDto, SalesTargetsDto, SalesTargetsQueryDto, SetSalesTargetsDto, SetSalesTargetsResultDto } from './sales-targets.dto';

/**
 * Sales targets per owner or team and month or quarter (`SalesTargetsSet`, private stream
 * `sales-targets`), and their attainment: what was won in the period — converted to the target's
 * currency with the exchange-rates table, as the forecast converts — against the target.
 */
@ApiTags('forecast')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (setting targets: not a manager or admin)' })
@Controller('sales-targets')
export class SalesTargetsController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly targets: SalesTargetCommands,
    private readonly rates: ExchangeRateCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Put()
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Set the targets of owners or teams for a month or quarter (managers and admins); set again, a target is replaced' })
  @ApiOkResponse({
    type: SetSalesTargetsResultDto,
    description: 'Set (the same again records nothing: recorded 0)',
    example: {
      period: '2026-Q1',
      recorded: 1,
      targets: [{ period: '2026-Q1', scope: 'owner', subject: 'sari', currency: 'EUR', amount: 5000000, setBy: 'mira', setAt: '2026-03-01T09:00:00.000Z' }],
    },
  })
  @ApiProblem(400, 'Bad body: errors name the field (period, currency, targets.0.amount…)', {
    errors: [{ field: 'period', message: 'period must be a month (2026-03) or a quarter (2026-Q1)' }],
  })
  @ApiProblem(412, 'If-Match names an older revision of the targets (someone changed them since you read them)')
  @ApiProblem(415, 'A body that is not JSON')
  @ApiProblem(422, 'A rule was broken; `code` names it: owner-or-team, targets-unique', { code: 'targets-unique' })
  async set(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SetSalesTargetsDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<SetSalesTargetsResultDto> {
    const { targets, recorded, revision } = await this.targets.set(p as StaffPrincipal, dto, {
      correlationId,
      expectedRevision: expectedRevisionFromIfMatch(ifMatch),
    });
    setEtag(res, revision);
    return { period: dto.period, recorded, targets: targetsOf(targets, dto.period) };
  }

  @Get()
  @ApiOperation({ summary: 'The targets, of one period or every period (oldest first); as of any instant. Now: with the ETag for If-Match on PUT' })
  @ApiOkResponse({
    type: SalesTargetsDto,
    example: {
      asOf: '2026-03-01T09:00:00.000Z',
      targets: [{ period: '2026-Q1', scope: 'owner', subject: 'sari', currency: 'EUR', amount: 5000000, setBy: 'mira', setAt: '2026-03-01T09:00:00.000Z' }],
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field (period, asOf)', {
    errors: [{ field: 'period', message: 'period must be a month (2026-03) or a quarter (2026-Q1)' }],
  })
  async list(@Query() q: SalesTargetsQueryDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<SalesTargetsDto> {
    let table;
    if (q.asOf !== undefined) table = await this.targets.table(new Date(q.asOf));
    else {
      const current = await this.targets.current();
      table = current.table;
      setEtag(res, current.revision);
    }
    const periods = q.period !== undefined ? [q.period] : [...new Set([...table.values()].map((t) => t.period))].sort(comparePeriods);
    return { asOf: (q.asOf === undefined ? this.clock.now() : new Date(q.asOf)).toISOString(), targets: periods.flatMap((period) => targetsOf(table, period)) };
  }

  @Get('attainment')
  @ApiOperation({ summary: 'Each target of a period against what was won in it, in the target’s currency; as of any instant' })
  @ApiOkResponse({
    type: AttainmentDto,
    example: {
      period: '2026-Q1',
      start: '2026-01-01',
      end: '2026-03-31',
      asOf: '2026-03-01T09:00:00.000Z',
      ratesOn: '2026-03-01',
      items: [
        { scope: 'owner', subject: 'sari', currency: 'EUR', target: 5000000, won: { count: 2, amount: 2500000 }, attainmentBasisPoints: 5000, unconverted: [] },
      ],
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field (period, asOf, owner, team)', {
    errors: [{ field: 'period', message: 'period must be a month (2026-03) or a quarter (2026-Q1)' }],
  })
  async attainment(@Query() q: AttainmentQueryDto): Promise<AttainmentDto> {
    const asOf = q.asOf === undefined ? undefined : new Date(q.asOf);
    const at = asOf ?? this.clock.now();
    const ratesOn = at.toISOString().slice(0, 10);
    const { start, end, kind } = targetPeriodDays(q.period);
    const [table, rates, items] = await Promise.all([
      this.targets.table(asOf),
      this.rates.table(asOf),
      forecastItems(this.readModels.dataSource.manager, { asOf, from: start, to: end }),
    ]);
    const targets = targetsOf(table, q.period).filter(
      (t) => (q.owner === undefined && q.team === undefined) || (t.scope === 'owner' ? t.subject === q.owner : t.subject === q.team),
    );
    const won = items.filter((i) => i.status === 'won');
    // One forecast per target currency and scope: its closed figures are the wins, converted.
    const closed = new Map<string, ReturnType<typeof buildForecast>>();
    const rowsFor = (currency: string, scope: ForecastGroup) => {
      const key = `${currency} ${scope}`;
      if (!closed.has(key))
        closed.set(
          key,
          buildForecast(won, {
            period: kind,
            from: start,
            to: end,
            reportingCurrency: currency,
            groupBy: scope,
            rates,
            ratesDay: ratesOn,
            bestCaseFrom: 0,
            commitFrom: 0,
          }),
        );
      return closed.get(key)!;
    };
    return {
      period: q.period,
      start,
      end,
      asOf: at.toISOString(),
      ratesOn,
      items: targets.map((t) => {
        const row = rowsFor(t.currency, t.scope).find((r) => (t.scope === 'owner' ? r.owner : r.team) === t.subject);
        const amount = row?.closed.amount ?? 0;
        return {
          scope: t.scope,
          subject: t.subject,
          currency: t.currency,
          target: t.amount,
          won: { count: row?.closed.count ?? 0, amount },
          attainmentBasisPoints: attainmentBasisPoints(amount, t.amount),
          unconverted: (row?.unconverted ?? []).map(({ currency, count, amount: a }) => ({ currency, count, amount: a })),
        };
      }),
    };
  }
}

/** Periods in time order: by their first day (2026-Q1 and 2026-01 both start on 2026-01-01; the quarter first). */
function comparePeriods(a: string, b: string): number {
  const [x, y] = [targetPeriodDays(a), targetPeriodDays(b)];
  return x.start.localeCompare(y.start) || y.end.localeCompare(x.end);
}
