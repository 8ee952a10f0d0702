import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsCalendarDate, IsCurrencyCode, IsInstant } from '@crm/contracts';
import { CURRENCY_CODES, DEFAULT_BEST_CASE_FROM, DEFAULT_COMMIT_FROM, FORECAST_GROUPS, FORECAST_PERIODS, STAGE_ID } from '@crm/relationship';

const PERCENT = /^(100|[1-9]?\d)$/;

export class ForecastQueryDto {
  @ApiProperty({ enum: FORECAST_PERIODS, description: 'Months or calendar quarters', example: 'quarter' })
  @IsIn(FORECAST_PERIODS)
  period!: (typeof FORECAST_PERIODS)[number];
  @ApiProperty({ description: 'First day covered (every period touching [from, to] is listed)', example: '2026-01-01' }) @IsCalendarDate() from!: string;
  @ApiProperty({ description: 'Last day covered, at most 5 years after from', example: '2026-12-31' }) @IsCalendarDate() to!: string;
  @ApiProperty({ enum: CURRENCY_CODES, description: 'The reporting currency every amount is converted to', example: 'EUR' })
  @IsCurrencyCode()
  currency!: string;
  @ApiPropertyOptional({ enum: FORECAST_GROUPS, description: 'Besides the period, per owner, team or pipeline' })
  @IsOptional()
  @IsIn(FORECAST_GROUPS)
  groupBy?: (typeof FORECAST_GROUPS)[number];
  @ApiPropertyOptional({
    description:
      'What the forecast said at this instant: the opportunities as they were then, converted with the rates in force on its day as recorded by then',
    example: '2026-03-01T09:00:00Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({ description: `Best case from this probability (0–100, default ${DEFAULT_BEST_CASE_FROM})`, example: '40' })
  @IsOptional()
  @Matches(PERCENT, { message: 'bestCaseFrom must be a whole percentage 0–100' })
  bestCaseFrom?: string;
  @ApiPropertyOptional({
    description: `Commit from this probability (0–100, not below bestCaseFrom; default ${DEFAULT_COMMIT_FROM}, or bestCaseFrom when that is higher)`,
    example: '70',
  })
  @IsOptional()
  @Matches(PERCENT, { message: 'commitFrom must be a whole percentage 0–100' })
  commitFrom?: string;
  @ApiPropertyOptional({ description: 'Only this pipeline' }) @IsOptional() @IsUUID() pipelineId?: string;
  @ApiPropertyOptional({ description: 'Only this owner', example: 'sari' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ description: 'Only this team', example: 'jakarta-enterprise' })
  @IsOptional()
  @Matches(STAGE_ID, { message: 'team is 1–63 lower-case letters, digits or dashes' })
  team?: string;
}

export class ForecastFiguresDto {
  @ApiProperty({ example: 3 }) count!: number;
  @ApiProperty({ description: 'Σ converted amounts, minor units of the reporting currency', example: 1250000 }) amount!: number;
  @ApiProperty({ description: 'Σ converted amount × probability / 100, each rounded half away from zero', example: 700000 }) weightedAmount!: number;
}

export class ForecastClosedDto {
  @ApiProperty({ example: 1 }) count!: number;
  @ApiProperty({ description: 'Σ won values converted, minor units of the reporting currency', example: 480000 }) amount!: number;
}

export class ForecastUnconvertedDto {
  @ApiProperty({ enum: ['pipeline', 'bestCase', 'commit', 'closed'] }) category!: string;
  @ApiProperty({ example: 'GBP' }) currency!: string;
  @ApiProperty({ example: 1 }) count!: number;
  @ApiProperty({ description: 'Minor units of currency', example: 500000 }) amount!: number;
}

export class ForecastRowDto {
  @ApiProperty({ description: '2026-03 (month) or 2026-Q1 (quarter)', example: '2026-Q1' }) period!: string;
  @ApiProperty({ example: '2026-01-01' }) start!: string;
  @ApiProperty({ example: '2026-03-31' }) end!: string;
  @ApiPropertyOptional({ description: 'With groupBy=owner' }) owner?: string;
  @ApiPropertyOptional({ description: 'With groupBy=team (null: no team)', nullable: true, type: String }) team?: string | null;
  @ApiPropertyOptional({ description: 'With groupBy=pipeline' }) pipelineId?: string;
  @ApiPropertyOptional({ description: 'With groupBy=pipeline' }) pipelineName?: string;
  @ApiProperty({ type: ForecastFiguresDto, description: 'Every open opportunity expected to close in the period' }) pipeline!: ForecastFiguresDto;
  @ApiProperty({ type: ForecastFiguresDto, description: 'Open, probability ≥ bestCaseFrom' }) bestCase!: ForecastFiguresDto;
  @ApiProperty({ type: ForecastFiguresDto, description: 'Open, probability ≥ commitFrom' }) commit!: ForecastFiguresDto;
  @ApiProperty({ type: ForecastClosedDto, description: 'Won, closed in the period' }) closed!: ForecastClosedDto;
  @ApiProperty({ type: [ForecastUnconvertedDto], description: 'Amounts without a rate on the rates’ day: counted, never added' })
  unconverted!: ForecastUnconvertedDto[];
}

export class ForecastDto {
  @ApiProperty({ description: 'The instant the forecast answers for', example: '2026-03-01T09:00:00.000Z' }) asOf!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'The day whose exchange rates converted', example: '2026-03-01' }) ratesOn!: string;
  @ApiProperty({ enum: FORECAST_PERIODS }) period!: string;
  @ApiPropertyOptional({ enum: FORECAST_GROUPS }) groupBy?: string;
  @ApiProperty({ example: 40 }) bestCaseFrom!: number;
  @ApiProperty({ example: 70 }) commitFrom!: number;
  @ApiProperty({ type: [ForecastRowDto], description: 'By period, then group' }) rows!: ForecastRowDto[];
}
