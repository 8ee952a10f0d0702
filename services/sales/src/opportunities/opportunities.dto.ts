import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsCalendarDate, IsCurrencyCode, IsInstant, IsMinorUnits } from '@crm/contracts';
import { CURRENCY_CODES, STAGE_ID } from '@crm/relationship';
import { OpenEpisodeDto } from '@crm/relationship-api';

export const STAGE_MESSAGE = 'a stage is 1–63 lower-case letters, digits or dashes (lead-generation, proposal-creation…)';
const TEAM_MESSAGE = 'team is 1–63 lower-case letters, digits or dashes (jakarta-enterprise)';
const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
/** May be left out, but not sent as null (`@IsOptional` would let null through to the rules). */
export const Absent = () => ValidateIf((_o, v) => v !== undefined);

/** The attributes of an opportunity, as a change sends them (all optional; `null` clears what may be cleared). */
export class OpportunityAttributesDto {
  @ApiPropertyOptional({
    description: 'Integer minor units of `currency` (cents for EUR: 12,500.00 EUR is 1250000); null: no amount',
    example: 1250000,
    nullable: true,
  })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsMinorUnits()
  amount?: number | null;
  @ApiPropertyOptional({ description: 'ISO 4217, in capitals; with the amount', enum: CURRENCY_CODES, example: 'EUR' })
  @Absent()
  @IsCurrencyCode()
  currency?: string;
  @ApiPropertyOptional({ description: 'A calendar day, YYYY-MM-DD; null clears it', example: '2026-06-30', nullable: true })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsCalendarDate()
  expectedCloseDate?: string | null;
  @ApiPropertyOptional({ description: 'The staff user who owns it (by default whoever opened it)', example: 'sari' })
  @Absent()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;
  @ApiPropertyOptional({ description: 'The sales team it counts for; null clears it', example: 'jakarta-enterprise', nullable: true })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @Matches(STAGE_ID, { message: TEAM_MESSAGE })
  team?: string | null;
  @ApiPropertyOptional({ description: 'What happens next; null clears it', example: 'send the revised quote by Friday', nullable: true })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  nextStep?: string | null;
  @ApiPropertyOptional({ type: [String], description: 'Who else the customer is talking to: the whole new list (at most 20)', example: ['Acme', 'Globex'] })
  @Absent()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  competitors?: string[];
  @ApiPropertyOptional({ description: "0–100 overriding the stage's default win probability; null: the stage's default again", example: 35, nullable: true })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt()
  @Min(0)
  @Max(100)
  probability?: number | null;
}

/** `POST /opportunities`: an episode of type opportunity, on a pipeline, with what is known of it. */
export class OpenOpportunityDto extends OpenEpisodeDto {
  @ApiPropertyOptional({ description: 'The pipeline (default: the default pipeline, Buttle’s sales process)', example: EXAMPLE_ID })
  @Absent()
  @IsUUID()
  pipelineId?: string;
  @ApiPropertyOptional({ description: 'A stage of the pipeline (default: its first)', example: 'lead-qualification' })
  @Absent()
  @Matches(STAGE_ID, { message: STAGE_MESSAGE })
  stage?: string;
  @ApiPropertyOptional({ description: 'Integer minor units of `currency` (cents for EUR)', example: 1250000 })
  @Absent()
  @IsMinorUnits()
  amount?: number;
  @ApiPropertyOptional({ description: 'ISO 4217, in capitals (of `amount`, or of the older `expectedValue`)', enum: CURRENCY_CODES, example: 'EUR' })
  @Absent()
  @IsCurrencyCode()
  override currency?: string;
  @ApiPropertyOptional({ description: 'A calendar day, YYYY-MM-DD', example: '2026-06-30' }) @Absent() @IsCalendarDate() expectedCloseDate?: string;
  @ApiPropertyOptional({ description: 'Default: whoever opens it', example: 'sari' }) @Absent() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ example: 'jakarta-enterprise' }) @Absent() @Matches(STAGE_ID, { message: TEAM_MESSAGE }) team?: string;
  @ApiPropertyOptional({ example: 'call the buyer' }) @Absent() @IsString() @IsNotEmpty() @MaxLength(500) nextStep?: string;
  @ApiPropertyOptional({ type: [String], example: ['Acme'] })
  @Absent()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  competitors?: string[];
  @ApiPropertyOptional({ description: "0–100 overriding the stage's default", example: 35 }) @Absent() @IsInt() @Min(0) @Max(100) probability?: number;
}

