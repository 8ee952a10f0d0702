import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { IsCalendarDate, IsInstant } from '@crm/contracts';

export const PROFIT_SEGMENTS = ['journeyStage', 'relationshipPhase'] as const;
export type ProfitSegmentation = (typeof PROFIT_SEGMENTS)[number];

/** The window, the instant and the unit costs (each defaults to its setting). */
export class ProfitabilityQueryDto {
  @ApiPropertyOptional({ description: 'First day of the window (default: 364 days before `to`)', example: '2026-01-01' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;
  @ApiPropertyOptional({ description: "Last day of the window (default: asOf's day)", example: '2026-12-31' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
  @ApiPropertyOptional({ description: 'The instant the history is read as of (now when omitted)', example: '2026-12-31T23:59:59Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({ description: 'Cost of goods as a share of revenue, 0..1 (default CRM_COST_OF_GOODS_SHARE)', example: 0.6 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  goodsShare?: number;
  @ApiPropertyOptional({ description: 'Cost of one case, minor units of the reporting currency (default CRM_COST_PER_CASE)', example: 2500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  caseCost?: number;
  @ApiPropertyOptional({ description: 'Cost of one campaign touch, minor units of the reporting currency (default CRM_COST_PER_CAMPAIGN_TOUCH)', example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  touchCost?: number;
}

export class SegmentProfitabilityQueryDto extends ProfitabilityQueryDto {
  @ApiPropertyOptional({ enum: PROFIT_SEGMENTS, default: 'journeyStage', description: 'What the customers are grouped by' })
  @IsOptional()
  @IsIn(PROFIT_SEGMENTS)
  groupBy?: ProfitSegmentation;
}
