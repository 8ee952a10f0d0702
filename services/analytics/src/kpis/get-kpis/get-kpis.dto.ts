import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate, IsInstant } from '@crm/contracts';

export const KPI_PERIODS = ['month', 'quarter'] as const;

export class KpisQueryDto {
  @ApiProperty({ enum: KPI_PERIODS, description: 'Months or calendar quarters', example: 'month' })
  @IsIn(KPI_PERIODS)
  period!: (typeof KPI_PERIODS)[number];
  @ApiProperty({ description: 'First day covered (every period touching [from, to] is listed)', example: '2026-01-01' }) @IsCalendarDate() from!: string;
  @ApiProperty({ description: 'Last day covered, at most 5 years after from', example: '2026-06-30' }) @IsCalendarDate() to!: string;
  @ApiPropertyOptional({ description: 'The KPIs as they could be computed at this instant: only events recorded by then', example: '2026-07-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}
