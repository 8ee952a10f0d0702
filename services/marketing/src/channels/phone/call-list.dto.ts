import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CALL_OUTCOMES, type CallOutcome } from '../campaign-lists';

export class CallListQueryDto {
  @ApiPropertyOptional({ description: 'From `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 200, description: 'Entries per page (1–200, default 50)', example: 50 })
  @IsOptional()
  @Matches(/^(?:[1-9]|[1-9]\d|1\d\d|200)$/, { message: 'limit must be an integer from 1 to 200' })
  limit?: string;
}

export class CallOutcomeDto {
  @ApiProperty({ enum: CALL_OUTCOMES, description: 'How the call went' }) @IsIn(CALL_OUTCOMES) outcome!: CallOutcome;
  @ApiPropertyOptional({ description: 'What the customer said (lands in the timeline)', example: 'wants a call back about the offer next week' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note?: string;
  @ApiPropertyOptional({ description: 'Client-chosen id of the call interaction: a retried request records the call once' })
  @IsOptional()
  @IsUUID()
  interactionId?: string;
}

export class CallListEntryDto {
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiProperty() campaignId!: string;
  @ApiProperty() stepId!: string;
  @ApiProperty({ nullable: true, type: String }) variantId!: string | null;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ description: 'E.164', example: '+6281234567890' }) phone!: string;
  @ApiProperty({ description: 'What to say' }) script!: string;
  @ApiProperty({ format: 'date-time' }) listedAt!: string;
  @ApiProperty({ enum: CALL_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) outcomeAt!: string | null;
  @ApiProperty({ description: 'Outcomes recorded so far' }) attempts!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The interaction of the latest outcome' }) lastInteractionId!: string | null;
}

export class CallListPageDto {
  @ApiProperty({ type: [CallListEntryDto] }) items!: CallListEntryDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page' }) nextCursor?: string;
}

export class CallOutcomeResultDto extends CallListEntryDto {
  @ApiProperty({ format: 'uuid', description: 'The call interaction in the customer’s campaign episode' }) interactionId!: string;
}
