import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate, IsInstant } from '@crm/contracts';

export class ClvModelQueryDto {
  @ApiPropertyOptional({ description: 'Last day of the calibration period (purchases after it are ignored); today when omitted', example: '1997-09-30' })
  @IsOptional()
  @IsCalendarDate()
  calibrationEnd?: string;

  @ApiPropertyOptional({ enum: ['week', 'day'], description: 'Time unit of t_x, T and α; CRM_CLV_UNIT (week) when omitted' })
  @IsOptional()
  @IsIn(['week', 'day'], { message: 'unit must be week or day' })
  unit?: 'week' | 'day';
}

export class CustomerValueQueryDto {
  @ApiPropertyOptional({ description: 'Horizon in months (1..600); CRM_CLV_HORIZON_MONTHS (12) when omitted', example: 12 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'horizon must be a whole number of months from 1 to 600' })
  @Min(1, { message: 'horizon must be a whole number of months from 1 to 600' })
  @Max(600, { message: 'horizon must be a whole number of months from 1 to 600' })
  horizon?: number;

  @ApiPropertyOptional({ description: 'Discount rate per month, 0..1 (0.01 = 1% a month); CRM_CLV_DISCOUNT_RATE when omitted', example: 0.01 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'discountRate must be a number from 0 to 1 (per month)' })
  @Min(0, { message: 'discountRate must be a number from 0 to 1 (per month)' })
  @Max(1, { message: 'discountRate must be a number from 0 to 1 (per month)' })
  discountRate?: number;

  @ApiPropertyOptional({ description: 'Share of spend that is profit, 0..1; CRM_CLV_MARGIN (1 = revenue) when omitted', example: 0.3 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'margin must be a number from 0 to 1' })
  @Min(0, { message: 'margin must be a number from 0 to 1' })
  @Max(1, { message: 'margin must be a number from 0 to 1' })
  margin?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'The value as the models would have said on that day (UTC): fitted on the purchases dated up to it, every customer ranked into tiers again; today when omitted. A past valuation publishes no tier change.',
    example: '2026-06-30T23:59:59Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export const RANK_BY = ['clv', 'expectedPurchases', 'expectedSpend', 'pAlive', 'historicValue'] as const;
export type RankBy = (typeof RANK_BY)[number];

export class PageQueryDto {
  @ApiPropertyOptional({ description: 'From the previous page’s `nextCursor`' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Page size, 1..500 (default 50)', example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class RankingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RANK_BY, description: 'What to rank by, highest first (default clv)' })
  @IsOptional()
  @IsIn(RANK_BY, { message: `by must be one of ${RANK_BY.join(', ')}` })
  by?: RankBy;
}

export class AtRiskQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only customers whose P(alive) is below this, 0..1 (default 0.5)', example: 0.5 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'maxPAlive must be a number from 0 to 1' })
  @Min(0, { message: 'maxPAlive must be a number from 0 to 1' })
  @Max(1, { message: 'maxPAlive must be a number from 0 to 1' })
  maxPAlive?: number;
}
