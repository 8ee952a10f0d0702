import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsNotEmpty, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObjects } from '@crm/contracts';
import { MAX_PIPELINE_STAGES, STAGE_ID } from '@crm/relationship';
import { Absent, STAGE_MESSAGE } from '../opportunities.dto';

export class PipelineStageDto {
  @ApiProperty({ description: 'Lower-case letters, digits and dashes; kept for good once opportunities may be in it', example: 'renewal-quote' })
  @Matches(STAGE_ID, { message: STAGE_MESSAGE })
  stageId!: string;
  @ApiProperty({ example: 'Renewal quote' }) @IsString() @IsNotEmpty() @MaxLength(100) name!: string;
  @ApiProperty({ description: 'The default win probability of an opportunity in this stage, 0–100', example: 60 })
  @IsInt()
  @Min(0)
  @Max(100)
  probability!: number;
}

/** A pipeline's whole definition: its name and its stages in order. */
export class PipelineDefinitionDto {
  @ApiProperty({ example: 'Renewals' }) @IsString() @IsNotEmpty() @MaxLength(100) name!: string;
  @ApiProperty({ type: [PipelineStageDto], description: `In order, 1 to ${MAX_PIPELINE_STAGES}` })
  @NestedObjects(() => PipelineStageDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PIPELINE_STAGES)
  stages!: PipelineStageDto[];
}

export class CreatePipelineDto extends PipelineDefinitionDto {
  @ApiPropertyOptional({ description: 'Client-chosen id (makes a retried creation idempotent); generated when omitted' })
  @Absent()
  @IsUUID()
  pipelineId?: string;
}

export class PipelineDto {
  @ApiProperty({ example: '5a1e5000-0000-4000-8000-000000000001' }) pipelineId!: string;
  @ApiProperty({ example: 'Sales process' }) name!: string;
  @ApiProperty({ type: [PipelineStageDto] }) stages!: PipelineStageDto[];
  @ApiProperty({ description: '0: the built-in default, never changed; then 1, 2… per definition (also the ETag)', example: 1 }) version!: number;
  @ApiProperty({ description: 'The default pipeline (Buttle’s sales process)' }) default!: boolean;
  @ApiPropertyOptional() createdAt?: string;
  @ApiPropertyOptional() createdBy?: string;
  @ApiPropertyOptional() changedAt?: string;
  @ApiPropertyOptional() changedBy?: string;
}

export class PipelineListDto {
  @ApiProperty({ type: [PipelineDto], description: 'The default pipeline first, then by name' }) items!: PipelineDto[];
}