/** `POST /opportunities/{id}/stage`. */
export class ChangeStageDto {
  @ApiProperty({ description: 'A stage of the opportunity’s pipeline', example: 'proposal-creation' })
  @Matches(STAGE_ID, { message: STAGE_MESSAGE })
  stage!: string;
  @ApiPropertyOptional({ description: 'Why; required to move back to an earlier stage', example: 'the buyer asked for a new specification' })
  @Absent()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

/** `POST /opportunities/{id}/close`: won or lost, and why. */
export class CloseOpportunityDto {
  @ApiProperty({ enum: ['won', 'lost'] }) @IsIn(['won', 'lost']) outcome!: 'won' | 'lost';
  @ApiProperty({ description: 'Why it was won or lost', example: 'best price and delivery time' }) @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
  @ApiPropertyOptional({ description: 'What the win was worth (default: the amount, in its currency)', example: 1200000 })
  @Absent()
  @IsMinorUnits()
  value?: number;
  @ApiPropertyOptional({ enum: CURRENCY_CODES, example: 'EUR' }) @Absent() @IsCurrencyCode() currency?: string;
  @ApiPropertyOptional({ description: 'Defaults to now', example: '2026-06-28T15:00:00Z' })
  @Absent()
  @IsInstant()
  closedAt?: string;
}

export class StageTimeDto {
  @ApiProperty({ example: 'proposal-creation' }) stageId!: string;
  @ApiProperty({ example: 'Proposal creation' }) name!: string;
  @ApiProperty({ description: 'The stage’s default win probability', example: 40 }) probability!: number;
  @ApiProperty({ description: 'Milliseconds spent in it, every stay added up (until it closed, or now)', example: 259200000 }) timeSpentMs!: number;
  @ApiProperty({ example: 1 }) visits!: number;
  @ApiProperty({ description: 'The stage it is in now (open opportunities)' }) current!: boolean;
}

export class StageMoveDto {
  @ApiPropertyOptional({ description: 'Absent: where it opened', example: 'needs-identification' }) from?: string;
  @ApiProperty({ example: 'proposal-creation' }) to!: string;
  @ApiProperty({ example: '2026-03-04T09:00:00.000Z' }) at!: string;
  @ApiPropertyOptional({ description: 'A move back to an earlier stage' }) backward?: boolean;
  @ApiPropertyOptional({ example: 'the buyer changed' }) reason?: string;
}

export class OpportunityInteractionDto {
  @ApiProperty() interactionId!: string;
  @ApiProperty({ example: 'phone' }) channel!: string;
  @ApiProperty({ example: 'outbound' }) direction!: string;
  @ApiProperty({ example: { kind: 'staff', id: 'sari' } }) actor!: { kind: string; id: string };
  @ApiProperty({ example: 'presented the proposal' }) action!: string;
  @ApiPropertyOptional({ example: 'asked for a discount' }) response?: string;
  @ApiProperty() occurredAt!: string;
}

export class OpportunityClosingDto {
  @ApiProperty({ enum: ['won', 'lost'] }) outcome!: string;
  @ApiProperty() closedAt!: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ description: 'What a win was worth' }) value?: number;
  @ApiPropertyOptional() currency?: string;
}

/** `GET /opportunities/{id}`. */
export class OpportunityDto {
  @ApiProperty({ example: EXAMPLE_ID }) opportunityId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ example: 'Fleet renewal' }) name!: string;
  @ApiProperty({ enum: ['open', 'won', 'lost'] }) status!: string;
  @ApiProperty({ example: EXAMPLE_ID }) pipelineId!: string;
  @ApiProperty({ example: 'Sales process' }) pipelineName!: string;
  @ApiProperty({ example: 'proposal-creation' }) stage!: string;
  @ApiProperty({ description: 'The win probability in force (0–100)', example: 40 }) probability!: number;
  @ApiProperty({ description: 'Whether it overrides the stage’s default' }) probabilityOverridden!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Integer minor units of currency', example: 1250000 }) amount!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'EUR' }) currency!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The amount in major units, by the ISO 4217 exponent', example: '12500.00' }) amountDecimal!:
    string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-06-30' }) expectedCloseDate!: string | null;
  @ApiProperty({ example: 'sari' }) owner!: string;
  @ApiProperty({ nullable: true, type: String, example: 'jakarta-enterprise' }) team!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'send the revised quote' }) nextStep!: string | null;
  @ApiProperty({ type: [String], example: ['Acme'] }) competitors!: string[];
  @ApiProperty() openedAt!: string;
  @ApiProperty({ example: 'sari' }) openedBy!: string;
  @ApiProperty({ type: OpportunityClosingDto, nullable: true }) closed!: OpportunityClosingDto | null;
  @ApiProperty({ type: [StageTimeDto], description: 'Every stage of the pipeline in its order, with the time spent in it' }) stages!: StageTimeDto[];
  @ApiProperty({ type: [StageMoveDto], description: 'Where it opened, then every move, timestamped' }) stageHistory!: StageMoveDto[];
  @ApiProperty({ type: [OpportunityInteractionDto] }) interactions!: OpportunityInteractionDto[];
  @ApiPropertyOptional({ description: 'As recorded before opportunities had an amount (no stated unit)' }) expectedValue?: number;
  @ApiProperty({ description: 'The stream revision (also the ETag)', example: '3' }) revision!: string;
  @ApiProperty() updatedAt!: string;
}

export class OpenedOpportunityDto {
  @ApiProperty({ example: EXAMPLE_ID }) episodeId!: string;
}

/** `POST /opportunities/{id}/stage`. */
export class OpportunityStageChangedDto {
  @ApiProperty({ format: 'uuid', description: 'The opportunity', example: EXAMPLE_ID }) episodeId!: string;
  @ApiProperty({
    pattern: STAGE_ID.source,
    description: 'The stage it is in now (GET /opportunities/{id} shows the move, timestamped)',
    example: 'proposal-creation',
  })
  stage!: string;
}

/** `POST /opportunities/{id}/close`. */
export class OpportunityClosedDto {
  @ApiProperty({ format: 'uuid', description: 'The opportunity', example: EXAMPLE_ID }) episodeId!: string;
  @ApiProperty({ enum: ['won', 'lost'], description: 'How it closed (GET /opportunities/{id} shows the reason and what a win was worth)' }) outcome!: string;
}

/** `POST /opportunities/{id}/interactions`. */
export class OpportunityInteractionRecordedDto {
  @ApiProperty({ format: 'uuid', description: 'The interaction: the one sent, or a new one', example: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  interactionId!: string;
}
