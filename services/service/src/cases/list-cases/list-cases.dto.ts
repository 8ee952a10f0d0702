import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES, CHANNELS, SLUG_ID } from '@crm/relationship';
import { CASE_SLA_STATES, CASE_SORTS } from '../case-list/case-search.query';

const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);
const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';

export class CaseListQueryDto {
  @ApiPropertyOptional({ description: 'One or more statuses, comma-separated', example: 'new,assigned,in-progress' })
  @IsOptional()
  @MaxLength(300)
  @Matches(oneOrMore(CASE_STATUSES), { message: `status must be one or more of ${CASE_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ description: 'One or more priorities, comma-separated', example: 'high,urgent' })
  @IsOptional()
  @MaxLength(100)
  @Matches(oneOrMore(CASE_PRIORITIES), { message: `priority must be one or more of ${CASE_PRIORITIES.join(', ')}, comma-separated` })
  priority?: string;
  @ApiPropertyOptional({ description: 'One or more severities, comma-separated', example: 'critical' })
  @IsOptional()
  @MaxLength(100)
  @Matches(oneOrMore(CASE_SEVERITIES), { message: `severity must be one or more of ${CASE_SEVERITIES.join(', ')}, comma-separated` })
  severity?: string;
  @ApiPropertyOptional({ example: 'phones' }) @IsOptional() @Matches(SLUG_ID, { message: 'team is 1–63 lower-case letters, digits or dashes' }) team?: string;
  @ApiPropertyOptional({ description: 'A staff user id, or `me` for the caller', example: 'me' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  assignee?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional({ example: 'charging' })
  @IsOptional()
  @Matches(SLUG_ID, { message: 'category is 1–63 lower-case letters, digits or dashes' })
  category?: string;
  @ApiPropertyOptional({ example: 'phone-x1' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) productId?: string;
  @ApiPropertyOptional({ description: 'The customer (and the customers merged into it)', example: EXAMPLE_ID }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ enum: CASE_SORTS, description: 'Default openedAt (oldest first, as a queue is worked); a leading - sorts descending' })
  @IsOptional()
  @IsIn(CASE_SORTS)
  sort?: (typeof CASE_SORTS)[number];
  @ApiPropertyOptional({
    enum: CASE_SLA_STATES,
    description:
      'The case\'s service level now (docs/service.md "Finding cases"): breached, warning, on-track (clocks running or paused), met (every clock stopped in time)',
  })
  @IsOptional()
  @IsIn(CASE_SLA_STATES)
  slaState?: (typeof CASE_SLA_STATES)[number];
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same filters and sort)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class CaseListItemDto {
  @ApiProperty({ example: EXAMPLE_ID }) caseId!: string;
  @ApiProperty({ example: EXAMPLE_ID }) customerId!: string;
  @ApiProperty({ example: 'Phone will not charge' }) name!: string;
  @ApiProperty({ nullable: true, type: String, enum: CHANNELS }) channel!: string | null;
  @ApiProperty({ enum: CASE_STATUSES }) status!: string;
  @ApiProperty({ enum: CASE_PRIORITIES }) priority!: string;
  @ApiProperty({ enum: CASE_SEVERITIES }) severity!: string;
  @ApiProperty({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ nullable: true, type: String }) productId!: string | null;
  @ApiProperty({ nullable: true, type: String }) team!: string | null;
  @ApiProperty({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ description: 'The latest step of the case' }) lastActivityAt!: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['resolved', 'unresolved'] }) outcome!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty() reopenCount!: number;
  @ApiProperty({ description: 'Interactions recorded in it' }) interactions!: number;
  @ApiProperty({ nullable: true, type: String, enum: CASE_SLA_STATES, description: 'null: no service level computed for it yet' }) slaState!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '2026-03-01T09:15:00.000Z',
    description:
      'The nearest due time of its running service-level clocks (null: none runs — all stopped, paused while waiting on the customer, or none computed yet)',
  })
  slaDueAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['first-response', 'next-response', 'resolution'],
    example: 'first-response',
    description: 'The metric of the clock due at slaDueAt',
  })
  slaDueMetric!: string | null;
}

export class CaseListPageDto {
  @ApiProperty({ type: [CaseListItemDto] }) items!: CaseListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}
