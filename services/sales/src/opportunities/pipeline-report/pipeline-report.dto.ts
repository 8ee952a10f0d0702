import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { STAGE_ID } from '@crm/relationship';
import { PIPELINE_GROUPS } from '@crm/relationship-read-models';

export class PipelineReportQueryDto {
  @ApiPropertyOptional({ description: 'What the report said at this instant (derived from the recorded events)', example: '2026-03-01T09:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({ enum: PIPELINE_GROUPS, description: 'Besides pipeline and stage, per owner or per team (default: per pipeline only)' })
  @IsOptional()
  @IsIn(PIPELINE_GROUPS)
  groupBy?: (typeof PIPELINE_GROUPS)[number];
  @ApiPropertyOptional({ description: 'Only this pipeline' }) @IsOptional() @IsUUID() pipelineId?: string;
  @ApiPropertyOptional({ description: 'Only this owner', example: 'sari' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ description: 'Only this team', example: 'jakarta-enterprise' })
  @IsOptional()
  @Matches(STAGE_ID, { message: 'team is 1–63 lower-case letters, digits or dashes' })
  team?: string;
}

export class PipelineReportRowDto {
  @ApiProperty({ example: '5a1e5000-0000-4000-8000-000000000001' }) pipelineId!: string;
  @ApiProperty({ example: 'Sales process' }) pipelineName!: string;
  @ApiProperty({ example: 'proposal-creation' }) stage!: string;
  @ApiProperty({ example: 'Proposal creation' }) stageName!: string;
  @ApiPropertyOptional({ description: 'With groupBy=owner', example: 'sari' }) owner?: string;
  @ApiPropertyOptional({ description: 'With groupBy=team (null: no team)', nullable: true, type: String }) team?: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Amounts are never added across currencies; null: opportunities without an amount',
    example: 'EUR',
  })
  currency!: string | null;
  @ApiProperty({ description: 'Open opportunities', example: 3 }) count!: number;
  @ApiProperty({ description: 'Σ amount, minor units', example: 3750000 }) amount!: number;
  @ApiProperty({ description: 'Σ amount × probability / 100, rounded to a minor unit', example: 1500000 }) weightedAmount!: number;
}

export class PipelineReportDto {
  @ApiProperty({ description: 'The instant the report answers for', example: '2026-03-01T09:00:00.000Z' }) asOf!: string;
  @ApiProperty({ enum: PIPELINE_GROUPS }) groupBy!: string;
  @ApiProperty({ type: [PipelineReportRowDto], description: 'By pipeline (the default first), stage in pipeline order, group, currency' })
  rows!: PipelineReportRowDto[];
}
