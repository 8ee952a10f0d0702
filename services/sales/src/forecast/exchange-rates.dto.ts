import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsOptional, Matches, ValidateBy } from 'class-validator';
import { IsCalendarDate, IsCurrencyCode, isCalendarDate, NestedObjects } from '@crm/contracts';
import { CURRENCY_CODES, MAX_RATES_PER_CHANGE } from '@crm/relationship';

/** A positive exact decimal: 1–12 digits, optionally a point and 1–12 more, not zero. */
export const POSITIVE_RATE = /^(?=[\d.]*[1-9])\d{1,12}(\.\d{1,12})?$/;
const RATE_MESSAGE = 'rate must be a positive decimal as text, such as "0.9231" (at most 12 digits before and 12 after the point; no sign, no exponent)';

export class ExchangeRateDto {
  @ApiProperty({ enum: CURRENCY_CODES, description: 'The currency converted from', example: 'USD' }) @IsCurrencyCode() currency!: string;
  @ApiProperty({ description: 'Units of the reporting currency per unit of `currency`, an exact decimal as text (never a float)', example: '0.9231' })
  @Matches(POSITIVE_RATE, { message: RATE_MESSAGE })
  rate!: string;
}

export class SetExchangeRatesDto {
  @ApiProperty({ enum: CURRENCY_CODES, description: 'The currency the rates convert to', example: 'EUR' }) @IsCurrencyCode() reportingCurrency!: string;
  @ApiProperty({ description: 'The rates are in force from this day (until the next effective day of the same pair)', example: '2026-03-01' })
  @IsCalendarDate()
  effectiveDate!: string;
  @ApiProperty({ type: [ExchangeRateDto], description: `1 to ${MAX_RATES_PER_CHANGE} rates, one per currency` })
  @NestedObjects(() => ExchangeRateDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RATES_PER_CHANGE)
  rates!: ExchangeRateDto[];
}

/** An instant (`2026-03-01T09:00:00Z`) or a calendar day (`2026-03-01`). */
export function IsInstantOrDay(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstantOrDay',
    validator: {
      validate: (value: unknown) =>
        isCalendarDate(value) ||
        (typeof value === 'string' &&
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
          !Number.isNaN(Date.parse(value))),
      defaultMessage: (args) => `${args?.property ?? 'the value'} must be an ISO 8601 instant (2026-03-01T09:00:00Z) or a calendar day (2026-03-01)`,
    },
  });
}

export class ExchangeRatesQueryDto {
  @ApiPropertyOptional({ enum: CURRENCY_CODES, description: 'Only the rates to this reporting currency', example: 'EUR' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;
  @ApiPropertyOptional({
    description:
      'The rates in force on this day (UTC); an instant also reads the table as it was recorded by then (what it said then). Default: today, the table now',
    example: '2026-03-01',
  })
  @IsOptional()
  @IsInstantOrDay()
  asOf?: string;
}

export class ExchangeRateEntryDto {
  @ApiProperty({ example: 'EUR' }) reportingCurrency!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ description: 'Units of reportingCurrency per unit of currency (exact decimal text)', example: '0.9231' }) rate!: string;
  @ApiProperty({ description: 'In force from this day', example: '2026-03-01' }) effectiveDate!: string;
  @ApiProperty({ example: 'mira' }) setBy!: string;
  @ApiProperty({ example: '2026-02-27T10:00:00.000Z' }) setAt!: string;
}

export class ExchangeRatesDto {
  @ApiProperty({ description: 'The day the rates are in force on', example: '2026-03-01' }) on!: string;
  @ApiProperty({ description: 'The instant the table is read as recorded by (now, unless asOf was an instant)', example: '2026-03-01T09:00:00.000Z' })
  asOf!: string;
  @ApiProperty({ type: [ExchangeRateEntryDto], description: 'By reporting currency, then currency; a currency without a rate by then is absent' })
  rates!: ExchangeRateEntryDto[];
}

export class SetExchangeRatesResultDto {
  @ApiProperty({ example: 'EUR' }) reportingCurrency!: string;
  @ApiProperty({ example: '2026-03-01' }) effectiveDate!: string;
  @ApiProperty({ description: 'How many rates differed from that day’s and were recorded (0: nothing new)', example: 2 }) recorded!: number;
  @ApiProperty({ type: [ExchangeRateEntryDto], description: 'Every rate to reportingCurrency in force on effectiveDate, now' }) rates!: ExchangeRateEntryDto[];
}
