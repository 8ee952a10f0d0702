import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export const CONFIDENCE_QUERY_VALUES = ['0.9', '0.95', '0.99'] as const;

export class CampaignStatisticsQueryDto {
  @ApiPropertyOptional({ enum: CONFIDENCE_QUERY_VALUES, default: '0.95', description: 'Confidence level of the intervals' })
  @IsOptional()
  @IsIn(CONFIDENCE_QUERY_VALUES)
  confidence?: (typeof CONFIDENCE_QUERY_VALUES)[number];
}
