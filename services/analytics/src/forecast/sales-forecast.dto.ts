import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCurrencyCode, IsInstant } from '@crm/contracts';
import { SALES_FORECAST_PERIODS, type SalesForecastPeriod } from './sales-series';

export const MAX_HORIZON = 104;

export class SalesForecastQueryDto {
  @ApiProperty({ enum: SALES_FORECAST_PERIODS, description: 'Months or ISO weeks', example: 'month' })
  @IsIn(SALES_FORECAST_PERIODS)
  period!: SalesForecastPeriod;
  @ApiPropertyOptional({ description: `Periods to forecast, from the running one (1–${MAX_HORIZON}; default 12 months or 13 weeks)`, example: 6 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HORIZON)
  horizon?: number;
  @ApiPropertyOptional({
    description:
      'The reporting currency every amount is converted to (at the rate in force on each purchase day); default CRM_REPORTING_CURRENCY (EUR unless set)',
    example: 'EUR',
  })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;
  @ApiPropertyOptional({
    description: 'The history as it stood at this instant: orders dated by then, not cancelled by then, net of the returns made by then (default now)',
    example: '2026-03-01T00:00:00Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}
