import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate, IsCurrencyCode } from '@crm/contracts';
import { CURRENCY_CODES, STAGE_ID } from '@crm/relationship';
import { OPPORTUNITY_SORTS, OPPORTUNITY_STATUSES } from '@crm/relationship-read-models';

const oneOrMore = (pattern: string) => new RegExp(`^(${pattern})(,(${pattern}))*$`);
const STAGES = oneOrMore(STAGE_ID.source.slice(1, -1));
const STATUSES = oneOrMore(OPPORTUNITY_STATUSES.join('|'));
const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';

export class OpportunityListQueryDto {
  @ApiPropertyOptional({ description: 'A staff user id', example: 'sari' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ example: 'jakarta-enterprise' })
  @IsOptional()
  @Matches(STAGE_ID, { message: 'team is 1–63 lower-case letters, digits or dashes' })
  team?: string;
  @ApiPropertyOptional({ description: 'One or more stages, comma-separated', example: 'proposal-creation,proposal-presentation' })
  @IsOptional()
  @MaxLength(1000)
  @Matches(STAGES, { message: 'stage must be one or more stage ids (lower-case letters, digits, dashes), comma-separated' })
  stage?: string;
  @ApiPropertyOptional({ example: EXAMPLE_ID }) @IsOptional() @IsUUID() pipelineId?: string;
  @ApiPropertyOptional({ example: EXAMPLE_ID }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ description: 'Expected to close on or after this day', example: '2026-04-01' }) @IsOptional() @IsCalendarDate() closeFrom?: string;
  @ApiPropertyOptional({ description: 'Expected to close on or before this day', example: '2026-06-30' }) @IsOptional() @IsCalendarDate() closeTo?: string;
  @ApiPropertyOptional({ description: 'Only amounts in this currency (needed for an amount range)', enum: CURRENCY_CODES, example: 'EUR' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;
  @ApiPropertyOptional({ description: 'At least, in minor units of `currency`', example: 100000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMin?: number;
  @ApiPropertyOptional({ description: 'At most, in minor units of `currency`', example: 5000000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMax?: number;
  @ApiPropertyOptional({ description: 'One or more of open, won, lost, comma-separated', example: 'open' })
  @IsOptional()
  @Matches(STATUSES, { message: 'status must be one or more of open, won, lost, comma-separated' })
  status?: string;
  @ApiPropertyOptional({ enum: OPPORTUNITY_SORTS, description: 'Default -updatedAt (most recently changed first); a leading - sorts descending' })
  @IsOptional()
  @IsIn(OPPORTUNITY_SORTS)
  sort?: (typeof OPPORTUNITY_SORTS)[number];
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same filters and sort)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class OpportunityListItemDto {
  @ApiProperty({ example: EXAMPLE_ID }) opportunityId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ example: 'Fleet renewal' }) name!: string;
  @ApiProperty({ example: EXAMPLE_ID }) pipelineId!: string;
  @ApiProperty({ example: 'proposal-creation' }) stage!: string;
  @ApiProperty({ description: 'In force: the override, or the stage’s default', example: 40 }) probability!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Integer minor units of currency', example: 1250000 }) amount!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'EUR' }) currency!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-06-30' }) expectedCloseDate!: string | null;
  @ApiProperty({ example: 'sari' }) owner!: string;
  @ApiProperty({ nullable: true, type: String }) team!: string | null;
  @ApiProperty({ nullable: true, type: String }) nextStep!: string | null;
  @ApiProperty({ type: [String] }) competitors!: string[];
  @ApiProperty({ enum: OPPORTUNITY_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) closeReason!: string | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty() stageEnteredAt!: string;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ description: 'Interactions recorded in it' }) interactions!: number;
}

export class OpportunityListPageDto {
  @ApiProperty({ type: [OpportunityListItemDto] }) items!: OpportunityListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}
