import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { DEFAULT_RFM_PERIOD_DAYS, MAX_RFM_PERIOD_DAYS, RFM_SEGMENTS, type RfmSegment } from './rfm-scoring';

export class RfmQueryDto {
  @ApiPropertyOptional({
    description: 'The instant the scores are as of (now when omitted): the purchase history as it stood then',
    example: '2026-12-31T23:59:59Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({
    description: `F and M count the purchase occasions of the periodDays days ending on asOf's day (default ${DEFAULT_RFM_PERIOD_DAYS})`,
    minimum: 1,
    maximum: MAX_RFM_PERIOD_DAYS,
    example: 365,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_RFM_PERIOD_DAYS)
  periodDays?: number;
}

export class RfmListQueryDto extends RfmQueryDto {
  @ApiPropertyOptional({ enum: RFM_SEGMENTS, description: 'Only the customers of this segment (the counts and the grid stay over everyone)' })
  @IsOptional()
  @IsIn(RFM_SEGMENTS)
  segment?: RfmSegment;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

// Answers (OpenAPI schemas and examples).

export class RfmScoresView {
  @ApiProperty({ minimum: 1, maximum: 5, description: 'Recency quintile: 5 bought most recently' }) r!: number;
  @ApiProperty({ minimum: 1, maximum: 5, description: 'Frequency quintile: purchase occasions in the period' }) f!: number;
  @ApiProperty({ minimum: 1, maximum: 5, description: 'Monetary quintile: net money in the period' }) m!: number;
}

export class CustomerRfmView {
  @ApiProperty({ format: 'uuid', description: 'The survivor, for a merged customer' }) customerId!: string;
  @ApiProperty({ example: '2026-11-20', description: 'The last purchase occasion (UTC day) by asOf' }) lastPurchaseDay!: string;
  @ApiProperty({ example: 41, description: 'Whole days from the last purchase occasion to asOf’s day' }) recencyDays!: number;
  @ApiProperty({ example: 6, description: 'Purchase occasions in the period (several orders on one day are one)' }) frequency!: number;
  @ApiProperty({ example: 1_250_000, description: 'Net money in the period, integer minor units of the reporting currency' }) monetary!: number;
  @ApiProperty({ type: RfmScoresView }) scores!: RfmScoresView;
  @ApiProperty({ example: '545', description: 'The combined cell `${r}${f}${m}`' }) cell!: string;
  @ApiProperty({ enum: RFM_SEGMENTS, example: 'champions' }) segment!: RfmSegment;
}

export class UnconvertedView {
  @ApiProperty({ description: 'Orders left out: no rate of their currency to the reporting currency on their day' }) orders!: number;
  @ApiProperty({ type: [String], example: ['KWD'] }) currencies!: string[];
}

export class RfmOfCustomerView {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ example: '2026-12-31T23:59:59.000Z' }) asOf!: string;
  @ApiProperty({ example: 365 }) periodDays!: number;
  @ApiProperty({ example: 'EUR' }) reportingCurrency!: string;
  @ApiProperty({ description: 'Customers who bought by asOf: the population the quintiles are over', example: 1840 }) customersScored!: number;
  @ApiProperty({ type: CustomerRfmView, nullable: true, description: 'null: the customer has no purchase occasion by asOf (no RFM)' })
  rfm!: CustomerRfmView | null;
  @ApiProperty({ type: UnconvertedView }) unconverted!: UnconvertedView;
}

export class RfmListView {
  @ApiProperty({ example: '2026-12-31T23:59:59.000Z' }) asOf!: string;
  @ApiProperty({ example: 365 }) periodDays!: number;
  @ApiProperty({ example: 'EUR' }) reportingCurrency!: string;
  @ApiProperty({ example: 1840 }) customersScored!: number;
  @ApiProperty({
    description: 'Customers per segment (all of them, whatever the segment filter)',
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: Object.fromEntries(RFM_SEGMENTS.map((s, i) => [s, 100 + i])),
  })
  segments!: Record<RfmSegment, number>;
  @ApiProperty({
    description: 'The 5 × 5 R × F grid: grid[r − 1][f − 1] customers',
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    example: [
      [40, 30, 10, 5, 2],
      [35, 30, 12, 6, 3],
      [30, 28, 20, 10, 5],
      [25, 25, 22, 15, 10],
      [20, 22, 25, 20, 30],
    ],
  })
  grid!: number[][];
  @ApiProperty({ type: UnconvertedView }) unconverted!: UnconvertedView;
  @ApiProperty({ type: [CustomerRfmView], description: 'By customer id' }) items!: CustomerRfmView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}
