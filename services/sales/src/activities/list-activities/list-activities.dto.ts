import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { ACTIVITY_KINDS, ACTIVITY_STATUSES } from '@crm/relationship';

const oneOrMore = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);
const CURSOR = /^[A-Za-z0-9_-]+$/;
const CURSOR_MESSAGE = 'cursor must be the nextCursor of a previous page';

/** Paging, shared by the three lists. */
export class ActivityPageQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  cursor?: string;
}

export class ActivityListQueryDto extends ActivityPageQueryDto {
  @ApiPropertyOptional({ description: 'A staff user id', example: 'sari' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() episodeId?: string;
  @ApiPropertyOptional({ description: `One or more of ${ACTIVITY_KINDS.join(', ')}, comma-separated`, example: 'call,meeting' })
  @IsOptional()
  @Matches(oneOrMore(ACTIVITY_KINDS), { message: `kind must be one or more of ${ACTIVITY_KINDS.join(', ')}, comma-separated` })
  kind?: string;
  @ApiPropertyOptional({ description: `One or more of ${ACTIVITY_STATUSES.join(', ')}, comma-separated`, example: 'open' })
  @IsOptional()
  @Matches(oneOrMore(ACTIVITY_STATUSES), { message: `status must be one or more of ${ACTIVITY_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ description: 'Due at or after', example: '2026-03-01T00:00:00Z' }) @IsOptional() @IsInstant() dueFrom?: string;
  @ApiPropertyOptional({ description: 'Due before', example: '2026-04-01T00:00:00Z' }) @IsOptional() @IsInstant() dueTo?: string;
}

export class DueActivitiesQueryDto extends ActivityPageQueryDto {
  @ApiPropertyOptional({ description: "Whose; default the caller's own (someone else's: managers only)", example: 'sari' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;
  @ApiPropertyOptional({ description: 'Due before this instant; default 24 hours from now', example: '2026-03-03T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  until?: string;
}

export class OverdueActivitiesQueryDto extends ActivityPageQueryDto {
  @ApiPropertyOptional({ description: "Whose; default the caller's own (someone else's: managers only)", example: 'sari' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;
}

export class ActivityListItemDto {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty({ enum: ACTIVITY_KINDS }) kind!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ nullable: true, type: String }) episodeId!: string | null;
  @ApiProperty({ example: 'Fleet renewal: confirm the budget' }) subject!: string;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ example: 'sari' }) owner!: string;
  @ApiProperty({ enum: ACTIVITY_STATUSES }) status!: string;
  @ApiProperty({ example: '2026-03-02T09:00:00.000Z' }) dueAt!: string;
  @ApiProperty({ nullable: true, type: Number }) durationMinutes!: number | null;
  @ApiProperty({ nullable: true, type: String }) endsAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) reminderMinutesBefore!: number | null;
  @ApiProperty({ nullable: true, type: String }) remindAt!: string | null;
  @ApiProperty({ description: 'Open and past its due time' }) overdue!: boolean;
  @ApiProperty({ description: 'ActivityDue recorded for the current schedule' }) dueNotified!: boolean;
  @ApiProperty() plannedBy!: string;
  @ApiProperty() plannedAt!: string;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) cancelledAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) interactionId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'What came back, when completed' }) response!: string | null;
}

export class ActivityListPageDto {
  @ApiProperty({ type: [ActivityListItemDto] }) items!: ActivityListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}
