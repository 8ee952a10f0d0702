import { Body, Controller, Get, Headers, Inject, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { ratesOn } from '@crm/relationship';
import { ExchangeRateCommands } from '@crm/relationship-api';
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
import { ExchangeRatesDto, ExchangeRatesQueryDto, SetExchangeRatesDto, SetExchangeRatesResultDto } from './exchange-rates.dto';

const EXAMPLE_RATE = {
  reportingCurrency: 'EUR',
  currency: 'USD',
  rate: '0.9231',
  effectiveDate: '2026-03-01',
  setBy: 'mira',
  setAt: '2026-02-27T10:00:00.000Z',
};

/**
 * The reporting exchange rates: the rate of each currency to a reporting currency from an effective
 * day, recorded as events (`ExchangeRatesSet`, private stream `sales-exchange-rates`). Staff of sales
 * and management read them; sales and management managers and admins set them. Rates are exact
 * decimals as text; converting rounds once to the reporting currency's minor unit, half away from zero.
 */
@ApiTags('forecast')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (setting rates: not a manager or admin)' })
@Controller('exchange-rates')
export class ExchangeRatesController {
  constructor(
    private readonly rates: ExchangeRateCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The rates in force on a day (asOf: a day, or an instant — then as the table was recorded by that instant)' })
  @ApiOkResponse({
    type: ExchangeRatesDto,
    description: 'The rates; read as the table is now (no asOf instant), with its ETag for If-Match on PUT',
    example: { on: '2026-03-01', asOf: '2026-03-01T09:00:00.000Z', rates: [EXAMPLE_RATE] },
  })
  @ApiProblem(400, 'Bad query: errors name the field (currency, asOf)', {
    errors: [{ field: 'asOf', message: 'asOf must be an ISO 8601 instant or a calendar day' }],
  })
  async get(@Query() q: ExchangeRatesQueryDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<ExchangeRatesDto> {
    const now = this.clock.now();
    const { on, recordedBy } = readAsOf(q.asOf, now);
    let table;
    if (recordedBy) table = await this.rates.table(recordedBy);
    else {
      const current = await this.rates.current();
      table = current.table;
      setEtag(res, current.revision);
    }
    return { on, asOf: (recordedBy ?? now).toISOString(), rates: ratesOn(table, on, q.currency) };
  }

  @Put()
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Set rates to a reporting currency from an effective day (managers and admins); a rate set again for that day replaces it' })
  @ApiOkResponse({
    type: SetExchangeRatesResultDto,
    description: 'Set (the same rates again record nothing: recorded 0)',
    example: { reportingCurrency: 'EUR', effectiveDate: '2026-03-01', recorded: 1, rates: [EXAMPLE_RATE] },
  })
  @ApiProblem(400, 'Bad body: errors name the field (reportingCurrency, effectiveDate, rates.0.rate…)', {
    errors: [{ field: 'rates.0.currency', message: 'currency must be an ISO 4217 currency code' }],
  })
  @ApiProblem(412, 'If-Match names an older revision of the table (someone changed it since you read it)')
  @ApiProblem(415, 'A body that is not JSON')
  @ApiProblem(422, 'A rule was broken; `code` names it: rate-to-itself (a rate of the reporting currency), currencies-unique', { code: 'rate-to-itself' })
  async set(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SetExchangeRatesDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<SetExchangeRatesResultDto> {
    const { rates, recorded, revision } = await this.rates.set(p as StaffPrincipal, dto, {
      correlationId,
      expectedRevision: expectedRevisionFromIfMatch(ifMatch),
    });
    setEtag(res, revision);
    return {
      reportingCurrency: dto.reportingCurrency,
      effectiveDate: dto.effectiveDate,
      recorded,
      rates: ratesOn(rates, dto.effectiveDate, dto.reportingCurrency),
    };
  }
}

/**
 * `asOf` as the day the rates are in force on (UTC) and, for an instant, the instant the table is
 * read as recorded by (what it said then); a day, or nothing, reads the table as it is now.
 */
export function readAsOf(asOf: string | undefined, now: Date): { on: string; recordedBy?: Date } {
  if (asOf === undefined) return { on: now.toISOString().slice(0, 10) };
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return { on: asOf };
  const at = new Date(asOf);
  return { on: at.toISOString().slice(0, 10), recordedBy: at };
}
